package engine

import (
	"encoding/json"
	"slices"

	"github.com/effektif-serverless/caseflow/shared/workflow"
)

// multiInstanceTypes are the activity types that honour multiInstance;
// on gateways and events it is ignored (Validate warns).
var multiInstanceTypes = map[string]bool{
	workflow.UserTask: true, workflow.ServiceTask: true, workflow.CallActivity: true,
	workflow.ReceiveTask: true, workflow.ScriptTask: true, workflow.EmailTask: true,
	workflow.NoneTask: true, workflow.SubProcessEmbedded: true,
}

// isElement reports whether ai is one element of a multi-instance or loop
// container.
func (r *run) isElement(ai *ActivityInstance) bool { return isElement(ai) }

// startMulti turns ai into a multi-instance container: one element
// instance per non-null value of the multiInstance bindings (lists are
// flattened), each with the element variable set, all at once or one
// after the other when sequential. Without value bindings, cardinality
// elements 0, 1, ... (without a cardinality, one element without a
// value). No elements: the activity goes on at once.
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
	if len(mi.Values) == 0 {
		count := 1
		if mi.Cardinality != nil {
			v, _ := evalBinding(vs, mi.Cardinality)
			f, ok := toNumber(v)
			switch {
			case !ok || f < 1:
				count = 0
			case f > maxSteps:
				return ErrRunaway
			default:
				count = int(f)
			}
		}
		for i := range count {
			el := encode(float64(i))
			if mi.Cardinality == nil {
				el = nil
			}
			elements = append(elements, el)
		}
	}
	for i, el := range elements {
		if el == nil {
			continue
		}
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
	r.armBoundary(ai, n)
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
	if v := n.act.MultiInstance.Variable; v.ID != "" && value != nil {
		r.newVariable(&el.Scope, v.ID, v.Type).Value = value
	}
}

// startLoop turns ai into the container of a standard loop: its first
// iteration starts (with testBefore, only when the condition holds).
func (r *run) startLoop(ai *ActivityInstance, n *node) {
	lp := n.act.Loop
	ai.WorkState = wsMulti
	r.armBoundary(ai, n)
	if lp.TestBefore && isCondition(lp.Condition) && !holds(r.vars(ai), lp.Condition) {
		r.onwards(ai)
		return
	}
	r.create(ai, n, "")
}

// elementDone continues a container after one of its elements ended:
// start the next sequential element, or, when none is open any more (or
// the completion condition holds), end the container and go on. A loop
// runs again while its condition holds and its maximum allows.
func (r *run) elementDone(el *ActivityInstance) {
	c := el.parent
	n := r.g.nodes[c.ActivityID]
	if mi := n.act.MultiInstance; mi == nil {
		lp := n.act.Loop
		if lp != nil && isCondition(lp.Condition) && holds(r.vars(el), lp.Condition) && (lp.Maximum <= 0 || len(c.ActivityInstances) < lp.Maximum) {
			r.create(c, n, "")
		} else {
			r.onwards(c)
		}
		return
	} else if isCondition(mi.CompletionCondition) && holds(r.vars(el), mi.CompletionCondition) {
		c.Elements = nil
		for _, sib := range slices.Clone(c.ActivityInstances) {
			if sib.Open() {
				r.cancel(sib)
			}
		}
		r.onwards(c)
		return
	}
	if len(c.Elements) > 0 {
		next := c.Elements[0]
		c.Elements = c.Elements[1:]
		if len(c.Elements) == 0 {
			c.Elements = nil
		}
		r.startElement(c, n, next)
		return
	}
	for _, sib := range c.ActivityInstances {
		if sib.Open() {
			return
		}
	}
	r.onwards(c)
}
