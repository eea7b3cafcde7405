// Command mailintake is the SES-triggered Lambda function that files
// incoming mail: the receipt rule stores each message in S3 under
// MAIL_PREFIX and invokes it with the SES event.
package main

import (
	"context"
	"log"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/effektif-serverless/caseflow/shared/environment"
	"github.com/effektif-serverless/caseflow/shared/httpapi"
	"github.com/effektif-serverless/caseflow/shared/mailintake"
)

func main() {
	env, err := environment.Load(context.Background())
	if err != nil {
		log.Fatal(err)
	}
	httpapi.SetupLogging()
	lambda.Start(mailintake.SESHandler(env.MailIntake(), env.Files(), os.Getenv("MAIL_PREFIX")))
}
