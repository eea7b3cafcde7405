package identity

// TOTP: time-based one-time passcodes (RFC 6238) as a user's second
// factor, over github.com/pquerna/otp (codes) and
// github.com/skip2/go-qrcode (the QR PNG of the otpauth URI).
//
// The flow: EnrollTOTP makes a pending credential (a new random secret,
// shown in that answer); VerifyTOTP with two consecutive passcodes makes
// it verified (the 10Duke document's rule: a credential is "not in use
// until it has been successfully verified", with "two correct consecutive
// passcodes" so that a badly set-up authenticator cannot lock its user
// out); from then on User.TOTPEnrolled is set (in the same transaction)
// and CheckTOTP answers for logins (the 10Duke sessions ask for a
// passcode then). DeleteTOTP removes it and clears the flag.
//
// Decisions:
//   - Codes: SHA-1, 6 digits, 30-second steps (what every authenticator
//     app reads from an otpauth URI), a 160-bit secret (RFC 4226's
//     recommendation); a code is accepted for its step and one step
//     either side (clock skew).
//   - A code works once: the credential keeps the last step a code was
//     accepted for (LastStep), and CheckTOTP records the new one with a
//     conditional write (stored LastStep < step), so a replayed code, a
//     code of an earlier step, and the loser of two concurrent logins with
//     one code are refused. VerifyTOTP records the step of its last code,
//     so the codes typed to verify do not also sign in.
//   - Throttle: CheckTOTP and VerifyTOTP count their attempts per user in
//     the same fixed windows as password logins (MaxFailedLogins per
//     LoginWindow; Store.Reserve before the code is looked at, Release on
//     success), so no more than MaxFailedLogins codes are ever evaluated
//     for a user in a window.
//   - The secret is encrypted at rest: AES-256-GCM with a key derived
//     (HKDF-SHA256) from Service.TOTPKey (TOTP_KEY, read by identityenv;
//     at least MinTOTPKeyLength bytes), a random nonce per seal and the
//     user's id as additional data (a sealed secret copied to another
//     user does not open). Without a key, enrolling, verifying and
//     checking fail with Internal (a wiring fault); DeleteTOTP and TOTP
//     still work.
//   - The secret, the otpauth URI and the QR code are shown while the
//     credential is pending only (EnrollTOTP's answer, TOTP and TOTPQR):
//     so a user who closed the enrollment page can still set up the
//     authenticator; once verified they are never shown again (a stolen
//     session cannot copy the second factor). TOTPQR of a verified
//     credential is NotFound, as is every call for a user without one.
//   - Enrolling again replaces a pending credential (a new secret); a
//     verified one must be deleted first (Conflict, ErrTOTPEnrolled).
//   - Permission: a signed-in user, for themself (callerID).

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"log/slog"
	"strings"
	"time"

	"github.com/effektif-serverless/caseflow/shared/failure"
)

// Parameters of the TOTP credentials.
const (
	// TOTPPeriod is the length of one time step.
	TOTPPeriod = 30 * time.Second
	// TOTPDigits is the length of a passcode.
	TOTPDigits = 6
	// TOTPSkew is how many steps before and after the current one a
	// code is accepted for.
	TOTPSkew = 1
	// TOTPSecretBytes is the length of a secret (160 bits).
	TOTPSecretBytes = 20
	// TOTPVerifyPasscodes is how many consecutive passcodes VerifyTOTP
	// takes.
	TOTPVerifyPasscodes = 2
	// MinTOTPKeyLength is the shortest Service.TOTPKey accepted.
	MinTOTPKeyLength = 32
	// TOTPQRSize is the width and height of the QR PNG in pixels.
	TOTPQRSize = 256
	// DefaultTOTPIssuer names the account in authenticator apps when
	// Service.TOTPIssuer is empty.
	DefaultTOTPIssuer = "caseflow"
)

// FieldPasscode is the canonical name of the passcode field in the core's
// errors (VerifyTOTP's passcodes, CheckTOTP's passcode).
const FieldPasscode = "passcode"

