package local

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/effektif-serverless/caseflow/infra/internal/logx"
	"github.com/effektif-serverless/caseflow/infra/lambdaemu"
)

// echoed is what the echo function answers.
type echoed struct {
	Event   events.APIGatewayV2HTTPRequest
	PID     int
	Env     map[string]string
	Met     bool
	Tables  []string
	Buckets []string
}

type client struct {
	t    *testing.T
	base string
}

// do sends a request and returns the response with its body read.
func (c client) do(method, path string, header http.Header, body []byte) (*http.Response, []byte) {
	c.t.Helper()
	req, err := http.NewRequest(method, c.base+path, bytes.NewReader(body))
	if err != nil {
		c.t.Fatal(err)
	}
	for k, vs := range header {
		req.Header[k] = vs
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		c.t.Fatal(err)
	}
	return res, b
}

// echo sends a request that must reach the echo function.
func (c client) echo(method, path string, header http.Header, body []byte) (*http.Response, echoed) {
	c.t.Helper()
	res, b := c.do(method, path, header, body)
	var e echoed
	if res.StatusCode != 200 {
		c.t.Fatalf("%s %s: status %d: %s", method, path, res.StatusCode, b)
	}
	var raw struct {
		Event json.RawMessage
		echoed
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		c.t.Fatalf("%s %s: %v: %s", method, path, err, b)
	}
	e = raw.echoed
	if err := json.Unmarshal(raw.Event, &e.Event); err != nil {
		c.t.Fatalf("%s %s: the event: %v", method, path, err)
	}
	return res, e
}

// expectMessage checks one of the gateway's own answers.
func (c client) expectMessage(method, path string, header http.Header, status int, message string) {
	c.t.Helper()
	res, b := c.do(method, path, header, nil)
	want, _ := json.Marshal(map[string]string{"message": message})
	if res.StatusCode != status || string(b) != string(want) || res.Header.Get("Content-Type") != "application/json" {
		c.t.Errorf("%s %s: got %d %q %s, want %d %s", method, path, res.StatusCode, res.Header.Get("Content-Type"), b, status, want)
	}
}

