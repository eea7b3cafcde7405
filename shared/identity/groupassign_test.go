package identity

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/effektif-serverless/caseflow/shared/failure"
	"github.com/effektif-serverless/caseflow/shared/ids"
)

// groupWorld is an organization with an admin and members in a coreDouble.
type groupWorld struct {
	store  *coreDouble
	svc    *Service
	admin  Access
	member Access
	ids    []string // member ids, admin's first
}

func newGroupWorld(t *testing.T, members int) groupWorld {
	t.Helper()
	d := newCoreDouble()
	org := Organization{ID: ids.New(), Key: "acme", Version: 1}
	w := groupWorld{store: d, svc: &Service{Store: d, Now: clock()}}
	for i := 0; i < members; i++ {
		id := ids.New()
		role := RoleMember
		if i == 0 {
			role = RoleAdmin
		}
		m := Membership{OrganizationID: org.ID, UserID: id, Role: role}
		d.members[org.ID+"/"+id] = m
		w.ids = append(w.ids, id)
		a := Access{Caller: Caller{UserID: id}, Organization: org, Membership: m}
		if i == 0 {
			w.admin = a
		} else if i == 1 {
			w.member = a
		}
	}
	return w
}

func (w groupWorld) create(t *testing.T, name string, members []string) Group {
	t.Helper()
	g, err := w.svc.CreateGroup(context.Background(), w.admin, GroupChanges{Name: &name, UserIDs: &members})
	if err != nil {
		t.Fatal(err)
	}
	return g
}

func TestAdvanceAssignmentOrder(t *testing.T) {
	ctx := context.Background()
	w := newGroupWorld(t, 4)
	// Members given in any order are assigned in id order.
	members := []string{w.ids[3], w.ids[1], w.ids[2]}
	g := w.create(t, "Sales", members)
	sorted := g.SortedMembers()
	if _, _, ok := g.CurrentAssignee(); ok {
		t.Fatal("a new group has an assignee")
	}
	for step := 0; step < 7; step++ {
		// Any member advances, not only admins.
		got, err := w.svc.AdvanceAssignment(ctx, w.member, g.ID)
		if err != nil {
			t.Fatal(err)
		}
		want := step % 3
		if got.AssigneeID != sorted[want] || got.AssigneeIndex != want {
			t.Fatalf("step %d: assignee %s (%d), want %s (%d)", step, got.AssigneeID, got.AssigneeIndex, sorted[want], want)
		}
		if id, i, ok := got.CurrentAssignee(); !ok || id != sorted[want] || i != want {
			t.Fatalf("step %d: current %s %d %v", step, id, i, ok)
		}
		if !got.Updated.Equal(g.Updated) {
			t.Fatalf("an assignment changed Updated: %v -> %v", g.Updated, got.Updated)
		}
	}
	// Now at sorted[0]. The next member leaves: the one after them is
	// next, and the positions follow the new list.
	left := sorted[1]
	rest := []string{sorted[0], sorted[2]}
	if _, err := w.svc.UpdateGroup(ctx, w.admin, g.ID, GroupChanges{UserIDs: &rest}); err != nil {
		t.Fatal(err)
	}
	got, err := w.svc.AdvanceAssignment(ctx, w.member, g.ID)
	if err != nil || got.AssigneeID != sorted[2] || got.AssigneeIndex != 1 {
		t.Fatalf("after %s left: %+v, %v", left, got, err)
	}
	// The assignee leaves: they are no current assignee any more, and
	// the member after them (wrapping) is next.
	only := []string{sorted[0]}
	g2, err := w.svc.UpdateGroup(ctx, w.admin, g.ID, GroupChanges{UserIDs: &only})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, ok := g2.CurrentAssignee(); ok {
		t.Fatal("a member who left is the current assignee")
	}
	if got, err := w.svc.AdvanceAssignment(ctx, w.member, g.ID); err != nil || got.AssigneeID != sorted[0] || got.AssigneeIndex != 0 {
		t.Fatalf("wrapping past a gone assignee: %+v, %v", got, err)
	}
	// The one member, again and again.
	if got, err := w.svc.AdvanceAssignment(ctx, w.member, g.ID); err != nil || got.AssigneeID != sorted[0] {
		t.Fatalf("one member: %+v, %v", got, err)
	}
}

