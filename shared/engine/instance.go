package engine

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/effektif-serverless/caseflow/shared/workflow"
)

// Instance is the full state of a workflow instance. It is stored as JSON;
// that JSON is the Effektif WorkflowInstance (id, workflowId, businessKey,
// creatorId, callerWorkflowInstanceId, callerActivityInstanceId, caseId,
// start, end, endState, duration, activityInstances, variableInstances,
// timerInstances) plus bookkeeping fields (organizationId, version,
// lastActivityInstanceId, lastVariableInstanceId, and workState, incoming
// and elements on activity instances). Public returns a copy without the
// bookkeeping, for REST answers.
//
// Open activity instances are the ones without an end. Activity and
// variable instance ids are per-instance counters ("1", "2", ...), as in
// Effektif; timer ids come from Engine.NewID so they are unique across
// instances.
type Instance struct {
	ID                       string `json:"id"`
	WorkflowID               string `json:"workflowId,omitempty"`
	BusinessKey              string `json:"businessKey,omitempty"`
	CreatorID                string `json:"creatorId,omitempty"`
	CallerWorkflowInstanceID string `json:"callerWorkflowInstanceId,omitempty"`
	CallerActivityInstanceID string `json:"callerActivityInstanceId,omitempty"`
	CaseID                   string `json:"caseId,omitempty"`
	OrganizationID           string `json:"organizationId,omitempty"`
	Start                    Time   `json:"start,omitzero"`
	End                      Time   `json:"end,omitzero"`
	// EndState is empty when the instance ended normally (or is running),
	// EndCanceled after Cancel and EndError when an error no event caught
	// ended an instance started by a call activity.
	EndState string `json:"endState,omitempty"`
	// Duration is End - Start in milliseconds, set when the instance ends.
	Duration *int64 `json:"duration,omitempty"`
	Scope
	TimerInstances []*TimerInstance `json:"timerInstances,omitempty"`

	// Version is the application's optimistic-locking counter; the engine
	// never changes it.
	Version                int `json:"version,omitempty"`
	LastActivityInstanceID int `json:"lastActivityInstanceId,omitempty"`
	LastVariableInstanceID int `json:"lastVariableInstanceId,omitempty"`
	// Compensable are the completed activity instances that can still be
	// compensated, in the order they completed.
	Compensable []string `json:"compensable,omitempty"`
}

// End states. EndCanceled is the EndState of canceled instances and
// activity instances; EndError of an instance that a call activity started
// and an uncaught error ended.
const (
	EndCanceled = "canceled"
	EndError    = "error"
)

// Scope holds what the workflow instance and an activity instance have in
// common: nested activity instances (an embedded subprocess's inner
// activities, a multi-instance activity's elements) and local variables.
type Scope struct {
	ActivityInstances []*ActivityInstance `json:"activityInstances,omitempty"`
	VariableInstances []*VariableInstance `json:"variableInstances,omitempty"`
	// Held is bookkeeping: the non-interrupting conditional events
	// (boundary events of this activity instance, start events of event
	// sub-processes of this scope) whose condition held when last
	// evaluated; they fire again only after it was false.
	Held []string `json:"held,omitempty"`
}

