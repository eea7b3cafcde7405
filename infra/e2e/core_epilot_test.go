package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/effektif-serverless/caseflow/shared/failure"
	"github.com/effektif-serverless/caseflow/shared/identity"
	"github.com/effektif-serverless/caseflow/shared/ids"
	"github.com/effektif-serverless/caseflow/shared/store"
)

// The core parts the epilot User API stands on (settings, navigations,
// group labels and round-robin assignment), driven through the identity
// service in this process on the local stack's DynamoDB: the store's
// conditions and transactions are the real ones.

func coreService() *identity.Service {
	return &identity.Service{Store: &countingStore{Store: store.New(stack.AWS.DynamoDB(), "DataTable")}}
}

// countingStore counts the group writes, lost races included.
type countingStore struct {
	identity.Store
	groupSaves atomic.Int32
}

func (c *countingStore) SaveGroup(ctx context.Context, g identity.Group, isNew bool, added, removed []string) error {
	c.groupSaves.Add(1)
	return c.Store.SaveGroup(ctx, g, isNew, added, removed)
}

func TestGroupRoundRobinOnTheStore(t *testing.T) {
	ctx := context.Background()
	svc := coreService()
	owner := signUp(t, "Round Robin")
	admin := inOrg(t, ctx, svc, owner)
	// Three more members, written to the store directly.
	members := []string{owner.UserID}
	for i := 0; i < 3; i++ {
		id := ids.New()
		if err := svc.Store.CreateUser(ctx, identity.User{ID: id, Email: uniqueEmail("robin"), Version: 1}); err != nil {
			t.Fatal(err)
		}
		if err := svc.Store.AddMembership(ctx, identity.Membership{OrganizationID: owner.OrgID, OrganizationKey: owner.OrgKey,
			UserID: id, Role: identity.RoleMember}); err != nil {
			t.Fatal(err)
		}
		members = append(members, id)
	}
	name, abbr := "Dispatch", "DS"
	img := identity.GroupImage{Original: "https://images.example.com/d.png", Thumbnail64: "https://images.example.com/d64.png",
		GradientColors: []string{"#0588f0", "#3358d4"}}
	g, err := svc.CreateGroup(ctx, admin, identity.GroupChanges{Name: &name, UserIDs: &members, Abbreviation: &abbr, Image: &img})
	if err != nil {
		t.Fatal(err)
	}
	stored, err := svc.Group(ctx, admin, g.ID)
	if err != nil || stored.Abbreviation != "DS" || !reflect.DeepEqual(stored.Image, img) || stored.CreatedBy != owner.UserID ||
		!stored.Created.Equal(g.Created) || !stored.Updated.Equal(g.Updated) {
		t.Fatalf("stored %+v, %v; created %+v", stored, err, g)
	}
	// Effektif's group model shows none of the new fields.
	eg := expect(t, call(t, "GET", "/api/v1/"+owner.OrgKey+"/groups/"+g.ID, owner.Token, nil), http.StatusOK).JSON(t)
	var keys []string
	for k := range eg {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	if strings.Join(keys, ",") != "id,name,organizationId,userIds" {
		t.Fatalf("the Effektif group shows %v", keys)
	}

	// Concurrent advances from another member's access: each one step.
	other := admin
	other.UserID, other.Membership = members[1], identity.Membership{OrganizationID: owner.OrgID, UserID: members[1], Role: identity.RoleMember}
	const calls = 12
	counter := svc.Store.(*countingStore)
	savesBefore := counter.groupSaves.Load()
	var wg sync.WaitGroup
	got := make([]identity.Group, calls)
	errs := make([]error, calls)
	for i := 0; i < calls; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			got[i], errs[i] = svc.AdvanceAssignment(ctx, other, g.ID)
		}()
	}
	wg.Wait()
	t.Logf("%d concurrent advances took %d conditional writes", calls, counter.groupSaves.Load()-savesBefore)
	counts := map[string]int{}
	for i, err := range errs {
		if err != nil {
			t.Fatalf("call %d: %v", i, err)
		}
		counts[got[i].AssigneeID]++
	}
	sorted := stored.SortedMembers()
	for _, id := range sorted {
		if counts[id] != calls/len(sorted) {
			t.Fatalf("assignments %v, want %d each", counts, calls/len(sorted))
		}
	}
	final, err := svc.Group(ctx, admin, g.ID)
	if err != nil || final.Version != g.Version+calls || final.AssigneeID != sorted[(calls-1)%len(sorted)] ||
		final.AssigneeIndex != (calls-1)%len(sorted) || !final.Updated.Equal(g.Updated) {
		t.Fatalf("final %+v, %v", final, err)
	}
	// The next call wraps to the first member.
	if next, err := svc.AdvanceAssignment(ctx, other, g.ID); err != nil || next.AssigneeID != sorted[0] {
		t.Fatalf("wrap: %+v, %v", next, err)
	}

	// An empty group: 422; an unknown one: 404.
	empty := "Empty"
	eg2, err := svc.CreateGroup(ctx, admin, identity.GroupChanges{Name: &empty})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.AdvanceAssignment(ctx, other, eg2.ID); !failure.Is(err, failure.Unprocessable) {
		t.Fatalf("empty group: %v", err)
	}
	if _, err := svc.AdvanceAssignment(ctx, other, ids.New()); !failure.Is(err, failure.NotFound) {
		t.Fatalf("unknown group: %v", err)
	}

	// Listing and a member's groups.
	list, total, err := svc.ListGroups(ctx, other, "PATC", 10, 0)
	if err != nil || total != 1 || len(list) != 1 || list[0].ID != g.ID {
		t.Fatalf("list: %v %d %v", list, total, err)
	}
	if list, total, err := svc.ListGroups(ctx, other, "", 1, 1); err != nil || total != 2 || len(list) != 1 || list[0].ID != eg2.ID {
		t.Fatalf("second page: %v %d %v", list, total, err)
	}
	if gs, err := svc.GroupsOfMember(ctx, other, members[2]); err != nil || len(gs) != 1 || gs[0].ID != g.ID {
		t.Fatalf("groups of a member: %v, %v", gs, err)
	}
	outsider := signUp(t, "Round Robin Outsider")
	if _, err := svc.GroupsOfMember(ctx, other, outsider.UserID); !failure.Is(err, failure.NotFound) {
		t.Fatalf("groups of a non-member: %v", err)
	}
}

