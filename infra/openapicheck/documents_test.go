package openapicheck_test

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/effektif-serverless/caseflow/infra/localparams"
	"github.com/effektif-serverless/caseflow/infra/openapicheck"
	"github.com/effektif-serverless/caseflow/infra/samtemplate"
)

// apis are the five APIs, each with its mounts (the path prefixes of its
// routes; a route belongs to the API with the longest mount it lies under)
// and its document in docs/openapi ("" until it is written). A document
// is added by writing it and naming it here.
var apis = []struct {
	name     string
	mounts   []string
	document string
}{
	{"Effektif", []string{"/api/v1"}, "effektif.yaml"},
	{"Windmill", []string{"/api"}, "windmill.yaml"},
	{"10Duke", []string{"/api/idp/v1"}, "tenduke.yaml"},
	{"epilot", []string{"/v1", "/v2"}, "epilot.yaml"},
	{"SuperOffice", []string{"/{tenant}/api/v1"}, "superoffice.yaml"},
}

const documents = "../../docs/openapi"

// TestDocuments checks each API's document: valid OpenAPI 3.1, its
// server's base path the API's mount (or none, with absolute paths), and
// its operations exactly the template's routes of the API.
func TestDocuments(t *testing.T) {
	tmpl, err := samtemplate.Load("../../template.yaml", samtemplate.Options{Parameters: localparams.Values})
	if err != nil {
		t.Fatal(err)
	}
	var mounts []string
	for _, api := range apis {
		mounts = append(mounts, api.mounts...)
	}
	for _, api := range apis {
		t.Run(api.name, func(t *testing.T) {
			if api.document == "" {
				t.Skipf("%s has no document in docs/openapi yet", api.name)
			}
			spec, err := os.ReadFile(filepath.Join(documents, api.document))
			if err != nil {
				t.Fatal(err)
			}
			doc, err := openapicheck.Load(spec)
			if err != nil {
				t.Fatalf("%s: %v", api.document, err)
			}
			// A document's paths are relative to its mount (the server's
			// path) or absolute (no server path).
			if len(api.mounts) == 1 && doc.Base != "" && doc.Base != api.mounts[0] {
				t.Errorf("%s: the first server's path is %q, want the mount %s or none", api.document, doc.Base, api.mounts[0])
			}
			var served []string
			for _, r := range tmpl.Routes {
				if slices.Contains(api.mounts, openapicheck.Owner(r.Path, mounts)) {
					served = append(served, r.Key())
				}
			}
			if len(served) == 0 {
				t.Fatalf("the template has no route under %v", api.mounts)
			}
			missing, extra := openapicheck.Compare(doc.Operations, served)
			for _, k := range missing {
				t.Errorf("%s: the template's route %q is not documented", api.document, k)
			}
			for _, k := range extra {
				t.Errorf("%s: the documented operation %q is no route of the template", api.document, k)
			}
			t.Logf("%s: %d operations, %d routes", api.document, len(doc.Operations), len(served))
		})
	}
}

// TestEveryDocumentListed refuses a document of docs/openapi that the
// table does not name (it would go unchecked).
func TestEveryDocumentListed(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(documents, "*.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		listed := false
		for _, api := range apis {
			listed = listed || api.document == filepath.Base(f)
		}
		if !listed {
			t.Errorf("%s is in no row of apis: name its API there", f)
		}
	}
}