func TestAdvanceAssignmentRefusals(t *testing.T) {
	ctx := context.Background()
	w := newGroupWorld(t, 2)
	empty := w.create(t, "Nobody", nil)
	_, err := w.svc.AdvanceAssignment(ctx, w.member, empty.ID)
	expectCode(t, "no members", err, failure.Unprocessable, "")
	_, err = w.svc.AdvanceAssignment(ctx, w.member, ids.New())
	expectCode(t, "unknown group", err, failure.NotFound, "")
	_, err = w.svc.AdvanceAssignment(ctx, w.member, "not-an-id")
	expectCode(t, "malformed id", err, failure.NotFound, "")
	// Another organization's group is not found.
	other := newGroupWorld(t, 1)
	theirs := other.create(t, "Theirs", []string{other.ids[0]})
	w.store.groups[other.admin.Organization.ID+"/"+theirs.ID] = theirs
	_, err = w.svc.AdvanceAssignment(ctx, w.member, theirs.ID)
	expectCode(t, "another organization's group", err, failure.NotFound, "")
}

func TestAdvanceAssignmentConcurrently(t *testing.T) {
	ctx := context.Background()
	w := newGroupWorld(t, 3)
	g := w.create(t, "Round", w.ids)
	sorted := g.SortedMembers()
	const calls = 30
	w.store.slowReads = true
	var wg sync.WaitGroup
	results := make([]Group, calls)
	errs := make([]error, calls)
	for i := 0; i < calls; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i], errs[i] = w.svc.AdvanceAssignment(ctx, w.member, g.ID)
		}()
	}
	wg.Wait()
	// The calls did race (more writes than calls: lost ones retried).
	if saves := w.store.saves - 1; saves <= calls {
		t.Fatalf("%d writes for %d calls: no race happened", saves, calls)
	} else {
		t.Logf("%d concurrent advances took %d conditional writes", calls, saves)
	}
	counts := map[string]int{}
	versions := map[int]bool{}
	for i, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
		counts[results[i].AssigneeID]++
		versions[results[i].Version] = true
	}
	// 30 steps from the start: each member exactly 10 times, every
	// call a version of its own, and the last step at sorted[(30-1)%3].
	for _, id := range sorted {
		if counts[id] != calls/3 {
			t.Fatalf("assignments %v, want %d each", counts, calls/3)
		}
	}
	if len(versions) != calls {
		t.Fatalf("%d distinct versions for %d calls", len(versions), calls)
	}
	final, err := w.svc.Group(ctx, w.member, g.ID)
	if err != nil || final.Version != g.Version+calls || final.AssigneeID != sorted[(calls-1)%3] {
		t.Fatalf("final %+v, %v (created at version %d)", final, err, g.Version)
	}
}

func TestGroupLabelAndImage(t *testing.T) {
	ctx := context.Background()
	w := newGroupWorld(t, 2)
	name, abbr := "Finance", " FN "
	img := GroupImage{Original: "https://images.example.com/g.png", Thumbnail32: "http://images.example.com/g32.png",
		GradientColors: []string{"#0588f0", "#3358D4"}}
	g, err := w.svc.CreateGroup(ctx, w.admin, GroupChanges{Name: &name, Abbreviation: &abbr, Image: &img})
	if err != nil {
		t.Fatal(err)
	}
	if g.Abbreviation != "FN" || !reflect.DeepEqual(g.Image, img) || g.CreatedBy != w.admin.UserID ||
		g.Created.IsZero() || !g.Updated.Equal(g.Created) {
		t.Fatalf("created %+v", g)
	}
	// An edit of another field keeps them and moves Updated; a zero
	// image and an empty abbreviation remove them.
	other := "Finance & Tax"
	g2, err := w.svc.UpdateGroup(ctx, w.admin, g.ID, GroupChanges{Name: &other})
	if err != nil || g2.Abbreviation != "FN" || !reflect.DeepEqual(g2.Image, img) || !g2.Updated.After(g.Updated) || !g2.Created.Equal(g.Created) {
		t.Fatalf("renamed %+v, %v", g2, err)
	}
	none, zero := "", GroupImage{}
	g3, err := w.svc.UpdateGroup(ctx, w.admin, g.ID, GroupChanges{Abbreviation: &none, Image: &zero})
	if err != nil || g3.Abbreviation != "" || !reflect.DeepEqual(g3.Image, GroupImage{}) {
		t.Fatalf("cleared %+v, %v", g3, err)
	}
	bad := []struct {
		abbr  *string
		image *GroupImage
		field string
	}{
		{abbr: ptr("FIN"), field: FieldGroupAbbreviation},
		{abbr: ptr("F\x07"), field: FieldGroupAbbreviation},
		{image: &GroupImage{Original: "ftp://images.example.com/g.png"}, field: "image.original"},
		{image: &GroupImage{Thumbnail32: "/relative.png"}, field: "image.thumbnail32"},
		{image: &GroupImage{Thumbnail64: "https://"}, field: "image.thumbnail64"},
		{image: &GroupImage{Original: "https://x.example/a b.png"}, field: "image.original"},
		{image: &GroupImage{Original: "https://x.example/" + strings.Repeat("a", MaxGroupImageURL)}, field: "image.original"},
		{image: &GroupImage{GradientColors: []string{"#0588f0"}}, field: "image.gradientColors"},
		{image: &GroupImage{GradientColors: []string{"#0588f0", "#3358d4", "#000000"}}, field: "image.gradientColors"},
		{image: &GroupImage{GradientColors: []string{"#0588f0", "blue"}}, field: "image.gradientColors"},
		{image: &GroupImage{GradientColors: []string{"#0588f0", "#3358d"}}, field: "image.gradientColors"},
		{image: &GroupImage{GradientColors: []string{"#0588f0", "#3358dg"}}, field: "image.gradientColors"},
	}
	for i, c := range bad {
		_, err := w.svc.UpdateGroup(ctx, w.admin, g.ID, GroupChanges{Abbreviation: c.abbr, Image: c.image})
		expectCode(t, fmt.Sprintf("bad %d", i), err, failure.Invalid, c.field)
		_, err = w.svc.CreateGroup(ctx, w.admin, GroupChanges{Name: &name, Abbreviation: c.abbr, Image: c.image})
		expectCode(t, fmt.Sprintf("bad create %d", i), err, failure.Invalid, c.field)
	}
	// A refused change changed nothing.
	if got, _ := w.svc.Group(ctx, w.admin, g.ID); got.Version != g3.Version {
		t.Fatalf("a refused change wrote: %+v", got)
	}
}

