package tenduke

import (
	"context"
	"net/http"

	"github.com/effektif-serverless/caseflow/shared/failure"
	"github.com/effektif-serverless/caseflow/shared/httpapi"
	"github.com/effektif-serverless/caseflow/shared/identity"
)

// handler is the shape of a route that needs the caller.
type handler func(w http.ResponseWriter, r *http.Request, c identity.Caller) error

// authenticated wraps a route that needs a live token; a read-only token
// (scope read) only reads (httpapi.Authenticated).
func authenticated(h handler) httpapi.HandlerFunc {
	return httpapi.Authenticated(func(w http.ResponseWriter, r *http.Request, _ string) error {
		return h(w, r, httpapi.CallerOf(r))
	})
}

// inOrganization wraps a route under /organizations/{organizationId}: the
// caller resolved there (identity.Service.ResolveID) before anything else
// of the request is read. An organization the caller is no member of is
// NotFound, for reads and writes alike.
func inOrganization(svc *identity.Service, h func(w http.ResponseWriter, r *http.Request, a identity.Access) error) httpapi.HandlerFunc {
	return authenticated(func(w http.ResponseWriter, r *http.Request, c identity.Caller) error {
		id, err := pathID(r, "organizationId")
		if err != nil {
			return err
		}
		a, err := svc.ResolveID(r.Context(), c, id)
		if err != nil {
			return err
		}
		return h(w, r, a)
	})
}

// home is the organization a route that names none acts in (POST /users,
// the organization roles): the one the token is bound to, else the only
// one the caller administers, else the only one they belong to. Errors:
// NotFound for a caller in no organization; Invalid for a caller who
// administers several with an unbound token (they bind one first, with
// epilot's switchOrganization).
func home(ctx context.Context, svc *identity.Service, c identity.Caller) (identity.Access, error) {
	as, err := svc.Accesses(ctx, c)
	if err != nil {
		return identity.Access{}, err
	}
	var admins []identity.Access
	for _, a := range as {
		if a.IsAdmin() {
			admins = append(admins, a)
		}
	}
	switch {
	case len(as) == 0:
		return identity.Access{}, failure.New(failure.NotFound, "the caller belongs to no organization")
	case len(admins) == 1:
		return admins[0], nil
	case len(admins) == 0 && len(as) == 1:
		return as[0], nil
	}
	return identity.Access{}, failure.New(failure.Invalid,
		"the caller belongs to several organizations: use a token bound to one (epilot's switchOrganization)")
}

// sharing answers the caller's accesses in the organizations the user is
// a member of, with the user as seen there (the first one's): the
// organizations the caller may see the user through. Errors: NotFound
// when they share none (a user the caller may not see).
func sharing(ctx context.Context, svc *identity.Service, c identity.Caller, userID string) ([]identity.Access, identity.Member, error) {
	as, err := svc.Accesses(ctx, c)
	if err != nil {
		return nil, identity.Member{}, err
	}
	var shared []identity.Access
	var seen identity.Member
	for _, a := range as {
		m, err := svc.Member(ctx, a, userID)
		if failure.Is(err, failure.NotFound) {
			continue
		}
		if err != nil {
			return nil, identity.Member{}, err
		}
		if len(shared) == 0 {
			seen = m
		}
		shared = append(shared, a)
	}
	if len(shared) == 0 {
		return nil, identity.Member{}, failure.New(failure.NotFound, "no such user")
	}
	return shared, seen, nil
}

// adminOf picks the first access where the caller is an admin. Errors:
// Forbidden saying what a member may not do.
func adminOf(as []identity.Access, what string) (identity.Access, error) {
	for _, a := range as {
		if a.IsAdmin() {
			return a, nil
		}
	}
	return identity.Access{}, failure.New(failure.Forbidden, "only an admin may %s", what)
}

// self reads the caller's own user for a route under /users/{userId}
// that is the user's own (TOTP, recovery emails): another user's id is
// NotFound, as the document answers for a user without the credential.
func self(r *http.Request, c identity.Caller) error {
	id, err := pathID(r, "userId")
	if err != nil {
		return err
	}
	if id != c.UserID {
		return failure.New(failure.NotFound, "no such user or credential")
	}
	return nil
}
