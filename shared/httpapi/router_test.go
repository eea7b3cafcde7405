package httpapi

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/effektif-serverless/caseflow/shared/failure"
)

func TestRouterPrecedence(t *testing.T) {
	rt := NewRouter(func(w http.ResponseWriter, _ *http.Request, err *failure.Error) { w.WriteHeader(err.Status()) })
	for _, p := range []string{
		"GET /api/v1/about", "GET /api/v1/{organizationKey}", "GET /api/v1/{organizationKey}/users",
		"GET /api/v1/registrations/{code}", "GET /api/v1/{organizationKey}/users/{userId}",
		"GET /api/v1/{organizationKey}/workflows/{id}/export/bpmn/{$}", "GET /api/v1/{organizationKey}/workflows/{id}/export/bpmn",
	} {
		rt.Handle(p, func(w http.ResponseWriter, r *http.Request) error {
			w.Header().Set("X-Route", p)
			w.Header().Set("X-Values", r.PathValue("organizationKey")+"|"+r.PathValue("code")+"|"+r.PathValue("userId")+"|"+r.PathValue("id"))
			return nil
		})
	}
	cases := []struct{ path, route, values string }{
		{"/api/v1/about", "GET /api/v1/about", "|||"},
		{"/api/v1/acme", "GET /api/v1/{organizationKey}", "acme|||"},
		{"/api/v1/registrations/users", "GET /api/v1/registrations/{code}", "|users||"},
		{"/api/v1/acme/users", "GET /api/v1/{organizationKey}/users", "acme|||"},
		{"/api/v1/registrations/users/7", "GET /api/v1/{organizationKey}/users/{userId}", "registrations||7|"},
		{"/api/v1/a%20b/users/x%2Fy", "GET /api/v1/{organizationKey}/users/{userId}", "a b||x/y|"},
		{"/api/v1/o/workflows/w/export/bpmn/", "GET /api/v1/{organizationKey}/workflows/{id}/export/bpmn/{$}", "o|||w"},
		{"/api/v1/o/workflows/w/export/bpmn", "GET /api/v1/{organizationKey}/workflows/{id}/export/bpmn", "o|||w"},
		{"/api/v1/", "", ""},
		{"/api/v1/acme/nothing", "", ""},
		// Empty inner segments are dropped (10Duke's samples write a double slash).
		{"/api/v1//about", "GET /api/v1/about", "|||"},
		{"/api//v1/acme//users", "GET /api/v1/{organizationKey}/users", "acme|||"},
		{"/api/v1/o/workflows//w/export/bpmn/", "GET /api/v1/{organizationKey}/workflows/{id}/export/bpmn/{$}", "o|||w"},
	}
	for _, c := range cases {
		w := httptest.NewRecorder()
		rt.ServeHTTP(w, httptest.NewRequest("GET", c.path, nil))
		if got := w.Header().Get("X-Route"); got != c.route || w.Header().Get("X-Values") != c.values {
			t.Errorf("%s: route %q values %q, want %q %q (status %d)", c.path, got, w.Header().Get("X-Values"), c.route, c.values, w.Code)
		}
	}
	w := httptest.NewRecorder()
	rt.ServeHTTP(w, httptest.NewRequest("POST", "/api/v1/about", nil))
	if w.Code != 404 {
		t.Errorf("an unrouted method answered %d", w.Code)
	}
}

