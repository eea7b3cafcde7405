package gateway

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/effektif-serverless/caseflow/infra/lambdaemu"
	"github.com/effektif-serverless/caseflow/infra/samtemplate"
)

const testTemplate = `
Resources:
  Api:
    Type: AWS::Serverless::HttpApi
    Properties:
      Auth:
        DefaultAuthorizer: Token
        Authorizers:
          Token:
            FunctionArn: !GetAtt Auth.Arn
            AuthorizerPayloadFormatVersion: "2.0"
            EnableSimpleResponses: true
            Identity: {Headers: [Authorization]}
          Policy:
            FunctionArn: !GetAtt Auth.Arn
            AuthorizerPayloadFormatVersion: "2.0"
            Identity: {QueryStrings: [key]}
  Auth:
    Type: AWS::Serverless::Function
    Properties: {CodeUri: auth}
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: fn
      Events:
        About: {Type: HttpApi, Properties: {ApiId: !Ref Api, Method: GET, Path: /api/v1/about}}
        Org: {Type: HttpApi, Properties: {ApiId: !Ref Api, Method: GET, Path: "/api/v1/{organizationKey}"}}
        OrgPut: {Type: HttpApi, Properties: {ApiId: !Ref Api, Method: PUT, Path: "/api/v1/{organizationKey}"}}
        Member: {Type: HttpApi, Properties: {ApiId: !Ref Api, Method: GET, Path: "/api/v1/{organizationKey}/users/{userId}"}}
        Files: {Type: HttpApi, Properties: {ApiId: !Ref Api, Method: ANY, Path: "/files/{proxy+}", Auth: {Authorizer: NONE}}}
        FilesGet: {Type: HttpApi, Properties: {ApiId: !Ref Api, Method: GET, Path: "/files/{proxy+}", Auth: {Authorizer: NONE}}}
        Special: {Type: HttpApi, Properties: {ApiId: !Ref Api, Method: ANY, Path: /files/special, Auth: {Authorizer: NONE}}}
        Keyed: {Type: HttpApi, Properties: {ApiId: !Ref Api, Method: GET, Path: /keyed, Auth: {Authorizer: Policy}}}
        Quick: {Type: HttpApi, Properties: {ApiId: !Ref Api, Method: GET, Path: /quick, Auth: {Authorizer: NONE}, TimeoutInMillis: 50}}
`

