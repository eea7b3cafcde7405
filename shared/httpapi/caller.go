package httpapi

import (
	"context"
	"net/http"
	"strconv"

	"github.com/effektif-serverless/caseflow/shared/failure"
	"github.com/effektif-serverless/caseflow/shared/identity"
)

// Authenticated wraps a handler that needs the caller: a request without
// a live token (no user id from the authorizer) is refused with
// Unauthenticated, which the dialect's renderer answers 401 in its shape;
// a read-only token on a request that is not GET or HEAD with Forbidden.
func Authenticated(h func(w http.ResponseWriter, r *http.Request, callerID string) error) HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		c := CallerOf(r)
		if c.UserID == "" {
			return failure.New(failure.Unauthenticated, "a valid token is required in the Authorization header")
		}
		if c.ReadOnly && r.Method != http.MethodGet && r.Method != http.MethodHead {
			return failure.New(failure.Forbidden, "this token is read-only")
		}
		return h(w, r, c.UserID)
	}
}

// SetErrorHeaders sets the headers every dialect's error answer carries
// for its failure: WWW-Authenticate with the realm on a 401, Retry-After
// on a 429 whose details say when.
func SetErrorHeaders(w http.ResponseWriter, err *failure.Error, realm string) {
	if err.Code == failure.Unauthenticated {
		w.Header().Set("WWW-Authenticate", `Bearer realm="`+realm+`"`)
	}
	if d, ok := err.Details.(map[string]int); ok && err.Code == failure.TooManyRequests {
		w.Header().Set("Retry-After", strconv.Itoa(d["retryAfterSeconds"]))
	}
}

// Resolver resolves a caller in the organization a dialect names
// (identity.Service.Resolve).
type Resolver interface {
	Resolve(ctx context.Context, c identity.Caller, orgKey string) (identity.Access, error)
}

// Tenant wraps the handler of a tenant route: the caller (Authenticated)
// resolved in the organization whose key the dialect reads from the
// request with key, before anything else of the request is read.
func Tenant(res Resolver, key func(r *http.Request) string, h func(w http.ResponseWriter, r *http.Request, a identity.Access) error) HandlerFunc {
	return Authenticated(func(w http.ResponseWriter, r *http.Request, _ string) error {
		a, err := res.Resolve(r.Context(), CallerOf(r), key(r))
		if err != nil {
			return err
		}
		return h(w, r, a)
	})
}
