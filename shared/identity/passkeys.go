package identity

// Passkeys: WebAuthn credentials that sign a user in without a password.
//
// The core holds the rules: who may register, list and delete which
// passkey, the challenge tokens that carry a ceremony from its begin to
// its finish (signed, single-use, expiring: passkeytoken.go), the
// signature counters that refuse a cloned authenticator, the limits, and
// the answer to a login by an address that has no passkeys. The
// cryptography of the ceremonies (building the options, verifying
// attestations and assertions) is Service.WebAuthn's, package webauthnrp
// over github.com/go-webauthn/webauthn, set only in the functions that
// serve passkeys, so that the others (the authorizer first) do not link it.
//
// Configuration: Service.PasskeySecret (PASSKEY_SECRET, read by
// identityenv) signs the challenge tokens and must be the same in every
// function that begins or finishes a ceremony; the relying party (its id
// WEBAUTHN_RP_ID, its name WEBAUTHN_RP_NAME and the allowed origins
// WEBAUTHN_ORIGINS) is webauthnrp.FromEnv's.
//
// Decisions:
//   - A login by address (BeginPasskeyLogin) answers the same shape for
//     every well-formed address: options with allowCredentials and a token.
//     An address with no account, a disabled account or one without passkeys
//     gets a decoy credential id derived from the address and the secret
//     (stable across calls, like a real user's), and its finish fails like
//     any wrong assertion (Unauthenticated). The epilot client definition
//     lists a 404 for authenticateBegin; it is never answered, so that the
//     operation does not tell which addresses have passkeys.
//   - A token is spent by the first finish that presents it, whatever that
//     finish's outcome: a failed attempt needs a new begin.
//   - A signature counter that does not increase, when either the stored
//     or the presented one is not zero, marks a cloned authenticator: the
//     login is refused (Forbidden) and nothing is stored. Authenticators that
//     always report zero (synced passkeys) pass.

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/effektif-serverless/caseflow/shared/failure"
)

// Limits of passkeys.
const (
	// MaxPasskeys bounds the passkeys of one user.
	MaxPasskeys = 20
	// MaxPasskeyResponseBytes bounds a registration or assertion response
	// (the JSON a browser's PublicKeyCredential serializes to).
	MaxPasskeyResponseBytes = 64 << 10
	// MaxCredentialIDBytes bounds a credential id (WebAuthn caps them at
	// 1023 bytes).
	MaxCredentialIDBytes = 1023
	// MinPasskeySecretLength is the shortest PasskeySecret accepted.
	MinPasskeySecretLength = 32
	// maxTransports bounds the transports stored with a credential.
	maxTransports = 8
)

// The canonical names of the passkey fields in the core's errors.
const (
	FieldChallengeToken       = "challengeToken"
	FieldRegistrationResponse = "registrationResponse"
	FieldAssertionResponse    = "assertionResponse"
	FieldFriendlyName         = "friendlyName"
)

// Passkey is a registered credential as its user sees it.
type Passkey struct {
	// CredentialID is the credential's id in unpadded base64url, as
	// WebAuthn clients name it (and DeletePasskey takes it).
	CredentialID string
	FriendlyName string
	Created      time.Time
	// LastUsed is the last sign-in with it; zero when never.
	LastUsed time.Time
	// Transports are the ways the client said it reaches the
	// authenticator (usb, nfc, ble, smart-card, hybrid, internal).
	Transports []string
	// AAGUID names the authenticator's model (UUID form); all zeros when
	// the authenticator does not say.
	AAGUID string
}

// PasskeyCredential is a stored credential: what verifying its assertions
// needs. It stays in the core; callers see Passkey.
type PasskeyCredential struct {
	// ID is the credential id, raw bytes.
	ID     []byte
	UserID string
	// PublicKey is the credential's public key, a COSE_Key.
	PublicKey         []byte
	AttestationType   string
	AttestationFormat string
	Transports        []string
	AAGUID            []byte
	// SignCount is the authenticator's signature counter as last seen.
	SignCount uint32
	// Flags are the authenticator data flags (UP, UV, BE, BS) as the last
	// ceremony left them.
	Flags        byte
	Attachment   string
	FriendlyName string
	Created      time.Time
	LastUsed     time.Time
}

