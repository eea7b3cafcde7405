package samtemplate

import (
	"fmt"
	"sort"
	"strings"
	"time"
)

// implicitAPI is the logical ID SAM gives the HTTP API it creates for
// HttpApi events that name no ApiId.
const implicitAPI = "ServerlessHttpApi"

// defaultIntegrationTimeout is API Gateway's HTTP API integration timeout.
const defaultIntegrationTimeout = 30 * time.Second

// HTTPAPI is an AWS::Serverless::HttpApi (or the implicit one).
type HTTPAPI struct {
	LogicalID string
	// ID is what !Ref gives: the local API ID.
	ID string
	// DefaultAuthorizer names the authorizer of routes that don't set one;
	// empty for none.
	DefaultAuthorizer string
	Authorizers       map[string]*Authorizer
}

// Authorizer is an HTTP API authorizer.
type Authorizer struct {
	Name string
	// Function is the logical ID of a Lambda authorizer's function; empty
	// for a JWT authorizer.
	Function string
	// JWT is set for a JWT authorizer, which the local gateway can't check.
	JWT bool
	// PayloadFormatVersion is "1.0" or "2.0".
	PayloadFormatVersion string
	// SimpleResponses: the function answers {isAuthorized, context}
	// instead of an IAM policy.
	SimpleResponses bool
	// IdentityHeaders and IdentityQueryStrings are the identity sources;
	// a request lacking one of them is refused with 401.
	IdentityHeaders      []string
	IdentityQueryStrings []string
	// ReauthorizeEvery is how long a result may be cached; 0 for never.
	ReauthorizeEvery time.Duration
}

// Route is one HttpApi event: a route of an HTTP API served by a function.
type Route struct {
	// Method is upper case, or ANY.
	Method string
	// Path is the route path, such as /api/v1/{organizationKey} or
	// /files/{proxy+}; empty for the $default route.
	Path     string
	Function string // logical ID
	Event    string // name of the event in the function's Events
	API      string // logical ID of the HTTP API
	// Authorizer guards the route; nil for a public route (Auth.Authorizer:
	// NONE, or an API without a default authorizer).
	Authorizer *Authorizer
	// Timeout is the integration timeout (TimeoutInMillis, default 30 s).
	Timeout              time.Duration
	PayloadFormatVersion string
}

// Key is the API Gateway route key: "GET /api/v1/{id}" or "$default".
func (r Route) Key() string {
	if r.Path == "" {
		return "$default"
	}
	return r.Method + " " + r.Path
}

func (t *Template) parseHTTPAPI(id string, props map[string]any) (HTTPAPI, error) {
	props = mapOf(mergeGlobals(t.globals["HttpApi"], props))
	api := HTTPAPI{LogicalID: id, ID: strings.ToLower(id), Authorizers: map[string]*Authorizer{}}
	auth := mapOf(props["Auth"])
	api.DefaultAuthorizer, _ = auth["DefaultAuthorizer"].(string)
	defs := mapOf(auth["Authorizers"])
	for _, name := range sortedKeys(defs) {
		a, err := t.parseAuthorizer(name, mapOf(defs[name]))
		if err != nil {
			return api, fmt.Errorf("authorizer %s: %w", name, err)
		}
		api.Authorizers[name] = a
	}
	if d := api.DefaultAuthorizer; d != "" && api.Authorizers[d] == nil {
		return api, fmt.Errorf("DefaultAuthorizer %s is not among the Authorizers", d)
	}
	return api, nil
}

func (t *Template) parseAuthorizer(name string, def map[string]any) (*Authorizer, error) {
	a := &Authorizer{Name: name}
	if _, ok := def["JwtConfiguration"]; ok {
		a.JWT = true
		return a, nil
	}
	var err error
	if a.Function, err = t.functionOfARN(def["FunctionArn"]); err != nil {
		return nil, fmt.Errorf("FunctionArn: %w", err)
	}
	resolved, err := t.resolve(def, 0)
	if err != nil {
		return nil, err
	}
	var p struct {
		AuthorizerPayloadFormatVersion string
		EnableSimpleResponses          any
		Identity                       struct {
			Headers, QueryStrings []string
			ReauthorizeEvery      any
		}
	}
	if err := decode(resolved, &p); err != nil {
		return nil, err
	}
	a.PayloadFormatVersion = or(p.AuthorizerPayloadFormatVersion, "2.0")
	a.SimpleResponses = p.EnableSimpleResponses == true || p.EnableSimpleResponses == "true"
	a.IdentityHeaders, a.IdentityQueryStrings = p.Identity.Headers, p.Identity.QueryStrings
	if a.IdentityHeaders == nil && a.IdentityQueryStrings == nil {
		a.IdentityHeaders = []string{"Authorization"}
	}
	if p.Identity.ReauthorizeEvery != nil {
		secs, err := intValue(p.Identity.ReauthorizeEvery)
		if err != nil {
			return nil, fmt.Errorf("ReauthorizeEvery: %w", err)
		}
		a.ReauthorizeEvery = time.Duration(secs) * time.Second
	}
	return a, nil
}

