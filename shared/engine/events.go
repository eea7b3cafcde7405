package engine

import (
	"encoding/json"
	"slices"

	"github.com/effektif-serverless/caseflow/shared/workflow"
)

// This file runs events: messages and signals delivered to receivers,
// boundary events, event sub-processes, errors and escalations thrown
// outward, conditional events, event-based gateway races and
// compensation.

// waiting finds an activity instance that Message, Fail or Escalate may
// end: it waits, and not for a timer or a signal or condition.
func (r *run) waiting(id string) (*ActivityInstance, *node, error) {
	ai := r.inst.ActivityInstance(id)
	if ai == nil {
		return nil, nil, ErrUnknownActivityInstance
	}
	n := r.g.nodes[ai.ActivityID]
	if n == nil {
		return nil, nil, ErrWorkflowMismatch
	}
	switch {
	case !ai.Waiting(), n.act.Type == workflow.TimerEvent,
		n.act.Type == workflow.CatchEvent && (n.act.Event == nil || n.act.Event.Type != workflow.EventMessage):
		return nil, nil, ErrNotWaiting
	}
	return ai, n, nil
}

// writeResults writes the values Fail brings: service tasks and calls by
// outputBindings key, other activities by variable id.
func (r *run) writeResults(ai *ActivityInstance, n *node, values map[string]json.RawMessage) error {
	if n.act.Type == workflow.ServiceTask || n.act.Type == workflow.CallActivity {
		return r.receive(ai, n, values)
	}
	return r.writeValues(ai, values)
}

// writeValues writes values keyed by variable id, in key order, as seen
// from ai (nil: the workflow).
func (r *run) writeValues(ai *ActivityInstance, values map[string]json.RawMessage) error {
	for _, key := range sortedKeys(values) {
		if err := r.setTyped(ai, key, values[key]); err != nil {
			return err
		}
	}
	return nil
}

// isElement reports whether ai is one element of a multi-instance or loop
// container.
func isElement(ai *ActivityInstance) bool {
	p := ai.parent
	return p != nil && p.WorkState == wsMulti && p.ActivityID == ai.ActivityID
}

// armed reports whether ai's boundary events can fire: it is open, not an
// element, and waits, runs its scope or contains elements.
func armed(ai *ActivityInstance) bool {
	if ai == nil || !ai.Open() || isElement(ai) {
		return false
	}
	return ai.WorkState == wsWaiting || ai.WorkState == wsScope || ai.WorkState == wsMulti
}

// scopeDefOf is the definition of a scope instance (nil: the workflow),
// or nil when the instance is no scope.
func (r *run) scopeDefOf(scope *ActivityInstance) *scopeDef {
	if scope == nil {
		return r.g.root
	}
	if scope.WorkState != wsScope {
		return nil
	}
	if n := r.g.nodes[scope.ActivityID]; n != nil {
		return n.inner
	}
	return nil
}

func scopeID(scope *ActivityInstance) string {
	if scope == nil {
		return ""
	}
	return scope.ID
}

// interrupted reports whether an interrupting event sub-process runs in
// the scope (nil: the workflow): then no other one starts there.
func interrupted(g *graph, list []*ActivityInstance) bool {
	for _, ai := range list {
		if ai.Open() && ai.EventStart != "" {
			if s := g.nodes[ai.EventStart]; s != nil && !s.act.NonInterrupting {
				return true
			}
		}
	}
	return false
}

func (r *run) interrupted(scope *ActivityInstance) bool {
	return interrupted(r.g, r.scopeOf(scope).ActivityInstances)
}

// throwEvent runs an end or intermediate throw event with an Event: a
// link jumps, a signal is broadcast, an escalation or error is thrown
// outward, compensation runs the handlers first. A message throw passes.
func (r *run) throwEvent(ai *ActivityInstance, n *node) error {
	ev := n.act.Event
	if ev == nil {
		r.onwards(ai)
		return nil
	}
	switch ev.Type {
	case workflow.EventLink:
		r.end(ai, "")
		if c := n.scope.links[linkName(ev.Name)]; c != nil && n.act.Type == workflow.ThrowEvent {
			r.create(ai.parent, c, "")
		}
		return nil
	case workflow.EventCompensation:
		return r.startCompensation(ai, n)
	}
	r.onwards(ai)
	switch ev.Type {
	case workflow.EventSignal:
		r.fx.Signals = append(r.fx.Signals, ev.Name)
		_, err := r.deliver(workflow.EventSignal, ev.Name, nil)
		return err
	case workflow.EventEscalation:
		return r.escalate(ai, ev.Name, false)
	case workflow.EventError:
		caught, err := r.throw(ai, workflow.EventError, ev.Name, false)
		if err == nil && !caught && r.hasCaller() {
			r.failInstance(ev.Name)
		}
		return err
	}
	return nil
}

