package identity_test

import (
	"slices"
	"testing"

	"github.com/effektif-serverless/caseflow/shared/failure"
)

func TestChangeGroupMembers(t *testing.T) {
	w := newWorld(t)
	g := w.groupOrg("Changing")
	a := w.in(g.admin.ID, g.org.Key)
	outsider := w.account("outsider@example.com")

	got, err := w.svc.ChangeGroupMembers(w.ctx, a, g.sales.ID, []string{g.member.ID, g.admin.ID}, nil)
	w.ok(err, "add two")
	if len(got.UserIDs) != 2 {
		t.Fatalf("members %v", got.UserIDs)
	}
	_, err = w.svc.ChangeGroupMembers(w.ctx, a, g.sales.ID, []string{g.member.ID}, nil)
	w.fails(err, failure.Invalid, "a member again")
	_, err = w.svc.ChangeGroupMembers(w.ctx, a, g.sales.ID, []string{outsider.ID}, nil)
	w.fails(err, failure.Invalid, "a user of no membership")
	_, err = w.svc.ChangeGroupMembers(w.ctx, w.in(g.member.ID, g.org.Key), g.sales.ID, nil, []string{g.admin.ID})
	w.fails(err, failure.Forbidden, "a member's change")
	got, err = w.svc.ChangeGroupMembers(w.ctx, a, g.sales.ID, nil, []string{g.admin.ID})
	w.ok(err, "remove one")
	if !slices.Equal(got.UserIDs, []string{g.member.ID}) {
		t.Errorf("members %v", got.UserIDs)
	}
	_, err = w.svc.ChangeGroupMembers(w.ctx, a, g.sales.ID, nil, []string{g.admin.ID})
	w.fails(err, failure.NotFound, "removing a non-member")
	if m := w.membership(g.org, g.member.ID); !slices.Contains(m.GroupIDs, g.sales.ID) {
		t.Errorf("the member's groupIds %v", m.GroupIDs)
	}
	if m := w.membership(g.org, g.admin.ID); slices.Contains(m.GroupIDs, g.sales.ID) {
		t.Errorf("the removed admin keeps the group: %v", m.GroupIDs)
	}
}
