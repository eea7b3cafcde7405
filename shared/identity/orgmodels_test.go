package identity_test

import (
	"testing"

	"github.com/effektif-serverless/caseflow/shared/failure"
	"github.com/effektif-serverless/caseflow/shared/identity"
)

// TestMemberDetails: a member read as a resource carries the licenses
// they hold in the organizations the reader may see, and those
// organizations: all of the reader's own, only the shared one of others.
func TestMemberDetails(t *testing.T) {
	w := newWorld(t)
	o, admin := w.org("Seats One")
	o2, admin2 := w.org("Seats Two")
	mia := w.member(o, admin, "mia@example.com")
	_, err := w.svc.AddMember(w.ctx, w.in(admin2.ID, o2.Key), identity.NewMember{Email: "mia@example.com"})
	w.ok(err, "invite mia to two")
	w.ok(w.svc.AcceptInvitation(w.ctx, mia.ID, o2.Key, ""), "mia joins two")
	seat := func(org identity.Organization, by identity.User) identity.License {
		order, err := w.svc.Purchase(w.ctx, w.in(by.ID, org.Key), identity.PurchaseOrder{LicenseType: "team", Count: 1, Muted: true})
		w.ok(err, "purchase")
		if !order.Completed || order.CompletedByID != by.ID || order.OrderedByID != by.ID || !order.Muted ||
			len(order.GeneratorIDs) != 1 || order.GeneratorIDs[0] != by.ID {
			t.Fatalf("the order: %+v", order)
		}
		l, err := w.svc.AssignLicense(w.ctx, w.in(by.ID, org.Key), order.LicenseIDs[0], mia.ID)
		w.ok(err, "assign")
		return l
	}
	l1, l2 := seat(o, admin), seat(o2, admin2)

	own, err := w.svc.Member(w.ctx, w.in(mia.ID, o.Key), mia.ID)
	w.ok(err, "mia reads herself")
	ds, err := w.svc.MemberDetails(w.ctx, w.in(mia.ID, o.Key), []identity.Member{own})
	w.ok(err, "mia's details")
	if d := ds[0]; len(d.Organizations) != 2 || len(d.Licenses) != 2 || d.Organizations[0].LdapConnector != nil ||
		!(d.Licenses[0].ID == l1.ID && d.Licenses[1].ID == l2.ID || d.Licenses[0].ID == l2.ID && d.Licenses[1].ID == l1.ID) {
		t.Fatalf("mia's own details: %+v", d)
	}
	seen, err := w.svc.Member(w.ctx, w.in(admin.ID, o.Key), mia.ID)
	w.ok(err, "the admin reads mia")
	ds, err = w.svc.MemberDetails(w.ctx, w.in(admin.ID, o.Key), []identity.Member{seen, {User: admin, OrganizationIDs: []string{o.ID}}})
	w.ok(err, "mia's details as the admin sees them")
	if d := ds[0]; len(d.Organizations) != 1 || d.Organizations[0].ID != o.ID || len(d.Licenses) != 1 || d.Licenses[0].ID != l1.ID {
		t.Fatalf("mia as the admin of one sees her: %+v", d)
	}
	if d := ds[1]; len(d.Licenses) != 0 || d.Licenses == nil || len(d.Organizations) != 1 {
		t.Fatalf("the admin without a seat: %+v", d)
	}
}

// TestPendingRegistrationOfInvitation: an invitation's registration
// answers the inviting organization (id, key, current name); one whose
// organization is gone is NotFound.
func TestPendingRegistrationOfInvitation(t *testing.T) {
	w := newWorld(t)
	o, admin := w.org("Inviting")
	_, err := w.svc.AddMember(w.ctx, w.in(admin.ID, o.Key), identity.NewMember{Email: "new@example.com"})
	w.ok(err, "invite")
	code := w.mail.code("new@example.com")
	_, err = w.svc.UpdateOrganization(w.ctx, w.in(admin.ID, o.Key), identity.OrganizationChanges{Name: ptr("Inviting Renamed")})
	w.ok(err, "rename")
	reg, org, err := w.svc.PendingRegistration(w.ctx, code)
	w.ok(err, "the invitation's registration")
	if org == nil || org.ID != o.ID || org.Key != o.Key || org.Name != "Inviting Renamed" || reg.OrganizationName != "Inviting Renamed" || org.AdminIDs != nil {
		t.Fatalf("the inviting organization: %+v (registration %q)", org, reg.OrganizationName)
	}
	w.ok(w.svc.DeleteOrganization(w.ctx, w.in(admin.ID, o.Key)), "delete the organization")
	_, _, err = w.svc.PendingRegistration(w.ctx, code)
	w.fails(err, failure.NotFound, "the invitation of a deleted organization")

	w.ok(w.svc.Register(w.ctx, identity.RegistrationRequest{Email: "signup@example.com", OrganizationName: "Soon"}), "sign up")
	reg, org, err = w.svc.PendingRegistration(w.ctx, w.mail.code("signup@example.com"))
	w.ok(err, "a sign-up's registration")
	if org != nil || reg.OrganizationName != "Soon" {
		t.Fatalf("a sign-up's organization: %+v %q", org, reg.OrganizationName)
	}
}

