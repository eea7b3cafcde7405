// Package work is the casework half of the Effektif REST API v1 dialect:
// the Workflow, Engine, Case, Task and File groups, their JSON models
// and routes under /api/v1, mapped onto package casework. The identity
// groups, the models both halves share (User, Error), the error shape
// (effektif.NewRouter) and the API's conventions (effektif.Pagination,
// uploads, iframe answers) are package effektif's, and the Mail group's
// webhook is package mailhook's. They are apart so that the identity
// functions do not link casework, the engine and the BPMN codec, and only
// the mail function links the mail intake.
package work

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/effektif-serverless/caseflow/shared/casework"
	"github.com/effektif-serverless/caseflow/shared/effektif"
	"github.com/effektif-serverless/caseflow/shared/failure"
	"github.com/effektif-serverless/caseflow/shared/httpapi"
	"github.com/effektif-serverless/caseflow/shared/identity"
	"github.com/effektif-serverless/caseflow/shared/inline"
)

// Case is the Effektif Case model (CaseDetail adds the embedded objects).
type Case struct {
	ID                 string          `json:"id"`
	OrganizationID     string          `json:"organizationId"`
	Name               string          `json:"name"`
	NameLower          string          `json:"nameLower"`
	Description        string          `json:"description,omitempty"`
	Access             json.RawMessage `json:"access,omitempty"`
	CreatorID          string          `json:"creatorId"`
	CreateTime         time.Time       `json:"createTime"`
	DueDate            *time.Time      `json:"dueDate,omitempty"`
	HasDueDate         bool            `json:"hasDueDate"`
	Priority           *float64        `json:"priority,omitempty"`
	HasPriority        bool            `json:"hasPriority"`
	ParticipantIDs     []string        `json:"participantIds"`
	TaskIDs            []string        `json:"taskIds"`
	LastUpdated        time.Time       `json:"lastUpdated"`
	Canceled           bool            `json:"canceled"`
	Closed             bool            `json:"closed"`
	WorkflowInstanceID string          `json:"workflowInstanceId,omitempty"`
	SourceWorkflowID   string          `json:"sourceWorkflowId,omitempty"`
	WorkflowID         string          `json:"workflowId,omitempty"`

	// CaseDetail
	Creator        *effektif.User  `json:"creator,omitempty"`
	Tasks          []Task          `json:"tasks,omitempty"`
	Events         []Event         `json:"events,omitempty"`
	Participants   []effektif.User `json:"participants,omitempty"`
	SourceWorkflow json.RawMessage `json:"sourceWorkflow,omitempty"`

	// PropertyMap is the document's properties object; Properties are
	// the same keys, also written at the top level (see propertiesOf).
	PropertyMap map[string]json.RawMessage `json:"properties"`
	Properties  map[string]json.RawMessage `json:"-"`
}

type caseJSON Case

// MarshalJSON writes the case with its properties inlined.
func (c Case) MarshalJSON() ([]byte, error) { return inline.Marshal(caseJSON(c), c.Properties) }

// Task is the Effektif Task model (TaskDetail adds the embedded objects).
type Task struct {
	ID                      string          `json:"id"`
	OrganizationID          string          `json:"organizationId"`
	Name                    string          `json:"name"`
	NameLower               string          `json:"nameLower"`
	Description             string          `json:"description,omitempty"`
	Access                  json.RawMessage `json:"access,omitempty"`
	CreatorID               string          `json:"creatorId"`
	CreateTime              time.Time       `json:"createTime"`
	AssigneeID              string          `json:"assigneeId,omitempty"`
	CandidateIDs            []string        `json:"candidateIds"`
	CandidateGroupIDs       []string        `json:"candidateGroupIds"`
	CaseID                  string          `json:"caseId,omitempty"`
	ParentID                string          `json:"parentId,omitempty"`
	SubtaskIDs              []string        `json:"subtaskIds"`
	DueDate                 *time.Time      `json:"dueDate,omitempty"`
	LastUpdated             time.Time       `json:"lastUpdated"`
	Canceled                bool            `json:"canceled"`
	Completed               bool            `json:"completed"`
	ActivityID              string          `json:"activityId,omitempty"`
	ActivityInstanceID      string          `json:"activityInstanceId,omitempty"`
	ActivityInstanceMessage bool            `json:"activityInstanceMessage"`
	HasForm                 bool            `json:"hasForm"`
	WorkflowInstanceID      string          `json:"workflowInstanceId,omitempty"`
	SourceWorkflowID        string          `json:"sourceWorkflowId,omitempty"`
	WorkflowID              string          `json:"workflowId,omitempty"`
	RoleVariableID          string          `json:"roleVariableId,omitempty"`
	Form                    json.RawMessage `json:"form,omitempty"`

	// TaskDetail
	Creator         *effektif.User   `json:"creator,omitempty"`
	Assignee        *effektif.User   `json:"assignee,omitempty"`
	Candidates      []effektif.User  `json:"candidates,omitempty"`
	CandidateGroups []effektif.Group `json:"candidateGroups,omitempty"`
	Subtasks        []Task           `json:"subtasks,omitempty"`

	// PropertyMap and Properties: as Case's.
	PropertyMap map[string]json.RawMessage `json:"properties"`
	Properties  map[string]json.RawMessage `json:"-"`
}

