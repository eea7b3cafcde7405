// Package gateway is a local stand-in for an API Gateway HTTP API with
// Lambda proxy integrations (payload format 2.0): it routes requests by a
// SAM template's HttpApi events, runs the Lambda authorizers, turns each
// request into the event API Gateway would send, invokes the function, and
// turns its response back into HTTP, with API Gateway's own answers
// ({"message":"Not Found"} and friends) where API Gateway gives them.
package gateway

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log"
	"net/http"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/effektif-serverless/caseflow/infra/internal/logx"
	"github.com/effektif-serverless/caseflow/infra/lambdaemu"
	"github.com/effektif-serverless/caseflow/infra/samtemplate"
)

// MaxBody is API Gateway's limit for a request body: 10 MB.
const MaxBody = 10 * 1024 * 1024

// Invoker runs a function (by logical ID) on a JSON event. A
// *lambdaemu.FunctionError means the function failed.
type Invoker interface {
	Invoke(ctx context.Context, function string, payload []byte) ([]byte, error)
}

// Gateway is an http.Handler serving a template's HTTP API routes.
type Gateway struct {
	router    *router
	invoker   Invoker
	apiIDs    map[string]string // HTTP API logical ID → API ID
	region    string
	accountID string
	log       *log.Logger
	cache     resultCache
}

// New returns a gateway for the routes of tmpl, invoking functions through
// invoker and logging one line per request to logw.
func New(tmpl *samtemplate.Template, invoker Invoker, logw io.Writer) *Gateway {
	g := &Gateway{
		router:    newRouter(tmpl.Routes),
		invoker:   invoker,
		apiIDs:    map[string]string{},
		region:    tmpl.Region(),
		accountID: tmpl.AccountID(),
		log:       logx.New(logx.Sync(logw), "gateway"),
	}
	for _, api := range tmpl.APIs {
		g.apiIDs[api.LogicalID] = api.ID
	}
	return g
}

// ServeHTTP implements http.Handler.
func (g *Gateway) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	requestID := newRequestID()
	res := g.serve(r, requestID, start)
	w.Header().Set("Apigw-Requestid", requestID)
	res.write(w)
	// The route, not the path: paths carry codes and ids (API Gateway's
	// access logs can be set up the same way, with $context.routeKey).
	route := "(no route)"
	if rt, _ := g.router.match(r.Method, r.URL.EscapedPath()); rt != nil {
		route = rt.Path
	}
	g.log.Printf("%s %s %d %.1fms", r.Method, route, res.status, float64(time.Since(start).Microseconds())/1000)
}

func (g *Gateway) serve(r *http.Request, requestID string, start time.Time) *response {
	rt, params := g.router.match(r.Method, r.URL.EscapedPath())
	if rt == nil {
		return notFound
	}
	body, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, MaxBody))
	var tooLarge *http.MaxBytesError
	switch {
	case errors.As(err, &tooLarge):
		return requestTooLarge
	case err != nil:
		g.log.Printf("reading the request body: %v", err)
		return internalError
	}
	ev := newEvent(r, body, requestInfo{
		route: rt, params: params, apiID: g.apiIDs[rt.API], accountID: g.accountID,
		requestID: requestID, receivedAt: start,
	})
	if a := rt.Authorizer; a != nil {
		authCtx, denied := g.authorize(r.Context(), a, &ev)
		if denied != nil {
			return denied
		}
		ev.RequestContext.Authorizer = &events.APIGatewayV2HTTPRequestContextAuthorizerDescription{Lambda: authCtx}
	}
	payload, err := json.Marshal(ev)
	if err != nil {
		g.log.Printf("encoding the event: %v", err)
		return internalError
	}
	ctx, cancel := context.WithTimeout(r.Context(), rt.Timeout)
	defer cancel()
	out, err := g.invoker.Invoke(ctx, rt.Function, payload)
	if err != nil {
		return g.invokeFailed(r, rt, err)
	}
	res, err := newResponse(out)
	if err != nil {
		g.log.Printf("%s: %v", rt.Function, err)
		return internalError
	}
	if res.warning != "" {
		g.log.Printf("%s: %s", rt.Function, res.warning)
	}
	return res
}

// invokeFailed maps a failed invocation to API Gateway's answer.
func (g *Gateway) invokeFailed(r *http.Request, rt *route, err error) *response {
	var fnErr *lambdaemu.FunctionError
	switch {
	case errors.Is(err, lambdaemu.ErrRequestTooLarge):
		return requestTooLarge
	case errors.Is(err, context.DeadlineExceeded) && r.Context().Err() == nil:
		g.log.Printf("%s: no answer within the integration timeout of %s", rt.Function, rt.Timeout)
		return unavailable
	case errors.As(err, &fnErr):
		g.log.Printf("%s: %s: %s", rt.Function, fnErr.Type, fnErr.Message)
	default:
		g.log.Printf("%s: %v", rt.Function, err)
	}
	return internalError
}
