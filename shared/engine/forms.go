package engine

import (
	"encoding/json"
	"errors"
	"maps"
	"strconv"

	"github.com/effektif-serverless/caseflow/shared/workflow"
)

// FormInstance is a form with current values: the REST Task.form and the
// start form.
type FormInstance struct {
	Description string              `json:"description,omitempty"`
	Fields      []FormInstanceField `json:"fields"`
}

// FormInstanceField is one field of a FormInstance.
type FormInstanceField struct {
	ID          string             `json:"id"`
	Key         string             `json:"key,omitempty"`
	Name        string             `json:"name,omitempty"`
	Description string             `json:"description,omitempty"`
	Type        *workflow.DataType `json:"type,omitempty"`
	ReadOnly    bool               `json:"readOnly,omitempty"`
	Required    bool               `json:"required,omitempty"`
	AsButtons   bool               `json:"asButtons,omitempty"`
	Value       json.RawMessage    `json:"value,omitempty"`
	// Properties are the definition field's own properties (see
	// fieldProperties).
	Properties map[string]json.RawMessage `json:"properties,omitempty"`
}

// fieldProperties are the properties a FormInstanceField carries from its
// definition: the field's properties object, and the keys the field model
// does not have (asButtons apart, which has its own field); a key in both
// takes the object's value. A field's properties are bounded by the
// definition's size.
func fieldProperties(f *workflow.FormField) map[string]json.RawMessage {
	var out map[string]json.RawMessage
	add := func(k string, v json.RawMessage) {
		if out == nil {
			out = map[string]json.RawMessage{}
		}
		out[k] = v
	}
	for k, v := range f.Properties {
		if k != "asButtons" && k != "properties" {
			add(k, v)
		}
	}
	var object map[string]json.RawMessage
	if raw, ok := f.Properties["properties"]; ok && json.Unmarshal(raw, &object) == nil {
		for k, v := range object {
			add(k, v)
		}
	}
	return out
}

// formField is a form field with its defaults filled in.
type formField struct {
	*workflow.FormField
	id       string
	variable string // the variable a writable field writes, else ""
	name     string
	typ      *workflow.DataType
	// asButtons is the asButtons property; properties are the field's
	// properties (fieldProperties), which a FormInstanceField gets a copy
	// of.
	asButtons  bool
	properties map[string]json.RawMessage
}

// formFields are the fields of a form of the workflow (fieldsOf),
// computed once per graph.
func (g *graph) formFields(form *workflow.Form) []formField {
	if fields, ok := g.forms[form]; ok {
		return fields
	}
	return fieldsOf(g, form)
}

// fieldsOf fills in field defaults as Effektif's form parser does: the
// id defaults to the bound variable's id, else to the field's position
// ("1", "2", ...); name and type default to the variable's. A field is
// writable when its binding is a bare variable expression and it is not
// read-only.
func fieldsOf(g *graph, form *workflow.Form) []formField {
	out := make([]formField, len(form.Fields))
	for i := range form.Fields {
		f := &form.Fields[i]
		ff := formField{FormField: f, id: f.ID, name: f.Name, typ: f.Type, properties: fieldProperties(f)}
		if raw, ok := f.Properties["asButtons"]; ok {
			ff.asButtons = string(raw) == "true"
		}
		v := bareVariable(f.Binding)
		if ff.id == "" {
			ff.id = v
		}
		if ff.id == "" {
			ff.id = strconv.Itoa(i + 1)
		}
		if decl := g.vars[v]; decl != nil {
			if ff.name == "" {
				ff.name = decl.Name
			}
			if ff.typ == nil {
				ff.typ = decl.Type
			}
		}
		if !f.ReadOnly {
			ff.variable = v
		}
		out[i] = ff
	}
	return out
}

// buildForm makes the FormInstance of a form with values read from vs.
func buildForm(g *graph, vs vars, form *workflow.Form) *FormInstance {
	fields := g.formFields(form)
	fi := &FormInstance{Description: render(vs, form.Description, false), Fields: make([]FormInstanceField, 0, len(fields))}
	for _, f := range fields {
		v, _ := evalBinding(vs, f.Binding)
		fi.Fields = append(fi.Fields, FormInstanceField{
			ID:          f.id,
			Key:         f.Key,
			Name:        f.name,
			Description: f.Description,
			Type:        f.typ,
			ReadOnly:    f.ReadOnly || f.Binding != nil && f.variable == "",
			Required:    f.Required,
			AsButtons:   f.asButtons,
			Value:       encode(v),
			Properties:  maps.Clone(f.properties),
		})
	}
	return fi
}