// TOTPCredential is a user's TOTP credential as stored. The secret is
// sealed (see the decisions above); it stays in the core.
type TOTPCredential struct {
	UserID string
	// Sealed is nonce || AES-GCM ciphertext of the raw secret.
	Sealed   []byte
	Verified bool
	Created  time.Time
	// VerifiedAt is when VerifyTOTP activated it; zero while pending.
	VerifiedAt time.Time
	// LastStep is the last time step (Unix seconds / 30) a code was
	// accepted for; 0 when none.
	LastStep int64
	Version  int
}

// TOTPEnrollment is what EnrollTOTP (and TOTP of a pending credential)
// shows: the secret in Base32 (no padding), the otpauth:// URI that
// carries it, and a PNG of the URI's QR code.
type TOTPEnrollment struct {
	Secret string
	URI    string
	QRPNG  []byte
}

// TOTPState is a user's credential as they see it: Enrollment is set
// while it is pending only (QRPNG only when asked for).
type TOTPState struct {
	Verified   bool
	Created    time.Time
	VerifiedAt time.Time
	Enrollment *TOTPEnrollment
}

// TOTPStore is the part of Store behind TOTP. Implementations return
// *failure.Error values like Store's.
type TOTPStore interface {
	// PutTOTP stores a pending credential (Verified false, Version 1),
	// replacing a pending one of the user; ErrTOTPEnrolled when the
	// user's credential is verified.
	PutTOTP(ctx context.Context, c TOTPCredential) error
	// GetTOTP reads the user's credential; NotFound when none.
	GetTOTP(ctx context.Context, userID string) (TOTPCredential, error)
	// ActivateTOTP stores c (Verified, VerifiedAt, LastStep; its Version
	// one above the stored one) on condition of the stored version and
	// that the stored credential is pending, and sets the user's
	// TOTPEnrolled (the user's Version goes up), together; a retryable
	// Conflict when the credential changed meanwhile (or is gone), NotFound
	// when the user is gone.
	ActivateTOTP(ctx context.Context, c TOTPCredential) error
	// UseTOTPStep records step as the user's LastStep on condition that
	// the stored credential is verified and its LastStep is below step:
	// one conditional update; ErrTOTPCodeUsed otherwise (the code's step
	// was used, a later one was, or the credential is pending or gone).
	UseTOTPStep(ctx context.Context, userID string, step int64) error
	// DeleteTOTP deletes the user's credential and clears the user's
	// TOTPEnrolled (the user's Version goes up), together; NotFound when
	// the user has none (or the user is gone).
	DeleteTOTP(ctx context.Context, userID string) error
}

// Errors of TOTPStore that the service acts on or passes on.
var (
	ErrTOTPEnrolled = failure.New(failure.Conflict, "a verified TOTP credential exists; delete it before enrolling again")
	ErrTOTPCodeUsed = &failure.Error{Code: failure.Unauthenticated, Field: FieldPasscode, Message: "the passcode is wrong or has been used"}
)

var (
	errNoTOTPKey = failure.New(failure.Internal,
		"TOTP is not configured here (identity.Service.TOTPKey of at least %d bytes)", MinTOTPKeyLength)
	errNoTOTP          = failure.New(failure.NotFound, "no TOTP credential")
	errNoPendingTOTP   = failure.New(failure.NotFound, "no pending TOTP credential")
	errTOTPNotVerified = failure.Field(FieldPasscode, "the passcodes are not %d consecutive codes of the credential", TOTPVerifyPasscodes)
	// errBadPasscode is the one answer to every refused login passcode.
	errBadPasscode = ErrTOTPCodeUsed
)

// HasTOTP reports whether the user has a verified TOTP credential: their
// logins need a passcode too.
func (u User) HasTOTP() bool { return u.TOTPEnrolled }

// TOTPEnabled reports whether this service can enroll and check TOTP
// credentials (its TOTPKey and OTP are set).
func (s *Service) TOTPEnabled() bool { return len(s.TOTPKey) >= MinTOTPKeyLength && s.OTP != nil }

func (s *Service) totpIssuer() string {
	if s.TOTPIssuer != "" {
		return s.TOTPIssuer
	}
	return DefaultTOTPIssuer
}

