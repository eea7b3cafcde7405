// Command nopdynamo is the second floor of the cold-start benchmark
// (infra/coldstart -floor dynamodb): the do-nothing function that also
// loads the AWS configuration from Lambda's variables and builds the
// DynamoDB client, as every function's main does (shared/awsclients), so
// that a function's ratio to it shows what the function adds beyond the
// SDK client it cannot do without. Built with the functions' flags.
package main

import (
	"context"
	"log"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/effektif-serverless/caseflow/shared/awsclients"
)

func main() {
	cfg, err := awsclients.Load(context.Background())
	if err != nil {
		log.Fatal(err)
	}
	db := awsclients.DynamoDB(cfg)
	lambda.Start(func() (string, error) {
		_ = db.Options() // the client is kept, as a function keeps its store
		return "ok", nil
	})
}
