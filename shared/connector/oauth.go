package connector

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"time"

	"golang.org/x/oauth2"

	"github.com/effektif-serverless/caseflow/shared/failure"
	"github.com/effektif-serverless/caseflow/shared/identity"
	"github.com/effektif-serverless/caseflow/shared/ids"
)

// OAuth bounds.
const (
	// StateTTL is how long a started connection waits for its callback.
	StateTTL = 10 * time.Minute
	// ProviderTimeout bounds each call to a provider's token endpoint.
	ProviderTimeout = 10 * time.Second
	// RefreshMargin: a token that expires within it is refreshed first.
	RefreshMargin = 30 * time.Second
	// MaxPathLength bounds the start's path.
	MaxPathLength = 1000
)

// OAuthStart is Effektif's OauthStartRequest: the service to connect, the
// account to reconnect ("" makes a new account at the callback) and the
// path (of the deployment's web client, below BaseURL) the browser is sent
// to after the callback ("" for none: the callback answers the account).
type OAuthStart struct {
	ServiceKey string
	AccountID  string
	Path       string
}

// OAuthState is a started connection, stored under the SHA-256 of its
// state until the callback takes it or it expires. Verifier is the PKCE
// code verifier, sealed.
type OAuthState struct {
	Hash            string
	OrganizationID  string
	OrganizationKey string
	UserID          string
	ServiceKey      string
	AccountID       string
	Path            string
	Verifier        []byte
	Expires         time.Time
}

// StateHash is the stored form of a state.
func StateHash(state string) string {
	sum := sha256.Sum256([]byte(state))
	return hex.EncodeToString(sum[:])
}

func (s *Service) oauthConfig(svc Offering) (*oauth2.Config, error) {
	o := svc.OAuth
	if o == nil {
		return nil, failure.Field("serviceKey", "service %q does not connect through OAuth", svc.Key)
	}
	redirect := o.RedirectURL
	if redirect == "" {
		redirect = s.CallbackURL
	}
	return &oauth2.Config{ClientID: o.ClientID, ClientSecret: o.ClientSecret, RedirectURL: redirect, Scopes: o.Scopes,
		Endpoint: oauth2.Endpoint{AuthURL: o.AuthorizationURL, TokenURL: o.TokenURL}}, nil
}

// providerContext carries the bounded HTTP client to package oauth2.
func (s *Service) providerContext(ctx context.Context) context.Context {
	c := s.HTTPClient
	if c == nil {
		c = &http.Client{Timeout: ProviderTimeout}
	}
	return context.WithValue(ctx, oauth2.HTTPClient, c)
}

// CheckPath validates a start's path: "" or an absolute path below the
// base URL ("/..."), never another host ("//host", "/\host"), without
// control characters, at most MaxPathLength bytes.
func CheckPath(p string) error {
	if p == "" {
		return nil
	}
	if len(p) > MaxPathLength || !strings.HasPrefix(p, "/") || strings.HasPrefix(p, "//") || strings.HasPrefix(p, "/\\") ||
		strings.ContainsFunc(p, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
		return failure.Field("path", "path must be a path of this site starting with one /, at most %d bytes", MaxPathLength)
	}
	return nil
}

// StartOAuth starts connecting an account to its service's provider and
// answers the provider's authorization URL (with the state and the PKCE
// S256 challenge). A new connection makes its account at the callback; an
// existing account (AccountID) must be one the caller may change. Errors:
// NotFound for an unknown service; Invalid for a service without OAuth or a
// bad path; as changeable for the account; Unavailable without a Key.
func (s *Service) StartOAuth(ctx context.Context, a identity.Access, req OAuthStart) (string, error) {
	svc, err := s.Catalogue.Lookup(req.ServiceKey)
	if err != nil {
		if req.ServiceKey == "" {
			return "", failure.Field("serviceKey", "serviceKey is required")
		}
		return "", err
	}
	cfg, err := s.oauthConfig(svc)
	if err != nil {
		return "", err
	}
	if err := CheckPath(req.Path); err != nil {
		return "", err
	}
	if req.AccountID != "" {
		if err := ids.Check("accountId", req.AccountID); err != nil {
			return "", err
		}
		if _, err := s.changeable(ctx, a, req.ServiceKey, req.AccountID); err != nil {
			return "", err
		}
	}
	var raw [32]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return "", failure.Wrap(err, "state")
	}
	state := base64.RawURLEncoding.EncodeToString(raw[:])
	verifier := oauth2.GenerateVerifier()
	st := OAuthState{Hash: StateHash(state), OrganizationID: a.Organization.ID, OrganizationKey: a.Organization.Key,
		UserID: a.UserID, ServiceKey: svc.Key, AccountID: req.AccountID, Path: req.Path, Expires: s.now().Add(StateTTL)}
	if st.Verifier, err = s.seal(verifierPurpose, st.OrganizationID, st.Hash, []byte(verifier)); err != nil {
		return "", err
	}
	if err := s.Store.PutOAuthState(ctx, st); err != nil {
		return "", err
	}
	return cfg.AuthCodeURL(state, oauth2.S256ChallengeOption(verifier)), nil
}

