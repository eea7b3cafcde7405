package identity_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/effektif-serverless/caseflow/shared/failure"
	"github.com/effektif-serverless/caseflow/shared/identity"
	"github.com/effektif-serverless/caseflow/shared/identity/webauthntest"
	"github.com/effektif-serverless/caseflow/shared/ids"
)

// register registers a member of o through its admin.
func (w *world) register(o identity.Organization, admin identity.User, n identity.NewRegisteredUser) identity.Member {
	w.t.Helper()
	m, err := w.svc.RegisterMember(w.ctx, w.in(admin.ID, o.Key), n)
	w.ok(err, "register "+n.Email)
	return m
}

func (w *world) user(id string) identity.User {
	w.t.Helper()
	u, err := w.store.GetUser(w.ctx, id)
	w.ok(err, "read user")
	return u
}

// TestRegisterMember: an admin registers an identity without a password
// as a plain member, in one write; bad input and taken addresses or ids
// write nothing.
func TestRegisterMember(t *testing.T) {
	w := newWorld(t)
	o, admin := w.org("Registry")
	mia := w.member(o, admin, "mia@example.com")
	from, until := w.now.Add(-24*time.Hour), w.now.Add(365*24*time.Hour)
	good := identity.NewRegisteredUser{ID: ids.New(), Email: " Cleo@Example.com ", FirstName: "Cleo", LastName: "Carter", ValidFrom: from, ValidUntil: until}

	before := w.store.Writes()
	_, err := w.svc.RegisterMember(w.ctx, w.in(mia.ID, o.Key), good)
	w.fails(err, failure.Forbidden, "a member registers a user")
	for _, c := range []struct {
		field string
		n     identity.NewRegisteredUser
	}{
		{identity.FieldEmail, identity.NewRegisteredUser{FirstName: "No", LastName: "Mail"}},
		{identity.FieldEmail, identity.NewRegisteredUser{Email: "not-an-address", FirstName: "Bad", LastName: "Mail"}},
		{"firstName", identity.NewRegisteredUser{Email: "x@example.com", FirstName: " ", LastName: "Name"}},
		{"lastName", identity.NewRegisteredUser{Email: "x@example.com", FirstName: "First"}},
		{"lastName", identity.NewRegisteredUser{Email: "x@example.com", FirstName: "First", LastName: "bad\x01"}},
		{"id", identity.NewRegisteredUser{ID: "not-an-id", Email: "x@example.com", FirstName: "A", LastName: "B"}},
		{"validUntil", identity.NewRegisteredUser{Email: "x@example.com", FirstName: "A", LastName: "B", ValidFrom: until, ValidUntil: from}},
	} {
		_, err := w.svc.RegisterMember(w.ctx, w.in(admin.ID, o.Key), c.n)
		w.failsOn(err, failure.Invalid, c.field, "a bad registration "+c.field)
	}
	if w.store.Writes() != before {
		t.Fatal("a refused registration wrote")
	}

	m := w.register(o, admin, good)
	u := w.user(good.ID)
	if m.ID != good.ID || u.Email != "Cleo@Example.com" || u.FirstName != "Cleo" || u.LastName != "Carter" || u.PasswordHash != "" ||
		u.RegisteredBy != o.ID || !u.ValidFrom.Equal(from) || !u.ValidUntil.Equal(until) {
		t.Fatalf("the registered user: %+v", u)
	}
	if ms := w.membership(o, good.ID); ms.Role != identity.RoleMember || ms.OrganizationKey != o.Key || ms.Disabled {
		t.Fatalf("the registered user's membership: %+v", ms)
	}
	if len(w.mail.to("cleo@example.com")) != 0 {
		t.Fatal("a registration sent mail")
	}
	if _, err := w.svc.Login(w.ctx, "cleo@example.com", "any password at all"); !failure.Is(err, failure.Unauthenticated) {
		t.Fatalf("a registered identity signs in without a password: %v", err)
	}

	before = w.store.Writes()
	for _, c := range []struct {
		field string
		n     identity.NewRegisteredUser
	}{
		{identity.FieldEmail, identity.NewRegisteredUser{ID: ids.New(), Email: "CLEO@example.com", FirstName: "Dup", LastName: "Dup"}},
		{identity.FieldEmail, identity.NewRegisteredUser{Email: strings.ToUpper(admin.Email), FirstName: "Dup", LastName: "Dup"}},
		{identity.FieldEmail, identity.NewRegisteredUser{Email: w.root.Email, FirstName: "Dup", LastName: "Dup"}},
		{"id", identity.NewRegisteredUser{ID: good.ID, Email: "other@example.com", FirstName: "Dup", LastName: "Id"}},
		{"id", identity.NewRegisteredUser{ID: mia.ID, Email: "other@example.com", FirstName: "Dup", LastName: "Id"}},
	} {
		_, err := w.svc.RegisterMember(w.ctx, w.in(admin.ID, o.Key), c.n)
		w.failsOn(err, failure.Conflict, c.field, "a taken "+c.field)
	}
	if w.store.Writes() != before {
		t.Fatal("a refused registration wrote")
	}
	if _, err := w.store.UserIDByEmail(w.ctx, "other@example.com"); !failure.Is(err, failure.NotFound) {
		t.Fatalf("a registration with a taken id claimed its address: %v", err)
	}

	fresh := w.register(o, admin, identity.NewRegisteredUser{Email: "dora@example.com", FirstName: "Dora", LastName: "Dunn"})
	if !ids.Valid(fresh.ID) || !w.user(fresh.ID).ValidFrom.IsZero() || !w.user(fresh.ID).ValidUntil.IsZero() {
		t.Fatalf("a registration without an id or window: %+v", fresh.User)
	}
}

