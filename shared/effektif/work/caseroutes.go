package work

import (
	"context"
	"encoding/json"
	"maps"
	"net/http"
	"strings"
	"time"

	"github.com/effektif-serverless/caseflow/shared/casework"
	"github.com/effektif-serverless/caseflow/shared/effektif"
	"github.com/effektif-serverless/caseflow/shared/httpapi"
	"github.com/effektif-serverless/caseflow/shared/identity"
	"github.com/effektif-serverless/caseflow/shared/inline"
	"github.com/effektif-serverless/caseflow/shared/workflow"
)

// caseInput is the body of POST /cases (NewCase) and PUT /cases/{id}
// (Case). Read-only fields of the model are accepted and ignored; the
// documented properties object and the keys the model does not have are the
// case's properties (see withProperties).
type caseInput struct {
	Name            *string         `json:"name"`
	Description     *string         `json:"description"`
	DueDate         *time.Time      `json:"dueDate"`
	Priority        *float64        `json:"priority"`
	ParticipantIDs  *[]string       `json:"participantIds"`
	TriggerInstance json.RawMessage `json:"triggerInstance"`

	ID                 any `json:"id"`
	OrganizationID     any `json:"organizationId"`
	NameLower          any `json:"nameLower"`
	Access             any `json:"access"`
	CreatorID          any `json:"creatorId"`
	CreateTime         any `json:"createTime"`
	HasDueDate         any `json:"hasDueDate"`
	HasPriority        any `json:"hasPriority"`
	TaskIDs            any `json:"taskIds"`
	LastUpdated        any `json:"lastUpdated"`
	Canceled           any `json:"canceled"`
	Closed             any `json:"closed"`
	WorkflowInstanceID any `json:"workflowInstanceId"`
	SourceWorkflowID   any `json:"sourceWorkflowId"`
	WorkflowID         any `json:"workflowId"`
	Creator            any `json:"creator"`
	Tasks              any `json:"tasks"`
	Events             any `json:"events"`
	Participants       any `json:"participants"`
	SourceWorkflow     any `json:"sourceWorkflow"`

	Properties map[string]json.RawMessage `json:"properties"`
}

// decodeInline reads a JSON object body into v and returns the keys v does
// not know (the properties).
func decodeInline(r *http.Request, v any) (map[string]json.RawMessage, error) {
	body, err := readBody(r, httpapi.MaxJSONBody)
	if err != nil {
		return nil, err
	}
	if err := httpapi.Unmarshal(body, v); err != nil {
		return nil, err
	}
	return inline.Unmarshal(body, v, nil)
}

// withProperties joins the two ways a Case or Task body carries its
// properties: the document's properties object (a JSON object; another
// value is Invalid) and, as the Effektif SDK writes them, keys the model
// does not have at the top level. A key in both takes the object's value.
// Neither leaves the properties as they are on an update; an empty object
// clears them. The size bound is casework.MaxProperties.
func withProperties(inlined, object map[string]json.RawMessage) map[string]json.RawMessage {
	if object == nil {
		return inlined
	}
	out := make(map[string]json.RawMessage, len(inlined)+len(object))
	maps.Copy(out, inlined)
	maps.Copy(out, object)
	return out
}

// CaseRoutes registers the routes of the Effektif Case group.
func CaseRoutes(rt *httpapi.Router, svc *casework.Service) {
	h := caseHandlers{svc: svc}
	base := effektif.BasePath + "/{organizationKey}/cases"
	rt.Handle("GET "+base, tenant(svc.Identity, h.list))
	rt.Handle("POST "+base, tenant(svc.Identity, h.create))
	// The case makes its tenant check itself, at once with its first read
	// (casework.Service.CallerCase).
	rt.Handle("GET "+base+"/{caseId}", httpapi.Authenticated(h.get))
	rt.Handle("PUT "+base+"/{caseId}", tenant(svc.Identity, h.update))
	rt.Handle("DELETE "+base+"/{caseId}", tenant(svc.Identity, h.delete))
	rt.Handle("POST "+base+"/{caseId}/cancel", tenant(svc.Identity, h.end(true)))
	rt.Handle("POST "+base+"/{caseId}/close", tenant(svc.Identity, h.end(false)))
	rt.Handle("GET "+base+"/{caseId}/events", tenant(svc.Identity, h.events))
	rt.Handle("POST "+base+"/{caseId}/events", tenant(svc.Identity, h.comment))
	rt.Handle("GET "+base+"/{caseId}/tasks", tenant(svc.Identity, h.tasks))
	rt.Handle("GET "+effektif.BasePath+"/{organizationKey}/info/cases", tenant(svc.Identity, h.info))
}

type caseHandlers struct {
	svc *casework.Service
}