// ErrProviderRefused is the cause of the failure FinishOAuth returns when
// the provider redirected back with an error (the user declined).
var ErrProviderRefused = errors.New("the provider refused the connection")

// FinishOAuth is the provider's redirect back: it takes the state (single
// use: a second call, or one after StateTTL, is Gone), exchanges the code
// with the PKCE verifier at the provider's token endpoint and stores the
// token sealed on the account: the one being reconnected, or a new,
// restricted account of the starting member (a connection holds that
// member's grant, so only they and the admins see it until they share
// it). The member must still belong to the organization and, for a
// reconnection, still may change the account. It answers the account and
// the start's path, also with most errors once the state is known, so
// that the browser can be sent back. Errors: Invalid without state or
// code; Gone; Forbidden (cause ErrProviderRefused) when the provider
// answered error; Unauthenticated when it refuses the code; Unavailable
// when it cannot be reached; NotFound when the member left.
func (s *Service) FinishOAuth(ctx context.Context, state, code, providerError string) (Account, string, error) {
	if state == "" {
		return Account{}, "", failure.Field("state", "state is required")
	}
	st, err := s.Store.TakeOAuthState(ctx, StateHash(state))
	if failure.Is(err, failure.NotFound) || err == nil && !s.now().Before(st.Expires) {
		return Account{}, "", failure.New(failure.Gone, "this OAuth connection was finished already or has expired; start again")
	}
	if err != nil {
		return Account{}, "", err
	}
	acc, err := s.finish(ctx, st, code, providerError)
	return acc, st.Path, err
}

func (s *Service) finish(ctx context.Context, st OAuthState, code, providerError string) (Account, error) {
	if providerError != "" {
		return Account{}, &failure.Error{Code: failure.Forbidden, Message: "the provider did not grant access: " + clip(providerError, 100), Cause: ErrProviderRefused}
	}
	if code == "" {
		return Account{}, failure.Field("code", "code is required")
	}
	org, m, err := s.Identity.Tenant(ctx, st.UserID, st.OrganizationKey)
	if err != nil {
		return Account{}, err
	}
	if org.ID != st.OrganizationID {
		return Account{}, failure.New(failure.NotFound, "the organization of this connection is gone")
	}
	a := identity.Access{Caller: identity.Caller{UserID: st.UserID}, Organization: org, Membership: m}
	svc, err := s.Catalogue.Lookup(st.ServiceKey)
	if err != nil {
		return Account{}, err
	}
	cfg, err := s.oauthConfig(svc)
	if err != nil {
		return Account{}, err
	}
	verifier, err := s.open(verifierPurpose, st.OrganizationID, st.Hash, st.Verifier)
	if err != nil {
		return Account{}, err
	}
	tok, err := cfg.Exchange(s.providerContext(ctx), code, oauth2.VerifierOption(string(verifier)))
	if err != nil {
		return Account{}, providerFailure(svc.Key, err)
	}
	var acc Account
	if st.AccountID != "" {
		if acc, err = s.changeable(ctx, a, st.ServiceKey, st.AccountID); err != nil {
			return Account{}, err
		}
		acc.Version++
	} else {
		now := s.now()
		acc = Account{ID: ids.New(), OrganizationID: org.ID, ServiceKey: svc.Key, OwnerID: st.UserID, Restricted: true,
			Created: now, Version: 1}
	}
	if err := s.setToken(&acc, tok); err != nil {
		return Account{}, err
	}
	return acc, s.Store.PutAccount(ctx, acc)
}

