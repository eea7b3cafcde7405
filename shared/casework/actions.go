package casework

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/effektif-serverless/caseflow/shared/failure"
	"github.com/effektif-serverless/caseflow/shared/identity"
	"github.com/effektif-serverless/caseflow/shared/ids"
)

// External workers and their action instances (the Effektif Service
// group's actionInstances/lock and /end, done the way Camunda's
// fetch-and-lock works).
//
// A service task's activity instance waits on an ActionInstance of its
// service. A worker locks open action instances of one service (LockActions)
// for a lock duration; while the lock holds nobody else gets them, and
// once it expired (or the worker released it by a failure end) the next
// worker that asks takes the instance over. The worker that holds an
// unexpired lock ends it (EndAction): with output values, which continues
// the workflow exactly once, as completing a task does; or with an error
// message, which releases it for a retry while retries are left and makes
// it an incident otherwise.
//
// Permission: admins of the organization only, whatever their token. A
// worker reads the input values, configuration and variables of every
// case of its service and writes variables of every case: that is an
// admin's power, not a member's. The intended worker credential is an API
// token bound to the organization, made by an admin (Windmill's
// POST /api/users/tokens/create with workspace_id), or a login of a system
// user who is an admin.

// Limits and defaults of locking.
const (
	// DefaultLockDuration is the lock of a request that names none.
	DefaultLockDuration = 5 * time.Minute
	// MaxLockDuration bounds a requested lock.
	MaxLockDuration = 24 * time.Hour
	// MaxLockInstances bounds the action instances one request locks.
	MaxLockInstances = 100
	// DefaultActionRetries are the failure ends an action instance takes
	// before it becomes an incident, unless a failure end says otherwise.
	DefaultActionRetries = 3
	// MaxRetryTimeout bounds how long a released action instance waits
	// before it may be locked again.
	MaxRetryTimeout = 24 * time.Hour
	// maxServiceKey bounds a service key (and a worker id) in a request.
	maxServiceKey = 200
	// maxErrorMessage bounds a failure end's message.
	maxErrorMessage = 2000
)

// EventIncident is the case event of an action instance that failed with
// no retries left: its data names the action instance, its activity, the
// worker and the error message.
const EventIncident = "incident"

// EventActionEnded is the case event of an action instance a worker ended
// successfully.
const EventActionEnded = "actionEnded"

// LockRequest asks to lock action instances of a service for a worker.
// Zero values take the defaults: WorkerID the caller's user id, Max 1,
// Duration until Until when that is set, else DefaultLockDuration.
type LockRequest struct {
	WorkerID string
	Max      int
	Duration time.Duration
	Until    time.Time
}

// normalize applies the defaults and checks the bounds; callerID is the
// default worker. Errors: Invalid naming the field.
func (r LockRequest) normalize(callerID string, now time.Time) (LockRequest, error) {
	if r.Duration == 0 && !r.Until.IsZero() {
		if r.Duration = r.Until.Sub(now).Truncate(time.Second); r.Duration < time.Second {
			return r, failure.Field("lock", "the lock must last until a time at least a second ahead")
		}
	}
	if r.WorkerID == "" {
		r.WorkerID = callerID
	}
	if len(r.WorkerID) > maxServiceKey {
		return r, failure.Field("workerId", "a worker id has at most %d characters", maxServiceKey)
	}
	switch {
	case r.Max == 0:
		r.Max = 1
	case r.Max < 0 || r.Max > MaxLockInstances:
		return r, failure.Field("maxInstances", "maxInstances is between 1 and %d", MaxLockInstances)
	}
	switch {
	case r.Duration == 0:
		r.Duration = DefaultLockDuration
	case r.Duration < time.Second || r.Duration > MaxLockDuration:
		return r, failure.Field("lockDurationSeconds", "lockDurationSeconds is between 1 and %d", int(MaxLockDuration.Seconds()))
	}
	return r, nil
}

// ActionEnd is a worker's end of an action instance: OutputValues (keys of
// the service task's outputBindings) for a success; a non-empty
// ErrorMessage for a failure, with Retries (when not nil) the retries left
// after it (else one less than the instance had) and RetryTimeout how long
// it waits before it may be locked again. WorkerID defaults to the
// caller's user id.
type ActionEnd struct {
	WorkerID     string
	OutputValues map[string]json.RawMessage
	ErrorMessage string
	Retries      *int
	RetryTimeout time.Duration
}

// Failed reports whether the end reports a failure.
func (e ActionEnd) Failed() bool { return e.ErrorMessage != "" }

// LockedAction is a locked action instance with what the worker needs of
// its workflow instance: the workflow-level variables, by variable id.
type LockedAction struct {
	ActionInstance
	Variables map[string]json.RawMessage
}

// lockable reports whether a worker may lock the action instance at now:
// not an incident, and nobody holds an unexpired lock on it.
func (a ActionInstance) lockable(now time.Time) bool {
	return !a.Incident && (a.WorkerID == "" || !now.Before(a.Lock))
}

