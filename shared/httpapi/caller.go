package httpapi

import (
	"net/http"
	"strconv"

	"github.com/effektif-serverless/caseflow/shared/failure"
)

// Authenticated wraps a handler that needs the caller: a request without
// a live token (no user id from the authorizer) is refused with
// Unauthenticated, which the dialect's renderer answers 401 in its shape.
func Authenticated(h func(w http.ResponseWriter, r *http.Request, callerID string) error) HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		callerID := CallerID(r)
		if callerID == "" {
			return failure.New(failure.Unauthenticated, "a valid token is required in the Authorization header")
		}
		return h(w, r, callerID)
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
