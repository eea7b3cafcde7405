package identity

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"strings"
	"time"

	"github.com/effektif-serverless/caseflow/shared/failure"
	"github.com/effektif-serverless/caseflow/shared/secret"
)

// OneTimeOIDC is the kind of one-time token that holds a started sign-in
// with an external provider, keyed by the hash of its state.
const OneTimeOIDC = "oidc"

// ProviderLoginTTL is how long a started provider sign-in may be finished.
const ProviderLoginTTL = 10 * time.Minute

// ExternalIdentity is what a provider vouches for: the verified claims of
// its ID token.
type ExternalIdentity struct {
	Subject       string
	Email         string
	EmailVerified bool
	Name          string
}

// IdentityProviders are the external OpenID Connect providers users may
// sign in with. Errors are failures: NotFound for an unknown key,
// Unavailable when the provider cannot be reached, Unauthenticated when it
// refuses the code or its ID token does not verify.
type IdentityProviders interface {
	// Keys lists the configured provider keys.
	Keys() []string
	// AuthURL is the provider's authorization URL for the state, nonce and
	// PKCE S256 code challenge.
	AuthURL(ctx context.Context, key, state, nonce, codeChallenge string) (string, error)
	// Exchange trades the code, with the PKCE verifier, for the verified
	// identity; the ID token's nonce must be nonce.
	Exchange(ctx context.Context, key, code, verifier, nonce string) (ExternalIdentity, error)
}

func (s *Service) providerKeys() []string {
	if s.Providers == nil {
		return []string{}
	}
	return s.Providers.Keys()
}

func (s *Service) knownProvider(key string) error {
	for _, k := range s.providerKeys() {
		if k == key {
			return nil
		}
	}
	return failure.New(failure.NotFound, "no sign-in provider %q", key)
}

// BeginProviderLogin starts a sign-in with the provider: it stores a state
// (single use, valid ProviderLoginTTL) with the PKCE verifier, the nonce
// and redirectTo, and returns the state and the URL to send the browser to.
// Errors: NotFound for an unknown provider, Invalid redirectTo, Unavailable
// when the provider cannot be reached.
func (s *Service) BeginProviderLogin(ctx context.Context, providerKey, redirectTo string) (stateReference, authenticationURL string, err error) {
	if err := s.knownProvider(providerKey); err != nil {
		return "", "", err
	}
	if len(redirectTo) > 2000 || strings.ContainsAny(redirectTo, "\r\n") {
		return "", "", failure.Field("redirectTo", "redirectTo is not a valid path or URL")
	}
	var state, nonce, verifier string
	for _, p := range []*string{&state, &nonce, &verifier} {
		if *p, err = secret.NewToken(); err != nil {
			return "", "", failure.Wrap(err, "make sign-in state")
		}
	}
	sum := sha256.Sum256([]byte(verifier))
	authURL, err := s.Providers.AuthURL(ctx, providerKey, state, nonce, base64.RawURLEncoding.EncodeToString(sum[:]))
	if err != nil {
		return "", "", err
	}
	ot := OneTime{Kind: OneTimeOIDC, CodeHash: secret.TokenHash(state), Expires: s.now().Add(ProviderLoginTTL),
		Data: map[string]string{"provider": providerKey, "nonce": nonce, "verifier": verifier, "redirectTo": redirectTo}}
	if err := s.Store.PutOneTime(ctx, ot); err != nil {
		return "", "", err
	}
	return state, authURL, nil
}

// FinishProviderLogin finishes a sign-in that the provider redirected back
// from: it takes the state (once), trades the code for the verified
// identity and signs in the user with its verified email address. There is
// no automatic account creation: the address must belong to an account.
// The first one claims a registered identity (User.RegisteredBy).
// Errors: NotFound for an unknown provider; Unauthenticated when the
// provider answered an error (errParam, with its description) or its answer
// does not verify; Gone for an unknown, used or expired state (or one of
// another provider); Forbidden for an unverified address, one without an
// account or a disabled account; Unavailable when the provider cannot be
// reached.
func (s *Service) FinishProviderLogin(ctx context.Context, providerKey, code, state, errParam, errDescription string) (Login, string, error) {
	if err := s.knownProvider(providerKey); err != nil {
		return Login{}, "", err
	}
	if errParam != "" {
		// The attempt is over: the state cannot be used again.
		if _, err := s.takeProviderState(ctx, state); err != nil && !failure.Is(err, failure.Gone) {
			return Login{}, "", err
		}
		msg := "the sign-in provider refused the sign-in: " + clip(errParam, 100)
		if errDescription != "" {
			msg += " (" + clip(errDescription, 300) + ")"
		}
		return Login{}, "", failure.New(failure.Unauthenticated, "%s", msg)
	}
	ot, err := s.takeProviderState(ctx, state)
	if err != nil {
		return Login{}, "", err
	}
	if ot.Data["provider"] != providerKey {
		return Login{}, "", errBadCode
	}
	if code == "" || len(code) > 2000 {
		return Login{}, "", failure.New(failure.Unauthenticated, "the sign-in provider sent no code")
	}
	id, err := s.Providers.Exchange(ctx, providerKey, code, ot.Data["verifier"], ot.Data["nonce"])
	if err != nil {
		return Login{}, "", err
	}
	noAccount := failure.New(failure.Forbidden, "the address the sign-in provider vouches for has no account here")
	if !id.EmailVerified || ValidateEmail("email", id.Email) != nil {
		return Login{}, "", failure.New(failure.Forbidden, "the sign-in provider does not vouch for a verified email address")
	}
	userID, err := s.Store.UserIDByEmail(ctx, NormalizeEmail(id.Email))
	if failure.Is(err, failure.NotFound) {
		return Login{}, "", noAccount
	}
	if err != nil {
		return Login{}, "", err
	}
	user, err := s.Store.GetUser(ctx, userID)
	if failure.Is(err, failure.NotFound) {
		return Login{}, "", noAccount
	}
	if err != nil {
		return Login{}, "", err
	}
	if user.Disabled {
		return Login{}, "", failure.New(failure.Forbidden, "the account is disabled")
	}
	if user, err = s.claimAtSignIn(ctx, user); err != nil {
		return Login{}, "", err
	}
	login, err := s.startSession(ctx, user)
	return login, ot.Data["redirectTo"], err
}

// takeProviderState takes (deletes) a started provider sign-in once and in
// time. Errors: Gone for an unknown, used or expired state.
func (s *Service) takeProviderState(ctx context.Context, state string) (OneTime, error) {
	if state == "" || len(state) > 100 {
		return OneTime{}, errBadCode
	}
	ot, err := s.Store.GetOneTime(ctx, OneTimeOIDC, secret.TokenHash(state))
	if failure.Is(err, failure.NotFound) || err == nil && !s.now().Before(ot.Expires) {
		return OneTime{}, errBadCode
	}
	if err != nil {
		return OneTime{}, err
	}
	if err := s.Store.TakeOneTime(ctx, ot, nil, ""); err != nil {
		if failure.Is(err, failure.Conflict) {
			return OneTime{}, errBadCode
		}
		return OneTime{}, err
	}
	return ot, nil
}

func clip(s string, n int) string {
	s = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return ' '
		}
		return r
	}, s)
	if r := []rune(s); len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}