// TestRegisteredIdentityEdit: the registering organization's enabled
// admins change an unclaimed identity's names and window, nothing else;
// the user may too; once claimed it is the user's alone.
func TestRegisteredIdentityEdit(t *testing.T) {
	w := newWorld(t)
	o, admin := w.org("Keepers")
	o2, admin2 := w.org("Others")
	co := w.join(o, admin, identity.NewMember{Email: "co@example.com", Admin: true})
	cleo := w.register(o, admin, identity.NewRegisteredUser{Email: "cleo@example.com", FirstName: "Cleo", LastName: "Carter"})
	_, err := w.svc.AddMember(w.ctx, w.in(admin2.ID, o2.Key), identity.NewMember{Email: "cleo@example.com"})
	w.ok(err, "invite cleo elsewhere")
	w.ok(w.svc.AcceptInvitation(w.ctx, cleo.ID, o2.Key, ""), "cleo joins the other organization")
	mia := w.member(o, admin, "mia@example.com")

	from, until := w.now, w.now.Add(30*24*time.Hour)
	m, err := w.svc.UpdateUser(w.ctx, w.in(co.ID, o.Key), cleo.ID,
		identity.UserChanges{FirstName: ptr("Clea"), LastName: ptr("Carver"), ValidFrom: &from, ValidUntil: &until})
	w.ok(err, "an admin of the registering organization edits the identity")
	if u := w.user(cleo.ID); m.FirstName != "Clea" || u.FirstName != "Clea" || u.LastName != "Carver" || !u.ValidFrom.Equal(from) || !u.ValidUntil.Equal(until) || u.RegisteredBy != o.ID {
		t.Fatalf("after the admin's edit: %+v", u)
	}
	_, err = w.svc.UpdateUser(w.ctx, w.in(admin.ID, o.Key), cleo.ID, identity.UserChanges{ValidUntil: ptr(from.Add(-time.Hour))})
	w.failsOn(err, failure.Invalid, "validUntil", "a window that ends before it starts")

	before := w.store.Writes()
	for what, c := range map[string]identity.UserChanges{
		"phone":    {FirstName: ptr("X"), Phone: ptr("+49 1")},
		"email":    {Email: ptr("new@example.com")},
		"password": {Password: ptr("a long password")},
		"timeZone": {TimeZone: ptr("Europe/Berlin")},
	} {
		_, err := w.svc.UpdateUser(w.ctx, w.in(admin.ID, o.Key), cleo.ID, c)
		w.fails(err, failure.Forbidden, "the registering admin changes the "+what)
	}
	_, err = w.svc.UpdateUser(w.ctx, w.in(admin2.ID, o2.Key), cleo.ID, identity.UserChanges{FirstName: ptr("Hijack")})
	w.fails(err, failure.Forbidden, "another organization's admin")
	_, err = w.svc.UpdateUser(w.ctx, w.in(mia.ID, o.Key), cleo.ID, identity.UserChanges{FirstName: ptr("Hijack")})
	w.fails(err, failure.Forbidden, "a plain member")
	disabled := w.in(co.ID, o.Key)
	disabled.Membership.Disabled = true
	_, err = w.svc.UpdateUser(w.ctx, disabled, cleo.ID, identity.UserChanges{FirstName: ptr("Hijack")})
	w.fails(err, failure.Forbidden, "a disabled admin")
	if w.store.Writes() != before {
		t.Fatal("a refused edit wrote")
	}
	// A claimed identity of the organization's is no exception.
	_, err = w.svc.UpdateUser(w.ctx, w.in(admin.ID, o.Key), mia.ID, identity.UserChanges{FirstName: ptr("Hijack")})
	w.fails(err, failure.Forbidden, "an admin edits a member who registered themself")

	// The user themself sets the window (and may clear it).
	_, err = w.svc.UpdateUser(w.ctx, w.in(cleo.ID, o2.Key), cleo.ID, identity.UserChanges{ValidFrom: &time.Time{}, ValidUntil: &time.Time{}})
	w.ok(err, "the user clears the window")
	if u := w.user(cleo.ID); !u.ValidFrom.IsZero() || !u.ValidUntil.IsZero() {
		t.Fatalf("the window after the user cleared it: %v %v", u.ValidFrom, u.ValidUntil)
	}

	// Claimed: the admins manage the membership only.
	w.ok(w.svc.SetPassword(w.ctx, cleo.ID, "a long password", ""), "cleo sets a password")
	if u := w.user(cleo.ID); u.RegisteredBy != "" {
		t.Fatalf("a password set left the mark: %q", u.RegisteredBy)
	}
	_, err = w.svc.UpdateUser(w.ctx, w.in(admin.ID, o.Key), cleo.ID, identity.UserChanges{FirstName: ptr("Again")})
	w.fails(err, failure.Forbidden, "the registering admin after the claim")
}

