package effektif

import (
	"net/http"

	"github.com/effektif-serverless/caseflow/shared/httpapi"
	"github.com/effektif-serverless/caseflow/shared/identity"
)

// OrganizationKey is the tenant of an Effektif route: the path's
// {organizationKey}.
func OrganizationKey(r *http.Request) string { return r.PathValue("organizationKey") }

// Tenant wraps the handler of a route under /{organizationKey}: the caller
// resolved in the organization of the path key (identity.Resolve), before
// anything else of the request is read. A non-member, an unknown key and
// a token bound to another organization get 404 alike; a disabled member
// 403.
func Tenant(svc httpapi.Resolver, h func(w http.ResponseWriter, r *http.Request, a identity.Access) error) httpapi.HandlerFunc {
	return httpapi.Tenant(svc, OrganizationKey, h)
}

var tenant = Tenant
