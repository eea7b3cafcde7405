// Command files is the Lambda function that serves the Effektif File group (uploads to S3, metadata, downloads) and the Case group's routes that upload or attach a file to a case: the one function of those groups that links S3.
package main

import (
	"net/http"

	"github.com/effektif-serverless/caseflow/shared/effektif"
	"github.com/effektif-serverless/caseflow/shared/effektif/work"
	"github.com/effektif-serverless/caseflow/shared/environment"
	"github.com/effektif-serverless/caseflow/shared/environment/caseworkenv"
	"github.com/effektif-serverless/caseflow/shared/objects"
)

func main() {
	environment.ServeHTTP(routes)
}

// routes builds the function's router; its patterns are the function's
// routes in template.yaml (main_test.go checks both ways).
func routes(env *environment.Env) http.Handler {
	router := effektif.NewRouter()
	cw := caseworkenv.Service(env)
	cw.Files = objects.FromEnv(env.AWS)
	work.FileRoutes(router, cw)
	work.CaseFileRoutes(router, cw) // the Case group's uploads and attachments
	return router
}