// TestOrganizationNamed: one organization, the path's without a name,
// else the caller's own of that name; another tenant's name is NotFound.
func TestOrganizationNamed(t *testing.T) {
	w := newWorld(t)
	o, admin := w.org("Alpha Works")
	d, err := w.svc.CreateOrganization(w.ctx, admin.ID, identity.NewOrganization{Name: "Beta Works"})
	w.ok(err, "a second organization")
	w.org("Gamma Works")
	a := w.in(admin.ID, o.Key)
	for name, want := range map[string]string{"": o.ID, "alpha works": o.ID, " BETA works ": d.ID} {
		got, err := w.svc.OrganizationNamed(w.ctx, a, name)
		w.ok(err, "named "+name)
		if got.ID != want || !got.Caller.IsAdmin() || got.Caller.OrganizationID != want {
			t.Fatalf("named %q: %s (caller %+v), want %s", name, got.ID, got.Caller, want)
		}
	}
	for _, name := range []string{"Gamma Works", "Beta", "nothing"} {
		_, err := w.svc.OrganizationNamed(w.ctx, a, name)
		w.fails(err, failure.NotFound, "named "+name)
	}
}

// TestAddSystemUser: an admin makes an integration's account that signs
// in with its password and is a member at once (no invitation, no mail),
// listed as the organization's system user; members may not, bad input
// and a taken address write nothing.
func TestAddSystemUser(t *testing.T) {
	w := newWorld(t)
	o, admin := w.org("Integrations")
	mia := w.member(o, admin, "mia@example.com")
	good := identity.NewSystemUser{Email: " Robot@Example.com ", Password: "robot password 1", FirstName: "Sync", LastName: "Bot", Color: "#123456"}

	before := w.store.Writes()
	_, err := w.svc.AddSystemUser(w.ctx, w.in(mia.ID, o.Key), good)
	w.fails(err, failure.Forbidden, "a member makes a system user")
	for _, c := range []struct {
		field string
		n     identity.NewSystemUser
	}{
		{identity.FieldEmail, identity.NewSystemUser{Password: "robot password 1"}},
		{identity.FieldEmail, identity.NewSystemUser{Email: "not-an-address", Password: "robot password 1"}},
		{"password", identity.NewSystemUser{Email: "x@example.com"}},
		{"password", identity.NewSystemUser{Email: "x@example.com", Password: "short"}},
		{"firstName", identity.NewSystemUser{Email: "x@example.com", Password: "robot password 1", FirstName: "bad\x01"}},
		{"color", identity.NewSystemUser{Email: "x@example.com", Password: "robot password 1", Color: "bad\x01"}},
	} {
		_, err := w.svc.AddSystemUser(w.ctx, w.in(admin.ID, o.Key), c.n)
		w.failsOn(err, failure.Invalid, c.field, "a bad system user "+c.field)
	}
	_, err = w.svc.AddSystemUser(w.ctx, w.in(admin.ID, o.Key), identity.NewSystemUser{Email: "MIA@example.com", Password: "robot password 1"})
	if err != identity.ErrEmailTaken {
		t.Fatalf("a system user of a member's address: %v", err)
	}
	if w.store.Writes() != before {
		t.Fatal("a refused system user wrote")
	}

	m, err := w.svc.AddSystemUser(w.ctx, w.in(admin.ID, o.Key), good)
	w.ok(err, "make a system user")
	if m.Email != "Robot@Example.com" || m.FirstName != "Sync" || m.Color != "#123456" || m.PasswordHash != "" || !m.Membership.SystemUser ||
		m.Membership.Role != identity.RoleMember {
		t.Fatalf("the system user: %+v", m)
	}
	if u := w.user(m.ID); u.RegisteredBy != "" || u.PasswordHash == "" {
		t.Fatalf("the stored system user: registeredBy %q, hash set %v", u.RegisteredBy, u.PasswordHash != "")
	}
	if ms := w.membership(o, m.ID); !ms.SystemUser || ms.OrganizationKey != o.Key {
		t.Fatalf("the system user's membership: %+v", ms)
	}
	if len(w.mail.to("robot@example.com")) != 0 {
		t.Fatal("a system user got mail")
	}
	invs, err := w.svc.Invitations(w.ctx, w.in(admin.ID, o.Key))
	w.ok(err, "invitations")
	if len(invs) != 0 {
		t.Fatalf("a system user made an invitation: %+v", invs)
	}
	login, err := w.svc.Login(w.ctx, "robot@example.com", "robot password 1")
	w.ok(err, "the system user signs in with its password")
	if len(login.Memberships) != 1 || !login.Memberships[0].SystemUser || login.Organizations[0].ID != o.ID {
		t.Fatalf("the system user's login: %+v", login.Memberships)
	}
	d, err := w.svc.Organization(w.ctx, w.in(mia.ID, o.Key))
	w.ok(err, "the organization")
	if len(d.SystemUsers) != 1 || d.SystemUsers[0].ID != m.ID || !d.SystemUsers[0].Membership.SystemUser || len(d.MemberIDs) != 3 {
		t.Fatalf("the organization's system users %+v, members %v", d.SystemUsers, d.MemberIDs)
	}
	// The system user works in the organization like any member.
	w.in(m.ID, o.Key)
}
