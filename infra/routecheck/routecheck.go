// Package routecheck keeps the routes of template.yaml and the routers of
// the functions one truth: a function's test builds its router as its main
// does and compares the router's patterns with the function's HttpApi
// routes in the template, both ways.
package routecheck

import (
	"context"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/effektif-serverless/caseflow/infra/localparams"
	"github.com/effektif-serverless/caseflow/infra/samtemplate"
	"github.com/effektif-serverless/caseflow/shared/environment"
	"github.com/effektif-serverless/caseflow/shared/httpapi"
)

// Function checks the function whose code folder is the test's working
// directory (functions/<name>): build, given the environment the template
// gives the function (no AWS call is made), must return an
// *httpapi.Router whose patterns are exactly the function's routes.
func Function(t *testing.T, build func(*environment.Env) http.Handler) {
	t.Helper()
	tmpl, err := samtemplate.Load("../../template.yaml", samtemplate.Options{Parameters: localparams.Values})
	if err != nil {
		t.Fatal(err)
	}
	dir, err := filepath.Abs(".")
	if err != nil {
		t.Fatal(err)
	}
	codeURI := "functions/" + filepath.Base(dir)
	var fn *samtemplate.Function
	for i := range tmpl.Functions {
		if strings.TrimSuffix(tmpl.Functions[i].CodeURI, "/") == codeURI {
			fn = &tmpl.Functions[i]
		}
	}
	if fn == nil {
		t.Fatalf("template.yaml has no function with CodeUri %s", codeURI)
	}
	for k, v := range fn.Environment {
		t.Setenv(k, v)
	}
	t.Setenv("AWS_REGION", "us-east-1")
	t.Setenv("AWS_ACCESS_KEY_ID", "test")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "test")
	env, err := environment.Load(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	router, ok := build(env).(*httpapi.Router)
	if !ok {
		t.Fatalf("%s does not serve an *httpapi.Router", fn.LogicalID)
	}
	var want []string
	for _, r := range tmpl.Routes {
		if r.Function == fn.LogicalID {
			want = append(want, r.Key())
		}
	}
	got := make([]string, 0, len(router.Patterns()))
	for _, p := range router.Patterns() {
		got = append(got, strings.Replace(p, "/{$}", "/", 1))
	}
	for _, w := range want {
		if !slices.Contains(got, w) {
			t.Errorf("%s: template route %q has no handler in the router", fn.LogicalID, w)
		}
	}
	for _, g := range got {
		if !slices.Contains(want, g) {
			t.Errorf("%s: router pattern %q is not a route of the function in template.yaml", fn.LogicalID, g)
		}
	}
}
