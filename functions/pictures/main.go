// Command pictures is the Lambda function that serves the pictures of the
// Effektif Users group (a user's picture, a pending registration's): the
// one identity function that links S3, so that the users function does
// not.
package main

import (
	"net/http"

	"github.com/effektif-serverless/caseflow/shared/effektif"
	"github.com/effektif-serverless/caseflow/shared/environment"
	"github.com/effektif-serverless/caseflow/shared/environment/identityenv"
	"github.com/effektif-serverless/caseflow/shared/objects"
)

func main() {
	environment.ServeHTTP(routes)
}

// routes builds the function's router; its patterns are the function's
// routes in template.yaml (main_test.go checks both ways).
func routes(env *environment.Env) http.Handler {
	router := effektif.NewRouter()
	id := identityenv.Service(env)
	id.Pictures = objects.FromEnv(env.AWS)
	effektif.PictureRoutes(router, id)
	return router
}
