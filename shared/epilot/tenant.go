package epilot

import (
	"net/http"

	"github.com/effektif-serverless/caseflow/shared/httpapi"
	"github.com/effektif-serverless/caseflow/shared/identity"
)

// current wraps the handler of a route that acts in the caller's current
// organization (epilot names no tenant in its paths): the organization
// the caller's token is bound to (switchOrganization), else their primary
// one (identity.Service.ResolveCurrent).
func current(svc *identity.Service, h func(w http.ResponseWriter, r *http.Request, a identity.Access) error) httpapi.HandlerFunc {
	return httpapi.Authenticated(func(w http.ResponseWriter, r *http.Request, _ string) error {
		a, err := svc.ResolveCurrent(r.Context(), httpapi.CallerOf(r))
		if err != nil {
			return err
		}
		return h(w, r, a)
	})
}
