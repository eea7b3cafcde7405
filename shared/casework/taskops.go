package casework

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/effektif-serverless/caseflow/shared/failure"
	"github.com/effektif-serverless/caseflow/shared/identity"
	"github.com/effektif-serverless/caseflow/shared/ids"
)

// Bounds of task lists and task fields.
const (
	MaxTasksListed = 500
	MaxCandidates  = 50
	MaxSubtasks    = 200
	MaxGroupLists  = 20
	// MaxParticipantCases bounds the cases whose tasks involvement
	// participant lists: the caller's newest; of each its first
	// MaxParticipantCaseTasks tasks.
	MaxParticipantCases     = 20
	MaxParticipantCaseTasks = 100
)

// NewTask is a task to create: standalone, in a case (CaseID) or as a
// subtask (ParentID; it then joins the parent's case).
type NewTask struct {
	Name              string
	Description       string
	AssigneeID        string
	CandidateIDs      []string
	CandidateGroupIDs []string
	CaseID            string
	ParentID          string
	DueDate           time.Time
	Properties        map[string]json.RawMessage
}

// TaskChanges are the fields of a task that may change; nil leaves a field.
type TaskChanges struct {
	Name              *string
	Description       *string
	AssigneeID        *string
	CandidateIDs      *[]string
	CandidateGroupIDs *[]string
	DueDate           *time.Time
	Properties        map[string]json.RawMessage
}

// checkPeople checks a task's people: the assignee and candidates are
// members of the organization, the candidate groups its groups. Errors:
// Invalid naming the field.
func (s *Service) checkPeople(ctx context.Context, orgID, assignee string, candidates, groups []string) error {
	if len(candidates) > MaxCandidates {
		return failure.Field("candidateIds", "a task has at most %d candidates", MaxCandidates)
	}
	if len(groups) > MaxCandidateGroups {
		return failure.Field("candidateGroupIds", "a task has at most %d candidate groups", MaxCandidateGroups)
	}
	if assignee != "" {
		if err := s.checkUsers(ctx, orgID, "assigneeId", []string{assignee}); err != nil {
			return err
		}
	}
	if err := s.checkUsers(ctx, orgID, "candidateIds", candidates); err != nil {
		return err
	}
	return s.checkGroups(ctx, orgID, "candidateGroupIds", groups)
}

// taskByID reads a task of the organization. Errors: NotFound.
func (s *Service) taskByID(ctx context.Context, orgID, id string) (Task, error) {
	if !ids.Valid(id) {
		return Task{}, failure.New(failure.NotFound, "no such task")
	}
	return s.Store.GetTask(ctx, orgID, id)
}

