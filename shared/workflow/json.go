package workflow

import (
	"bytes"
	"encoding/json"
	"maps"
	"reflect"
	"slices"
	"strings"
	"sync"
)

// knownKeys returns the JSON keys of a struct type's fields.
var knownKeys = func() func(reflect.Type) map[string]bool {
	var cache sync.Map
	return func(t reflect.Type) map[string]bool {
		if k, ok := cache.Load(t); ok {
			return k.(map[string]bool)
		}
		keys := map[string]bool{}
		for i := 0; i < t.NumField(); i++ {
			tag := t.Field(i).Tag.Get("json")
			name, _, _ := strings.Cut(tag, ",")
			if name != "" && name != "-" {
				keys[name] = true
			}
		}
		cache.Store(t, keys)
		return keys
	}
}()

// marshalInline writes v (a struct of an alias type, so without its own
// MarshalJSON) as a JSON object with props added as top-level keys. A
// property never overrides a field.
func marshalInline(v any, props map[string]json.RawMessage) ([]byte, error) {
	data, err := json.Marshal(v)
	if err != nil || len(props) == 0 {
		return data, err
	}
	known := knownKeys(reflect.TypeOf(v))
	var b bytes.Buffer
	b.Write(data[:len(data)-1])
	first := len(data) == 2
	for _, k := range sortedKeys(props) {
		if known[k] {
			continue
		}
		if !first {
			b.WriteByte(',')
		}
		first = false
		name, _ := json.Marshal(k)
		b.Write(name)
		b.WriteByte(':')
		b.Write(props[k])
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// unmarshalInline reads a JSON object into v (a pointer to a struct of an
// alias type) and returns the keys v does not know. aliases renames keys
// (old spelling -> current) before decoding.
func unmarshalInline(data []byte, v any, aliases map[string]string) (map[string]json.RawMessage, error) {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, err
	}
	for old, current := range aliases {
		if val, ok := raw[old]; ok {
			if _, taken := raw[current]; !taken {
				raw[current] = val
			}
			delete(raw, old)
			data = nil
		}
	}
	if data == nil {
		var err error
		if data, err = json.Marshal(raw); err != nil {
			return nil, err
		}
	}
	if err := json.Unmarshal(data, v); err != nil {
		return nil, err
	}
	known := knownKeys(reflect.TypeOf(v).Elem())
	var props map[string]json.RawMessage
	for k, val := range raw {
		if !known[k] {
			if props == nil {
				props = map[string]json.RawMessage{}
			}
			props[k] = val
		}
	}
	return props, nil
}

func sortedKeys(m map[string]json.RawMessage) []string {
	return slices.Sorted(maps.Keys(m))
}

type workflowJSON Workflow

// MarshalJSON writes the workflow with its Properties inlined.
func (w Workflow) MarshalJSON() ([]byte, error) {
	return marshalInline(workflowJSON(w), w.Properties)
}

// UnmarshalJSON reads a workflow, keeping unknown keys in Properties.
func (w *Workflow) UnmarshalJSON(data []byte) error {
	var v workflowJSON
	props, err := unmarshalInline(data, &v, nil)
	if err != nil {
		return err
	}
	*w = Workflow(v)
	w.Properties = props
	return nil
}

type activityJSON Activity

// activityAliases are older or alternative spellings accepted on input.
var activityAliases = map[string]string{"dueDate": "duedate", "subWorkflowSourceId": "subWorkflowSource"}

// MarshalJSON writes the activity with its Properties inlined.
func (a Activity) MarshalJSON() ([]byte, error) {
	return marshalInline(activityJSON(a), a.Properties)
}

// UnmarshalJSON reads an activity, keeping unknown keys in Properties.
func (a *Activity) UnmarshalJSON(data []byte) error {
	var v activityJSON
	props, err := unmarshalInline(data, &v, activityAliases)
	if err != nil {
		return err
	}
	*a = Activity(v)
	a.Properties = props
	return nil
}

type transitionJSON Transition

// transitionAliases: the Effektif REST era wrote "from" and "to".
var transitionAliases = map[string]string{"from": "fromId", "to": "toId"}

// MarshalJSON writes the transition with its Properties inlined.
func (t Transition) MarshalJSON() ([]byte, error) {
	return marshalInline(transitionJSON(t), t.Properties)
}

// UnmarshalJSON reads a transition, accepting from/to for fromId/toId.
func (t *Transition) UnmarshalJSON(data []byte) error {
	var v transitionJSON
	props, err := unmarshalInline(data, &v, transitionAliases)
	if err != nil {
		return err
	}
	*t = Transition(v)
	t.Properties = props
	return nil
}

type variableJSON Variable

// MarshalJSON writes the variable with its Properties inlined.
func (v Variable) MarshalJSON() ([]byte, error) {
	return marshalInline(variableJSON(v), v.Properties)
}

// UnmarshalJSON reads a variable, keeping unknown keys in Properties.
func (v *Variable) UnmarshalJSON(data []byte) error {
	var x variableJSON
	props, err := unmarshalInline(data, &x, nil)
	if err != nil {
		return err
	}
	*v = Variable(x)
	v.Properties = props
	return nil
}

type formFieldJSON FormField

// MarshalJSON writes the field with its Properties (such as asButtons) inlined.
func (f FormField) MarshalJSON() ([]byte, error) {
	return marshalInline(formFieldJSON(f), f.Properties)
}

// UnmarshalJSON reads a field, keeping unknown keys in Properties.
func (f *FormField) UnmarshalJSON(data []byte) error {
	var x formFieldJSON
	props, err := unmarshalInline(data, &x, nil)
	if err != nil {
		return err
	}
	*f = FormField(x)
	f.Properties = props
	return nil
}

type dataTypeJSON DataType

// typeAliases are other names for the data types.
var typeAliases = map[string]string{"user": TypeUser, "group": TypeGroup, "file": TypeFile, "decision": TypeChoice}

// UnmarshalJSON reads a data type, normalizing alias names.
func (d *DataType) UnmarshalJSON(data []byte) error {
	var x dataTypeJSON
	if err := json.Unmarshal(data, &x); err != nil {
		return err
	}
	if n, ok := typeAliases[x.Name]; ok {
		x.Name = n
	}
	*d = DataType(x)
	return nil
}
