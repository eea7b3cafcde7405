package engine

import (
	"encoding/json"
	"slices"
	"strconv"
	"time"

	"github.com/effektif-serverless/caseflow/shared/ids"
	"github.com/effektif-serverless/caseflow/shared/workflow"
)

// Engine runs workflows. It holds no state: every operation is a function
// of the workflow, the instance, the input, Now and NewID. The zero value
// is ready to use.
type Engine struct {
	// Now is the clock; nil means time.Now. It is read once per
	// operation and truncated to milliseconds (the JSON precision).
	Now func() time.Time
	// NewID makes instance and timer ids; nil means ids.New (24 hex
	// digits).
	NewID func() string
	// Location is the time zone of RelativeTime's atHour and end of day;
	// nil means UTC.
	Location *time.Location
}

// Trigger starts an instance; it is the REST TriggerInstance after the
// application has chosen the workflow version.
type Trigger struct {
	// Data are the start values. A key is a trigger output key (mapped to
	// its variable by the workflow trigger's outputs) or a variable id; a
	// value is raw JSON or a TypedValue {"value": ..., "type": {...}} (an
	// object whose only keys are "value" and "type" is always read as a
	// TypedValue).
	// With a form trigger, "formInstance" holds the submitted start form
	// {"fields": [{"id": ..., "value": ...}]}; with an email trigger,
	// "emailId" goes to the trigger's emailIdVariableId (default
	// "emailId").
	Data                     map[string]json.RawMessage
	WorkflowInstanceID       string // the new instance's id; NewID when empty
	BusinessKey              string
	CreatorID                string
	CaseID                   string // defaults to the instance id when the workflow enables cases
	OrganizationID           string
	StartActivityIDs         []string // only these start activities run; default: all activities without incoming transitions
	CallerWorkflowInstanceID string   // set when started for a call activity
	CallerActivityInstanceID string
}

// FormInstanceKey is the trigger data key of a submitted start form.
const FormInstanceKey = "formInstance"

// Start creates an instance of wf and runs it until every path waits or
// ends. workflowID is recorded as the instance's workflowId (wf.ID when
// empty). Errors: *InvalidWorkflowError when Validate finds errors,
// *ValueError for bad trigger data, a missing required start form field
// or an unknown start activity, *ScriptError, ErrRunaway.
func (e *Engine) Start(wf *workflow.Workflow, workflowID string, t Trigger) (*Instance, *Effects, error) {
	if wf == nil {
		return nil, nil, &InvalidWorkflowError{Issues: Validate(nil)}
	}
	return e.StartCompiled(Compile(wf), workflowID, t)
}

// StartCompiled is Start on a compiled workflow: the same instance,
// effects and errors, without compiling and validating it again
// (*InvalidWorkflowError holds the issues Compile found).
func (e *Engine) StartCompiled(c *Compiled, workflowID string, t Trigger) (*Instance, *Effects, error) {
	if c == nil {
		return nil, nil, &InvalidWorkflowError{Issues: Validate(nil)}
	}
	if hasErrors(c.issues) {
		return nil, nil, &InvalidWorkflowError{Issues: slices.Clone(c.issues)}
	}
	wf := c.g.wf
	if workflowID == "" {
		workflowID = wf.ID
	}
	inst := &Instance{
		ID:                       t.WorkflowInstanceID,
		WorkflowID:               workflowID,
		BusinessKey:              t.BusinessKey,
		CreatorID:                t.CreatorID,
		CallerWorkflowInstanceID: t.CallerWorkflowInstanceID,
		CallerActivityInstanceID: t.CallerActivityInstanceID,
		CaseID:                   t.CaseID,
		OrganizationID:           t.OrganizationID,
	}
	r := e.newRun(c.g, inst)
	if inst.ID == "" {
		inst.ID = r.newID()
	}
	if wf.EnableCases && inst.CaseID == "" {
		inst.CaseID = inst.ID
	}
	inst.Start = Time{r.now}
	starts, err := r.startNodes(t.StartActivityIDs)
	if err != nil {
		return nil, nil, err
	}
	if err := r.initVariables(nil, r.g.root.vars); err != nil {
		return nil, nil, err
	}
	if err := r.applyTrigger(t.Data, t.CallerWorkflowInstanceID != ""); err != nil {
		return nil, nil, err
	}
	for _, n := range starts {
		r.create(nil, n, "")
	}
	r.armScope(nil, r.g.root)
	r.markDirty(nil)
	if err := r.drain(); err != nil {
		return nil, nil, err
	}
	return inst, r.effects(), nil
}

