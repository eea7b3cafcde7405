package samtemplate

import (
	"fmt"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Function is an AWS::Serverless::Function, with the template's Globals
// merged in.
type Function struct {
	LogicalID string
	// Name is FunctionName when the template sets it, else the logical ID.
	Name string
	// CodeURI is the code folder, relative to Template.Dir.
	CodeURI       string
	Handler       string
	Runtime       string
	Architectures []string
	Timeout       time.Duration
	MemorySize    int
	// Environment holds the resolved environment variables.
	Environment map[string]string
	// Events are all the function's event sources, HttpApi ones included,
	// sorted by name.
	Events []Event
}

// Event is one entry of a function's Events.
type Event struct {
	Name string
	// Type is the SAM event type: HttpApi, Schedule, SNS, S3, SQS, ...
	Type string
	// Properties are as written in the template, with intrinsics in long
	// form; resolve them with Template.Resolve.
	Properties map[string]any
}

// SAM's defaults for a function.
const (
	defaultTimeout    = 3 * time.Second
	defaultMemorySize = 128
)

func (t *Template) parseFunction(id string, r rawResource) (Function, error) {
	props := mapOf(mergeGlobals(t.globals["Function"], r.Properties))
	fn := Function{
		LogicalID:     id,
		Timeout:       defaultTimeout,
		MemorySize:    defaultMemorySize,
		Architectures: []string{"x86_64"},
		Environment:   map[string]string{},
	}
	var err error
	if fn.Name, err = t.refValue(id, 0); err != nil {
		return fn, err
	}
	if pt, _ := props["PackageType"].(string); pt == "Image" {
		return fn, fmt.Errorf("PackageType Image is not supported locally")
	}
	fields := []struct {
		name string
		set  func(any) error
	}{
		{"CodeUri", setString(&fn.CodeURI)},
		{"Handler", setString(&fn.Handler)},
		{"Runtime", setString(&fn.Runtime)},
		{"Timeout", func(v any) error {
			n, err := intValue(v)
			fn.Timeout = time.Duration(n) * time.Second
			return err
		}},
		{"MemorySize", func(v any) (err error) {
			fn.MemorySize, err = intValue(v)
			return err
		}},
		{"Architectures", func(v any) error {
			fn.Architectures = nil
			return decode(v, &fn.Architectures)
		}},
		{"Environment", func(v any) error {
			vars := mapOf(mapOf(v)["Variables"])
			for _, k := range sortedKeys(vars) {
				s, err := scalarString(vars[k])
				if err != nil {
					return fmt.Errorf("variable %s: %w", k, err)
				}
				fn.Environment[k] = s
			}
			return nil
		}},
	}
	for _, f := range fields {
		raw, ok := props[f.name]
		if !ok {
			continue
		}
		v, err := t.resolve(raw, 0)
		if err == nil && v != noValue {
			err = f.set(v)
		}
		if err != nil {
			return fn, fmt.Errorf("%s: %w", f.name, err)
		}
	}
	if fn.CodeURI == "" {
		return fn, fmt.Errorf("CodeUri must be a local folder")
	}
	events := mapOf(props["Events"])
	for _, name := range sortedKeys(events) {
		e := mapOf(events[name])
		typ, _ := e["Type"].(string)
		fn.Events = append(fn.Events, Event{Name: name, Type: typ, Properties: mapOf(e["Properties"])})
	}
	return fn, nil
}

// mergeGlobals merges a Globals section into a resource's properties as SAM
// does: maps merge key by key, lists are added to (globals first), and any
// other value of the resource replaces the global one. An intrinsic function
// counts as a value, not as a map.
func mergeGlobals(global, local any) any {
	if global == nil {
		return local
	}
	if local == nil {
		return global
	}
	gm, gok := global.(map[string]any)
	lm, lok := local.(map[string]any)
	if gok && lok {
		if _, _, fn := intrinsic(lm); fn {
			return local
		}
		if _, _, fn := intrinsic(gm); fn {
			return local
		}
		out := make(map[string]any, len(gm)+len(lm))
		for k, v := range gm {
			out[k] = v
		}
		for k, v := range lm {
			out[k] = mergeGlobals(gm[k], v)
		}
		return out
	}
	gl, gok := global.([]any)
	ll, lok := local.([]any)
	if gok && lok {
		return append(append([]any{}, gl...), ll...)
	}
	return local
}

func setString(dst *string) func(any) error {
	return func(v any) error {
		s, ok := v.(string)
		if !ok {
			return fmt.Errorf("want a string, got %v", v)
		}
		*dst = s
		return nil
	}
}

func intValue(v any) (int, error) {
	s, err := scalarString(v)
	if err != nil {
		return 0, err
	}
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil {
		return 0, fmt.Errorf("want a whole number, got %v", v)
	}
	return n, nil
}

// FindFunction finds a function by logical ID, or by its code folder
// (functions/users) or the folder's name (users).
func (tmpl *Template) FindFunction(name string) (string, error) {
	if fn := tmpl.Function(name); fn != nil {
		return fn.LogicalID, nil
	}
	want := path.Clean(filepath.ToSlash(name))
	var found, all []string
	for _, fn := range tmpl.Functions {
		uri := path.Clean(filepath.ToSlash(fn.CodeURI))
		if uri == want || path.Base(uri) == want {
			found = append(found, fn.LogicalID)
		}
		all = append(all, fmt.Sprintf("%s (%s)", fn.LogicalID, uri))
	}
	switch len(found) {
	case 1:
		return found[0], nil
	case 0:
		return "", fmt.Errorf("no function %q; the template has: %s", name, strings.Join(all, ", "))
	}
	return "", fmt.Errorf("%q names several functions (%s): use the logical ID", name, strings.Join(found, ", "))
}