func (h caseHandlers) people(ctx context.Context, a identity.Access, ids []string) (people, error) {
	return peopleOf(ctx, h.svc, a, ids, nil)
}

// writeDetail answers a CaseDetail.
func (h caseHandlers) writeDetail(w http.ResponseWriter, r *http.Request, a identity.Access, d casework.CaseDetail) error {
	ids := append([]string{d.CreatorID}, d.ParticipantIDs...)
	var groupIDs []string
	tasks := map[string]casework.Task{}
	for _, t := range d.Tasks {
		ids = append(ids, taskUsers(t)...)
		groupIDs = append(groupIDs, t.CandidateGroupIDs...)
		tasks[t.ID] = t
	}
	for _, e := range d.Events {
		ids = append(ids, e.UserID)
	}
	p, err := peopleOf(r.Context(), h.svc, a, ids, groupIDs)
	if err != nil {
		return err
	}
	v := caseOf(d.Case)
	v.Creator, v.Participants = p.user(d.CreatorID), p.users(d.ParticipantIDs)
	v.Tasks, v.Events = []Task{}, []Event{}
	for _, t := range d.Tasks {
		v.Tasks = append(v.Tasks, taskDetailOf(t, nil, p))
	}
	for _, e := range d.Events {
		v.Events = append(v.Events, eventOf(e, p, tasks))
	}
	// The embedded lists share one budget (see ListBudget).
	var cut []string
	budget := ListBudget
	if kept, err := fitting(v.Tasks, &budget, false); err != nil {
		return err
	} else if len(kept) < len(v.Tasks) || d.MoreTasks {
		v.Tasks, cut = cutTo(v.Tasks, len(kept)), append(cut, "tasks")
	}
	if kept, err := fitting(v.Events, &budget, false); err != nil {
		return err
	} else if len(kept) < len(v.Events) {
		v.Events, cut = cutTo(v.Events, len(kept)), append(cut, "events")
	}
	if d.SourceWorkflow != nil {
		if v.SourceWorkflow, err = editorWorkflowJSON(*d.SourceWorkflow, time.Now(), nil); err != nil {
			return err
		}
		if len(v.SourceWorkflow) > EmbeddedWorkflowBudget {
			sw := *d.SourceWorkflow
			sw.Definition = workflow.Workflow{ID: sw.Definition.ID, Name: sw.Definition.Name}
			if v.SourceWorkflow, err = editorWorkflowJSON(sw, time.Now(), nil); err != nil {
				return err
			}
			cut = append(cut, "sourceWorkflow")
		}
	}
	if len(cut) > 0 {
		w.Header().Set(HeaderTruncated, strings.Join(cut, ","))
	}
	return httpapi.WriteJSON(w, http.StatusOK, v)
}

func (h caseHandlers) list(w http.ResponseWriter, r *http.Request, a identity.Access) error {
	q := casework.CaseQuery{SourceWorkflowID: r.URL.Query().Get("editorWorkflowId"), Sorting: r.URL.Query().Get("sorting")}
	var err error
	for name, dst := range map[string]**bool{"closed": &q.Closed, "canceled": &q.Canceled, "workflowDeleted": &q.WorkflowDeleted} {
		if *dst, err = httpapi.BoolParam(r, name); err != nil {
			return err
		}
	}
	if q.Cursor, q.PageSize, err = cursorPaging(r); err != nil {
		return err
	}
	page, err := h.svc.Cases(r.Context(), a, q)
	if err != nil {
		return err
	}
	out := make([]Case, len(page.Cases))
	for i, c := range page.Cases {
		out[i] = caseOf(c)
	}
	cursorAfter := func(kept int) string { return casework.CaseCursor(page.Cases[kept-1]) }
	return writePage(w, out, page.Next, cursorAfter, page.Order)
}

func (h caseHandlers) create(w http.ResponseWriter, r *http.Request, a identity.Access) error {
	var in caseInput
	props, err := decodeInline(r, &in)
	if err != nil {
		return err
	}
	nc := casework.NewCase{Priority: in.Priority, Properties: withProperties(props, in.Properties)}
	if len(in.TriggerInstance) > 0 && string(in.TriggerInstance) != "null" {
		var t TriggerInstance
		if err := httpapi.Unmarshal(in.TriggerInstance, &t); err != nil {
			return err
		}
		req, err := t.core()
		if err != nil {
			return err
		}
		nc.Trigger = &req
	}
	if in.Name != nil {
		nc.Name = *in.Name
	}
	if in.Description != nil {
		nc.Description = *in.Description
	}
	if in.DueDate != nil {
		nc.DueDate = *in.DueDate
	}
	if in.ParticipantIDs != nil {
		nc.ParticipantIDs = *in.ParticipantIDs
	}
	d, err := h.svc.CreateCase(r.Context(), a, nc)
	if err != nil {
		return err
	}
	return h.writeDetail(w, r, a, d)
}

