// Command organizations is the Lambda function that serves the Effektif Organizations group.
package main

import (
	"net/http"

	"github.com/effektif-serverless/caseflow/shared/effektif"
	"github.com/effektif-serverless/caseflow/shared/environment"
	"github.com/effektif-serverless/caseflow/shared/environment/identityenv"
	"github.com/effektif-serverless/caseflow/shared/ldapdir"
)

func main() {
	environment.ServeHTTP(routes)
}

// routes builds the function's router; its patterns are the function's
// routes in template.yaml (main_test.go checks both ways).
func routes(env *environment.Env) http.Handler {
	router := effektif.NewRouter()
	id := identityenv.Service(env)
	id.Links = effektif.MailLinks{BaseURL: id.BaseURL}
	id.Directory = ldapdir.FromEnv()
	effektif.OrganizationRoutes(router, id)
	effektif.GroupRoutes(router, id)
	effektif.LdapRoutes(router, id)
	effektif.InvitationRoutes(router, id)
	effektif.LicenseRoutes(router, id)
	return router
}
