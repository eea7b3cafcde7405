package identitytest

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/effektif-serverless/caseflow/shared/failure"
	"github.com/effektif-serverless/caseflow/shared/identity"
	"github.com/effektif-serverless/caseflow/shared/ids"
)

// RunStoreContract checks, method by method, that a store keeps what
// identity.Store states and what the core relies on: uniqueness, version
// and existence conditions, what fails with which *failure.Error (code,
// field, Retry), that a failed call writes nothing, what is read back
// and in which order. Both the DynamoDB store and this package's Store
// pass it.
//
// newStore is called once per subtest, and the subtests run in parallel:
// a store may be shared between them (one table for the whole run),
// since every subtest makes its own ids, addresses, organization keys,
// throttle names and number kinds.
func RunStoreContract(t *testing.T, newStore func(t *testing.T) identity.Store) {
	for _, c := range contractCases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			c.run(&check{T: t, s: newStore(t), ctx: context.Background(), now: time.Now().UTC().Truncate(time.Millisecond)})
		})
	}
}

type contractCase struct {
	name string
	run  func(c *check)
}

// check is one subtest: its store and the helpers that make data with
// fresh ids and assert results.
type check struct {
	*testing.T
	s   identity.Store
	ctx context.Context
	// now is the subtest's clock: stored times are derived from it.
	now time.Time
}

// ok fails the test at once on an error.
func (c *check) ok(err error, what string, args ...any) {
	c.Helper()
	if err != nil {
		c.Fatalf("%s: %v", fmt.Sprintf(what, args...), err)
	}
}

// fails checks that err is a *failure.Error with the code (and, for a
// Conflict, the Retry flag: a lost race or a rule).
func (c *check) fails(err error, code failure.Code, retry bool, what string, args ...any) {
	c.Helper()
	var fe *failure.Error
	if !errors.As(err, &fe) || fe.Code != code || code == failure.Conflict && fe.Retry != retry {
		c.Fatalf("%s: got %v, want a %s failure (retry %v)", fmt.Sprintf(what, args...), err, code, retry)
	}
}

// is checks that err is target (errors.Is).
func (c *check) is(err, target error, what string, args ...any) {
	c.Helper()
	if !errors.Is(err, target) {
		c.Fatalf("%s: got %v, want %v", fmt.Sprintf(what, args...), err, target)
	}
}

// equal compares what was read with what was expected, with string sets
// compared in any order.
func (c *check) equal(got, want any, what string, args ...any) {
	c.Helper()
	if g, w := normalized(got), normalized(want); !reflect.DeepEqual(g, w) {
		c.Fatalf("%s:\n got  %+v\n want %+v", fmt.Sprintf(what, args...), g, w)
	}
}

// normalized sorts the string sets of the model and makes empty lists
// nil: a set has no order, and an empty list may read back as none or as
// an empty one.
func normalized(v any) any {
	sorted := func(l []string) []string {
		if len(l) == 0 {
			return nil
		}
		out := append([]string(nil), l...)
		sort.Strings(out)
		return out
	}
	switch x := v.(type) {
	case identity.Membership:
		x.GroupIDs = sorted(x.GroupIDs)
		return x
	case *identity.Membership:
		if x == nil {
			return x
		}
		m := normalized(*x).(identity.Membership)
		return &m
	case []identity.Membership:
		return normalizedAll(x)
	case identity.Group:
		x.UserIDs = sorted(x.UserIDs)
		return x
	case identity.Invitation:
		if len(x.Sends) == 0 {
			x.Sends = nil
		}
		return x
	case []identity.Group:
		return normalizedAll(x)
	case identity.Organization:
		x.AdminIDs = sorted(x.AdminIDs)
		return x
	case []string:
		return sorted(x)
	}
	return v
}

func normalizedAll[T any](l []T) []T {
	out := make([]T, len(l))
	for i := range l {
		out[i] = normalized(l[i]).(T)
	}
	return out
}

// The makers of data: each thing new, with fresh ids and addresses.

func (c *check) email() string { return "c" + ids.New() + "@Example.com" }

func (c *check) newUser() identity.User {
	return identity.User{ID: ids.New(), Email: c.email(), FirstName: "Ada", LastName: "Lovelace", Created: c.now, Version: 1}
}

// user creates a user.
func (c *check) user() identity.User {
	c.Helper()
	u := c.newUser()
	c.ok(c.s.CreateUser(c.ctx, u), "create user")
	return u
}

// org creates an organization with a new admin and answers both.
func (c *check) org() (identity.Organization, identity.Membership) {
	c.Helper()
	admin := c.user()
	id := ids.New()
	o := identity.Organization{ID: id, Key: "k" + id, Name: "Org " + id, CreatedBy: admin.ID, AdminIDs: []string{admin.ID}, Created: c.now, Version: 1}
	m := identity.Membership{OrganizationID: o.ID, OrganizationKey: o.Key, UserID: admin.ID, Role: identity.RoleAdmin, Joined: c.now}
	c.ok(c.s.CreateOrganization(c.ctx, o, m), "create organization")
	return o, m
}

