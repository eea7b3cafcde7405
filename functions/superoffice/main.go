// Command superoffice is the Lambda function that serves the SuperOffice
// User agent, PUT /{tenant}/api/v1/User/{id} (see shared/superoffice).
package main

import (
	"net/http"

	"github.com/effektif-serverless/caseflow/shared/environment"
	"github.com/effektif-serverless/caseflow/shared/identity"
	"github.com/effektif-serverless/caseflow/shared/secret/password"
	"github.com/effektif-serverless/caseflow/shared/superoffice"
)

func main() {
	environment.ServeHTTP(routes)
}

// routes builds the function's router; its patterns are the function's
// routes in template.yaml (main_test.go checks both ways).
func routes(env *environment.Env) http.Handler {
	router := superoffice.NewRouter()
	// The User agent sends no mail and reads no pictures: the identity
	// service on the store alone, with the password hasher (users are
	// created with a password credential).
	superoffice.Routes(router, &identity.Service{Store: env.Store, Passwords: password.Argon2id{}})
	return router
}
