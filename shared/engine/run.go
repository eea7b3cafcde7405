package engine

import (
	"bytes"
	"encoding/json"
	"slices"
	"strconv"
	"time"

	"github.com/effektif-serverless/caseflow/shared/workflow"
)

// maxSteps bounds the activity instances one operation creates, so a loop
// without a wait state fails with ErrRunaway instead of running forever.
const maxSteps = 10000

// run is one operation on one instance: a FIFO queue of activity
// instances to execute, and the scopes to re-examine (joins, completion)
// once the queue is empty. All iteration is in slice order, so a run is
// deterministic.
type run struct {
	g     *graph
	inst  *Instance
	fx    *Effects
	now   time.Time
	loc   *time.Location
	newID func() string

	queue []*ActivityInstance
	// dirty are scopes in which an activity instance ended (nil is the
	// workflow level), in the order they became dirty; dirtySet holds
	// them too once there are more than shortList.
	dirty    []*ActivityInstance
	dirtySet map[*ActivityInstance]bool
	created  int
	// newTimers are the ids of timers scheduled in this run.
	newTimers map[string]bool
	// changed indexes fx.VariableChanges by variable instance.
	changed smallIndex[*VariableInstance]
	// scripts is what the script tasks of this operation may still use
	// (made by the first one).
	scripts *scriptBudget
	// spare are zeroed activity instances for newInstance to fill before
	// it allocates more.
	spare []ActivityInstance

	// Inline room for what most operations need, allocated with the run:
	// the queues while they are short, the variable readers that vars
	// hands out, the first variable instances changed.
	queueBuf, dirtyBuf [4]*ActivityInstance
	readers            [6]scopeVars
	nReaders           int
	changedBuf         [4]*VariableInstance
}

// shortList is how long the run's lists of scopes and variable instances
// get before they are indexed by a map too (below, a scan is cheaper).
const shortList = 16

// vars reads variables as seen from an activity instance (nil: workflow).
// The readers of the run's first few instances are kept in the run, so
// vars mostly allocates nothing.
func (r *run) vars(from *ActivityInstance) vars {
	for i := range r.readers[:r.nReaders] {
		if r.readers[i].from == from {
			return &r.readers[i]
		}
	}
	if r.nReaders == len(r.readers) {
		return scopeVars{r.inst, from}
	}
	r.readers[r.nReaders] = scopeVars{r.inst, from}
	r.nReaders++
	return &r.readers[r.nReaders-1]
}

// smallIndex is the position of each key in the order they were added:
// found by a scan while there are at most shortList, by a map beyond.
type smallIndex[K comparable] struct {
	keys []K
	m    map[K]int
}

// index is the position of k, or -1.
func (x *smallIndex[K]) index(k K) int {
	if x.m == nil {
		return slices.Index(x.keys, k)
	}
	if i, ok := x.m[k]; ok {
		return i
	}
	return -1
}

// add appends k (not in x yet) and returns its position.
func (x *smallIndex[K]) add(k K) int {
	i := len(x.keys)
	x.keys = append(x.keys, k)
	switch {
	case x.m != nil:
		x.m[k] = i
	case len(x.keys) > shortList:
		x.m = make(map[K]int, 2*len(x.keys))
		for j, key := range x.keys {
			x.m[key] = j
		}
	}
	return i
}

// drain executes queued activity instances and settles dirty scopes until
// neither is left; then conditional events are evaluated, and when one
// fired, the same again.
func (r *run) drain() error {
	for {
		if len(r.queue) > 0 {
			ai := r.queue[0]
			r.queue = r.queue[1:]
			if !ai.Open() {
				continue // canceled while queued
			}
			if err := r.execute(ai); err != nil {
				return err
			}
			if r.created > maxSteps {
				return ErrRunaway
			}
			continue
		}
		if len(r.dirty) > 0 {
			s := r.dirty[0]
			r.dirty = r.dirty[1:]
			delete(r.dirtySet, s)
			if err := r.settle(s); err != nil {
				return err
			}
			continue
		}
		fired, err := r.evalConditions()
		if err != nil {
			return err
		}
		if !fired {
			return nil
		}
		if r.created > maxSteps {
			return ErrRunaway
		}
	}
}