// CreateTask creates a task. In a case it joins the case's task list; as a
// subtask it joins its parent's subtasks and case. Permission: members.
// Errors: Invalid (bad fields, people who are not members, an unknown case
// or parent), Conflict.
func (s *Service) CreateTask(ctx context.Context, a identity.Access, nt NewTask) (Task, error) {
	org := a.Organization
	if err := validateCaseText(nt.Name, nt.Description); err != nil {
		return Task{}, err
	}
	if strings.TrimSpace(nt.Name) == "" {
		return Task{}, failure.Field("name", "name is required")
	}
	if err := checkProperties(nt.Properties); err != nil {
		return Task{}, err
	}
	if err := s.checkPeople(ctx, org.ID, nt.AssigneeID, nt.CandidateIDs, nt.CandidateGroupIDs); err != nil {
		return Task{}, err
	}
	var created Task
	err := s.retry(func() error {
		now := s.now()
		t := Task{
			ID: ids.New(), OrganizationID: org.ID, Name: nt.Name, Description: nt.Description, CreatorID: a.UserID,
			CreateTime: now, LastUpdated: now, AssigneeID: nt.AssigneeID, CandidateIDs: nt.CandidateIDs,
			CandidateGroupIDs: nt.CandidateGroupIDs, CaseID: nt.CaseID, ParentID: nt.ParentID, DueDate: nt.DueDate,
			Properties: nt.Properties, Version: 1,
		}
		ch := Changes{OrganizationID: org.ID}
		if t.ParentID != "" {
			parent, err := s.taskByID(ctx, org.ID, t.ParentID)
			if err != nil {
				return failure.Field("parentId", "no parent task %q", t.ParentID)
			}
			if len(parent.SubtaskIDs) >= MaxSubtasks {
				return failure.Field("parentId", "a task has at most %d subtasks", MaxSubtasks)
			}
			if t.CaseID == "" {
				t.CaseID = parent.CaseID
			} else if t.CaseID != parent.CaseID {
				return failure.Field("caseId", "a subtask belongs to its parent's case")
			}
			prev := parent
			parent.SubtaskIDs = append(parent.SubtaskIDs, t.ID)
			parent.Version++
			ch.Tasks = append(ch.Tasks, TaskWrite{Task: parent, Previous: &prev})
		}
		if t.CaseID != "" {
			c, err := s.caseByID(ctx, org.ID, t.CaseID)
			if err != nil {
				return failure.Field("caseId", "no case %q", t.CaseID)
			}
			if c.Closed {
				return failure.New(failure.Conflict, "the case is closed")
			}
			prev := c
			c.TaskIDs = append(c.TaskIDs, t.ID)
			c.ParticipantIDs = withUser(c.ParticipantIDs, a.UserID)
			c.Version++
			c.LastUpdated = now
			ch.Cases = append(ch.Cases, CaseWrite{Case: c, Previous: &prev})
			ch.Events = append(ch.Events, s.event(c.ID, EventTaskCreated, fmt.Sprintf("created the task %q", t.Name), a.UserID, t.ID, nil))
		}
		ch.Tasks = append(ch.Tasks, TaskWrite{Task: t, New: true})
		if err := s.Store.Commit(ctx, ch); err != nil {
			return err
		}
		created = t
		return nil
	})
	return created, err
}

// TaskDetail is a task with its subtasks.
type TaskDetail struct {
	Task
	Subtasks []Task
}

// Task returns a task with its subtasks. Permission: members. Errors: NotFound.
func (s *Service) Task(ctx context.Context, a identity.Access, id string) (TaskDetail, error) {
	org := a.Organization
	t, err := s.taskByID(ctx, org.ID, id)
	if err != nil {
		return TaskDetail{}, err
	}
	return s.taskDetail(ctx, t)
}

func (s *Service) taskDetail(ctx context.Context, t Task) (TaskDetail, error) {
	d := TaskDetail{Task: t}
	if len(t.SubtaskIDs) > 0 {
		subs, err := s.Store.GetTasks(ctx, t.OrganizationID, t.SubtaskIDs)
		if err != nil {
			return TaskDetail{}, err
		}
		order := map[string]int{}
		for i, id := range t.SubtaskIDs {
			order[id] = i
		}
		sort.Slice(subs, func(i, j int) bool { return order[subs[i].ID] < order[subs[j].ID] })
		d.Subtasks = subs
	}
	return d, nil
}

// Due-date ranges of the task list's dueDate parameter.
const (
	DueOverdue  = "OVERDUE"
	DueToday    = "TODAY"
	DueThisWeek = "THIS_WEEK"
	DueLater    = "LATER"
	DueNotDue   = "NOT_DUE"
)

// TaskQuery selects the caller's tasks for Tasks.
type TaskQuery struct {
	// Involvement keeps tasks the caller is involved in in one of these
	// ways; empty means assigned or candidate.
	Involvement []Involvement
	// DueDate keeps tasks in one of these ranges (Due* constants).
	DueDate []string
	// Process keeps tasks of one workflow (its editor workflow id, or a
	// version id).
	Process   string
	Completed *bool
	// Cursor continues a list after the page that gave it (TaskPage.Next,
	// TaskCursor); PageSize bounds the page (MaxTasksListed when 0 or more).
	Cursor   string
	PageSize int
}

