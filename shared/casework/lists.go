package casework

import (
	"encoding/base64"
	"strings"
	"time"

	"github.com/effektif-serverless/caseflow/shared/failure"
	"github.com/effektif-serverless/caseflow/shared/ids"
)

// Lists are read a page at a time, in the order the store keeps them:
// every filter of a list is a key of the store (a list or an index of its
// own), so a page costs what it returns however much else the
// organization holds, and a page is full unless the list ends. A page that
// is not the last carries a cursor, the position of its last entry, from
// which the next page goes on.

// TaskState is the part of an involvement list a task is in.
type TaskState string

// The task states, in the order the involvement lists keep them: open
// tasks first, then completed ones (newest first in each); canceled tasks
// are in no list (see Task.InvolvementLists).
const (
	TaskOpen     TaskState = "open"
	TaskDone     TaskState = "done"
	TaskCanceled TaskState = "canceled"
)

var taskStates = []TaskState{TaskOpen, TaskDone, TaskCanceled}

// State is the part of the involvement lists the task is in.
func (t Task) State() TaskState {
	switch {
	case t.Completed:
		return TaskDone
	case t.Canceled:
		return TaskCanceled
	}
	return TaskOpen
}

// stateFor is the task state a list with the completed filter shows: true
// the completed tasks, false the open ones, nil ("") all of them.
func stateFor(completed *bool) TaskState {
	switch {
	case completed == nil:
		return ""
	case *completed:
		return TaskDone
	}
	return TaskOpen
}

// InvolvementList names the involvement list of the users involved in a
// task as inv ("assigned:<userId>", "candidate:<userId>", ...).
func InvolvementList(inv Involvement, userID string) string { return string(inv) + ":" + userID }

// GroupList names the involvement list of the tasks a group's members are
// candidates of.
func GroupList(groupID string) string { return "group:" + groupID }

// InvolvementLists names the involvement lists the task is in: one per
// way each user is involved (assignee, candidates, creator, participants),
// one per candidate group, and UnclaimedPrincipal's while it is unclaimed.
// The lists hold open and completed tasks. Decision: a canceled task is in
// none (its case's task list and its id still show it): it is nobody's
// work any more, and so closing a case, which cancels all its open tasks
// (in one transaction, or in steps of one: see Service.EndCase), deletes
// each task's entries and writes none.
func (t Task) InvolvementLists() []string {
	if t.Canceled {
		return nil
	}
	var out []string
	add := func(list string) {
		if !contains(out, list) {
			out = append(out, list)
		}
	}
	if t.AssigneeID != "" {
		add(InvolvementList(Assigned, t.AssigneeID))
	}
	for _, id := range t.CandidateIDs {
		add(InvolvementList(Candidate, id))
	}
	if t.CreatorID != "" {
		add(InvolvementList(Created, t.CreatorID))
	}
	for _, id := range t.ParticipantIDs {
		add(InvolvementList(Participant, id))
	}
	for _, g := range t.CandidateGroupIDs {
		add(GroupList(g))
	}
	if t.Unclaimed() {
		add(UnclaimedPrincipal)
	}
	return out
}

// TaskPosition is a task's place in the involvement lists: they give open
// tasks first, then completed, then canceled ones, each in descending
// order of creation time, then id.
type TaskPosition struct {
	State      TaskState
	CreateTime time.Time
	ID         string
}

// IsZero reports whether the position is the start of a list.
func (p TaskPosition) IsZero() bool { return p.ID == "" }

// before reports whether a task at p comes after one at q in a list.
func (p TaskPosition) before(q TaskPosition) bool {
	if p.State != q.State {
		return indexOf(taskStates, p.State) > indexOf(taskStates, q.State)
	}
	if !p.CreateTime.Equal(q.CreateTime) {
		return p.CreateTime.Before(q.CreateTime)
	}
	return p.ID < q.ID
}

// Position is the task's place in the involvement lists.
func (t Task) Position() TaskPosition {
	return TaskPosition{State: t.State(), CreateTime: t.CreateTime, ID: t.ID}
}

// TaskCursor is the cursor of a task list that goes on after the task.
func TaskCursor(t Task) string {
	return base64.RawURLEncoding.EncodeToString([]byte(t.Position().cursorText()))
}

