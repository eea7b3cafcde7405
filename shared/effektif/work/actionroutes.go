package work

import (
	"encoding/json"
	"net/http"
	"time"

	"github.com/effektif-serverless/caseflow/shared/casework"
	"github.com/effektif-serverless/caseflow/shared/effektif"
	"github.com/effektif-serverless/caseflow/shared/failure"
	"github.com/effektif-serverless/caseflow/shared/httpapi"
	"github.com/effektif-serverless/caseflow/shared/identity"
)

// ActionInstance is the Effektif ActionInstance: the work of a service
// task for an external worker. Beyond the document it carries activityId
// and workflowId (which activity of which version it is), workerId (who
// holds the lock until lock), retries and errorMessage (the failure ends
// left and the last one's message) and variables (the workflow
// instance's variable values by variable id), so a worker needs no other
// call to do the work.
type ActionInstance struct {
	ID                 string                     `json:"id"`
	OrganizationID     string                     `json:"organizationId"`
	ServiceKey         string                     `json:"serviceKey"`
	ActionKey          string                     `json:"actionKey"`
	EditorWorkflowID   string                     `json:"editorWorkflowId,omitempty"`
	WorkflowID         string                     `json:"workflowId,omitempty"`
	CaseID             string                     `json:"caseId,omitempty"`
	WorkflowInstanceID string                     `json:"workflowInstanceId"`
	ActivityID         string                     `json:"activityId,omitempty"`
	ActivityInstanceID string                     `json:"activityInstanceId"`
	Configuration      map[string]json.RawMessage `json:"configuration"`
	InputValues        map[string]json.RawMessage `json:"inputValues"`
	Lock               *time.Time                 `json:"lock,omitempty"`
	WorkerID           string                     `json:"workerId,omitempty"`
	Retries            int                        `json:"retries"`
	ErrorMessage       string                     `json:"errorMessage,omitempty"`
	Variables          map[string]json.RawMessage `json:"variables"`
}

func orEmptyMap(m map[string]json.RawMessage) map[string]json.RawMessage {
	if m == nil {
		return map[string]json.RawMessage{}
	}
	return m
}

func actionInstanceOf(a casework.LockedAction) ActionInstance {
	return ActionInstance{
		ID: a.ID, OrganizationID: a.OrganizationID, ServiceKey: a.ServiceKey, ActionKey: a.ActionKey,
		EditorWorkflowID: a.EditorWorkflowID, WorkflowID: a.WorkflowID, CaseID: a.CaseID, WorkflowInstanceID: a.WorkflowInstanceID,
		ActivityID: a.ActivityID, ActivityInstanceID: a.ActivityInstanceID, Configuration: orEmptyMap(a.Configuration),
		InputValues: orEmptyMap(a.InputValues), Lock: timePtr(a.Lock), WorkerID: a.WorkerID, Retries: a.Retries,
		ErrorMessage: a.ErrorMessage, Variables: orEmptyMap(a.Variables),
	}
}

// LockRequest is the body of actionInstances/lock. The document's body is
// an ActionInstance; of its fields only lock (the date the lock should
// last until) is used. Beyond it, as Camunda's fetch-and-lock:
//
//   - workerId names the worker (default: the caller's user id); only
//     that worker may end what it locked;
//   - lockDurationSeconds (1..86400, default 300) is how long the lock
//     lasts; it wins over lock;
//   - maxInstances (1..100) asks for up to that many instances, and for an
//     array as the answer.
//
// The answer: without maxInstances, the document's one ActionInstance, or
// 204 No Content when none is open; with maxInstances, always a JSON
// array of ActionInstance (empty when none is open), even for 1.
type LockRequest struct {
	WorkerID            string     `json:"workerId"`
	MaxInstances        *int       `json:"maxInstances"`
	LockDurationSeconds int        `json:"lockDurationSeconds"`
	Lock                *time.Time `json:"lock"`
}

// ActionInstanceEnd is the body of actionInstances/{id}/end: the
// document's outputValues (by the service task's outputBindings keys) and,
// beyond it, workerId (default: the caller's user id) and, for a failure
// end, errorMessage (non-empty: the work failed, outputValues are
// ignored), retries (the retries left after this failure; default one
// less than it had, initially casework.DefaultActionRetries) and
// retryTimeoutSeconds (0..86400: how long until it may be locked again).
// The answer is the document's EmptyObject.
type ActionInstanceEnd struct {
	OutputValues        map[string]json.RawMessage `json:"outputValues"`
	WorkerID            string                     `json:"workerId"`
	ErrorMessage        string                     `json:"errorMessage"`
	Retries             *int                       `json:"retries"`
	RetryTimeoutSeconds int                        `json:"retryTimeoutSeconds"`
}

// ActionRoutes registers the Service group's routes for external workers:
// locking a service's open action instances and ending one (see
// casework.Service.LockActions and EndAction for the rules). Permission:
// admins of the organization (an admin's API token bound to it is the
// worker's credential); a member gets 403, a caller without a token 401,
// a caller of another organization 404. Ending an instance the worker
// does not hold (another worker's, an expired lock, ended before, an
// incident) answers 409.
func ActionRoutes(rt *httpapi.Router, svc *casework.Service) {
	base := effektif.BasePath + "/{organizationKey}/services/{serviceKey}/actionInstances"
	rt.Handle("POST "+base+"/lock", tenant(svc.Identity, func(w http.ResponseWriter, r *http.Request, a identity.Access) error {
		var body LockRequest
		if err := httpapi.DecodeOptionalJSON(r, httpapi.MaxJSONBody, &body); err != nil {
			return err
		}
		req := casework.LockRequest{WorkerID: body.WorkerID, Duration: time.Duration(body.LockDurationSeconds) * time.Second}
		if body.LockDurationSeconds < 0 {
			return failure.Field("lockDurationSeconds", "lockDurationSeconds is between 1 and %d", int(casework.MaxLockDuration.Seconds()))
		}
		if body.Lock != nil {
			req.Until = *body.Lock
		}
		if body.MaxInstances != nil {
			if *body.MaxInstances < 1 {
				return failure.Field("maxInstances", "maxInstances is between 1 and %d", casework.MaxLockInstances)
			}
			req.Max = *body.MaxInstances
		}
		locked, err := svc.LockActions(r.Context(), a, r.PathValue("serviceKey"), req)
		if err != nil {
			return err
		}
		out := make([]ActionInstance, len(locked))
		for i, l := range locked {
			out[i] = actionInstanceOf(l)
		}
		if body.MaxInstances != nil {
			return httpapi.WriteJSON(w, http.StatusOK, out)
		}
		if len(out) == 0 {
			return httpapi.NoContent(w)
		}
		return httpapi.WriteJSON(w, http.StatusOK, out[0])
	}))
	rt.Handle("POST "+base+"/{actionInstanceId}/end", tenant(svc.Identity, func(w http.ResponseWriter, r *http.Request, a identity.Access) error {
		var body ActionInstanceEnd
		if err := httpapi.DecodeOptionalJSON(r, httpapi.MaxJSONBody, &body); err != nil {
			return err
		}
		end := casework.ActionEnd{WorkerID: body.WorkerID, OutputValues: body.OutputValues, ErrorMessage: body.ErrorMessage,
			Retries: body.Retries, RetryTimeout: time.Duration(body.RetryTimeoutSeconds) * time.Second}
		if err := svc.EndAction(r.Context(), a, r.PathValue("serviceKey"), r.PathValue("actionInstanceId"), end); err != nil {
			return err
		}
		return httpapi.WriteJSON(w, http.StatusOK, struct{}{})
	}))
}
