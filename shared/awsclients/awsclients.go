// Package awsclients builds the AWS SDK clients a function needs, once per
// container, from the standard SDK settings. The same binary talks to AWS, to
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
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
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
	custom := customEndpoint("AWS_ENDPOINT_URL_DYNAMODB")
	return dynamodb.NewFromConfig(cfg, func(o *dynamodb.Options) {
		o.DisableValidateResponseChecksum = custom
	})
}

// S3 returns an S3 client. Against a custom endpoint (a local S3-compatible
// server) it uses path-style addressing, which such servers need.
func S3(cfg aws.Config) *s3.Client {
	custom := customEndpoint("AWS_ENDPOINT_URL_S3")
	return s3.NewFromConfig(cfg, func(o *s3.Options) {
		o.UsePathStyle = custom
	})
}

func customEndpoint(serviceVariable string) bool {
	return os.Getenv(serviceVariable) != "" || os.Getenv("AWS_ENDPOINT_URL") != ""
}

// SES returns an SES v2 client.
func SES(cfg aws.Config) *sesv2.Client {
	return sesv2.NewFromConfig(cfg)
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
