// Command engine is the Lambda function that serves the Effektif WorkflowEngine group: starting workflow instances.
package main

import (
	"net/http"

	"github.com/effektif-serverless/caseflow/shared/effektif"
	"github.com/effektif-serverless/caseflow/shared/environment"
)

func main() {
	environment.ServeHTTP(func(env *environment.Env) http.Handler {
		router := effektif.NewRouter()
		effektif.EngineRoutes(router, env.Casework())
		return router
	})
}
