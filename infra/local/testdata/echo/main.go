// Command echo is the test function of the local stack's integration test.
// As an HTTP API handler it answers with the event it received and its
// process ID; query parameters make it misbehave: sleep=<duration>,
// panic=1, binary=1 (echo the request body as a binary response), aws=1
// (list the tables and buckets it can reach), meet=<name> (wait until
// another instance joins the same meeting). With ECHO_MODE=authorizer it
// is a simple-response Lambda authorizer. Any other event is echoed back,
// or fails with {"fail": "message"}.
package main

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

func main() {
	if os.Getenv("ECHO_MODE") == "authorizer" {
		lambda.Start(authorize)
	}
	lambda.Start(handle)
}

// authorize allows any Authorization header but "deny" and "error".
func authorize(ctx context.Context, req events.APIGatewayV2CustomAuthorizerV2Request) (events.APIGatewayV2CustomAuthorizerSimpleResponse, error) {
	token := req.Headers["authorization"]
	switch token {
	case "deny":
		return events.APIGatewayV2CustomAuthorizerSimpleResponse{IsAuthorized: false}, nil
	case "error":
		return events.APIGatewayV2CustomAuthorizerSimpleResponse{}, errors.New("authorizer failed on purpose")
	}
	return events.APIGatewayV2CustomAuthorizerSimpleResponse{
		IsAuthorized: true,
		Context:      map[string]any{"token": token, "routeArn": req.RouteArn, "identity": req.IdentitySource},
	}, nil
}

func handle(ctx context.Context, raw json.RawMessage) (any, error) {
	var probe struct {
		RouteKey string `json:"routeKey"`
		Fail     string `json:"fail"`
	}
	_ = json.Unmarshal(raw, &probe)
	switch {
	case probe.Fail != "":
		return nil, errors.New(probe.Fail)
	case probe.RouteKey == "":
		return map[string]any{"received": raw, "pid": os.Getpid()}, nil
	}
	var ev events.APIGatewayV2HTTPRequest
	if err := json.Unmarshal(raw, &ev); err != nil {
		return nil, err
	}
	return serveHTTP(ctx, ev, raw)
}

func serveHTTP(ctx context.Context, ev events.APIGatewayV2HTTPRequest, raw json.RawMessage) (events.APIGatewayV2HTTPResponse, error) {
	q := ev.QueryStringParameters
	if d, err := time.ParseDuration(q["sleep"]); err == nil {
		time.Sleep(d)
	}
	if q["panic"] != "" {
		writeFile("panic-pid", strconv.Itoa(os.Getpid()))
		panic("echo: panic on purpose")
	}
	if q["binary"] != "" {
		return events.APIGatewayV2HTTPResponse{
			StatusCode:      201,
			Headers:         map[string]string{"Content-Type": "application/octet-stream"},
			Body:            base64Body(ev),
			IsBase64Encoded: true,
		}, nil
	}
	out := map[string]any{
		"event": raw,
		"pid":   os.Getpid(),
		"env": map[string]string{
			"AWS_LAMBDA_FUNCTION_NAME":  os.Getenv("AWS_LAMBDA_FUNCTION_NAME"),
			"AWS_LAMBDA_RUNTIME_API":    os.Getenv("AWS_LAMBDA_RUNTIME_API"),
			"AWS_ENDPOINT_URL_DYNAMODB": os.Getenv("AWS_ENDPOINT_URL_DYNAMODB"),
			"TABLE_NAME":                os.Getenv("TABLE_NAME"),
			"BUCKET_NAME":               os.Getenv("BUCKET_NAME"),
			"PUBLIC_BASE_URL":           os.Getenv("PUBLIC_BASE_URL"),
			"EXTRA":                     os.Getenv("EXTRA"),
		},
	}
	if name := q["meet"]; name != "" {
		out["met"] = meet(name)
	}
	if q["aws"] != "" {
		tables, buckets, err := listAWS(ctx)
		if err != nil {
			return events.APIGatewayV2HTTPResponse{}, err
		}
		out["tables"], out["buckets"] = tables, buckets
	}
	body, err := json.Marshal(out)
	return events.APIGatewayV2HTTPResponse{
		StatusCode: 200,
		Headers:    map[string]string{"Content-Type": "application/json"},
		Cookies:    []string{"session=abc; Path=/; HttpOnly", "theme=dark"},
		Body:       string(body),
	}, err
}

// base64Body is the request body, base64-encoded.
func base64Body(ev events.APIGatewayV2HTTPRequest) string {
	if ev.IsBase64Encoded {
		return ev.Body
	}
	return base64.StdEncoding.EncodeToString([]byte(ev.Body))
}

// meet announces this process in the meeting called name and waits (a few
// seconds at most) until another process has announced itself too: two
// requests that meet ran at the same time in different instances.
func meet(name string) bool {
	writeFile(name+"-"+strconv.Itoa(os.Getpid()), "")
	for range 100 {
		if matches, _ := filepath.Glob(filepath.Join(os.Getenv("ECHO_DIR"), name+"-*")); len(matches) >= 2 {
			return true
		}
		time.Sleep(50 * time.Millisecond)
	}
	return false
}

func writeFile(name, content string) {
	if err := os.WriteFile(filepath.Join(os.Getenv("ECHO_DIR"), name), []byte(content), 0o644); err != nil {
		fmt.Fprintln(os.Stderr, "echo:", err)
	}
}

func listAWS(ctx context.Context) (tables, buckets []string, err error) {
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		return nil, nil, err
	}
	lt, err := dynamodb.NewFromConfig(cfg).ListTables(ctx, &dynamodb.ListTablesInput{})
	if err != nil {
		return nil, nil, err
	}
	lb, err := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true }).ListBuckets(ctx, &s3.ListBucketsInput{})
	if err != nil {
		return nil, nil, err
	}
	for _, b := range lb.Buckets {
		buckets = append(buckets, *b.Name)
	}
	return lt.TableNames, buckets, nil
}
