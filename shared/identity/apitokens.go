package identity

import (
	"context"
	"regexp"
	"sync"
	"time"

	"github.com/effektif-serverless/caseflow/shared/failure"
	"github.com/effektif-serverless/caseflow/shared/secret"
)

// TokenKind tells a login session from a named API token. Both live in the
// one session store and authenticate the same way on every API.
type TokenKind string

// The kinds of tokens. A session stored before kinds existed is a login.
const (
	TokenLogin TokenKind = ""
	TokenAPI   TokenKind = "api"
)

// Limits of API tokens.
const (
	// APITokenTTL is the lifetime of an API token made without an
	// expiration.
	APITokenTTL = 365 * 24 * time.Hour
	// MaxAPITokenTTL bounds a requested expiration.
	MaxAPITokenTTL = 5 * 365 * 24 * time.Hour
	// APITokenPrefixLength is the length of the prefix an API token is
	// listed and deleted by: 60 of its 256 random bits, URL-safe.
	APITokenPrefixLength = 10
	// MaxAPITokens bounds the live API tokens of one user.
	MaxAPITokens = 100
)

// NewAPIToken is an API token to make: an optional label (a display text
// of at most MaxNameLength characters) and an optional expiration (zero:
// APITokenTTL from now).
type NewAPIToken struct {
	Label   string
	Expires time.Time
	// OrganizationKey binds the token to the organization ("" for none):
	// it resolves nowhere else. The caller must be a member of it.
	OrganizationKey string
	// ReadOnly makes a token that only reads.
	ReadOnly bool
}

// prefixShape is what a token prefix looks like (the URL-safe base64
// alphabet of secret.NewToken), compiled on first use.
var prefixShape = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)
})

// CreateAPIToken makes a named API token for the caller and answers the
// token, shown this once. It is a session of kind TokenAPI: a bearer on
// every API until it expires or is deleted (or a password change ends the
// user's other sessions), limited to one organization when bound to it
// and to reading when read-only. A token never makes a wider one: a
// caller whose token is bound makes tokens bound to the same organization
// only (and a read-only token makes none, as it writes nothing).
// Permission: any signed-in user, for themself. Errors: Invalid for a bad
// label or an expiration that is not in the future or further than
// MaxAPITokenTTL; NotFound for an organization to bind to that the caller
// is no member of; Forbidden for a token wider than the caller's;
// Conflict when the user holds MaxAPITokens live tokens.
func (s *Service) CreateAPIToken(ctx context.Context, c Caller, n NewAPIToken) (string, error) {
	callerID := c.UserID
	if err := ValidateName("label", n.Label); err != nil {
		return "", err
	}
	now := s.now()
	expires := n.Expires
	if expires.IsZero() {
		expires = now.Add(APITokenTTL)
	}
	if !expires.After(now) || expires.Sub(now) > MaxAPITokenTTL {
		return "", failure.Field("expiration", "expiration must be an instant in the future, at most %d days ahead", int(MaxAPITokenTTL.Hours()/24))
	}
	if c.ReadOnly && !n.ReadOnly {
		return "", failure.New(failure.Forbidden, "a read-only token makes read-only tokens only")
	}
	var bound Organization
	if n.OrganizationKey != "" {
		a, err := s.Resolve(ctx, c, n.OrganizationKey)
		if err != nil {
			return "", err
		}
		bound = a.Organization
	} else if c.OrganizationID != "" {
		return "", failure.New(failure.Forbidden, "a token bound to an organization makes tokens bound to it only")
	}
	live, err := s.APITokens(ctx, callerID)
	if err != nil {
		return "", err
	}
	if len(live) >= MaxAPITokens {
		return "", failure.New(failure.Conflict, "a user holds at most %d API tokens; delete one first", MaxAPITokens)
	}
	token, err := secret.NewToken()
	if err != nil {
		return "", failure.Wrap(err, "make token")
	}
	t := Session{TokenHash: secret.TokenHash(token), UserID: callerID, Created: now, Expires: expires.UTC(),
		Kind: TokenAPI, Label: n.Label, Prefix: token[:APITokenPrefixLength],
		OrganizationID: bound.ID, OrganizationKey: bound.Key, ReadOnly: n.ReadOnly}
	if err := s.Store.PutAPIToken(ctx, t); err != nil {
		return "", err
	}
	return token, nil
}

// APITokens lists the caller's live API tokens (never login sessions),
// newest last; each carries its prefix, never the token. Permission: the
// user themself.
func (s *Service) APITokens(ctx context.Context, callerID string) ([]Session, error) {
	all, err := s.Store.APITokens(ctx, callerID, MaxAPITokens*2)
	if err != nil {
		return nil, err
	}
	now := s.now()
	out := make([]Session, 0, len(all))
	for _, t := range all {
		if t.Kind == TokenAPI && now.Before(t.Expires) {
			out = append(out, t)
		}
	}
	return out, nil
}

// DeleteAPIToken ends the caller's API token with the prefix at once: the
// next request with it is unauthenticated on every API. Permission: the
// token's owner. Errors: NotFound for an unknown prefix and for another
// user's (alike).
func (s *Service) DeleteAPIToken(ctx context.Context, callerID, prefix string) error {
	notFound := failure.New(failure.NotFound, "no such token")
	if !prefixShape().MatchString(prefix) {
		return notFound
	}
	tokens, err := s.APITokens(ctx, callerID)
	if err != nil {
		return err
	}
	for _, t := range tokens {
		if t.Prefix == prefix {
			return s.Store.DeleteSession(ctx, t.TokenHash)
		}
	}
	return notFound
}
