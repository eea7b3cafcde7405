// Package samtemplate reads an AWS SAM template (template.yaml) into what the
// local stack needs: parameters, DynamoDB tables, S3 buckets, functions with
// their resolved environment, the HTTP API routes and authorizers, and every
// other event source. CloudFormation intrinsic functions (!Ref, !GetAtt, !Sub
// and friends, short or long form) are resolved against the local
// environment: a table's or bucket's local name, a parameter's default or
// override, a plausible local ARN.
package samtemplate

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"
)

// Template is a parsed SAM template. Everything is sorted by logical ID.
type Template struct {
	// Dir is the directory of the template file; CodeUri paths are relative
	// to it. Empty when parsed from bytes.
	Dir        string
	Parameters []Parameter
	Tables     []Table
	Buckets    []Bucket
	Functions  []Function
	APIs       []HTTPAPI
	// Routes are the HttpApi events of all functions, sorted by route key.
	Routes []Route

	region, accountID, stackName string
	params                       map[string]string // effective parameter values
	paramDefs                    map[string]Parameter
	resources                    map[string]rawResource
	conditions                   map[string]any
	mappings                     map[string]any
	globals                      map[string]any
}

// Parameter is a template parameter.
type Parameter struct {
	Name       string
	Type       string
	Default    string
	HasDefault bool
}

// Bucket is an S3 bucket of the template.
type Bucket struct {
	LogicalID string
	// Name is BucketName when the template sets it, else the lowercase
	// logical ID.
	Name string
}

// Options tune how a template is resolved. The zero value is usable.
type Options struct {
	// Parameters override parameter defaults by name. Names the template
	// does not declare are ignored.
	Parameters map[string]string
	Region     string // AWS::Region; default us-east-1
	AccountID  string // AWS::AccountId; default 123456789012
	StackName  string // AWS::StackName; default "local"
}

// Load reads and parses the template file at path.
func Load(path string, opts Options) (*Template, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	t, err := Parse(data, opts)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if t.Dir, err = filepath.Abs(filepath.Dir(path)); err != nil {
		return nil, err
	}
	return t, nil
}

// Parse parses a template.
func Parse(data []byte, opts Options) (*Template, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		if strings.Contains(err.Error(), "did not find expected ',' or '}'") {
			err = fmt.Errorf("%w (inside {...} a plain value must not contain { or }: quote it, as in Path: \"/items/{id}\")", err)
		}
		return nil, err
	}
	v, err := toValue(&doc)
	if err != nil {
		return nil, err
	}
	root, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("not a template: the document is not a mapping")
	}
	t := &Template{
		region:     or(opts.Region, "us-east-1"),
		accountID:  or(opts.AccountID, "123456789012"),
		stackName:  or(opts.StackName, "local"),
		conditions: mapOf(root["Conditions"]),
		mappings:   mapOf(root["Mappings"]),
		globals:    mapOf(root["Globals"]),
	}
	if err := t.parseParameters(mapOf(root["Parameters"]), opts.Parameters); err != nil {
		return nil, err
	}
	if err := t.parseResources(mapOf(root["Resources"])); err != nil {
		return nil, err
	}
	return t, nil
}

func (t *Template) parseParameters(defs map[string]any, overrides map[string]string) error {
	t.params = map[string]string{}
	t.paramDefs = map[string]Parameter{}
	for _, name := range sortedKeys(defs) {
		def := mapOf(defs[name])
		p := Parameter{Name: name}
		p.Type, _ = def["Type"].(string)
		if d, ok := def["Default"]; ok {
			s, err := scalarString(d)
			if err != nil {
				return fmt.Errorf("parameter %s: Default: %w", name, err)
			}
			p.Default, p.HasDefault = s, true
			t.params[name] = s
		}
		if o, ok := overrides[name]; ok {
			t.params[name] = o
		}
		t.paramDefs[name] = p
		t.Parameters = append(t.Parameters, p)
	}
	return nil
}

// parseResources reads the resources in dependency order: functions before
// the APIs whose authorizers name them, APIs before the routes that use them.
func (t *Template) parseResources(res map[string]any) error {
	t.resources = map[string]rawResource{}
	for id, v := range res {
		m := mapOf(v)
		r := rawResource{Properties: mapOf(m["Properties"]), Metadata: mapOf(m["Metadata"])}
		r.Type, _ = m["Type"].(string)
		r.Condition, _ = m["Condition"].(string)
		t.resources[id] = r
	}
	// Drop resources whose condition is false, as CloudFormation would.
	for id, r := range t.resources {
		if r.Condition == "" {
			continue
		}
		yes, err := t.condition(r.Condition, 0)
		if err != nil {
			return fmt.Errorf("resource %s: %w", id, err)
		}
		if !yes {
			delete(t.resources, id)
		}
	}
	for _, id := range sortedKeys(t.resources) {
		if err := t.parseResource(id, t.resources[id]); err != nil {
			return fmt.Errorf("resource %s: %w", id, err)
		}
	}
	for _, id := range sortedKeys(t.resources) {
		if r := t.resources[id]; r.Type == typeHTTPAPI {
			api, err := t.parseHTTPAPI(id, r.Properties)
			if err != nil {
				return fmt.Errorf("resource %s: %w", id, err)
			}
			t.APIs = append(t.APIs, api)
		}
	}
	return t.collectRoutes()
}

func (t *Template) parseResource(id string, r rawResource) error {
	switch r.Type {
	case typeTable:
		tbl, err := t.parseTable(id, r)
		t.Tables = append(t.Tables, tbl)
		return err
	case typeSimpleTable:
		tbl, err := t.parseSimpleTable(id, r)
		t.Tables = append(t.Tables, tbl)
		return err
	case typeBucket:
		name, err := t.refValue(id, 0)
		t.Buckets = append(t.Buckets, Bucket{LogicalID: id, Name: name})
		return err
	case typeFunction:
		fn, err := t.parseFunction(id, r)
		t.Functions = append(t.Functions, fn)
		return err
	}
	return nil
}

// Function returns the function with the given logical ID, or nil.
func (t *Template) Function(logicalID string) *Function {
	for i := range t.Functions {
		if t.Functions[i].LogicalID == logicalID {
			return &t.Functions[i]
		}
	}
	return nil
}

// Table returns the table with the given logical ID, or nil.
func (t *Template) Table(logicalID string) *Table {
	for i := range t.Tables {
		if t.Tables[i].LogicalID == logicalID {
			return &t.Tables[i]
		}
	}
	return nil
}

// ParameterValue is the effective value of a parameter (override or
// default) and whether it has one.
func (t *Template) ParameterValue(name string) (string, bool) {
	v, ok := t.params[name]
	return v, ok
}

func mapOf(v any) map[string]any {
	m, _ := v.(map[string]any)
	if m == nil {
		return map[string]any{}
	}
	return m
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func or(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// HTTPAPI returns the HTTP API with the given logical ID (the implicit
// ServerlessHttpApi included, when routes use it), or nil.
func (t *Template) HTTPAPI(logicalID string) *HTTPAPI {
	for i := range t.APIs {
		if t.APIs[i].LogicalID == logicalID {
			return &t.APIs[i]
		}
	}
	return nil
}

// Region is the AWS::Region the template was resolved for.
func (t *Template) Region() string { return t.region }

// AccountID is the AWS::AccountId the template was resolved for.
func (t *Template) AccountID() string { return t.accountID }