// ActivityInstance is one execution of an activity.
type ActivityInstance struct {
	ID         string `json:"id"`
	ActivityID string `json:"activityId"`
	Start      Time   `json:"start,omitzero"`
	End        Time   `json:"end,omitzero"`
	// EndState is EndCanceled when the activity instance was interrupted
	// (boundary timer, terminate end event, Cancel).
	EndState string `json:"endState,omitempty"`
	Duration *int64 `json:"duration,omitempty"`
	// CalledWorkflowInstanceID is the sub-instance of a call activity, set
	// by SetCalledWorkflowInstance.
	CalledWorkflowInstanceID string `json:"calledWorkflowInstanceId,omitempty"`
	Scope

	// WorkState is bookkeeping: "waiting" (waits for Message, Trigger,
	// its timer or its condition), "scope" (embedded subprocess running),
	// "multi" (multi-instance or loop container), "joining" (ended at a
	// join gateway, waiting for the other branches), "compensating" (a
	// compensation throw running the handlers); empty otherwise.
	WorkState string `json:"workState,omitempty"`
	// Incoming is the key of the transition this instance arrived by
	// (the transition id, or a generated key for transitions without id);
	// joins match arrivals to incoming transitions with it.
	Incoming string `json:"incoming,omitempty"`
	// Elements are the values a sequential multi-instance container has
	// still to run.
	Elements []json.RawMessage `json:"elements,omitempty"`
	// Race is the event-based gateway instance whose following catch
	// events wait together with this one; the first to fire cancels the
	// others.
	Race string `json:"race,omitempty"`
	// EventStart is the start event that started this event sub-process
	// instance.
	EventStart string `json:"eventStart,omitempty"`
	// Compensates is the completed subprocess instance a compensation
	// event sub-process instance compensates.
	Compensates string `json:"compensates,omitempty"`
	// Pending are the activity instances a compensating throw event has
	// still to compensate, in order.
	Pending []string `json:"pending,omitempty"`

	parent *ActivityInstance
}

// Work states.
const (
	wsWaiting      = "waiting"
	wsScope        = "scope"
	wsMulti        = "multi"
	wsJoining      = "joining"
	wsCompensating = "compensating"
)

// Open reports whether the activity instance has not ended.
func (ai *ActivityInstance) Open() bool { return ai.End.IsZero() }

// Waiting reports whether the activity instance waits for a Message (user
// task, service task, receive task, call activity), a Trigger (receive
// task, signal catch event), its timer (timer event) or its condition
// (conditional catch event).
func (ai *ActivityInstance) Waiting() bool { return ai.Open() && ai.WorkState == wsWaiting }

// VariableInstance is the value of one variable in one scope.
type VariableInstance struct {
	ID         string             `json:"id"`
	VariableID string             `json:"variableId"`
	Type       *workflow.DataType `json:"type,omitempty"`
	Value      json.RawMessage    `json:"value,omitempty"`
}

// TimerInstance is a scheduled timer: an intermediate timer event's wait
// (TimerID empty), a boundary timer of a waiting activity (TimerID is the
// workflow's Timer or BoundaryEvent id) or the timer start event of an
// event sub-process (TimerID is the start event's id; ActivityInstanceID
// is the scope's instance, empty for the workflow). The application
// indexes it by DueDate and calls FireTimer with its ID when it is due.
type TimerInstance struct {
	ID                 string `json:"id"`
	ActivityInstanceID string `json:"activityInstanceId"`
	TimerID            string `json:"timerId,omitempty"`
	DueDate            Time   `json:"dueDate"`
	// Remaining is how many more times a repeating timer fires after this
	// time (-1: without end); firing it schedules the next one.
	Remaining int `json:"remaining,omitempty"`
}

// Time is a moment that JSON writes as ISO 8601 in UTC with milliseconds
// ("2015-06-01T12:00:00.000Z"); the zero Time is null.
type Time struct{ time.Time }

// MarshalJSON writes the time as ISO 8601 UTC with milliseconds.
func (t Time) MarshalJSON() ([]byte, error) {
	if t.IsZero() {
		return []byte("null"), nil
	}
	b := make([]byte, 0, 26)
	b = append(b, '"')
	b = t.UTC().AppendFormat(b, "2006-01-02T15:04:05.000Z")
	return append(b, '"'), nil
}

// UnmarshalJSON reads any ISO 8601 date or date-time, or null.
func (t *Time) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		t.Time = time.Time{}
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	v, _, ok := parseDate(s)
	if !ok {
		return fmt.Errorf("engine: bad time %q", s)
	}
	t.Time = v
	return nil
}

// Ended reports whether the instance has ended (normally or canceled).
func (inst *Instance) Ended() bool { return !inst.End.IsZero() }

