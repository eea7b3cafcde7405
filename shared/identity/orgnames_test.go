package identity_test

import (
	"strings"
	"testing"

	"github.com/effektif-serverless/caseflow/shared/failure"
	"github.com/effektif-serverless/caseflow/shared/identity"
	"github.com/effektif-serverless/caseflow/shared/ids"
)

// unchanged runs f and checks that it wrote nothing to the store.
func (w *world) unchanged(what string, f func()) {
	w.t.Helper()
	before := w.store.Writes()
	f()
	if after := w.store.Writes(); after != before {
		w.t.Fatalf("%s wrote %d times", what, after-before)
	}
}

// TestCreateOrganizationTexts: the description and type are trimmed,
// stored and bounded; bad ones are Invalid naming their field.
func TestCreateOrganizationTexts(t *testing.T) {
	w := newWorld(t)
	ada := w.account("ada@example.com")
	d, err := w.svc.CreateOrganization(w.ctx, ada.ID, identity.NewOrganization{Name: "Texts", Description: "  made here ", Type: " company "})
	w.ok(err, "create with a description and a type")
	if got := w.orgNow(d.Organization); got.Description != "made here" || got.Type != "company" || got.NameClaim != "" {
		t.Fatalf("stored %+v", got)
	}
	_, err = w.svc.CreateOrganization(w.ctx, ada.ID, identity.NewOrganization{Name: "Long", Description: strings.Repeat("é", identity.MaxOrganizationDescriptionLength), Type: strings.Repeat("t", identity.MaxOrganizationTypeLength)})
	w.ok(err, "the longest description and type")
	for _, c := range []struct {
		name  string
		n     identity.NewOrganization
		field string
	}{
		{"a description too long", identity.NewOrganization{Name: "X", Description: strings.Repeat("d", identity.MaxOrganizationDescriptionLength+1)}, "description"},
		{"a description with a control character", identity.NewOrganization{Name: "X", Description: "two\nlines"}, "description"},
		{"a type too long", identity.NewOrganization{Name: "X", Type: strings.Repeat("t", identity.MaxOrganizationTypeLength+1)}, "type"},
		{"a type that is no UTF-8", identity.NewOrganization{Name: "X", Type: "\xff"}, "type"},
		{"a malformed id", identity.NewOrganization{Name: "X", ID: "not-an-id"}, "id"},
		{"no name", identity.NewOrganization{Name: "  ", UniqueName: true}, "name"},
	} {
		w.unchanged(c.name, func() {
			_, err := w.svc.CreateOrganization(w.ctx, ada.ID, c.n)
			w.failsOn(err, failure.Invalid, c.field, c.name)
		})
	}
}

// TestCreateOrganizationID: a given id is used; a taken one, or one of a
// deleted organization still being purged, is a Conflict naming "id".
func TestCreateOrganizationID(t *testing.T) {
	w := newWorld(t)
	ada := w.account("ada@example.com")
	id := ids.New()
	d, err := w.svc.CreateOrganization(w.ctx, ada.ID, identity.NewOrganization{ID: id, Name: "Chosen"})
	w.ok(err, "create with an id")
	if d.ID != id || w.orgNow(d.Organization).ID != id {
		t.Fatalf("id %s, want %s", d.ID, id)
	}
	w.unchanged("a taken id", func() {
		_, err := w.svc.CreateOrganization(w.ctx, ada.ID, identity.NewOrganization{ID: id, Name: "Other", UniqueName: true})
		w.failsOn(err, failure.Conflict, "id", "a taken id")
	})
	w.ok(w.svc.DeleteOrganization(w.ctx, w.in(ada.ID, d.Key)), "delete it")
	_, err = w.svc.CreateOrganization(w.ctx, ada.ID, identity.NewOrganization{ID: id, Name: "Again"})
	w.failsOn(err, failure.Conflict, "id", "a deleted organization's id")
}