// totpAEAD is AES-256-GCM under the key derived from TOTPKey.
func (s *Service) totpAEAD() (cipher.AEAD, error) {
	if !s.TOTPEnabled() {
		return nil, errNoTOTPKey
	}
	key, err := hkdf.Key(sha256.New, s.TOTPKey, nil, "caseflow totp secret v1", 32)
	if err != nil {
		return nil, failure.Wrap(err, "derive the TOTP key")
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, failure.Wrap(err, "make the TOTP cipher")
	}
	return cipher.NewGCM(block)
}

func totpAAD(userID string) []byte { return []byte("totp:" + userID) }

func (s *Service) sealTOTP(userID string, raw []byte) ([]byte, error) {
	aead, err := s.totpAEAD()
	if err != nil {
		return nil, err
	}
	nonce := make([]byte, aead.NonceSize(), aead.NonceSize()+len(raw)+aead.Overhead())
	if _, err := rand.Read(nonce); err != nil {
		return nil, failure.Wrap(err, "make a nonce")
	}
	return aead.Seal(nonce, nonce, raw, totpAAD(userID)), nil
}

// openTOTP returns the credential's secret in Base32 (no padding).
func (s *Service) openTOTP(c TOTPCredential) (string, error) {
	aead, err := s.totpAEAD()
	if err != nil {
		return "", err
	}
	if len(c.Sealed) < aead.NonceSize() {
		return "", failure.New(failure.Internal, "the stored TOTP secret is malformed")
	}
	n := aead.NonceSize()
	raw, err := aead.Open(nil, c.Sealed[:n], c.Sealed[n:], totpAAD(c.UserID))
	if err != nil {
		return "", failure.Wrap(err, "open the stored TOTP secret (a changed TOTP_KEY?)")
	}
	return base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(raw), nil
}

// enrollment makes the otpauth URI and (withQR) the QR PNG of a secret.
func (s *Service) enrollment(user User, secret string, withQR bool) (*TOTPEnrollment, error) {
	raw, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(secret)
	if err != nil {
		return nil, failure.Wrap(err, "decode the TOTP secret")
	}
	uri, err := s.OTP.KeyURI(s.totpIssuer(), user.Email, raw, TOTPPeriod)
	if err != nil {
		return nil, failure.Wrap(err, "make the otpauth URI")
	}
	e := &TOTPEnrollment{Secret: secret, URI: uri}
	if withQR {
		png, err := s.OTP.QRPNG(e.URI, TOTPQRSize)
		if err != nil {
			return nil, failure.Wrap(err, "make the QR code")
		}
		e.QRPNG = png
	}
	return e, nil
}

// EnrollTOTP makes a new pending TOTP credential for the caller and
// answers its secret, otpauth URI and QR PNG; it replaces a pending one.
// The credential is not used until VerifyTOTP.
// Permission: a signed-in user, for themself. Errors: Unauthenticated
// without a caller; Conflict (ErrTOTPEnrolled) when the caller's credential
// is verified; Internal when TOTP is not configured.
func (s *Service) EnrollTOTP(ctx context.Context, callerID string) (TOTPEnrollment, error) {
	if !s.TOTPEnabled() {
		return TOTPEnrollment{}, errNoTOTPKey
	}
	user, err := s.caller(ctx, callerID)
	if err != nil {
		return TOTPEnrollment{}, err
	}
	raw := make([]byte, TOTPSecretBytes)
	if _, err := rand.Read(raw); err != nil {
		return TOTPEnrollment{}, failure.Wrap(err, "make a TOTP secret")
	}
	sealed, err := s.sealTOTP(user.ID, raw)
	if err != nil {
		return TOTPEnrollment{}, err
	}
	e, err := s.enrollment(user, base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(raw), true)
	if err != nil {
		return TOTPEnrollment{}, err
	}
	c := TOTPCredential{UserID: user.ID, Sealed: sealed, Created: s.now(), Version: 1}
	if err := s.Store.PutTOTP(ctx, c); err != nil {
		return TOTPEnrollment{}, err
	}
	slog.InfoContext(ctx, "TOTP credential enrolled (pending)", "userId", user.ID)
	return *e, nil
}

