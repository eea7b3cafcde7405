// Package environment is the start of every function: it reads the base
// configuration once per container (the standard AWS SDK variables:
// region, credentials, AWS_ENDPOINT_URL_*; and TABLE_NAME, the DataTable)
// and builds the clients every function uses, the SDK configuration and
// the store of the table. It links nothing else: the services a function
// needs beyond these are built by the packages beside it (identityenv,
// caseworkenv) or by the function's own wiring, which reads their
// variables, so that each function links only what it uses.
package environment

import (
	"context"
	"log"
	"net/http"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/effektif-serverless/caseflow/shared/awsclients"
	"github.com/effektif-serverless/caseflow/shared/httpapi"
	"github.com/effektif-serverless/caseflow/shared/store"
)

// Env is a function's base configuration and clients.
type Env struct {
	AWS   aws.Config
	Store *store.DB
}

// Load reads the base configuration and builds the clients.
func Load(ctx context.Context) (*Env, error) {
	cfg, err := awsclients.Load(ctx)
	if err != nil {
		return nil, err
	}
	table, err := awsclients.Env("TABLE_NAME")
	if err != nil {
		return nil, err
	}
	return &Env{AWS: cfg, Store: store.New(awsclients.DynamoDB(cfg), table)}, nil
}

// Configured returns v when err is nil. A configuration error (err) of
// what a build function reads stops the container at start, as one of the
// base configuration does in ServeHTTP and Start.
func Configured[T any](v T, err error) T {
	if err != nil {
		log.Fatal(err)
	}
	return v
}

// ServeHTTP is the main of an HTTP function: it loads the environment once
// per container, builds the handler with it and serves API Gateway HTTP
// API events. A configuration error stops the container at start.
func ServeHTTP(build func(env *Env) http.Handler) {
	env, err := Load(context.Background())
	if err != nil {
		log.Fatal(err)
	}
	httpapi.Serve(build(env))
}

// Start is the main of an event function (authorizer, schedule, SES, SNS):
// it loads the environment once per container and starts the handler
// that build makes (a func accepted by lambda.Start).
func Start(build func(env *Env) any) {
	env, err := Load(context.Background())
	if err != nil {
		log.Fatal(err)
	}
	httpapi.SetupLogging()
	lambda.Start(build(env))
}