type taskJSON Task

// MarshalJSON writes the task with its properties inlined.
func (t Task) MarshalJSON() ([]byte, error) { return inline.Marshal(taskJSON(t), t.Properties) }

// Event is the Effektif Event model: one entry of a case's timeline. Type
// is not in the document: it tells comments from the system's own events
// (see casework.Event*), and the events list filters on it.
type Event struct {
	ID     string          `json:"id"`
	CaseID string          `json:"caseId"`
	Type   string          `json:"type"`
	Name   string          `json:"name"`
	TaskID string          `json:"taskId,omitempty"`
	Task   *Task           `json:"task,omitempty"`
	Time   time.Time       `json:"time"`
	UserID string          `json:"userId,omitempty"`
	User   *effektif.User  `json:"user,omitempty"`
	Data   json.RawMessage `json:"data,omitempty"`
}

func timePtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

// people resolves the user and group ids an answer embeds: users as
// members of the organization read (their admin flag, groups and the
// organization), groups by id.
type people struct {
	members map[string]identity.Member
	groups  map[string]identity.Group
}

// peopleOf reads the users (one batch read of them and one of their
// memberships) and, when there are group ids, the organization's groups
// (one bounded Query).
func peopleOf(ctx context.Context, svc *casework.Service, a identity.Access, userIDs, groupIDs []string) (people, error) {
	members, err := svc.Identity.MembersByID(ctx, a, userIDs)
	if err != nil {
		return people{}, err
	}
	p := people{members: members, groups: map[string]identity.Group{}}
	if len(groupIDs) == 0 {
		return p, nil
	}
	groups, err := svc.Identity.Groups(ctx, a)
	if err != nil {
		return people{}, err
	}
	for _, g := range groups {
		p.groups[g.ID] = g
	}
	return p, nil
}

func (p people) user(id string) *effektif.User {
	m, ok := p.members[id]
	if !ok || id == "" {
		return nil
	}
	v := effektif.MemberOf(m)
	return &v
}

func (p people) users(ids []string) []effektif.User {
	out := make([]effektif.User, 0, len(ids))
	for _, id := range ids {
		if u := p.user(id); u != nil {
			out = append(out, *u)
		}
	}
	return out
}

// groupList answers the groups of the ids that exist, in their order.
func (p people) groupList(ids []string) []effektif.Group {
	out := make([]effektif.Group, 0, len(ids))
	for _, id := range ids {
		if g, ok := p.groups[id]; ok {
			out = append(out, effektif.GroupOf(g))
		}
	}
	return out
}

// propertiesOf is the properties object of a Case or Task: the stored
// properties, {} when there are none. They are answered twice: in it, as
// the document lists the field, and at the top level, as the Effektif SDK
// writes them (and as this API answered them before); both forms are read
// back (withProperties).
func propertiesOf(p map[string]json.RawMessage) map[string]json.RawMessage {
	if p == nil {
		return map[string]json.RawMessage{}
	}
	return p
}