// TestUniqueOrganizationName: UniqueName claims the normalized name with
// the organization; a taken one is a Conflict naming "name" that writes
// nothing; organizations made without it are not compared.
func TestUniqueOrganizationName(t *testing.T) {
	w := newWorld(t)
	ada := w.account("ada@example.com")
	d, err := w.svc.CreateOrganization(w.ctx, ada.ID, identity.NewOrganization{Name: "  Acme Corp ", UniqueName: true})
	w.ok(err, "create with a unique name")
	if d.Name != "Acme Corp" || w.orgNow(d.Organization).NameClaim != "acme corp" {
		t.Fatalf("created %+v", w.orgNow(d.Organization))
	}
	w.unchanged("a taken name", func() {
		_, err := w.svc.CreateOrganization(w.ctx, ada.ID, identity.NewOrganization{Name: "ACME CORP", UniqueName: true})
		w.failsOn(err, failure.Conflict, "name", "a taken name")
		if !strings.Contains(err.Error(), "an organization named ACME CORP exists") {
			t.Errorf("message %q", err)
		}
	})
	plain, err := w.svc.CreateOrganization(w.ctx, ada.ID, identity.NewOrganization{Name: "Acme Corp"})
	w.ok(err, "the same name without UniqueName")
	if plain.NameClaim != "" || plain.Key == d.Key {
		t.Fatalf("the organization without a claim: %+v", plain.Organization)
	}
	w.ok(w.svc.DeleteOrganization(w.ctx, w.in(ada.ID, d.Key)), "delete the claimant")
	_, err = w.svc.CreateOrganization(w.ctx, ada.ID, identity.NewOrganization{Name: "acme corp", UniqueName: true})
	w.ok(err, "the name once its claimant is deleted")
}

// TestRenameMovesTheClaim: renaming an organization that holds a claim,
// or with UniqueName, moves the claim to the new name in the same write;
// a taken name is a Conflict naming "name" and changes nothing.
func TestRenameMovesTheClaim(t *testing.T) {
	w := newWorld(t)
	ada := w.account("ada@example.com")
	create := func(name string, unique bool) identity.Organization {
		t.Helper()
		d, err := w.svc.CreateOrganization(w.ctx, ada.ID, identity.NewOrganization{Name: name, UniqueName: unique})
		w.ok(err, "create "+name)
		return d.Organization
	}
	claimed := func(name string) bool {
		t.Helper()
		_, err := w.svc.CreateOrganization(w.ctx, ada.ID, identity.NewOrganization{Name: name, UniqueName: true})
		if err == nil {
			return false
		}
		w.failsOn(err, failure.Conflict, "name", "claim "+name)
		return true
	}
	alpha := create("Alpha", true)
	create("Beta", true)

	w.unchanged("a rename to a taken name", func() {
		_, err := w.svc.UpdateOrganization(w.ctx, w.in(ada.ID, alpha.Key), identity.OrganizationChanges{Name: ptr("BETA"), Description: ptr("never")})
		w.failsOn(err, failure.Conflict, "name", "a rename to a taken name")
	})
	if got := w.orgNow(alpha); got.Name != "Alpha" || got.Description != "" || got.NameClaim != "alpha" {
		t.Fatalf("after the refused rename: %+v", got)
	}

	d, err := w.svc.UpdateOrganization(w.ctx, w.in(ada.ID, alpha.Key), identity.OrganizationChanges{Name: ptr("Gamma"), Description: ptr(" renamed "), Type: ptr("enterprise")})
	w.ok(err, "rename")
	if got := w.orgNow(alpha); got.Name != "Gamma" || got.NameClaim != "gamma" || got.Description != "renamed" || got.Type != "enterprise" || d.Type != "enterprise" {
		t.Fatalf("after the rename: %+v", got)
	}
	if claimed("alpha") || !claimed("GAMMA") {
		t.Fatal("the claim did not move from alpha to gamma")
	}
	_, err = w.svc.UpdateOrganization(w.ctx, w.in(ada.ID, alpha.Key), identity.OrganizationChanges{Name: ptr("GAMMA")})
	w.ok(err, "a rename that changes the case only")
	if got := w.orgNow(alpha); got.Name != "GAMMA" || got.NameClaim != "gamma" {
		t.Fatalf("after the change of case: %+v", got)
	}

	// An organization without a claim takes none when renamed, unless
	// UniqueName is set.
	plain := create("Delta", false)
	_, err = w.svc.UpdateOrganization(w.ctx, w.in(ada.ID, plain.Key), identity.OrganizationChanges{Name: ptr("Epsilon")})
	w.ok(err, "rename without a claim")
	if w.orgNow(plain).NameClaim != "" || claimed("epsilon") {
		t.Fatal("a plain rename claimed the name")
	}
	w.unchanged("a first claim of a taken name", func() {
		_, err := w.svc.UpdateOrganization(w.ctx, w.in(ada.ID, plain.Key), identity.OrganizationChanges{Name: ptr("Beta"), UniqueName: true})
		w.failsOn(err, failure.Conflict, "name", "a first claim of a taken name")
	})
	_, err = w.svc.UpdateOrganization(w.ctx, w.in(ada.ID, plain.Key), identity.OrganizationChanges{Name: ptr("Zeta"), UniqueName: true})
	w.ok(err, "a rename with UniqueName")
	if w.orgNow(plain).NameClaim != "zeta" || !claimed("zeta") {
		t.Fatal("a rename with UniqueName did not claim the name")
	}
	// UniqueName without a new name claims nothing.
	other := create("Eta", false)
	_, err = w.svc.UpdateOrganization(w.ctx, w.in(ada.ID, other.Key), identity.OrganizationChanges{Name: ptr("Eta"), UniqueName: true})
	w.ok(err, "UniqueName with the same name")
	if w.orgNow(other).NameClaim != "" {
		t.Fatal("UniqueName without a rename claimed the name")
	}

	for _, c := range []struct {
		name  string
		c     identity.OrganizationChanges
		field string
	}{
		{"a description too long", identity.OrganizationChanges{Description: ptr(strings.Repeat("d", identity.MaxOrganizationDescriptionLength+1))}, "description"},
		{"a type too long", identity.OrganizationChanges{Type: ptr(strings.Repeat("t", identity.MaxOrganizationTypeLength+1))}, "type"},
		{"a type with a control character", identity.OrganizationChanges{Type: ptr("a\tb")}, "type"},
	} {
		w.unchanged(c.name, func() {
			_, err := w.svc.UpdateOrganization(w.ctx, w.in(ada.ID, other.Key), c.c)
			w.failsOn(err, failure.Invalid, c.field, c.name)
		})
	}
}

