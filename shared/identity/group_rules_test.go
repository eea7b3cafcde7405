package identity_test

import (
	"fmt"
	"testing"

	"github.com/effektif-serverless/caseflow/shared/failure"
	"github.com/effektif-serverless/caseflow/shared/identity"
	"github.com/effektif-serverless/caseflow/shared/ids"
)

// TestGroupRules: admins manage groups; a group's members change with
// their memberships in one step; bad input is Invalid, never a partial
// write.
func TestGroupRules(t *testing.T) {
	w := newWorld(t)
	o, admin := w.org("Grouping")
	mia := w.member(o, admin, "mia@example.com")
	stranger := w.account("stranger@example.com")
	_, err := w.svc.CreateGroup(w.ctx, w.in(mia.ID, o.Key), identity.GroupChanges{Name: ptr("mine")})
	w.fails(err, failure.Forbidden, "a member creates a group")
	for _, c := range []identity.GroupChanges{
		{Name: ptr("  ")},
		{Name: ptr("g"), UserIDs: &[]string{stranger.ID}},
		{Name: ptr("g"), LdapDN: ptr("cn=\x01")},
	} {
		before := w.store.Writes()
		_, err := w.svc.CreateGroup(w.ctx, w.in(admin.ID, o.Key), c)
		w.fails(err, failure.Invalid, "a bad group")
		if w.store.Writes() != before {
			t.Fatal("a refused group wrote")
		}
	}
	g, err := w.svc.CreateGroup(w.ctx, w.in(admin.ID, o.Key), identity.GroupChanges{Name: ptr(" Team "), UserIDs: &[]string{mia.ID, mia.ID}})
	w.ok(err, "create a group")
	if g.Name != "Team" || len(g.UserIDs) != 1 || len(w.membership(o, mia.ID).GroupIDs) != 1 {
		t.Fatalf("the group %+v and its member's groups", g)
	}
	_, err = w.svc.Group(w.ctx, w.in(mia.ID, o.Key), g.ID)
	w.ok(err, "a member reads a group")
	_, err = w.svc.Group(w.ctx, w.in(mia.ID, o.Key), ids.New())
	w.fails(err, failure.NotFound, "an unknown group")
	w.ok(w.svc.DeleteGroup(w.ctx, w.in(admin.ID, o.Key), g.ID), "delete the group")
	if ms := w.membership(o, mia.ID); len(ms.GroupIDs) != 0 {
		t.Fatalf("a deleted group is still the member's: %v", ms.GroupIDs)
	}
}

// TestReplaceAllMembersOfAGroup: replacing every member of a full group
// is one transaction of the group and each member changed (2 *
// MaxGroupMembers + 1 items, more than DynamoDB takes): it must be
// answered as a bad request, not fail inside the store.
func TestReplaceAllMembersOfAGroup(t *testing.T) {
	w := newWorld(t)
	o, admin := w.org("Crowd")
	var first, second []string
	for i := range identity.MaxGroupMembers * 2 {
		u := w.member(o, admin, fmt.Sprintf("m%03d@example.com", i))
		if i < identity.MaxGroupMembers {
			first = append(first, u.ID)
		} else {
			second = append(second, u.ID)
		}
	}
	g, err := w.svc.CreateGroup(w.ctx, w.in(admin.ID, o.Key), identity.GroupChanges{Name: ptr("crowd"), UserIDs: &first})
	w.ok(err, "create a full group")
	before := w.store.Writes()
	_, err = w.svc.UpdateGroup(w.ctx, w.in(admin.ID, o.Key), g.ID, identity.GroupChanges{UserIDs: &second})
	w.fails(err, failure.Invalid, "replace every member at once")
	if w.store.Writes() != before {
		t.Fatal("the refused change wrote")
	}
	half := append(append([]string(nil), first[:identity.MaxGroupMembers/2]...), second[:identity.MaxGroupMembers/2]...)
	_, err = w.svc.UpdateGroup(w.ctx, w.in(admin.ID, o.Key), g.ID, identity.GroupChanges{UserIDs: &half})
	w.ok(err, "replace half of the members")
}

