package identity_test

import (
	"github.com/effektif-serverless/caseflow/shared/secret/password"

	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/effektif-serverless/caseflow/shared/failure"
	"github.com/effektif-serverless/caseflow/shared/identity"
	"github.com/effektif-serverless/caseflow/shared/identity/identitytest"
	"github.com/effektif-serverless/caseflow/shared/ids"
	"github.com/effektif-serverless/caseflow/shared/mail"
)

// world is the identity service on the in-memory store, with a mail
// outbox, a clock the test moves, and a system admin (root) to make
// accounts. Orgs and members are made through the service, so the tests
// read as requests.
type world struct {
	t     *testing.T
	ctx   context.Context
	store *identitytest.Store
	mail  *outbox
	svc   *identity.Service
	now   time.Time
	root  identity.User
}

func newWorld(t *testing.T) *world {
	t.Helper()
	w := &world{t: t, ctx: context.Background(), store: identitytest.NewStore(), mail: &outbox{},
		now: time.Date(2030, 1, 2, 10, 0, 0, 0, time.UTC)}
	w.svc = &identity.Service{Store: w.store, Mail: w.mail, Now: func() time.Time { return w.now }, Passwords: password.Argon2id{}}
	w.root = identity.User{ID: ids.New(), Email: "root@example.com", SystemAdmin: true, Created: w.now, Version: 1}
	w.ok(w.store.CreateUser(w.ctx, w.root), "seed the system admin")
	return w
}

func (w *world) ok(err error, what string) {
	w.t.Helper()
	if err != nil {
		w.t.Fatalf("%s: %v", what, err)
	}
}

// failsOn checks the code and the field of a failure.
func (w *world) failsOn(err error, code failure.Code, field, what string) {
	w.t.Helper()
	w.fails(err, code, what)
	if f := failure.As(err).Field; f != field {
		w.t.Fatalf("%s: field %q, want %q (%v)", what, f, field, err)
	}
}

// fails checks the failure code of err.
func (w *world) fails(err error, code failure.Code, what string) {
	w.t.Helper()
	if !failure.Is(err, code) {
		w.t.Fatalf("%s: got %v, want %s", what, err, code)
	}
}

// account makes an account (no password) through the system admin.
func (w *world) account(email string) identity.User {
	w.t.Helper()
	u, err := w.svc.CreateAccount(w.ctx, w.root.ID, identity.NewAccount{Email: email, FirstName: strings.Split(email, "@")[0]})
	w.ok(err, "create account "+email)
	return u
}

// org makes an organization with a new account as its admin.
func (w *world) org(name string) (identity.Organization, identity.User) {
	w.t.Helper()
	admin := w.account("admin." + strings.ToLower(strings.ReplaceAll(name, " ", "")) + "@example.com")
	d, err := w.svc.CreateOrganization(w.ctx, admin.ID, identity.NewOrganization{Name: name})
	w.ok(err, "create organization "+name)
	return d.Organization, admin
}

// join invites a new account with the address into the organization and
// accepts for it: the invitation offers n's role and username.
func (w *world) join(o identity.Organization, admin identity.User, n identity.NewMember) identity.User {
	w.t.Helper()
	u := w.account(n.Email)
	_, err := w.svc.AddMember(w.ctx, w.in(admin.ID, o.Key), n)
	w.ok(err, "invite "+n.Email)
	w.ok(w.svc.AcceptInvitation(w.ctx, u.ID, o.Key, ""), "accept as "+n.Email)
	return u
}

// member is join of a plain member.
func (w *world) member(o identity.Organization, admin identity.User, email string) identity.User {
	w.t.Helper()
	return w.join(o, admin, identity.NewMember{Email: email})
}

// membership reads a membership from the store.
func (w *world) membership(o identity.Organization, userID string) identity.Membership {
	w.t.Helper()
	_, m, err := w.store.UserInOrganization(w.ctx, o.ID, userID)
	w.ok(err, "read membership")
	if m == nil {
		w.t.Fatalf("user %s is no member", userID)
	}
	return *m
}

func (w *world) orgNow(o identity.Organization) identity.Organization {
	w.t.Helper()
	os, err := w.store.GetOrganizations(w.ctx, []string{o.ID})
	w.ok(err, "read organization")
	if len(os) != 1 {
		w.t.Fatalf("organization %s is gone", o.Key)
	}
	return os[0]
}

// outbox is a mail.Sender that keeps what is sent.
type outbox struct {
	mu   sync.Mutex
	sent []mail.Message
}

func (o *outbox) Send(_ context.Context, m mail.Message) (string, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.sent = append(o.sent, m)
	return fmt.Sprintf("ses-%d", len(o.sent)), nil
}

// to lists the mails sent to the address.
func (o *outbox) to(address string) []mail.Message {
	o.mu.Lock()
	defer o.mu.Unlock()
	var out []mail.Message
	for _, m := range o.sent {
		if strings.EqualFold(m.To, address) {
			out = append(out, m)
		}
	}
	return out
}

// code is the code in the latest mail to the address (the line indented
// by four spaces); "" when there is none.
func (o *outbox) code(address string) string {
	ms := o.to(address)
	if len(ms) == 0 {
		return ""
	}
	for _, line := range strings.Split(ms[len(ms)-1].Text, "\n") {
		if strings.HasPrefix(line, "    ") {
			return strings.TrimSpace(line)
		}
	}
	return ""
}

func ptr[T any](v T) *T { return &v }

// in resolves the user in the organization with the key, as a dialect does
// before a tenant operation (Resolve); a failure fails the test.
func (w *world) in(userID, orgKey string) identity.Access {
	w.t.Helper()
	a, err := w.svc.Resolve(w.ctx, identity.Caller{UserID: userID}, orgKey)
	w.ok(err, "resolve "+userID+" in "+orgKey)
	return a
}