// endRace cancels the other catch events of the race ai won.
func (r *run) endRace(ai *ActivityInstance) {
	for _, sib := range slices.Clone(r.scopeOf(ai.parent).ActivityInstances) {
		if sib != ai && sib.Race == ai.Race && sib.Open() {
			r.cancel(sib)
		}
	}
}

// receiver is something in an instance that waits for a message or
// signal: a waiting catch (b and start nil), a boundary event of ai, or an
// event sub-process start event of scope ai (nil: the workflow).
type receiver struct {
	kind, name string
	ai         *ActivityInstance
	b          *boundary
	esp, start *node
}

// receivers calls f for every message and signal receiver of the
// instance, the workflow's event sub-processes first, then in tree order.
// The instance's parent links must be set (a Clone sets them).
func receivers(g *graph, inst *Instance, f func(receiver)) {
	if inst.Ended() {
		return
	}
	scope := func(ai *ActivityInstance, sd *scopeDef, list []*ActivityInstance) {
		if interrupted(g, list) {
			return
		}
		for _, esp := range sd.esps {
			for _, s := range esp.eventStarts() {
				if k := s.act.Event.Type; k == workflow.EventMessage || k == workflow.EventSignal {
					f(receiver{kind: k, name: s.act.Event.Name, ai: ai, esp: esp, start: s})
				}
			}
		}
	}
	scope(nil, g.root, inst.ActivityInstances)
	inst.walk(func(ai *ActivityInstance) bool {
		n := g.nodes[ai.ActivityID]
		if n == nil || !ai.Open() {
			return true
		}
		if ai.Waiting() {
			if ev := n.act.Event; ev != nil && (n.act.Type == workflow.ReceiveTask || n.act.Type == workflow.CatchEvent) &&
				(ev.Type == workflow.EventMessage || ev.Type == workflow.EventSignal) {
				f(receiver{kind: ev.Type, name: ev.Name, ai: ai})
			} else if n.act.Type == workflow.ReceiveTask {
				f(receiver{kind: workflow.EventMessage, ai: ai})
			}
		}
		if armed(ai) {
			for _, b := range n.boundary {
				if b.ev.Type == workflow.EventMessage || b.ev.Type == workflow.EventSignal {
					f(receiver{kind: b.ev.Type, name: b.ev.Name, ai: ai, b: b})
				}
			}
		}
		if ai.WorkState == wsScope && n.inner != nil {
			scope(ai, n.inner, ai.ActivityInstances)
		}
		return true
	})
}

// deliver hands a message or signal to every receiver waiting for it and
// returns how many took it.
func (r *run) deliver(kind, name string, values map[string]json.RawMessage) (int, error) {
	var rs []receiver
	receivers(r.g, r.inst, func(x receiver) {
		if x.kind == kind && x.name == name {
			rs = append(rs, x)
		}
	})
	taken := 0
	for _, x := range rs {
		switch {
		case x.b != nil:
			if !armed(x.ai) {
				continue // interrupted by an earlier receiver
			}
			if err := r.writeValues(x.ai, values); err != nil {
				return 0, err
			}
			r.fireBoundary(x.ai, x.b)
		case x.start != nil:
			if x.ai == nil && r.inst.Ended() || x.ai != nil && !x.ai.Open() || r.interrupted(x.ai) {
				continue
			}
			esp, err := r.triggerESP(x.ai, x.esp, x.start)
			if err == nil {
				err = r.writeValues(esp, values)
			}
			if err != nil {
				return 0, err
			}
		default:
			if !x.ai.Waiting() {
				continue
			}
			if err := r.writeValues(x.ai, values); err != nil {
				return 0, err
			}
			r.onwards(x.ai)
		}
		taken++
	}
	return taken, nil
}

// fireBoundary fires a boundary event of ai: an interrupting one cancels
// ai; then its transitions are taken in ai's scope.
func (r *run) fireBoundary(ai *ActivityInstance, b *boundary) {
	n := r.g.nodes[ai.ActivityID]
	if b.interrupting() {
		r.cancel(ai)
	}
	for _, id := range b.to {
		if e := r.g.edges[id]; e != nil && e.to != nil && e.to.scope == n.scope {
			r.create(ai.parent, e.to, e.key)
		}
	}
}

