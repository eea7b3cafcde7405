// Package awsclients loads the AWS SDK configuration a function needs, once
// per container, from the standard SDK settings, and builds the DynamoDB
// client every function uses (the S3 and SES clients are built by the
// packages that wrap them, objects and sesmail, so that only the functions
// that use those link them). The same binary talks to AWS, to
// LocalStack or to the local stack, chosen only by AWS_ENDPOINT_URL,
// AWS_ENDPOINT_URL_DYNAMODB, AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL_SESV2 and the
// region and credential variables.
package awsclients

import (
	"context"
	"fmt"
	"os"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
)

// Load reads the SDK configuration from the environment. Extra options (for
// example a middleware that counts calls in benchmarks) are applied after it.
func Load(ctx context.Context, opts ...func(*config.LoadOptions) error) (aws.Config, error) {
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return aws.Config{}, fmt.Errorf("load AWS configuration: %w", err)
	}
	return cfg, nil
}

// DynamoDB returns a DynamoDB client. Against a custom endpoint (DynamoDB
// Local, LocalStack) it skips the CRC32 check of responses, which DynamoDB
// Local does not compute for error responses.
func DynamoDB(cfg aws.Config) *dynamodb.Client {
	custom := CustomEndpoint("AWS_ENDPOINT_URL_DYNAMODB")
	return dynamodb.NewFromConfig(cfg, func(o *dynamodb.Options) {
		o.DisableValidateResponseChecksum = custom
	})
}

// CustomEndpoint reports whether the SDK is pointed at a custom endpoint
// for the service (its AWS_ENDPOINT_URL_<SERVICE> variable, or
// AWS_ENDPOINT_URL for all): a local stack or LocalStack.
func CustomEndpoint(serviceVariable string) bool {
	return os.Getenv(serviceVariable) != "" || os.Getenv("AWS_ENDPOINT_URL") != ""
}

// Env returns the value of a required environment variable, or an error that
// names it.
func Env(name string) (string, error) {
	v := os.Getenv(name)
	if v == "" {
		return "", fmt.Errorf("environment variable %s is not set", name)
	}
	return v, nil
}