// TOTP answers the caller's credential: whether it is verified, and while
// it is pending its enrollment (the QR PNG when withQR).
// Permission: a signed-in user, their own. Errors: Unauthenticated without
// a caller; NotFound when the caller has no credential; Internal when a
// pending credential cannot be opened (TOTP not configured).
func (s *Service) TOTP(ctx context.Context, callerID string, withQR bool) (TOTPState, error) {
	user, err := s.caller(ctx, callerID)
	if err != nil {
		return TOTPState{}, err
	}
	c, err := s.getTOTP(ctx, user.ID)
	if err != nil {
		return TOTPState{}, err
	}
	st := TOTPState{Verified: c.Verified, Created: c.Created, VerifiedAt: c.VerifiedAt}
	if !c.Verified {
		secret, err := s.openTOTP(c)
		if err != nil {
			return TOTPState{}, err
		}
		if st.Enrollment, err = s.enrollment(user, secret, withQR); err != nil {
			return TOTPState{}, err
		}
	}
	return st, nil
}

// TOTPQR answers the PNG of the QR code of the caller's pending
// credential's otpauth URI.
// Permission: a signed-in user, their own. Errors: Unauthenticated without
// a caller; NotFound when the caller has no pending credential (none, or
// a verified one: its secret is never shown again); Internal when TOTP is
// not configured.
func (s *Service) TOTPQR(ctx context.Context, callerID string) ([]byte, error) {
	st, err := s.TOTP(ctx, callerID, true)
	if err != nil {
		return nil, err
	}
	if st.Enrollment == nil {
		return nil, errNoPendingTOTP
	}
	return st.Enrollment.QRPNG, nil
}

func (s *Service) getTOTP(ctx context.Context, userID string) (TOTPCredential, error) {
	c, err := s.Store.GetTOTP(ctx, userID)
	if failure.Is(err, failure.NotFound) {
		return TOTPCredential{}, errNoTOTP
	}
	return c, err
}

// VerifyTOTP activates the caller's pending credential with
// TOTPVerifyPasscodes consecutive passcodes (the last one of the current
// step or one either side, each earlier one of the step before the next):
// from then on the caller's logins need a passcode (User.TOTPEnrolled).
// The codes given cannot be used to log in.
// Permission: a signed-in user, their own. Errors: Unauthenticated without
// a caller; NotFound when the caller has no credential; Conflict
// (ErrTOTPEnrolled) when it is verified already; Invalid (FieldPasscode)
// for a wrong number of passcodes or codes that do not match;
// TooManyRequests as CheckTOTP; Internal when TOTP is not configured.
func (s *Service) VerifyTOTP(ctx context.Context, callerID string, passcodes []string) error {
	if !s.TOTPEnabled() {
		return errNoTOTPKey
	}
	user, err := s.caller(ctx, callerID)
	if err != nil {
		return err
	}
	if len(passcodes) != TOTPVerifyPasscodes {
		return failure.Field(FieldPasscode, "give %d consecutive passcodes", TOTPVerifyPasscodes)
	}
	c, err := s.getTOTP(ctx, user.ID)
	if err != nil {
		return err
	}
	if c.Verified {
		return ErrTOTPEnrolled
	}
	secret, err := s.openTOTP(c)
	if err != nil {
		return err
	}
	now := s.now()
	attempt := totpLimit(user.ID)
	throttle, ok, err := s.Store.Reserve(ctx, attempt, MaxFailedLogins, LoginWindow, now)
	if err != nil {
		return err
	}
	if !ok {
		return throttled(throttle, now, "wrong passcodes for this user")
	}
	last := int64(len(passcodes) - 1)
	step, matched := int64(0), false
	for _, candidate := range totpSteps(now) {
		good := true
		for i, code := range passcodes {
			if !s.codeOfStep(secret, candidate-last+int64(i), code) {
				good = false
				break
			}
		}
		if good {
			step, matched = candidate, true
			break
		}
	}
	if !matched {
		return errTOTPNotVerified
	}
	c.Verified, c.VerifiedAt, c.LastStep, c.Version = true, now, step, c.Version+1
	if err := s.Store.ActivateTOTP(ctx, c); err != nil {
		return err
	}
	if err := s.Store.Release(ctx, attempt, throttle); err != nil {
		return err
	}
	slog.InfoContext(ctx, "TOTP credential verified", "userId", user.ID)
	return nil
}