// TestSetUpOrganization: the initial admin is the only member, an admin,
// in a group named after the organization of type employees; the caller
// is not made a member.
func TestSetUpOrganization(t *testing.T) {
	w := newWorld(t)
	o, admin := w.org("Home")
	bert := w.member(o, admin, "bert@example.com")
	id := ids.New()
	d, g, err := w.svc.SetUpOrganization(w.ctx, admin.ID, identity.NewOrganization{ID: id, Name: " Branch ", Description: "set up", UniqueName: true}, bert.ID)
	w.ok(err, "set up with a member as the initial admin")
	org := w.orgNow(d.Organization)
	if org.ID != id || org.Name != "Branch" || org.Description != "set up" || org.NameClaim != "branch" || org.CreatedBy != admin.ID ||
		len(org.AdminIDs) != 1 || org.AdminIDs[0] != bert.ID {
		t.Fatalf("the organization: %+v", org)
	}
	if d.Caller.UserID != "" || d.Caller.Role != "" || len(d.MemberIDs) != 1 || d.MemberIDs[0] != bert.ID {
		t.Fatalf("the detail: caller %+v, members %v", d.Caller, d.MemberIDs)
	}
	m := w.membership(org, bert.ID)
	if m.Role != identity.RoleAdmin || m.OrganizationKey != org.Key || len(m.GroupIDs) != 1 || m.GroupIDs[0] != g.ID {
		t.Fatalf("the initial admin's membership: %+v", m)
	}
	stored, err := w.store.GetGroup(w.ctx, org.ID, g.ID)
	w.ok(err, "read the group")
	if stored.Name != "Branch" || identity.SetUpGroupType != "employees" || stored.Type != identity.SetUpGroupType || len(stored.UserIDs) != 1 ||
		stored.UserIDs[0] != bert.ID || stored.CreatedBy != admin.ID || g.OrganizationID != org.ID {
		t.Fatalf("the group: %+v", stored)
	}
	if _, m, _ := w.store.UserInOrganization(w.ctx, org.ID, admin.ID); m != nil {
		t.Fatalf("the caller was made a member: %+v", m)
	}
	// The initial admin administers it.
	_, err = w.svc.UpdateOrganization(w.ctx, w.in(bert.ID, org.Key), identity.OrganizationChanges{Type: ptr("branch")})
	w.ok(err, "the initial admin changes it")

	// The caller as the initial admin.
	self, sg, err := w.svc.SetUpOrganization(w.ctx, admin.ID, identity.NewOrganization{Name: "Mine"}, admin.ID)
	w.ok(err, "set up with the caller as the initial admin")
	if self.Caller.UserID != admin.ID || !self.Caller.IsAdmin() || len(sg.UserIDs) != 1 || sg.UserIDs[0] != admin.ID {
		t.Fatalf("set up by and for the caller: %+v, %+v", self.Caller, sg)
	}

	// The rules of NewOrganization hold, and a refusal writes nothing.
	w.unchanged("a taken name", func() {
		_, _, err := w.svc.SetUpOrganization(w.ctx, admin.ID, identity.NewOrganization{Name: "BRANCH", UniqueName: true}, bert.ID)
		w.failsOn(err, failure.Conflict, "name", "a set-up with a taken name")
	})
	w.unchanged("a taken id", func() {
		_, _, err := w.svc.SetUpOrganization(w.ctx, admin.ID, identity.NewOrganization{ID: id, Name: "Twice"}, bert.ID)
		w.failsOn(err, failure.Conflict, "id", "a set-up with a taken id")
	})
	w.unchanged("a bad type", func() {
		_, _, err := w.svc.SetUpOrganization(w.ctx, admin.ID, identity.NewOrganization{Name: "Typed", Type: strings.Repeat("t", 101)}, bert.ID)
		w.failsOn(err, failure.Invalid, "type", "a set-up with a bad type")
	})
	_, _, err = w.svc.SetUpOrganization(w.ctx, "", identity.NewOrganization{Name: "Nobody"}, bert.ID)
	w.fails(err, failure.Unauthenticated, "a set-up without a caller")
}

