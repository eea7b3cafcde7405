// Command epilot is the Lambda function that serves the epilot User API
// under /v1 and /v2 (see shared/epilot).
package main

import (
	"net/http"

	"github.com/effektif-serverless/caseflow/shared/environment"
	"github.com/effektif-serverless/caseflow/shared/environment/identityenv"
	"github.com/effektif-serverless/caseflow/shared/epilot"
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
	epilot.UserRoutes(router, id)
	epilot.PublicRoutes(router, id)
	return router
}
