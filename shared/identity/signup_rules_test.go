package identity_test

import (
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/effektif-serverless/caseflow/shared/failure"
	"github.com/effektif-serverless/caseflow/shared/identity"
	"github.com/effektif-serverless/caseflow/shared/ids"
)

// TestRegisterAndActivate: a registration's mailed code makes the user,
// their organization (as its admin) and a session, once, within
// RegistrationTTL.
func TestRegisterAndActivate(t *testing.T) {
	w := newWorld(t)
	const email = "Grace@Example.com"
	w.ok(w.svc.Register(w.ctx, identity.RegistrationRequest{Email: email, FirstName: "Grace", OrganizationName: "Acme Corp"}), "register")
	code := w.mail.code(email)
	_, err := w.svc.Activate(w.ctx, code, identity.RegistrationRequest{})
	w.fails(err, failure.Invalid, "an activation without a password")
	_, err = w.svc.Activate(w.ctx, code, identity.RegistrationRequest{Email: "other@example.com", Password: "a long password"})
	w.fails(err, failure.Invalid, "an activation of another address")
	login, err := w.svc.Activate(w.ctx, code, identity.RegistrationRequest{Email: "grace@example.com", Password: "a long password"})
	w.ok(err, "activate")
	if len(login.Organizations) != 1 || login.Organizations[0].Key != "acme-corp" || login.Memberships[0].Role != identity.RoleAdmin {
		t.Fatalf("the login: %+v", login)
	}
	if _, err := w.svc.Authenticate(w.ctx, login.Token); err != nil {
		t.Fatalf("the activation's session: %v", err)
	}
	_, err = w.svc.Activate(w.ctx, code, identity.RegistrationRequest{Password: "a long password"})
	w.fails(err, failure.NotFound, "the code again")

	// A second organization of the same name gets the next key.
	w.ok(w.svc.Register(w.ctx, identity.RegistrationRequest{Email: "ada@example.com", OrganizationName: "Acme Corp", Password: "a long password"}), "register")
	login, err = w.svc.Activate(w.ctx, w.mail.code("ada@example.com"), identity.RegistrationRequest{})
	w.ok(err, "activate with the password registered")
	if key := login.Organizations[0].Key; key != "acme-corp-2" {
		t.Fatalf("the second key: %q", key)
	}

	w.ok(w.svc.Register(w.ctx, identity.RegistrationRequest{Email: "late@example.com"}), "register")
	w.now = w.now.Add(identity.RegistrationTTL)
	_, err = w.svc.Activate(w.ctx, w.mail.code("late@example.com"), identity.RegistrationRequest{Password: "a long password"})
	w.fails(err, failure.NotFound, "an expired code (before TTL removes it)")
}

// TestRegisterTellsNothing: registering an address with an account mails
// it that it has one (with no code) and answers as for any address; the
// mails to one address are limited, silently.
func TestRegisterTellsNothing(t *testing.T) {
	w := newWorld(t)
	w.account("taken@example.com")
	w.ok(w.svc.Register(w.ctx, identity.RegistrationRequest{Email: "taken@example.com"}), "register a taken address")
	ms := w.mail.to("taken@example.com")
	if len(ms) != 1 || !strings.Contains(ms[0].Subject, "already have an account") || w.mail.code("taken@example.com") != "" {
		t.Fatalf("the mail to a taken address: %+v", ms)
	}
	for range identity.MaxMailsPerAddress + 2 {
		w.ok(w.svc.Register(w.ctx, identity.RegistrationRequest{Email: "flood@example.com"}), "register")
	}
	if n := len(w.mail.to("flood@example.com")); n != identity.MaxMailsPerAddress {
		t.Fatalf("mails to one address within the hour: %d", n)
	}
	w.now = w.now.Add(identity.MailWindow)
	w.ok(w.svc.Register(w.ctx, identity.RegistrationRequest{Email: "flood@example.com"}), "register the next hour")
	if n := len(w.mail.to("flood@example.com")); n != identity.MaxMailsPerAddress+1 {
		t.Fatalf("mails after the window: %d", n)
	}

	w.svc.RegistrationDisabled = true
	w.fails(w.svc.Register(w.ctx, identity.RegistrationRequest{Email: "x@example.com"}), failure.Forbidden, "registration disabled")
	for _, bad := range []identity.RegistrationRequest{{Email: "not an address"}, {Email: "x@example.com", Password: "short"}, {Email: "x@example.com", TimeZone: "Mars/Base"}} {
		w.svc.RegistrationDisabled = false
		w.fails(w.svc.Register(w.ctx, bad), failure.Invalid, "a bad registration")
	}
}