// TestClaimingARegisteredIdentity: every first password set and a
// provider sign-in clear RegisteredBy, with the write that stores the
// user.
func TestClaimingARegisteredIdentity(t *testing.T) {
	w := newWorld(t)
	providers := &fakeProviders{}
	w.svc.Providers = providers
	o, admin := w.org("Claims")
	o2, admin2 := w.org("Inviters")
	const password = "a long password"
	claims := map[string]func(u identity.Member){
		"set password": func(u identity.Member) {
			w.ok(w.svc.SetPassword(w.ctx, u.ID, password, ""), "set password")
		},
		"reset": func(u identity.Member) {
			w.ok(w.svc.RequestPasswordReset(w.ctx, u.Email), "request a reset")
			_, err := w.svc.ConfirmPasswordReset(w.ctx, w.mail.code(u.Email), password)
			w.ok(err, "reset")
		},
		"update user": func(u identity.Member) {
			_, err := w.svc.UpdateUser(w.ctx, w.in(u.ID, o.Key), u.ID, identity.UserChanges{Password: ptr(password)})
			w.ok(err, "update user with a password")
		},
		"change member": func(u identity.Member) {
			_, err := w.svc.ChangeMember(w.ctx, w.in(u.ID, o.Key), u.ID, identity.MemberChange{Password: ptr(password)})
			w.ok(err, "change member with a password")
		},
		"invitation": func(u identity.Member) {
			_, err := w.svc.AddMember(w.ctx, w.in(admin2.ID, o2.Key), identity.NewMember{Email: u.Email})
			w.ok(err, "invite")
			_, err = w.svc.Activate(w.ctx, w.mail.code(u.Email), identity.RegistrationRequest{Password: password})
			w.ok(err, "accept the invitation with a password")
			w.membership(o2, u.ID)
		},
		"provider": func(u identity.Member) {
			providers.email = u.Email
			state, _, err := w.svc.BeginProviderLogin(w.ctx, "idp", "")
			w.ok(err, "begin a provider sign-in")
			login, _, err := w.svc.FinishProviderLogin(w.ctx, "idp", "the code", state, "", "")
			w.ok(err, "finish the provider sign-in")
			if login.User.RegisteredBy != "" {
				t.Fatalf("the provider sign-in answers the mark: %q", login.User.RegisteredBy)
			}
		},
	}
	for what, claimIt := range claims {
		u := w.register(o, admin, identity.NewRegisteredUser{Email: strings.ReplaceAll(what, " ", "-") + "@example.com", FirstName: "Reg", LastName: "Istered"})
		version := w.user(u.ID).Version
		claimIt(u)
		got := w.user(u.ID)
		if got.RegisteredBy != "" || got.Version <= version {
			t.Fatalf("%s: the identity after the claim: mark %q, version %d (was %d)", what, got.RegisteredBy, got.Version, version)
		}
		if what != "provider" {
			_, err := w.svc.Login(w.ctx, u.Email, password)
			w.ok(err, what+": sign in with the password set")
		}
		_, err := w.svc.UpdateUser(w.ctx, w.in(admin.ID, o.Key), u.ID, identity.UserChanges{FirstName: ptr("Late")})
		w.fails(err, failure.Forbidden, what+": the registering admin after the claim")
	}

	// An invitation's password is no password change for an account that
	// has one: it joins as it is.
	mia := w.register(o, admin, identity.NewRegisteredUser{Email: "mia@example.com", FirstName: "Mia", LastName: "M"})
	w.ok(w.svc.SetPassword(w.ctx, mia.ID, password, ""), "mia's password")
	hash := w.user(mia.ID).PasswordHash
	_, err := w.svc.AddMember(w.ctx, w.in(admin2.ID, o2.Key), identity.NewMember{Email: mia.Email})
	w.ok(err, "invite mia")
	_, err = w.svc.Activate(w.ctx, w.mail.code(mia.Email), identity.RegistrationRequest{Password: "another long password"})
	w.ok(err, "mia accepts")
	if w.user(mia.ID).PasswordHash != hash {
		t.Fatal("an invitation changed an existing password")
	}

	// A weak password with an invitation of an account without one is
	// refused before the code is used.
	nora := w.register(o, admin, identity.NewRegisteredUser{Email: "nora@example.com", FirstName: "Nora", LastName: "N"})
	_, err = w.svc.AddMember(w.ctx, w.in(admin2.ID, o2.Key), identity.NewMember{Email: nora.Email})
	w.ok(err, "invite nora")
	code := w.mail.code(nora.Email)
	_, err = w.svc.Activate(w.ctx, code, identity.RegistrationRequest{Password: "short"})
	w.failsOn(err, failure.Invalid, "password", "a weak password")
	_, err = w.svc.Activate(w.ctx, code, identity.RegistrationRequest{})
	w.ok(err, "nora accepts without a password")
	if u := w.user(nora.ID); u.PasswordHash != "" || u.RegisteredBy != o.ID {
		t.Fatalf("an acceptance without a password: %+v", u)
	}
}

