package windmill

import "net/http"

// workspace is the tenant of a /w/{workspace} route: the organization key.
// The core resolves it for the caller (identity.Service.Tenant): unknown
// and foreign workspaces alike are NotFound.
func workspace(r *http.Request) string { return r.PathValue("workspace") }

// workspaceID is the id a workspace is shown by: its organization key.
func workspaceID(organizationKey string) string { return organizationKey }
