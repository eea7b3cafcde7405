package workflow

import (
	"encoding/json"

	"github.com/effektif-serverless/caseflow/shared/inline"
)

type workflowJSON Workflow

// MarshalJSON writes the workflow with its Properties inlined.
func (w Workflow) MarshalJSON() ([]byte, error) {
	return inline.Marshal(workflowJSON(w), w.Properties)
}

// UnmarshalJSON reads a workflow, keeping unknown keys in Properties.
func (w *Workflow) UnmarshalJSON(data []byte) error {
	var v workflowJSON
	props, err := inline.Unmarshal(data, &v, nil)
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
	return inline.Marshal(activityJSON(a), a.Properties)
}

// UnmarshalJSON reads an activity, keeping unknown keys in Properties.
func (a *Activity) UnmarshalJSON(data []byte) error {
	var v activityJSON
	props, err := inline.Unmarshal(data, &v, activityAliases)
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
	return inline.Marshal(transitionJSON(t), t.Properties)
}

// UnmarshalJSON reads a transition, accepting from/to for fromId/toId.
func (t *Transition) UnmarshalJSON(data []byte) error {
	var v transitionJSON
	props, err := inline.Unmarshal(data, &v, transitionAliases)
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
	return inline.Marshal(variableJSON(v), v.Properties)
}

// UnmarshalJSON reads a variable, keeping unknown keys in Properties.
func (v *Variable) UnmarshalJSON(data []byte) error {
	var x variableJSON
	props, err := inline.Unmarshal(data, &x, nil)
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
	return inline.Marshal(formFieldJSON(f), f.Properties)
}

// UnmarshalJSON reads a field, keeping unknown keys in Properties.
func (f *FormField) UnmarshalJSON(data []byte) error {
	var x formFieldJSON
	props, err := inline.Unmarshal(data, &x, nil)
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
