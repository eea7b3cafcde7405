package httpapi

import (
	"net/http"
	"strings"
)

// routes matches requests the way API Gateway does: by method and path
// segments, a literal segment winning over a variable ("{name}") in the
// same position, so "GET /api/v1/about" is preferred to
// "GET /api/v1/{organizationKey}" and "/registrations/{code}" to
// "/{organizationKey}/users". A trailing "{$}" matches an empty last segment
// (a path ending in "/"). Variables are set as the request's path values.
type routes struct {
	root node
}

type node struct {
	literal  map[string]*node
	variable *node
	name     string // the variable's name, on the variable child
	handlers map[string]http.Handler
	patterns map[string]string // the pattern of each handler, for logs
}

func splitPath(p string) []string {
	return strings.Split(strings.TrimPrefix(p, "/"), "/")
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
		if strings.HasPrefix(seg, "{") && strings.HasSuffix(seg, "}") {
			name := seg[1 : len(seg)-1]
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
