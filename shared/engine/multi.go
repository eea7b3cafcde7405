package engine

import (
	"encoding/json"

	"github.com/effektif-serverless/caseflow/shared/workflow"
)

// multiInstanceTypes are the activity types that honour multiInstance;
// on gateways and events it is ignored (Validate warns).
var multiInstanceTypes = map[string]bool{
	workflow.UserTask: true, workflow.ServiceTask: true, workflow.CallActivity: true,
	workflow.ReceiveTask: true, workflow.ScriptTask: true, workflow.EmailTask: true,
	workflow.NoneTask: true, workflow.SubProcessEmbedded: true,
}

// isElement reports whether ai is one element of a multi-instance
// container.
func (r *run) isElement(ai *ActivityInstance) bool {
	p := ai.parent
	return p != nil && p.WorkState == wsMulti && p.ActivityID == ai.ActivityID
}

// startMulti turns ai into a multi-instance container: one element
// instance per non-null value of the multiInstance bindings (lists are
// flattened), each with the element variable set, all at once or one
// after the other when sequential. Without values the activity goes on
// at once.
func (r *run) startMulti(ai *ActivityInstance, n *node) error {
	mi := n.act.MultiInstance
	vs := r.vars(ai)
	var elements []json.RawMessage
	var add func(v any)
	add = func(v any) {
		switch x := v.(type) {
		case nil:
		case []any:
			for _, e := range x {
				add(e)
			}
		default:
			elements = append(elements, encode(x))
		}
	}
	for i := range mi.Values {
		v, _ := evalBinding(vs, &mi.Values[i])
		add(v)
	}
	for i, el := range elements {
		val, err := CoerceValue(mi.Variable.Type, el)
		if err != nil {
			return withField(err, mi.Variable.ID)
		}
		elements[i] = val
	}
	if len(elements) == 0 {
		r.onwards(ai)
		return nil
	}
	ai.WorkState = wsMulti
	r.armBoundaryTimers(ai, n)
	if mi.Sequential {
		ai.Elements = elements[1:]
		elements = elements[:1]
	}
	for _, el := range elements {
		r.startElement(ai, n, el)
	}
	return nil
}

// startElement queues one element instance with its element variable
// (not reported as a variable change: it is local to the element).
func (r *run) startElement(container *ActivityInstance, n *node, value json.RawMessage) {
	el := r.create(container, n, "")
	if v := n.act.MultiInstance.Variable; v.ID != "" {
		r.newVariable(&el.Scope, v.ID, v.Type).Value = value
	}
}

// elementDone continues a container after one of its elements ended:
// start the next sequential element, or, when none is open any more, end
// the container and go on.
func (r *run) elementDone(el *ActivityInstance) {
	c := el.parent
	if len(c.Elements) > 0 {
		next := c.Elements[0]
		c.Elements = c.Elements[1:]
		if len(c.Elements) == 0 {
			c.Elements = nil
		}
		r.startElement(c, r.g.nodes[c.ActivityID], next)
		return
	}
	for _, sib := range c.ActivityInstances {
		if sib.Open() {
			return
		}
	}
	r.onwards(c)
}
