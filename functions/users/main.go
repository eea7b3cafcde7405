// Command users is the Lambda function that serves the Effektif Users group
// but its pictures (the pictures function: this one links no S3).
package main

import (
	"net/http"

	"github.com/effektif-serverless/caseflow/shared/effektif"
	"github.com/effektif-serverless/caseflow/shared/effektif/pages"
	"github.com/effektif-serverless/caseflow/shared/environment"
	"github.com/effektif-serverless/caseflow/shared/environment/identityenv"
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
	effektif.UserRoutes(router, id)
	effektif.ProviderLoginRoutes(router, id)
	pages.Routes(router)
	return router
}
