package identity

import (
	"context"
	"time"

	"github.com/effektif-serverless/caseflow/shared/failure"
	"github.com/effektif-serverless/caseflow/shared/secret"
)

// A password login with a second factor (the 10Duke sessions): the
// password first, then, for a user with a verified TOTP credential
// (User.HasTOTP), a passcode (CheckTOTP).
//
//   - A login without the passcode, or with a wrong one, answers
//     ErrSecondFactorRequired together with a state token: a one-time
//     token (OneTimeSecondFactor, stored by its hash, valid
//     SecondFactorTTL) that stands for the checked password. It is no
//     bearer token anywhere (it is not a session). FinishSecondFactor
//     takes it once with a passcode; a wrong passcode there answers a new
//     state token, so the user may type again, and the passcode checks
//     stay throttled per user (CheckTOTP).
//   - A wrong password answers errBadCredentials and no state, whatever
//     the passcode: the passcode is looked at only after the password.
//   - The logins that ask for no passcode (Login: the Effektif and
//     Windmill logins; ConfirmPasswordReset) open no session of a user
//     who enrolled TOTP (ErrPasscodeElsewhere): an enrolled second factor
//     is never skipped by signing in through another API.
//   - ReadOnly makes a read-only session (Caller.ReadOnly): the 10Duke
//     scope "read".

// OneTimeSecondFactor is the kind of the one-time token of a password
// login waiting for its passcode.
const OneTimeSecondFactor = "second-factor"

// SecondFactorTTL is how long a login waits for its passcode.
const SecondFactorTTL = 5 * time.Minute

// ErrSecondFactorRequired answers a login whose password was right and
// whose passcode is missing or wrong; it comes with a state token.
var ErrSecondFactorRequired = failure.New(failure.Unauthenticated, "a TOTP passcode is required")

// PasswordLogin is a login with a password and, where the user enrolled
// one, a passcode.
type PasswordLogin struct {
	Email, Password, Passcode string
	ReadOnly                  bool
}

// LoginWithSecondFactor signs a user in with their password and, when
// they have a verified TOTP credential, a passcode. It answers the login,
// or ErrSecondFactorRequired with a state token for FinishSecondFactor.
// Errors: as Login (Unauthenticated for bad credentials, TooManyRequests);
// ErrSecondFactorRequired; TooManyRequests for too many wrong passcodes.
func (s *Service) LoginWithSecondFactor(ctx context.Context, l PasswordLogin) (Login, string, error) {
	user, err := s.checkPassword(ctx, l.Email, l.Password)
	if err != nil {
		return Login{}, "", err
	}
	return s.secondFactor(ctx, user, l.Passcode, l.ReadOnly)
}

// FinishSecondFactor finishes a login that waits for its passcode: the
// state token (taken once) and a passcode. Errors: Unauthenticated for an
// unknown, used or expired state; ErrSecondFactorRequired with a new
// state for a wrong passcode; TooManyRequests.
func (s *Service) FinishSecondFactor(ctx context.Context, state, passcode string) (Login, string, error) {
	ot, err := s.takeOneTime(ctx, OneTimeSecondFactor, state, func(OneTime, *User) (bool, error) { return false, nil })
	if err != nil {
		return Login{}, "", errBadCredentials
	}
	if ot.user.Disabled {
		return Login{}, "", errBadCredentials
	}
	return s.secondFactor(ctx, ot.user, passcode, ot.Data["readOnly"] == "true")
}

// secondFactor checks the passcode of a user whose password was checked
// and starts the session, or answers a state token.
func (s *Service) secondFactor(ctx context.Context, user User, passcode string, readOnly bool) (Login, string, error) {
	if user.HasTOTP() {
		if passcode == "" {
			return s.awaitPasscode(ctx, user, readOnly)
		}
		if err := s.CheckTOTP(ctx, user.ID, passcode); err != nil {
			if failure.Is(err, failure.Unauthenticated) {
				return s.awaitPasscode(ctx, user, readOnly)
			}
			return Login{}, "", err
		}
	}
	login, err := s.startSessionOf(ctx, user, readOnly)
	return login, "", err
}

// awaitPasscode stores a state token for the user's login.
func (s *Service) awaitPasscode(ctx context.Context, user User, readOnly bool) (Login, string, error) {
	state, err := secret.NewToken()
	if err != nil {
		return Login{}, "", failure.Wrap(err, "make login state")
	}
	ot := OneTime{Kind: OneTimeSecondFactor, CodeHash: secret.TokenHash(state), UserID: user.ID, Expires: s.now().Add(SecondFactorTTL)}
	if readOnly {
		ot.Data = map[string]string{"readOnly": "true"}
	}
	if err := s.Store.PutOneTime(ctx, ot); err != nil {
		return Login{}, "", err
	}
	return Login{}, state, ErrSecondFactorRequired
}