// heldBy reports whether the worker holds an unexpired lock at now.
func (a ActionInstance) heldBy(worker string, now time.Time) bool {
	return !a.Incident && a.WorkerID != "" && a.WorkerID == worker && now.Before(a.Lock)
}

// failed is the action instance after a failure end at now: released for
// a retry (WorkerID and Lock cleared, Available after the retry timeout,
// Retries left), or an incident when no retries are left.
func (a ActionInstance) failed(e ActionEnd, now time.Time) ActionInstance {
	left := a.Retries - 1
	if e.Retries != nil {
		left = *e.Retries
	}
	a.ErrorMessage = e.ErrorMessage
	a.Version++
	if left <= 0 {
		a.Retries, a.Incident = 0, true
		return a
	}
	a.Retries, a.WorkerID, a.Lock, a.Available = left, "", time.Time{}, now.Add(e.RetryTimeout)
	return a
}

// workerAccess checks the caller of the action routes: admins only.
func workerAccess(a identity.Access) error {
	if !a.IsAdmin() {
		return failure.New(failure.Forbidden, "only an admin (or an API token of one) may lock and end action instances")
	}
	return nil
}

func checkServiceKey(key string) error {
	if strings.TrimSpace(key) == "" || len(key) > maxServiceKey {
		return failure.New(failure.NotFound, "no such service")
	}
	return nil
}

// LockActions locks up to r.Max open action instances of the service for
// the worker until now + r.Duration, oldest available first, and answers
// them (none when nothing is open). Each lock is one conditional write on
// the instance's version and lock, so two workers never hold the same
// instance: a worker that loses the race for one takes the next. The
// candidates come from one bounded Query of the service's index (by the
// time each becomes available), never a Scan. Permission: admins (see
// above). Errors: Forbidden, Invalid (bounds of r), NotFound (an empty
// service key).
func (s *Service) LockActions(ctx context.Context, a identity.Access, serviceKey string, r LockRequest) ([]LockedAction, error) {
	if err := workerAccess(a); err != nil {
		return nil, err
	}
	if err := checkServiceKey(serviceKey); err != nil {
		return nil, err
	}
	orgID, now := a.Organization.ID, s.now()
	r, err := r.normalize(a.UserID, now)
	if err != nil {
		return nil, err
	}
	// Twice as many candidates as asked for (and some): the index is read
	// eventually consistent, and others lock from it at the same time.
	candidates, err := s.Store.LockableActions(ctx, orgID, serviceKey, now, min(2*r.Max+10, 3*MaxLockInstances))
	if err != nil {
		return nil, err
	}
	locked := []LockedAction{}
	records := map[string]InstanceRecord{}
	for _, c := range candidates {
		if len(locked) == r.Max {
			break
		}
		if c.ServiceKey != serviceKey || !c.lockable(now) {
			continue
		}
		c.WorkerID, c.Lock = r.WorkerID, now.Add(r.Duration)
		c.Version++
		if err := s.Store.LockAction(ctx, c, now); failure.Is(err, failure.Conflict) {
			continue // another worker was first, or it changed: take the next
		} else if err != nil {
			return nil, err
		}
		rec, ok := records[c.WorkflowInstanceID]
		if !ok {
			if rec, err = s.Store.GetInstance(ctx, orgID, c.WorkflowInstanceID); err != nil && !failure.Is(err, failure.NotFound) {
				return nil, err
			}
			records[c.WorkflowInstanceID] = rec
		}
		locked = append(locked, LockedAction{ActionInstance: c, Variables: variablesOf(rec)})
	}
	return locked, nil
}

// variablesOf are an instance's workflow-level variable values by id.
func variablesOf(rec InstanceRecord) map[string]json.RawMessage {
	out := map[string]json.RawMessage{}
	if rec.Instance == nil {
		return out
	}
	for _, vi := range rec.Instance.VariableInstances {
		if len(vi.Value) > 0 {
			out[vi.VariableID] = vi.Value
		}
	}
	return out
}

// actionEndKey is the once-mark of an ended action instance: it makes the
// end happen once and tells a second end (Conflict) from an unknown id.
func actionEndKey(orgID, id string) string { return "action-end#" + orgID + "#" + id }