func (q TaskQuery) validate() error {
	for _, i := range q.Involvement {
		switch i {
		case Assigned, Candidate, Created, Participant:
		default:
			return failure.Field("involvement", "involvement %q is not one of assigned, candidate, created, participant", i)
		}
	}
	for _, d := range q.DueDate {
		switch d {
		case DueOverdue, DueToday, DueThisWeek, DueLater, DueNotDue:
		default:
			return failure.Field("dueDate", "dueDate %q is not one of OVERDUE, TODAY, THIS_WEEK, LATER, NOT_DUE", d)
		}
	}
	return nil
}

// TaskPage is a page of the caller's tasks. Next is the cursor of the next
// page; "" on the last one.
type TaskPage struct {
	Tasks []Task
	Next  string
}

// MaxTasksScanned bounds the list entries one page of tasks reads when the
// filters no list key serves (dueDate, process) leave most of them out: the
// page then ends short, with a cursor to go on from.
const MaxTasksScanned = 4 * MaxTasksListed

// Tasks lists a page of the caller's tasks: open ones first, then
// completed ones (completed true or false keeps only the completed or the
// open ones), newest first within each, each once. Every involvement has
// lists of its own (see Task.InvolvementLists; canceled tasks are in
// none): assigned and created the caller's; candidate the caller's, one
// per group of the caller (at most MaxGroupLists) and, for open tasks, the
// organization's list of unclaimed tasks (open, no assignee, no
// candidates: every member is their candidate, see Task.Unclaimed);
// participant the caller's and, decision, the tasks of the caller's newest
// MaxParticipantCases cases (from the caller's case list, one Query and one
// batch read, then one Query per case, at most MaxParticipantCaseTasks
// tasks each): the caller participates in every task of a case they
// participate in (the case's participantIds: its creator, the members
// named, who starts its workflow or adds a task to it). The lists are read
// in rounds of one Query each, run at once and merged (one round unless
// dueDate or process leave entries out); a page is full unless the lists
// end or MaxTasksScanned entries were read. Permission: members. Errors:
// Invalid for unknown involvement or due-date values, or a cursor this
// list did not give.
func (s *Service) Tasks(ctx context.Context, a identity.Access, q TaskQuery) (TaskPage, error) {
	plan, err := planTasks(q, a.UserID, a.Membership.GroupIDs)
	if err != nil {
		return TaskPage{}, err
	}
	return s.listTasks(ctx, a, plan, nil)
}

// CallerTasks is Tasks for the caller in the organization with the key,
// with the tenant check made here: the first read of the caller's lists
// runs at once with it (identity.Service.ResolveReadingAhead) when the
// query needs no case tasks; a member in groups has the lists read again
// with the group lists. Permission and errors: as Resolve, then Tasks.
func (s *Service) CallerTasks(ctx context.Context, c identity.Caller, orgKey string, q TaskQuery) (TaskPage, error) {
	plan, err := planTasks(q, c.UserID, nil)
	if err != nil || plan.participant {
		a, err := s.Identity.Resolve(ctx, c, orgKey)
		if err != nil {
			return TaskPage{}, err
		}
		return s.Tasks(ctx, a, q)
	}
	var first tasksBatch
	a, ahead, err := s.Identity.ResolveReadingAhead(ctx, c, orgKey, func(orgID string) {
		first.tasks, first.more, first.err = s.Store.InvolvedTasks(ctx, orgID, plan.lists, plan.state, plan.after, plan.ask(0))
	})
	if err != nil {
		return TaskPage{}, err
	}
	if !ahead || first.err != nil || len(a.Membership.GroupIDs) > 0 && involvedAs([]Involvement{Candidate}, plan.want) {
		return s.Tasks(ctx, a, q)
	}
	return s.listTasks(ctx, a, plan, &first)
}