// TestRouterRefusesLongPathValues checks the central bound on path values:
// longer than MaxPathValue (escaped or not) or not UTF-8 is a 404 in the
// renderer's shape, and the handler never runs; Internal failures that wrap
// an Invalid one answer 400.
func TestRouterRefusesLongPathValues(t *testing.T) {
	rt := NewRouter(func(w http.ResponseWriter, _ *http.Request, err *failure.Error) {
		w.Header().Set("X-Code", string(err.Code))
		w.WriteHeader(err.Status())
	})
	ran := 0
	rt.Handle("GET /o/{organizationKey}/users/{userId}", func(w http.ResponseWriter, r *http.Request) error {
		ran++
		if r.PathValue("userId") == "wrapped" {
			return failure.Wrap(failure.New(failure.Invalid, "key too long"), "read user")
		}
		if r.PathValue("userId") == "internal" {
			return failure.Wrap(failure.New(failure.NotFound, "x"), "read user")
		}
		return nil
	})
	long := strings.Repeat("a", MaxPathValue+1)
	cases := []struct {
		path   string
		status int
	}{
		{"/o/acme/users/" + strings.Repeat("a", MaxPathValue), 200},
		{"/o/acme/users/" + long, 404},
		{"/o/" + long + "/users/x", 404},
		{"/o/acme/users/" + strings.Repeat("%41", MaxPathValue+1), 404},
		{"/o/acme/users/" + strings.Repeat("b", 100*1024), 404},
		{"/o/acme/users/%ff%fe", 404},
		{"/o/acme/users/wrapped", 400},
		{"/o/acme/users/internal", 500},
	}
	for _, c := range cases {
		before := ran
		w := httptest.NewRecorder()
		rt.ServeHTTP(w, httptest.NewRequest("GET", c.path, nil))
		if w.Code != c.status {
			t.Errorf("%.60s: status %d, want %d", c.path, w.Code, c.status)
		}
		if c.status == 404 && (ran != before || w.Header().Get("X-Code") != string(failure.NotFound)) {
			t.Errorf("%.60s: the handler ran or the error was not rendered", c.path)
		}
	}
}

// TestRouterCustomMethods: a variable with a literal suffix in one segment
// (Google-style custom methods) matches after percent-decoding, after the
// literals and before a plain variable, the longest suffix first.
func TestRouterCustomMethods(t *testing.T) {
	rt := NewRouter(func(w http.ResponseWriter, _ *http.Request, err *failure.Error) { w.WriteHeader(err.Status()) })
	for _, p := range []string{
		"GET /v2/users/public/username/{username}:getLoginParameters", "GET /v2/users/public/username/{username}",
		"POST /v2/users:sendPasswordReset", "POST /v2/users/{id}", "POST /v2/users/invite:resendEmail",
		"POST /v1/groups/{id}/user:next", "GET /v2/users/{id}:a", "GET /v2/users/{id}:ab",
	} {
		rt.Handle(p, func(w http.ResponseWriter, r *http.Request) error {
			w.Header().Set("X-Route", p)
			w.Header().Set("X-Values", r.PathValue("username")+"|"+r.PathValue("id"))
			return nil
		})
	}
	if got := strings.Join(rt.Patterns(), ","); !strings.HasPrefix(got, "GET /v2/users/public/username/{username}:getLoginParameters,GET /v2/users/public/username/{username},") {
		t.Errorf("patterns %s", got)
	}
	cases := []struct{ method, path, route, values string }{
		{"GET", "/v2/users/public/username/a%2Bb%40c.d:getLoginParameters", "GET /v2/users/public/username/{username}:getLoginParameters", "a+b@c.d|"},
		{"GET", "/v2/users/public/username/a%2Bb%40c.d%3AgetLoginParameters", "GET /v2/users/public/username/{username}:getLoginParameters", "a+b@c.d|"},
		{"GET", "/v2/users/public/username/x%25y%2Fz:getLoginParameters", "GET /v2/users/public/username/{username}:getLoginParameters", "x%y/z|"},
		{"GET", "/v2/users/public/username/ada", "GET /v2/users/public/username/{username}", "ada|"},
		{"GET", "/v2/users/public/username/:getLoginParameters", "GET /v2/users/public/username/{username}", ":getLoginParameters|"},
		{"POST", "/v2/users:sendPasswordReset", "POST /v2/users:sendPasswordReset", "|"},
		{"POST", "/v2/users/invite:resendEmail", "POST /v2/users/invite:resendEmail", "|"},
		{"POST", "/v2/users/7", "POST /v2/users/{id}", "|7"},
		{"POST", "/v1/groups/g1/user:next", "POST /v1/groups/{id}/user:next", "|g1"},
		{"GET", "/v2/users/u:ab", "GET /v2/users/{id}:ab", "|u"},
		{"GET", "/v2/users/u:a", "GET /v2/users/{id}:a", "|u"},
	}
	for _, c := range cases {
		w := httptest.NewRecorder()
		rt.ServeHTTP(w, httptest.NewRequest(c.method, c.path, nil))
		if got := w.Header().Get("X-Route"); got != c.route || w.Header().Get("X-Values") != c.values {
			t.Errorf("%s %s: route %q values %q, want %q %q (status %d)", c.method, c.path, got, w.Header().Get("X-Values"), c.route, c.values, w.Code)
		}
	}
}
