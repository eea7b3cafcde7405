package identity

import (
	"context"
	"strings"

	"github.com/effektif-serverless/caseflow/shared/failure"
	"github.com/effektif-serverless/caseflow/shared/ids"
)

// The caller's own account, whatever organization: who they are, their
// password; and the instance-wide (super admin) operations on accounts.

// Me answers the signed-in caller. Errors: Unauthenticated without one.
func (s *Service) Me(ctx context.Context, callerID string) (User, error) {
	return s.caller(ctx, callerID)
}

// newPasswordHash checks a new password against the policy
// (ValidatePassword, Invalid) and hashes it.
func (s *Service) newPasswordHash(password string) (string, error) {
	if err := ValidatePassword("password", password); err != nil {
		return "", err
	}
	h, err := s.passwords().Hash(password)
	if err != nil {
		return "", failure.Wrap(err, "hash password")
	}
	return h, nil
}

// passwordChanged applies the rule of every password change: every other
// session (API tokens included) of the user ends at once; keepToken, the
// session that made the change, stays ("" ends them all).
func (s *Service) passwordChanged(ctx context.Context, userID, keepToken string) error {
	return s.RevokeSessions(ctx, userID, keepToken)
}

// SetPassword sets the caller's own password (no old password is asked:
// the session proves the caller), then ends every other session of theirs;
// sessionToken, the caller's, stays. It claims a registered identity
// (User.RegisteredBy). The password is the one password of
// the identity on every API. Errors: Unauthenticated; Invalid.
func (s *Service) SetPassword(ctx context.Context, callerID, password, sessionToken string) error {
	hash, err := s.newPasswordHash(password)
	if err != nil {
		return err
	}
	for attempt := 0; attempt < 3; attempt++ {
		user, err := s.caller(ctx, callerID)
		if err != nil {
			return err
		}
		user.PasswordHash = hash
		claim(&user)
		user.Version++
		err = s.Store.UpdateUser(ctx, user, "")
		if err == nil {
			return s.passwordChanged(ctx, callerID, sessionToken)
		}
		if !failure.As(err).Retry {
			return err
		}
	}
	return failure.Race("user")
}

// requireSystemAdmin answers the caller when they are a system (super)
// admin. Errors: Unauthenticated; Forbidden for anyone else, an
// organization's admin included.
func (s *Service) requireSystemAdmin(ctx context.Context, callerID string) (User, error) {
	user, err := s.caller(ctx, callerID)
	if err != nil {
		return User{}, err
	}
	if !user.SystemAdmin || user.Disabled {
		return User{}, failure.New(failure.Forbidden, "only a system admin may do this")
	}
	return user, nil
}

// RequireSystemAdmin checks the privilege of an instance-wide operation
// before anything of the request is looked at. Errors: as
// requireSystemAdmin.
func (s *Service) RequireSystemAdmin(ctx context.Context, callerID string) error {
	_, err := s.requireSystemAdmin(ctx, callerID)
	return err
}

// NewAccount is an account a system admin makes: the address, an optional
// password (without one the account signs in by a password reset or a
// provider), the names and the system-admin flag.
type NewAccount struct {
	Email, Password, FirstName, LastName string
	SystemAdmin                          bool
}

// CreateAccount makes an account without an organization. Permission:
// system admins. Errors: as RequireSystemAdmin; Invalid; Conflict when
// the address has an account.
func (s *Service) CreateAccount(ctx context.Context, callerID string, n NewAccount) (User, error) {
	if _, err := s.requireSystemAdmin(ctx, callerID); err != nil {
		return User{}, err
	}
	if err := ValidateEmail(FieldEmail, n.Email); err != nil {
		return User{}, err
	}
	for _, f := range []struct{ name, value string }{{"firstName", n.FirstName}, {"lastName", n.LastName}} {
		if err := ValidateName(f.name, f.value); err != nil {
			return User{}, err
		}
	}
	u := User{ID: ids.New(), Email: strings.TrimSpace(n.Email), FirstName: n.FirstName, LastName: n.LastName,
		SystemAdmin: n.SystemAdmin, Created: s.now(), Version: 1}
	if n.Password != "" {
		h, err := s.newPasswordHash(n.Password)
		if err != nil {
			return User{}, err
		}
		u.PasswordHash = h
	}
	if err := s.Store.CreateUser(ctx, u); err != nil {
		return User{}, err
	}
	return u, nil
}