func parseTemplate(t *testing.T) *samtemplate.Template {
	t.Helper()
	tmpl, err := samtemplate.Parse([]byte(testTemplate), samtemplate.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return tmpl
}

// routeCase is a request and the route key and parameters it must match
// ("" for none).
type routeCase struct {
	method, path, key string
	params            map[string]string
}

func checkMatches(t *testing.T, rt *router, cases []routeCase) {
	t.Helper()
	for _, c := range cases {
		r, params := rt.match(c.method, c.path)
		key := ""
		if r != nil {
			key = r.Key()
		}
		if key != c.key || !reflect.DeepEqual(params, c.params) {
			t.Errorf("%s %s: got %q %v, want %q %v", c.method, c.path, key, params, c.key, c.params)
		}
	}
}

func TestRoutePrecedence(t *testing.T) {
	rt := newRouter(parseTemplate(t).Routes)
	cases := []routeCase{
		{"GET", "/api/v1/about", "GET /api/v1/about", nil},
		{"GET", "/api/v1/acme", "GET /api/v1/{organizationKey}", map[string]string{"organizationKey": "acme"}},
		{"PUT", "/api/v1/about", "PUT /api/v1/{organizationKey}", map[string]string{"organizationKey": "about"}},
		{"GET", "/api/v1/a%20b/users/u%2F1", "GET /api/v1/{organizationKey}/users/{userId}",
			map[string]string{"organizationKey": "a b", "userId": "u/1"}},
		{"GET", "/files/special", "ANY /files/special", nil},
		{"GET", "/files/a/b/c.txt", "GET /files/{proxy+}", map[string]string{"proxy": "a/b/c.txt"}},
		{"POST", "/files/a", "ANY /files/{proxy+}", map[string]string{"proxy": "a"}},
		{"DELETE", "/api/v1/acme", "", nil},
		{"GET", "/files", "", nil},
		{"GET", "/files/", "", nil},
		{"GET", "/api/v1/acme/users", "", nil},
		{"GET", "/api/v1/about/", "", nil},
		{"GET", "/api/v1//users/x", "", nil},
		// Empty inner segments are dropped (10Duke's samples write a double slash).
		{"GET", "/api/v1//acme", "GET /api/v1/{organizationKey}", map[string]string{"organizationKey": "acme"}},
		{"GET", "/api//v1/about", "GET /api/v1/about", nil},
	}
	checkMatches(t, rt, cases)
}

// TestCustomMethodRoutes: a variable followed by a literal suffix in one
// segment matches after percent-decoding, after literals and before a
// plain variable, the longest suffix first.
func TestCustomMethodRoutes(t *testing.T) {
	tmpl, err := samtemplate.Parse([]byte(`
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: fn
      Events:
        Params: {Type: HttpApi, Properties: {Method: GET, Path: "/v2/users/public/username/{username}:getLoginParameters"}}
        User: {Type: HttpApi, Properties: {Method: GET, Path: "/v2/users/public/username/{username}"}}
        Reset: {Type: HttpApi, Properties: {Method: POST, Path: "/v2/users:sendPasswordReset"}}
        ById: {Type: HttpApi, Properties: {Method: POST, Path: "/v2/users/{id}"}}
        Next: {Type: HttpApi, Properties: {Method: POST, Path: "/v1/groups/{id}/user:next"}}
        Short: {Type: HttpApi, Properties: {Method: GET, Path: "/x/{id}:a"}}
        Long: {Type: HttpApi, Properties: {Method: GET, Path: "/x/{id}:ab"}}
`), samtemplate.Options{})
	if err != nil {
		t.Fatal(err)
	}
	rt := newRouter(tmpl.Routes)
	cases := []routeCase{
		{"GET", "/v2/users/public/username/a%2Bb%40c.d:getLoginParameters", "GET /v2/users/public/username/{username}:getLoginParameters", map[string]string{"username": "a+b@c.d"}},
		{"GET", "/v2/users/public/username/a%40c.d%3AgetLoginParameters", "GET /v2/users/public/username/{username}:getLoginParameters", map[string]string{"username": "a@c.d"}},
		{"GET", "/v2/users/public/username/ada", "GET /v2/users/public/username/{username}", map[string]string{"username": "ada"}},
		{"GET", "/v2/users/public/username/:getLoginParameters", "GET /v2/users/public/username/{username}", map[string]string{"username": ":getLoginParameters"}},
		{"POST", "/v2/users:sendPasswordReset", "POST /v2/users:sendPasswordReset", nil},
		{"POST", "/v2/users/7", "POST /v2/users/{id}", map[string]string{"id": "7"}},
		{"POST", "/v1/groups/g/user:next", "POST /v1/groups/{id}/user:next", map[string]string{"id": "g"}},
		{"GET", "/x/u:ab", "GET /x/{id}:ab", map[string]string{"id": "u"}},
		{"GET", "/x/u:a", "GET /x/{id}:a", map[string]string{"id": "u"}},
		{"GET", "/x/u", "", nil},
	}
	checkMatches(t, rt, cases)
}

func TestDefaultRoute(t *testing.T) {
	tmpl, err := samtemplate.Parse([]byte(`
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: fn
      Events:
        Any: {Type: HttpApi}
        One: {Type: HttpApi, Properties: {Method: GET, Path: /one}}
`), samtemplate.Options{})
	if err != nil {
		t.Fatal(err)
	}
	rt := newRouter(tmpl.Routes)
	for path, want := range map[string]string{"/one": "GET /one", "/two": "$default", "/": "$default"} {
		if r, _ := rt.match("GET", path); r == nil || r.Key() != want {
			t.Errorf("GET %s: got %v, want %s", path, r, want)
		}
	}
}

func TestNewEvent(t *testing.T) {
	r := httptest.NewRequest("POST", "http://127.0.0.1:3000/api/v1/acme?x=1&x=2&q=a%20b&empty=", strings.NewReader(`{"a":1}`))
	r.Header.Set("Content-Type", "application/json; charset=utf-8")
	r.Header.Add("X-Multi", "one")
	r.Header.Add("X-Multi", "two")
	r.Header.Add("Cookie", "a=1; b=2")
	r.Header.Add("Cookie", "c=3")
	r.Header.Set("User-Agent", "test/1.0")
	rt := &route{Route: samtemplate.Route{Method: "POST", Path: "/api/v1/{organizationKey}"}}
	ev := newEvent(r, []byte(`{"a":1}`), requestInfo{route: rt, params: map[string]string{"organizationKey": "acme"},
		apiID: "api", accountID: "123456789012", requestID: "rid"})

	if ev.Version != "2.0" || ev.RouteKey != "POST /api/v1/{organizationKey}" || ev.RawPath != "/api/v1/acme" ||
		ev.RawQueryString != "x=1&x=2&q=a%20b&empty=" {
		t.Errorf("event: got %+v", ev)
	}
	wantQuery := map[string]string{"x": "1,2", "q": "a b", "empty": ""}
	if !reflect.DeepEqual(ev.QueryStringParameters, wantQuery) {
		t.Errorf("query: got %v, want %v", ev.QueryStringParameters, wantQuery)
	}
	if !reflect.DeepEqual(ev.Cookies, []string{"a=1", "b=2", "c=3"}) {
		t.Errorf("cookies: got %v", ev.Cookies)
	}
	if _, ok := ev.Headers["cookie"]; ok {
		t.Error("the Cookie header is in headers")
	}
	for k, want := range map[string]string{"x-multi": "one,two", "host": "127.0.0.1:3000", "user-agent": "test/1.0",
		"content-type": "application/json; charset=utf-8", "x-forwarded-port": "3000", "x-forwarded-proto": "http"} {
		if ev.Headers[k] != want {
			t.Errorf("header %s: got %q, want %q", k, ev.Headers[k], want)
		}
	}
	if ev.Body != `{"a":1}` || ev.IsBase64Encoded {
		t.Errorf("body: got %q base64=%v", ev.Body, ev.IsBase64Encoded)
	}
	rc := ev.RequestContext
	if rc.Stage != "$default" || rc.RouteKey != ev.RouteKey || rc.APIID != "api" || rc.AccountID != "123456789012" ||
		rc.DomainName != "127.0.0.1:3000" || rc.DomainPrefix != "127" || rc.RequestID != "rid" ||
		rc.HTTP.Method != "POST" || rc.HTTP.Path != "/api/v1/acme" || rc.HTTP.Protocol != "HTTP/1.1" ||
		rc.HTTP.SourceIP != "192.0.2.1" || rc.HTTP.UserAgent != "test/1.0" {
		t.Errorf("request context: got %+v", rc)
	}
	none := newEvent(httptest.NewRequest("GET", "/x", nil), nil, requestInfo{route: rt})
	if none.QueryStringParameters != nil || none.Cookies != nil || none.Body != "" || none.IsBase64Encoded {
		t.Errorf("event without query, cookies or body: got %+v", none)
	}
}

func TestRequestBodyEncoding(t *testing.T) {
	body := []byte{0, 1, 2, 'h', 'i'}
	notUTF8 := []byte{0, 1, 2, 0xff, 'h', 'i'}
	cases := map[string]bool{ // content type → passed as text
		"text/plain; charset=latin1":        true,
		"application/json":                  true,
		"application/vnd.api+json":          true,
		"application/xml":                   true,
		"application/atom+xml":              true,
		"application/javascript":            true,
		"application/x-www-form-urlencoded": true,
		"":                                  false,
		"application/octet-stream":          false,
		"image/svg+xml":                     false,
		"multipart/form-data; boundary=x":   false,
	}
	rt := &route{Route: samtemplate.Route{Method: "POST", Path: "/"}}
	for ct, text := range cases {
		r := httptest.NewRequest("POST", "/", nil)
		if ct != "" {
			r.Header.Set("Content-Type", ct)
		}
		ev := newEvent(r, body, requestInfo{route: rt})
		want := base64.StdEncoding.EncodeToString(body)
		if text {
			want = string(body)
		}
		if ev.IsBase64Encoded == text || ev.Body != want {
			t.Errorf("%q: got body %q base64=%v", ct, ev.Body, ev.IsBase64Encoded)
		}
		// A body that is not UTF-8 would lose bytes as a JSON string.
		if ev := newEvent(r, notUTF8, requestInfo{route: rt}); !ev.IsBase64Encoded || ev.Body != base64.StdEncoding.EncodeToString(notUTF8) {
			t.Errorf("%q: a body that is not UTF-8 got %q base64=%v", ct, ev.Body, ev.IsBase64Encoded)
		}
	}
}

func TestNewResponse(t *testing.T) {
	structured := `{"statusCode":201,"headers":{"Content-Type":"image/png","X-Joined":"a, b"},
		"multiValueHeaders":{"X-Many":["1","2"]},"cookies":["a=1; Path=/","b=2"],
		"body":"` + base64.StdEncoding.EncodeToString([]byte{0x89, 'P', 'N', 'G', 0}) + `","isBase64Encoded":true}`
	res, err := newResponse([]byte(structured))
	if err != nil {
		t.Fatal(err)
	}
	if res.status != 201 || !bytes.Equal(res.body, []byte{0x89, 'P', 'N', 'G', 0}) ||
		res.header.Get("Content-Type") != "image/png" || res.header.Get("X-Joined") != "a, b" ||
		!reflect.DeepEqual(res.header.Values("Set-Cookie"), []string{"a=1; Path=/", "b=2"}) {
		t.Errorf("structured: got %+v", res)
	}
	if res.header.Get("X-Many") != "" || res.warning == "" {
		t.Errorf("multiValueHeaders: API Gateway ignores them, got header %q and warning %q", res.header.Get("X-Many"), res.warning)
	}

	res, err = newResponse([]byte(`{"statusCode":0,"body":"plain"}`))
	if err != nil || res.status != 200 || string(res.body) != "plain" || res.header.Get("Content-Type") != "" {
		t.Errorf("status 0: got %+v, %v", res, err)
	}
	for _, payload := range []string{`{"hello":"world"}`, `"just a string"`, `[1,2]`, `null`} {
		res, err = newResponse([]byte(payload))
		if err != nil || res.status != 200 || string(res.body) != payload || res.header.Get("Content-Type") != "application/json" {
			t.Errorf("inferred response for %s: got %+v, %v", payload, res, err)
		}
	}
	for _, bad := range []string{`not json`, `{"statusCode":200,"body":"%%%","isBase64Encoded":true}`, `{"statusCode":1000}`} {
		if _, err := newResponse([]byte(bad)); err == nil {
			t.Errorf("%s: no error", bad)
		}
	}
}

// fakeInvoker answers invocations with a function per logical ID.
type fakeInvoker struct {
	mu     sync.Mutex
	events map[string][][]byte
	answer map[string]func(ctx context.Context, payload []byte) ([]byte, error)
}

func (f *fakeInvoker) Invoke(ctx context.Context, fn string, payload []byte) ([]byte, error) {
	f.mu.Lock()
	if f.events == nil {
		f.events = map[string][][]byte{}
	}
	f.events[fn] = append(f.events[fn], payload)
	f.mu.Unlock()
	return f.answer[fn](ctx, payload)
}

func (f *fakeInvoker) count(fn string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.events[fn])
}

