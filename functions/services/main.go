// Command services is the Lambda function that serves the Effektif Service
// group: external workers locking and ending the action instances of
// service tasks, the catalogue of services, their accounts and the OAuth
// connection of accounts (the public GET /oauth_callback included).
package main

import (
	"net/http"

	"github.com/effektif-serverless/caseflow/shared/effektif"
	"github.com/effektif-serverless/caseflow/shared/effektif/work"
	"github.com/effektif-serverless/caseflow/shared/environment"
	"github.com/effektif-serverless/caseflow/shared/environment/caseworkenv"
	"github.com/effektif-serverless/caseflow/shared/environment/connectorenv"
)

func main() {
	environment.ServeHTTP(routes)
}

// routes builds the function's router; its patterns are the function's
// routes in template.yaml (main_test.go checks both ways).
func routes(env *environment.Env) http.Handler {
	router := effektif.NewRouter()
	cw := caseworkenv.Service(env)
	work.ActionRoutes(router, cw)
	work.ServiceRoutes(router, connectorenv.Service(env, cw, work.CallbackPath))
	return router
}
