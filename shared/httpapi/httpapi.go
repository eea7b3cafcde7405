// Package httpapi is the HTTP plumbing every function shares: a router whose
// handlers return errors, JSON decoding that turns every kind of bad input
// into a 4xx failure, the caller's identity from the Lambda authorizer, and
// the adapter that serves an http.Handler as an API Gateway HTTP API (payload
// v2) Lambda function.
package httpapi

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"runtime/debug"
	"time"
	"unicode/utf8"

	"github.com/effektif-serverless/caseflow/shared/failure"
)

// HandlerFunc serves a request and returns an error instead of writing one;
// the router renders it in the dialect's shape.
type HandlerFunc func(w http.ResponseWriter, r *http.Request) error

// ErrorRenderer writes a failure in a dialect's error shape.
type ErrorRenderer func(w http.ResponseWriter, r *http.Request, err *failure.Error)

// Router routes requests by patterns like "GET /api/v1/{key}", with API
// Gateway's precedence (see routes); handlers read variables with
// r.PathValue. Unknown routes, handler errors and panics are rendered by
// its ErrorRenderer.
//
// Path values become parts of stored keys, so the router refuses, for every
// route at once, a path value (unescaped) longer than MaxPathValue bytes or
// not valid UTF-8 with NotFound: no resource can have such a name.
// Handlers still check the shape of what they read (ids.Valid).
type Router struct {
	routes routes
	render ErrorRenderer
}

// NewRouter returns a router that renders errors with render.
func NewRouter(render ErrorRenderer) *Router {
	return &Router{render: render}
}

// Handle registers h for pattern.
func (rt *Router) Handle(pattern string, h HandlerFunc) {
	rt.routes.add(pattern, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := h(w, r); err != nil {
			rt.fail(w, r, err)
		}
	}))
}

// Patterns lists the router's patterns ("METHOD /path"), in the order they
// were registered: the routes the function serves, which a test compares with
// the function's routes in template.yaml.
func (rt *Router) Patterns() []string { return append([]string(nil), rt.routes.patterns...) }

// MaxPathValue bounds one path value: longer than any id, code, key or
// address (254) a route names, and far under DynamoDB's key limits (a sort
// key holds 1024 bytes, a partition key 2048).
const MaxPathValue = 512

// fail renders a handler's error. An Internal failure that wraps an Invalid
// one (a store refusing a key part over DynamoDB's limits, under a "read
// the thing" wrap) is the caller's fault and is answered as that Invalid.
func (rt *Router) fail(w http.ResponseWriter, r *http.Request, err error) {
	f := failure.As(err)
	if f.Code == failure.Internal && f.Cause != nil {
		var inner *failure.Error
		if errors.As(f.Cause, &inner) && inner.Code == failure.Invalid {
			f = inner
		}
	}
	if f.Code == failure.Internal || f.Code == failure.Unavailable {
		slog.ErrorContext(r.Context(), "request failed", "method", r.Method, "error", err.Error())
	}
	if f.Code == failure.Internal {
		f = &failure.Error{Code: failure.Internal, Message: "internal error"}
	}
	rt.render(w, r, f)
}

// ServeHTTP routes the request, logging one line per request.
func (rt *Router) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	sw := &statusWriter{ResponseWriter: w}
	h, pattern, values := rt.routes.match(r.Method, r.URL.EscapedPath())
	defer func() {
		if p := recover(); p != nil {
			slog.ErrorContext(r.Context(), "panic", "panic", p, "stack", string(debug.Stack()))
			if sw.status == 0 {
				rt.render(sw, r, &failure.Error{Code: failure.Internal, Message: "internal error"})
			}
		}
		// The route's pattern, never the path: paths carry codes and ids.
		slog.InfoContext(r.Context(), "request", "method", r.Method, "route", pattern,
			"status", sw.status, "durationMs", time.Since(start).Milliseconds())
	}()
	if h == nil {
		rt.render(sw, r, failure.New(failure.NotFound, "no route for %s %s", r.Method, r.URL.Path))
		return
	}
	for name, v := range values {
		if unescaped, err := url.PathUnescape(v); err == nil {
			v = unescaped
		}
		if len(v) > MaxPathValue || !utf8.ValidString(v) {
			rt.render(sw, r, failure.New(failure.NotFound, "no such %s", name))
			return
		}
		r.SetPathValue(name, v)
	}
	h.ServeHTTP(sw, r)
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(status int) {
	if w.status == 0 {
		w.status = status
	}
	w.ResponseWriter.WriteHeader(status)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// WriteJSON writes v as a JSON response with the status.
func WriteJSON(w http.ResponseWriter, status int, v any) error {
	body, err := json.Marshal(v)
	if err != nil {
		return failure.Wrap(err, "encode response")
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, err = w.Write(append(body, '\n'))
	return err
}
