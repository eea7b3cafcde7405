package identity

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/effektif-serverless/caseflow/shared/failure"
	"github.com/effektif-serverless/caseflow/shared/mail"
	"github.com/effektif-serverless/caseflow/shared/secret"
)

// Limits of the sign-in flows.
const (
	// MaxFailedLogins failed password logins of one address within one
	// LoginWindow (fixed windows, the clock's quarter hours) lock it out
	// until the window ends.
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

// throttled returns the TooManyRequests failure for a limit in force
// until t.Until; what names what was counted ("failed logins of this
// address"), so that the answer says which limit it is.
func throttled(t Throttle, now time.Time, what string) error {
	wait := int(t.Until.Sub(now).Seconds()) + 1
	return &failure.Error{Code: failure.TooManyRequests, Message: fmt.Sprintf("too many %s; try again in %d seconds", what, wait),
		Details: map[string]int{"retryAfterSeconds": wait}}
}

// RequestPasswordReset mails a single-use reset code, valid ResetTTL, to
// the address; a new code makes the address's older ones stop working. It
// answers the same, and does the same work, whether or not the address has
// an account: an address without one gets a mail that says so (and a code
// that is stored nowhere usable), so neither the answer nor its time tells
// which. Mails per address are limited (MaxMailsPerAddress); beyond the
// limit it answers the same and sends nothing. Errors: Invalid address.
func (s *Service) RequestPasswordReset(ctx context.Context, email string) error {
	if ValidateEmail(FieldEmail, email) != nil {
		return failure.Field(FieldEmail, "the email address is not valid")
	}
	email = strings.TrimSpace(email)
	userID, err := s.Store.UserIDByEmail(ctx, NormalizeEmail(email))
	if err != nil && !failure.Is(err, failure.NotFound) {
		return err
	}
	code, err := secret.NewCode()
	if err != nil {
		return failure.Wrap(err, "make reset code")
	}
	// Without an account the token has no user: it can never be used.
	ot := OneTime{Kind: OneTimeReset, CodeHash: secret.TokenHash(code), UserID: userID, Expires: s.now().Add(ResetTTL)}
	if err := s.Store.ReplaceOneTime(ctx, ot, NormalizeEmail(email)); err != nil {
		return err
	}
	msg := mail.Message{To: email, Subject: "Reset your password",
		Text: fmt.Sprintf("Someone asked to reset the password of your account.\n\nYour reset code is:\n\n    %s\n\n"+
			"It can be used once within %d minutes.\n%s\nIf it was not you, ignore this mail; your password stays as it is.\n",
			code, int(ResetTTL.Minutes()), linkLine("", s.links().PasswordReset(code)))}
	if userID == "" {
		msg.Text = "Someone asked to reset the password of the account with this address, but this address has no account.\n\n" +
			"If it was you, you may have signed up with another address. If it was not you, ignore this mail.\n"
	}
	_, _, err = s.sendLimited(ctx, msg, "reset")
	return err
}

// ConfirmPasswordReset sets a new password with a reset code (once), ends
// every session of the user and signs them in with a new one; a user who
// enrolled TOTP gets the new password but no session
// (ErrPasscodeElsewhere): the mailed code stands for the address, not for
// the second factor. Errors: Invalid (a weak password), Gone (an unknown,
// used, replaced or expired code).
func (s *Service) ConfirmPasswordReset(ctx context.Context, code, password string) (Login, error) {
	user, err := s.ResetPassword(ctx, "", code, password)
	if err != nil {
		return Login{}, err
	}
	if user.HasTOTP() {
		return Login{}, &failure.Error{Code: failure.Unauthenticated, Message: "the new password is set; " + passcodeElsewhere}
	}
	return s.startSession(ctx, user)
}

// ResetPassword sets a new password with a reset code (once), claims a
// registered identity (User.RegisteredBy) in the same write, and ends
// every session of the user; with email set, the code must be the reset
// code of that address (else Gone, and the code stays). Errors: as
// ConfirmPasswordReset.
func (s *Service) ResetPassword(ctx context.Context, email, code, password string) (User, error) {
	if err := ValidatePassword("password", password); err != nil {
		return User{}, err
	}
	ot, err := s.takeOneTime(ctx, OneTimeReset, code, func(ot OneTime, u *User) (bool, error) {
		if email != "" && NormalizeEmail(email) != NormalizeEmail(u.Email) {
			return false, errBadCode
		}
		hash, err := s.passwords().Hash(password)
		if err != nil {
			return false, failure.Wrap(err, "hash password")
		}
		u.PasswordHash = hash
		claim(u)
		return true, nil
	})
	if err != nil {
		return User{}, err
	}
	if err := s.RevokeSessions(ctx, ot.user.ID, ""); err != nil {
		return User{}, err
	}
	if err := s.Store.ClearReservations(ctx, loginLimit(NormalizeEmail(ot.user.Email)), LoginWindow, s.now()); err != nil {
		return User{}, err
	}
	return ot.user, nil
}

// taken is a one-time token that was taken, with its user as changed.
type taken struct {
	OneTime
	user User
}

var errBadCode = failure.New(failure.Gone, "the code is unknown, used or expired")

// takeOneTime takes a one-time token of the kind: reads it and its user,
// lets change alter the user (it reports whether it did), then deletes the
// token in one transaction with the changed user (and the address items
// when the address changed), so the code works once and the change
// happens with it. A token without a user is never taken (errBadCode).
func (s *Service) takeOneTime(ctx context.Context, kind, code string, change func(OneTime, *User) (bool, error)) (taken, error) {
	if code == "" || len(code) > 100 {
		return taken{}, errBadCode
	}
	ot, err := s.Store.GetOneTime(ctx, kind, secret.TokenHash(code))
	if failure.Is(err, failure.NotFound) || err == nil && (!s.now().Before(ot.Expires) || ot.UserID == "") {
		return taken{}, errBadCode
	}
	if err != nil {
		return taken{}, err
	}
	user, err := s.Store.GetUser(ctx, ot.UserID)
	if failure.Is(err, failure.NotFound) {
		return taken{}, errBadCode
	}
	if err != nil {
		return taken{}, err
	}
	oldEmail := user.Email
	changed, err := change(ot, &user)
	if err != nil {
		return taken{}, err
	}
	var updated *User
	if changed {
		user.Version++
		updated = &user
	}
	if NormalizeEmail(oldEmail) == NormalizeEmail(user.Email) {
		oldEmail = ""
	}
	if err := s.Store.TakeOneTime(ctx, ot, updated, oldEmail); err != nil {
		if failure.Is(err, failure.Conflict) && !errors.Is(err, ErrEmailTaken) {
			return taken{}, errBadCode
		}
		return taken{}, err
	}
	return taken{OneTime: ot, user: user}, nil
}

// startSession makes a new session for a user and answers the login.
func (s *Service) startSession(ctx context.Context, user User) (Login, error) {
	return s.startSessionOf(ctx, user, false)
}

// startSessionOf makes a new session for a user, read-only or not, and
// answers the login.
func (s *Service) startSessionOf(ctx context.Context, user User, readOnly bool) (Login, error) {
	token, session, err := s.newSession(user.ID)
	if err != nil {
		return Login{}, err
	}
	session.ReadOnly = readOnly
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
func (s *Service) CreateHandover(ctx context.Context, a Access, userID, redirectTo string) (Handover, error) {
	if userID != a.UserID {
		return Handover{}, failure.New(failure.Forbidden, "a handover is made by the user themself")
	}
	if err := s.checkRedirect(redirectTo); err != nil {
		return Handover{}, err
	}
	code, err := secret.NewToken()
	if err != nil {
		return Handover{}, failure.Wrap(err, "make handover reference")
	}
	ot := OneTime{Kind: OneTimeHandover, CodeHash: secret.TokenHash(code), UserID: a.UserID,
		Data: map[string]string{"redirectTo": redirectTo, "organizationKey": a.Organization.Key}, Expires: s.now().Add(HandoverTTL)}
	if err := s.Store.PutOneTime(ctx, ot); err != nil {
		return Handover{}, err
	}
	return Handover{Reference: code, RedirectTo: redirectTo, OrganizationKey: a.Organization.Key}, nil
}

// RedeemHandover exchanges a handover reference, once and in time, for a
// new session. Errors: Gone for an unknown, used or expired reference.
func (s *Service) RedeemHandover(ctx context.Context, reference string) (Login, Handover, error) {
	ot, err := s.takeOneTime(ctx, OneTimeHandover, reference, func(OneTime, *User) (bool, error) { return false, nil })
	if err != nil {
		return Login{}, Handover{}, err
	}
	if ot.user.Disabled {
		return Login{}, Handover{}, errBadCode
	}
	login, err := s.startSession(ctx, ot.user)
	return login, Handover{RedirectTo: ot.Data["redirectTo"], OrganizationKey: ot.Data["organizationKey"]}, err
}

// MaxRedirectLength bounds a handover's redirect.
const MaxRedirectLength = 2000

// checkRedirect accepts where a handover may send its browser: nothing, a
// path on this site ("/..." but not "//host" or "/\\host"), or an absolute
// URL under the configured BaseURL (same scheme, host and port, and a path
// below BaseURL's). Anything else (another site, javascript:, data:,
// control characters) is Invalid: a handover must not become an open
// redirect.
// dotSegments reports whether a (decoded) path has a "." or ".."
// segment, which would leave the path it seems to be under.
func dotSegments(path string) bool {
	for _, seg := range strings.Split(path, "/") {
		if seg == "." || seg == ".." {
			return true
		}
	}
	return false
}

func (s *Service) checkRedirect(to string) error {
	bad := failure.Field("redirectTo", "redirectTo must be a path on this site or a URL under %s", s.BaseURL)
	if to == "" {
		return nil
	}
	if len(to) > MaxRedirectLength || !utf8.ValidString(to) || strings.ContainsFunc(to, func(r rune) bool { return r < 0x20 || r == 0x7f || r == '\\' }) {
		return bad
	}
	if strings.HasPrefix(to, "/") && !strings.HasPrefix(to, "//") {
		if u, err := url.Parse(to); err == nil && u.Scheme == "" && u.Host == "" && !dotSegments(u.Path) {
			return nil
		}
		return bad
	}
	u, err := url.Parse(to)
	if err == nil && dotSegments(u.Path) {
		return bad
	}
	base, berr := url.Parse(strings.TrimRight(s.BaseURL, "/"))
	if err != nil || berr != nil || s.BaseURL == "" || u.User != nil || !strings.EqualFold(u.Scheme, base.Scheme) || !strings.EqualFold(u.Host, base.Host) {
		return bad
	}
	if base.Path != "" && u.Path != base.Path && !strings.HasPrefix(u.Path, base.Path+"/") {
		return bad
	}
	return nil
}
