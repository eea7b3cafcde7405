package engine

import (
	"encoding/json"
	"slices"
	"strconv"

	"github.com/effektif-serverless/caseflow/shared/workflow"
)

// initVariables creates the variable instances of a scope (nil: the
// workflow) with their default values.
func (r *run) initVariables(scope *ActivityInstance, decls []workflow.Variable) error {
	s := r.scopeOf(scope)
	for i := range decls {
		d := &decls[i]
		if d.ID == "" || slices.ContainsFunc(s.VariableInstances, func(vi *VariableInstance) bool { return vi.VariableID == d.ID }) {
			continue
		}
		vi := r.newVariable(s, d.ID, d.Type)
		if len(d.DefaultValue) > 0 {
			val, err := CoerceValue(d.Type, d.DefaultValue)
			if err != nil {
				return withField(err, d.ID)
			}
			r.assign(vi, val)
		}
	}
	return nil
}

func (r *run) newVariable(s *Scope, id string, t *workflow.DataType) *VariableInstance {
	r.inst.LastVariableInstanceID++
	vi := &VariableInstance{ID: strconv.Itoa(r.inst.LastVariableInstanceID), VariableID: id, Type: t}
	s.VariableInstances = append(s.VariableInstances, vi)
	return vi
}

// setTyped writes a value that may come as a TypedValue wrapper.
func (r *run) setTyped(from *ActivityInstance, id string, raw json.RawMessage) error {
	val, hint, err := unwrap(raw)
	if err != nil {
		return withField(err, id)
	}
	return r.setVar(from, id, val, hint)
}

// setVar writes variable id as seen from an activity instance (nil: the
// workflow level). A declared variable's type checks the value; an
// undeclared one takes the hint type or the value's inferred type and is
// created at the workflow level when it does not exist yet. Errors are
// *ValueError naming the variable, and leave the variable unchanged.
func (r *run) setVar(from *ActivityInstance, id string, raw json.RawMessage, hint *workflow.DataType) error {
	if id == "" {
		return &ValueError{Message: "no variable id"}
	}
	v, err := decode(raw)
	if err != nil {
		return withField(err, id)
	}
	declared := r.g.varType(id)
	t := declared
	if t == nil {
		t = hint
	}
	if t == nil {
		t = inferType(v)
	}
	c, err := coerce(t, v)
	if err != nil {
		return withField(err, id)
	}
	vi := r.inst.findVar(from, id)
	if vi == nil {
		vi = r.newVariable(&r.inst.Scope, id, t)
	} else if declared == nil && v != nil {
		vi.Type = t
	}
	r.assign(vi, encode(c))
	return nil
}

// assign stores a checked value and records the change.
func (r *run) assign(vi *VariableInstance, val json.RawMessage) {
	i := r.changed.index(vi)
	if i < 0 {
		if r.changed.keys == nil {
			r.changed.keys = r.changedBuf[:0]
		}
		i = r.changed.add(vi)
		r.fx.VariableChanges = append(r.fx.VariableChanges, VariableChange{VariableID: vi.VariableID, Old: vi.Value})
	}
	r.fx.VariableChanges[i].New = val
	r.fx.VariableChanges[i].Type = vi.Type
	vi.Value = val
}

// applyTrigger writes the start data: keys in sorted order, each to the
// variable its trigger output names (else the key itself); then the
// submitted start form. The required fields of a start form must have a
// value afterwards (a ValueError naming the field), whether or not a form
// was submitted (plain data keys count), unless a call activity starts
// the instance (byCaller): its input bindings give what they give.
func (r *run) applyTrigger(data map[string]json.RawMessage, byCaller bool) error {
	wt := r.g.wf.Trigger
	for _, key := range sortedKeys(data) {
		if key == FormInstanceKey && wt != nil && wt.Form != nil {
			continue
		}
		target := key
		if wt != nil {
			if v, ok := wt.Outputs[key]; ok && v != "" {
				target = v
			} else if wt.Type == workflow.EmailTrigger && key == "emailId" && wt.EmailIDVariableID != "" {
				target = wt.EmailIDVariableID
			}
		}
		if err := r.setTyped(nil, target, data[key]); err != nil {
			return err
		}
	}
	if wt == nil || wt.Form == nil {
		return nil
	}
	raw, ok := data[FormInstanceKey]
	if !ok {
		if byCaller {
			return nil
		}
		return r.submitForm(nil, wt.Form, nil)
	}
	values, err := submittedFields(raw)
	if err != nil {
		return err
	}
	return r.submitForm(nil, wt.Form, values)
}

// submittedFields reads a submitted FormInstance {"fields": [{"id": ..,
// "value": ..}]} (possibly as a TypedValue) into values by field id (or
// key, when a field has no id).
func submittedFields(raw json.RawMessage) (map[string]json.RawMessage, error) {
	val, _, err := unwrap(raw)
	if err != nil {
		return nil, withField(err, FormInstanceKey)
	}
	var fi struct {
		Fields []struct {
			ID    string          `json:"id"`
			Key   string          `json:"key"`
			Value json.RawMessage `json:"value"`
		} `json:"fields"`
	}
	if err := json.Unmarshal(val, &fi); err != nil {
		return nil, &ValueError{Field: FormInstanceKey, Message: "a form instance {\"fields\": [...]} expected: " + err.Error()}
	}
	values := map[string]json.RawMessage{}
	for _, f := range fi.Fields {
		id := f.ID
		if id == "" {
			id = f.Key
		}
		if id != "" {
			values[id] = f.Value
		}
	}
	return values, nil
}

// startNodes are the activities Start begins with: the given ids (which
// must be top-level activities) or every top-level activity without
// incoming transitions.
func (r *run) startNodes(ids []string) ([]*node, error) {
	if len(ids) == 0 {
		return r.g.root.starts, nil
	}
	var out []*node
	for _, id := range ids {
		n := r.g.nodes[id]
		if n == nil || n.scope != r.g.root {
			return nil, &ValueError{Field: "startActivityIds", Message: strconv.Quote(id) + " is not a top-level activity of the workflow"}
		}
		out = append(out, n)
	}
	return out, nil
}