// taskPlan is a task query made ready: its page size, the state and
// position it starts at, the lists it reads.
type taskPlan struct {
	q           TaskQuery
	want        []Involvement
	size        int
	state       TaskState
	after       TaskPosition
	lists       []string
	filtered    bool // by dueDate or process, which no list serves
	participant bool // with the tasks of the caller's cases
}

// ask is how many entries a round reads when the page holds have.
func (p taskPlan) ask(have int) int {
	if p.filtered {
		return p.size
	}
	return p.size - have
}

func planTasks(q TaskQuery, userID string, groupIDs []string) (taskPlan, error) {
	if err := q.validate(); err != nil {
		return taskPlan{}, err
	}
	p := taskPlan{q: q, want: q.Involvement, size: q.PageSize, state: stateFor(q.Completed), filtered: len(q.DueDate) > 0 || q.Process != ""}
	if len(p.want) == 0 {
		p.want = []Involvement{Assigned, Candidate}
	}
	if p.size <= 0 || p.size > MaxTasksListed {
		p.size = MaxTasksListed
	}
	if q.Cursor != "" {
		var err error
		if p.after, err = taskCursorOf(q.Cursor, p.state); err != nil {
			return taskPlan{}, err
		}
	}
	p.participant = involvedAs([]Involvement{Participant}, p.want)
	p.lists = involvementLists(p.want, userID, groupIDs, p.state)
	return p, nil
}

// tasksBatch is one round's read of the lists.
type tasksBatch struct {
	tasks []Task
	more  bool
	err   error
}

// listTasks reads the plan's page in rounds; first, when not nil, is the
// first round, read before.
func (s *Service) listTasks(ctx context.Context, a identity.Access, plan taskPlan, first *tasksBatch) (TaskPage, error) {
	var extra []Task // the tasks of the caller's cases, in list order
	if plan.participant {
		var err error
		if extra, err = s.participantCaseTasks(ctx, a.Organization.ID, a.UserID); err != nil {
			return TaskPage{}, err
		}
	}
	now := s.now()
	q := plan.q
	keep := func(t Task) bool {
		return dueIn(t.DueDate, q.DueDate, now) && (q.Process == "" || t.SourceWorkflowID == q.Process || t.WorkflowID == q.Process)
	}
	var page TaskPage
	after, scanned := plan.after, 0
	for {
		var batch []Task
		var more bool
		if first != nil {
			batch, more, first = first.tasks, first.more, nil
		} else {
			var err error
			if batch, more, err = s.Store.InvolvedTasks(ctx, a.Organization.ID, plan.lists, plan.state, after, plan.ask(len(page.Tasks))); err != nil {
				return TaskPage{}, err
			}
		}
		var end TaskPosition // the end of what the lists cover so far
		if more && len(batch) > 0 {
			end = batch[len(batch)-1].Position()
		}
		batch = mergeTasks(batch, tasksBetween(extra, plan.state, after, end))
		for i, t := range batch {
			scanned++
			if keep(t) {
				page.Tasks = append(page.Tasks, t)
			}
			last := i == len(batch)-1 && !more
			if !last && (len(page.Tasks) == plan.size || scanned >= MaxTasksScanned) {
				page.Next = TaskCursor(t)
				return page, nil
			}
		}
		if !more || len(batch) == 0 {
			return page, nil
		}
		after = batch[len(batch)-1].Position()
	}
}

// involvementLists names the lists of the tasks in state ("": all) the
// user is involved in in one of the ways wanted.
func involvementLists(want []Involvement, userID string, groupIDs []string, state TaskState) []string {
	var lists []string
	for _, inv := range []Involvement{Assigned, Candidate, Created, Participant} {
		if !involvedAs([]Involvement{inv}, want) {
			continue
		}
		lists = append(lists, InvolvementList(inv, userID))
		if inv != Candidate {
			continue
		}
		for i, gid := range groupIDs {
			if i >= MaxGroupLists {
				break
			}
			lists = append(lists, GroupList(gid))
		}
		if state == TaskOpen || state == "" {
			lists = append(lists, UnclaimedPrincipal) // open tasks only
		}
	}
	return lists
}