// AccountChanges are what a system admin changes of an account; nil
// leaves a part.
type AccountChanges struct {
	SystemAdmin, Disabled *bool
	FirstName, LastName   *string
}

// UpdateAccount changes the account with the address. A disabled account
// cannot sign in, and its sessions end. Permission: system admins; none
// may take their own privilege or disable themself (Conflict), so the
// instance keeps the admin making the change. Errors: as
// RequireSystemAdmin; NotFound; Invalid; Conflict.
func (s *Service) UpdateAccount(ctx context.Context, callerID, email string, c AccountChanges) (User, error) {
	if _, err := s.requireSystemAdmin(ctx, callerID); err != nil {
		return User{}, err
	}
	for _, f := range []struct {
		name  string
		value *string
	}{{"firstName", c.FirstName}, {"lastName", c.LastName}} {
		if f.value != nil {
			if err := ValidateName(f.name, *f.value); err != nil {
				return User{}, err
			}
		}
	}
	if len(email) > MaxEmailLength {
		return User{}, failure.New(failure.NotFound, "no such user")
	}
	userID, err := s.Store.UserIDByEmail(ctx, NormalizeEmail(email))
	if err != nil {
		return User{}, err
	}
	if userID == callerID && (c.SystemAdmin != nil && !*c.SystemAdmin || c.Disabled != nil && *c.Disabled) {
		return User{}, failure.New(failure.Conflict, "a system admin cannot take their own privilege or disable themself")
	}
	for attempt := 0; attempt < 3; attempt++ {
		u, err := s.Store.GetUser(ctx, userID)
		if err != nil {
			return User{}, err
		}
		for _, f := range []struct {
			value *bool
			dst   *bool
		}{{c.SystemAdmin, &u.SystemAdmin}, {c.Disabled, &u.Disabled}} {
			if f.value != nil {
				*f.dst = *f.value
			}
		}
		override(&u.FirstName, deref(c.FirstName))
		override(&u.LastName, deref(c.LastName))
		u.Version++
		err = s.Store.UpdateUser(ctx, u, "")
		if err == nil {
			if u.Disabled {
				return u, s.RevokeSessions(ctx, u.ID, "")
			}
			return u, nil
		}
		if !failure.As(err).Retry {
			return User{}, err
		}
	}
	return User{}, failure.Race("user")
}

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

// Limits of Accounts: one page, and how deep pages reach.
const (
	MaxAccountsPage   = 100
	MaxAccountsListed = 10000
)

// Accounts lists the instance's accounts in address order, page (from 1)
// of perPage (at most MaxAccountsPage), read by bounded Queries from the
// first page on. Permission: system admins. Errors: as
// RequireSystemAdmin; Invalid for a page past MaxAccountsListed accounts.
func (s *Service) Accounts(ctx context.Context, callerID string, page, perPage int) ([]User, error) {
	if _, err := s.requireSystemAdmin(ctx, callerID); err != nil {
		return nil, err
	}
	if perPage <= 0 || perPage > MaxAccountsPage {
		perPage = MaxAccountsPage
	}
	if page <= 0 {
		page = 1
	}
	if page*perPage > MaxAccountsListed {
		return nil, failure.Field("page", "pages reach at most %d accounts", MaxAccountsListed)
	}
	after := ""
	for p := 1; ; p++ {
		users, err := s.Store.UsersPage(ctx, after, perPage)
		if err != nil {
			return nil, err
		}
		if p == page || len(users) < perPage {
			if p < page {
				return []User{}, nil
			}
			return users, nil
		}
		after = NormalizeEmail(users[len(users)-1].Email)
	}
}
