// Package oidc signs users in with external OpenID Connect providers: the
// authorization code flow with PKCE (S256), state and nonce. The ID token
// that the token endpoint answers is verified: signature (against the
// provider's JWKS), issuer, audience (the client id), expiry and nonce.
//
// Providers are configured from the environment variable OIDC_PROVIDERS, a
// JSON array of {key, issuer, clientId, clientSecret, redirectUrl, scopes}.
// Discovery (/.well-known/openid-configuration) happens on first use and is
// kept, with the JWKS it points to, for the life of the container; a failed
// discovery is tried again on the next use. Every HTTP call to a provider is
// bounded by Timeout.
package oidc

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"regexp"
	"sort"
	"sync"
	"time"

	gooidc "github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/effektif-serverless/caseflow/shared/failure"
)

// Timeout bounds each HTTP call to a provider.
const Timeout = 5 * time.Second

// EnvVar is the environment variable with the providers' configuration.
const EnvVar = "OIDC_PROVIDERS"

// Config is one provider's configuration.
type Config struct {
	// Key names the provider in /login/{providerKey}.
	Key          string   `json:"key"`
	Issuer       string   `json:"issuer"`
	ClientID     string   `json:"clientId"`
	ClientSecret string   `json:"clientSecret"`
	RedirectURL  string   `json:"redirectUrl"`
	Scopes       []string `json:"scopes"`
}

// Claims are the verified claims of an ID token.
type Claims struct {
	Subject       string
	Email         string
	EmailVerified bool
	Name          string
}

var keyPattern = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)
})

// Providers is a set of configured providers, safe for concurrent use.
type Providers struct {
	client *http.Client
	byKey  map[string]*provider
}

type provider struct {
	cfg Config

	mu       sync.Mutex
	oauth    *oauth2.Config
	verifier *gooidc.IDTokenVerifier
}

// FromEnv reads the providers from OIDC_PROVIDERS; unset or empty means none.
func FromEnv() (*Providers, error) {
	return Parse(os.Getenv(EnvVar))
}

// Parse reads a JSON array of provider configurations.
func Parse(text string) (*Providers, error) {
	var cfgs []Config
	if text != "" {
		if err := json.Unmarshal([]byte(text), &cfgs); err != nil {
			return nil, fmt.Errorf("%s: %w", EnvVar, err)
		}
	}
	return New(cfgs...)
}

// New checks the configurations and makes the set.
func New(cfgs ...Config) (*Providers, error) {
	p := &Providers{client: &http.Client{Timeout: Timeout}, byKey: map[string]*provider{}}
	for _, c := range cfgs {
		switch {
		case !keyPattern().MatchString(c.Key):
			return nil, fmt.Errorf("%s: provider key %q must be 1-64 letters, digits, - or _", EnvVar, c.Key)
		case p.byKey[c.Key] != nil:
			return nil, fmt.Errorf("%s: provider key %q appears twice", EnvVar, c.Key)
		case c.Issuer == "" || c.ClientID == "" || c.RedirectURL == "":
			return nil, fmt.Errorf("%s: provider %q needs issuer, clientId and redirectUrl", EnvVar, c.Key)
		}
		p.byKey[c.Key] = &provider{cfg: c}
	}
	return p, nil
}

