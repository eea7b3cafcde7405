package gateway

import (
	"net/url"
	"strings"

	"github.com/effektif-serverless/caseflow/infra/samtemplate"
	"github.com/effektif-serverless/caseflow/shared/httpapi"
)

// segment kinds, in order of precedence: a literal segment beats a
// variable with a literal suffix (a Google-style custom method,
// "{username}:getLoginParameters"), which beats a plain variable, which
// beats a greedy variable.
const (
	literal = iota
	suffixed
	variable
	greedy
)

type segment struct {
	kind   int
	value  string // the literal, or the variable's name
	suffix string // the literal after a suffixed variable
}

// route is a template route, ready to match.
type route struct {
	samtemplate.Route
	segments []segment // nil for $default
}

// router picks the route of a request as API Gateway does: the most
// specific path wins (compared segment by segment: literal, then variable,
// then greedy), then a route of the request's method beats an ANY route;
// $default catches what nothing else does.
type router struct {
	routes   []*route
	fallback *route // $default
}

func newRouter(routes []samtemplate.Route) *router {
	rt := &router{}
	for _, r := range routes {
		c := &route{Route: r}
		if r.Path == "" {
			rt.fallback = c
			continue
		}
		for _, s := range strings.Split(strings.TrimPrefix(r.Path, "/"), "/") {
			switch {
			case strings.HasPrefix(s, "{") && strings.HasSuffix(s, "+}"):
				c.segments = append(c.segments, segment{kind: greedy, value: s[1 : len(s)-2]})
			case strings.HasPrefix(s, "{") && strings.HasSuffix(s, "}"):
				c.segments = append(c.segments, segment{kind: variable, value: s[1 : len(s)-1]})
			case strings.HasPrefix(s, "{") && strings.Index(s, "}") > 1:
				end := strings.Index(s, "}")
				c.segments = append(c.segments, segment{kind: suffixed, value: s[1:end], suffix: s[end+1:]})
			default:
				c.segments = append(c.segments, segment{kind: literal, value: s})
			}
		}
		rt.routes = append(rt.routes, c)
	}
	return rt
}

// match returns the route for method and the raw (escaped) path, with the
// path parameters, or nil.
func (rt *router) match(method, rawPath string) (*route, map[string]string) {
	// Empty inner segments are dropped, as the functions' router does
	// (httpapi.CollapseSlashes): "/api/idp/v1//organizations" is
	// "/api/idp/v1/organizations".
	parts := httpapi.CollapseSlashes(strings.Split(strings.TrimPrefix(rawPath, "/"), "/"))
	var best *route
	var bestParams map[string]string
	for _, r := range rt.routes {
		if r.Method != method && r.Method != "ANY" {
			continue
		}
		params, ok := r.matchPath(parts)
		if ok && (best == nil || r.beats(best)) {
			best, bestParams = r, params
		}
	}
	if best == nil && rt.fallback != nil {
		return rt.fallback, nil
	}
	return best, bestParams
}

// matchPath matches the request path's segments.
func (r *route) matchPath(parts []string) (map[string]string, bool) {
	var params map[string]string
	set := func(name, raw string) bool {
		v, err := url.PathUnescape(raw)
		if err != nil || v == "" {
			return false
		}
		if params == nil {
			params = map[string]string{}
		}
		params[name] = v
		return true
	}
	for i, s := range r.segments {
		if s.kind == greedy {
			return params, i < len(parts) && set(s.value, strings.Join(parts[i:], "/"))
		}
		if i >= len(parts) {
			return nil, false
		}
		switch s.kind {
		case literal:
			if v, err := url.PathUnescape(parts[i]); err != nil || v != s.value {
				return nil, false
			}
		case variable:
			if !set(s.value, parts[i]) {
				return nil, false
			}
		case suffixed:
			// Matched after percent-decoding: the value is what precedes
			// the suffix, non-empty.
			v, err := url.PathUnescape(parts[i])
			if err != nil || len(v) <= len(s.suffix) || !strings.HasSuffix(v, s.suffix) {
				return nil, false
			}
			if params == nil {
				params = map[string]string{}
			}
			params[s.value] = strings.TrimSuffix(v, s.suffix)
		}
	}
	return params, len(parts) == len(r.segments)
}

// beats reports whether r is more specific than o, both matching the same
// request.
func (r *route) beats(o *route) bool {
	for i := 0; i < len(r.segments) && i < len(o.segments); i++ {
		if a, b := r.segments[i].kind, o.segments[i].kind; a != b {
			return a < b
		}
		if a, b := len(r.segments[i].suffix), len(o.segments[i].suffix); a != b {
			return a > b // the longer suffix is the more specific
		}
	}
	if len(r.segments) != len(o.segments) {
		return len(r.segments) > len(o.segments)
	}
	return r.Method != "ANY" && o.Method == "ANY"
}
