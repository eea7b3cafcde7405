package gateway

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"path"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/effektif-serverless/caseflow/infra/samtemplate"
)

// authorizerTimeout is API Gateway's limit for a Lambda authorizer.
const authorizerTimeout = 10 * time.Second

// authorize runs the route's Lambda authorizer for ev, as API Gateway does.
// It returns the authorizer's context for requestContext.authorizer.lambda,
// or the gateway's answer when the request may not pass.
func (g *Gateway) authorize(ctx context.Context, a *samtemplate.Authorizer, ev *events.APIGatewayV2HTTPRequest) (map[string]any, *response) {
	identity, ok := identitySources(a, ev)
	if !ok {
		return nil, unauthorized
	}
	if a.JWT || a.PayloadFormatVersion != "2.0" {
		g.log.Printf("authorizer %s: only Lambda authorizers with payload format 2.0 are emulated", a.Name)
		return nil, internalError
	}
	routeARN := fmt.Sprintf("arn:aws:execute-api:%s:%s:%s/%s/%s%s", g.region, ev.RequestContext.AccountID,
		ev.RequestContext.APIID, ev.RequestContext.Stage, ev.RequestContext.HTTP.Method, ev.RawPath)
	cacheKey := a.Name + "\x00" + strings.Join(identity, "\x00")
	out, cached := g.cache.get(cacheKey)
	if !cached {
		req := events.APIGatewayV2CustomAuthorizerV2Request{
			Version:               "2.0",
			Type:                  "REQUEST",
			RouteArn:              routeARN,
			IdentitySource:        identity,
			RouteKey:              ev.RouteKey,
			RawPath:               ev.RawPath,
			RawQueryString:        ev.RawQueryString,
			Cookies:               ev.Cookies,
			Headers:               ev.Headers,
			QueryStringParameters: ev.QueryStringParameters,
			RequestContext:        ev.RequestContext,
			PathParameters:        ev.PathParameters,
		}
		payload, _ := json.Marshal(req)
		ctx, cancel := context.WithTimeout(ctx, authorizerTimeout)
		defer cancel()
		var err error
		if out, err = g.invoker.Invoke(ctx, a.Function, payload); err != nil {
			g.log.Printf("authorizer %s: %v", a.Name, err)
			return nil, internalError
		}
		if a.ReauthorizeEvery > 0 {
			g.cache.put(cacheKey, out, a.ReauthorizeEvery)
		}
	}
	allowed, authCtx, err := evaluate(a, out, routeARN)
	switch {
	case err != nil:
		g.log.Printf("authorizer %s: %v", a.Name, err)
		return nil, internalError
	case !allowed:
		return nil, forbidden
	}
	return authCtx, nil
}

// identitySources are the values of the authorizer's identity sources, or
// false when one is missing or empty.
func identitySources(a *samtemplate.Authorizer, ev *events.APIGatewayV2HTTPRequest) ([]string, bool) {
	var out []string
	for _, h := range a.IdentityHeaders {
		v := ev.Headers[strings.ToLower(h)]
		if v == "" {
			return nil, false
		}
		out = append(out, v)
	}
	for _, q := range a.IdentityQueryStrings {
		v := ev.QueryStringParameters[q]
		if v == "" {
			return nil, false
		}
		out = append(out, v)
	}
	return out, true
}

// evaluate reads an authorizer's answer: a simple response
// {isAuthorized, context}, or else an IAM policy whose statements must allow
// execute-api:Invoke on the route ARN.
func evaluate(a *samtemplate.Authorizer, out []byte, routeARN string) (bool, map[string]any, error) {
	if a.SimpleResponses {
		var res struct {
			IsAuthorized *bool          `json:"isAuthorized"`
			Context      map[string]any `json:"context"`
		}
		if err := json.Unmarshal(out, &res); err != nil || res.IsAuthorized == nil {
			return false, nil, fmt.Errorf("not a simple response {isAuthorized, context}: %.200s", out)
		}
		return *res.IsAuthorized, res.Context, nil
	}
	var res struct {
		PolicyDocument struct {
			Statement []struct {
				Effect   string
				Action   stringList
				Resource stringList
			}
		} `json:"policyDocument"`
		Context map[string]any `json:"context"`
	}
	if err := json.Unmarshal(out, &res); err != nil {
		return false, nil, fmt.Errorf("not an IAM policy response: %v", err)
	}
	allowed := false
	for _, st := range res.PolicyDocument.Statement {
		if !st.Action.matches("execute-api:Invoke") || !st.Resource.matches(routeARN) {
			continue
		}
		if strings.EqualFold(st.Effect, "Deny") {
			return false, nil, nil
		}
		allowed = allowed || strings.EqualFold(st.Effect, "Allow")
	}
	return allowed, res.Context, nil
}

// stringList is an IAM policy value: one string or a list of them.
type stringList []string

func (s *stringList) UnmarshalJSON(b []byte) error {
	var one string
	if json.Unmarshal(b, &one) == nil {
		*s = []string{one}
		return nil
	}
	return json.Unmarshal(b, (*[]string)(s))
}

// matches reports whether a pattern of the list (with IAM's * and ?
// wildcards) matches v.
func (s stringList) matches(v string) bool {
	for _, pattern := range s {
		// path.Match treats / specially; IAM wildcards cross it.
		p := strings.ReplaceAll(pattern, "/", "\x00")
		if ok, _ := path.Match(p, strings.ReplaceAll(v, "/", "\x00")); ok {
			return true
		}
	}
	return false
}

// resultCache keeps authorizer answers for ReauthorizeEvery.
type resultCache struct {
	mu      sync.Mutex
	entries map[string]cacheEntry
}

type cacheEntry struct {
	out     []byte
	expires time.Time
}

func (c *resultCache) get(key string) ([]byte, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[key]
	if !ok || time.Now().After(e.expires) {
		delete(c.entries, key)
		return nil, false
	}
	return e.out, true
}

func (c *resultCache) put(key string, out []byte, ttl time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.entries == nil {
		c.entries = map[string]cacheEntry{}
	}
	c.entries[key] = cacheEntry{out, time.Now().Add(ttl)}
}

var _ http.Handler = (*Gateway)(nil)