func TestGatewayAnswers(t *testing.T) {
	inv := &fakeInvoker{answer: map[string]func(context.Context, []byte) ([]byte, error){
		"Auth": func(_ context.Context, payload []byte) ([]byte, error) {
			var req events.APIGatewayV2CustomAuthorizerV2Request
			_ = json.Unmarshal(payload, &req)
			switch {
			case req.Headers["authorization"] == "deny":
				return []byte(`{"isAuthorized":false}`), nil
			case req.Headers["authorization"] == "error":
				return nil, &lambdaemu.FunctionError{Type: "errorString", Message: "boom"}
			case req.QueryStringParameters["key"] != "":
				effect := "Allow"
				if req.QueryStringParameters["key"] == "deny" {
					effect = "Deny"
				}
				return []byte(`{"principalId":"p","policyDocument":{"Version":"2012-10-17","Statement":[
					{"Effect":"` + effect + `","Action":"execute-api:Invoke","Resource":["arn:aws:execute-api:*:*:*/$default/GET/keyed"]}]},
					"context":{"via":"policy"}}`), nil
			}
			return []byte(`{"isAuthorized":true,"context":{"user":"u1","n":2}}`), nil
		},
		"Fn": func(ctx context.Context, payload []byte) ([]byte, error) {
			var ev events.APIGatewayV2HTTPRequest
			_ = json.Unmarshal(payload, &ev)
			switch ev.RawPath {
			case "/files/fail":
				return nil, &lambdaemu.FunctionError{Type: lambdaemu.TypeExit, Message: "crashed"}
			case "/files/timeout":
				return nil, &lambdaemu.FunctionError{Type: lambdaemu.TypeTimeout, Message: "timed out"}
			case "/files/big":
				return nil, lambdaemu.ErrRequestTooLarge
			case "/quick":
				<-ctx.Done()
				return nil, ctx.Err()
			}
			return json.Marshal(events.APIGatewayV2HTTPResponse{StatusCode: 200, Body: string(payload)})
		},
	}}
	var logs bytes.Buffer
	g := New(parseTemplate(t), inv, &logs)
	do := func(method, target, auth string, body io.Reader) (*httptest.ResponseRecorder, events.APIGatewayV2HTTPRequest) {
		r := httptest.NewRequest(method, target, body)
		if auth != "" {
			r.Header.Set("Authorization", auth)
		}
		w := httptest.NewRecorder()
		g.ServeHTTP(w, r)
		var ev events.APIGatewayV2HTTPRequest
		if w.Code == 200 {
			if err := json.Unmarshal(w.Body.Bytes(), &ev); err != nil {
				t.Fatalf("%s %s: the echoed event: %v", method, target, err)
			}
		}
		return w, ev
	}
	answers := []struct {
		method, target, auth string
		body                 io.Reader
		status               int
		message              string
	}{
		{"GET", "/nowhere", "", nil, 404, "Not Found"},
		{"DELETE", "/api/v1/acme", "token", nil, 404, "Not Found"},
		{"GET", "/api/v1/about", "", nil, 401, "Unauthorized"},
		{"GET", "/api/v1/about", "deny", nil, 403, "Forbidden"},
		{"GET", "/api/v1/about", "error", nil, 500, "Internal Server Error"},
		{"GET", "/keyed", "", nil, 401, "Unauthorized"},
		{"GET", "/keyed?key=deny", "", nil, 403, "Forbidden"},
		{"GET", "/files/fail", "", nil, 500, "Internal Server Error"},
		{"GET", "/files/timeout", "", nil, 500, "Internal Server Error"},
		{"GET", "/files/big", "", nil, 413, "Request Entity Too Large"},
		{"GET", "/quick", "", nil, 503, "Service Unavailable"},
		{"POST", "/files/upload", "", bytes.NewReader(make([]byte, MaxBody+1)), 413, "Request Entity Too Large"},
	}
	for _, a := range answers {
		before := inv.count("Fn")
		w, _ := do(a.method, a.target, a.auth, a.body)
		want, _ := json.Marshal(map[string]string{"message": a.message})
		if w.Code != a.status || w.Body.String() != string(want) || w.Header().Get("Content-Type") != "application/json" {
			t.Errorf("%s %s (auth %q): got %d %s %q, want %d %s", a.method, a.target, a.auth, w.Code,
				w.Header().Get("Content-Type"), w.Body, a.status, want)
		}
		if a.status == 401 || a.status == 403 || a.target == "/nowhere" {
			if inv.count("Fn") != before {
				t.Errorf("%s %s: the function was invoked", a.method, a.target)
			}
		}
	}
	if inv.count("Auth") != 3 { // deny, error and keyed deny; none for missing identity sources
		t.Errorf("authorizer invocations: got %d, want 3", inv.count("Auth"))
	}

	w, ev := do("GET", "/api/v1/acme/users/u1", "Bearer ok", nil)
	if w.Code != 200 || ev.RequestContext.Authorizer == nil ||
		!reflect.DeepEqual(ev.RequestContext.Authorizer.Lambda, map[string]any{"user": "u1", "n": float64(2)}) {
		t.Errorf("authorizer context: got %d %+v", w.Code, ev.RequestContext.Authorizer)
	}
	if w.Header().Get("Apigw-Requestid") == "" {
		t.Error("no Apigw-Requestid header")
	}
	var authReq events.APIGatewayV2CustomAuthorizerV2Request
	_ = json.Unmarshal(inv.events["Auth"][len(inv.events["Auth"])-1], &authReq)
	if authReq.Type != "REQUEST" || authReq.Version != "2.0" || !reflect.DeepEqual(authReq.IdentitySource, []string{"Bearer ok"}) ||
		authReq.RouteKey != "GET /api/v1/{organizationKey}/users/{userId}" || authReq.PathParameters["userId"] != "u1" ||
		authReq.RouteArn != "arn:aws:execute-api:us-east-1:123456789012:api/$default/GET/api/v1/acme/users/u1" {
		t.Errorf("authorizer request: got %+v", authReq)
	}
	w, ev = do("GET", "/keyed?key=k1", "", nil)
	if w.Code != 200 || ev.RequestContext.Authorizer.Lambda["via"] != "policy" {
		t.Errorf("IAM policy authorizer: got %d %+v", w.Code, ev.RequestContext.Authorizer)
	}
	if !strings.Contains(logs.String(), "[gateway] GET (no route) 404") {
		t.Errorf("no request log line in:\n%s", logs.String())
	}
}

func TestStringListMatches(t *testing.T) {
	arn := "arn:aws:execute-api:us-east-1:123:api/$default/GET/a/b"
	for pattern, want := range map[string]bool{
		"*": true, arn: true, "arn:aws:execute-api:*:*:api/*": true, "arn:aws:execute-api:*:*:api/$default/GET/a/?": true,
		"arn:aws:execute-api:*:*:api/$default/POST/*": false, "arn:aws:execute-api:*:*:other/*": false,
	} {
		if got := (stringList{pattern}).matches(arn); got != want {
			t.Errorf("%s: got %v, want %v", pattern, got, want)
		}
	}
}