// triggerESP starts event sub-process esp in scope (nil: the workflow)
// from its start event start. An interrupting start first cancels
// everything else running in the scope and the scope's other event
// sub-process timers.
func (r *run) triggerESP(scope *ActivityInstance, esp, start *node) (*ActivityInstance, error) {
	if !start.act.NonInterrupting {
		for _, sib := range slices.Clone(r.scopeOf(scope).ActivityInstances) {
			if sib.Open() {
				r.cancel(sib)
			} else if sib.WorkState == wsJoining {
				sib.WorkState = ""
			}
		}
		id := scopeID(scope)
		r.dropTimers(func(ti *TimerInstance) bool { return ti.ActivityInstanceID == id && r.isESPTimer(ti) })
	}
	x := r.newInstance(scope, esp, "")
	x.EventStart = start.act.ID
	return x, r.startScope(x, esp, []*node{start})
}

// isESPTimer reports whether ti is the timer of an event sub-process
// start event (not a boundary timer of the same activity instance).
func (r *run) isESPTimer(ti *TimerInstance) bool {
	if ai := r.inst.ActivityInstance(ti.ActivityInstanceID); ai != nil {
		if n := r.g.nodes[ai.ActivityID]; n != nil && n.findBoundary(ti.TimerID) != nil {
			return false
		}
	}
	s := r.g.nodes[ti.TimerID]
	return s != nil && s.scope.owner != nil && s.scope.owner.act.TriggeredByEvent
}

// catching returns the boundary event of kind that catches code: one with
// that name, else one without a name.
func catching(bs []*boundary, kind, code string) *boundary {
	var any *boundary
	for _, b := range bs {
		if b.ev.Type != kind {
			continue
		}
		if b.ev.Name == code {
			return b
		}
		if b.ev.Name == "" && any == nil {
			any = b
		}
	}
	return any
}

// catchingESP returns the event sub-process start of kind that catches
// code, like catching.
func catchingESP(sd *scopeDef, kind, code string) (esp, start *node) {
	for _, exact := range []bool{true, false} {
		for _, e := range sd.esps {
			for _, s := range e.eventStarts() {
				ev := s.act.Event
				if ev.Type == kind && (exact && ev.Name == code || !exact && ev.Name == "") {
					return e, s
				}
			}
		}
	}
	return nil, nil
}

// throw passes an error or escalation thrown at ai outward to its first
// catcher: ai's own boundary events (when own: ai is a failing or
// escalating activity, not a throw event), the event sub-processes of its
// scope, the boundary events of the enclosing subprocess (or
// multi-instance container), and so on up to the workflow. It reports
// whether something caught it.
func (r *run) throw(ai *ActivityInstance, kind, code string, own bool) (bool, error) {
	cur := ai
	for {
		if own && armed(cur) {
			if n := r.g.nodes[cur.ActivityID]; n != nil {
				if b := catching(n.boundary, kind, code); b != nil {
					r.fireBoundary(cur, b)
					return true, nil
				}
			}
		}
		own = true
		scope := cur.parent
		if scope != nil && scope.WorkState == wsMulti {
			cur = scope
			continue
		}
		if sd := r.scopeDefOf(scope); sd != nil && !r.interrupted(scope) {
			if esp, start := catchingESP(sd, kind, code); esp != nil {
				_, err := r.triggerESP(scope, esp, start)
				return true, err
			}
		}
		if scope == nil {
			return false, nil
		}
		cur = scope
	}
}

// fail throws an error from a waiting activity instance (see Engine.Fail).
func (r *run) fail(ai *ActivityInstance, code string) error {
	caught, err := r.throw(ai, workflow.EventError, code, true)
	if err != nil || caught {
		return err
	}
	if r.hasCaller() {
		r.failInstance(code)
		return nil
	}
	for isElement(ai) {
		ai = ai.parent
	}
	if ai.Open() {
		r.cancel(ai)
	}
	return nil
}

// failInstance ends an instance started by a call activity after an error
// nothing caught: everything is canceled and the caller notified.
func (r *run) failInstance(code string) {
	for _, ai := range slices.Clone(r.inst.ActivityInstances) {
		if ai.Open() {
			r.cancel(ai)
		}
	}
	r.endInstance(EndError, code)
}

