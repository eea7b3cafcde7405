// Command invitationdelivery is the Lambda function that SES delivery,
// bounce and complaint notifications reach through SNS (SES event
// publishing); it records each outcome on the invitation whose mail it was.
package main

import (
	"context"
	"log"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/effektif-serverless/caseflow/shared/environment"
	"github.com/effektif-serverless/caseflow/shared/httpapi"
	"github.com/effektif-serverless/caseflow/shared/identity"
)

func main() {
	env, err := environment.Load(context.Background())
	if err != nil {
		log.Fatal(err)
	}
	httpapi.SetupLogging()
	lambda.Start(identity.DeliveryHandler(env.Identity()))
}