// execute runs one activity instance that was just reached.
func (r *run) execute(ai *ActivityInstance) error {
	n := r.g.nodes[ai.ActivityID]
	if n == nil {
		return ErrWorkflowMismatch
	}
	a := n.act
	if multiInstanceTypes[a.Type] && !r.isElement(ai) {
		switch {
		case a.MultiInstance != nil:
			return r.startMulti(ai, n)
		case a.Loop != nil:
			r.startLoop(ai, n)
			return nil
		}
	}
	switch a.Type {
	case workflow.UserTask, workflow.ServiceTask, workflow.ReceiveTask, workflow.CallActivity, workflow.TimerEvent:
		r.wait(ai, n)
	case workflow.CatchEvent:
		if a.Event != nil && a.Event.Type == workflow.EventLink {
			r.onwards(ai)
		} else {
			r.wait(ai, n)
		}
	case workflow.EmailTask:
		r.fx.Emails = append(r.fx.Emails, r.emailRequest(ai, n))
		r.onwards(ai)
	case workflow.ScriptTask:
		if err := r.runScript(ai, n); err != nil {
			return err
		}
		r.onwards(ai)
	case workflow.ExclusiveGateway:
		r.end(ai, "")
		if e := r.exclusiveChoice(ai, n); e != nil {
			r.take(ai, e)
		}
	case workflow.ParallelGateway, workflow.InclusiveGateway:
		r.arrive(ai, n)
	case workflow.EventBasedGateway:
		r.end(ai, "")
		for _, e := range n.out {
			if e.to != nil {
				r.create(ai.parent, e.to, e.key).Race = ai.ID
			}
		}
	case workflow.SubProcessEmbedded:
		return r.startScope(ai, n, n.inner.starts)
	case workflow.EndEvent:
		switch {
		case a.Terminate:
			r.terminate(ai)
		case a.Event != nil:
			return r.throwEvent(ai, n)
		default:
			r.onwards(ai)
		}
	case workflow.ThrowEvent:
		return r.throwEvent(ai, n)
	default: // startEvent, task and anything else pass through
		r.onwards(ai)
	}
	return nil
}

// create makes an activity instance of n in the scope of parent (nil: the
// workflow) and queues it. incoming is the key of the transition taken.
func (r *run) create(parent *ActivityInstance, n *node, incoming string) *ActivityInstance {
	ai := r.newInstance(parent, n, incoming)
	if len(r.queue) == 0 {
		r.queue = r.queueBuf[:0] // nothing queued: start over inline
	}
	r.queue = append(r.queue, ai)
	return ai
}

// newInstance makes an activity instance of n in the scope of parent
// without queueing it.
func (r *run) newInstance(parent *ActivityInstance, n *node, incoming string) *ActivityInstance {
	r.created++
	r.inst.LastActivityInstanceID++
	if len(r.spare) == 0 {
		r.spare = make([]ActivityInstance, newInstanceBlock)
	}
	ai := &r.spare[0]
	r.spare = r.spare[1:]
	*ai = ActivityInstance{
		ID:         strconv.Itoa(r.inst.LastActivityInstanceID),
		ActivityID: n.act.ID,
		Start:      Time{r.now},
		Incoming:   incoming,
		parent:     parent,
	}
	s := r.scopeOf(parent)
	if s.ActivityInstances == nil {
		s.ActivityInstances = make([]*ActivityInstance, 0, newInstanceBlock)
	}
	s.ActivityInstances = append(s.ActivityInstances, ai)
	return ai
}

// newInstanceBlock is how many activity instances a run allocates at once
// when it has no spare ones left, and the room a scope's first list gets;
// operate's copy of the instance comes with as many spare.
const newInstanceBlock = 2

func (r *run) scopeOf(parent *ActivityInstance) *Scope {
	if parent == nil {
		return &r.inst.Scope
	}
	return &parent.Scope
}

// end ends an activity instance, drops its timers and marks its scope
// for settling. A joining instance keeps its work state.
func (r *run) end(ai *ActivityInstance, endState string) {
	ai.End = Time{r.now}
	d := r.now.Sub(ai.Start.Time).Milliseconds()
	ai.Duration = &d
	ai.EndState = endState
	if ai.WorkState != wsJoining {
		ai.WorkState = ""
	}
	ai.Elements = nil
	r.dropTimers(func(ti *TimerInstance) bool { return ti.ActivityInstanceID == ai.ID })
	r.markDirty(ai.parent)
}

// onwards ends an activity instance and takes every outgoing transition
// whose condition holds (an implicit parallel split); an element of a
// multi-instance activity reports to its container instead. A catch event
// after an event-based gateway cancels the others of its race; an
// activity that can be compensated is recorded.
func (r *run) onwards(ai *ActivityInstance) {
	r.end(ai, "")
	if ai.Race != "" {
		r.endRace(ai)
	}
	if r.isElement(ai) {
		r.elementDone(ai)
		return
	}
	n := r.g.nodes[ai.ActivityID]
	if n.canCompensate {
		r.inst.Compensable = append(r.inst.Compensable, ai.ID)
	}
	for _, e := range n.out {
		if holds(r.vars(ai), e.t.Condition) {
			r.take(ai, e)
		}
	}
}

// take follows a transition from an activity instance to a new instance
// of its target, in the same scope.
func (r *run) take(from *ActivityInstance, e *edge) {
	if e.to != nil {
		r.create(from.parent, e.to, e.key)
	}
}

// cancel ends an open activity instance and its open descendants with
// endState "canceled", reporting the waiting ones.
func (r *run) cancel(ai *ActivityInstance) {
	for _, child := range slices.Clone(ai.ActivityInstances) {
		if child.Open() {
			r.cancel(child)
		}
	}
	if ai.Waiting() {
		r.fx.CanceledActivityInstances = append(r.fx.CanceledActivityInstances, CanceledActivityInstance{
			ActivityInstanceID:       ai.ID,
			ActivityID:               ai.ActivityID,
			ActivityType:             r.activityType(ai),
			CalledWorkflowInstanceID: ai.CalledWorkflowInstanceID,
		})
	}
	r.end(ai, EndCanceled)
}

