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

// taskInput is the body of POST /tasks (NewTask) and PUT /tasks/{id}
// (Task). Read-only fields are accepted and ignored; the properties object
// and unknown keys are the task's properties (see withProperties).
type taskInput struct {
	Name              *string    `json:"name"`
	Description       *string    `json:"description"`
	AssigneeID        *string    `json:"assigneeId"`
	CandidateIDs      *[]string  `json:"candidateIds"`
	CandidateGroupIDs *[]string  `json:"candidateGroupIds"`
	CaseID            *string    `json:"caseId"`
	ParentID          *string    `json:"parentId"`
	DueDate           *time.Time `json:"dueDate"`

	ID                      any `json:"id"`
	OrganizationID          any `json:"organizationId"`
	NameLower               any `json:"nameLower"`
	Access                  any `json:"access"`
	CreatorID               any `json:"creatorId"`
	CreateTime              any `json:"createTime"`
	SubtaskIDs              any `json:"subtaskIds"`
	LastUpdated             any `json:"lastUpdated"`
	Canceled                any `json:"canceled"`
	Completed               any `json:"completed"`
	ActivityID              any `json:"activityId"`
	ActivityInstanceID      any `json:"activityInstanceId"`
	ActivityInstanceMessage any `json:"activityInstanceMessage"`
	HasForm                 any `json:"hasForm"`
	WorkflowInstanceID      any `json:"workflowInstanceId"`
	SourceWorkflowID        any `json:"sourceWorkflowId"`
	WorkflowID              any `json:"workflowId"`
	RoleVariableID          any `json:"roleVariableId"`
	Form                    any `json:"form"`
	Creator                 any `json:"creator"`
	Assignee                any `json:"assignee"`
	Candidates              any `json:"candidates"`
	CandidateGroups         any `json:"candidateGroups"`
	Subtasks                any `json:"subtasks"`

	Properties map[string]json.RawMessage `json:"properties"`
}

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

// TaskRoutes registers the routes of the Effektif Task group.
func TaskRoutes(rt *httpapi.Router, svc *casework.Service) {
	h := taskHandlers{svc: svc}
	base := effektif.BasePath + "/{organizationKey}/tasks"
	// The list makes its tenant check itself, at once with its first read
	// (casework.Service.CallerTasks).
	rt.Handle("GET "+base, httpapi.Authenticated(h.list))
	rt.Handle("POST "+base, tenant(svc.Identity, h.create))
	rt.Handle("GET "+base+"/{taskId}", tenant(svc.Identity, h.get))
	rt.Handle("PUT "+base+"/{taskId}", tenant(svc.Identity, h.update))
	rt.Handle("DELETE "+base+"/{taskId}", tenant(svc.Identity, h.delete))
	rt.Handle("POST "+base+"/{taskId}/complete", httpapi.Authenticated(h.complete))
	rt.Handle("POST "+base+"/{taskId}/reopen", tenant(svc.Identity, h.reopen))
	rt.Handle("PUT "+base+"/{taskId}/form/fields/{fieldId}", tenant(svc.Identity, h.saveField))
	rt.Handle("GET "+base+"/{taskId}/mails/{mailId}", tenant(svc.Identity, h.mail))
}

type taskHandlers struct {
	svc *casework.Service
}

// writeDetail answers a TaskDetail.
func (h taskHandlers) writeDetail(w http.ResponseWriter, r *http.Request, a identity.Access, d casework.TaskDetail) error {
	p, err := peopleOf(r.Context(), h.svc, a, taskUsers(d.Task), d.Task.CandidateGroupIDs)
	if err != nil {
		return err
	}
	v := taskDetailOf(d.Task, d.Subtasks, p)
	budget := ListBudget
	if kept, err := fitting(v.Subtasks, &budget, false); err != nil {
		return err
	} else if len(kept) < len(v.Subtasks) {
		v.Subtasks = cutTo(v.Subtasks, len(kept))
		w.Header().Set(HeaderTruncated, "subtasks")
	}
	return httpapi.WriteJSON(w, http.StatusOK, v)
}

// listParam reads a query parameter that may repeat or hold a
// comma-separated list (API Gateway joins repeated keys with commas).
func (h taskHandlers) list(w http.ResponseWriter, r *http.Request, _ string) error {
	completed, err := httpapi.BoolParam(r, "completed")
	if err != nil {
		return err
	}
	q := casework.TaskQuery{DueDate: httpapi.ListParam(r, "dueDate"), Process: r.URL.Query().Get("process"), Completed: completed}
	for _, i := range httpapi.ListParam(r, "involvement") {
		q.Involvement = append(q.Involvement, casework.Involvement(i))
	}
	if q.Cursor, q.PageSize, err = cursorPaging(r); err != nil {
		return err
	}
	page, err := h.svc.CallerTasks(r.Context(), httpapi.CallerOf(r), effektif.OrganizationKey(r), q)
	if err != nil {
		return err
	}
	cursorAfter := func(kept int) string { return casework.TaskCursor(page.Tasks[kept-1]) }
	return writePage(w, tasksOf(page.Tasks), page.Next, cursorAfter, nil)
}