// TestLoginThrottle: MaxFailedLogins failed logins of an address lock it
// until the window ends, even for the right password; a successful login
// gives its reservation back.
func TestLoginThrottle(t *testing.T) {
	w := newWorld(t)
	w.now = time.Date(2030, 1, 2, 10, 0, 0, 0, time.UTC) // the start of a window
	w.ok(w.svc.Register(w.ctx, identity.RegistrationRequest{Email: "lock@example.com", Password: "the right password"}), "register")
	_, err := w.svc.Activate(w.ctx, w.mail.code("lock@example.com"), identity.RegistrationRequest{})
	w.ok(err, "activate")
	for range 3 {
		_, err := w.svc.Login(w.ctx, "lock@example.com", "the right password")
		w.ok(err, "a good login (gives its use back)")
	}
	for range identity.MaxFailedLogins {
		_, err := w.svc.Login(w.ctx, "LOCK@example.com", "wrong password")
		w.fails(err, failure.Unauthenticated, "a wrong password")
	}
	_, err = w.svc.Login(w.ctx, "lock@example.com", "the right password")
	w.fails(err, failure.TooManyRequests, "the right password when locked")
	_, err = w.svc.Login(w.ctx, "nobody@example.com", "any password")
	w.fails(err, failure.Unauthenticated, "another address")
	w.now = w.now.Add(identity.LoginWindow)
	_, err = w.svc.Login(w.ctx, "lock@example.com", "the right password")
	w.ok(err, "the next window")
}

// TestAssignLicense: a member holds at most one license and a license one
// member; two concurrent assignments of the last seat cannot both win.
func TestAssignLicense(t *testing.T) {
	w := newWorld(t)
	o, admin := w.org("Seats")
	mia := w.member(o, admin, "mia@example.com")
	bob := w.member(o, admin, "bob@example.com")
	order, err := w.svc.Purchase(w.ctx, w.in(admin.ID, o.Key), identity.PurchaseOrder{LicenseType: "team", Count: 2})
	w.ok(err, "buy two seats")
	l1, l2 := order.LicenseIDs[0], order.LicenseIDs[1]
	stranger := w.account("stranger@example.com")
	for _, tc := range []struct {
		name           string
		caller         identity.User
		license, owner string
		want           failure.Code
	}{
		{"a member assigns", mia, l1, mia.ID, failure.Forbidden},
		{"to a non-member", admin, l1, stranger.ID, failure.Invalid},
		{"an unknown license", admin, ids.New(), mia.ID, failure.NotFound},
	} {
		_, err := w.svc.AssignLicense(w.ctx, w.in(tc.caller.ID, o.Key), tc.license, tc.owner)
		w.fails(err, tc.want, tc.name)
	}
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i, u := range []identity.User{mia, bob} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = w.svc.AssignLicense(w.ctx, w.in(admin.ID, o.Key), l1, u.ID)
		}()
	}
	wg.Wait()
	if (errs[0] == nil) == (errs[1] == nil) {
		t.Fatalf("two assignments of one seat: %v, %v", errs[0], errs[1])
	}
	l, _ := w.svc.License(w.ctx, w.in(admin.ID, o.Key), l1)
	holder := l.UserID
	_, err = w.svc.AssignLicense(w.ctx, w.in(admin.ID, o.Key), l2, holder)
	w.fails(err, failure.Conflict, "a second license for its holder")
	_, err = w.svc.AssignLicense(w.ctx, w.in(admin.ID, o.Key), l1, "")
	w.ok(err, "take it back")
	_, err = w.svc.AssignLicense(w.ctx, w.in(admin.ID, o.Key), l2, holder)
	w.ok(err, "the other license for the member whose license was taken back")
	w.now = w.now.Add(identity.LicenseValidity)
	_, err = w.svc.AssignLicense(w.ctx, w.in(admin.ID, o.Key), l1, admin.ID)
	w.fails(err, failure.Conflict, "an expired license")
}
