// Command cases is the Lambda function that serves the Effektif Case group.
package main

import (
	"net/http"

	"github.com/effektif-serverless/caseflow/shared/effektif"
	"github.com/effektif-serverless/caseflow/shared/effektif/work"
	"github.com/effektif-serverless/caseflow/shared/environment"
	"github.com/effektif-serverless/caseflow/shared/environment/caseworkenv"
)

func main() {
	environment.ServeHTTP(routes)
}

// routes builds the function's router; its patterns are the function's
// routes in template.yaml (main_test.go checks both ways).
func routes(env *environment.Env) http.Handler {
	router := effektif.NewRouter()
	// The Case group's routes that move file bytes (upload, attach) are
	// the files function's: this one links no S3 client.
	work.CaseRoutes(router, caseworkenv.Service(env))
	return router
}
