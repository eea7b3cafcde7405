package casework

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/effektif-serverless/caseflow/shared/engine"
	"github.com/effektif-serverless/caseflow/shared/failure"
	"github.com/effektif-serverless/caseflow/shared/identity"
	"github.com/effektif-serverless/caseflow/shared/ids"
)

// Bounds of case lists.
const (
	MaxCasesListed     = 500
	MaxCaseTasksListed = 500
	DetailEvents       = 50
	MaxCommentLength   = 10000
	MaxProperties      = 64 * 1024
	MaxParticipants    = 200
)

// NewCase is a case to create directly.
type NewCase struct {
	Name           string
	Description    string
	DueDate        time.Time
	Priority       *float64
	ParticipantIDs []string
	Properties     map[string]json.RawMessage
	// Trigger, when set, starts a workflow instance for the case (whether
	// or not the workflow enables cases).
	Trigger *TriggerRequest
}

// CaseChanges are the fields of a case that may change; nil leaves a field.
type CaseChanges struct {
	Name           *string
	Description    *string
	DueDate        *time.Time
	Priority       *float64
	ParticipantIDs *[]string
	Properties     map[string]json.RawMessage
}

func checkProperties(p map[string]json.RawMessage) error {
	n := 0
	for k, v := range p {
		n += len(k) + len(v)
	}
	if n > MaxProperties {
		return failure.Field("properties", "properties are larger than %d bytes", MaxProperties)
	}
	return nil
}

func validateCaseText(name, description string) error {
	if err := identity.ValidateName("name", name); err != nil {
		return err
	}
	return validateText("description", description, MaxCommentLength)
}

// validateText checks a text that a person wrote and others read
// (comments, descriptions, commit messages), whatever the request's format:
// valid UTF-8, at most max bytes, and no control characters but tab, line
// feed and carriage return (so no NUL). Errors: Invalid naming field.
func validateText(field, value string, max int) error {
	if len(value) > max {
		return failure.Field(field, "%s is longer than %d bytes", field, max)
	}
	if !utf8.ValidString(value) {
		return failure.Field(field, "%s is not valid UTF-8", field)
	}
	for _, r := range value {
		if (r < 0x20 && r != '\t' && r != '\n' && r != '\r') || r == 0x7f {
			return failure.Field(field, "%s contains control characters (such as NUL)", field)
		}
	}
	return nil
}

// event makes a case event.
func (s *Service) event(caseID, typ, name, userID, taskID string, data any) Event {
	e := Event{ID: ids.New(), CaseID: caseID, Type: typ, Name: name, Time: s.now(), UserID: userID, TaskID: taskID}
	if data != nil {
		e.Data, _ = json.Marshal(data)
	}
	return e
}

// CreateCase creates a case, directly or (nc.Trigger) by starting a
// workflow, and returns its detail: with a trigger, the tasks and events
// the start made, as Case answers them. Permission: members. Errors:
// Invalid (bad fields, participants who are not members), NotFound (the
// trigger's workflow).
func (s *Service) CreateCase(ctx context.Context, a identity.Access, nc NewCase) (CaseDetail, error) {
	var written Changes
	c, err := s.createCase(ctx, a, nc, &written)
	if err != nil {
		return CaseDetail{}, err
	}
	// The detail is what was written (a list read of the index that
	// holds the case's tasks could lag behind it).
	d := CaseDetail{Case: c}
	for _, w := range written.Tasks {
		if w.Task.CaseID == c.ID && !w.Delete {
			d.Tasks = append(d.Tasks, w.Task)
		}
	}
	for i := len(written.Events) - 1; i >= 0 && len(d.Events) < DetailEvents; i-- {
		if e := written.Events[i]; e.CaseID == c.ID {
			d.Events = append(d.Events, e)
		}
	}
	if c.SourceWorkflowID != "" {
		if w, err := s.Store.GetEditorWorkflow(ctx, c.OrganizationID, c.SourceWorkflowID); err == nil {
			d.SourceWorkflow = &w
		} else if !failure.Is(err, failure.NotFound) {
			return CaseDetail{}, err
		}
	}
	return d, nil
}

