package work

import (
	"net/http"

	"github.com/effektif-serverless/caseflow/shared/casework"
	"github.com/effektif-serverless/caseflow/shared/effektif"
	"github.com/effektif-serverless/caseflow/shared/httpapi"
)

// tenant resolves the caller in the path's organization (effektif.Tenant).
var tenant = effektif.Tenant

// refuseBody answers the body error of a route that decodes its (bounded)
// body before its tenant check, so that the check can run at once with
// the operation's first read: the tenant check's refusal comes first, so
// that a stranger or another organization's member learns nothing of how
// the body would be taken.
func refuseBody(r *http.Request, svc *casework.Service, bodyErr error) error {
	if _, err := svc.Identity.Resolve(r.Context(), httpapi.CallerOf(r), effektif.OrganizationKey(r)); err != nil {
		return err
	}
	return bodyErr
}
