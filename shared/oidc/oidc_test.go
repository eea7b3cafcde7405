package oidc_test

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"net/url"
	"testing"

	"github.com/effektif-serverless/caseflow/shared/failure"
	"github.com/effektif-serverless/caseflow/shared/oidc"
	"github.com/effektif-serverless/caseflow/shared/oidc/oidctest"
)

const verifier = "a-pkce-verifier-that-is-long-enough-to-be-valid-0123456789"

func challenge(v string) string {
	sum := sha256.Sum256([]byte(v))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

func start(t *testing.T) (*oidctest.Server, *oidc.Providers) {
	t.Helper()
	idp, err := oidctest.Start("client-1", "secret-1", oidctest.User{Subject: "u1", Email: "ada@example.com", EmailVerified: true, Name: "Ada"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(idp.Close)
	p, err := oidc.Parse(`[{"key":"idp","issuer":"` + idp.Issuer + `","clientId":"client-1","clientSecret":"secret-1","redirectUrl":"http://127.0.0.1:1/callback"}]`)
	if err != nil {
		t.Fatal(err)
	}
	return idp, p
}

// authorize follows the authorization URL and returns the code and state
// the provider redirects back with.
func authorize(t *testing.T, authURL string) (code, state string) {
	t.Helper()
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Get(authURL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound {
		t.Fatalf("authorize: %s", resp.Status)
	}
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	if loc.Host != "127.0.0.1:1" || loc.Path != "/callback" {
		t.Fatalf("redirected to %s", loc)
	}
	return loc.Query().Get("code"), loc.Query().Get("state")
}

func TestCodeFlow(t *testing.T) {
	ctx := context.Background()
	_, p := start(t)
	if keys := p.Keys(); len(keys) != 1 || keys[0] != "idp" {
		t.Fatalf("keys %v", keys)
	}
	authURL, err := p.AuthURL(ctx, "idp", "state-1", "nonce-1", challenge(verifier))
	if err != nil {
		t.Fatal(err)
	}
	q := mustQuery(t, authURL)
	if q.Get("code_challenge_method") != "S256" || q.Get("nonce") != "nonce-1" || q.Get("scope") != "openid email profile" {
		t.Fatalf("authorization URL %s", authURL)
	}
	code, state := authorize(t, authURL)
	if state != "state-1" || code == "" {
		t.Fatalf("code %q state %q", code, state)
	}
	claims, err := p.Exchange(ctx, "idp", code, verifier, "nonce-1")
	if err != nil {
		t.Fatal(err)
	}
	if claims != (oidc.Claims{Subject: "u1", Email: "ada@example.com", EmailVerified: true, Name: "Ada"}) {
		t.Fatalf("claims %+v", claims)
	}
	// A code works once.
	if _, err := p.Exchange(ctx, "idp", code, verifier, "nonce-1"); !failure.Is(err, failure.Unauthenticated) {
		t.Fatalf("second exchange: %v", err)
	}
}

func TestExchangeRefusals(t *testing.T) {
	ctx := context.Background()
	_, p := start(t)
	codeFor := func(nonce string) string {
		u, err := p.AuthURL(ctx, "idp", "s", nonce, challenge(verifier))
		if err != nil {
			t.Fatal(err)
		}
		code, _ := authorize(t, u)
		return code
	}
	if _, err := p.Exchange(ctx, "idp", codeFor("n"), verifier+"x", "n"); !failure.Is(err, failure.Unauthenticated) {
		t.Errorf("wrong PKCE verifier: %v", err)
	}
	if _, err := p.Exchange(ctx, "idp", codeFor("n"), verifier, "other"); !failure.Is(err, failure.Unauthenticated) {
		t.Errorf("wrong nonce: %v", err)
	}
	if _, err := p.Exchange(ctx, "idp", "made-up", verifier, "n"); !failure.Is(err, failure.Unauthenticated) {
		t.Errorf("unknown code: %v", err)
	}
	if _, err := p.Exchange(ctx, "nope", "c", verifier, "n"); !failure.Is(err, failure.NotFound) {
		t.Errorf("unknown provider: %v", err)
	}
	if _, err := p.AuthURL(ctx, "nope", "s", "n", "c"); !failure.Is(err, failure.NotFound) {
		t.Errorf("unknown provider: %v", err)
	}
}

func TestWrongSecretAndAudience(t *testing.T) {
	ctx := context.Background()
	idp, _ := start(t)
	// A wrong client secret: the provider refuses the code.
	p, err := oidc.New(oidc.Config{Key: "idp", Issuer: idp.Issuer, ClientID: "client-1", ClientSecret: "wrong", RedirectURL: "http://127.0.0.1:1/callback"})
	if err != nil {
		t.Fatal(err)
	}
	u, err := p.AuthURL(ctx, "idp", "s", "n", challenge(verifier))
	if err != nil {
		t.Fatal(err)
	}
	code, _ := authorize(t, u)
	if _, err := p.Exchange(ctx, "idp", code, verifier, "n"); !failure.Is(err, failure.Unauthenticated) {
		t.Errorf("wrong secret: %v", err)
	}
}

func TestUnreachableProvider(t *testing.T) {
	idp, p := start(t)
	idp.Close()
	if _, err := p.AuthURL(context.Background(), "idp", "s", "n", "c"); !failure.Is(err, failure.Unavailable) {
		t.Fatalf("closed provider: %v", err)
	}
}

func TestParse(t *testing.T) {
	for _, bad := range []string{
		`{`, `[{"key":"a b","issuer":"http://x","clientId":"c","redirectUrl":"http://r"}]`,
		`[{"key":"a","issuer":"","clientId":"c","redirectUrl":"http://r"}]`,
		`[{"key":"a","issuer":"http://x","clientId":"c","redirectUrl":"http://r"},{"key":"a","issuer":"http://x","clientId":"c","redirectUrl":"http://r"}]`,
	} {
		if _, err := oidc.Parse(bad); err == nil {
			t.Errorf("accepted %s", bad)
		}
	}
	for _, empty := range []string{"", "[]"} {
		p, err := oidc.Parse(empty)
		if err != nil || len(p.Keys()) != 0 {
			t.Errorf("%q: %v %v", empty, p, err)
		}
	}
}

func mustQuery(t *testing.T, raw string) url.Values {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return u.Query()
}