func taskOf(t casework.Task) Task {
	return Task{
		ID: t.ID, OrganizationID: t.OrganizationID, Name: t.Name, NameLower: strings.ToLower(t.Name),
		Description: t.Description, Access: t.Access, CreatorID: t.CreatorID, CreateTime: t.CreateTime,
		AssigneeID: t.AssigneeID, CandidateIDs: effektif.OrEmpty(t.CandidateIDs), CandidateGroupIDs: effektif.OrEmpty(t.CandidateGroupIDs),
		CaseID: t.CaseID, ParentID: t.ParentID, SubtaskIDs: effektif.OrEmpty(t.SubtaskIDs), DueDate: timePtr(t.DueDate),
		LastUpdated: t.LastUpdated, Canceled: t.Canceled, Completed: t.Completed, ActivityID: t.ActivityID,
		ActivityInstanceID: t.ActivityInstanceID, ActivityInstanceMessage: t.FromWorkflow() && t.Open(),
		HasForm: len(t.Form) > 0, WorkflowInstanceID: t.WorkflowInstanceID, SourceWorkflowID: t.SourceWorkflowID,
		WorkflowID: t.WorkflowID, RoleVariableID: t.RoleVariableID, Form: t.Form,
		PropertyMap: propertiesOf(t.Properties), Properties: t.Properties,
	}
}

// taskUsers are the ids of the users a TaskDetail embeds.
func taskUsers(t casework.Task) []string {
	return append([]string{t.CreatorID, t.AssigneeID}, t.CandidateIDs...)
}

func taskDetailOf(t casework.Task, subtasks []casework.Task, p people) Task {
	v := taskOf(t)
	v.Creator, v.Assignee, v.Candidates = p.user(t.CreatorID), p.user(t.AssigneeID), p.users(t.CandidateIDs)
	if len(t.CandidateGroupIDs) > 0 {
		v.CandidateGroups = p.groupList(t.CandidateGroupIDs)
	}
	for _, s := range subtasks {
		v.Subtasks = append(v.Subtasks, taskOf(s))
	}
	return v
}

func caseOf(c casework.Case) Case {
	return Case{
		ID: c.ID, OrganizationID: c.OrganizationID, Name: c.Name, NameLower: strings.ToLower(c.Name),
		Description: c.Description, Access: c.Access, CreatorID: c.CreatorID, CreateTime: c.CreateTime,
		DueDate: timePtr(c.DueDate), HasDueDate: !c.DueDate.IsZero(), Priority: c.Priority, HasPriority: c.Priority != nil,
		ParticipantIDs: effektif.OrEmpty(c.ParticipantIDs), TaskIDs: effektif.OrEmpty(c.TaskIDs), LastUpdated: c.LastUpdated,
		Canceled: c.Canceled, Closed: c.Closed, WorkflowInstanceID: c.WorkflowInstanceID,
		SourceWorkflowID: c.SourceWorkflowID, WorkflowID: c.WorkflowID,
		PropertyMap: propertiesOf(c.Properties), Properties: c.Properties,
	}
}

func eventOf(e casework.Event, p people, tasks map[string]casework.Task) Event {
	v := Event{ID: e.ID, CaseID: e.CaseID, Type: e.Type, Name: e.Name, TaskID: e.TaskID, Time: e.Time, UserID: e.UserID, User: p.user(e.UserID), Data: e.Data}
	if t, ok := tasks[e.TaskID]; ok {
		tv := taskOf(t)
		v.Task = &tv
	}
	return v
}

