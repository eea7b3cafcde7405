package httpapi

import (
	"net/http"
	"net/url"
	"sort"
	"strings"
)

// routes matches requests the way API Gateway does: by method and path
// segments, a literal segment winning over a variable ("{name}") in the
// same position, so "GET /api/v1/about" is preferred to
// "GET /api/v1/{organizationKey}" and "/registrations/{code}" to
// "/{organizationKey}/users". A trailing "{$}" matches an empty last segment
// (a path ending in "/"). A segment may also be a variable followed by a
// literal suffix, a Google-style custom method ("{username}:getLoginParameters",
// matched after percent-decoding the segment): it is tried after the
// literals and before a plain variable, the longest suffix first.
// Variables are set as the request's path values.
type routes struct {
	root node
	// patterns lists every registered pattern, in registration order.
	patterns []string
}

type node struct {
	literal  map[string]*node
	suffixed []*node // variables with a literal suffix, longest suffix first
	variable *node
	name     string // the variable's name, on a variable child
	suffix   string // the literal after the variable, on a suffixed child
	handlers map[string]http.Handler
	patterns map[string]string // the pattern of each handler, for logs
}

// parseVariable splits a segment "{name}" or "{name}suffix"; ok is false for
// a literal segment.
func parseVariable(seg string) (name, suffix string, ok bool) {
	if !strings.HasPrefix(seg, "{") {
		return "", "", false
	}
	end := strings.Index(seg, "}")
	if end < 2 {
		return "", "", false
	}
	return seg[1:end], seg[end+1:], true
}

// suffixedChild returns the suffixed child for suffix, adding it when missing.
func (n *node) suffixedChild(name, suffix, pattern string) *node {
	for _, c := range n.suffixed {
		if c.suffix == suffix {
			if c.name != name {
				panic("httpapi: two names for one path variable in " + pattern)
			}
			return c
		}
	}
	c := &node{name: name, suffix: suffix}
	n.suffixed = append(n.suffixed, c)
	sort.SliceStable(n.suffixed, func(i, j int) bool { return len(n.suffixed[i].suffix) > len(n.suffixed[j].suffix) })
	return c
}

// splitPath splits a path into its segments. Empty segments inside the
// path are dropped (a client that writes "/api/idp/v1//organizations", as
// 10Duke's samples do, reaches "/api/idp/v1/organizations"); a trailing
// slash stays an empty last segment (routes ending in "{$}").
func splitPath(p string) []string {
	return CollapseSlashes(strings.Split(strings.TrimPrefix(p, "/"), "/"))
}

// CollapseSlashes drops the empty segments of a split path but a last
// one; both routers (this one and the local gateway's) match with it.
func CollapseSlashes(parts []string) []string {
	out := parts[:0:0]
	for i, s := range parts {
		if s != "" || i == len(parts)-1 {
			out = append(out, s)
		}
	}
	return out
}

// add registers a handler for "METHOD /path"; it panics on a malformed or
// duplicate pattern (a programming error, found at start).
func (rs *routes) add(pattern string, h http.Handler) {
	method, path, ok := strings.Cut(pattern, " ")
	if !ok || !strings.HasPrefix(path, "/") {
		panic("httpapi: pattern must be \"METHOD /path\": " + pattern)
	}
	n := &rs.root
	for _, seg := range splitPath(path) {
		if seg == "{$}" {
			seg = ""
		}
		if name, suffix, ok := parseVariable(seg); ok && suffix != "" {
			n = n.suffixedChild(name, suffix, pattern)
			continue
		}
		if name, _, ok := parseVariable(seg); ok {
			if n.variable == nil {
				n.variable = &node{name: name}
			} else if n.variable.name != name {
				panic("httpapi: two names for one path variable in " + pattern)
			}
			n = n.variable
			continue
		}
		if n.literal == nil {
			n.literal = map[string]*node{}
		}
		if n.literal[seg] == nil {
			n.literal[seg] = &node{}
		}
		n = n.literal[seg]
	}
	if n.handlers == nil {
		n.handlers, n.patterns = map[string]http.Handler{}, map[string]string{}
	}
	if n.handlers[method] != nil {
		panic("httpapi: duplicate route " + pattern)
	}
	n.handlers[method], n.patterns[method] = h, pattern
	rs.patterns = append(rs.patterns, pattern)
}

// match finds the handler for a request, its pattern and its path values;
// a nil handler when no route matches.
func (rs *routes) match(method, path string) (http.Handler, string, map[string]string) {
	segs := splitPath(path)
	values := map[string]string{}
	pattern := ""
	var walk func(n *node, i int) http.Handler
	walk = func(n *node, i int) http.Handler {
		if i == len(segs) {
			pattern = n.patterns[method]
			return n.handlers[method]
		}
		if next := n.literal[segs[i]]; next != nil {
			if h := walk(next, i+1); h != nil {
				return h
			}
		}
		if len(n.suffixed) > 0 {
			decoded, err := url.PathUnescape(segs[i])
			for _, next := range n.suffixed {
				if err != nil || len(decoded) <= len(next.suffix) || !strings.HasSuffix(decoded, next.suffix) {
					continue
				}
				if h := walk(next, i+1); h != nil {
					// Kept escaped, as the other values are: ServeHTTP unescapes once.
					values[next.name] = url.PathEscape(strings.TrimSuffix(decoded, next.suffix))
					return h
				}
			}
		}
		if next := n.variable; next != nil && segs[i] != "" {
			if h := walk(next, i+1); h != nil {
				values[next.name] = segs[i]
				return h
			}
		}
		return nil
	}
	h := walk(&rs.root, 0)
	return h, pattern, values
}