// Keys returns the configured provider keys, sorted.
func (p *Providers) Keys() []string {
	keys := make([]string, 0, len(p.byKey))
	for k := range p.byKey {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func (p *Providers) get(key string) (*provider, error) {
	if pr := p.byKey[key]; pr != nil {
		return pr, nil
	}
	return nil, failure.New(failure.NotFound, "no sign-in provider %q", key)
}

// setup discovers the provider once; the JWKS is fetched (and refetched on
// an unknown key id) by the verifier, with the same bounded client.
func (p *Providers) setup(ctx context.Context, pr *provider) (*oauth2.Config, *gooidc.IDTokenVerifier, error) {
	pr.mu.Lock()
	defer pr.mu.Unlock()
	if pr.oauth != nil {
		return pr.oauth, pr.verifier, nil
	}
	// The context is kept by the key set for later JWKS fetches, so it must
	// not be the request's; the client's timeout bounds each call.
	bg := gooidc.ClientContext(context.Background(), p.client)
	type result struct {
		prov *gooidc.Provider
		err  error
	}
	done := make(chan result, 1)
	go func() {
		prov, err := gooidc.NewProvider(bg, pr.cfg.Issuer)
		done <- result{prov, err}
	}()
	var r result
	select {
	case r = <-done:
	case <-ctx.Done():
		return nil, nil, unavailable(pr.cfg.Key, ctx.Err())
	}
	if r.err != nil {
		return nil, nil, unavailable(pr.cfg.Key, r.err)
	}
	scopes := pr.cfg.Scopes
	if len(scopes) == 0 {
		scopes = []string{"email", "profile"}
	}
	hasOpenID := false
	for _, s := range scopes {
		hasOpenID = hasOpenID || s == gooidc.ScopeOpenID
	}
	if !hasOpenID {
		scopes = append([]string{gooidc.ScopeOpenID}, scopes...)
	}
	pr.oauth = &oauth2.Config{ClientID: pr.cfg.ClientID, ClientSecret: pr.cfg.ClientSecret,
		RedirectURL: pr.cfg.RedirectURL, Endpoint: r.prov.Endpoint(), Scopes: scopes}
	pr.verifier = r.prov.Verifier(&gooidc.Config{ClientID: pr.cfg.ClientID})
	return pr.oauth, pr.verifier, nil
}

func unavailable(key string, err error) error {
	return &failure.Error{Code: failure.Unavailable, Message: fmt.Sprintf("the sign-in provider %q could not be reached", key), Cause: err}
}

func rejected(format string, args ...any) error {
	return failure.New(failure.Unauthenticated, "the sign-in provider's answer was refused: "+format, args...)
}

// AuthURL returns the provider's authorization URL for a state, a nonce and
// a PKCE S256 code challenge. Errors: NotFound for an unknown key,
// Unavailable when discovery fails.
func (p *Providers) AuthURL(ctx context.Context, key, state, nonce, codeChallenge string) (string, error) {
	pr, err := p.get(key)
	if err != nil {
		return "", err
	}
	oc, _, err := p.setup(ctx, pr)
	if err != nil {
		return "", err
	}
	return oc.AuthCodeURL(state, gooidc.Nonce(nonce),
		oauth2.SetAuthURLParam("code_challenge", codeChallenge),
		oauth2.SetAuthURLParam("code_challenge_method", "S256")), nil
}

// Exchange trades an authorization code, with the PKCE verifier, for an ID
// token and returns its verified claims; the token's nonce must be nonce.
// Errors: NotFound for an unknown key, Unavailable when the provider cannot
// be reached or answers with a server error, Unauthenticated when it
// refuses the code or the ID token does not verify.
func (p *Providers) Exchange(ctx context.Context, key, code, verifier, nonce string) (Claims, error) {
	pr, err := p.get(key)
	if err != nil {
		return Claims{}, err
	}
	oc, idv, err := p.setup(ctx, pr)
	if err != nil {
		return Claims{}, err
	}
	cctx, cancel := context.WithTimeout(gooidc.ClientContext(ctx, p.client), 2*Timeout)
	defer cancel()
	tok, err := oc.Exchange(cctx, code, oauth2.VerifierOption(verifier))
	if err != nil {
		var re *oauth2.RetrieveError
		if errors.As(err, &re) && re.Response != nil && re.Response.StatusCode < 500 {
			return Claims{}, rejected("the code was not accepted (%s)", re.ErrorCode)
		}
		return Claims{}, unavailable(key, err)
	}
	raw, _ := tok.Extra("id_token").(string)
	if raw == "" {
		return Claims{}, rejected("no ID token")
	}
	idt, err := idv.Verify(cctx, raw)
	if err != nil {
		return Claims{}, rejected("the ID token does not verify")
	}
	if idt.Nonce != nonce || nonce == "" {
		return Claims{}, rejected("the ID token's nonce does not match")
	}
	var c struct {
		Email         string `json:"email"`
		EmailVerified any    `json:"email_verified"`
		Name          string `json:"name"`
	}
	if err := idt.Claims(&c); err != nil {
		return Claims{}, rejected("the ID token's claims cannot be read")
	}
	// Some providers send email_verified as a string.
	verified := c.EmailVerified == true || c.EmailVerified == "true"
	return Claims{Subject: idt.Subject, Email: c.Email, EmailVerified: verified, Name: c.Name}, nil
}
