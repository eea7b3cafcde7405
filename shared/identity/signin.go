package identity

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/effektif-serverless/caseflow/shared/failure"
	"github.com/effektif-serverless/caseflow/shared/mail"
	"github.com/effektif-serverless/caseflow/shared/secret"
)

// Limits of the sign-in flows.
const (
	// MaxFailedLogins failed password logins of one address within
	// LoginWindow lock it out until the window ends.
	MaxFailedLogins = 5
	LoginWindow     = 15 * time.Minute
	ResetTTL        = time.Hour
	HandoverTTL     = 2 * time.Minute
)

// Kinds of one-time tokens.
const (
	OneTimeReset    = "reset"
	OneTimeHandover = "handover"
)

// OneTime is a single-use token: stored by the hash of its code, taken
// (deleted) exactly once, expiring through TTL.
type OneTime struct {
	Kind     string
	CodeHash string
	UserID   string
	// Data holds what the token carries (a redirect, an organization key).
	Data    map[string]string
	Expires time.Time
}

// Throttle is the count of failed logins of an address in the current window.
type Throttle struct {
	Count int
	Until time.Time
}

// ThrottledError is a login refused because of too many failures; the
// caller may try again after RetryAfter.
type ThrottledError struct {
	RetryAfter time.Duration
}

func (e *ThrottledError) Error() string {
	return fmt.Sprintf("too many failed logins; try again in %d seconds", int(e.RetryAfter.Seconds())+1)
}

// throttled returns the TooManyRequests failure for a throttle in force.
func throttled(t Throttle, now time.Time) error {
	wait := t.Until.Sub(now)
	return &failure.Error{Code: failure.TooManyRequests, Message: (&ThrottledError{RetryAfter: wait}).Error(), Details: map[string]int{"retryAfterSeconds": int(wait.Seconds()) + 1}}
}