func TestCoreSettingsOnTheStore(t *testing.T) {
	ctx := context.Background()
	svc := coreService()
	user := ids.New()
	put := func(scope, key, value string) identity.UserSetting {
		t.Helper()
		st, err := svc.PutSetting(ctx, user, scope, key, json.RawMessage(value))
		if err != nil {
			t.Fatalf("put %s/%s: %v", scope, key, err)
		}
		return st
	}
	first := put("calendar", "visible_calendars", `{"calendar_ids": ["holidays"]}`)
	second := put("calendar", "visible_calendars", `{"calendar_ids":["holidays","birthdays"]}`)
	if !second.Created.Equal(first.Created) || !second.Updated.After(first.Updated) {
		t.Fatalf("replace: %+v after %+v", second, first)
	}
	read, err := svc.Setting(ctx, user, "calendar", "visible_calendars")
	if err != nil || !read.Created.Equal(first.Created) || !read.Updated.Equal(second.Updated) ||
		string(read.Value) != `{"calendar_ids":["holidays","birthdays"]}` || read.Version != 2 {
		t.Fatalf("read %+v (%s), %v", read, read.Value, err)
	}
	// Scopes and keys that a naive key would mix up stay apart; the
	// longest ones fit DynamoDB's key limits.
	put("a#b", "c", `1`)
	put("a", "b#c", `2`)
	put("a", "b", `3`)
	long := strings.Repeat("🙂", identity.MaxSettingScope)
	put(long, strings.Repeat("𝄞", identity.MaxSettingKey), `"long"`)
	scopes, err := svc.Settings(ctx, user)
	if err != nil {
		t.Fatal(err)
	}
	want := []identity.SettingScope{{Scope: "a", Keys: []string{"b", "b#c"}}, {Scope: "a#b", Keys: []string{"c"}},
		{Scope: "calendar", Keys: []string{"visible_calendars"}}, {Scope: long, Keys: []string{strings.Repeat("𝄞", identity.MaxSettingKey)}}}
	if !reflect.DeepEqual(scopes, want) {
		t.Fatalf("scopes %v", scopes)
	}
	if m, err := svc.SettingsScope(ctx, user, "a"); err != nil || len(m) != 2 || string(m["b#c"]) != "2" || string(m["b"]) != "3" {
		t.Fatalf("scope a: %v, %v", m, err)
	}
	if err := svc.DeleteSetting(ctx, user, "a", "b"); err != nil {
		t.Fatal(err)
	}
	if err := svc.DeleteSetting(ctx, user, "a", "b"); !failure.Is(err, failure.NotFound) {
		t.Fatalf("delete twice: %v", err)
	}
	// Another user sees none of it.
	if scopes, err := svc.Settings(ctx, ids.New()); err != nil || len(scopes) != 0 {
		t.Fatalf("another user: %v, %v", scopes, err)
	}

	// The bytes in all: MaxSettingsBytes/MaxSettingValue full values,
	// then nothing more until one shrinks.
	big := `"` + strings.Repeat("b", identity.MaxSettingValue-2) + `"`
	heavy := ids.New()
	for i := 0; i < identity.MaxSettingsBytes/identity.MaxSettingValue; i++ {
		if _, err := svc.PutSetting(ctx, heavy, "big", fmt.Sprint(i), json.RawMessage(big)); err != nil {
			t.Fatal(i, err)
		}
	}
	if _, err := svc.PutSetting(ctx, heavy, "big", "more", json.RawMessage(`1`)); err != identity.ErrSettingsFull {
		t.Fatalf("over the bytes: %v", err)
	}
	if m, err := svc.SettingsScope(ctx, heavy, "big"); err != nil || len(m) != identity.MaxSettingsBytes/identity.MaxSettingValue {
		t.Fatalf("reading a full scope: %d, %v", len(m), err)
	}
	if _, err := svc.PutSetting(ctx, heavy, "big", "0", json.RawMessage(`1`)); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.PutSetting(ctx, heavy, "big", "more", json.RawMessage(`1`)); err != nil {
		t.Fatal(err)
	}

	// The count, under concurrent puts: exactly MaxSettingsPerUser of
	// them get in.
	many := ids.New()
	const extra, workers = 12, 8
	var wg sync.WaitGroup
	var mu sync.Mutex
	stored, full := 0, 0
	next := make(chan int)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				_, err := svc.PutSetting(ctx, many, fmt.Sprintf("s%d", i%3), fmt.Sprint(i), json.RawMessage(`{"n":1}`))
				mu.Lock()
				switch {
				case err == nil:
					stored++
				case err == identity.ErrSettingsFull:
					full++
				default:
					t.Errorf("put %d: %v", i, err)
				}
				mu.Unlock()
			}
		}()
	}
	for i := 0; i < identity.MaxSettingsPerUser+extra; i++ {
		next <- i
	}
	close(next)
	wg.Wait()
	if stored != identity.MaxSettingsPerUser || full != extra {
		t.Fatalf("%d stored, %d refused; want %d, %d", stored, full, identity.MaxSettingsPerUser, extra)
	}
	scopes, err = svc.Settings(ctx, many)
	n := 0
	for _, sc := range scopes {
		n += len(sc.Keys)
	}
	if err != nil || n != identity.MaxSettingsPerUser {
		t.Fatalf("listed %d settings, %v", n, err)
	}
}