// createCase creates the case and sets *written to what it committed.
func (s *Service) createCase(ctx context.Context, a identity.Access, nc NewCase, written *Changes) (Case, error) {
	org, m := a.Organization, a.Membership
	if err := validateCaseText(nc.Name, nc.Description); err != nil {
		return Case{}, err
	}
	if err := checkProperties(nc.Properties); err != nil {
		return Case{}, err
	}
	if len(nc.ParticipantIDs) > MaxParticipants {
		return Case{}, failure.Field("participantIds", "a case has at most %d participants", MaxParticipants)
	}
	if err := s.checkUsers(ctx, org.ID, "participantIds", nc.ParticipantIDs); err != nil {
		return Case{}, err
	}
	if nc.Trigger != nil {
		return s.caseOfWorkflow(ctx, org.ID, m, nc, written)
	}
	now := s.now()
	c := Case{
		ID: ids.New(), OrganizationID: org.ID, Name: nc.Name, Description: nc.Description, CreatorID: a.UserID,
		CreateTime: now, LastUpdated: now, DueDate: nc.DueDate, Priority: nc.Priority,
		ParticipantIDs: withUser(nc.ParticipantIDs, a.UserID), Properties: nc.Properties, Version: 1,
	}
	*written = Changes{
		Cases:          []CaseWrite{{Case: c, New: true}},
		Events:         []Event{s.event(c.ID, EventCaseCreated, "created the case", a.UserID, "", nil)},
		Counts:         &CountsDelta{Total: 1, Open: 1},
		OrganizationID: org.ID,
	}
	return c, s.Store.Commit(ctx, *written)
}

// caseOfWorkflow starts the trigger's workflow with a case that takes the
// NewCase's fields.
func (s *Service) caseOfWorkflow(ctx context.Context, orgID string, m identity.Membership, nc NewCase, written *Changes) (Case, error) {
	callerID := m.UserID
	t := nc.Trigger
	if t.WorkflowInstanceID != "" {
		return Case{}, failure.Field("workflowInstanceId", "the id of a new instance is chosen by the server")
	}
	v, err := s.startableVersion(ctx, orgID, m, t.WorkflowID, t.SourceWorkflowID, new(editorRead))
	if err != nil {
		return Case{}, err
	}
	p := s.newProgress(ctx, orgID, callerID)
	caseID := ids.New()
	if _, err := p.start(v, engine.Trigger{Data: t.Data, BusinessKey: t.BusinessKey, StartActivityIDs: t.StartActivityIDs, CaseID: caseID}, 0); err != nil {
		return Case{}, err
	}
	tc := p.cases[caseID]
	if tc == nil {
		return Case{}, failure.New(failure.Internal, "the workflow started without its case")
	}
	c := &tc.c
	if nc.Name != "" {
		c.Name = nc.Name
	}
	c.Description, c.DueDate, c.Priority, c.Properties = nc.Description, nc.DueDate, nc.Priority, nc.Properties
	for _, id := range nc.ParticipantIDs {
		c.ParticipantIDs = withUser(c.ParticipantIDs, id)
	}
	if err := p.commit(); err != nil {
		return Case{}, err
	}
	*written = p.ch
	return *c, nil
}

func withUser(ids []string, id string) []string {
	if contains(ids, id) {
		return ids
	}
	return append(append([]string{}, ids...), id)
}

// caseByID reads a case of the organization. Errors: NotFound.
func (s *Service) caseByID(ctx context.Context, orgID, id string) (Case, error) {
	if !ids.Valid(id) {
		return Case{}, failure.New(failure.NotFound, "no such case")
	}
	return s.Store.GetCase(ctx, orgID, id)
}

// CaseDetail is a case with what its page shows.
type CaseDetail struct {
	Case
	// Tasks are the first MaxCaseTasksListed of the case's tasks in list
	// order (open, completed, canceled, newest first in each); MoreTasks
	// tells that the case has more (the paged list CaseTasks has them all).
	Tasks          []Task
	MoreTasks      bool
	Events         []Event
	SourceWorkflow *EditorWorkflow
}

// Case returns a case with its tasks, latest events and source workflow.
// Permission: members. Errors: NotFound.
func (s *Service) Case(ctx context.Context, a identity.Access, id string) (CaseDetail, error) {
	org := a.Organization
	c, err := s.caseByID(ctx, org.ID, id)
	if err != nil {
		return CaseDetail{}, err
	}
	return s.caseDetail(ctx, c)
}