// escalate throws an escalation at ai (own: ai is an escalating activity);
// uncaught, it goes to the caller of an instance started by a call
// activity.
func (r *run) escalate(ai *ActivityInstance, code string, own bool) error {
	caught, err := r.throw(ai, workflow.EventEscalation, code, own)
	if err == nil && !caught && r.hasCaller() {
		r.fx.Escalations = append(r.fx.Escalations, Escalation{
			WorkflowInstanceID: r.inst.CallerWorkflowInstanceID,
			ActivityInstanceID: r.inst.CallerActivityInstanceID,
			Code:               code,
		})
	}
	return err
}

// conditionHolds is the value of a conditional event's condition: a
// missing or unspecified condition never holds.
func conditionHolds(vs vars, c *workflow.Condition) bool {
	return isCondition(c) && holds(vs, c)
}

// evalConditions fires the conditional events whose condition holds:
// waiting conditional catch events go on; boundary events and event
// sub-process start events fire when their condition became true (a
// non-interrupting one again only after it was false). It reports whether
// anything fired.
func (r *run) evalConditions() (bool, error) {
	if !r.g.conditional || r.inst.Ended() {
		return false, nil
	}
	fired, err := r.conditionalStarts(nil, r.g.root)
	if err != nil {
		return false, err
	}
	var open []*ActivityInstance
	r.inst.walk(func(ai *ActivityInstance) bool {
		if ai.Open() {
			open = append(open, ai)
		}
		return true
	})
	for _, ai := range open {
		n := r.g.nodes[ai.ActivityID]
		if n == nil || !ai.Open() || r.inst.Ended() {
			continue
		}
		if ev := n.act.Event; ai.Waiting() && n.act.Type == workflow.CatchEvent && ev != nil && ev.Type == workflow.EventConditional {
			if conditionHolds(r.vars(ai), ev.Condition) {
				r.onwards(ai)
				fired = true
			}
			continue
		}
		if armed(ai) {
			for _, b := range n.boundary {
				if b.ev.Type != workflow.EventConditional {
					continue
				}
				now, was := conditionHolds(r.vars(ai), b.ev.Condition), slices.Contains(ai.Held, b.id)
				if now == was {
					continue
				}
				if !now {
					ai.Held = slices.DeleteFunc(ai.Held, func(id string) bool { return id == b.id })
					continue
				}
				fired = true
				if !b.interrupting() {
					ai.Held = append(ai.Held, b.id)
				}
				r.fireBoundary(ai, b)
				if !ai.Open() {
					break
				}
			}
		}
		if ai.Open() && ai.WorkState == wsScope && n.inner != nil {
			f, err := r.conditionalStarts(ai, n.inner)
			if err != nil {
				return false, err
			}
			fired = fired || f
		}
	}
	return fired, nil
}

// conditionalStarts starts the conditional event sub-processes of a scope
// whose condition became true.
func (r *run) conditionalStarts(scope *ActivityInstance, sd *scopeDef) (bool, error) {
	fired := false
	s := r.scopeOf(scope)
	for _, esp := range sd.esps {
		for _, start := range esp.eventStarts() {
			ev := start.act.Event
			if ev.Type != workflow.EventConditional || r.interrupted(scope) {
				continue
			}
			id := start.act.ID
			now, was := conditionHolds(r.vars(scope), ev.Condition), slices.Contains(s.Held, id)
			switch {
			case now == was:
			case !now:
				s.Held = slices.DeleteFunc(s.Held, func(x string) bool { return x == id })
			default:
				fired = true
				if start.act.NonInterrupting {
					s.Held = append(s.Held, id)
				}
				if _, err := r.triggerESP(scope, esp, start); err != nil {
					return false, err
				}
			}
		}
	}
	return fired, nil
}

// startCompensation runs a compensation throw or end event: the completed
// activities of its scope that can be compensated (or only those of its
// activityId) are compensated one after the other, the last completed
// first; then the event goes on.
func (r *run) startCompensation(t *ActivityInstance, n *node) error {
	targets := r.compensationTargets(t, n.act.Event.ActivityID)
	if len(targets) == 0 {
		r.onwards(t)
		return nil
	}
	// The throw claims its targets at once, so that no other throw
	// compensates them again.
	r.inst.Compensable = slices.DeleteFunc(r.inst.Compensable, func(x string) bool { return slices.Contains(targets, x) })
	if len(r.inst.Compensable) == 0 {
		r.inst.Compensable = nil
	}
	t.WorkState = wsCompensating
	if len(targets) > 1 {
		t.Pending = targets[1:]
	}
	return r.compensate(t, targets[0])
}

