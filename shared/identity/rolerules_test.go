package identity_test

import (
	"context"
	"sync"
	"testing"

	"github.com/effektif-serverless/caseflow/shared/failure"
	"github.com/effektif-serverless/caseflow/shared/identity"
	"github.com/effektif-serverless/caseflow/shared/identity/identitytest"
)

func (w *world) username(o identity.Organization, u identity.User) string {
	w.t.Helper()
	n, err := w.svc.Self(w.ctx, w.in(u.ID, o.Key))
	w.ok(err, "read self")
	return n.Membership.Username
}

func (w *world) changeRole(caller identity.User, o identity.Organization, username string, c identity.RoleChange) error {
	return w.svc.ChangeRole(w.ctx, w.in(caller.ID, o.Key), username, c)
}

// TestChangeRole: admins change roles by username; the last enabled admin
// stays one.
func TestChangeRole(t *testing.T) {
	w := newWorld(t)
	o, admin := w.org("Roles")
	mia := w.member(o, admin, "mia@example.com")
	bob := w.member(o, admin, "bob@example.com")
	self := w.username(o, admin)
	for _, tc := range []struct {
		name     string
		caller   identity.User
		username string
		c        identity.RoleChange
		want     failure.Code
	}{
		{"a member changes a role", bob, "mia", identity.RoleChange{Admin: ptr(true)}, failure.Forbidden},
		{"an unknown username", admin, "nobody", identity.RoleChange{Admin: ptr(true)}, failure.NotFound},
		{"a malformed username", admin, "no body", identity.RoleChange{Admin: ptr(true)}, failure.NotFound},
		{"the last admin demotes themself", admin, self, identity.RoleChange{Admin: ptr(false)}, failure.Conflict},
		{"the last admin disables themself", admin, self, identity.RoleChange{Disabled: ptr(true)}, failure.Conflict},
		{"the last admin becomes an operator", admin, self, identity.RoleChange{Operator: ptr(true)}, ""},
		{"an admin promotes a member (username case aside)", admin, "MIA", identity.RoleChange{Admin: ptr(true)}, ""},
	} {
		before := w.store.Writes()
		err := w.changeRole(tc.caller, o, tc.username, tc.c)
		if tc.want == "" {
			w.ok(err, tc.name)
			continue
		}
		w.fails(err, tc.want, tc.name)
		if w.store.Writes() != before {
			t.Fatalf("%s: wrote", tc.name)
		}
	}
	if m := w.membership(o, mia.ID); m.Role != identity.RoleAdmin {
		t.Fatalf("mia after the promotion: %+v", m)
	}
	if got := w.orgNow(o).AdminIDs; len(got) != 2 {
		t.Fatalf("admins %v", got)
	}
	w.ok(w.changeRole(admin, o, self, identity.RoleChange{Admin: ptr(false)}), "the first admin steps down")
	w.fails(w.changeRole(mia, o, "mia", identity.RoleChange{Admin: ptr(false)}), failure.Conflict, "the new last admin steps down")
}

// TestDisabledAdminIsNoAdmin: a disabled admin does not count as the
// organization's admin: the last enabled one can neither step down, be
// disabled nor leave, and a disabled admin may be removed.
func TestDisabledAdminIsNoAdmin(t *testing.T) {
	w := newWorld(t)
	o, admin := w.org("Keepers")
	mia := w.join(o, admin, identity.NewMember{Email: "mia@example.com", Admin: true})
	self := w.username(o, admin)
	w.ok(w.changeRole(admin, o, "mia", identity.RoleChange{Disabled: ptr(true)}), "disable the other admin")
	if got := w.orgNow(o).AdminIDs; len(got) != 1 || got[0] != admin.ID {
		t.Fatalf("admins with one disabled: %v", got)
	}
	w.fails(w.changeRole(admin, o, self, identity.RoleChange{Admin: ptr(false)}), failure.Conflict, "demote the last enabled admin")
	w.fails(w.changeRole(admin, o, self, identity.RoleChange{Disabled: ptr(true)}), failure.Conflict, "disable the last enabled admin")
	w.fails(w.svc.Leave(w.ctx, w.in(admin.ID, o.Key), admin.ID, ""), failure.Conflict, "the last enabled admin leaves")
	_, err := w.svc.ChangeMember(w.ctx, w.in(admin.ID, o.Key), admin.ID, identity.MemberChange{Role: &identity.RoleChange{Disabled: ptr(true)}})
	w.fails(err, failure.Conflict, "the last enabled admin disables themself through ChangeMember")

	w.ok(w.changeRole(admin, o, "mia", identity.RoleChange{Disabled: ptr(false)}), "enable the other admin again")
	if got := w.orgNow(o).AdminIDs; len(got) != 2 {
		t.Fatalf("admins with both enabled: %v", got)
	}
	w.ok(w.changeRole(admin, o, "mia", identity.RoleChange{Disabled: ptr(true)}), "disable her again")
	w.ok(w.svc.RemoveMemberNamed(w.ctx, w.in(admin.ID, o.Key), "mia"), "remove the disabled admin")
	if _, m, _ := w.store.UserInOrganization(w.ctx, o.ID, mia.ID); m != nil {
		t.Fatal("the removed admin is a member")
	}
}

// roleRace runs another request just before the first UpdateRole writes.
type roleRace struct {
	*identitytest.Store
	once   sync.Once
	before func()
}

func (r *roleRace) UpdateRole(ctx context.Context, o identity.Organization, m identity.Membership, adminsChanged bool) error {
	r.once.Do(r.before)
	return r.Store.UpdateRole(ctx, o, m, adminsChanged)
}

// TestConcurrentDisablesKeepAnAdmin: two admins who disable each other at
// once leave one enabled admin: each write is conditional on the
// organization's version, which every change of the enabled admins
// counts up.
func TestConcurrentDisablesKeepAnAdmin(t *testing.T) {
	w := newWorld(t)
	o, admin := w.org("Rivals")
	mia := w.join(o, admin, identity.NewMember{Email: "mia@example.com", Admin: true})
	self := w.username(o, admin)
	other := *w.svc // mia's request, on the store without the hook
	race := &roleRace{Store: w.store}
	race.before = func() {
		w.ok(other.ChangeRole(w.ctx, w.in(mia.ID, o.Key), self, identity.RoleChange{Disabled: ptr(true)}), "mia disables the admin meanwhile")
	}
	w.svc.Store = race
	err := w.changeRole(admin, o, "mia", identity.RoleChange{Disabled: ptr(true)})
	w.fails(err, failure.Forbidden, "the admin's request, retried after mia disabled them")
	if m := w.membership(o, mia.ID); m.Disabled {
		t.Fatal("both admins are disabled")
	}
	if got := w.orgNow(o).AdminIDs; len(got) != 1 || got[0] != mia.ID {
		t.Fatalf("admins %v, want mia alone", got)
	}
}