func TestLocalStack(t *testing.T) {
	if testing.Short() {
		t.Skip("starts DynamoDB Local, the S3 and SES emulators and function processes")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	var logs logx.Buffer
	echoDir := t.TempDir()
	stack, err := Start(ctx, Config{
		Root:     "../..",
		Template: "infra/local/testdata/template.yaml",
		Log:      &logs,
		Env:      map[string]string{"ECHO_DIR": echoDir, "EXTRA": "extra"},
	})
	if err != nil {
		t.Fatalf("Start: %v\n%s", err, logs.String())
	}
	defer func() {
		if err := stack.Close(); err != nil {
			t.Error(err)
		}
		if t.Failed() || testing.Verbose() {
			t.Logf("logs:\n%s", logs.String())
		}
	}()
	auth := http.Header{"Authorization": {"Bearer ok"}}

	t.Run("GatewayAnswers", func(t *testing.T) {
		c := client{t, stack.GatewayURL}
		c.expectMessage("GET", "/nowhere", nil, 404, "Not Found")
		c.expectMessage("POST", "/private/1", auth, 404, "Not Found")
		c.expectMessage("GET", "/private/1", nil, 401, "Unauthorized")
		c.expectMessage("GET", "/private/1", http.Header{"Authorization": {""}}, 401, "Unauthorized")
		c.expectMessage("GET", "/private/1", http.Header{"Authorization": {"deny"}}, 403, "Forbidden")
		c.expectMessage("GET", "/private/1", http.Header{"Authorization": {"error"}}, 500, "Internal Server Error")
	})

	t.Run("AuthorizerContext", func(t *testing.T) {
		_, e := client{t, stack.GatewayURL}.echo("GET", "/private/42", auth, nil)
		lambdaCtx := e.Event.RequestContext.Authorizer.Lambda
		if lambdaCtx["token"] != "Bearer ok" || !strings.HasSuffix(lambdaCtx["routeArn"].(string), "/$default/GET/private/42") ||
			!reflect.DeepEqual(lambdaCtx["identity"], []any{"Bearer ok"}) {
			t.Errorf("authorizer context: got %v", lambdaCtx)
		}
		if e.Event.RouteKey != "GET /private/{id}" || e.Event.PathParameters["id"] != "42" {
			t.Errorf("event: got route %s, path parameters %v", e.Event.RouteKey, e.Event.PathParameters)
		}
	})

	t.Run("Event", func(t *testing.T) {
		h := http.Header{"X-Multi": {"a", "b"}, "Cookie": {"a=1; b=2"}, "Content-Type": {"application/json"}}
		res, e := client{t, stack.GatewayURL}.echo("POST", "/public/a/b%20c?x=1&x=2&y=z", h, []byte(`{"k":"v"}`))
		ev := e.Event
		if ev.Version != "2.0" || ev.RouteKey != "ANY /public/{proxy+}" || ev.RawPath != "/public/a/b%20c" ||
			ev.RawQueryString != "x=1&x=2&y=z" || ev.PathParameters["proxy"] != "a/b c" ||
			!reflect.DeepEqual(ev.QueryStringParameters, map[string]string{"x": "1,2", "y": "z"}) ||
			ev.Body != `{"k":"v"}` || ev.IsBase64Encoded || ev.RequestContext.HTTP.Method != "POST" ||
			ev.RequestContext.Stage != "$default" || ev.RequestContext.RequestID != res.Header.Get("Apigw-Requestid") {
			t.Errorf("event: got %+v", ev)
		}
		if ev.Headers["x-multi"] != "a,b" || ev.Headers["cookie"] != "" || !reflect.DeepEqual(ev.Cookies, []string{"a=1", "b=2"}) {
			t.Errorf("headers %v, cookies %v", ev.Headers, ev.Cookies)
		}
		if got := res.Header.Values("Set-Cookie"); !reflect.DeepEqual(got, []string{"session=abc; Path=/; HttpOnly", "theme=dark"}) {
			t.Errorf("Set-Cookie: got %q", got)
		}
		wantEnv := map[string]string{
			"AWS_LAMBDA_FUNCTION_NAME":  "EchoFunction",
			"AWS_ENDPOINT_URL_DYNAMODB": stack.DynamoDBEndpoint,
			"TABLE_NAME":                "Table",
			"BUCKET_NAME":               "bucket",
			"PUBLIC_BASE_URL":           stack.GatewayURL,
			"EXTRA":                     "extra",
		}
		for k, want := range wantEnv {
			if e.Env[k] != want {
				t.Errorf("function environment %s: got %q, want %q", k, e.Env[k], want)
			}
		}
	})

	// The API documents and their page, served beside the routes.
	t.Run("Docs", func(t *testing.T) {
		c := client{t, stack.GatewayURL}
		for _, want := range []struct{ path, contentType, contains string }{
			{"/docs", "text/html; charset=utf-8", `{"url":"/docs/openapi/tenduke.yaml","name":"tenduke"}`},
			{"/docs/openapi/tenduke.yaml", "application/yaml; charset=utf-8", "openapi: 3.1.0"},
			{"/docs/swagger-ui/swagger-ui-bundle.js", "text/javascript; charset=utf-8", "SwaggerUIBundle"},
			{"/docs/swagger-ui/swagger-ui.css", "text/css; charset=utf-8", ".swagger-ui"},
		} {
			res, b := c.do("GET", want.path, nil, nil)
			if res.StatusCode != 200 || res.Header.Get("Content-Type") != want.contentType || !bytes.Contains(b, []byte(want.contains)) {
				t.Errorf("GET %s: got %d %q, %d bytes, want %s with %q", want.path, res.StatusCode, res.Header.Get("Content-Type"), len(b), want.contentType, want.contains)
			}
		}
		for _, path := range []string{"/docs/openapi/nothing.yaml", "/docs/openapi/..%2Fgo.mod", "/docs/elsewhere"} {
			if res, _ := c.do("GET", path, nil, nil); res.StatusCode != 404 {
				t.Errorf("GET %s: got %d, want 404", path, res.StatusCode)
			}
		}
		if res, _ := c.do("POST", "/docs", nil, nil); res.StatusCode != 405 {
			t.Errorf("POST /docs: got %d, want 405", res.StatusCode)
		}
		// The gateway still answers its own 404 beside /docs.
		c.expectMessage("GET", "/docsx", nil, 404, "Not Found")
	})

	t.Run("LiteralBeatsGreedy", func(t *testing.T) {
		if _, e := (client{t, stack.GatewayURL}).echo("GET", "/public/fixed", nil, nil); e.Event.RouteKey != "GET /public/fixed" {
			t.Errorf("route: got %s", e.Event.RouteKey)
		}
	})

	t.Run("BinaryBody", func(t *testing.T) {
		c := client{t, stack.GatewayURL}
		body := make([]byte, 256*1024)
		for i := range body {
			body[i] = byte(i * 7)
		}
		res, got := c.do("POST", "/public/bin?binary=1", http.Header{"Content-Type": {"application/octet-stream"}}, body)
		if res.StatusCode != 201 || !bytes.Equal(got, body) || res.Header.Get("Content-Type") != "application/octet-stream" {
			t.Errorf("binary round trip: got %d %s, %d bytes, equal %v", res.StatusCode, res.Header.Get("Content-Type"), len(got), bytes.Equal(got, body))
		}
		_, e := c.echo("PUT", "/public/bin", http.Header{"Content-Type": {"image/png"}}, body[:10])
		if !e.Event.IsBase64Encoded {
			t.Error("a binary request body is not marked base64")
		}
	})

	t.Run("Timeouts", func(t *testing.T) {
		c := client{t, stack.GatewayURL}
		// The function's own timeout (2 s): Lambda reports an error.
		c.expectMessage("GET", "/public/t?sleep=10s", nil, 500, "Internal Server Error")
		if !strings.Contains(logs.String(), "Task timed out after 2.00 seconds") {
			t.Error("no timeout in the logs")
		}
		// The route's integration timeout (500 ms), before the function's.
		c.expectMessage("GET", "/slow?sleep=1s", nil, 503, "Service Unavailable")
	})

	t.Run("PanicReplacesInstance", func(t *testing.T) {
		c := client{t, stack.GatewayURL}
		c.expectMessage("GET", "/public/p?panic=1", nil, 500, "Internal Server Error")
		b, err := os.ReadFile(filepath.Join(echoDir, "panic-pid"))
		if err != nil {
			t.Fatal(err)
		}
		pid, _ := strconv.Atoi(string(b))
		waitUntil(t, "the panicked instance exits", func() bool { return syscall.Kill(pid, 0) != nil })
		if _, e := c.echo("GET", "/public/after", nil, nil); e.PID == pid {
			t.Errorf("served by the instance that panicked (%d)", pid)
		}
	})

	t.Run("Concurrency", func(t *testing.T) {
		var wg sync.WaitGroup
		results := make([]echoed, 2)
		for i := range results {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, results[i] = client{t, stack.GatewayURL}.echo("GET", "/public/meet?meet=m1", nil, nil)
			}()
		}
		wg.Wait()
		if !results[0].Met || !results[1].Met || results[0].PID == results[1].PID {
			t.Errorf("two requests did not run at once in two instances: %+v", results)
		}
	})

	t.Run("AWSResources", func(t *testing.T) {
		table, err := stack.AWS.DynamoDB().DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String("Table")})
		if err != nil {
			t.Fatal(err)
		}
		if gsis := table.Table.GlobalSecondaryIndexes; len(gsis) != 1 || *gsis[0].IndexName != "gsi1" {
			t.Errorf("indexes: got %+v", gsis)
		}
		ttl, err := stack.AWS.DynamoDB().DescribeTimeToLive(ctx, &dynamodb.DescribeTimeToLiveInput{TableName: aws.String("Table")})
		if err != nil || *ttl.TimeToLiveDescription.AttributeName != "expiresAt" {
			t.Errorf("time to live: got %+v, %v", ttl, err)
		}
		if _, err := stack.AWS.S3().HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String("bucket")}); err != nil {
			t.Errorf("bucket: %v", err)
		}
		_, e := client{t, stack.GatewayURL}.echo("GET", "/public/aws?aws=1", nil, nil)
		if !slices.Contains(e.Tables, "Table") || !slices.Contains(e.Buckets, "bucket") {
			t.Errorf("what the function sees: tables %v, buckets %v", e.Tables, e.Buckets)
		}
	})

	t.Run("Invoke", func(t *testing.T) {
		out, err := stack.Invoke(ctx, "EchoFunction", []byte(`{"source":"aws.events","detail-type":"Scheduled Event"}`))
		if err != nil || !strings.Contains(string(out), `"received":{"source":"aws.events","detail-type":"Scheduled Event"}`) {
			t.Errorf("Invoke: got %s, %v", out, err)
		}
		_, err = stack.Invoke(ctx, "EchoFunction", []byte(`{"fail":"boom"}`))
		var fnErr *lambdaemu.FunctionError
		if !errors.As(err, &fnErr) || fnErr.Message != "boom" || !strings.Contains(string(fnErr.Payload), `"errorMessage":"boom"`) {
			t.Errorf("Invoke of a failing function: got %v", err)
		}
	})

	for _, want := range []string{"[EchoFunction] START RequestId:", "[EchoFunction] REPORT RequestId:", "[gateway] GET (no route) 404"} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("no %q in the logs", want)
		}
	}
}

// waitUntil polls cond for up to 10 seconds.
func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for range 200 {
		if cond() {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("timed out waiting until %s", what)
}