// CaseTaskCursor is the cursor of a case's task list that goes on after
// the task: its position and its case's id, so that it is no cursor of
// another case's list nor of the caller's task list (TaskCursor).
func CaseTaskCursor(t Task) string {
	return base64.RawURLEncoding.EncodeToString([]byte(caseCursorMark + "|" + t.CaseID + "|" + t.Position().cursorText()))
}

// caseCursorMark begins a CaseTaskCursor.
const caseCursorMark = "case"

func (p TaskPosition) cursorText() string {
	return string(p.State) + "|" + p.CreateTime.UTC().Format(time.RFC3339Nano) + "|" + p.ID
}

// maxCursor bounds a cursor's length before it is decoded.
const maxCursor = 200

// badCursor is the error of a cursor the list did not give.
func badCursor() error { return failure.Field("cursor", "cursor is not one this list gave") }

// cursorParts decodes a cursor into its n parts; false when it is no
// cursor of n parts.
func cursorParts(cursor string, n int) ([]string, bool) {
	if len(cursor) > maxCursor {
		return nil, false
	}
	raw, err := base64.RawURLEncoding.DecodeString(cursor)
	if err != nil {
		return nil, false
	}
	parts := strings.Split(string(raw), "|")
	return parts, len(parts) == n
}

// positionOf reads the state, time and id parts of a task cursor, of a
// list of tasks in state ("": all).
func positionOf(parts []string, state TaskState) (TaskPosition, bool) {
	if !ids.Valid(parts[2]) {
		return TaskPosition{}, false
	}
	at, err := time.Parse(time.RFC3339Nano, parts[1])
	if err != nil {
		return TaskPosition{}, false
	}
	p := TaskPosition{State: TaskState(parts[0]), CreateTime: at, ID: parts[2]}
	if indexOf(taskStates, p.State) < 0 || state != "" && p.State != state {
		return TaskPosition{}, false
	}
	return p, true
}

// taskCursorOf reads a TaskCursor of a list of tasks in state ("": all).
// Errors: Invalid (field cursor), also for a cursor of another state's
// list or of a case's list.
func taskCursorOf(cursor string, state TaskState) (TaskPosition, error) {
	parts, ok := cursorParts(cursor, 3)
	if !ok {
		return TaskPosition{}, badCursor()
	}
	p, ok := positionOf(parts, state)
	if !ok {
		return TaskPosition{}, badCursor()
	}
	return p, nil
}

// caseTaskCursorOf reads a CaseTaskCursor of the case's list of tasks in
// state ("": all). Errors: Invalid (field cursor), also for a cursor of
// another case's list, of another state's, or of the caller's task list.
func caseTaskCursorOf(cursor, caseID string, state TaskState) (TaskPosition, error) {
	parts, ok := cursorParts(cursor, 5)
	if !ok || parts[0] != caseCursorMark || parts[1] != caseID {
		return TaskPosition{}, badCursor()
	}
	p, ok := positionOf(parts[2:], state)
	if !ok {
		return TaskPosition{}, badCursor()
	}
	return p, nil
}

// CaseState is the state a case is listed under: open, closed, or
// canceled (a canceled case is closed too).
type CaseState string

// The case states.
const (
	CaseOpen     CaseState = "open"
	CaseClosed   CaseState = "closed"
	CaseCanceled CaseState = "canceled"
)

// State is the state the case is listed under.
func (c Case) State() CaseState {
	switch {
	case c.Canceled:
		return CaseCanceled
	case c.Closed:
		return CaseClosed
	}
	return CaseOpen
}

// States are the case states the filter keeps: closed true keeps closed
// and canceled cases, false open ones; canceled true keeps canceled cases,
// false open and closed ones.
func (f CaseFilter) States() []CaseState {
	var out []CaseState
	for _, s := range []CaseState{CaseOpen, CaseClosed, CaseCanceled} {
		closed, canceled := s != CaseOpen, s == CaseCanceled
		if (f.Closed == nil || *f.Closed == closed) && (f.Canceled == nil || *f.Canceled == canceled) {
			out = append(out, s)
		}
	}
	return out
}

// CaseCursor is the cursor of a case list that goes on after the case
// (case lists are in descending order of id, which begins with the
// creation time: see ids.New).
func CaseCursor(c Case) string { return c.ID }
