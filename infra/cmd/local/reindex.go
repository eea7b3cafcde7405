package main

import (
	"context"
	"fmt"
	"os"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/guregu/dynamo/v2"

	"github.com/effektif-serverless/caseflow/infra/awslocal"
	"github.com/effektif-serverless/caseflow/shared/store/workstore"
)

// reindexCommand rewrites the casework items of a table in the current
// stored form (see workstore.Reindex): on the running make run stack's
// DynamoDB Local, or with -aws on a deployed stack's table (the AWS CLI's
// credentials and region).
func reindexCommand(args []string) error {
	fs := newFlagSet("reindex", "reindex [flags]")
	dynamoPort := fs.Int("dynamodb-port", envPort("DYNAMODB_PORT", 8000), "the running stack's DynamoDB Local port (env DYNAMODB_PORT)")
	onAWS := fs.Bool("aws", false, "reindex a table on AWS (credentials and region as the AWS CLI finds them) instead of make run's")
	table := fs.String("table", "DataTable", "the table: DataTable under make run; on AWS the stack's table name (its DataTable resource)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	ctx := context.Background()
	var client *dynamodb.Client
	if *onAWS {
		cfg, err := config.LoadDefaultConfig(ctx)
		if err != nil {
			return err
		}
		client = dynamodb.NewFromConfig(cfg)
	} else {
		client = (&awslocal.Stack{DynamoDBEndpoint: fmt.Sprintf("http://127.0.0.1:%d", *dynamoPort)}).DynamoDB()
	}
	n, err := workstore.Reindex(ctx, dynamo.NewFromIface(client), *table, func(n workstore.ReindexCounts) {
		fmt.Fprintf(os.Stderr, "\r%d cases, %d tasks, %d events", n.Cases, n.Tasks, n.Events)
	})
	fmt.Fprintln(os.Stderr)
	if err != nil {
		return err
	}
	fmt.Printf("reindexed %s: %d cases, %d tasks, %d events; %d old list entries deleted; %d changed meanwhile (already current)\n",
		*table, n.Cases, n.Tasks, n.Events, n.OldEntries, n.Skipped)
	return nil
}
