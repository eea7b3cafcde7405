// Command cases is the Lambda function that serves the Effektif Case group.
package main

import (
	"net/http"

	"github.com/effektif-serverless/caseflow/shared/effektif"
	"github.com/effektif-serverless/caseflow/shared/environment"
)

func main() {
	environment.ServeHTTP(func(env *environment.Env) http.Handler {
		router := effektif.NewRouter()
		cases := env.Casework()
		effektif.CaseRoutes(router, cases)
		effektif.CaseFileRoutes(router, cases)
		return router
	})
}