// member adds a new user to the organization as a plain member.
func (c *check) member(o identity.Organization) (identity.User, identity.Membership) {
	c.Helper()
	u := c.user()
	m := identity.Membership{OrganizationID: o.ID, OrganizationKey: o.Key, UserID: u.ID, Role: identity.RoleMember, Joined: c.now}
	c.ok(c.s.AddMembership(c.ctx, m), "add member")
	return u, m
}

// group creates a group of the members.
func (c *check) group(o identity.Organization, name string, userIDs ...string) identity.Group {
	c.Helper()
	g := identity.Group{ID: ids.New(), OrganizationID: o.ID, Name: name, UserIDs: userIDs, Version: 1}
	c.ok(c.s.SaveGroup(c.ctx, g, true, userIDs, nil), "create group %s", name)
	return g
}

// membership reads a membership that must exist.
func (c *check) membership(orgID, userID string) identity.Membership {
	c.Helper()
	_, m, err := c.s.UserInOrganization(c.ctx, orgID, userID)
	c.ok(err, "read membership")
	if m == nil {
		c.Fatalf("user %s is no member of %s", userID, orgID)
	}
	return *m
}

// noMember checks that the user is no member.
func (c *check) noMember(orgID, userID string) {
	c.Helper()
	if _, m, err := c.s.UserInOrganization(c.ctx, orgID, userID); err != nil || m != nil {
		c.Fatalf("user %s: membership %+v, %v; want none", userID, m, err)
	}
}

func (c *check) getGroup(o identity.Organization, id string) identity.Group {
	c.Helper()
	g, err := c.s.GetGroup(c.ctx, o.ID, id)
	c.ok(err, "read group")
	return g
}

func (c *check) getOrg(id string) identity.Organization {
	c.Helper()
	os, err := c.s.GetOrganizations(c.ctx, []string{id})
	c.ok(err, "read organization")
	if len(os) != 1 {
		c.Fatalf("organization %s: read %d", id, len(os))
	}
	return os[0]
}

func (c *check) getUser(id string) identity.User {
	c.Helper()
	u, err := c.s.GetUser(c.ctx, id)
	c.ok(err, "read user")
	return u
}

// registration is a new pending registration, expiring in a week.
func (c *check) registration() identity.Registration {
	return identity.Registration{ID: ids.New(), CodeHash: "h" + ids.New(), Email: c.email(), FirstName: "Grace",
		OrganizationName: "Org", Created: c.now, Expires: c.now.Add(identity.RegistrationTTL)}
}

func (c *check) session(userID string, created time.Time) identity.Session {
	return identity.Session{TokenHash: "t" + ids.New(), UserID: userID, Created: created, Expires: created.Add(identity.SessionTTL)}
}

// invitation stores an invitation of the address to the organization
// with its registration.
func (c *check) invitation(o identity.Organization, email string) (identity.Invitation, identity.Registration) {
	c.Helper()
	inv := identity.Invitation{OrganizationID: o.ID, Email: email, InvitedBy: o.CreatedBy, CodeHash: "i" + ids.New(),
		Status: identity.InvitationSent, Created: c.now, Expires: c.now.Add(identity.InvitationTTL), Version: 1}
	reg := identity.Registration{ID: ids.New(), CodeHash: inv.CodeHash, Email: email, Created: c.now, Expires: inv.Expires,
		InvitedTo: o.ID, InvitedToKey: o.Key}
	c.ok(c.s.CreateInvitation(c.ctx, inv, reg), "create invitation")
	return inv, reg
}

// licenses stores an order of n licenses of the type.
func (c *check) licenses(o identity.Organization, typ string, n int) []identity.License {
	c.Helper()
	order := identity.PurchaseOrder{ID: ids.New(), OrganizationID: o.ID, LicenseType: typ, Count: n, Created: c.now}
	ls := make([]identity.License, n)
	for i := range ls {
		ls[i] = identity.License{ID: ids.New(), OrganizationID: o.ID, Type: typ, Packages: []string{"workflows"},
			CreationDate: c.now, ExpirationDate: c.now.Add(identity.LicenseValidity), Version: 1}
		order.LicenseIDs = append(order.LicenseIDs, ls[i].ID)
	}
	c.ok(c.s.CreateLicenses(c.ctx, order, ls), "create licenses")
	return ls
}

func (c *check) license(o identity.Organization, id string) identity.License {
	c.Helper()
	l, err := c.s.GetLicense(c.ctx, o.ID, id)
	c.ok(err, "read license")
	return l
}

func userIDs(us []identity.User) []string {
	out := make([]string, len(us))
	for i, u := range us {
		out[i] = u.ID
	}
	return out
}

func sortedIDs(l ...string) []string {
	out := append([]string(nil), l...)
	sort.Strings(out)
	return out
}

func lower(s string) string { return strings.ToLower(s) }
