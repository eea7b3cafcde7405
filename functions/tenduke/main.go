// Command tenduke is the Lambda function that serves the 10Duke Identity
// Provider API under /api/idp/v1 (see shared/tenduke).
package main

import (
	"net/http"

	"github.com/effektif-serverless/caseflow/shared/environment"
	"github.com/effektif-serverless/caseflow/shared/environment/identityenv"
	"github.com/effektif-serverless/caseflow/shared/otpauth"
	"github.com/effektif-serverless/caseflow/shared/tenduke"
)

func main() {
	environment.ServeHTTP(routes)
}

// routes builds the function's router; its patterns are the function's
// routes in template.yaml (main_test.go checks both ways).
func routes(env *environment.Env) http.Handler {
	router := tenduke.NewRouter()
	id := identityenv.Service(env)
	id.Links = tenduke.MailLinks{BaseURL: id.BaseURL}
	id.OTP = otpauth.OTP{}
	tenduke.OrganizationRoutes(router, id)
	tenduke.UserRoutes(router, id)
	tenduke.GroupRoutes(router, id)
	tenduke.RoleRoutes(router, id)
	tenduke.InvitationRoutes(router, id)
	tenduke.SecurityRoutes(router, id)
	tenduke.SessionRoutes(router, id)
	return router
}
