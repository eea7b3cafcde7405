package casework

import (
	"encoding/json"
	"time"
)

// Case is a piece of work with its tasks and timeline, created directly or
// by a workflow instance with cases enabled (then its id is the instance's).
type Case struct {
	ID             string
	OrganizationID string
	Name           string
	Description    string
	CreatorID      string
	CreateTime     time.Time
	DueDate        time.Time
	Priority       *float64
	ParticipantIDs []string
	TaskIDs        []string
	LastUpdated    time.Time
	Canceled       bool
	Closed         bool
	// WorkflowInstanceID, WorkflowID (the version) and SourceWorkflowID
	// (the editor workflow) are set for cases of workflow instances.
	WorkflowInstanceID string
	WorkflowID         string
	SourceWorkflowID   string
	Access             json.RawMessage
	Properties         map[string]json.RawMessage
	Version            int
}

// Event types of a case's timeline. Comments are written by people; the
// others are the system's own audit events.
const (
	EventComment         = "comment"
	EventCaseCreated     = "caseCreated"
	EventCaseUpdated     = "caseUpdated"
	EventCaseClosed      = "caseClosed"
	EventCaseCanceled    = "caseCanceled"
	EventTaskCreated     = "taskCreated"
	EventTaskAssigned    = "taskAssigned"
	EventTaskCompleted   = "taskCompleted"
	EventTaskReopened    = "taskReopened"
	EventTaskCanceled    = "taskCanceled"
	EventTaskDeleted     = "taskDeleted"
	EventVariableChanged = "variableChanged"
	EventWorkflowEnded   = "workflowEnded"
)

// Event is one entry of a case's timeline. Name is the text: a comment's
// words, or a readable summary of a system event; Data carries details (for
// variableChanged: the variable id, old and new value).
type Event struct {
	ID     string
	CaseID string
	Type   string
	Name   string
	Time   time.Time
	UserID string
	TaskID string
	Data   json.RawMessage
}

// CaseCounts are an organization's case statistics (GET /info/cases).
type CaseCounts struct {
	Total    int
	Open     int
	Closed   int
	Canceled int
}

// Task is a piece of work for a person: standalone, in a case, a subtask,
// or created by a user task activity of a workflow instance.
type Task struct {
	ID                string
	OrganizationID    string
	Name              string
	Description       string
	CreatorID         string
	CreateTime        time.Time
	AssigneeID        string
	CandidateIDs      []string
	CandidateGroupIDs []string
	ParticipantIDs    []string
	CaseID            string
	ParentID          string
	SubtaskIDs        []string
	DueDate           time.Time
	LastUpdated       time.Time
	// A task is open, Completed (by a person), or Canceled (with its case,
	// or by its workflow: a boundary event, a terminate end); never both.
	// A canceled task is in no involvement list (see InvolvementLists) and
	// in no completed list of its case (see CaseTasks).
	Canceled  bool
	Completed bool
	// The workflow fields are set for tasks of user task activities.
	ActivityID         string
	ActivityInstanceID string
	WorkflowInstanceID string
	WorkflowID         string
	SourceWorkflowID   string
	RoleVariableID     string
	// Form is the task's FormInstance (JSON), with the values saved so far.
	Form       json.RawMessage
	Access     json.RawMessage
	Properties map[string]json.RawMessage
	Version    int
}

// Open reports whether the task is neither completed nor canceled.
func (t Task) Open() bool { return !t.Completed && !t.Canceled }

// cancel ends an open task as canceled at now.
func (t *Task) cancel(now time.Time) { t.Canceled, t.Completed, t.LastUpdated = true, false, now }

// FromWorkflow reports whether the task belongs to a workflow instance.
func (t Task) FromWorkflow() bool { return t.ActivityInstanceID != "" }

// Involvement says how a user is involved in a task.
type Involvement string

// The involvements, as the task list's involvement parameter names them.
const (
	Assigned    Involvement = "assigned"
	Candidate   Involvement = "candidate"
	Created     Involvement = "created"
	Participant Involvement = "participant"
)

// Unclaimed reports whether the task is open with no assignee and no
// candidates (users or groups). Decision: such a task is offered to every
// member of its organization. The document names no audience for it, and
// any member may already complete it (see mayWork), so every member sees
// it as a candidate in the default task list (assigned or candidate) and
// may take it by assigning it to themselves; it leaves that list for the
// others once it has an assignee or candidates, or ends. The store keeps
// these tasks in one more involvement list, UnclaimedPrincipal's.
func (t Task) Unclaimed() bool {
	return t.Open() && t.AssigneeID == "" && len(t.CandidateIDs) == 0 && len(t.CandidateGroupIDs) == 0
}

// UnclaimedPrincipal is the principal of the involvement list of the
// organization's unclaimed tasks (see Task.Unclaimed and
// WorkStore.InvolvedTasks); it is no user or group id.
const UnclaimedPrincipal = "unclaimed"

// Involvements returns how the user, a member of the task's organization,
// is involved in the task. Every member is a candidate of an unclaimed
// task.
func (t Task) Involvements(userID string, groupIDs []string) []Involvement {
	var out []Involvement
	if t.AssigneeID == userID {
		out = append(out, Assigned)
	}
	if contains(t.CandidateIDs, userID) || overlaps(t.CandidateGroupIDs, groupIDs) || t.Unclaimed() {
		out = append(out, Candidate)
	}
	if t.CreatorID == userID {
		out = append(out, Created)
	}
	if contains(t.ParticipantIDs, userID) {
		out = append(out, Participant)
	}
	return out
}

// InvolvedUsers lists every user involved in the task, once.
func (t Task) InvolvedUsers() []string {
	var out []string
	add := func(ids ...string) {
		for _, id := range ids {
			if id != "" && !contains(out, id) {
				out = append(out, id)
			}
		}
	}
	add(t.AssigneeID)
	add(t.CandidateIDs...)
	add(t.CreatorID)
	add(t.ParticipantIDs...)
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func overlaps(a, b []string) bool {
	for _, x := range a {
		if contains(b, x) {
			return true
		}
	}
	return false
}