// participantCaseTasks are the tasks of the user's newest
// MaxParticipantCases cases, newest first.
func (s *Service) participantCaseTasks(ctx context.Context, orgID, userID string) ([]Task, error) {
	cases, err := s.Store.ParticipantCases(ctx, orgID, userID, MaxParticipantCases)
	if err != nil {
		return nil, err
	}
	var out []Task
	for _, c := range cases {
		more, _, err := s.Store.CaseTasks(ctx, orgID, c.ID, "", TaskPosition{}, MaxParticipantCaseTasks)
		if err != nil {
			return nil, err
		}
		out = append(out, more...)
	}
	sort.Slice(out, func(i, j int) bool { return out[j].Position().before(out[i].Position()) })
	return out, nil
}

// tasksBetween are the tasks (in list order, canceled ones left out as the
// involvement lists leave them out) in state ("": all) that come
// after the position after (all when it is zero) and not after end (all
// when it is zero).
func tasksBetween(tasks []Task, state TaskState, after, end TaskPosition) []Task {
	var out []Task
	for _, t := range tasks {
		p := t.Position()
		if !t.Canceled && (state == "" || p.State == state) && (after.IsZero() || p.before(after)) && (end.IsZero() || !p.before(end)) {
			out = append(out, t)
		}
	}
	return out
}

// mergeTasks merges two lists of tasks in descending order of position,
// each task once.
func mergeTasks(a, b []Task) []Task {
	if len(b) == 0 {
		return a
	}
	out := make([]Task, 0, len(a)+len(b))
	for len(a) > 0 || len(b) > 0 {
		var t Task
		switch {
		case len(b) == 0 || len(a) > 0 && b[0].Position().before(a[0].Position()):
			t, a = a[0], a[1:]
		default:
			t, b = b[0], b[1:]
		}
		if n := len(out); n == 0 || out[n-1].ID != t.ID {
			out = append(out, t)
		}
	}
	return out
}

func indexOf[T comparable](list []T, v T) int {
	for i, x := range list {
		if x == v {
			return i
		}
	}
	return -1
}

func involvedAs(have, want []Involvement) bool {
	for _, h := range have {
		for _, w := range want {
			if h == w {
				return true
			}
		}
	}
	return false
}

// dueIn reports whether a due date falls in one of the ranges (all when
// there are none): overdue before today, today, this week from tomorrow to
// next Monday, later from next Monday, not due without a date. Days are UTC.
func dueIn(due time.Time, ranges []string, now time.Time) bool {
	if len(ranges) == 0 {
		return true
	}
	today := now.Truncate(24 * time.Hour)
	tomorrow := today.AddDate(0, 0, 1)
	nextMonday := today.AddDate(0, 0, (8-int(today.Weekday()))%7)
	if !nextMonday.After(today) {
		nextMonday = nextMonday.AddDate(0, 0, 7)
	}
	for _, r := range ranges {
		var in bool
		switch r {
		case DueNotDue:
			in = due.IsZero()
		case DueOverdue:
			in = !due.IsZero() && due.Before(today)
		case DueToday:
			in = !due.IsZero() && !due.Before(today) && due.Before(tomorrow)
		case DueThisWeek:
			in = !due.IsZero() && !due.Before(tomorrow) && due.Before(nextMonday)
		case DueLater:
			in = !due.IsZero() && !due.Before(nextMonday)
		}
		if in {
			return true
		}
	}
	return false
}