// ActivityInstance finds an activity instance by id anywhere in the tree,
// or returns nil.
func (inst *Instance) ActivityInstance(id string) *ActivityInstance {
	var found *ActivityInstance
	inst.walk(func(ai *ActivityInstance) bool {
		if ai.ID == id {
			found = ai
			return false
		}
		return true
	})
	return found
}

// WaitingActivityInstances lists the open activity instances that wait for
// a Message or a timer, in tree order.
func (inst *Instance) WaitingActivityInstances() []*ActivityInstance {
	var out []*ActivityInstance
	inst.walk(func(ai *ActivityInstance) bool {
		if ai.Waiting() {
			out = append(out, ai)
		}
		return true
	})
	return out
}

// Variable returns the value of a workflow-level variable (nil when it has
// none) and its type.
func (inst *Instance) Variable(id string) (json.RawMessage, *workflow.DataType) {
	for _, vi := range inst.VariableInstances {
		if vi.VariableID == id {
			return vi.Value, vi.Type
		}
	}
	return nil, nil
}

// SetCalledWorkflowInstance records the sub-instance the application
// started for a call activity instance (a SubWorkflowRequest). It returns
// ErrUnknownActivityInstance or ErrNotWaiting.
func (inst *Instance) SetCalledWorkflowInstance(activityInstanceID, calledWorkflowInstanceID string) error {
	ai := inst.ActivityInstance(activityInstanceID)
	if ai == nil {
		return ErrUnknownActivityInstance
	}
	if !ai.Waiting() {
		return ErrNotWaiting
	}
	ai.CalledWorkflowInstanceID = calledWorkflowInstanceID
	return nil
}

// walk visits activity instances depth-first in order until f returns false.
func (inst *Instance) walk(f func(*ActivityInstance) bool) {
	var visit func([]*ActivityInstance) bool
	visit = func(list []*ActivityInstance) bool {
		for _, ai := range list {
			if !f(ai) || !visit(ai.ActivityInstances) {
				return false
			}
		}
		return true
	}
	visit(inst.ActivityInstances)
}

// Clone returns a deep copy of the instance (values, which are never
// modified in place, are shared).
func (inst *Instance) Clone() *Instance {
	c := new(Instance)
	inst.cloneInto(c, 0, false)
	return c
}

// cloneInto is Clone into c, with room for spare more activity instances:
// the copy's top-level activity instance list has capacity for spare more
// (a nil list stays nil), and spare zeroed activity instances are returned
// for the caller to fill (an operation's new ones). The copy's activity
// and variable instances, its lists and its strings are allocated in a few
// blocks (one per kind), and its parent links are set. Every list of the
// copy has no capacity beyond its length (but the top level's spare), so
// appending to one never writes into another.
//
// With shareSettled, the settled top-level activity instances are not
// copied: the copy's list holds the original's, which is only right for
// a copy that an operation works on (operations never change a settled
// instance; Public does).
func (inst *Instance) cloneInto(c *Instance, spare int, shareSettled bool) []ActivityInstance {
	n := cloneSizes{shareSettled: shareSettled}
	n.add(&inst.Scope, true)
	n.strs += len(inst.Compensable)
	b := cloneBlocks{
		shareSettled: shareSettled,
		ais:          make([]ActivityInstance, n.ais+spare),
		aiPtrs:       make([]*ActivityInstance, n.aiPtrs+spare),
		vis:          make([]VariableInstance, n.vis),
		viPtrs:       make([]*VariableInstance, n.vis),
		strs:         make([]string, n.strs),
		elems:        make([]json.RawMessage, n.elems),
	}
	*c = *inst
	b.scope(&c.Scope, &inst.Scope, nil, spare)
	c.Compensable = carve(&b.strs, inst.Compensable, 0)
	if inst.TimerInstances != nil {
		tis := make([]TimerInstance, len(inst.TimerInstances))
		c.TimerInstances = make([]*TimerInstance, len(inst.TimerInstances))
		for i, ti := range inst.TimerInstances {
			tis[i] = *ti
			c.TimerInstances[i] = &tis[i]
		}
	}
	return b.ais
}