func (r *run) activityType(ai *ActivityInstance) string {
	if n := r.g.nodes[ai.ActivityID]; n != nil {
		return n.act.Type
	}
	return ""
}

// terminate ends the end event and cancels everything else in its scope;
// the scope then completes (the instance ends, or the subprocess goes on).
func (r *run) terminate(ai *ActivityInstance) {
	r.end(ai, "")
	for _, sib := range slices.Clone(r.scopeOf(ai.parent).ActivityInstances) {
		if sib.Open() {
			r.cancel(sib)
		} else if sib.WorkState == wsJoining {
			sib.WorkState = ""
		}
	}
	r.completeScope(ai.parent)
}

// markDirty queues a scope for settling unless it is queued already.
func (r *run) markDirty(scope *ActivityInstance) {
	switch {
	case r.dirtySet != nil:
		if r.dirtySet[scope] {
			return
		}
		r.dirtySet[scope] = true
	case slices.Contains(r.dirty, scope):
		return
	case len(r.dirty) >= shortList:
		r.dirtySet = make(map[*ActivityInstance]bool, 2*shortList)
		for _, s := range r.dirty {
			r.dirtySet[s] = true
		}
		r.dirtySet[scope] = true
	}
	if len(r.dirty) == 0 {
		r.dirty = r.dirtyBuf[:0]
	}
	r.dirty = append(r.dirty, scope)
}

// settle re-examines a scope once nothing is queued: a join that can fire
// now fires; a scope with no open activity instance left completes; a
// compensating throw whose handler ended starts the next one or goes on.
func (r *run) settle(scope *ActivityInstance) error {
	switch {
	case scope == nil && r.inst.Ended():
		return nil
	case scope == nil:
	case !scope.Open():
		return nil
	case scope.WorkState == wsCompensating:
		return r.compensationStep(scope)
	case scope.WorkState != wsScope:
		return nil // multi-instance containers complete through elementDone
	}
	if r.settleJoins(scope) {
		return nil
	}
	for _, ai := range r.scopeOf(scope).ActivityInstances {
		if ai.Open() {
			return nil
		}
	}
	r.completeScope(scope)
	return nil
}

// completeScope ends a scope whose work is done: the workflow instance, or
// an embedded subprocess instance, which then goes on.
func (r *run) completeScope(scope *ActivityInstance) {
	if scope == nil {
		r.endInstance("", "")
		return
	}
	r.onwards(scope)
}

// endInstance ends the workflow instance. A normal end of an instance
// started by a call activity notifies the caller, and so does an end by an
// uncaught error (EndError, with its code).
func (r *run) endInstance(endState, errorCode string) {
	inst := r.inst
	inst.End = Time{r.now}
	d := r.now.Sub(inst.Start.Time).Milliseconds()
	inst.Duration = &d
	inst.EndState = endState
	r.fx.Ended = true
	r.queue = nil
	r.dropTimers(func(*TimerInstance) bool { return true })
	if (endState == "" || endState == EndError) && r.hasCaller() {
		n := &CallerNotification{
			WorkflowInstanceID: inst.CallerWorkflowInstanceID,
			ActivityInstanceID: inst.CallerActivityInstanceID,
			Failed:             endState == EndError,
			ErrorCode:          errorCode,
		}
		for _, vi := range inst.VariableInstances {
			if len(vi.Value) > 0 {
				if n.Values == nil {
					n.Values = map[string]json.RawMessage{}
				}
				n.Values[vi.VariableID] = wrap(vi.Value, vi.Type)
			}
		}
		r.fx.CallerNotification = n
	}
}

// hasCaller reports whether a call activity started the instance.
func (r *run) hasCaller() bool {
	return r.inst.CallerWorkflowInstanceID != "" && r.inst.CallerActivityInstanceID != ""
}

// effects finishes the effects: variable changes that changed nothing are
// dropped, and so are the sub-workflow requests of call activities that
// were interrupted in the same operation (their cancellation is still
// reported, as are tasks and action instances requested and canceled in
// one operation).
func (r *run) effects() *Effects {
	if len(r.fx.CanceledActivityInstances) > 0 && len(r.fx.SubWorkflows) > 0 {
		gone := map[string]bool{}
		for _, c := range r.fx.CanceledActivityInstances {
			gone[c.ActivityInstanceID] = true
		}
		r.fx.SubWorkflows = slices.DeleteFunc(r.fx.SubWorkflows, func(s SubWorkflowRequest) bool { return gone[s.ActivityInstanceID] })
	}
	changes := r.fx.VariableChanges[:0]
	for _, c := range r.fx.VariableChanges {
		if !bytes.Equal(c.Old, c.New) {
			changes = append(changes, c)
		}
	}
	r.fx.VariableChanges = changes
	if len(changes) == 0 {
		r.fx.VariableChanges = nil
	}
	return r.fx
}
