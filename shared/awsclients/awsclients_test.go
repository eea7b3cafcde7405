package awsclients

import (
	"context"
	"strings"
	"testing"
)

func setLambdaEnv(t *testing.T) {
	t.Setenv("AWS_REGION", "eu-west-1")
	t.Setenv("AWS_ACCESS_KEY_ID", "id")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "secret")
	t.Setenv("AWS_SESSION_TOKEN", "token")
	t.Setenv("AWS_ENDPOINT_URL", "")
	t.Setenv("AWS_ENDPOINT_URL_DYNAMODB", "")
	t.Setenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "")
}

func TestLoadFromLambdaVariables(t *testing.T) {
	setLambdaEnv(t)
	t.Setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:4566")
	t.Setenv("AWS_ENDPOINT_URL_DYNAMODB", "http://127.0.0.1:8000")
	ctx := context.Background()
	cfg, err := Load(ctx)
	if err != nil {
		t.Fatal(err)
	}
	creds, err := cfg.Credentials.Retrieve(ctx)
	if err != nil || creds.AccessKeyID != "id" || creds.SecretAccessKey != "secret" || creds.SessionToken != "token" {
		t.Fatalf("credentials %+v, %v", creds, err)
	}
	if cfg.Region != "eu-west-1" || cfg.BaseEndpoint == nil || *cfg.BaseEndpoint != "http://127.0.0.1:4566" {
		t.Fatalf("region %q, base endpoint %v", cfg.Region, cfg.BaseEndpoint)
	}
	src := endpointVariables{}
	if v, ok, _ := src.GetServiceBaseEndpoint(ctx, "DynamoDB"); !ok || v != "http://127.0.0.1:8000" {
		t.Fatalf("DynamoDB endpoint %q, %v", v, ok)
	}
	if _, ok, _ := src.GetServiceBaseEndpoint(ctx, "SESv2"); ok {
		t.Fatal("SESv2 has no endpoint variable of its own here")
	}
}

func TestLoadIgnoresEndpointsWhenAsked(t *testing.T) {
	setLambdaEnv(t)
	t.Setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:4566")
	t.Setenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true")
	cfg, err := Load(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if ignore, found, _ := (endpointVariables{}).GetIgnoreConfiguredEndpoints(context.Background()); cfg.BaseEndpoint != nil || !ignore || !found {
		t.Fatalf("base endpoint %v, ignore %v %v", cfg.BaseEndpoint, ignore, found)
	}
}

func TestLoadNamesTheMissingVariable(t *testing.T) {
	for _, name := range []string{"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"} {
		setLambdaEnv(t)
		t.Setenv(name, "")
		if _, err := Load(context.Background()); err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("without %s: %v", name, err)
		}
	}
	setLambdaEnv(t)
	t.Setenv("AWS_REGION", "")
	t.Setenv("AWS_DEFAULT_REGION", "")
	if _, err := Load(context.Background()); err == nil || !strings.Contains(err.Error(), "AWS_REGION") {
		t.Errorf("without a region: %v", err)
	}
	setLambdaEnv(t)
	t.Setenv("AWS_RESPONSE_CHECKSUM_VALIDATION", "sometimes")
	if _, err := Load(context.Background()); err == nil || !strings.Contains(err.Error(), "AWS_RESPONSE_CHECKSUM_VALIDATION") {
		t.Errorf("a bad checksum setting: %v", err)
	}
}
