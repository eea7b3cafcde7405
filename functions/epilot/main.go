// Command epilot is the Lambda function that serves the epilot User API
// under /v1 and /v2 (see shared/epilot).
package main

import (
	"net/http"

	"github.com/effektif-serverless/caseflow/shared/environment"
	"github.com/effektif-serverless/caseflow/shared/environment/identityenv"
	"github.com/effektif-serverless/caseflow/shared/epilot"
	"github.com/effektif-serverless/caseflow/shared/webauthnrp"
)

func main() {
	environment.ServeHTTP(routes)
}

// routes builds the function's router; its patterns are the function's
// routes in template.yaml (main_test.go checks both ways).
func routes(env *environment.Env) http.Handler {
	router := epilot.NewRouter()
	id := identityenv.Service(env)
	id.Links = epilot.MailLinks{BaseURL: id.BaseURL}
	id.WebAuthn = environment.Configured(webauthnrp.FromEnv())
	epilot.UserRoutes(router, id)
	epilot.PublicRoutes(router, id)
	epilot.GroupRoutes(router, id)
	epilot.SettingRoutes(router, id)
	epilot.NavigationRoutes(router, id)
	epilot.PasskeyRoutes(router, id)
	return router
}