// settled reports whether no operation changes the activity instance any
// more: it ended, without work state (joining instances are consumed
// later), and it holds nothing (nested instances, variables, held
// conditions, elements, pending compensations).
func (ai *ActivityInstance) settled() bool {
	return !ai.Open() && ai.WorkState == "" && len(ai.ActivityInstances) == 0 && len(ai.VariableInstances) == 0 &&
		len(ai.Held) == 0 && len(ai.Elements) == 0 && len(ai.Pending) == 0
}

// cloneSizes counts what a clone copies.
type cloneSizes struct {
	shareSettled                  bool
	ais, aiPtrs, vis, strs, elems int
}

func (n *cloneSizes) add(s *Scope, top bool) {
	n.aiPtrs += len(s.ActivityInstances)
	n.vis += len(s.VariableInstances)
	n.strs += len(s.Held)
	for _, ai := range s.ActivityInstances {
		if top && n.shareSettled && ai.settled() {
			continue
		}
		n.ais++
		n.strs += len(ai.Pending)
		n.elems += len(ai.Elements)
		n.add(&ai.Scope, false)
	}
}

// cloneBlocks are the unused rest of a clone's blocks.
type cloneBlocks struct {
	shareSettled bool
	ais          []ActivityInstance
	aiPtrs       []*ActivityInstance
	vis          []VariableInstance
	viPtrs       []*VariableInstance
	strs         []string
	elems        []json.RawMessage
}

// carve copies src to the front of block with capacity for extra more and
// takes that part off the block; nil stays nil (and empty stays empty).
func carve[T any](block *[]T, src []T, extra int) []T {
	if src == nil {
		return nil
	}
	out := (*block)[: len(src) : len(src)+extra]
	copy(out, src)
	*block = (*block)[len(src)+extra:]
	return out
}

// scope copies src into dst, with parent as the parent of the copied
// activity instances and room for extra more in their list.
func (b *cloneBlocks) scope(dst, src *Scope, parent *ActivityInstance, extra int) {
	dst.Held = carve(&b.strs, src.Held, 0)
	dst.VariableInstances = carve(&b.viPtrs, src.VariableInstances, 0)
	for i, vi := range dst.VariableInstances {
		b.vis[i] = *vi
		dst.VariableInstances[i] = &b.vis[i]
	}
	b.vis = b.vis[len(dst.VariableInstances):]
	list := carve(&b.aiPtrs, src.ActivityInstances, extra)
	dst.ActivityInstances = list
	for i, ai := range list {
		if parent == nil && b.shareSettled && ai.settled() {
			continue // list[i] is ai
		}
		c := &b.ais[0]
		b.ais = b.ais[1:]
		*c = *ai
		c.parent = parent
		c.Elements = carve(&b.elems, ai.Elements, 0)
		c.Pending = carve(&b.strs, ai.Pending, 0)
		b.scope(&c.Scope, &ai.Scope, c, 0)
		list[i] = c
	}
}

// Public returns a copy of the instance without the engine's bookkeeping
// (version, counters, work states, join keys, races, compensation and
// condition state), to answer as the REST WorkflowInstance.
func (inst *Instance) Public() *Instance {
	c := inst.Clone()
	c.Version, c.LastActivityInstanceID, c.LastVariableInstanceID = 0, 0, 0
	c.OrganizationID = ""
	c.Compensable, c.Held = nil, nil
	c.walk(func(ai *ActivityInstance) bool {
		ai.WorkState, ai.Incoming, ai.Elements = "", "", nil
		ai.Race, ai.EventStart, ai.Compensates, ai.Pending, ai.Held = "", "", "", nil, nil
		return true
	})
	return c
}