// Message ends a waiting activity instance with output values and runs
// on: a user task completed (values keyed by form field id or key,
// written through writable fields; other keys are ignored; required
// fields must then have a value), a service task's action ended or a
// called sub-instance ended (values keyed by outputBindings key, written
// to the bound variables), a receive task's message (values keyed by
// variable id). Errors: ErrUnknownActivityInstance, ErrNotWaiting,
// *ValueError, *ScriptError, ErrRunaway, ErrWorkflowMismatch. On error
// inst is unchanged.
func (e *Engine) Message(wf *workflow.Workflow, inst *Instance, activityInstanceID string, values map[string]json.RawMessage) (*Effects, error) {
	return e.MessageCompiled(uncheckedCompile(wf), inst, activityInstanceID, values)
}

// MessageCompiled is Message on a compiled workflow (see Compile).
func (e *Engine) MessageCompiled(c *Compiled, inst *Instance, activityInstanceID string, values map[string]json.RawMessage) (*Effects, error) {
	return e.operate(c, inst, func(r *run) error {
		ai, n, err := r.waiting(activityInstanceID)
		if err != nil {
			return err
		}
		if err := r.receive(ai, n, values); err != nil {
			return err
		}
		r.onwards(ai)
		return nil
	})
}

// Trigger delivers a message or a signal (kind workflow.EventMessage or
// workflow.EventSignal) with the given name to everything in the instance
// that waits for it: receive tasks and catch events (with an Event of that
// kind and name; they go on, and one after an event-based gateway wins its
// race), boundary events of waiting activities and running subprocesses
// (which fire), and start events of the event sub-processes of running
// scopes (which start). Names match exactly. values are written first, as
// a receive task's Message writes them (keyed by variable id), as seen
// from each receiver. Instance.Subscriptions lists what an instance waits
// for. Errors: *ValueError for another kind or a bad value,
// ErrNoReceiver, *ScriptError, ErrRunaway, ErrWorkflowMismatch. On error
// inst is unchanged.
func (e *Engine) Trigger(wf *workflow.Workflow, inst *Instance, kind, name string, values map[string]json.RawMessage) (*Effects, error) {
	return e.TriggerCompiled(uncheckedCompile(wf), inst, kind, name, values)
}

// TriggerCompiled is Trigger on a compiled workflow (see Compile).
func (e *Engine) TriggerCompiled(c *Compiled, inst *Instance, kind, name string, values map[string]json.RawMessage) (*Effects, error) {
	return e.operate(c, inst, func(r *run) error {
		if kind != workflow.EventMessage && kind != workflow.EventSignal {
			return &ValueError{Field: "kind", Message: strconv.Quote(kind) + " is not a message or signal"}
		}
		n, err := r.deliver(kind, name, values)
		if err == nil && n == 0 {
			err = ErrNoReceiver
		}
		return err
	})
}

// Fail ends a waiting activity instance with a BPMN error: a service
// task's worker reports a business error, or a called sub-instance ended
// with one (CallerNotification.Failed). values are written first (keyed by
// outputBindings key for service tasks and calls, else by variable id).
// The error goes to the first catcher outward: an error boundary event of
// the activity (one with the same code, else one without a code), an error
// event sub-process of its scope, then those of the enclosing subprocesses
// and their scopes. A caught error cancels what the catcher interrupts and
// runs on from there. Uncaught, it ends the instance with EndError when a
// call activity started it (the caller is notified), and else cancels the
// activity and ends its path (as Camunda does by default). Errors:
// ErrUnknownActivityInstance, ErrNotWaiting, *ValueError, *ScriptError,
// ErrRunaway, ErrWorkflowMismatch. On error inst is unchanged.
func (e *Engine) Fail(wf *workflow.Workflow, inst *Instance, activityInstanceID, errorCode string, values map[string]json.RawMessage) (*Effects, error) {
	return e.FailCompiled(uncheckedCompile(wf), inst, activityInstanceID, errorCode, values)
}

// FailCompiled is Fail on a compiled workflow (see Compile).
func (e *Engine) FailCompiled(c *Compiled, inst *Instance, activityInstanceID, errorCode string, values map[string]json.RawMessage) (*Effects, error) {
	return e.operate(c, inst, func(r *run) error {
		ai, n, err := r.waiting(activityInstanceID)
		if err != nil {
			return err
		}
		if err := r.writeResults(ai, n, values); err != nil {
			return err
		}
		return r.fail(ai, errorCode)
	})
}