// PasskeyUser is a user as WebAuthn names them: the user handle (the
// stable bytes of the identity: its id), a name (the address) and a
// display name.
type PasskeyUser struct {
	Handle      []byte
	Name        string
	DisplayName string
}

// PasskeyAssertion is what a verified assertion tells.
type PasskeyAssertion struct {
	// CredentialID is the credential that signed.
	CredentialID []byte
	// Counter is the signature counter the authenticator reported.
	Counter uint32
	// Flags are the credential's flags to store after this assertion.
	Flags byte
}

// PasskeyOwner finds the user of a credential while an assertion is
// verified: from the credential id and the user handle of the response
// (nil when the authenticator sent none), the user and every credential
// they hold. Its error ends the verification as it is.
type PasskeyOwner func(credentialID, userHandle []byte) (PasskeyUser, []PasskeyCredential, error)

// WebAuthn is the cryptographic part of the ceremonies, for one relying
// party (package webauthnrp). Options are the JSON the browser's
// navigator.credentials.create or get is called with. Errors are
// *failure.Error values: Invalid (naming the response's field) for a
// response that cannot be read, Unauthenticated for one that does not
// verify (a wrong challenge, origin, relying party or signature).
type WebAuthn interface {
	// CreationOptions are the options of a registration for user with
	// the challenge, excluding the credentials the user holds.
	CreationOptions(user PasskeyUser, challenge []byte, exclude []PasskeyCredential) (json.RawMessage, error)
	// VerifyCreation verifies a registration response (its attestation)
	// for user and the challenge, and returns the new credential (ID,
	// PublicKey, attestation, transports, AAGUID, SignCount, Flags,
	// Attachment).
	VerifyCreation(user PasskeyUser, challenge []byte, response json.RawMessage) (PasskeyCredential, error)
	// RequestOptions are the options of a login with the challenge that
	// allow the credentials (none: a discoverable login, where the
	// browser offers the passkeys it has for the relying party).
	RequestOptions(challenge []byte, allow []PasskeyCredential) (json.RawMessage, error)
	// VerifyAssertion reads an assertion response, asks owner for the
	// user of its credential and verifies the assertion for the challenge
	// against that user's credential of the response's id.
	VerifyAssertion(challenge []byte, response json.RawMessage, owner PasskeyOwner) (PasskeyAssertion, error)
}

// PasskeyStore is the part of Store behind passkeys. Keys are the raw
// credential ids; implementations return *failure.Error values like
// Store's.
type PasskeyStore interface {
	// ConsumePasskeyChallenge records the challenge (challengeKey's
	// name of it) as used until expires: one conditional write, so of
	// concurrent consumers exactly one succeeds; ErrChallengeUsed for the
	// others and for any later one.
	ConsumePasskeyChallenge(ctx context.Context, challenge string, expires time.Time) error
	// AddPasskey stores a new credential of c.UserID with the look-up of
	// its id and counts it in the user's PasskeyCount (a change of the
	// user: its Version goes up), together; ErrPasskeyTaken when the id
	// is registered already (to anyone), ErrTooManyPasskeys when the user
	// holds max passkeys or is gone.
	AddPasskey(ctx context.Context, c PasskeyCredential, max int) error
	// PasskeysOfUser lists up to limit credentials of the user: one
	// bounded Query.
	PasskeysOfUser(ctx context.Context, userID string, limit int) ([]PasskeyCredential, error)
	// PasskeyOwner returns the id of the user holding the credential;
	// NotFound when no one does.
	PasskeyOwner(ctx context.Context, credentialID []byte) (string, error)
	// DeletePasskey deletes the user's credential and its look-up and
	// counts the user's PasskeyCount down, together; NotFound when the
	// user holds no such credential (another user's included).
	DeletePasskey(ctx context.Context, userID string, credentialID []byte) error
	// RecordPasskeyUse stores c's SignCount, Flags and LastUsed on
	// condition that the stored counter is previous: a retryable Conflict
	// when another login changed it meanwhile, NotFound when the
	// credential is gone.
	RecordPasskeyUse(ctx context.Context, c PasskeyCredential, previous uint32) error
}

