// Command files is the Lambda function that serves the Effektif File group: uploads to S3, metadata, downloads.
package main

import (
	"context"
	"log"

	"github.com/effektif-serverless/caseflow/shared/effektif"
	"github.com/effektif-serverless/caseflow/shared/environment"
	"github.com/effektif-serverless/caseflow/shared/httpapi"
)

func main() {
	env, err := environment.Load(context.Background())
	if err != nil {
		log.Fatal(err)
	}
	router := effektif.NewRouter()
	effektif.FileRoutes(router, env.Casework())
	httpapi.Serve(router)
}
