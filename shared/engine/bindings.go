package engine

import (
	"encoding/json"
	"html"
	"strings"

	"github.com/effektif-serverless/caseflow/shared/workflow"
)

// vars is where expressions read variables: the scope chain of an
// activity instance, or a plain map (RunScript).
type vars interface {
	// lookup returns a variable's value and type; ok is false when no
	// such variable exists.
	lookup(id string) (val json.RawMessage, t *workflow.DataType, ok bool)
}

// scopeVars reads variables visible from an activity instance: its own,
// then its parents', then the workflow instance's. from nil is the
// workflow level.
type scopeVars struct {
	inst *Instance
	from *ActivityInstance
}

func (s scopeVars) lookup(id string) (json.RawMessage, *workflow.DataType, bool) {
	if vi := s.inst.findVar(s.from, id); vi != nil {
		return vi.Value, vi.Type, true
	}
	return nil, nil, false
}

// findVar finds the variable instance for id visible from from.
func (inst *Instance) findVar(from *ActivityInstance, id string) *VariableInstance {
	for s := from; s != nil; s = s.parent {
		for _, vi := range s.VariableInstances {
			if vi.VariableID == id {
				return vi
			}
		}
	}
	for _, vi := range inst.VariableInstances {
		if vi.VariableID == id {
			return vi
		}
	}
	return nil
}

// mapVars is a fixed set of variables (RunScript, Validate).
type mapVars map[string]typedValue

type typedValue struct {
	val json.RawMessage
	t   *workflow.DataType
}

func (m mapVars) lookup(id string) (json.RawMessage, *workflow.DataType, bool) {
	v, ok := m[id]
	return v.val, v.t, ok
}

// evalBinding resolves a binding: its constant value, else its
// expression, else its template (a text). A nil binding, an unknown
// variable or a missing field is nil.
func evalBinding(vs vars, b *workflow.Binding) (any, *workflow.DataType) {
	switch {
	case b == nil:
		return nil, nil
	case len(b.Value) > 0 && string(b.Value) != "null":
		return decodeQuiet(b.Value), b.Type
	case b.Expression != "":
		return evalExpr(vs, b.Expression)
	case b.Template != "":
		return render(vs, b.Template, false), &workflow.DataType{Name: workflow.TypeText}
	}
	return nil, nil
}

// evalExpr resolves a dot path "variableId.field.subField": the variable's
// value, then object fields. Anything missing is nil. The type is the
// variable's for a bare variable, and inferred for a field.
func evalExpr(vs vars, expr string) (any, *workflow.DataType) {
	id, fields, dotted := strings.Cut(strings.TrimSpace(expr), ".")
	raw, t, ok := vs.lookup(id)
	if !ok {
		return nil, nil
	}
	v := decodeQuiet(raw)
	if !dotted {
		return v, t
	}
	for _, f := range strings.Split(fields, ".") {
		m, ok := v.(map[string]any)
		if !ok {
			return nil, nil
		}
		v = m[f]
	}
	return v, inferType(v)
}

// bareVariable returns the variable id of an expression that names a
// variable without a field path, or "".
func bareVariable(b *workflow.Binding) string {
	if b == nil || len(b.Value) > 0 || b.Template != "" {
		return ""
	}
	e := strings.TrimSpace(b.Expression)
	if e == "" || strings.Contains(e, ".") {
		return ""
	}
	return e
}

// render replaces each {{expression}} of a template by the text of its
// value (nil gives ""); escape HTML-escapes the values.
func render(vs vars, tpl string, escape bool) string {
	if !strings.Contains(tpl, "{{") {
		return tpl
	}
	var b strings.Builder
	for {
		i := strings.Index(tpl, "{{")
		if i < 0 {
			break
		}
		j := strings.Index(tpl[i+2:], "}}")
		if j < 0 {
			break
		}
		b.WriteString(tpl[:i])
		v, _ := evalExpr(vs, tpl[i+2:i+2+j])
		s := textOf(v)
		if escape {
			s = html.EscapeString(s)
		}
		b.WriteString(s)
		tpl = tpl[i+2+j+2:]
	}
	b.WriteString(tpl)
	return b.String()
}

// templateExprs lists the expressions inside a template's {{ }}.
func templateExprs(tpl string) []string {
	var out []string
	for {
		i := strings.Index(tpl, "{{")
		if i < 0 {
			return out
		}
		j := strings.Index(tpl[i+2:], "}}")
		if j < 0 {
			return out
		}
		out = append(out, strings.TrimSpace(tpl[i+2:i+2+j]))
		tpl = tpl[i+2+j+2:]
	}
}

// textOf is a value's text form: strings as they are, numbers without
// trailing zeros, lists joined by ", ", objects as JSON, nil as "".
func textOf(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case float64:
		return formatNumber(x)
	case bool:
		if x {
			return "true"
		}
		return "false"
	case []any:
		parts := make([]string, 0, len(x))
		for _, e := range x {
			if e != nil {
				parts = append(parts, textOf(e))
			}
		}
		return strings.Join(parts, ", ")
	}
	return string(encode(v))
}

// texts resolves a list of bindings to strings: list values are
// flattened, nil and empty values skipped, duplicates dropped.
func texts(vs vars, bs []workflow.Binding) []string {
	var out []string
	var add func(v any)
	add = func(v any) {
		if list, ok := v.([]any); ok {
			for _, e := range list {
				add(e)
			}
			return
		}
		if s := textOf(v); s != "" && !contains(out, s) {
			out = append(out, s)
		}
	}
	for i := range bs {
		v, _ := evalBinding(vs, &bs[i])
		add(v)
	}
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