// Response size. A Lambda response carries at most 6 MB; the JSON body
// travels inside it as a JSON string (each byte escaped to at most two) or
// base64-encoded (4/3), so a body is kept to a third of that and lists
// and embedded lists are cut by size, not only by count:
//
//   - a list answers its items in order while the array stays within
//     ListBudget bytes (the first item always, so a list always moves on);
//     when items are left out the answer carries the header
//     X-Caseflow-Truncated with how many, and an offset-paged list (drafts,
//     versions, events) X-Caseflow-Next-Offset with the offset to ask next;
//   - a case's embedded tasks and events share ListBudget, its embedded
//     source workflow is whole when its JSON has at most
//     EmbeddedWorkflowBudget bytes and else only its editor fields, id and
//     name; a task's embedded subtasks take ListBudget. What was cut is
//     named in X-Caseflow-Truncated (e.g. "tasks,events").
//
// A draft itself is at most casework.MaxDraftBytes, so one item always fits.
const (
	ListBudget             = 1 << 20
	EmbeddedWorkflowBudget = 256 << 10
	HeaderTruncated        = "X-Caseflow-Truncated"
	HeaderNextOffset       = "X-Caseflow-Next-Offset"
	// HeaderNextCursor is on a page of a cursor-paged list (cases, tasks)
	// that is not the last: ask again with the same query and
	// cursor=<its value> for the next page.
	HeaderNextCursor = "X-Caseflow-Next-Cursor"
	// CursorParam and PageSizeParam are the query parameters of a
	// cursor-paged list (the document gives these lists no paging; a
	// client that sends neither gets the first page, of up to 500).
	CursorParam   = "cursor"
	PageSizeParam = "pagesize"
)

// cursorPaging reads a cursor-paged list's cursor and page size.
func cursorPaging(r *http.Request) (cursor string, size int, err error) {
	p, err := httpapi.Paging{Size: PageSizeParam}.Read(r)
	return r.URL.Query().Get(CursorParam), p.Size, err
}

// writePage answers a page of a cursor-paged list as a JSON array within
// ListBudget: all its items with the page's next cursor, or the first ones
// that fit with cursorAfter(kept), the cursor that goes on after them.
// order, when not nil, gives the kept items' indexes in the order to
// answer them (a page sorted otherwise than its list).
func writePage[T any](w http.ResponseWriter, items []T, next string, cursorAfter func(kept int) string, order func(kept int) []int) error {
	out, cut, err := fitList(w, items)
	if err != nil {
		return err
	}
	if cut {
		next = cursorAfter(len(out))
	}
	if next != "" {
		w.Header().Set(HeaderNextCursor, next)
	}
	if order != nil {
		sorted := make([]json.RawMessage, 0, len(out))
		for _, i := range order(len(out)) {
			sorted = append(sorted, out[i])
		}
		out = sorted
	}
	return httpapi.WriteJSON(w, http.StatusOK, out)
}

// fitting encodes items in order while they fit in *budget bytes (with
// their commas), at least one when atLeastOne; it takes what they use from
// *budget.
func fitting[T any](items []T, budget *int, atLeastOne bool) ([]json.RawMessage, error) {
	out := make([]json.RawMessage, 0, len(items))
	for i, it := range items {
		raw, err := json.Marshal(it)
		if err != nil {
			return nil, failure.Wrap(err, "encode response")
		}
		if len(raw)+1 > *budget && !(atLeastOne && i == 0) {
			break
		}
		*budget -= len(raw) + 1
		out = append(out, raw)
	}
	return out, nil
}

// fitList encodes the first items that fit in ListBudget (at least one)
// and, when it leaves some out, says how many in HeaderTruncated.
func fitList[T any](w http.ResponseWriter, items []T) (out []json.RawMessage, cut bool, err error) {
	budget := ListBudget
	if out, err = fitting(items, &budget, true); err != nil {
		return nil, false, err
	}
	if left := len(items) - len(out); left > 0 {
		w.Header().Set(HeaderTruncated, strconv.Itoa(left))
		return out, true, nil
	}
	return out, false, nil
}

// writeList answers items as a JSON array within ListBudget (see above).
// next, for an offset-paged list, gives the offset to ask next when only
// the first kept items are answered (nil for a list without paging).
func writeList[T any](w http.ResponseWriter, items []T, next func(kept int) int) error {
	out, cut, err := fitList(w, items)
	if err != nil {
		return err
	}
	if cut && next != nil {
		w.Header().Set(HeaderNextOffset, strconv.Itoa(next(len(out))))
	}
	return httpapi.WriteJSON(w, http.StatusOK, out)
}

// after is writeList's next for a list that starts at offset.
func after(offset int) func(int) int {
	return func(kept int) int { return offset + kept }
}

// cutTo keeps the first n of list.
func cutTo[T any](list []T, n int) []T { return list[:min(n, len(list))] }
