// Command authorizer is the API Gateway Lambda authorizer: it resolves the
// Authorization header to the caller's identity (see httpapi.Authorizer).
package main

import (
	"context"
	"log"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/effektif-serverless/caseflow/shared/environment"
	"github.com/effektif-serverless/caseflow/shared/httpapi"
)

func main() {
	env, err := environment.Load(context.Background())
	if err != nil {
		log.Fatal(err)
	}
	httpapi.SetupLogging()
	lambda.Start(httpapi.Authorizer(env.Identity()))
}
