// Command timers is the scheduled Lambda function that fires due workflow
// timers and resends mails whose first delivery failed. It runs every
// minute (an EventBridge schedule in template.yaml).
package main

import (
	"context"
	"log"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/effektif-serverless/caseflow/shared/casework"
	"github.com/effektif-serverless/caseflow/shared/environment"
	"github.com/effektif-serverless/caseflow/shared/httpapi"
)

func main() {
	env, err := environment.Load(context.Background())
	if err != nil {
		log.Fatal(err)
	}
	httpapi.SetupLogging()
	lambda.Start(casework.ScheduledHandler(env.Casework()))
}
