package casework

import (
	"encoding/json"
	"time"

	"github.com/effektif-serverless/caseflow/shared/engine"
)

// InstanceRecord is a stored workflow instance: the engine's state and the
// tasks created for its user task activity instances.
type InstanceRecord struct {
	Instance *engine.Instance
	// Tasks maps an activity instance id to the id of its task.
	Tasks map[string]string
	// Actions maps an activity instance id to the id of its service
	// action instance.
	Actions map[string]string
}

// TriggerRequest starts a workflow instance (the REST TriggerInstance):
// WorkflowID names a version; SourceWorkflowID an editor workflow, whose
// published version runs.
type TriggerRequest struct {
	WorkflowID         string
	SourceWorkflowID   string
	WorkflowInstanceID string
	BusinessKey        string
	Data               map[string]json.RawMessage
	StartActivityIDs   []string
}

// ActionInstance is the work of a service task for an external worker:
// the worker locks it, does it and ends it with output values (see
// LockActions and EndAction). What the service task asked for is fixed at
// creation; the lock, the retries and the incident change, each change on
// condition of Version.
type ActionInstance struct {
	ID                 string
	OrganizationID     string
	ServiceKey         string
	ActionKey          string
	EditorWorkflowID   string
	WorkflowID         string
	CaseID             string
	WorkflowInstanceID string
	ActivityID         string
	ActivityInstanceID string
	Configuration      map[string]json.RawMessage
	InputValues        map[string]json.RawMessage
	Created            time.Time
	// WorkerID holds the lock until Lock; nobody holds it when WorkerID is
	// empty or Lock has passed.
	WorkerID string
	Lock     time.Time
	// Available is when it may be locked again after a failure end (zero:
	// from its creation).
	Available time.Time
	// Retries are the failure ends left before it becomes an incident.
	Retries int
	// ErrorMessage is the last failure end's message.
	ErrorMessage string
	// Incident is set when a failure end left no retries: nobody locks it
	// again.
	Incident bool
	Version  int
}

// FieldValue is one submitted form field value, by field id (or key).
type FieldValue struct {
	ID    string
	Value json.RawMessage
}