// RequestPasswordReset mails a single-use reset code, valid ResetTTL, to
// the address if it has an account. It answers the same whether or not it
// does, and never says which.
func (s *Service) RequestPasswordReset(ctx context.Context, email string) error {
	if ValidateEmail("emailAddress", email) != nil {
		return failure.Field("emailAddress", "emailAddress is not a valid email address")
	}
	userID, err := s.Store.UserIDByEmail(ctx, NormalizeEmail(email))
	if failure.Is(err, failure.NotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	code, err := secret.NewCode()
	if err != nil {
		return failure.Wrap(err, "make reset code")
	}
	if err := s.Store.PutOneTime(ctx, OneTime{Kind: OneTimeReset, CodeHash: secret.TokenHash(code), UserID: userID, Expires: s.now().Add(ResetTTL)}); err != nil {
		return err
	}
	link := strings.TrimRight(s.BaseURL, "/") + "/api/v1/users/confirm?code=" + code
	_, err = s.Mail.Send(ctx, mail.Message{To: strings.TrimSpace(email), Subject: "Reset your password",
		Text: fmt.Sprintf("Someone asked to reset the password of your account.\n\nYour reset code is:\n\n    %s\n\n"+
			"It can be used once within %d minutes: %s\n\nIf it was not you, ignore this mail; your password stays as it is.\n",
			code, int(ResetTTL.Minutes()), link)})
	if err != nil {
		return &failure.Error{Code: failure.Unavailable, Message: "the reset mail could not be sent", Cause: err}
	}
	return nil
}

// ConfirmPasswordReset sets a new password with a reset code (once) and
// signs the user in. Errors: Invalid (a weak password), Gone (an unknown,
// used or expired code).
func (s *Service) ConfirmPasswordReset(ctx context.Context, code, password string) (Login, error) {
	if err := ValidatePassword("password", password); err != nil {
		return Login{}, err
	}
	ot, err := s.takeOneTime(ctx, OneTimeReset, code, func(ot OneTime) (func(*User), error) {
		hash, err := secret.HashPassword(password)
		if err != nil {
			return nil, failure.Wrap(err, "hash password")
		}
		return func(u *User) { u.PasswordHash = hash }, nil
	})
	if err != nil {
		return Login{}, err
	}
	if err := s.Store.ClearFailedLogins(ctx, ot.user.Email); err != nil {
		return Login{}, err
	}
	return s.startSession(ctx, ot.user)
}

// taken is a one-time token that was taken, with its user as changed.
type taken struct {
	OneTime
	user User
}

var errBadCode = failure.New(failure.Gone, "the code is unknown, used or expired")

// takeOneTime takes a one-time token of the kind: reads it, then deletes
// it in one transaction with the change to its user that change returns
// (nil for none), so the code works once and the change happens with it.
func (s *Service) takeOneTime(ctx context.Context, kind, code string, change func(OneTime) (func(*User), error)) (taken, error) {
	if code == "" || len(code) > 100 {
		return taken{}, errBadCode
	}
	ot, err := s.Store.GetOneTime(ctx, kind, secret.TokenHash(code))
	if failure.Is(err, failure.NotFound) || err == nil && !s.now().Before(ot.Expires) {
		return taken{}, errBadCode
	}
	if err != nil {
		return taken{}, err
	}
	user, err := s.Store.GetUser(ctx, ot.UserID)
	if err != nil {
		return taken{}, err
	}
	apply, err := change(ot)
	if err != nil {
		return taken{}, err
	}
	var updated *User
	if apply != nil {
		apply(&user)
		user.Version++
		updated = &user
	}
	if err := s.Store.TakeOneTime(ctx, ot, updated); err != nil {
		if failure.Is(err, failure.Conflict) {
			return taken{}, errBadCode
		}
		return taken{}, err
	}
	return taken{OneTime: ot, user: user}, nil
}

// startSession makes a new session for a user and answers the login.
func (s *Service) startSession(ctx context.Context, user User) (Login, error) {
	token, session, err := s.newSession(user.ID)
	if err != nil {
		return Login{}, err
	}
	if err := s.Store.PutSession(ctx, session); err != nil {
		return Login{}, err
	}
	return s.loginFor(ctx, token, user)
}

// Handover is a one-time login reference made by a signed-in user.
type Handover struct {
	Reference       string
	RedirectTo      string
	OrganizationKey string
}

// CreateHandover makes a one-time reference, valid HandoverTTL, with which
// another client (a browser the user is sent to) signs in as the caller.
// Permission: the user themself, in an organization they belong to.
// Errors: as Tenant; Forbidden for another user's id; Invalid redirect.
func (s *Service) CreateHandover(ctx context.Context, callerID, orgKey, userID, redirectTo string) (Handover, error) {
	if _, _, err := s.Tenant(ctx, callerID, orgKey); err != nil {
		return Handover{}, err
	}
	if userID != callerID {
		return Handover{}, failure.New(failure.Forbidden, "a handover is made by the user themself")
	}
	if len(redirectTo) > 2000 || strings.ContainsAny(redirectTo, "\r\n") {
		return Handover{}, failure.Field("redirectTo", "redirectTo is not a valid path or URL")
	}
	code, err := secret.NewToken()
	if err != nil {
		return Handover{}, failure.Wrap(err, "make handover reference")
	}
	ot := OneTime{Kind: OneTimeHandover, CodeHash: secret.TokenHash(code), UserID: callerID,
		Data: map[string]string{"redirectTo": redirectTo, "organizationKey": orgKey}, Expires: s.now().Add(HandoverTTL)}
	if err := s.Store.PutOneTime(ctx, ot); err != nil {
		return Handover{}, err
	}
	return Handover{Reference: code, RedirectTo: redirectTo, OrganizationKey: orgKey}, nil
}

// RedeemHandover exchanges a handover reference, once and in time, for a
// new session. Errors: Gone for an unknown, used or expired reference.
func (s *Service) RedeemHandover(ctx context.Context, reference string) (Login, Handover, error) {
	ot, err := s.takeOneTime(ctx, OneTimeHandover, reference, func(OneTime) (func(*User), error) { return nil, nil })
	if err != nil {
		return Login{}, Handover{}, err
	}
	if ot.user.Disabled {
		return Login{}, Handover{}, errBadCode
	}
	login, err := s.startSession(ctx, ot.user)
	return login, Handover{RedirectTo: ot.Data["redirectTo"], OrganizationKey: ot.Data["organizationKey"]}, err
}
