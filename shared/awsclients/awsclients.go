// Package awsclients builds the AWS SDK configuration a function needs, once
// per container, from the environment variables Lambda sets, and builds the
// DynamoDB client every function uses (the S3 and SES clients are built by
// the packages that wrap them, objects and sesmail, so that only the
// functions that use those link them). The same binary talks to AWS, to
// LocalStack or to the local stack, chosen only by AWS_ENDPOINT_URL,
// AWS_ENDPOINT_URL_DYNAMODB, AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL_SESV2 and the
// region and credential variables.
//
// It does not use config.LoadDefaultConfig: that links the shared config
// file parser, SSO, SSO OIDC, STS, IMDS and the container credential
// providers, none of which a Lambda function uses (Lambda gives the
// credentials and the region as variables), and about doubles a function's
// init time against a do-nothing Go Lambda (see the README's cold start
// benchmark).
package awsclients

import (
	"context"
	"errors"
	"fmt"
	"log"
	"os"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/smithy-go/logging"
)

// Load builds the SDK configuration from the environment:
//
//   - the region from AWS_REGION (or AWS_DEFAULT_REGION);
//   - static credentials from AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and
//     AWS_SESSION_TOKEN (Lambda's are valid for the container's life);
//   - the endpoints from AWS_ENDPOINT_URL (every service) and
//     AWS_ENDPOINT_URL_<SERVICE ID> (one service, the SDK's service ID upper
//     case with "_" for spaces: DYNAMODB, S3, SESV2), which wins;
//     AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true ignores both;
//   - AWS_RESPONSE_CHECKSUM_VALIDATION and AWS_REQUEST_CHECKSUM_CALCULATION
//     (when_supported, the default, or when_required).
//
// It fails, naming the variable, when the region or a key is missing or a
// checksum setting is neither value. Benchmarks attach a CallCounter to the
// result; every client made from it afterwards is counted.
func Load(ctx context.Context) (aws.Config, error) {
	region := os.Getenv("AWS_REGION")
	if region == "" {
		region = os.Getenv("AWS_DEFAULT_REGION")
	}
	if region == "" {
		return aws.Config{}, errors.New("load AWS configuration: environment variable AWS_REGION is not set")
	}
	id, err := Env("AWS_ACCESS_KEY_ID")
	if err != nil {
		return aws.Config{}, fmt.Errorf("load AWS configuration: %w", err)
	}
	key, err := Env("AWS_SECRET_ACCESS_KEY")
	if err != nil {
		return aws.Config{}, fmt.Errorf("load AWS configuration: %w", err)
	}
	creds := aws.Credentials{AccessKeyID: id, SecretAccessKey: key, SessionToken: os.Getenv("AWS_SESSION_TOKEN"), Source: "EnvConfigCredentials"}
	cfg := aws.Config{
		Region: region,
		Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return creds, nil
		}),
		Logger:        logging.StandardLogger{Logger: log.New(os.Stderr, "SDK ", log.LstdFlags)},
		ConfigSources: []any{endpointVariables{}},
	}
	if !ignoreEndpoints() {
		if base := os.Getenv("AWS_ENDPOINT_URL"); base != "" {
			cfg.BaseEndpoint = aws.String(base)
		}
	}
	responseWhenRequired, err := checksumWhenRequired("AWS_RESPONSE_CHECKSUM_VALIDATION")
	if err != nil {
		return aws.Config{}, err
	}
	requestWhenRequired, err := checksumWhenRequired("AWS_REQUEST_CHECKSUM_CALCULATION")
	if err != nil {
		return aws.Config{}, err
	}
	cfg.ResponseChecksumValidation = aws.ResponseChecksumValidationWhenSupported
	if responseWhenRequired {
		cfg.ResponseChecksumValidation = aws.ResponseChecksumValidationWhenRequired
	}
	cfg.RequestChecksumCalculation = aws.RequestChecksumCalculationWhenSupported
	if requestWhenRequired {
		cfg.RequestChecksumCalculation = aws.RequestChecksumCalculationWhenRequired
	}
	return cfg, nil
}

// checksumWhenRequired reads a checksum setting: when_supported (the
// default, also for unset) or when_required, in any case. Errors: any other
// value, naming the variable.
func checksumWhenRequired(name string) (bool, error) {
	switch v := strings.ToLower(os.Getenv(name)); v {
	case "", "when_supported":
		return false, nil
	case "when_required":
		return true, nil
	default:
		return false, fmt.Errorf("load AWS configuration: %s is %q, not when_supported or when_required", name, v)
	}
}

// endpointVariables is the configuration source through which every
// service client made from the configuration finds its own
// AWS_ENDPOINT_URL_<SERVICE ID> (the SDK's service packages look for these
// two methods in aws.Config.ConfigSources).
type endpointVariables struct{}

// GetServiceBaseEndpoint returns AWS_ENDPOINT_URL_<SERVICE ID> when set.
func (endpointVariables) GetServiceBaseEndpoint(_ context.Context, sdkID string) (string, bool, error) {
	v := os.Getenv("AWS_ENDPOINT_URL_" + strings.ReplaceAll(strings.ToUpper(sdkID), " ", "_"))
	return v, v != "", nil
}

// GetIgnoreConfiguredEndpoints reports AWS_IGNORE_CONFIGURED_ENDPOINT_URLS.
func (endpointVariables) GetIgnoreConfiguredEndpoints(context.Context) (bool, bool, error) {
	v := os.Getenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS")
	return ignoreEndpoints(), v != "", nil
}

func ignoreEndpoints() bool {
	return strings.EqualFold(os.Getenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"), "true")
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