// Errors of PasskeyStore that the service passes on.
var (
	ErrChallengeUsed = &failure.Error{Code: failure.Gone, Field: FieldChallengeToken,
		Message: "the challenge token has been used; begin the passkey ceremony again"}
	ErrPasskeyTaken = &failure.Error{Code: failure.Conflict, Field: FieldRegistrationResponse,
		Message: "this credential is registered already"}
	ErrTooManyPasskeys = failure.New(failure.Conflict,
		"a user holds at most %d passkeys; delete one first", MaxPasskeys)
)

var (
	// errNoPasskeys is the failure of a ceremony in a function that was
	// not given the passkey configuration: a wiring fault, never a
	// client's.
	errNoPasskeys = failure.New(failure.Internal,
		"passkeys are not configured here (identity.Service.WebAuthn, and PasskeySecret of at least %d bytes)", MinPasskeySecretLength)
	// errPasskeyRefused is the one answer to every login whose assertion
	// does not verify for a known credential, so it tells nothing about
	// which part was wrong.
	errPasskeyRefused = failure.New(failure.Unauthenticated, "the passkey could not be verified")
	errPasskeyCloned  = failure.New(failure.Forbidden,
		"the passkey's signature counter did not increase: the authenticator may have been cloned; sign in otherwise and replace this passkey")
	errNoSuchPasskey = failure.New(failure.NotFound, "no such passkey")
)

// HasPasskeys reports whether the user has registered a passkey.
func (u User) HasPasskeys() bool { return u.PasskeyCount > 0 }

// PasskeysEnabled reports whether this service runs passkey ceremonies
// (its WebAuthn and PasskeySecret are set), for the dialects' flags such
// as epilot's passkey_enabled.
func (s *Service) PasskeysEnabled() bool {
	return s.WebAuthn != nil && len(s.PasskeySecret) >= MinPasskeySecretLength
}

func (s *Service) requirePasskeys() error {
	if !s.PasskeysEnabled() {
		return errNoPasskeys
	}
	return nil
}

// BeginPasskeyRegistration starts registering a passkey for the caller:
// it answers the creation options (the user handle is the caller's id;
// the caller's passkeys are excluded) and a challenge token for
// CompletePasskeyRegistration, which keeps friendlyName.
// Permission: any signed-in user, for themself. Errors: Unauthenticated
// without a caller; Invalid for a friendly name that is not a display
// text (ValidateName); Conflict (ErrTooManyPasskeys) when the caller holds
// MaxPasskeys; Internal when passkeys are not configured.
func (s *Service) BeginPasskeyRegistration(ctx context.Context, callerID, friendlyName string) (json.RawMessage, string, error) {
	if err := s.requirePasskeys(); err != nil {
		return nil, "", err
	}
	name, err := friendlyNameOf(friendlyName)
	if err != nil {
		return nil, "", err
	}
	user, err := s.caller(ctx, callerID)
	if err != nil {
		return nil, "", err
	}
	creds, err := s.Store.PasskeysOfUser(ctx, user.ID, MaxPasskeys)
	if err != nil {
		return nil, "", err
	}
	if len(creds) >= MaxPasskeys {
		return nil, "", ErrTooManyPasskeys
	}
	challenge, err := newChallenge()
	if err != nil {
		return nil, "", err
	}
	options, err := s.WebAuthn.CreationOptions(passkeyUser(user), challenge, creds)
	if err != nil {
		return nil, "", err
	}
	token := signChallenge(s.PasskeySecret, challengeClaims{Purpose: purposeRegistration, Challenge: challenge, UserID: user.ID, Name: name}, s.now())
	return options, token, nil
}