func (h caseHandlers) get(w http.ResponseWriter, r *http.Request, _ string) error {
	a, d, err := h.svc.CallerCase(r.Context(), httpapi.CallerOf(r), effektif.OrganizationKey(r), r.PathValue("caseId"))
	if err != nil {
		return err
	}
	return h.writeDetail(w, r, a, d)
}

func (h caseHandlers) update(w http.ResponseWriter, r *http.Request, a identity.Access) error {
	var in caseInput
	props, err := decodeInline(r, &in)
	if err != nil {
		return err
	}
	d, err := h.svc.UpdateCase(r.Context(), a, r.PathValue("caseId"), casework.CaseChanges{
		Name: in.Name, Description: in.Description, DueDate: in.DueDate, Priority: in.Priority,
		ParticipantIDs: in.ParticipantIDs, Properties: withProperties(props, in.Properties),
	})
	if err != nil {
		return err
	}
	return h.writeDetail(w, r, a, d)
}

func (h caseHandlers) delete(w http.ResponseWriter, r *http.Request, a identity.Access) error {
	if err := h.svc.DeleteCase(r.Context(), a, r.PathValue("caseId")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (h caseHandlers) end(cancel bool) func(w http.ResponseWriter, r *http.Request, a identity.Access) error {
	return func(w http.ResponseWriter, r *http.Request, a identity.Access) error {
		d, err := h.svc.EndCase(r.Context(), a, r.PathValue("caseId"), cancel)
		if err != nil {
			return err
		}
		return h.writeDetail(w, r, a, d)
	}
}

func (h caseHandlers) events(w http.ResponseWriter, r *http.Request, a identity.Access) error {
	p, err := page(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	events, err := h.svc.CaseEvents(r.Context(), a, r.PathValue("caseId"), q.Get("type"), q.Get("taskId"), p)
	if err != nil {
		return err
	}
	ids := make([]string, len(events))
	for i, e := range events {
		ids[i] = e.UserID
	}
	users, err := h.people(r.Context(), a, ids)
	if err != nil {
		return err
	}
	out := make([]Event, len(events))
	for i, e := range events {
		out[i] = eventOf(e, users, nil)
	}
	return writeList(w, out, after(p.Normalize().Offset))
}

// eventInput is the body of POST .../events: a comment, its text in name.
type eventInput struct {
	Name   string `json:"name"`
	TaskID string `json:"taskId"`
}

func (h caseHandlers) comment(w http.ResponseWriter, r *http.Request, a identity.Access) error {
	var in eventInput
	if err := httpapi.DecodeJSON(r, httpapi.MaxJSONBody, &in); err != nil {
		return err
	}
	e, err := h.svc.AddComment(r.Context(), a, r.PathValue("caseId"), in.Name, in.TaskID)
	if err != nil {
		return err
	}
	users, err := h.people(r.Context(), a, []string{e.UserID})
	if err != nil {
		return err
	}
	return httpapi.WriteJSON(w, http.StatusOK, eventOf(e, users, nil))
}

// tasks answers a page of the case's tasks (cursor, pagesize; the next
// page's cursor in HeaderNextCursor), as GET /tasks pages.
func (h caseHandlers) tasks(w http.ResponseWriter, r *http.Request, a identity.Access) error {
	var q casework.CaseTaskQuery
	var err error
	if q.Completed, err = httpapi.BoolParam(r, "completed"); err != nil {
		return err
	}
	if q.Cursor, q.PageSize, err = cursorPaging(r); err != nil {
		return err
	}
	page, err := h.svc.CaseTasks(r.Context(), a, r.PathValue("caseId"), q)
	if err != nil {
		return err
	}
	cursorAfter := func(kept int) string { return casework.CaseTaskCursor(page.Tasks[kept-1]) }
	return writePage(w, tasksOf(page.Tasks), page.Next, cursorAfter, nil)
}

func tasksOf(tasks []casework.Task) []Task {
	out := make([]Task, len(tasks))
	for i, t := range tasks {
		out[i] = taskOf(t)
	}
	return out
}

// CaseCounts is the body of GET /info/cases (the document gives none).
type CaseCounts struct {
	Total    int `json:"total"`
	Open     int `json:"open"`
	Closed   int `json:"closed"`
	Canceled int `json:"canceled"`
}

func (h caseHandlers) info(w http.ResponseWriter, r *http.Request, a identity.Access) error {
	c, err := h.svc.CaseCounts(r.Context(), a)
	if err != nil {
		return err
	}
	return httpapi.WriteJSON(w, http.StatusOK, CaseCounts{Total: c.Total, Open: c.Open, Closed: c.Closed, Canceled: c.Canceled})
}
