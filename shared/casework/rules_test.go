package casework

import (
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/effektif-serverless/caseflow/shared/identity"
)

// The rules of who may work a task and see a draft, and how task lists
// filter by due date, pinned where they live.

func TestMayWork(t *testing.T) {
	admin := identity.Membership{UserID: "admin", Role: identity.RoleAdmin}
	ann := identity.Membership{UserID: "ann", Role: identity.RoleMember, GroupIDs: []string{"g1"}}
	bob := identity.Membership{UserID: "bob", Role: identity.RoleMember}
	for name, c := range map[string]struct {
		task       Task
		ann, bob   bool
		adminMaySo bool
	}{
		"assigned to ann":        {Task{AssigneeID: "ann"}, true, false, true},
		"assigned to someone":    {Task{AssigneeID: "carl"}, false, false, true},
		"ann a candidate":        {Task{CandidateIDs: []string{"ann"}}, true, false, true},
		"ann's group candidate":  {Task{CandidateGroupIDs: []string{"g1"}}, true, false, true},
		"another group":          {Task{CandidateGroupIDs: []string{"g2"}}, false, false, true},
		"nobody named: everyone": {Task{}, true, true, true},
	} {
		if got := mayWork(c.task, ann); got != c.ann {
			t.Errorf("%s: ann %v, want %v", name, got, c.ann)
		}
		if got := mayWork(c.task, bob); got != c.bob {
			t.Errorf("%s: bob %v, want %v", name, got, c.bob)
		}
		if got := mayWork(c.task, admin); got != c.adminMaySo {
			t.Errorf("%s: admin %v", name, got)
		}
	}
}

func TestPrivateDraftsAreVisibleToOwnerAndAdmins(t *testing.T) {
	w := EditorWorkflow{IsPrivate: true, OwnerID: "ann"}
	if !visible(w, identity.Membership{UserID: "ann"}) || !visible(w, identity.Membership{UserID: "x", Role: identity.RoleAdmin}) || visible(w, identity.Membership{UserID: "bob"}) {
		t.Fatal("a private draft's visibility")
	}
	if !visible(EditorWorkflow{OwnerID: "ann"}, identity.Membership{UserID: "bob"}) {
		t.Fatal("a shared draft is hidden")
	}
}

func TestDueIn(t *testing.T) {
	now := time.Date(2026, 12, 2, 15, 0, 0, 0, time.UTC) // a Wednesday
	at := func(day, hour int) time.Time { return time.Date(2026, 12, day, hour, 0, 0, 0, time.UTC) }
	for _, c := range []struct {
		due    time.Time
		ranges []string
		want   bool
	}{
		{time.Time{}, nil, true},
		{time.Time{}, []string{DueNotDue}, true},
		{at(1, 23), []string{DueOverdue}, true},
		{at(2, 0), []string{DueOverdue}, false},
		{at(2, 0), []string{DueToday}, true},
		{at(2, 23), []string{DueToday}, true},
		{at(3, 0), []string{DueThisWeek}, true},
		{at(6, 23), []string{DueThisWeek}, true},
		{at(7, 0), []string{DueThisWeek}, false},
		{at(7, 0), []string{DueLater}, true},
		{at(1, 0), []string{DueToday, DueOverdue}, true},
		{time.Time{}, []string{DueToday}, false},
	} {
		if got := dueIn(c.due, c.ranges, now); got != c.want {
			t.Errorf("due %v in %v: %v, want %v", c.due, c.ranges, got, c.want)
		}
	}
}

func TestCaseOrder(t *testing.T) {
	one, two := 1.0, 2.0
	cases := []Case{
		{Name: "b", CreateTime: time.Unix(2, 0), Priority: &one},
		{Name: "A", CreateTime: time.Unix(3, 0)},
		{Name: "c", CreateTime: time.Unix(1, 0), Priority: &two},
	}
	names := func(sorting string) string {
		less, err := caseOrder(sorting)
		if err != nil {
			t.Fatal(err)
		}
		cs := append([]Case(nil), cases...)
		sort.SliceStable(cs, func(i, j int) bool { return less(cs[i], cs[j]) })
		var out []string
		for _, c := range cs {
			out = append(out, c.Name)
		}
		return strings.Join(out, "")
	}
	for sorting, want := range map[string]string{"": "Abc", "createTime": "cbA", "-createTime": "Abc", "name": "Abc", "-name": "cbA", "priority": "Abc", "-priority": "cbA"} {
		if got := names(sorting); got != want {
			t.Errorf("sorting %q: %s, want %s", sorting, got, want)
		}
	}
	if _, err := caseOrder("size"); err == nil {
		t.Error("an unknown sorting accepted")
	}
}

func TestUnclaimedTasksAreEveryMembersCandidates(t *testing.T) {
	for name, c := range map[string]struct {
		task      Task
		unclaimed bool
	}{
		"nobody named":      {Task{}, true},
		"assigned":          {Task{AssigneeID: "ann"}, false},
		"a candidate":       {Task{CandidateIDs: []string{"ann"}}, false},
		"a candidate group": {Task{CandidateGroupIDs: []string{"g1"}}, false},
		"completed":         {Task{Completed: true}, false},
		"canceled":          {Task{Canceled: true}, false},
	} {
		if got := c.task.Unclaimed(); got != c.unclaimed {
			t.Errorf("%s: unclaimed %v, want %v", name, got, c.unclaimed)
		}
		candidate := involvedAs(c.task.Involvements("bob", nil), []Involvement{Candidate})
		if c.unclaimed && !candidate {
			t.Errorf("%s: bob is no candidate of an unclaimed task", name)
		}
		if c.unclaimed != mayWork(c.task, identity.Membership{UserID: "bob", Role: identity.RoleMember}) && c.task.Open() {
			t.Errorf("%s: who may work the task differs from who is offered it", name)
		}
	}
}
