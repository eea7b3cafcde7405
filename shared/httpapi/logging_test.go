package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"os"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/awslabs/aws-lambda-go-api-proxy/core"
)

func TestLogLinesCarryTheRequestIDs(t *testing.T) {
	f, err := os.CreateTemp(t.TempDir(), "log")
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(NewLogHandler(f, "warn"))
	ctx := lambdacontext.NewContext(context.Background(), &lambdacontext.LambdaContext{AwsRequestID: "lambda-1"})
	req, err := (&core.RequestAccessorV2{}).EventToRequestWithContext(ctx, events.APIGatewayV2HTTPRequest{
		RawPath: "/x", RequestContext: events.APIGatewayV2HTTPRequestContext{RequestID: "api-1", HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{Method: "GET", Path: "/x"}}})
	if err != nil {
		t.Fatal(err)
	}
	ctx = req.Context()
	log.InfoContext(ctx, "below the level")
	log.With("fn", "x").WarnContext(ctx, "kept")
	log.Warn("no request")
	raw, _ := os.ReadFile(f.Name())
	lines := bytes.Split(bytes.TrimSpace(raw), []byte("\n"))
	if len(lines) != 2 {
		t.Fatalf("lines %q", raw)
	}
	var first, second map[string]any
	_ = json.Unmarshal(lines[0], &first)
	_ = json.Unmarshal(lines[1], &second)
	if first["msg"] != "kept" || first["awsRequestId"] != "lambda-1" || first["apiRequestId"] != "api-1" || first["fn"] != "x" {
		t.Errorf("a request's line: %v", first)
	}
	if _, ok := second["awsRequestId"]; ok {
		t.Errorf("a line without a request: %v", second)
	}
	for in, want := range map[string]slog.Level{"": slog.LevelInfo, "DEBUG": slog.LevelDebug, "error": slog.LevelError, "nonsense": slog.LevelInfo} {
		if got := LogLevel(in); got != want {
			t.Errorf("LogLevel(%q) = %v, want %v", in, got, want)
		}
	}
}