// fakeProviders is one sign-in provider, "idp", that vouches for email.
type fakeProviders struct{ email string }

func (p *fakeProviders) Keys() []string { return []string{"idp"} }

func (p *fakeProviders) AuthURL(_ context.Context, _, state, _, _ string) (string, error) {
	return "https://idp.example.com/auth?state=" + state, nil
}

func (p *fakeProviders) Exchange(context.Context, string, string, string, string) (identity.ExternalIdentity, error) {
	return identity.ExternalIdentity{Subject: "s", Email: p.email, EmailVerified: true}, nil
}

// TestGroupTextsIDsAndUniqueNames: a group's description and type, a
// chosen id (taken: Conflict "id"), and names unique in the organization
// when asked for (case aside), as 10Duke needs; the other callers keep
// twins.
func TestGroupTextsIDsAndUniqueNames(t *testing.T) {
	w := newWorld(t)
	o, admin := w.org("Texts")
	o2, admin2 := w.org("Elsewhere")
	as := w.in(admin.ID, o.Key)
	id := ids.New()
	g, err := w.svc.CreateGroup(w.ctx, as, identity.GroupChanges{ID: id, Name: ptr("Sales"), Description: ptr("sellers\nof things"), Type: ptr(" employees "), UniqueName: true})
	w.ok(err, "create a group with id, description and type")
	stored, err := w.svc.Group(w.ctx, as, id)
	w.ok(err, "read it")
	if g.ID != id || stored.Description != "sellers\nof things" || stored.Type != "employees" {
		t.Fatalf("the group: %+v", stored)
	}

	before := w.store.Writes()
	for _, c := range []struct {
		code  failure.Code
		field string
		c     identity.GroupChanges
	}{
		{failure.Invalid, "id", identity.GroupChanges{ID: "no-id", Name: ptr("X")}},
		{failure.Conflict, "id", identity.GroupChanges{ID: id, Name: ptr("Other")}},
		{failure.Invalid, "description", identity.GroupChanges{Name: ptr("X"), Description: ptr(strings.Repeat("d", identity.MaxGroupDescription+1))}},
		{failure.Invalid, "description", identity.GroupChanges{Name: ptr("X"), Description: ptr("bell\x07")}},
		{failure.Invalid, "type", identity.GroupChanges{Name: ptr("X"), Type: ptr(strings.Repeat("t", identity.MaxGroupType+1))}},
		{failure.Invalid, "type", identity.GroupChanges{Name: ptr("X"), Type: ptr("two\nlines")}},
		{failure.Conflict, "name", identity.GroupChanges{Name: ptr(" sALES "), UniqueName: true}},
	} {
		_, err := w.svc.CreateGroup(w.ctx, as, c.c)
		w.failsOn(err, c.code, c.field, "a refused group ("+c.field+")")
	}
	if w.store.Writes() != before {
		t.Fatal("a refused group wrote")
	}
	if got, _ := w.svc.Group(w.ctx, as, id); got.Name != "Sales" {
		t.Fatalf("the group after a create with its id: %+v", got)
	}
	_, err = w.svc.CreateGroup(w.ctx, as, identity.GroupChanges{Name: ptr(strings.Repeat("d", 1)), Description: ptr(strings.Repeat("é", identity.MaxGroupDescription)), Type: ptr(strings.Repeat("t", identity.MaxGroupType))})
	w.ok(err, "texts of the longest lengths")
	_, err = w.svc.CreateGroup(w.ctx, w.in(admin2.ID, o2.Key), identity.GroupChanges{ID: id, Name: ptr("sales"), UniqueName: true})
	w.ok(err, "the same id and name in another organization")
	twin, err := w.svc.CreateGroup(w.ctx, as, identity.GroupChanges{Name: ptr("sales")})
	w.ok(err, "a twin name without UniqueName (the other dialects)")

	accounts, err := w.svc.CreateGroup(w.ctx, as, identity.GroupChanges{Name: ptr("Accounts"), UniqueName: true})
	w.ok(err, "another name")
	_, err = w.svc.UpdateGroup(w.ctx, as, accounts.ID, identity.GroupChanges{Name: ptr("SALES"), UniqueName: true})
	w.failsOn(err, failure.Conflict, "name", "a rename to a taken name")
	_, err = w.svc.UpdateGroup(w.ctx, as, accounts.ID, identity.GroupChanges{Name: ptr("ACCOUNTS"), Description: ptr("books"), Type: ptr("finance"), UniqueName: true})
	w.ok(err, "a rename of a group to its own name in other case, with texts")
	if got, _ := w.svc.Group(w.ctx, as, accounts.ID); got.Name != "ACCOUNTS" || got.Description != "books" || got.Type != "finance" {
		t.Fatalf("after the update: %+v", got)
	}
	_, err = w.svc.UpdateGroup(w.ctx, as, twin.ID, identity.GroupChanges{Name: ptr("accounts")})
	w.ok(err, "a twin rename without UniqueName")
	_, err = w.svc.UpdateGroup(w.ctx, as, accounts.ID, identity.GroupChanges{Description: ptr(""), Type: ptr("")})
	w.ok(err, "clear the texts")
	if got, _ := w.svc.Group(w.ctx, as, accounts.ID); got.Description != "" || got.Type != "" {
		t.Fatalf("after clearing: %+v", got)
	}
}

// TestPasskeySignInClaims: the first passkey sign-in of a registered
// identity clears RegisteredBy; a later one writes no user.
func TestPasskeySignInClaims(t *testing.T) {
	f := newPasskeyFixture(t)
	u := identity.User{ID: ids.New(), Email: "reg@example.com", FirstName: "Reg", LastName: "Istered", RegisteredBy: ids.New(), Created: f.now, Version: 1}
	f.store.putUser(u)
	key := webauthntest.New(testOrigin)
	f.register(u.ID, key, "key")
	version := f.stored(u.ID).Version
	got, err := f.login(u.Email, key)
	if err != nil {
		t.Fatal(err)
	}
	if stored := f.stored(u.ID); got.RegisteredBy != "" || stored.RegisteredBy != "" || stored.Version != version+1 {
		t.Fatalf("after the first passkey sign-in: answered %q, stored %+v", got.RegisteredBy, stored)
	}
	if _, err := f.login(u.Email, key); err != nil {
		t.Fatal(err)
	}
	if f.stored(u.ID).Version != version+1 {
		t.Fatal("a sign-in of a claimed identity wrote the user")
	}
}