// submitForm writes submitted values (by field id, or key) through the
// writable fields, checked against the field's type and then the
// variable's; other values are ignored. Afterwards every required
// writable field must have a value.
func (r *run) submitForm(from *ActivityInstance, form *workflow.Form, values map[string]json.RawMessage) error {
	fields := r.g.formFields(form)
	for _, f := range fields {
		raw, ok := values[f.id]
		if !ok && f.Key != "" {
			raw, ok = values[f.Key]
		}
		if !ok || f.variable == "" {
			continue
		}
		if err := r.writeField(from, f, raw); err != nil {
			return err
		}
	}
	vs := r.vars(from)
	for _, f := range fields {
		if f.Required && f.variable != "" {
			if v, _ := evalExpr(vs, f.variable); isEmpty(v) {
				return &ValueError{Field: f.id, Message: "a value is required"}
			}
		}
	}
	return nil
}

// writeField writes a submitted value (raw or a TypedValue) through a
// writable field, checked against the field's type and then the
// variable's.
func (r *run) writeField(from *ActivityInstance, f formField, raw json.RawMessage) error {
	val, hint, err := unwrap(raw)
	if err != nil {
		return withField(err, f.id)
	}
	if f.Type != nil {
		if val, err = CoerceValue(f.Type, val); err != nil {
			return withField(err, f.id)
		}
		hint = f.Type
	}
	err = r.setVar(from, f.variable, val, hint)
	if err == nil {
		return nil
	}
	var ve *ValueError
	if errors.As(err, &ve) {
		c := *ve
		c.Field = f.id // name the field the user filled in, not its variable
		return &c
	}
	return err
}

// SaveFormField writes one field of a waiting user task's form without
// completing the task (the REST "save one form field"); required fields
// are not checked. fieldID is the field's id or key. Errors:
// ErrUnknownActivityInstance, ErrNotWaiting (also for an activity that is
// not a user task with a form), *ValueError for an unknown or read-only
// field or a value of the wrong type, ErrWorkflowMismatch. On error inst
// is unchanged.
func (e *Engine) SaveFormField(wf *workflow.Workflow, inst *Instance, activityInstanceID, fieldID string, value json.RawMessage) (*Effects, error) {
	return e.SaveFormFieldCompiled(uncheckedCompile(wf), inst, activityInstanceID, fieldID, value)
}

// SaveFormFieldCompiled is SaveFormField on a compiled workflow (see
// Compile).
func (e *Engine) SaveFormFieldCompiled(c *Compiled, inst *Instance, activityInstanceID, fieldID string, value json.RawMessage) (*Effects, error) {
	return e.operate(c, inst, func(r *run) error {
		ai := r.inst.ActivityInstance(activityInstanceID)
		if ai == nil {
			return ErrUnknownActivityInstance
		}
		n := r.g.nodes[ai.ActivityID]
		if n == nil {
			return ErrWorkflowMismatch
		}
		if !ai.Waiting() || n.act.Type != workflow.UserTask || n.act.Form == nil {
			return ErrNotWaiting
		}
		for _, f := range r.g.formFields(n.act.Form) {
			if f.id != fieldID && (f.Key == "" || f.Key != fieldID) {
				continue
			}
			if f.variable == "" {
				return &ValueError{Field: fieldID, Message: "the field is read-only"}
			}
			return r.writeField(ai, f, value)
		}
		return &ValueError{Field: fieldID, Message: "the form has no such field"}
	})
}

// FormInstance builds the form of a user task activity instance with the
// current variable values (what the REST Task.form shows). Errors:
// ErrUnknownActivityInstance, ErrWorkflowMismatch. An activity without a
// form gives nil.
func (inst *Instance) FormInstance(wf *workflow.Workflow, activityInstanceID string) (*FormInstance, error) {
	c := inst.Clone() // links parents for scope lookups
	ai := c.ActivityInstance(activityInstanceID)
	if ai == nil {
		return nil, ErrUnknownActivityInstance
	}
	g := compile(wf)
	n := g.nodes[ai.ActivityID]
	if n == nil {
		return nil, ErrWorkflowMismatch
	}
	if n.act.Form == nil {
		return nil, nil
	}
	return buildForm(g, scopeVars{c, ai}, n.act.Form), nil
}

// StartForm is the start form of a workflow with a form trigger, with the
// variables' default values (GET .../startForm); nil without one.
func StartForm(wf *workflow.Workflow) *FormInstance {
	if wf.Trigger == nil || wf.Trigger.Form == nil {
		return nil
	}
	g := compile(wf)
	defaults := mapVars{}
	for id, v := range g.vars {
		val, err := CoerceValue(v.Type, v.DefaultValue)
		if err == nil {
			defaults[id] = typedValue{val, v.Type}
		}
	}
	return buildForm(g, defaults, wf.Trigger.Form)
}