// compensationScope is the scope instance a compensation throw compensates
// in: its own scope, or for a throw in an event sub-process, the scope of
// the event sub-process (a compensation event sub-process: the subprocess
// it compensates).
func (r *run) compensationScope(t *ActivityInstance) *ActivityInstance {
	p := t.parent
	if p == nil {
		return nil
	}
	if n := r.g.nodes[p.ActivityID]; n != nil && n.act.TriggeredByEvent {
		if p.Compensates != "" {
			return r.inst.ActivityInstance(p.Compensates)
		}
		return p.parent
	}
	return p
}

// compensationTargets lists the recorded completed activity instances a
// throw compensates, last completed first: those of its compensation scope
// and those inside completed subprocesses of it that cannot be compensated
// as a whole.
func (r *run) compensationTargets(t *ActivityInstance, activityID string) []string {
	x := r.compensationScope(t)
	var out []string
	for i := len(r.inst.Compensable) - 1; i >= 0; i-- {
		ai := r.inst.ActivityInstance(r.inst.Compensable[i])
		if ai == nil || ai.Open() {
			continue
		}
		top, ok := ai, false
		for {
			if top.parent == x {
				ok = true
				break
			}
			p := top.parent
			if p == nil || p.Open() || p.EndState != "" {
				break
			}
			if pn := r.g.nodes[p.ActivityID]; pn == nil || pn.canCompensate {
				break
			}
			top = p
		}
		if ok && (activityID == "" || top.ActivityID == activityID) {
			out = append(out, ai.ID)
		}
	}
	return out
}

// compensate runs the compensation of one completed activity instance as
// a child of throw t: its compensation handler, or the compensation event
// sub-process of a subprocess.
func (r *run) compensate(t *ActivityInstance, id string) error {
	r.markDirty(t)
	target := r.inst.ActivityInstance(id)
	if target == nil {
		return nil
	}
	n := r.g.nodes[target.ActivityID]
	if n == nil {
		return ErrWorkflowMismatch
	}
	if h := n.compensationHandler(r.g); h != nil {
		r.create(t, h, "")
		return nil
	}
	if esp, start := n.compensationESP(); esp != nil {
		x := r.newInstance(t, esp, "")
		x.EventStart, x.Compensates = start.act.ID, target.ID
		return r.startScope(x, esp, []*node{start})
	}
	return nil
}

// compensationStep continues a compensating throw whose running handler
// ended: the next compensation, or when all are done, on.
func (r *run) compensationStep(t *ActivityInstance) error {
	for _, c := range t.ActivityInstances {
		if c.Open() {
			return nil
		}
	}
	if len(t.Pending) > 0 {
		next := t.Pending[0]
		t.Pending = t.Pending[1:]
		if len(t.Pending) == 0 {
			t.Pending = nil
		}
		return r.compensate(t, next)
	}
	t.WorkState = ""
	r.onwards(t)
	return nil
}

// Subscription is a message or signal an instance waits for.
type Subscription struct {
	// Kind is workflow.EventMessage or workflow.EventSignal.
	Kind string `json:"kind"`
	Name string `json:"name,omitempty"`
	// ActivityInstanceID is the waiting activity instance, the one a
	// boundary event is attached to, or the scope of an event
	// sub-process (empty: the workflow).
	ActivityInstanceID string `json:"activityInstanceId,omitempty"`
	// ActivityID is the receive task or catch event, the boundary event,
	// or the event sub-process's start event.
	ActivityID string `json:"activityId"`
}

// Subscriptions lists the messages and signals the instance waits for
// now (see Engine.Trigger), so that the application can index them.
func (inst *Instance) Subscriptions(wf *workflow.Workflow) []Subscription {
	if wf == nil {
		return nil
	}
	var out []Subscription
	receivers(compile(wf), inst.Clone(), func(x receiver) {
		s := Subscription{Kind: x.kind, Name: x.name}
		if x.ai != nil {
			s.ActivityInstanceID, s.ActivityID = x.ai.ID, x.ai.ActivityID
		}
		switch {
		case x.b != nil:
			s.ActivityID = x.b.id
		case x.start != nil:
			s.ActivityID = x.start.act.ID
		}
		out = append(out, s)
	})
	return out
}