// EndAction ends an action instance of the service that the worker holds
// an unexpired lock on.
//
// A success delivers the output values to the waiting service task (the
// engine's Message, as completing a task does) and, in the same
// transaction, writes the instance and all the engine asks for, deletes
// the action instance on condition of its version and lock, and records
// the end once: so the workflow continues exactly once, and a second end
// (or one that lost the race to a concurrent end) gets Conflict.
//
// A failure (e.ErrorMessage) with retries left releases the lock: the
// instance can be locked again (after e.RetryTimeout) with one retry less
// (or e.Retries). With no retries left it becomes an incident: it keeps
// its error message, leaves the service's lock index (nobody locks it
// again) and its case gets an EventIncident event; the workflow waits
// until the case is canceled or closed.
//
// Permission: admins (see above), and only the worker holding the lock.
// Errors: Forbidden, NotFound (no such action instance of the service),
// Conflict (ended before, an incident, not locked by this worker or its
// lock expired), Invalid (output values the workflow refuses).
func (s *Service) EndAction(ctx context.Context, a identity.Access, serviceKey, id string, e ActionEnd) error {
	if err := workerAccess(a); err != nil {
		return err
	}
	if err := checkServiceKey(serviceKey); err != nil {
		return err
	}
	if e.WorkerID == "" {
		e.WorkerID = a.UserID
	}
	if len(e.ErrorMessage) > maxErrorMessage {
		return failure.Field("errorMessage", "an error message has at most %d characters", maxErrorMessage)
	}
	if e.Retries != nil && *e.Retries < 0 {
		return failure.Field("retries", "retries is not negative")
	}
	if e.RetryTimeout < 0 || e.RetryTimeout > MaxRetryTimeout {
		return failure.Field("retryTimeoutSeconds", "retryTimeoutSeconds is between 0 and %d", int(MaxRetryTimeout.Seconds()))
	}
	orgID := a.Organization.ID
	return s.retry(func() error {
		act, err := s.actionByID(ctx, orgID, serviceKey, id)
		if err != nil {
			return err
		}
		now := s.now()
		switch {
		case act.Incident:
			return failure.New(failure.Conflict, "the action instance is an incident")
		case act.WorkerID != e.WorkerID:
			return failure.New(failure.Conflict, "the action instance is not locked by worker %q", e.WorkerID)
		case !act.heldBy(e.WorkerID, now):
			return failure.New(failure.Conflict, "the worker's lock on the action instance expired")
		}
		if e.Failed() {
			return s.failAction(ctx, a, act, e, now)
		}
		p := s.newProgress(ctx, orgID, a.UserID)
		tr, err := p.track(act.WorkflowInstanceID)
		if err != nil {
			return err
		}
		delete(tr.rec.Actions, act.ActivityInstanceID)
		p.ch.Once = append(p.ch.Once, OnceMark{Key: actionEndKey(orgID, act.ID), Result: act.WorkflowInstanceID})
		p.ch.EndedActions = append(p.ch.EndedActions, act)
		if act.CaseID != "" {
			p.ch.Events = append(p.ch.Events, s.event(act.CaseID, EventActionEnded, "ended the service action "+quote(act.ActionKey),
				a.UserID, "", map[string]string{"actionInstanceId": act.ID, "activityInstanceId": act.ActivityInstanceID, "workerId": e.WorkerID}))
		}
		if err := p.message(tr, act.ActivityInstanceID, e.OutputValues, 0); err != nil {
			return err
		}
		err = p.commit()
		if errors.Is(err, ErrDone) {
			return failure.New(failure.Conflict, "the action instance was ended before")
		}
		return err
	})
}

// actionByID reads an action instance of the organization's service.
// Errors: NotFound, Conflict when it was ended before.
func (s *Service) actionByID(ctx context.Context, orgID, serviceKey, id string) (ActionInstance, error) {
	if !ids.Valid(id) {
		return ActionInstance{}, failure.New(failure.NotFound, "no such action instance")
	}
	act, err := s.Store.GetAction(ctx, orgID, id)
	if failure.Is(err, failure.NotFound) {
		if _, e := s.Store.OnceResult(ctx, actionEndKey(orgID, id)); e == nil {
			return ActionInstance{}, failure.New(failure.Conflict, "the action instance was ended before")
		} else if !failure.Is(e, failure.NotFound) {
			return ActionInstance{}, e
		}
	}
	if err != nil {
		return ActionInstance{}, err
	}
	if act.ServiceKey != serviceKey {
		return ActionInstance{}, failure.New(failure.NotFound, "no such action instance")
	}
	return act, nil
}

// failAction writes a failure end: the released or incident action
// instance on condition of its version and lock, with the incident's case
// event, in one transaction.
func (s *Service) failAction(ctx context.Context, a identity.Access, act ActionInstance, e ActionEnd, now time.Time) error {
	next := act.failed(e, now)
	ch := Changes{OrganizationID: act.OrganizationID, ActionUpdates: []ActionUpdate{{Action: next, Previous: act}}}
	if next.Incident && act.CaseID != "" {
		ch.Events = append(ch.Events, s.event(act.CaseID, EventIncident, "the service action "+quote(act.ActionKey)+" failed with no retries left: "+e.ErrorMessage,
			a.UserID, "", map[string]string{"actionInstanceId": act.ID, "activityId": act.ActivityID, "activityInstanceId": act.ActivityInstanceID,
				"workerId": e.WorkerID, "errorMessage": e.ErrorMessage}))
	}
	return s.Store.Commit(ctx, ch)
}
