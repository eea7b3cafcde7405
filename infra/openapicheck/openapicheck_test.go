package openapicheck

import (
	"os"
	"reflect"
	"strings"
	"testing"
)

const valid = `openapi: 3.1.0
info: {title: t, version: "1"}
servers: [{url: /api/x/}]
paths:
  /things/{thingId}:
    get:
      responses:
        "200":
          description: the thing
          content:
            application/json:
              schema: {$ref: "#/components/schemas/Thing"}
    delete:
      responses:
        "204": {description: gone}
components:
  schemas:
    Thing: {type: object, properties: {id: {type: string}}}
`

func TestLoadValid(t *testing.T) {
	doc, err := Load([]byte(valid))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"DELETE /api/x/things/{thingId}", "GET /api/x/things/{thingId}"}
	if doc.Base != "/api/x" || !reflect.DeepEqual(doc.Operations, want) {
		t.Errorf("got base %q, operations %q", doc.Base, doc.Operations)
	}
}

// TestLoadRefusesBroken proves that a document that does not validate
// fails: each is the valid one broken in one place.
func TestLoadRefusesBroken(t *testing.T) {
	tenduke, err := os.ReadFile("../../docs/openapi/tenduke.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for name, c := range map[string]struct{ spec, want string }{
		"NoTitle":           {strings.Replace(valid, "title: t, ", "", 1), "OpenAPI 3.1 schema"},
		"ResponseNoDesc":    {strings.Replace(valid, `"204": {description: gone}`, `"204": {}`, 1), "OpenAPI 3.1 schema"},
		"BadStatus":         {strings.Replace(valid, `"204"`, `"2x4"`, 1), "OpenAPI 3.1 schema"},
		"UnknownField":      {strings.Replace(valid, "    delete:\n", "    delete:\n      summery: typo\n", 1), "OpenAPI 3.1 schema"},
		"SchemaType":        {strings.Replace(valid, "{type: object,", "{type: objekt,", 1), "no JSON Schema"},
		"UnresolvedRef":     {strings.Replace(valid, "#/components/schemas/Thing", "#/components/schemas/Nothing", 1), ""},
		"OpenAPI30":         {strings.Replace(valid, "openapi: 3.1.0", "openapi: 3.0.3", 1), "OpenAPI 3.1"},
		"NotYAML":           {"openapi: [", ""},
		"TendukeNoRespDesc": {strings.Replace(string(tenduke), "description: Deleted; no body.", "x-description: Deleted; no body.", 1), "OpenAPI 3.1 schema"},
	} {
		t.Run(name, func(t *testing.T) {
			if c.spec == valid || name == "TendukeNoRespDesc" && c.spec == string(tenduke) {
				t.Fatal("the test did not break the document")
			}
			_, err := Load([]byte(c.spec))
			if err == nil {
				t.Fatal("a broken document validates")
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Errorf("got %v, want it to mention %q", err, c.want)
			}
			t.Log(err)
		})
	}
}

func TestNormalize(t *testing.T) {
	for in, want := range map[string]string{
		"GET /a/{organizationId}/b/{id}": "GET /a/{}/b/{}",
		"ANY /files/{proxy+}":            "ANY /files/{+}",
		"POST /v2/users:sendReset":       "POST /v2/users:sendReset",
	} {
		if got := Normalize(in); got != want {
			t.Errorf("Normalize(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestOwner(t *testing.T) {
	mounts := []string{"/api/v1", "/api", "/api/idp/v1", "/v1", "/v2", "/{tenant}/api/v1"}
	for path, want := range map[string]string{
		"/api/idp/v1/users":          "/api/idp/v1",
		"/api/v1/{organizationKey}":  "/api/v1",
		"/api/w/{workspace}/jobs":    "/api",
		"/v2/users:sendReset":        "/v2",
		"/acme/api/v1/Contact":       "/{tenant}/api/v1",
		"/{tenant}/api/v1/Contact":   "/{tenant}/api/v1",
		"/pages/reset":               "",
		"/api/idp/v10/organizations": "/api",
	} {
		if got := Owner(path, mounts); got != want {
			t.Errorf("Owner(%q) = %q, want %q", path, got, want)
		}
	}
}

// TestCompare proves both directions, and that parameter names may
// differ in position only.
func TestCompare(t *testing.T) {
	served := []string{"GET /a/{organizationId}", "POST /a", "DELETE /a/{id}/b"}
	documented := []string{"GET /a/{orgId}", "PUT /a", "DELETE /a/b/{id}"}
	missing, extra := Compare(documented, served)
	if !reflect.DeepEqual(missing, []string{"DELETE /a/{id}/b", "POST /a"}) || !reflect.DeepEqual(extra, []string{"DELETE /a/b/{id}", "PUT /a"}) {
		t.Errorf("got missing %q, extra %q", missing, extra)
	}
	if m, e := Compare(served, served); m != nil || e != nil {
		t.Errorf("the same lists differ: %q %q", m, e)
	}
}