// CompletePasskeyRegistration finishes a registration the caller began:
// it spends the challenge token, verifies the registration response (the
// attestation, for the token's challenge, the relying party and its
// origins) and stores the credential. friendlyName, when not empty,
// replaces the one given at the begin.
// Permission: the caller the token was issued to. Errors: Unauthenticated
// without a caller; Invalid (FieldChallengeToken) for a token that is
// malformed, changed, or not a registration token of the caller; Gone for
// an expired or spent token (ErrChallengeUsed); Invalid
// (FieldRegistrationResponse) for a response that is malformed or does
// not verify, TooLarge for one over MaxPasskeyResponseBytes; Invalid for a
// bad friendly name; Conflict for a credential registered already
// (ErrPasskeyTaken) or MaxPasskeys reached (ErrTooManyPasskeys); Internal
// when passkeys are not configured.
func (s *Service) CompletePasskeyRegistration(ctx context.Context, callerID, challengeToken string, response json.RawMessage, friendlyName string) (Passkey, error) {
	if err := s.requirePasskeys(); err != nil {
		return Passkey{}, err
	}
	if callerID == "" {
		return Passkey{}, failure.New(failure.Unauthenticated, "sign in first")
	}
	claims, err := openChallenge(s.PasskeySecret, challengeToken, s.now())
	if err != nil {
		return Passkey{}, err
	}
	if claims.Purpose != purposeRegistration || claims.UserID != callerID {
		return Passkey{}, errChallengeWrongCeremony
	}
	name, err := friendlyNameOf(friendlyName)
	if err != nil {
		return Passkey{}, err
	}
	if name == "" {
		name = claims.Name
	}
	if err := checkPasskeyResponse(FieldRegistrationResponse, response); err != nil {
		return Passkey{}, err
	}
	user, err := s.caller(ctx, callerID)
	if err != nil {
		return Passkey{}, err
	}
	if err := s.Store.ConsumePasskeyChallenge(ctx, challengeKey(claims.Challenge), time.Unix(claims.Expires, 0)); err != nil {
		return Passkey{}, err
	}
	cred, err := s.WebAuthn.VerifyCreation(passkeyUser(user), claims.Challenge, response)
	if failure.Is(err, failure.Unauthenticated) {
		// The caller is signed in: a response that does not verify is
		// bad input of theirs.
		return Passkey{}, &failure.Error{Code: failure.Invalid, Field: FieldRegistrationResponse, Message: failure.As(err).Message}
	}
	if err != nil {
		return Passkey{}, err
	}
	if len(cred.ID) == 0 || len(cred.ID) > MaxCredentialIDBytes {
		return Passkey{}, failure.Field(FieldRegistrationResponse, "the credential id must have 1 to %d bytes", MaxCredentialIDBytes)
	}
	cred.UserID, cred.FriendlyName, cred.Created = user.ID, name, s.now()
	cred.Transports = cleanTransports(cred.Transports)
	if err := s.Store.AddPasskey(ctx, cred, MaxPasskeys); err != nil {
		return Passkey{}, err
	}
	slog.InfoContext(ctx, "passkey registered", "userId", user.ID)
	return cred.Passkey(), nil
}

// Passkeys lists the caller's passkeys, oldest first.
// Permission: any signed-in user, their own. Errors: Unauthenticated
// without a caller.
func (s *Service) Passkeys(ctx context.Context, callerID string) ([]Passkey, error) {
	user, err := s.caller(ctx, callerID)
	if err != nil {
		return nil, err
	}
	creds, err := s.Store.PasskeysOfUser(ctx, user.ID, MaxPasskeys)
	if err != nil {
		return nil, err
	}
	slices.SortFunc(creds, func(a, b PasskeyCredential) int {
		if c := a.Created.Compare(b.Created); c != 0 {
			return c
		}
		return bytes.Compare(a.ID, b.ID)
	})
	out := make([]Passkey, len(creds))
	for i, c := range creds {
		out[i] = c.Passkey()
	}
	return out, nil
}