// CallerCase is Case for the caller in the organization with the key, with
// the tenant check made here: the case is read at once with it
// (identity.Service.ResolveReadingAhead). Permission and errors: as
// Resolve, then Case.
func (s *Service) CallerCase(ctx context.Context, c identity.Caller, orgKey, id string) (identity.Access, CaseDetail, error) {
	var found Case
	var readErr error
	a, ahead, err := s.Identity.ResolveReadingAhead(ctx, c, orgKey, func(orgID string) {
		found, readErr = s.caseByID(ctx, orgID, id)
	})
	if err != nil {
		return identity.Access{}, CaseDetail{}, err
	}
	if !ahead {
		d, err := s.Case(ctx, a, id)
		return a, d, err
	}
	if readErr != nil {
		return identity.Access{}, CaseDetail{}, readErr
	}
	d, err := s.caseDetail(ctx, found)
	return a, d, err
}

// caseDetail reads the case's tasks, latest events and source workflow,
// the three reads at once.
func (s *Service) caseDetail(ctx context.Context, c Case) (CaseDetail, error) {
	d := CaseDetail{Case: c}
	err := concurrently(
		func() (err error) {
			d.Tasks, d.MoreTasks, err = s.Store.CaseTasks(ctx, c.OrganizationID, c.ID, "", TaskPosition{}, MaxCaseTasksListed)
			return err
		},
		func() (err error) {
			d.Events, err = s.Store.ListEvents(ctx, c.ID, "", "", Page{PageSize: DetailEvents})
			return err
		},
		func() error {
			if c.SourceWorkflowID == "" {
				return nil
			}
			w, err := s.Store.GetEditorWorkflow(ctx, c.OrganizationID, c.SourceWorkflowID)
			if err == nil {
				d.SourceWorkflow = &w
			}
			if failure.Is(err, failure.NotFound) {
				return nil
			}
			return err
		})
	if err != nil {
		return CaseDetail{}, err
	}
	return d, nil
}