// setToken seals the token onto the account.
func (s *Service) setToken(acc *Account, tok *oauth2.Token) error {
	plain, err := json.Marshal(tok)
	if err != nil {
		return failure.Wrap(err, "encode the token")
	}
	if acc.Tokens, err = s.seal(tokensPurpose, acc.OrganizationID, acc.ID, plain); err != nil {
		return err
	}
	acc.TokenExpiry = tok.Expiry.UTC()
	acc.LastUpdated = s.now()
	return nil
}

// providerFailure maps an error of the token endpoint: a refusal
// (an OAuth error answer) is Unauthenticated, anything else Unavailable.
func providerFailure(key string, err error) error {
	var re *oauth2.RetrieveError
	if errors.As(err, &re) && re.Response != nil && re.Response.StatusCode < 500 {
		msg := "the provider of service " + key + " refused the grant"
		if re.ErrorCode != "" {
			msg += " (" + clip(re.ErrorCode, 64) + ")"
		}
		return &failure.Error{Code: failure.Unauthenticated, Message: msg, Cause: err}
	}
	return &failure.Error{Code: failure.Unavailable, Message: "the provider of service " + key + " could not be reached", Cause: err}
}

func clip(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

// AccessToken answers a live access token of an account connected through
// OAuth, for the action path: the stored one while it is valid for more
// than RefreshMargin, else one refreshed with the refresh token at the
// provider (the new token, and a rotated refresh token, are stored on the
// account's version; when another refresh got there first, its token is
// used). It checks no caller: only code acting for a workflow of the
// account's organization calls it. Errors: NotFound; Unprocessable for an
// account that is not connected; Unauthenticated when the token expired
// without a refresh token or the provider refuses the refresh (connect
// again); Unavailable when the provider cannot be reached.
func (s *Service) AccessToken(ctx context.Context, organizationID, serviceKey, accountID string) (string, error) {
	for attempt := 0; ; attempt++ {
		acc, err := s.Store.GetAccount(ctx, organizationID, serviceKey, accountID)
		if err != nil {
			return "", err
		}
		tok, err := s.token(acc)
		if err != nil {
			return "", err
		}
		if tok.AccessToken != "" && (tok.Expiry.IsZero() || tok.Expiry.After(s.now().Add(RefreshMargin))) {
			return tok.AccessToken, nil
		}
		if tok.RefreshToken == "" {
			return "", failure.New(failure.Unauthenticated, "the account's token expired and cannot be refreshed; connect it again")
		}
		svc, err := s.Catalogue.Lookup(serviceKey)
		if err != nil {
			return "", err
		}
		cfg, err := s.oauthConfig(svc)
		if err != nil {
			return "", err
		}
		// An empty access token makes the source refresh whatever the
		// expiry says; it keeps the refresh token when none is answered.
		fresh, err := cfg.TokenSource(s.providerContext(ctx), &oauth2.Token{RefreshToken: tok.RefreshToken}).Token()
		if err != nil {
			return "", providerFailure(svc.Key, err)
		}
		acc.Version++
		if err := s.setToken(&acc, fresh); err != nil {
			return "", err
		}
		err = s.Store.PutAccount(ctx, acc)
		if err == nil {
			return fresh.AccessToken, nil
		}
		if !failure.Is(err, failure.Conflict) || attempt > 0 {
			return "", err
		}
		// Another refresh stored its token first: read it.
	}
}

// token opens an account's OAuth token. Errors: Unprocessable when there
// is none.
func (s *Service) token(acc Account) (oauth2.Token, error) {
	if !acc.Connected() {
		return oauth2.Token{}, failure.New(failure.Unprocessable, "the account is not connected through OAuth")
	}
	plain, err := s.open(tokensPurpose, acc.OrganizationID, acc.ID, acc.Tokens)
	if err != nil {
		return oauth2.Token{}, err
	}
	var tok oauth2.Token
	if err := json.Unmarshal(plain, &tok); err != nil {
		return oauth2.Token{}, failure.Wrap(err, "decode the token")
	}
	return tok, nil
}