// DeleteTOTP deletes the caller's credential (pending or verified): their
// logins need no passcode any more.
// Permission: a signed-in user, their own. Errors: Unauthenticated without
// a caller; NotFound when the caller has none.
func (s *Service) DeleteTOTP(ctx context.Context, callerID string) error {
	user, err := s.caller(ctx, callerID)
	if err != nil {
		return err
	}
	if err := s.Store.DeleteTOTP(ctx, user.ID); err != nil {
		if failure.Is(err, failure.NotFound) {
			return errNoTOTP
		}
		return err
	}
	slog.InfoContext(ctx, "TOTP credential deleted", "userId", user.ID)
	return nil
}

// CheckTOTP checks a login's passcode for the user (the second factor,
// after their password): it must be a code of the user's verified
// credential for the current step or one either side, of a step later
// than the last one accepted; its step is recorded, so it works once.
// It is meant for a login in progress: the caller is the service that
// holds the user's first factor, not a signed-in user.
// Errors: Unauthenticated (ErrTOTPCodeUsed, one answer) for a wrong,
// malformed, used or older code and for a user without a verified
// credential; TooManyRequests once MaxFailedLogins attempts for the user
// failed within a LoginWindow (reserved before the code is looked at; a
// success gives its reservation back); Internal when TOTP is not
// configured.
func (s *Service) CheckTOTP(ctx context.Context, userID, passcode string) error {
	if !s.TOTPEnabled() {
		return errNoTOTPKey
	}
	if userID == "" {
		return errBadPasscode
	}
	now := s.now()
	attempt := totpLimit(userID)
	throttle, ok, err := s.Store.Reserve(ctx, attempt, MaxFailedLogins, LoginWindow, now)
	if err != nil {
		return err
	}
	if !ok {
		return throttled(throttle, now, "wrong passcodes for this user")
	}
	c, err := s.Store.GetTOTP(ctx, userID)
	if failure.Is(err, failure.NotFound) {
		return errBadPasscode
	}
	if err != nil {
		return err
	}
	if !c.Verified || !wellFormedPasscode(passcode) {
		return errBadPasscode
	}
	secret, err := s.openTOTP(c)
	if err != nil {
		return err
	}
	step, matched := int64(0), false
	for _, candidate := range totpSteps(now) {
		if candidate > c.LastStep && s.codeOfStep(secret, candidate, passcode) {
			step, matched = candidate, true
			break
		}
	}
	if !matched {
		return errBadPasscode
	}
	if err := s.Store.UseTOTPStep(ctx, userID, step); err != nil {
		return err
	}
	return s.Store.Release(ctx, attempt, throttle)
}

// totpLimit names the counter of a user's passcode attempts.
func totpLimit(userID string) string { return "TOTP#" + userID }

// totpSteps are the steps a code is accepted for at now, latest first
// (so that of two steps with the same code the later is recorded).
func totpSteps(now time.Time) []int64 {
	current := now.Unix() / int64(TOTPPeriod/time.Second)
	out := make([]int64, 0, 2*TOTPSkew+1)
	for d := int64(TOTPSkew); d >= -TOTPSkew; d-- {
		out = append(out, current+d)
	}
	return out
}

func wellFormedPasscode(code string) bool {
	if len(code) != TOTPDigits {
		return false
	}
	return strings.Trim(code, "0123456789") == ""
}

// OTP is the passcode and QR arithmetic of TOTP credentials (RFC 4226
// and 6238, otpauth URIs, QR images), behind an interface so that only
// the functions that serve TOTP link its libraries (shared/otpauth).
type OTP interface {
	// KeyURI is the otpauth:// URI of a six-digit SHA-1 secret.
	KeyURI(issuer, account string, secret []byte, period time.Duration) (string, error)
	// QRPNG is a PNG of the QR code of text, size pixels wide.
	QRPNG(text string, size int) ([]byte, error)
	// Valid reports whether code is the base32 secret's passcode of the
	// time step, compared in constant time.
	Valid(secret string, step uint64, code string) bool
}

// codeOfStep reports whether code is the secret's passcode of the step.
func (s *Service) codeOfStep(secret string, step int64, code string) bool {
	if step < 0 || !wellFormedPasscode(code) {
		return false
	}
	return s.OTP.Valid(secret, uint64(step), code)
}