// functionOfARN finds the function an authorizer's FunctionArn names:
// !GetAtt Fn.Arn, or an ARN string ending in the function's name.
func (t *Template) functionOfARN(v any) (string, error) {
	if m, ok := v.(map[string]any); ok {
		var ref []any
		switch a := m["Fn::GetAtt"].(type) {
		case string:
			id, attr, _ := strings.Cut(a, ".")
			ref = []any{id, attr}
		case []any:
			ref = a
		}
		if len(ref) == 2 && ref[1] == "Arn" {
			if id, _ := ref[0].(string); t.Function(id) != nil {
				return id, nil
			}
		}
	}
	r, err := t.resolve(v, 0)
	if err != nil {
		return "", err
	}
	arn, _ := r.(string)
	for _, fn := range t.Functions {
		if arn == t.FunctionARN(fn.Name) || strings.HasSuffix(arn, ":function:"+fn.Name) {
			return fn.LogicalID, nil
		}
	}
	return "", fmt.Errorf("%v names no function of the template", v)
}

// api returns the HTTP API with the given logical ID, creating the implicit
// one on first use.
func (t *Template) api(id string) (*HTTPAPI, error) {
	if api := t.HTTPAPI(id); api != nil {
		return api, nil
	}
	if id != implicitAPI {
		return nil, fmt.Errorf("ApiId %s is not an AWS::Serverless::HttpApi of the template", id)
	}
	api, err := t.parseHTTPAPI(implicitAPI, nil)
	if err != nil {
		return nil, err
	}
	t.APIs = append(t.APIs, api)
	return &t.APIs[len(t.APIs)-1], nil
}

func (t *Template) collectRoutes() error {
	for _, fn := range t.Functions {
		for _, e := range fn.Events {
			if e.Type != "HttpApi" {
				continue
			}
			r, err := t.parseRoute(fn.LogicalID, e)
			if err != nil {
				return fmt.Errorf("function %s: event %s: %w", fn.LogicalID, e.Name, err)
			}
			t.Routes = append(t.Routes, r)
		}
	}
	sort.SliceStable(t.Routes, func(i, j int) bool { return t.Routes[i].Key() < t.Routes[j].Key() })
	return nil
}

func (t *Template) parseRoute(fn string, e Event) (Route, error) {
	r := Route{Function: fn, Event: e.Name, API: implicitAPI, Timeout: defaultIntegrationTimeout}
	if ref, ok := mapOf(e.Properties["ApiId"])["Ref"].(string); ok {
		r.API = ref
	} else if _, set := e.Properties["ApiId"]; set {
		return r, fmt.Errorf("ApiId must be !Ref of an HttpApi")
	}
	props, err := t.resolve(withoutKey(e.Properties, "ApiId"), 0)
	if err != nil {
		return r, err
	}
	var p struct {
		Method, Path, PayloadFormatVersion string
		TimeoutInMillis                    any
		Auth                               struct{ Authorizer string }
	}
	if err := decode(props, &p); err != nil {
		return r, err
	}
	r.Path, r.PayloadFormatVersion = p.Path, or(p.PayloadFormatVersion, "2.0")
	if r.Method = strings.ToUpper(p.Method); r.Method == "" {
		r.Method = "ANY"
	}
	if p.TimeoutInMillis != nil {
		ms, err := intValue(p.TimeoutInMillis)
		if err != nil {
			return r, fmt.Errorf("TimeoutInMillis: %w", err)
		}
		r.Timeout = time.Duration(ms) * time.Millisecond
	}
	api, err := t.api(r.API)
	if err != nil {
		return r, err
	}
	name := p.Auth.Authorizer
	if name == "" {
		name = api.DefaultAuthorizer
	}
	if name != "" && name != "NONE" {
		if r.Authorizer = api.Authorizers[name]; r.Authorizer == nil {
			return r, fmt.Errorf("authorizer %s is not defined on %s", name, api.LogicalID)
		}
	}
	return r, nil
}

func withoutKey(m map[string]any, key string) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		if k != key {
			out[k] = v
		}
	}
	return out
}