func ptr(s string) *string { return &s }

func TestListGroupsAndGroupsOfMember(t *testing.T) {
	ctx := context.Background()
	w := newGroupWorld(t, 3)
	for _, n := range []string{"Sales North", "Support", "sales south", "Finance", "Wholesale"} {
		members := []string{w.ids[0]}
		if strings.Contains(strings.ToLower(n), "sale") {
			members = append(members, w.ids[1])
		}
		w.create(t, n, members)
	}
	names := func(gs []Group) string {
		var out []string
		for _, g := range gs {
			out = append(out, g.Name)
		}
		return strings.Join(out, ",")
	}
	for _, c := range []struct {
		query         string
		limit, offset int
		want          string
		total         int
	}{
		{"", 0, 0, "Finance,Sales North,Support,Wholesale,sales south", 5},
		{" SALE ", 0, 0, "Sales North,Wholesale,sales south", 3},
		{"sale", 2, 0, "Sales North,Wholesale", 3},
		{"sale", 2, 2, "sales south", 3},
		{"sale", 2, 3, "", 3},
		{"sale", 0, 99, "", 3},
		{"nothing", 10, 0, "", 0},
		{"", 1, 4, "sales south", 5},
	} {
		gs, total, err := w.svc.ListGroups(ctx, w.member, c.query, c.limit, c.offset)
		if err != nil || names(gs) != c.want || total != c.total || gs == nil {
			t.Fatalf("%q %d %d: %q %d %v, want %q %d", c.query, c.limit, c.offset, names(gs), total, err, c.want, c.total)
		}
	}
	_, _, err := w.svc.ListGroups(ctx, w.member, "", -1, 0)
	expectCode(t, "negative limit", err, failure.Invalid, "limit")
	_, _, err = w.svc.ListGroups(ctx, w.member, "", 0, -1)
	expectCode(t, "negative offset", err, failure.Invalid, "offset")

	// A member's groups, by name: the caller's own and another's.
	mine, err := w.svc.GroupsOfMember(ctx, w.admin, w.ids[0])
	if err != nil || names(mine) != "Finance,Sales North,Support,Wholesale,sales south" {
		t.Fatalf("the admin's groups: %q, %v", names(mine), err)
	}
	theirs, err := w.svc.GroupsOfMember(ctx, w.admin, w.ids[1])
	if err != nil || names(theirs) != "Sales North,Wholesale,sales south" {
		t.Fatalf("a member's groups: %q, %v", names(theirs), err)
	}
	none, err := w.svc.GroupsOfMember(ctx, w.admin, w.ids[2])
	if err != nil || none == nil || len(none) != 0 {
		t.Fatalf("no groups: %v, %v", none, err)
	}
	_, err = w.svc.GroupsOfMember(ctx, w.admin, ids.New())
	expectCode(t, "no member", err, failure.NotFound, "")
	_, err = w.svc.GroupsOfMember(ctx, w.admin, "../x")
	expectCode(t, "malformed id", err, failure.NotFound, "")
}