// changeTask applies fn to a task and commits it with what fn adds, on
// condition of its version, retrying a lost race.
func (s *Service) changeTask(ctx context.Context, a identity.Access, id string, fn func(t *Task, m identity.Membership, ch *Changes) error) (Task, error) {
	org, m := a.Organization, a.Membership
	var changed Task
	err := s.retry(func() error {
		t, err := s.taskByID(ctx, org.ID, id)
		if err != nil {
			return err
		}
		prev := t
		ch := Changes{OrganizationID: org.ID}
		if err := fn(&t, m, &ch); err != nil {
			return err
		}
		t.Version++
		t.LastUpdated = s.now()
		ch.Tasks = append([]TaskWrite{{Task: t, Previous: &prev}}, ch.Tasks...)
		if err := s.Store.Commit(ctx, ch); err != nil {
			return err
		}
		changed = t
		return nil
	})
	return changed, err
}

// UpdateTask changes a task's fields: name, description, assignee,
// candidates, due date, properties. A change of assignee is a taskAssigned
// event in the task's case. Permission: members; reassigning (a change of
// assignee, candidates or candidate groups) only those who may work on the
// task as it is (see mayWork): its assignee, the candidates of an
// unassigned task (a candidate user or a member of a candidate group; any
// member when it has none), and admins. Errors: NotFound, Forbidden,
// Invalid (people or groups not of the organization), Conflict.
func (s *Service) UpdateTask(ctx context.Context, a identity.Access, id string, c TaskChanges) (TaskDetail, error) {
	if err := checkProperties(c.Properties); err != nil {
		return TaskDetail{}, err
	}
	t, err := s.changeTask(ctx, a, id, func(t *Task, m identity.Membership, ch *Changes) error {
		if c.Name != nil {
			if strings.TrimSpace(*c.Name) == "" {
				return failure.Field("name", "name must not be empty")
			}
			t.Name = *c.Name
		}
		if c.Description != nil {
			t.Description = *c.Description
		}
		if err := validateCaseText(t.Name, t.Description); err != nil {
			return err
		}
		assignee, candidates, groups := t.AssigneeID, t.CandidateIDs, t.CandidateGroupIDs
		if c.AssigneeID != nil {
			assignee = *c.AssigneeID
		}
		if c.CandidateIDs != nil {
			candidates = *c.CandidateIDs
		}
		if c.CandidateGroupIDs != nil {
			groups = *c.CandidateGroupIDs
		}
		if (assignee != t.AssigneeID || !sameIDs(candidates, t.CandidateIDs) || !sameIDs(groups, t.CandidateGroupIDs)) && !mayWork(*t, m) {
			return failure.New(failure.Forbidden, "only the assignee, a candidate of an unassigned task or an admin may reassign the task")
		}
		if err := s.checkPeople(ctx, t.OrganizationID, assignee, candidates, groups); err != nil {
			return err
		}
		if assignee != t.AssigneeID && t.CaseID != "" {
			ch.Events = append(ch.Events, s.event(t.CaseID, EventTaskAssigned, fmt.Sprintf("assigned the task %q", t.Name), m.UserID, t.ID, map[string]string{"assigneeId": assignee}))
		}
		if assignee != "" {
			t.ParticipantIDs = withUser(t.ParticipantIDs, assignee)
		}
		t.AssigneeID, t.CandidateIDs, t.CandidateGroupIDs = assignee, candidates, groups
		if c.DueDate != nil {
			t.DueDate = *c.DueDate
		}
		if c.Properties != nil {
			t.Properties = c.Properties
		}
		return nil
	})
	if err != nil {
		return TaskDetail{}, err
	}
	return s.taskDetail(ctx, t)
}

// mayWork reports whether the member may complete the task: its assignee;
// when unassigned, its candidates, or anyone when it has none; admins always.
func mayWork(t Task, m identity.Membership) bool {
	switch {
	case m.IsAdmin() || t.AssigneeID == m.UserID:
		return true
	case t.AssigneeID != "":
		return false
	case len(t.CandidateIDs) > 0 || len(t.CandidateGroupIDs) > 0:
		return contains(t.CandidateIDs, m.UserID) || overlaps(t.CandidateGroupIDs, m.GroupIDs)
	default:
		return true
	}
}

