package identity

import (
	"bytes"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"strings"
	"time"

	"github.com/effektif-serverless/caseflow/shared/failure"
)

// Challenge tokens carry a WebAuthn ceremony from its begin to its finish
// without server-side state: the challenge the browser signs, what the
// ceremony is for, whom it is for and until when, signed with the
// deployment's PasskeySecret. The form is
//
//	pk1.<base64url(JSON claims)>.<base64url(HMAC-SHA256(key, "pk1." + claims part))>
//
// where key is derived from PasskeySecret for this use alone. The claims are
// readable by the client (they hold nothing it did not send or may not
// see: its own challenge, its own user id, the address it typed, the name
// it chose), but cannot be changed. A token is good for one finish: the
// finish records its challenge as used with a conditional write (see
// PasskeyStore.ConsumePasskeyChallenge) before it looks at the response.

// ChallengeTTL is the lifetime of a challenge token.
const ChallengeTTL = 5 * time.Minute

// MaxChallengeTokenLength bounds a challenge token as a client sends it back.
const MaxChallengeTokenLength = 4096

// challengeBytes is the length of a new challenge (WebAuthn asks for at
// least 16 random bytes).
const challengeBytes = 32

const tokenPrefix = "pk1"

// challengePurpose names the ceremony a token is for.
type challengePurpose string

// The ceremonies.
const (
	purposeRegistration challengePurpose = "registration"
	purposeLogin        challengePurpose = "login"
	purposeDiscoverable challengePurpose = "discoverable"
)

// challengeClaims are the contents of a challenge token.
type challengeClaims struct {
	Version   int              `json:"v"`
	Purpose   challengePurpose `json:"p"`
	Challenge []byte           `json:"c"`
	// UserID is the user a registration is for.
	UserID string `json:"u,omitempty"`
	// Email is the (normalized) address a login by address was begun
	// for: the token tells no more than the client typed, whether or not
	// the address has an account.
	Email string `json:"e,omitempty"`
	// Name is the friendly name given when a registration began.
	Name string `json:"n,omitempty"`
	// Expires is the end of the token's life, in Unix seconds.
	Expires int64 `json:"x"`
}

// The failures of a challenge token, all naming the challengeToken field.
var (
	errChallengeInvalid = &failure.Error{Code: failure.Invalid, Field: FieldChallengeToken,
		Message: "the challenge token is not valid"}
	errChallengeExpired = &failure.Error{Code: failure.Gone, Field: FieldChallengeToken,
		Message: "the challenge token has expired; begin the passkey ceremony again"}
	errChallengeWrongCeremony = &failure.Error{Code: failure.Invalid, Field: FieldChallengeToken,
		Message: "the challenge token was not issued for this ceremony"}
)

// deriveKey is the key of one use of the passkey secret.
func deriveKey(secret []byte, use string) []byte {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte("caseflow passkeys: " + use))
	return m.Sum(nil)
}

func tokenMAC(secret []byte, signed string) []byte {
	m := hmac.New(sha256.New, deriveKey(secret, "challenge token v1"))
	m.Write([]byte(signed))
	return m.Sum(nil)
}

// newChallenge returns challengeBytes random bytes.
func newChallenge() ([]byte, error) {
	c := make([]byte, challengeBytes)
	if _, err := rand.Read(c); err != nil {
		return nil, failure.Wrap(err, "make a challenge")
	}
	return c, nil
}

// signChallenge makes the token of c, which expires ChallengeTTL from now.
func signChallenge(secret []byte, c challengeClaims, now time.Time) string {
	c.Version = 1
	c.Expires = now.Add(ChallengeTTL).Unix()
	raw, _ := json.Marshal(c) // plain strings, bytes and numbers: cannot fail
	signed := tokenPrefix + "." + base64.RawURLEncoding.EncodeToString(raw)
	return signed + "." + base64.RawURLEncoding.EncodeToString(tokenMAC(secret, signed))
}

// openChallenge checks a token's signature, form and lifetime and returns
// its claims. Errors (all naming FieldChallengeToken): Invalid for a token
// that is malformed, signed with another key or changed; Gone for an
// expired one. The signature is checked before anything in the token is
// decoded.
func openChallenge(secret []byte, token string, now time.Time) (challengeClaims, error) {
	if token == "" {
		return challengeClaims{}, failure.Field(FieldChallengeToken, "%s is required", FieldChallengeToken)
	}
	if len(token) > MaxChallengeTokenLength {
		return challengeClaims{}, errChallengeInvalid
	}
	parts := strings.Split(token, ".")
	if len(parts) != 3 || parts[0] != tokenPrefix {
		return challengeClaims{}, errChallengeInvalid
	}
	mac, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil || !hmac.Equal(mac, tokenMAC(secret, parts[0]+"."+parts[1])) {
		return challengeClaims{}, errChallengeInvalid
	}
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return challengeClaims{}, errChallengeInvalid
	}
	var c challengeClaims
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil || dec.More() {
		return challengeClaims{}, errChallengeInvalid
	}
	switch {
	case c.Version != 1, len(c.Challenge) < 16 || len(c.Challenge) > 64, c.Expires <= 0:
		return challengeClaims{}, errChallengeInvalid
	case c.Purpose != purposeRegistration && c.Purpose != purposeLogin && c.Purpose != purposeDiscoverable:
		return challengeClaims{}, errChallengeInvalid
	case c.Purpose == purposeRegistration && c.UserID == "":
		return challengeClaims{}, errChallengeInvalid
	}
	if !now.Before(time.Unix(c.Expires, 0)) {
		return challengeClaims{}, errChallengeExpired
	}
	return c, nil
}

// challengeKey names a challenge in the store of used ones.
func challengeKey(challenge []byte) string {
	return base64.RawURLEncoding.EncodeToString(challenge)
}