// concurrently runs the reads at once and returns the first error (in the
// order given) once all have ended.
func concurrently(reads ...func() error) error {
	errs := make([]error, len(reads))
	var wg sync.WaitGroup
	for i, read := range reads {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = read()
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// CaseQuery selects cases for Cases.
type CaseQuery struct {
	SourceWorkflowID string
	Closed           *bool
	Canceled         *bool
	// WorkflowDeleted keeps only cases whose source workflow was (true) or
	// was not (false) deleted; cases without a workflow count as not deleted.
	WorkflowDeleted *bool
	// Sorting is a field name, "-" first for descending: createTime
	// (default: -createTime), lastUpdated, name, dueDate, priority.
	Sorting string
	// Cursor continues a list after the page that gave it (CasePage.Next,
	// CaseCursor); PageSize bounds the page (MaxCasesListed when 0 or more).
	Cursor   string
	PageSize int
}

// CasePage is a page of a case list. Cases are in list order (descending
// id: by creation, see ids.New); Order gives them in the order the query
// asked for. Next is the cursor of the next page; "" on the last one.
type CasePage struct {
	Cases []Case
	Next  string
	less  func(a, b Case) bool
}

// Order returns the indexes of the page's first n cases (in list order)
// in the order the query asked for.
func (p CasePage) Order(n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = i
	}
	if p.less != nil {
		sort.SliceStable(out, func(i, j int) bool { return p.less(p.Cases[out[i]], p.Cases[out[j]]) })
	}
	return out
}

// MaxCasesScanned bounds the cases one page reads when the filter no key
// serves (workflowDeleted) leaves most of them out: the page then ends
// short, with a cursor to go on from.
const MaxCasesScanned = 4 * MaxCasesListed

// Cases lists a page of the organization's cases (at most MaxCasesListed,
// or the query's PageSize), newest first, after the query's cursor; the
// page's cases are then sorted as asked (see CasePage.Sorted). The closed,
// canceled and workflow filters are keys of the store (see
// WorkStore.ListCases); workflowDeleted reads each workflow the page names
// once. Permission: members. Errors: Invalid for an unknown sorting or a
// cursor this list did not give.
func (s *Service) Cases(ctx context.Context, a identity.Access, q CaseQuery) (CasePage, error) {
	less, err := caseOrder(q.Sorting)
	if err != nil {
		return CasePage{}, err
	}
	if q.Cursor != "" && !ids.Valid(q.Cursor) {
		return CasePage{}, failure.Field("cursor", "cursor is not one this list gave")
	}
	size := q.PageSize
	if size <= 0 || size > MaxCasesListed {
		size = MaxCasesListed
	}
	org := a.Organization
	filter := CaseFilter{SourceWorkflowID: q.SourceWorkflowID, Closed: q.Closed, Canceled: q.Canceled}
	page := CasePage{less: less}
	after, scanned := q.Cursor, 0
	for {
		ask := size - len(page.Cases)
		if q.WorkflowDeleted != nil {
			ask = size
		}
		cases, more, err := s.Store.ListCases(ctx, org.ID, filter, after, ask)
		if err != nil {
			return CasePage{}, err
		}
		kept := cases
		if q.WorkflowDeleted != nil {
			if kept, err = s.byWorkflowDeleted(ctx, org.ID, cases, *q.WorkflowDeleted); err != nil {
				return CasePage{}, err
			}
		}
		for _, c := range kept {
			page.Cases = append(page.Cases, c)
			if len(page.Cases) == size {
				if more || c.ID != cases[len(cases)-1].ID {
					page.Next = CaseCursor(c)
				}
				return page, nil
			}
		}
		if scanned += len(cases); !more || len(cases) == 0 {
			return page, nil
		}
		after = cases[len(cases)-1].ID
		if scanned >= MaxCasesScanned {
			page.Next = after
			return page, nil
		}
	}
}

func (s *Service) byWorkflowDeleted(ctx context.Context, orgID string, cases []Case, deleted bool) ([]Case, error) {
	exists := map[string]bool{}
	for _, c := range cases {
		if c.SourceWorkflowID == "" {
			continue
		}
		if _, seen := exists[c.SourceWorkflowID]; seen {
			continue
		}
		_, err := s.Store.GetEditorWorkflow(ctx, orgID, c.SourceWorkflowID)
		if err != nil && !failure.Is(err, failure.NotFound) {
			return nil, err
		}
		exists[c.SourceWorkflowID] = err == nil
	}
	out := cases[:0]
	for _, c := range cases {
		isDeleted := c.SourceWorkflowID != "" && !exists[c.SourceWorkflowID]
		if isDeleted == deleted {
			out = append(out, c)
		}
	}
	return out, nil
}

func caseOrder(sorting string) (func(a, b Case) bool, error) {
	field, desc := strings.TrimPrefix(sorting, "-"), strings.HasPrefix(sorting, "-")
	var less func(a, b Case) bool
	switch field {
	case "", "createTime":
		if sorting == "" {
			desc = true
		}
		less = func(a, b Case) bool { return a.CreateTime.Before(b.CreateTime) }
	case "lastUpdated":
		less = func(a, b Case) bool { return a.LastUpdated.Before(b.LastUpdated) }
	case "name":
		less = func(a, b Case) bool { return strings.ToLower(a.Name) < strings.ToLower(b.Name) }
	case "dueDate":
		less = func(a, b Case) bool { return a.DueDate.Before(b.DueDate) }
	case "priority":
		less = func(a, b Case) bool { return priority(a) < priority(b) }
	default:
		return nil, failure.Field("sorting", "sorting %q is not one of createTime, lastUpdated, name, dueDate, priority (with - for descending)", sorting)
	}
	if desc {
		return func(a, b Case) bool { return less(b, a) }, nil
	}
	return less, nil
}

func priority(c Case) float64 {
	if c.Priority == nil {
		return 0
	}
	return *c.Priority
}

// changeCase applies fn to a case and commits it (with the events and
// other changes fn returns) on condition of its version, retrying a lost
// race.
func (s *Service) changeCase(ctx context.Context, a identity.Access, id string, fn func(c *Case, m identity.Membership) (Changes, error)) (Case, error) {
	org, m := a.Organization, a.Membership
	var changed Case
	err := s.retry(func() error {
		c, err := s.caseByID(ctx, org.ID, id)
		if err != nil {
			return err
		}
		prev := c
		ch, err := fn(&c, m)
		if err != nil {
			return err
		}
		c.Version++
		c.LastUpdated = s.now()
		ch.Cases = append([]CaseWrite{{Case: c, Previous: &prev}}, ch.Cases...)
		ch.OrganizationID = org.ID
		if err := s.Store.Commit(ctx, ch); err != nil {
			return err
		}
		changed = c
		return nil
	})
	return changed, err
}

// UpdateCase changes a case's fields. Permission: members. Errors:
// NotFound, Invalid, Conflict.
func (s *Service) UpdateCase(ctx context.Context, a identity.Access, id string, ch CaseChanges) (CaseDetail, error) {
	if err := checkProperties(ch.Properties); err != nil {
		return CaseDetail{}, err
	}
	c, err := s.changeCase(ctx, a, id, func(c *Case, m identity.Membership) (Changes, error) {
		if ch.Name != nil {
			c.Name = *ch.Name
		}
		if ch.Description != nil {
			c.Description = *ch.Description
		}
		if err := validateCaseText(c.Name, c.Description); err != nil {
			return Changes{}, err
		}
		if ch.DueDate != nil {
			c.DueDate = *ch.DueDate
		}
		if ch.Priority != nil {
			c.Priority = ch.Priority
		}
		if ch.ParticipantIDs != nil {
			if len(*ch.ParticipantIDs) > MaxParticipants {
				return Changes{}, failure.Field("participantIds", "a case has at most %d participants", MaxParticipants)
			}
			if err := s.checkUsers(ctx, c.OrganizationID, "participantIds", *ch.ParticipantIDs); err != nil {
				return Changes{}, err
			}
			c.ParticipantIDs = *ch.ParticipantIDs
		}
		if ch.Properties != nil {
			c.Properties = ch.Properties
		}
		return Changes{Events: []Event{s.event(c.ID, EventCaseUpdated, "updated the case", m.UserID, "", nil)}}, nil
	})
	if err != nil {
		return CaseDetail{}, err
	}
	return s.caseDetail(ctx, c)
}

// EndCase closes (cancel false) or cancels (cancel true) a case. Its open
// tasks are canceled with it and, for a case of a workflow instance that is
// still running, the instance is canceled (its timers and waiting
// activities end). A canceled case cannot be closed or canceled again, nor
// a closed one closed again (Conflict). Permission: members.
//
// The case, its instance and its open tasks are written in one transaction
// when they fit in one (MaxChangeItems). When they do not, the open tasks
// that belong to no workflow instance are canceled first, in steps of one
// transaction each (see cancelCaseTasksStep), until the rest fits with the
// case; the last transaction then ends the case, its instance and the
// tasks left. The steps are safe to retry: each cancels only tasks still
// open at the version it read, and the case stays open until the last
// one, so a request that fails between steps leaves the case open with
// some of its tasks canceled (and their taskCanceled events), and asking
// again goes on from there. Errors: NotFound; Conflict (as above, or a
// concurrent change that won the race three times); Invalid when what is
// left cannot fit in one transaction (the open tasks of workflow
// instances, canceled with their instance, beyond it); TooManyRequests
// (retryAfterSeconds 1) after MaxEndCaseSteps steps: ask again to go on.
func (s *Service) EndCase(ctx context.Context, a identity.Access, id string, cancel bool) (CaseDetail, error) {
	org := a.Organization
	if !ids.Valid(id) {
		return CaseDetail{}, failure.New(failure.NotFound, "no such case")
	}
	var ended Case
	err := inSteps("canceled", func() (err error) {
		ended, err = s.endCase(ctx, a, id, cancel)
		return err
	}, func() (int, error) {
		n, err := s.stepCaseTasks(ctx, org.ID, id, TaskOpen, func(t Task) int {
			if !t.Open() || t.FromWorkflow() {
				return 0
			}
			return 2 + len(t.InvolvementLists())
		}, func(ch *Changes, t Task) {
			prev := t
			t.cancel(s.now())
			t.Version++
			ch.Tasks = append(ch.Tasks, TaskWrite{Task: t, Previous: &prev})
			ch.Events = append(ch.Events, s.event(id, EventTaskCanceled, fmt.Sprintf("canceled the task %q", t.Name), a.UserID, t.ID, nil))
		})
		if err == nil && n == 0 {
			err = failure.New(failure.Invalid, "the case's open tasks of workflow instances are more than one transaction cancels with the case (%d items)", MaxChangeItems)
		}
		return n, err
	})
	if err != nil {
		return CaseDetail{}, err
	}
	return s.caseDetail(ctx, ended)
}

// inSteps runs last, the final transaction of an operation on a case, and
// while it answers ErrTooManyChanges (nothing written) runs step, which
// changes some of the case's tasks in a transaction of its own and tells
// how many (an error when it can change none), then tries last again. It
// gives up after MaxEndCaseSteps steps with TooManyRequests (stepsLeft:
// what the steps did, named by done, is kept; asking again goes on).
func inSteps(done string, last func() error, step func() (int, error)) error {
	stepped := 0
	for i := 0; ; i++ {
		err := last()
		if !errors.Is(err, ErrTooManyChanges) {
			return err
		}
		if i == MaxEndCaseSteps {
			return stepsLeft(done, stepped)
		}
		n, err := step()
		if err != nil {
			return err
		}
		stepped += n
	}
}

// MaxEndCaseSteps bounds the steps of one request that ends or deletes a
// case with more tasks than one transaction holds (each step at most
// MaxChangeItems items: some 25 tasks with an assignee and a creator).
const MaxEndCaseSteps = 200

// stepsLeft is the error of a request that took MaxEndCaseSteps steps and
// has tasks left: asking again goes on.
func stepsLeft(done string, n int) error {
	return &failure.Error{Code: failure.TooManyRequests, Details: map[string]int{"retryAfterSeconds": 1},
		Message: fmt.Sprintf("the case has more tasks than one request handles: %s %d of them; ask again to go on", done, n)}
}

// stepCaseTasks changes, in one transaction of at most MaxChangeItems
// items, as many of the case's tasks in state ("": all) as fit, in list
// order: cost tells the items a task's change writes (0: leave the task),
// apply adds them to the changes. The case's list (an index, eventually
// consistent) is read a page at a time, each page's tasks read again from
// the table (BatchGetItem), until the transaction is full or the list ends.
// A lost race (a task changed since it was read) is retried. It returns
// how many tasks it changed (0: none of the list's tasks was to change or
// fit, nothing written).
func (s *Service) stepCaseTasks(ctx context.Context, orgID, caseID string, state TaskState, cost func(Task) int, apply func(*Changes, Task)) (int, error) {
	n := 0
	err := s.retry(func() error {
		n = 0
		ch := Changes{OrganizationID: orgID}
		items := 0
		var after TaskPosition
		for {
			listed, more, err := s.Store.CaseTasks(ctx, orgID, caseID, state, after, MaxChangeItems/2)
			if err != nil {
				return err
			}
			fresh, err := s.fresh(ctx, orgID, listed)
			if err != nil {
				return err
			}
			for _, t := range fresh {
				if state != "" && t.State() != state || t.CaseID != caseID {
					continue
				}
				c := cost(t)
				if c == 0 {
					continue
				}
				if items+c > MaxChangeItems {
					more = false
					break
				}
				apply(&ch, t)
				items += c
				n++
			}
			if !more || len(listed) == 0 {
				break
			}
			after = listed[len(listed)-1].Position()
		}
		if n == 0 {
			return nil
		}
		return s.Store.Commit(ctx, ch)
	})
	return n, err
}

// fresh reads the listed tasks again from the table (one BatchGetItem per
// hundred), in the order listed; tasks deleted since are left out.
func (s *Service) fresh(ctx context.Context, orgID string, listed []Task) ([]Task, error) {
	if len(listed) == 0 {
		return nil, nil
	}
	ids := make([]string, len(listed))
	for i, t := range listed {
		ids[i] = t.ID
	}
	got, err := s.Store.GetTasks(ctx, orgID, ids)
	if err != nil {
		return nil, err
	}
	byID := make(map[string]Task, len(got))
	for _, t := range got {
		byID[t.ID] = t
	}
	out := make([]Task, 0, len(listed))
	for _, id := range ids {
		if t, ok := byID[id]; ok {
			out = append(out, t)
		}
	}
	return out, nil
}

// endCase is EndCase's last transaction: the case, its instance and its
// open tasks. Errors: as EndCase; ErrTooManyChanges, with nothing written,
// when they do not fit in one transaction.
func (s *Service) endCase(ctx context.Context, a identity.Access, id string, cancel bool) (Case, error) {
	org := a.Organization
	var ended Case
	err := s.retry(func() error {
		p := s.newProgress(ctx, org.ID, a.UserID)
		tc, err := p.caseOf(id)
		if err != nil {
			return err
		}
		c := &tc.c
		switch {
		case c.Canceled:
			return failure.New(failure.Conflict, "the case is canceled")
		case c.Closed && !cancel:
			return failure.New(failure.Conflict, "the case is closed")
		}
		delta := CountsDelta{}
		if !c.Closed {
			delta.Open, delta.Closed = -1, 1
		}
		c.Closed = true
		typ, text := EventCaseClosed, "closed the case"
		if cancel {
			c.Canceled = true
			delta.Canceled = 1
			typ, text = EventCaseCanceled, "canceled the case"
		}
		p.ch.Counts = addCounts(p.ch.Counts, delta)
		if c.WorkflowInstanceID != "" {
			if err := p.cancelInstance(c.WorkflowInstanceID); err != nil {
				return err
			}
		}
		if err := p.cancelOpenTasks(c); err != nil {
			return err
		}
		p.ch.Events = append(p.ch.Events, s.event(c.ID, typ, text, a.UserID, "", nil))
		if err := p.commit(); err != nil {
			return err
		}
		ended = *c
		return nil
	})
	return ended, err
}

// cancelInstance cancels a running instance (an ended one is left as it is).
func (p *progress) cancelInstance(instanceID string) error {
	tr, err := p.track(instanceID)
	if failure.Is(err, failure.NotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if tr.rec.Instance.Ended() {
		return nil
	}
	eff, err := p.s.engine().CancelCompiled(p.s.compiledOf(&tr.version), tr.rec.Instance)
	if err != nil {
		return engineFailure(err)
	}
	return p.apply(tr, eff, 0)
}

// cancelOpenTasks cancels the case's open tasks that this request has not
// already changed: all of them (read again from the table), or
// ErrTooManyChanges when there are more than one transaction holds.
func (p *progress) cancelOpenTasks(c *Case) error {
	listed, more, err := p.s.Store.CaseTasks(p.ctx, c.OrganizationID, c.ID, TaskOpen, TaskPosition{}, MaxChangeItems/2)
	if err != nil {
		return err
	}
	if more {
		return ErrTooManyChanges // each cancellation writes at least the task and an event
	}
	tasks, err := p.s.fresh(p.ctx, c.OrganizationID, listed)
	if err != nil {
		return err
	}
	changed := map[string]bool{}
	for _, w := range p.ch.Tasks {
		changed[w.Task.ID] = true
	}
	for _, t := range tasks {
		if !t.Open() || changed[t.ID] {
			continue
		}
		prev := t
		t.cancel(p.s.now())
		t.Version++
		p.ch.Tasks = append(p.ch.Tasks, TaskWrite{Task: t, Previous: &prev})
		p.ch.Events = append(p.ch.Events, p.s.event(c.ID, EventTaskCanceled, fmt.Sprintf("canceled the task %q", t.Name), p.callerID, t.ID, nil))
	}
	return nil
}

// DeleteCase deletes a case with its tasks (its events expire with it from
// lists: they are only reachable through the case). Permission: the case's
// creator and admins. The case and its tasks are deleted in one
// transaction when they fit in one (MaxChangeItems); when they do not, the
// tasks are deleted first, in steps of one transaction each, the case with
// the last ones. The steps are safe to retry: each deletes tasks on
// condition of the version it read, and the case stays until the last
// step, so a request that fails between steps leaves the case with fewer
// tasks (its taskIds may name deleted ones), and asking again goes on.
// Errors: NotFound, Forbidden, Conflict; TooManyRequests
// (retryAfterSeconds 1) after MaxEndCaseSteps steps: ask again to go on.
func (s *Service) DeleteCase(ctx context.Context, a identity.Access, id string) error {
	return inSteps("deleted", func() error { return s.deleteCase(ctx, a, id) }, func() (int, error) {
		n, err := s.stepCaseTasks(ctx, a.Organization.ID, id, "", func(t Task) int {
			return 1 + len(t.InvolvementLists())
		}, func(ch *Changes, t Task) {
			ch.Tasks = append(ch.Tasks, TaskWrite{Task: t, Previous: &t, Delete: true})
		})
		if err == nil && n == 0 {
			err = ErrTooManyChanges
		}
		return n, err
	})
}

// deleteCase is DeleteCase's last transaction: the case and its tasks.
// Errors: as DeleteCase; ErrTooManyChanges, with nothing written, when
// they do not fit in one transaction.
func (s *Service) deleteCase(ctx context.Context, a identity.Access, id string) error {
	org, m := a.Organization, a.Membership
	c, err := s.caseByID(ctx, org.ID, id)
	if err != nil {
		return err
	}
	if c.CreatorID != m.UserID && !m.IsAdmin() {
		return failure.New(failure.Forbidden, "only the creator of the case or an admin may delete it")
	}
	tasks, more, err := s.Store.CaseTasks(ctx, org.ID, c.ID, "", TaskPosition{}, MaxChangeItems)
	if err != nil {
		return err
	}
	if more {
		return ErrTooManyChanges
	}
	ch := Changes{Cases: []CaseWrite{{Case: c, Previous: &c, Delete: true}}, OrganizationID: org.ID, Counts: &CountsDelta{Total: -1}}
	switch {
	case c.Canceled:
		ch.Counts.Canceled--
		ch.Counts.Closed--
	case c.Closed:
		ch.Counts.Closed--
	default:
		ch.Counts.Open--
	}
	for _, t := range tasks {
		t := t
		ch.Tasks = append(ch.Tasks, TaskWrite{Task: t, Previous: &t, Delete: true})
	}
	return s.Store.Commit(ctx, ch)
}

// MaxEventType bounds the event type a list of case events is filtered by.
const MaxEventType = 100

// CaseEvents lists a case's events, newest first, optionally of one type or
// one task (each filter a key of the store: see WorkStore.ListEvents).
// Permission: members. Errors: NotFound; Invalid for a task id that is no
// id or a type longer than MaxEventType.
func (s *Service) CaseEvents(ctx context.Context, a identity.Access, caseID, eventType, taskID string, page Page) ([]Event, error) {
	if taskID != "" && !ids.Valid(taskID) {
		return nil, failure.Field("taskId", "taskId %q is not an id", taskID)
	}
	if len(eventType) > MaxEventType {
		return nil, failure.Field("type", "type is longer than %d bytes", MaxEventType)
	}
	org := a.Organization
	if _, err := s.caseByID(ctx, org.ID, caseID); err != nil {
		return nil, err
	}
	return s.Store.ListEvents(ctx, caseID, eventType, taskID, page.Normalize())
}

// AddComment adds a comment to a case's timeline, optionally about one of
// its tasks. Permission: members. Errors: NotFound, Invalid (empty or too
// long text, control characters such as NUL, a task of another case).
func (s *Service) AddComment(ctx context.Context, a identity.Access, caseID, text, taskID string) (Event, error) {
	if strings.TrimSpace(text) == "" {
		return Event{}, failure.Field("name", "the comment text (name) is required")
	}
	if err := validateText("name", text, MaxCommentLength); err != nil {
		return Event{}, err
	}
	org := a.Organization
	if _, err := s.caseByID(ctx, org.ID, caseID); err != nil {
		return Event{}, err
	}
	if taskID != "" {
		t, err := s.taskByID(ctx, org.ID, taskID)
		if err != nil || t.CaseID != caseID {
			return Event{}, failure.Field("taskId", "task %q is not a task of this case", taskID)
		}
	}
	e := s.event(caseID, EventComment, text, a.UserID, taskID, nil)
	return e, s.Store.Commit(ctx, Changes{Events: []Event{e}})
}

// CaseTaskQuery selects a page of a case's tasks for CaseTasks.
type CaseTaskQuery struct {
	// Completed keeps the completed (true) or the open (false) tasks;
	// canceled tasks are in neither.
	Completed *bool
	// Cursor continues a list after the page that gave it (TaskPage.Next,
	// CaseTaskCursor); PageSize bounds the page (MaxCaseTasksListed when 0
	// or more).
	Cursor   string
	PageSize int
}

// CaseTasks lists a page of a case's tasks: open ones first, then
// completed, then canceled ones (newest first in each), or only the
// completed or the open ones (each state's part of the case's list is a
// key range of the store, so a page is full unless the list ends); the
// page's Next is the cursor of the next page ("" on the last). One Query
// of an index (eventually consistent). Permission: members. Errors:
// NotFound; Invalid (field cursor) for a cursor this list (of this case,
// with this filter) did not give.
func (s *Service) CaseTasks(ctx context.Context, a identity.Access, caseID string, q CaseTaskQuery) (TaskPage, error) {
	state := stateFor(q.Completed)
	var after TaskPosition
	if q.Cursor != "" {
		var err error
		if after, err = caseTaskCursorOf(q.Cursor, caseID, state); err != nil {
			return TaskPage{}, err
		}
	}
	size := q.PageSize
	if size <= 0 || size > MaxCaseTasksListed {
		size = MaxCaseTasksListed
	}
	org := a.Organization
	if _, err := s.caseByID(ctx, org.ID, caseID); err != nil {
		return TaskPage{}, err
	}
	tasks, more, err := s.Store.CaseTasks(ctx, org.ID, caseID, state, after, size)
	if err != nil {
		return TaskPage{}, err
	}
	page := TaskPage{Tasks: tasks}
	if more && len(tasks) > 0 {
		page.Next = CaseTaskCursor(tasks[len(tasks)-1])
	}
	return page, nil
}

// CaseCounts returns the organization's case statistics. Permission: members.
func (s *Service) CaseCounts(ctx context.Context, a identity.Access) (CaseCounts, error) {
	org := a.Organization
	return s.Store.CaseCounts(ctx, org.ID)
}
