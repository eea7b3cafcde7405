package windmill

import (
	"net/http"

	"github.com/effektif-serverless/caseflow/shared/httpapi"
	"github.com/effektif-serverless/caseflow/shared/identity"
)

// workspace is the tenant of a /w/{workspace} route: the organization key.
func workspace(r *http.Request) string { return r.PathValue("workspace") }

// workspaceID is the id a workspace is shown by: its organization key.
func workspaceID(organizationKey string) string { return organizationKey }

// inWorkspace wraps the handler of a /w/{workspace} route: the caller
// resolved in the workspace (identity.Resolve), before anything else of
// the request is read. Unknown and foreign workspaces, and tokens bound to
// another workspace, are NotFound alike.
func inWorkspace(svc *identity.Service, h func(w http.ResponseWriter, r *http.Request, a identity.Access) error) httpapi.HandlerFunc {
	return httpapi.Tenant(svc, workspace, h)
}