func TestCoreNavigationsOnTheStore(t *testing.T) {
	ctx := context.Background()
	svc := coreService()
	// Content of this run only, so the first creation is this test's.
	name := "Navigation " + ids.New()
	configuration := `{"customer_relations":[{"key":"dashboard"},{"key":"contact"}],"configurations":[{"name":"Product Catalog","subItems":[{"key":"product"}]}]}`
	const creators = 6
	var wg sync.WaitGroup
	got := make([]identity.Navigation, creators)
	errs := make([]error, creators)
	for i := 0; i < creators; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			got[i], errs[i] = svc.CreateNavigation(ctx, ids.New(), name, json.RawMessage(configuration))
		}()
	}
	wg.Wait()
	for i := range got {
		if errs[i] != nil || got[i].ID != got[0].ID || !got[i].Created.Equal(got[0].Created) ||
			string(got[i].Configuration) != string(got[0].Configuration) {
			t.Fatalf("creator %d: %+v, %v; creator 0: %+v", i, got[i], errs[i], got[0])
		}
	}
	read, err := svc.Navigation(ctx, ids.New(), got[0].ID)
	if err != nil || read.Name != name || string(read.Configuration) != string(got[0].Configuration) || !read.Created.Equal(got[0].Created) {
		t.Fatalf("read %+v, %v", read, err)
	}
	if _, err := svc.Navigation(ctx, ids.New(), "aaaaaaaaaaaaa"); !failure.Is(err, failure.NotFound) {
		t.Fatalf("unknown: %v", err)
	}
}
