// Package openapicheck keeps the API documents of docs/openapi true: each
// is a valid OpenAPI 3.1 document (checked by libopenapi and
// libopenapi-validator, the JSON Schema of the specification included),
// and its operations are exactly the template's routes under its API's
// mount, both ways (its test, run by make test, checks every document of
// the table APIs).
package openapicheck

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"slices"
	"strings"

	"github.com/pb33f/libopenapi"
	validator "github.com/pb33f/libopenapi-validator"
	"github.com/pb33f/libopenapi-validator/helpers"
	"github.com/pb33f/libopenapi/datamodel"
	"gopkg.in/yaml.v3"
)

// Document is a valid OpenAPI document's routes.
type Document struct {
	// Version is the document's openapi field, such as 3.1.0.
	Version string
	// Base is the path of its first server's URL ("" for none or "/"):
	// the paths are relative to it.
	Base string
	// Operations are its operations as route keys, METHOD and the full
	// path (Base and the path), sorted.
	Operations []string
}

// Load parses and validates an OpenAPI 3.1 document. Errors: one that
// joins every finding, for a document that is not OpenAPI 3.1, breaks the
// specification's schema (libopenapi-validator's ValidateDocument) or
// does not build (libopenapi's model: an unresolved $ref, a circular
// schema it cannot render), or has a component schema that is no JSON
// Schema 2020-12 (compiled against the meta-schema: the specification's
// schema leaves schemas unchecked).
func Load(spec []byte) (*Document, error) {
	cfg := datamodel.NewDocumentConfiguration()
	cfg.Logger = slog.New(slog.DiscardHandler) // every finding is returned
	doc, err := libopenapi.NewDocumentWithConfiguration(spec, cfg)
	if err != nil {
		return nil, fmt.Errorf("not an OpenAPI document: %w", err)
	}
	if v := doc.GetVersion(); !strings.HasPrefix(v, "3.1.") {
		return nil, fmt.Errorf("openapi is %q: the documents are OpenAPI 3.1", v)
	}
	v, errs := validator.NewValidator(doc)
	if len(errs) > 0 {
		return nil, fmt.Errorf("the validator refuses the document: %w", errors.Join(errs...))
	}
	if ok, findings := v.ValidateDocument(); !ok {
		var all []error
		for _, f := range findings {
			all = append(all, errors.New(describe(f.Message, f.Reason, f.SpecLine, f.SpecCol, f.SchemaValidationErrors)))
		}
		if len(all) == 0 {
			all = append(all, errors.New("invalid"))
		}
		return nil, fmt.Errorf("the document breaks the OpenAPI 3.1 schema: %w", errors.Join(all...))
	}
	model, err := doc.BuildV3Model()
	if err != nil {
		return nil, fmt.Errorf("the document does not build: %w", err)
	}
	out := &Document{Version: doc.GetVersion()}
	m := model.Model
	if err := compileSchemas(spec); err != nil {
		return nil, fmt.Errorf("the document's schemas are no JSON Schema: %w", err)
	}
	if len(m.Servers) > 0 {
		out.Base = strings.TrimRight(m.Servers[0].URL, "/")
	}
	if m.Paths != nil {
		for path, item := range m.Paths.PathItems.FromOldest() {
			for method := range item.GetOperations().KeysFromOldest() {
				out.Operations = append(out.Operations, strings.ToUpper(method)+" "+out.Base+path)
			}
		}
	}
	slices.Sort(out.Operations)
	return out, nil
}

// componentsURL names the document's components as one JSON Schema
// resource, so that a schema's $ref to another (#/components/schemas/X),
// recursive ones included, resolves as in the document.
const componentsURL = "file:///openapi-components.json"

// compileSchemas compiles each component schema of the document as JSON
// Schema 2020-12 within its components (which checks it against the
// meta-schema and resolves its references).
func compileSchemas(spec []byte) error {
	var doc struct {
		Components map[string]any `yaml:"components"`
	}
	if err := yaml.Unmarshal(spec, &doc); err != nil {
		return err
	}
	schemas, _ := doc.Components["schemas"].(map[string]any)
	if len(schemas) == 0 {
		return nil
	}
	resource, err := json.Marshal(map[string]any{"components": map[string]any{"schemas": schemas}})
	if err != nil {
		return err
	}
	names := make([]string, 0, len(schemas))
	for name := range schemas {
		names = append(names, name)
	}
	slices.Sort(names)
	var all []error
	for _, name := range names {
		pointer := strings.NewReplacer("~", "~0", "/", "~1").Replace(name)
		_, err := helpers.NewCompiledSchemaResourcesWithVersion(componentsURL+"#/components/schemas/"+pointer,
			map[string][]byte{componentsURL: resource}, nil, 3.1)
		if err != nil {
			all = append(all, fmt.Errorf("components/schemas/%s: %w", name, err))
		}
	}
	return errors.Join(all...)
}

// describe writes one finding of the validator with the schema errors
// beneath it.
func describe[E any](message, reason string, line, col int, details []E) string {
	s := fmt.Sprintf("line %d:%d: %s", line, col, message)
	if reason != "" && reason != message {
		s += ": " + reason
	}
	for _, d := range details {
		s += fmt.Sprintf("\n\t%+v", d)
	}
	return s
}

var param = regexp.MustCompile(`\{[^}/]*?(\+?)\}`)

// Normalize writes a route key with its path parameters unnamed
// ({organizationId} and {id} are both {}; a greedy {proxy+} is {+}): a
// document may name a parameter otherwise than the template, in its
// position only.
func Normalize(key string) string {
	return param.ReplaceAllString(key, "{$1}")
}

// Under reports whether a route path lies under a mount: the mount's
// segments begin the path's, a parameter segment of the mount ({tenant})
// matching any one segment.
func Under(path, mount string) bool {
	ps, ms := strings.Split(strings.Trim(path, "/"), "/"), strings.Split(strings.Trim(mount, "/"), "/")
	if len(ms) > len(ps) {
		return false
	}
	for i, m := range ms {
		if m != ps[i] && !(strings.HasPrefix(m, "{") && strings.HasSuffix(m, "}")) {
			return false
		}
	}
	return true
}

// Owner answers the mount of mounts that a route path lies under with
// the most segments (/api/idp/v1 rather than /api), or "" for none.
func Owner(path string, mounts []string) string {
	best := ""
	for _, m := range mounts {
		if Under(path, m) && (best == "" || strings.Count(strings.Trim(m, "/"), "/") > strings.Count(strings.Trim(best, "/"), "/")) {
			best = m
		}
	}
	return best
}

// Compare answers the route keys served and not documented (missing) and
// documented and not served (extra), both compared Normalized and sorted.
func Compare(documented, served []string) (missing, extra []string) {
	doc, srv := map[string]bool{}, map[string]bool{}
	for _, k := range documented {
		doc[Normalize(k)] = true
	}
	for _, k := range served {
		srv[Normalize(k)] = true
	}
	for _, k := range served {
		if !doc[Normalize(k)] {
			missing = append(missing, k)
		}
	}
	for _, k := range documented {
		if !srv[Normalize(k)] {
			extra = append(extra, k)
		}
	}
	slices.Sort(missing)
	slices.Sort(extra)
	return missing, extra
}