// DeletePasskey deletes one of the caller's passkeys, named by its
// credential id in base64url (padded or not). The caller's other sessions
// stay.
// Permission: any signed-in user, their own. Errors: Unauthenticated
// without a caller; NotFound for a malformed id, an unknown one and
// another user's.
func (s *Service) DeletePasskey(ctx context.Context, callerID, credentialID string) error {
	if callerID == "" {
		return failure.New(failure.Unauthenticated, "sign in first")
	}
	id, ok := decodeCredentialID(credentialID)
	if !ok {
		return errNoSuchPasskey
	}
	if err := s.Store.DeletePasskey(ctx, callerID, id); err != nil {
		if failure.Is(err, failure.NotFound) {
			return errNoSuchPasskey
		}
		return err
	}
	slog.InfoContext(ctx, "passkey deleted", "userId", callerID)
	return nil
}

// BeginPasskeyLogin starts a login with a passkey of the account with the
// address: it answers request options that allow the account's
// credentials, and a challenge token for FinishPasskeyLogin. Every
// well-formed address gets the same shape: one that has no account, a
// disabled account or no passkeys gets a decoy credential id (see the
// decisions above), and its finish fails as Unauthenticated.
// Permission: anyone. Errors: Invalid for a malformed address; Internal
// when passkeys are not configured.
func (s *Service) BeginPasskeyLogin(ctx context.Context, email string) (json.RawMessage, string, error) {
	if err := s.requirePasskeys(); err != nil {
		return nil, "", err
	}
	if err := ValidateEmail(FieldEmail, email); err != nil {
		return nil, "", err
	}
	normalized := NormalizeEmail(email)
	creds, err := s.loginCredentials(ctx, normalized)
	if err != nil {
		return nil, "", err
	}
	if len(creds) == 0 {
		creds = []PasskeyCredential{s.decoyCredential(normalized)}
	}
	return s.beginLogin(challengeClaims{Purpose: purposeLogin, Email: normalized}, creds)
}

