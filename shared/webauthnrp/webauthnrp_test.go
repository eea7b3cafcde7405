package webauthnrp

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/effektif-serverless/caseflow/shared/failure"
	"github.com/effektif-serverless/caseflow/shared/identity"
)

func TestNewChecksTheConfig(t *testing.T) {
	good := Config{RPID: "example.com", RPName: "Example", Origins: []string{"https://example.com", "https://app.example.com:8443"}}
	if _, err := New(good); err != nil {
		t.Fatal(err)
	}
	if _, err := New(Config{RPID: "localhost", RPName: "local", Origins: []string{"http://localhost:3000"}}); err != nil {
		t.Fatal("localhost over http:", err)
	}
	for name, c := range map[string]Config{
		"ip address":       {RPID: "127.0.0.1", RPName: "x", Origins: []string{"https://127.0.0.1"}},
		"scheme in id":     {RPID: "https://example.com", RPName: "x", Origins: []string{"https://example.com"}},
		"port in id":       {RPID: "example.com:443", RPName: "x", Origins: []string{"https://example.com"}},
		"no name":          {RPID: "example.com", Origins: []string{"https://example.com"}},
		"no origins":       {RPID: "example.com", RPName: "x"},
		"other domain":     {RPID: "example.com", RPName: "x", Origins: []string{"https://example.org"}},
		"suffix, no dot":   {RPID: "example.com", RPName: "x", Origins: []string{"https://badexample.com"}},
		"plain http":       {RPID: "example.com", RPName: "x", Origins: []string{"http://example.com"}},
		"path":             {RPID: "example.com", RPName: "x", Origins: []string{"https://example.com/app"}},
		"not a url":        {RPID: "example.com", RPName: "x", Origins: []string{"example.com"}},
		"user information": {RPID: "example.com", RPName: "x", Origins: []string{"https://u@example.com"}},
	} {
		if _, err := New(c); err == nil {
			t.Errorf("%s: accepted %+v", name, c)
		}
	}
}

func TestFromEnv(t *testing.T) {
	t.Setenv("WEBAUTHN_RP_ID", "")
	if rp, err := FromEnv(); rp != nil || err != nil {
		t.Fatalf("unset: %v, %v; want nil, nil", rp, err)
	}
	t.Setenv("WEBAUTHN_RP_ID", "example.com")
	t.Setenv("WEBAUTHN_ORIGINS", "")
	rp, err := FromEnv()
	if err != nil {
		t.Fatal(err)
	}
	options, err := rp.RequestOptions([]byte(strings.Repeat("c", 32)), nil)
	if err != nil {
		t.Fatal(err)
	}
	var o struct {
		PublicKey struct {
			RPID             string `json:"rpId"`
			Challenge        string `json:"challenge"`
			Timeout          int    `json:"timeout"`
			UserVerification string `json:"userVerification"`
			AllowCredentials []any  `json:"allowCredentials"`
		} `json:"publicKey"`
	}
	if err := json.Unmarshal(options, &o); err != nil {
		t.Fatal(err)
	}
	if o.PublicKey.RPID != "example.com" || o.PublicKey.Challenge != "Y2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2M" ||
		o.PublicKey.Timeout != int(identity.ChallengeTTL.Milliseconds()) || o.PublicKey.UserVerification != "preferred" ||
		len(o.PublicKey.AllowCredentials) != 0 {
		t.Fatalf("options %s", options)
	}
	t.Setenv("WEBAUTHN_ORIGINS", "https://example.com, https://evil.test")
	if _, err := FromEnv(); err == nil {
		t.Fatal("an origin off the domain was accepted")
	}
	t.Setenv("WEBAUTHN_ORIGINS", "https://app.example.com")
	t.Setenv("WEBAUTHN_REQUIRE_USER_VERIFICATION", "true")
	rp, err = FromEnv()
	if err != nil {
		t.Fatal(err)
	}
	options, _ = rp.RequestOptions([]byte(strings.Repeat("c", 32)), nil)
	if !strings.Contains(string(options), `"userVerification":"required"`) {
		t.Fatalf("options %s", options)
	}
}

func TestUnreadableResponses(t *testing.T) {
	rp, err := New(Config{RPID: "example.com", RPName: "x", Origins: []string{"https://example.com"}})
	if err != nil {
		t.Fatal(err)
	}
	challenge := []byte(strings.Repeat("c", 32))
	user := identity.PasskeyUser{Handle: []byte("u1"), Name: "a@example.com", DisplayName: "A"}
	for _, body := range []string{`{}`, `{"id":"x","rawId":"x","type":"public-key","response":{}}`, `{"id":1}`} {
		_, err := rp.VerifyCreation(user, challenge, json.RawMessage(body))
		if fe := failure.As(err); fe.Code != failure.Invalid || fe.Field != identity.FieldRegistrationResponse {
			t.Errorf("creation %s: %v", body, err)
		}
		called := false
		_, err = rp.VerifyAssertion(challenge, json.RawMessage(body), func(_, _ []byte) (identity.PasskeyUser, []identity.PasskeyCredential, error) {
			called = true
			return user, nil, nil
		})
		if fe := failure.As(err); fe.Code != failure.Invalid || fe.Field != identity.FieldAssertionResponse || called {
			t.Errorf("assertion %s: %v (owner asked: %v)", body, err, called)
		}
	}
}
