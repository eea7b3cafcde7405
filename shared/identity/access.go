package identity

import (
	"context"

	"github.com/effektif-serverless/caseflow/shared/failure"
)

// Caller is who makes a request, as the authorizer resolved their token:
// the user, the kind of token, and what the token is limited to.
type Caller struct {
	UserID    string
	TokenKind TokenKind
	// OrganizationID is the organization the token is bound to ("" for a
	// token of the whole identity): elsewhere it resolves to nothing.
	OrganizationID string
	// ReadOnly tokens may only read (every dialect refuses them on a
	// request that is not GET or HEAD, see httpapi.Authenticated).
	ReadOnly bool
}

// Access is a caller resolved in one organization: the organization and
// the caller's membership in it. Every tenant-scoped operation of the core
// takes one; each dialect resolves it once per request from where it names
// the tenant (Resolve: Effektif's path key, Windmill's workspace,
// SuperOffice's tenant).
type Access struct {
	Caller
	Organization Organization
	Membership   Membership
}

// IsAdmin reports whether the caller administers the organization.
func (a Access) IsAdmin() bool { return a.Membership.IsAdmin() }

// admin is the access for an operation of admins only: Forbidden for
// other members, saying what they may not do.
func (a Access) admin(what string) (Organization, error) {
	if !a.IsAdmin() {
		return Organization{}, failure.New(failure.Forbidden, "only an admin may %s", what)
	}
	return a.Organization, nil
}

// Resolve resolves the caller in the organization with the key. Errors:
// as Tenant, and NotFound for a token bound to another organization.
func (s *Service) Resolve(ctx context.Context, c Caller, orgKey string) (Access, error) {
	if c.UserID == "" {
		return Access{}, failure.New(failure.Unauthenticated, "a valid token is required")
	}
	org, m, err := s.Tenant(ctx, c.UserID, orgKey)
	if err != nil {
		return Access{}, err
	}
	if c.OrganizationID != "" && c.OrganizationID != org.ID {
		return Access{}, errNoOrganization
	}
	return Access{Caller: c, Organization: org, Membership: m}, nil
}

// ResolveReadingAhead is Resolve with the operation's first read run at
// once with the tenant check: when this container knows the
// organization's id (Store.KnownOrganizationID), read(orgID) runs
// concurrently with the check. ahead reports whether it ran, for the
// organization the check resolved; the caller uses what it read only then,
// and only with a nil error (the check decides: a removed member or a
// stranger is refused whatever read found). read must only read; nil
// reads nothing (Resolve). Errors: as Resolve.
func (s *Service) ResolveReadingAhead(ctx context.Context, c Caller, orgKey string, read func(orgID string)) (a Access, ahead bool, err error) {
	orgID, known := s.Store.KnownOrganizationID(orgKey)
	if !known || c.UserID == "" || read == nil {
		a, err := s.Resolve(ctx, c, orgKey)
		return a, false, err
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		read(orgID)
	}()
	a, err = s.Resolve(ctx, c, orgKey)
	<-done
	if err != nil {
		return Access{}, false, err
	}
	return a, a.Organization.ID == orgID, nil
}

// refresh resolves the access again, for an operation that retries on a
// fresh read of the organization after losing a race.
func (s *Service) refresh(ctx context.Context, a Access) (Access, error) {
	return s.Resolve(ctx, a.Caller, a.Organization.Key)
}