// Escalate throws an escalation from a waiting activity instance (a called
// sub-instance escalated: Effects.Escalations). It goes outward like Fail's
// error, to escalation boundary events and event sub-processes; an
// interrupting catcher cancels the activity, a non-interrupting one runs
// beside it. Uncaught, nothing happens, except that an instance started by
// a call activity passes it on to its caller (Effects.Escalations).
// Errors: ErrUnknownActivityInstance, ErrNotWaiting, *ScriptError,
// ErrRunaway, ErrWorkflowMismatch. On error inst is unchanged.
func (e *Engine) Escalate(wf *workflow.Workflow, inst *Instance, activityInstanceID, code string) (*Effects, error) {
	return e.EscalateCompiled(uncheckedCompile(wf), inst, activityInstanceID, code)
}

// EscalateCompiled is Escalate on a compiled workflow (see Compile).
func (e *Engine) EscalateCompiled(c *Compiled, inst *Instance, activityInstanceID, code string) (*Effects, error) {
	return e.operate(c, inst, func(r *run) error {
		ai, _, err := r.waiting(activityInstanceID)
		if err != nil {
			return err
		}
		return r.escalate(ai, code, true)
	})
}

// FireTimer fires a due timer: a timer event goes on, a boundary timer
// takes its toTransitionIds (canceling its activity instance unless the
// timer is non-interrupting), a timer start event starts its event
// sub-process. A repeating timer that has occurrences left is scheduled
// again (Effects.Timers). Errors: ErrUnknownTimer (also when the
// instance has ended), ErrTimerNotDue, ErrWorkflowMismatch, *ValueError,
// *ScriptError, ErrRunaway. On error inst is unchanged.
func (e *Engine) FireTimer(wf *workflow.Workflow, inst *Instance, timerID string) (*Effects, error) {
	return e.FireTimerCompiled(uncheckedCompile(wf), inst, timerID)
}

// FireTimerCompiled is FireTimer on a compiled workflow (see Compile).
func (e *Engine) FireTimerCompiled(c *Compiled, inst *Instance, timerID string) (*Effects, error) {
	return e.operate(c, inst, func(r *run) error { return r.fireTimer(timerID) })
}

// Cancel ends the instance with endState "canceled": every open activity
// instance is canceled (listed in CanceledActivityInstances when it was
// waiting) and every timer dropped. No caller is notified. Errors:
// ErrEnded. On error inst is unchanged.
func (e *Engine) Cancel(wf *workflow.Workflow, inst *Instance) (*Effects, error) {
	return e.CancelCompiled(uncheckedCompile(wf), inst)
}

// CancelCompiled is Cancel on a compiled workflow (see Compile).
func (e *Engine) CancelCompiled(c *Compiled, inst *Instance) (*Effects, error) {
	return e.operate(c, inst, func(r *run) error {
		if r.inst.Ended() {
			return ErrEnded
		}
		for _, ai := range slices.Clone(r.inst.ActivityInstances) {
			if ai.Open() {
				r.cancel(ai)
			}
		}
		r.endInstance(EndCanceled, "")
		return nil
	})
}

// operate runs f on a copy of inst and copies the result back only when
// f and the run after it succeed.
func (e *Engine) operate(c *Compiled, inst *Instance, f func(*run) error) (*Effects, error) {
	r := e.newRun(c.g, nil)
	r.spare = inst.cloneInto(r.inst, newInstanceBlock, true)
	if err := f(r); err != nil {
		return nil, err
	}
	if err := r.drain(); err != nil {
		return nil, err
	}
	*inst = *r.inst
	return r.effects(), nil
}

// newRun makes a run on inst; with nil, on an empty instance of the run's
// own (for operate's copy). The run, its Effects and that instance are
// allocated together.
func (e *Engine) newRun(g *graph, inst *Instance) *run {
	now := time.Now
	if e.Now != nil {
		now = e.Now
	}
	loc := e.Location
	if loc == nil {
		loc = time.UTC
	}
	newID := ids.New
	if e.NewID != nil {
		newID = e.NewID
	}
	var r *run
	if inst == nil {
		b := &struct {
			r    run
			fx   Effects
			inst Instance
		}{}
		r = &b.r
		r.fx, r.inst = &b.fx, &b.inst
	} else {
		b := &struct {
			r  run
			fx Effects
		}{}
		r = &b.r
		r.fx, r.inst = &b.fx, inst
	}
	r.g, r.now, r.loc, r.newID = g, now().UTC().Truncate(time.Millisecond), loc, newID
	return r
}