// ReopenTask makes a completed standalone task open again. Permission: as
// completing it. Errors: NotFound, Forbidden, Conflict (not completed, a
// workflow task, canceled, or in a closed case).
func (s *Service) ReopenTask(ctx context.Context, a identity.Access, id string) (TaskDetail, error) {
	t, err := s.changeTask(ctx, a, id, func(t *Task, m identity.Membership, ch *Changes) error {
		switch {
		case t.Canceled:
			return failure.New(failure.Conflict, "the task was canceled")
		case !t.Completed:
			return failure.New(failure.Conflict, "the task is not completed")
		case t.FromWorkflow():
			return failure.New(failure.Conflict, "a task of a workflow cannot be reopened: its workflow has moved on")
		case !mayWork(*t, m):
			return failure.New(failure.Forbidden, "only the assignee, a candidate or an admin may reopen the task")
		}
		if t.CaseID != "" {
			c, err := s.caseByID(ctx, t.OrganizationID, t.CaseID)
			if err == nil && c.Closed {
				return failure.New(failure.Conflict, "the task's case is closed")
			}
			ch.Events = append(ch.Events, s.event(t.CaseID, EventTaskReopened, fmt.Sprintf("reopened the task %q", t.Name), m.UserID, t.ID, nil))
		}
		t.Completed = false
		return nil
	})
	if err != nil {
		return TaskDetail{}, err
	}
	return s.taskDetail(ctx, t)
}

// DeleteTask deletes a standalone task (and detaches it from its case and
// parent). Tasks of workflows end with their workflow, not by deletion.
// Permission: the creator and admins. Errors: NotFound, Forbidden,
// Conflict (a workflow task, or concurrent change).
func (s *Service) DeleteTask(ctx context.Context, a identity.Access, id string) error {
	org, m := a.Organization, a.Membership
	t, err := s.taskByID(ctx, org.ID, id)
	if err != nil {
		return err
	}
	if t.FromWorkflow() && t.Open() {
		return failure.New(failure.Conflict, "an open task of a workflow cannot be deleted; cancel its case instead")
	}
	if t.CreatorID != m.UserID && !m.IsAdmin() {
		return failure.New(failure.Forbidden, "only the creator of the task or an admin may delete it")
	}
	ch := Changes{OrganizationID: org.ID, Tasks: []TaskWrite{{Task: t, Previous: &t, Delete: true}}}
	if t.ParentID != "" {
		if parent, err := s.taskByID(ctx, org.ID, t.ParentID); err == nil {
			prev := parent
			parent.SubtaskIDs = without(parent.SubtaskIDs, t.ID)
			parent.Version++
			ch.Tasks = append(ch.Tasks, TaskWrite{Task: parent, Previous: &prev})
		}
	}
	if t.CaseID != "" {
		if c, err := s.caseByID(ctx, org.ID, t.CaseID); err == nil {
			prev := c
			c.TaskIDs = without(c.TaskIDs, t.ID)
			c.Version++
			ch.Cases = append(ch.Cases, CaseWrite{Case: c, Previous: &prev})
			ch.Events = append(ch.Events, s.event(c.ID, EventTaskDeleted, fmt.Sprintf("deleted the task %q", t.Name), m.UserID, t.ID, nil))
		}
	}
	return s.Store.Commit(ctx, ch)
}

// sameIDs reports whether two id lists hold the same ids, in any order.
func sameIDs(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !contains(b, a[i]) || !contains(a, b[i]) {
			return false
		}
	}
	return true
}

func without(list []string, s string) []string {
	out := make([]string, 0, len(list))
	for _, x := range list {
		if x != s {
			out = append(out, x)
		}
	}
	return out
}
