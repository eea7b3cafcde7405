package engine

import (
	"encoding/json"
	"slices"
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
	r := e.newRun(wf, inst)
	if issues := validate(r.g); hasErrors(issues) {
		return nil, nil, &InvalidWorkflowError{Issues: issues}
	}
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
	if err := r.applyTrigger(t.Data); err != nil {
		return nil, nil, err
	}
	for _, n := range starts {
		r.create(nil, n, "")
	}
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
	return e.operate(wf, inst, func(r *run) error {
		ai := r.inst.ActivityInstance(activityInstanceID)
		if ai == nil {
			return ErrUnknownActivityInstance
		}
		n := r.g.nodes[ai.ActivityID]
		if n == nil {
			return ErrWorkflowMismatch
		}
		if !ai.Waiting() || n.act.Type == workflow.TimerEvent {
			return ErrNotWaiting
		}
		if err := r.receive(ai, n, values); err != nil {
			return err
		}
		r.onwards(ai)
		return nil
	})
}

// FireTimer fires a due timer: a timer event goes on, a boundary timer
// takes its toTransitionIds (canceling its activity instance unless the
// timer is non-interrupting). Errors: ErrUnknownTimer (also when the
// instance has ended), ErrTimerNotDue, ErrWorkflowMismatch, *ValueError,
// *ScriptError, ErrRunaway. On error inst is unchanged.
func (e *Engine) FireTimer(wf *workflow.Workflow, inst *Instance, timerID string) (*Effects, error) {
	return e.operate(wf, inst, func(r *run) error { return r.fireTimer(timerID) })
}

// Cancel ends the instance with endState "canceled": every open activity
// instance is canceled (listed in CanceledActivityInstances when it was
// waiting) and every timer dropped. No caller is notified. Errors:
// ErrEnded. On error inst is unchanged.
func (e *Engine) Cancel(wf *workflow.Workflow, inst *Instance) (*Effects, error) {
	return e.operate(wf, inst, func(r *run) error {
		if r.inst.Ended() {
			return ErrEnded
		}
		for _, ai := range slices.Clone(r.inst.ActivityInstances) {
			if ai.Open() {
				r.cancel(ai)
			}
		}
		r.endInstance(EndCanceled)
		return nil
	})
}

// operate runs f on a copy of inst and copies the result back only when
// f and the run after it succeed.
func (e *Engine) operate(wf *workflow.Workflow, inst *Instance, f func(*run) error) (*Effects, error) {
	c := inst.Clone()
	r := e.newRun(wf, c)
	if err := f(r); err != nil {
		return nil, err
	}
	if err := r.drain(); err != nil {
		return nil, err
	}
	*inst = *c
	return r.effects(), nil
}

func (e *Engine) newRun(wf *workflow.Workflow, inst *Instance) *run {
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
	return &run{
		g:     compile(wf),
		inst:  inst,
		fx:    &Effects{},
		now:   now().UTC().Truncate(time.Millisecond),
		loc:   loc,
		newID: newID,
	}
}