func (h taskHandlers) create(w http.ResponseWriter, r *http.Request, a identity.Access) error {
	var in taskInput
	props, err := decodeInline(r, &in)
	if err != nil {
		return err
	}
	t, err := h.svc.CreateTask(r.Context(), a, casework.NewTask{
		Name: deref(in.Name), Description: deref(in.Description), AssigneeID: deref(in.AssigneeID),
		CandidateIDs: deref(in.CandidateIDs), CandidateGroupIDs: deref(in.CandidateGroupIDs),
		CaseID: deref(in.CaseID), ParentID: deref(in.ParentID), DueDate: deref(in.DueDate), Properties: withProperties(props, in.Properties),
	})
	if err != nil {
		return err
	}
	return h.writeDetail(w, r, a, casework.TaskDetail{Task: t})
}

func (h taskHandlers) get(w http.ResponseWriter, r *http.Request, a identity.Access) error {
	d, err := h.svc.Task(r.Context(), a, r.PathValue("taskId"))
	if err != nil {
		return err
	}
	return h.writeDetail(w, r, a, d)
}

func (h taskHandlers) update(w http.ResponseWriter, r *http.Request, a identity.Access) error {
	var in taskInput
	props, err := decodeInline(r, &in)
	if err != nil {
		return err
	}
	d, err := h.svc.UpdateTask(r.Context(), a, r.PathValue("taskId"), casework.TaskChanges{
		Name: in.Name, Description: in.Description, AssigneeID: in.AssigneeID, CandidateIDs: in.CandidateIDs,
		CandidateGroupIDs: in.CandidateGroupIDs, DueDate: in.DueDate, Properties: withProperties(props, in.Properties),
	})
	if err != nil {
		return err
	}
	return h.writeDetail(w, r, a, d)
}

func (h taskHandlers) delete(w http.ResponseWriter, r *http.Request, a identity.Access) error {
	if err := h.svc.DeleteTask(r.Context(), a, r.PathValue("taskId")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// FormField is one submitted FormInstanceField: its id (or key) and value.
type FormField struct {
	ID    string          `json:"id"`
	Key   string          `json:"key"`
	Value json.RawMessage `json:"value"`
}

func (f FormField) core() casework.FieldValue {
	id := f.ID
	if id == "" {
		id = f.Key
	}
	return casework.FieldValue{ID: id, Value: f.Value}
}

// complete reads the body of POST .../complete: the document makes it an
// array of FormInstanceField; {"fields": [...]} and no body are accepted
// too. It makes its tenant check itself, at once with the task's read
// (casework.Service.CallerCompleteTask), after the body (refuseBody).
func (h taskHandlers) complete(w http.ResponseWriter, r *http.Request, _ string) error {
	values, err := completionValues(r)
	if err != nil {
		return refuseBody(r, h.svc, err)
	}
	a, d, err := h.svc.CallerCompleteTask(r.Context(), httpapi.CallerOf(r), effektif.OrganizationKey(r), r.PathValue("taskId"), values)
	if err != nil {
		return err
	}
	return h.writeDetail(w, r, a, d)
}

// completionValues reads the form values of a completion's body.
func completionValues(r *http.Request) ([]casework.FieldValue, error) {
	body, err := readOptionalBody(r)
	if err != nil {
		return nil, err
	}
	var fields []FormField
	if len(body) > 0 {
		if body[0] == '{' {
			var wrapped struct {
				Fields []FormField `json:"fields"`
			}
			err = httpapi.Unmarshal(body, &wrapped)
			fields = wrapped.Fields
		} else {
			err = httpapi.Unmarshal(body, &fields)
		}
		if err != nil {
			return nil, err
		}
	}
	values := make([]casework.FieldValue, len(fields))
	for i, f := range fields {
		values[i] = f.core()
	}
	return values, nil
}

func readOptionalBody(r *http.Request) ([]byte, error) {
	var raw json.RawMessage
	if err := httpapi.DecodeOptionalJSON(r, httpapi.MaxJSONBody, &raw); err != nil {
		return nil, err
	}
	return raw, nil
}

func (h taskHandlers) reopen(w http.ResponseWriter, r *http.Request, a identity.Access) error {
	d, err := h.svc.ReopenTask(r.Context(), a, r.PathValue("taskId"))
	if err != nil {
		return err
	}
	return h.writeDetail(w, r, a, d)
}

// saveField answers the saved FormInstanceField.
func (h taskHandlers) saveField(w http.ResponseWriter, r *http.Request, a identity.Access) error {
	var f FormField
	if err := httpapi.DecodeJSON(r, httpapi.MaxJSONBody, &f); err != nil {
		return err
	}
	fieldID := r.PathValue("fieldId")
	if f.ID != "" && f.ID != fieldID {
		return failure.Field("id", "the field id differs from the path's")
	}
	saved, err := h.svc.SaveFormField(r.Context(), a, r.PathValue("taskId"), casework.FieldValue{ID: fieldID, Value: f.Value})
	if err != nil {
		return err
	}
	return httpapi.WriteJSON(w, http.StatusOK, saved)
}

func (h taskHandlers) mail(w http.ResponseWriter, r *http.Request, a identity.Access) error {
	m, err := h.svc.TaskMail(r.Context(), a, r.PathValue("taskId"), r.PathValue("mailId"))
	if err != nil {
		return err
	}
	return httpapi.WriteJSON(w, http.StatusOK, emailOf(m))
}
