// Command files is the Lambda function that serves the Effektif File group: uploads to S3, metadata, downloads.
package main

import (
	"net/http"

	"github.com/effektif-serverless/caseflow/shared/effektif"
	"github.com/effektif-serverless/caseflow/shared/environment"
)

func main() {
	environment.ServeHTTP(func(env *environment.Env) http.Handler {
		router := effektif.NewRouter()
		effektif.FileRoutes(router, env.Casework())
		return router
	})
}
