package identity

import (
	"context"
	"strings"
	"time"

	"github.com/effektif-serverless/caseflow/shared/failure"
	"github.com/effektif-serverless/caseflow/shared/ids"
)

// Registered identities: an organization's admin registers a person
// (10Duke's POST /users) as an identity without a password and a member
// of the organization. Until the person claims the identity (User.
// RegisteredBy), that organization's admins keep its names and validity
// window up to date; afterwards the identity is the user's alone, as
// every other identity is.

// Canonical field names of a registered identity in errors.
const (
	FieldUserID     = "id"
	FieldValidUntil = "validUntil"
)

// NewRegisteredUser is the identity an admin registers: ID is optional
// (a fresh id when ""), the names are required, the validity window is
// optional (zero times: open).
type NewRegisteredUser struct {
	ID, Email, FirstName, LastName string
	ValidFrom, ValidUntil          time.Time
}

// RegisterMember makes an identity without a password and a plain member
// (RoleMember) of a.Organization, in one transaction; RegisteredBy is the
// organization's id. The person claims the identity through a password
// reset, an invitation or a provider sign-in (see User.RegisteredBy); no
// mail is sent. The address is unique across all identities, compared
// case-insensitively. A joining member takes no license seat (seats are
// assigned, see MemberChange), so none is checked here. Permission:
// admins. Errors: as Tenant; Forbidden; Invalid (a bad address, a missing
// or bad first or last name, an id that is not ids.Valid: field "id", a
// validUntil before validFrom); Conflict (ErrEmailTaken for an address
// with an account, ErrUserIDTaken for an id that names a user).
func (s *Service) RegisterMember(ctx context.Context, a Access, n NewRegisteredUser) (Member, error) {
	org, err := a.admin("register users")
	if err != nil {
		return Member{}, err
	}
	if err := ValidateEmail(FieldEmail, n.Email); err != nil {
		return Member{}, err
	}
	first, last := strings.TrimSpace(n.FirstName), strings.TrimSpace(n.LastName)
	for _, f := range []struct{ name, value string }{{"firstName", first}, {"lastName", last}} {
		if f.value == "" {
			return Member{}, failure.Field(f.name, "%s is required", f.name)
		}
		if err := ValidateName(f.name, f.value); err != nil {
			return Member{}, err
		}
	}
	id := n.ID
	if id == "" {
		id = ids.New()
	} else if !ids.Valid(id) {
		return Member{}, failure.Field(FieldUserID, "id is not a valid user id")
	}
	if err := checkValidity(n.ValidFrom, n.ValidUntil); err != nil {
		return Member{}, err
	}
	now := s.now()
	u := User{ID: id, Email: strings.TrimSpace(n.Email), FirstName: first, LastName: last,
		ValidFrom: n.ValidFrom, ValidUntil: n.ValidUntil, RegisteredBy: org.ID, Created: now, Version: 1}
	m := Membership{OrganizationID: org.ID, OrganizationKey: org.Key, UserID: id, Role: RoleMember, Joined: now}
	if err := s.Store.CreateMember(ctx, u, m); err != nil {
		return Member{}, err
	}
	return Member{User: u, Membership: m, OrganizationIDs: []string{org.ID}}, nil
}

// checkValidity checks a validity window: Invalid (validUntil) when both
// ends are set and it ends before it starts.
func checkValidity(from, until time.Time) error {
	if !from.IsZero() && !until.IsZero() && until.Before(from) {
		return failure.Field(FieldValidUntil, "validUntil is before validFrom")
	}
	return nil
}

// managesRegistered reports whether the caller may make the changes c to
// the identity u of another user as the organization that registered it:
// an enabled admin of a.Organization, u unclaimed and registered by that
// organization (RegisteredBy), and c touching only the names and the
// validity window.
func managesRegistered(a Access, u User, c UserChanges) bool {
	if !a.Membership.IsAdmin() || a.Membership.Disabled || u.RegisteredBy == "" || u.RegisteredBy != a.Organization.ID {
		return false
	}
	return c.Phone == nil && c.Color == nil && c.Country == nil && c.Language == nil && c.TimeZone == nil &&
		c.Email == nil && c.Password == nil && len(c.Profile) == 0
}

// claim marks the identity as its user's: RegisteredBy is cleared. Every
// first password set and first provider or passkey sign-in calls it
// before the write that stores the user. It reports whether it changed u.
func claim(u *User) bool {
	if u.RegisteredBy == "" {
		return false
	}
	u.RegisteredBy = ""
	return true
}

// claimAtSignIn stores the claim of a sign-in (a provider's, a
// passkey's) that writes nothing else of the user: nothing for an
// identity claimed already; else the user read afresh, claimed and stored
// on its version (retried when another write won). It answers the user
// as stored.
func (s *Service) claimAtSignIn(ctx context.Context, u User) (User, error) {
	if u.RegisteredBy == "" {
		return u, nil
	}
	for attempt := 0; attempt < 3; attempt++ {
		fresh, err := s.Store.GetUser(ctx, u.ID)
		if err != nil {
			return User{}, err
		}
		if !claim(&fresh) {
			return fresh, nil
		}
		fresh.Version++
		err = s.Store.UpdateUser(ctx, fresh, "")
		if err == nil {
			return fresh, nil
		}
		if !failure.As(err).Retry {
			return User{}, err
		}
	}
	return User{}, failure.Race("user")
}