// TestGroupsPerMemberFromTheGroupSide: a group change cannot give a
// member more than MaxGroupsPerMember groups, the bound a member change
// keeps; a member at the bound stays in the groups they are in.
func TestGroupsPerMemberFromTheGroupSide(t *testing.T) {
	w := newWorld(t)
	o, admin := w.org("Bounded groups")
	mia := w.member(o, admin, "mia@example.com")
	asAdmin := w.in(admin.ID, o.Key)
	var last identity.Group
	for i := 0; i < identity.MaxGroupsPerMember; i++ {
		g, err := w.svc.CreateGroup(w.ctx, asAdmin, identity.GroupChanges{Name: ptr(fmt.Sprintf("g%d", i)), UserIDs: &[]string{mia.ID}})
		w.ok(err, "create a group")
		last = g
	}
	before := w.store.Writes()
	_, err := w.svc.CreateGroup(w.ctx, asAdmin, identity.GroupChanges{Name: ptr("one too many"), UserIDs: &[]string{mia.ID}})
	w.failsOn(err, failure.Invalid, "userIds", "a group for a member at the bound")
	empty, err := w.svc.CreateGroup(w.ctx, asAdmin, identity.GroupChanges{Name: ptr("empty")})
	w.ok(err, "a group without her")
	after := w.store.Writes()
	_, err = w.svc.UpdateGroup(w.ctx, asAdmin, empty.ID, identity.GroupChanges{UserIDs: &[]string{mia.ID}})
	w.failsOn(err, failure.Invalid, "userIds", "adding a member at the bound")
	_, err = w.svc.ChangeGroupMembers(w.ctx, asAdmin, empty.ID, []string{mia.ID}, nil)
	w.failsOn(err, failure.Invalid, "userIds", "adding a member at the bound, as a change")
	if w.store.Writes() != after || after != before+1 {
		t.Fatal("a refused change wrote")
	}
	_, err = w.svc.UpdateGroup(w.ctx, asAdmin, last.ID, identity.GroupChanges{Name: ptr("renamed"), UserIDs: &[]string{mia.ID, admin.ID}})
	w.ok(err, "a group she is in changes")
}

// TestRemovingAMemberOfManyGroups: a member in more groups than one
// transaction takes out with the membership (data from before the bound
// held on the group side) is removed all the same, in steps, and every
// group loses them.
func TestRemovingAMemberOfManyGroups(t *testing.T) {
	w := newWorld(t)
	o, admin := w.org("Many groups")
	mia := w.member(o, admin, "mia@example.com")
	asAdmin := w.in(admin.ID, o.Key)
	var groups []identity.Group
	for i := 0; i < 230; i++ {
		g := identity.Group{ID: ids.New(), OrganizationID: o.ID, Name: fmt.Sprintf("g%d", i), UserIDs: []string{mia.ID}, Version: 1}
		w.ok(w.store.SaveGroup(w.ctx, g, true, g.UserIDs, nil), "store a group")
		groups = append(groups, g)
	}
	if n := len(w.membership(o, mia.ID).GroupIDs); n != 230 {
		t.Fatalf("mia is in %d groups", n)
	}
	w.ok(w.svc.RemoveMember(w.ctx, asAdmin, mia.ID), "remove a member of 230 groups")
	for _, g := range groups {
		got, err := w.svc.Group(w.ctx, asAdmin, g.ID)
		w.ok(err, "read a group")
		if len(got.UserIDs) != 0 {
			t.Fatalf("group %s still has %v", g.Name, got.UserIDs)
		}
	}
	w.fails(w.svc.RemoveMember(w.ctx, asAdmin, mia.ID), failure.NotFound, "remove again")
}