// TestSetUpOrganizationInitialAdmin: the initial admin is the caller or
// a member of an organization the caller administers as an enabled
// admin; anyone else is refused alike, whether or not they exist.
func TestSetUpOrganizationInitialAdmin(t *testing.T) {
	w := newWorld(t)
	o, admin := w.org("Home")
	mia := w.join(o, admin, identity.NewMember{Email: "mia@example.com", Admin: true})
	bob := w.member(o, admin, "bob@example.com")
	outsider := w.account("outsider@example.com")
	_, otherAdmin := w.org("Elsewhere")
	w.ok(w.changeRole(admin, o, "mia", identity.RoleChange{Disabled: ptr(true)}), "disable the admin mia")
	for _, c := range []struct {
		name            string
		caller, initial string
	}{
		{"a malformed id", admin.ID, "not-an-id"},
		{"no id", admin.ID, ""},
		{"an unknown user", admin.ID, ids.New()},
		{"a user sharing no organization", admin.ID, outsider.ID},
		{"another organization's admin", admin.ID, otherAdmin.ID},
		{"a plain member names another member", bob.ID, admin.ID},
		{"a disabled admin names a member", mia.ID, bob.ID},
		{"a caller in no organization names someone", outsider.ID, bob.ID},
	} {
		w.unchanged(c.name, func() {
			_, _, err := w.svc.SetUpOrganization(w.ctx, c.caller, identity.NewOrganization{Name: "Refused " + c.name}, c.initial)
			w.failsOn(err, failure.Invalid, "initialAdminId", c.name)
		})
	}
	// The disabled admin is still a member: an enabled admin names her.
	_, _, err := w.svc.SetUpOrganization(w.ctx, admin.ID, identity.NewOrganization{Name: "For Mia"}, mia.ID)
	w.ok(err, "name a disabled member")
	// A disabled organization is administered by nobody.
	disabled := w.orgNow(o)
	disabled.Disabled = true
	disabled.Version++
	w.ok(w.store.UpdateOrganization(w.ctx, disabled), "disable the organization")
	_, _, err = w.svc.SetUpOrganization(w.ctx, admin.ID, identity.NewOrganization{Name: "Through a disabled one"}, bob.ID)
	w.failsOn(err, failure.Invalid, "initialAdminId", "a member of a disabled organization")
}