// loginCredentials are the passkeys a login by the address may use: none
// for an unknown address or a disabled account.
func (s *Service) loginCredentials(ctx context.Context, normalizedEmail string) ([]PasskeyCredential, error) {
	userID, err := s.Store.UserIDByEmail(ctx, normalizedEmail)
	if failure.Is(err, failure.NotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	user, err := s.Store.GetUser(ctx, userID)
	if failure.Is(err, failure.NotFound) || err == nil && user.Disabled {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return s.Store.PasskeysOfUser(ctx, user.ID, MaxPasskeys)
}

// BeginDiscoverableLogin starts a login without an address: the request
// options allow no credentials (the browser offers the passkeys it holds
// for the relying party), with a challenge token for FinishPasskeyLogin.
// Permission: anyone. Errors: Internal when passkeys are not configured.
func (s *Service) BeginDiscoverableLogin(ctx context.Context) (json.RawMessage, string, error) {
	if err := s.requirePasskeys(); err != nil {
		return nil, "", err
	}
	return s.beginLogin(challengeClaims{Purpose: purposeDiscoverable}, nil)
}

func (s *Service) beginLogin(claims challengeClaims, allow []PasskeyCredential) (json.RawMessage, string, error) {
	challenge, err := newChallenge()
	if err != nil {
		return nil, "", err
	}
	options, err := s.WebAuthn.RequestOptions(challenge, allow)
	if err != nil {
		return nil, "", err
	}
	claims.Challenge = challenge
	return options, signChallenge(s.PasskeySecret, claims, s.now()), nil
}

// FinishPasskeyLogin finishes a login begun with BeginPasskeyLogin or
// BeginDiscoverableLogin: it spends the challenge token, verifies the
// assertion (for the token's challenge, the relying party and its origins,
// with the credential's stored public key; for a login by address the
// credential must be that account's, for a discoverable one its owner is
// found by the credential id and must match the user handle), checks the
// signature counter and stores it, and answers the user who signed; the
// first one claims a registered identity (User.RegisteredBy). It starts
// no session: the dialect decides what the identity gets.
// Permission: anyone holding the passkey. Errors: Invalid
// (FieldChallengeToken) for a malformed or changed token or one of a
// registration; Gone for an expired or spent token (ErrChallengeUsed);
// Invalid (FieldAssertionResponse) for a response that cannot be read,
// TooLarge for one over MaxPasskeyResponseBytes; Unauthenticated, always
// with the same message, for an assertion that does not verify, an unknown
// credential, a user who is gone or disabled; Forbidden for a signature
// counter that did not increase (a cloned authenticator; nothing is
// stored); a retryable Conflict when another login with the same
// credential stored its counter meanwhile; Internal when passkeys are not
// configured.
func (s *Service) FinishPasskeyLogin(ctx context.Context, challengeToken string, response json.RawMessage) (User, error) {
	if err := s.requirePasskeys(); err != nil {
		return User{}, err
	}
	claims, err := openChallenge(s.PasskeySecret, challengeToken, s.now())
	if err != nil {
		return User{}, err
	}
	if claims.Purpose != purposeLogin && claims.Purpose != purposeDiscoverable {
		return User{}, errChallengeWrongCeremony
	}
	if err := checkPasskeyResponse(FieldAssertionResponse, response); err != nil {
		return User{}, err
	}
	if err := s.Store.ConsumePasskeyChallenge(ctx, challengeKey(claims.Challenge), time.Unix(claims.Expires, 0)); err != nil {
		return User{}, err
	}
	var user User
	var creds []PasskeyCredential
	owner := func(credentialID, userHandle []byte) (PasskeyUser, []PasskeyCredential, error) {
		var err error
		user, creds, err = s.passkeyOwner(ctx, claims, credentialID, userHandle)
		return passkeyUser(user), creds, err
	}
	a, err := s.WebAuthn.VerifyAssertion(claims.Challenge, response, owner)
	if err != nil {
		if failure.Is(err, failure.Unauthenticated) {
			slog.InfoContext(ctx, "passkey login refused", "reason", failure.As(err).Message)
			return User{}, errPasskeyRefused
		}
		return User{}, err
	}
	i := slices.IndexFunc(creds, func(c PasskeyCredential) bool { return bytes.Equal(c.ID, a.CredentialID) })
	if user.ID == "" || i < 0 {
		return User{}, errPasskeyRefused
	}
	cred := creds[i]
	if (a.Counter != 0 || cred.SignCount != 0) && a.Counter <= cred.SignCount {
		slog.WarnContext(ctx, "passkey signature counter did not increase: refused as a cloned authenticator",
			"userId", user.ID, "stored", cred.SignCount, "presented", a.Counter)
		return User{}, errPasskeyCloned
	}
	previous := cred.SignCount
	cred.SignCount, cred.Flags, cred.LastUsed = a.Counter, a.Flags, s.now()
	if err := s.Store.RecordPasskeyUse(ctx, cred, previous); err != nil {
		if failure.Is(err, failure.NotFound) {
			return User{}, errPasskeyRefused
		}
		return User{}, err
	}
	if user, err = s.claimAtSignIn(ctx, user); err != nil {
		return User{}, err
	}
	slog.InfoContext(ctx, "passkey login", "userId", user.ID)
	return user, nil
}

// passkeyOwner is the user whose credential an assertion names, and their
// credentials: the account of the token's address for a login by address,
// the credential's owner for a discoverable login (the user handle, when
// sent, must name the same user). An unknown credential or user, and a
// disabled one, are errPasskeyRefused.
func (s *Service) passkeyOwner(ctx context.Context, claims challengeClaims, credentialID, userHandle []byte) (User, []PasskeyCredential, error) {
	if len(credentialID) == 0 || len(credentialID) > MaxCredentialIDBytes {
		return User{}, nil, errPasskeyRefused
	}
	var userID string
	var err error
	if claims.Purpose == purposeLogin {
		userID, err = s.Store.UserIDByEmail(ctx, claims.Email)
	} else {
		userID, err = s.Store.PasskeyOwner(ctx, credentialID)
	}
	if failure.Is(err, failure.NotFound) {
		return User{}, nil, errPasskeyRefused
	}
	if err != nil {
		return User{}, nil, err
	}
	if len(userHandle) > 0 && !hmac.Equal(userHandle, []byte(userID)) {
		return User{}, nil, errPasskeyRefused
	}
	user, err := s.Store.GetUser(ctx, userID)
	if failure.Is(err, failure.NotFound) || err == nil && user.Disabled {
		return User{}, nil, errPasskeyRefused
	}
	if err != nil {
		return User{}, nil, err
	}
	creds, err := s.Store.PasskeysOfUser(ctx, user.ID, MaxPasskeys)
	if err != nil {
		return User{}, nil, err
	}
	return user, creds, nil
}

// decoyCredential is the credential a login by an address without
// passkeys allows: an id that is the same for the address at every call
// and that no authenticator holds, with the transports of a typical
// passkey.
func (s *Service) decoyCredential(normalizedEmail string) PasskeyCredential {
	m := hmac.New(sha256.New, deriveKey(s.PasskeySecret, "decoy credential v1"))
	m.Write([]byte(normalizedEmail))
	return PasskeyCredential{ID: m.Sum(nil), Transports: []string{"hybrid", "internal"}}
}

// Passkey is the credential as its user sees it.
func (c PasskeyCredential) Passkey() Passkey {
	return Passkey{
		CredentialID: base64.RawURLEncoding.EncodeToString(c.ID),
		FriendlyName: c.FriendlyName,
		Created:      c.Created,
		LastUsed:     c.LastUsed,
		Transports:   slices.Clone(c.Transports),
		AAGUID:       formatAAGUID(c.AAGUID),
	}
}

// passkeyUser is the user as WebAuthn names them; the handle is the id.
func passkeyUser(u User) PasskeyUser {
	display := strings.TrimSpace(u.FirstName + " " + u.LastName)
	if display == "" {
		display = u.Email
	}
	return PasskeyUser{Handle: []byte(u.ID), Name: u.Email, DisplayName: display}
}

func friendlyNameOf(name string) (string, error) {
	name = strings.TrimSpace(name)
	if err := ValidateName(FieldFriendlyName, name); err != nil {
		return "", err
	}
	return name, nil
}

// checkPasskeyResponse bounds a response and checks that it is a JSON
// object.
func checkPasskeyResponse(field string, response json.RawMessage) error {
	trimmed := bytes.TrimSpace(response)
	if len(trimmed) == 0 || string(trimmed) == "null" {
		return failure.Field(field, "%s is required", field)
	}
	if len(response) > MaxPasskeyResponseBytes {
		return &failure.Error{Code: failure.TooLarge, Field: field,
			Message: fmt.Sprintf("%s is larger than %d bytes", field, MaxPasskeyResponseBytes)}
	}
	if trimmed[0] != '{' || !json.Valid(trimmed) {
		return failure.Field(field, "%s must be a JSON object", field)
	}
	return nil
}

// decodeCredentialID reads a credential id in base64url, padded or not.
func decodeCredentialID(s string) ([]byte, bool) {
	if s == "" || len(s) > base64.URLEncoding.EncodedLen(MaxCredentialIDBytes) {
		return nil, false
	}
	id, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(s, "="))
	if err != nil || len(id) == 0 {
		return nil, false
	}
	return id, true
}

// knownTransports are the AuthenticatorTransport values of WebAuthn.
var knownTransports = []string{"usb", "nfc", "ble", "smart-card", "hybrid", "internal"}

// cleanTransports keeps the known transports, once each.
func cleanTransports(ts []string) []string {
	var out []string
	for _, t := range ts {
		if slices.Contains(knownTransports, t) && !slices.Contains(out, t) && len(out) < maxTransports {
			out = append(out, t)
		}
	}
	return out
}

// formatAAGUID writes a 16-byte AAGUID in UUID form; "" for anything else.
func formatAAGUID(b []byte) string {
	if len(b) != 16 {
		return ""
	}
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
