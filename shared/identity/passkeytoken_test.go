package identity

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/effektif-serverless/caseflow/shared/failure"
)

var fuzzSecret = []byte("fuzzing secret, thirty-two bytes")

func TestChallengeTokenRoundTrip(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	challenge := bytes.Repeat([]byte{7}, challengeBytes)
	in := challengeClaims{Purpose: purposeRegistration, Challenge: challenge, UserID: "u1", Name: "Mein Schlüssel"}
	token := signChallenge(fuzzSecret, in, now)
	out, err := openChallenge(fuzzSecret, token, now.Add(ChallengeTTL-time.Second))
	if err != nil {
		t.Fatal(err)
	}
	if out.Purpose != in.Purpose || !bytes.Equal(out.Challenge, challenge) || out.UserID != "u1" || out.Name != in.Name ||
		out.Expires != now.Add(ChallengeTTL).Unix() || out.Version != 1 {
		t.Fatalf("claims: %+v", out)
	}
	if _, err := openChallenge(fuzzSecret, token, now.Add(ChallengeTTL)); !errors.Is(err, errChallengeExpired) {
		t.Fatalf("at the expiry: %v", err)
	}
	if _, err := openChallenge([]byte("another secret, thirty-two bytes"), token, now); !errors.Is(err, errChallengeInvalid) {
		t.Fatalf("another secret: %v", err)
	}
	// Claims the issuer never makes are refused even when signed.
	for name, c := range map[string]challengeClaims{
		"short challenge":       {Purpose: purposeLogin, Challenge: challenge[:15]},
		"unknown purpose":       {Purpose: "reset", Challenge: challenge},
		"registration, no user": {Purpose: purposeRegistration, Challenge: challenge},
	} {
		if _, err := openChallenge(fuzzSecret, signChallenge(fuzzSecret, c, now), now); !errors.Is(err, errChallengeInvalid) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// FuzzOpenChallenge: the parser of challenge tokens never panics, answers
// every token it refuses with a 4xx failure naming the field, and accepts
// only what signChallenge made with the secret: a token it accepts is
// exactly the token of its claims.
func FuzzOpenChallenge(f *testing.F) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	challenge := bytes.Repeat([]byte{1}, challengeBytes)
	for _, c := range []challengeClaims{
		{Purpose: purposeRegistration, Challenge: challenge, UserID: "0123456789abcdef01234567", Name: "laptop"},
		{Purpose: purposeLogin, Challenge: challenge, Email: "a@example.com"},
		{Purpose: purposeDiscoverable, Challenge: challenge},
	} {
		token := signChallenge(fuzzSecret, c, now)
		f.Add(token)
		f.Add(strings.Replace(token, ".", "..", 1))
		f.Add(token[:len(token)/2])
	}
	f.Add("")
	f.Add("pk1..")
	f.Add("pk1.e30.AAAA")
	f.Fuzz(func(t *testing.T, token string) {
		c, err := openChallenge(fuzzSecret, token, now)
		if err != nil {
			var fe *failure.Error
			if !errors.As(err, &fe) || fe.Status() < 400 || fe.Status() > 499 || fe.Field != FieldChallengeToken {
				t.Fatalf("%q: %v", token, err)
			}
			return
		}
		again := signChallenge(fuzzSecret, c, time.Unix(c.Expires, 0).Add(-ChallengeTTL))
		if again != token {
			t.Fatalf("accepted %q, which is not the token of its claims %q", token, again)
		}
	})
}
