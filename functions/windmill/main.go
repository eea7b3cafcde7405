// Command windmill is the Lambda function that serves the Windmill
// UserApi under /api (see shared/windmill).
package main

import (
	"net/http"

	"github.com/effektif-serverless/caseflow/shared/environment"
	"github.com/effektif-serverless/caseflow/shared/environment/identityenv"
	"github.com/effektif-serverless/caseflow/shared/windmill"
)

func main() {
	environment.ServeHTTP(routes)
}

// routes builds the function's router; its patterns are the function's
// routes in template.yaml (main_test.go checks both ways).
func routes(env *environment.Env) http.Handler {
	router := windmill.NewRouter()
	id := identityenv.Service(env)
	id.Links = windmill.MailLinks{BaseURL: id.BaseURL}
	windmill.AuthRoutes(router, id)
	windmill.UserRoutes(router, id)
	windmill.WorkspaceRoutes(router, id)
	return router
}
