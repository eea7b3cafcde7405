package casework

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/effektif-serverless/caseflow/shared/engine"
	"github.com/effektif-serverless/caseflow/shared/failure"
	"github.com/effektif-serverless/caseflow/shared/identity"
	"github.com/effektif-serverless/caseflow/shared/ids"
	"github.com/effektif-serverless/caseflow/shared/workflow"
)

// maxCallDepth bounds call activities started within one request.
const maxCallDepth = 8

// progress drives the engine through one request: the instances it
// touches, and every write that must be committed with them.
type progress struct {
	s         *Service
	ctx       context.Context
	orgID     string
	callerID  string
	ch        Changes
	instances map[string]*tracked
	cases     map[string]*trackedCase
	order     []string
}

// tracked is an instance the request touches, with its workflow version.
type tracked struct {
	rec     InstanceRecord
	version ExecutableWorkflow
	isNew   bool
}

// trackedCase is a case the request changes, with the case as it was
// read (nil when new).
type trackedCase struct {
	c     Case
	prev  *Case
	isNew bool
}

func (s *Service) newProgress(ctx context.Context, orgID, callerID string) *progress {
	return &progress{s: s, ctx: ctx, orgID: orgID, callerID: callerID, ch: Changes{OrganizationID: orgID},
		instances: map[string]*tracked{}, cases: map[string]*trackedCase{}}
}

func (s *Service) engine() *engine.Engine {
	return &engine.Engine{Now: s.Now}
}

// compiledOf is the compiled and validated definition of a version for the
// engine's operations, compiled once per Service: a version is immutable
// once created (CreateVersion stores it under a new id on condition that
// the id does not exist, and nothing rewrites a version), so its
// organization and id name one definition. A version without an id is
// compiled on every call.
func (s *Service) compiledOf(v *ExecutableWorkflow) *engine.Compiled {
	if v.ID == "" {
		return engine.Compile(&v.Definition)
	}
	return s.compiled.Get(v.OrganizationID+"/"+v.ID, &v.Definition)
}

// engineFailure maps an engine error to the failure the caller sees.
func engineFailure(err error) error {
	var ve *engine.ValueError
	var iw *engine.InvalidWorkflowError
	var se *engine.ScriptError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &ve):
		return &failure.Error{Code: failure.Invalid, Field: ve.Field, Message: ve.Error()}
	case errors.As(err, &iw):
		return &failure.Error{Code: failure.Unprocessable, Message: iw.Error(), Cause: err}
	case errors.As(err, &se):
		return &failure.Error{Code: failure.Unprocessable, Message: se.Error()}
	case errors.Is(err, engine.ErrNotWaiting), errors.Is(err, engine.ErrEnded), errors.Is(err, engine.ErrTimerNotDue):
		return failure.New(failure.Conflict, "%s", strings.TrimPrefix(err.Error(), "engine: "))
	case errors.Is(err, engine.ErrUnknownActivityInstance), errors.Is(err, engine.ErrUnknownTimer), errors.Is(err, engine.ErrUnknownActivity):
		return failure.New(failure.NotFound, "%s", strings.TrimPrefix(err.Error(), "engine: "))
	case errors.Is(err, engine.ErrRunaway):
		return failure.New(failure.Unprocessable, "%s", strings.TrimPrefix(err.Error(), "engine: "))
	default:
		return failure.Wrap(err, "run the workflow")
	}
}

// unrunnable is the failure of a workflow with error issues
// (Unprocessable): the message lists them by element ("activity/element:
// message"), Details holds them; nil without errors.
func unrunnable(issues []engine.Issue) error {
	var msgs []string
	var errs []engine.Issue
	for _, is := range issues {
		if is.Severity == engine.SeverityError {
			msgs = append(msgs, is.String())
			errs = append(errs, is)
		}
	}
	if len(msgs) == 0 {
		return nil
	}
	return &failure.Error{Code: failure.Unprocessable, Message: "the workflow cannot run: " + strings.Join(msgs, "; "), Details: errs}
}

// noWorkflow is the failure for a trigger's workflowId or sourceWorkflowId
// that is well formed but names nothing the caller may start: NotFound
// (404), as a missing resource is everywhere else, naming the field. A
// malformed id stays Invalid (400).
func noWorkflow(field, what, id string) error {
	return &failure.Error{Code: failure.NotFound, Field: field, Message: fmt.Sprintf("no %s %q", what, id)}
}

// editorRead is an editor workflow read once in an operation: the checks
// of a start and the resolution of its version share it, and a start may
// have made it at once with its tenant check (CallerStartInstance). The
// zero value holds nothing.
type editorRead struct {
	id  string
	w   EditorWorkflow
	err error
}

// editorWorkflow returns the organization's editor workflow with the id:
// the one r holds when it is that one, else read now and kept in r.
func (s *Service) editorWorkflow(ctx context.Context, orgID, id string, r *editorRead) (EditorWorkflow, error) {
	if r.id != id {
		w, err := s.Store.GetEditorWorkflow(ctx, orgID, id)
		*r = editorRead{id: id, w: w, err: err}
	}
	return r.w, r.err
}

// resolveVersion finds the version a trigger runs: the named version, or
// the published version of the named editor workflow (from r when it holds
// that one).
func (s *Service) resolveVersion(ctx context.Context, orgID, workflowID, sourceWorkflowID string, r *editorRead) (ExecutableWorkflow, error) {
	if workflowID != "" {
		if !ids.Valid(workflowID) {
			return ExecutableWorkflow{}, failure.Field("workflowId", "no workflow version %q", workflowID)
		}
		v, err := s.Store.GetVersion(ctx, orgID, workflowID)
		if failure.Is(err, failure.NotFound) {
			return ExecutableWorkflow{}, noWorkflow("workflowId", "workflow version", workflowID)
		}
		return v, err
	}
	if sourceWorkflowID == "" {
		return ExecutableWorkflow{}, failure.Field("workflowId", "workflowId or sourceWorkflowId is required")
	}
	if !ids.Valid(sourceWorkflowID) {
		return ExecutableWorkflow{}, failure.Field("sourceWorkflowId", "no workflow %q", sourceWorkflowID)
	}
	w, err := s.editorWorkflow(ctx, orgID, sourceWorkflowID, r)
	if failure.Is(err, failure.NotFound) {
		return ExecutableWorkflow{}, noWorkflow("sourceWorkflowId", "workflow", sourceWorkflowID)
	}
	if err != nil {
		return ExecutableWorkflow{}, err
	}
	if w.PublishedVersion == "" {
		return ExecutableWorkflow{}, failure.New(failure.Conflict, "workflow %q has no published version", sourceWorkflowID)
	}
	// The editor workflow, read just now, names its published version:
	// that version exists (only a cascading delete of the editor workflow
	// deletes versions), so it may come from the Service's cache.
	return s.version(ctx, orgID, w.PublishedVersion)
}

// startableVersion is resolveVersion for a member who starts a workflow:
// a private draft of another member (and its versions) answers exactly as
// an unknown id does (NotFound naming the field, the same message), so the
// answer does not tell that it exists. Admins see every draft. Each editor
// workflow is read once (r: the check and the resolution share the read).
func (s *Service) startableVersion(ctx context.Context, orgID string, m identity.Membership, workflowID, sourceWorkflowID string, r *editorRead) (ExecutableWorkflow, error) {
	if workflowID == "" && sourceWorkflowID != "" && ids.Valid(sourceWorkflowID) && !m.IsAdmin() {
		w, err := s.editorWorkflow(ctx, orgID, sourceWorkflowID, r)
		if err != nil && !failure.Is(err, failure.NotFound) {
			return ExecutableWorkflow{}, err
		}
		if err == nil && !visible(w, m) {
			return ExecutableWorkflow{}, noWorkflow("sourceWorkflowId", "workflow", sourceWorkflowID)
		}
	}
	v, err := s.resolveVersion(ctx, orgID, workflowID, sourceWorkflowID, r)
	if err != nil || workflowID == "" || m.IsAdmin() {
		return v, err
	}
	w, err := s.editorWorkflow(ctx, orgID, v.SourceWorkflowID, r)
	if err != nil && !failure.Is(err, failure.NotFound) {
		return ExecutableWorkflow{}, err
	}
	if err == nil && !visible(w, m) {
		return ExecutableWorkflow{}, noWorkflow("workflowId", "workflow version", workflowID)
	}
	return v, nil
}

// start starts an instance of a version and applies what it asks for.
// An instance with a case id gets a new case, except one started by a call
// activity with its caller's case id (see apply): that instance, its
// tasks and its own sub-instances work in the caller's case.
func (p *progress) start(v ExecutableWorkflow, t engine.Trigger, depth int) (*tracked, error) {
	if depth > maxCallDepth {
		return nil, failure.New(failure.Unprocessable, "call activities nest deeper than %d", maxCallDepth)
	}
	t.OrganizationID, t.CreatorID = p.orgID, p.callerID
	inst, eff, err := p.s.engine().StartCompiled(p.s.compiledOf(&v), v.ID, t)
	if err != nil {
		return nil, engineFailure(err)
	}
	inst.Version = 1
	tr := &tracked{rec: InstanceRecord{Instance: inst, Tasks: map[string]string{}}, version: v, isNew: true}
	p.instances[inst.ID] = tr
	p.order = append(p.order, inst.ID)
	if inst.CaseID != "" && (t.CallerWorkflowInstanceID == "" || t.CaseID == "") {
		now := p.s.now()
		c := Case{
			ID: inst.CaseID, OrganizationID: p.orgID, Name: caseName(v.Definition, t.BusinessKey), CreatorID: p.callerID,
			CreateTime: now, LastUpdated: now, ParticipantIDs: []string{p.callerID}, WorkflowInstanceID: inst.ID,
			WorkflowID: v.ID, SourceWorkflowID: v.SourceWorkflowID, Version: 1,
		}
		p.cases[c.ID] = &trackedCase{c: c, isNew: true}
		p.ch.Events = append(p.ch.Events, p.s.event(c.ID, EventCaseCreated, "started the workflow "+quote(v.Definition.Name), p.callerID, "", nil))
		p.ch.Counts = addCounts(p.ch.Counts, CountsDelta{Total: 1, Open: 1})
	}
	return tr, p.apply(tr, eff, depth)
}

func caseName(def workflow.Workflow, businessKey string) string {
	name := def.Name
	if name == "" {
		name = "Case"
	}
	if businessKey != "" {
		name += " " + businessKey
	}
	return name
}

func quote(s string) string { return fmt.Sprintf("%q", s) }

func addCounts(c *CountsDelta, d CountsDelta) *CountsDelta {
	if c == nil {
		c = &CountsDelta{}
	}
	c.Total += d.Total
	c.Open += d.Open
	c.Closed += d.Closed
	c.Canceled += d.Canceled
	return c
}

// track loads an instance (once per request) with its version.
func (p *progress) track(instanceID string) (*tracked, error) {
	if tr, ok := p.instances[instanceID]; ok {
		return tr, nil
	}
	rec, err := p.s.Store.GetInstance(p.ctx, p.orgID, instanceID)
	if err != nil {
		return nil, err
	}
	v, err := p.s.Store.GetVersion(p.ctx, p.orgID, rec.Instance.WorkflowID)
	if err != nil {
		return nil, err
	}
	if rec.Tasks == nil {
		rec.Tasks = map[string]string{}
	}
	tr := &tracked{rec: rec, version: v}
	p.instances[instanceID] = tr
	p.order = append(p.order, instanceID)
	return tr, nil
}

// caseOf loads a case (once per request) for changing it.
func (p *progress) caseOf(id string) (*trackedCase, error) {
	if tc, ok := p.cases[id]; ok {
		return tc, nil
	}
	c, err := p.s.Store.GetCase(p.ctx, p.orgID, id)
	if err != nil {
		return nil, err
	}
	prev := c
	tc := &trackedCase{c: c, prev: &prev}
	p.cases[id] = tc
	return tc, nil
}

// message delivers a message to a waiting activity instance.
func (p *progress) message(tr *tracked, activityInstanceID string, values map[string]json.RawMessage, depth int) error {
	eff, err := p.s.engine().MessageCompiled(p.s.compiledOf(&tr.version), tr.rec.Instance, activityInstanceID, values)
	if err != nil {
		return engineFailure(err)
	}
	return p.apply(tr, eff, depth)
}

// apply turns an operation's effects into writes.
func (p *progress) apply(tr *tracked, eff *engine.Effects, depth int) error {
	if err := p.keepPeople(eff); err != nil {
		return err
	}
	inst := tr.rec.Instance
	var tc *trackedCase
	if inst.CaseID != "" {
		var err error
		if tc, err = p.caseOf(inst.CaseID); err != nil {
			return err
		}
	}
	for _, req := range eff.Tasks {
		p.newTask(tr, tc, req)
	}
	for _, e := range eff.Emails {
		if err := p.mail(e); err != nil {
			return err
		}
	}
	for _, a := range eff.ServiceActions {
		action := ActionInstance{
			ID: ids.New(), OrganizationID: p.orgID, ServiceKey: a.ServiceKey, ActionKey: a.ActionKey,
			EditorWorkflowID: tr.version.SourceWorkflowID, WorkflowID: tr.version.ID, CaseID: inst.CaseID,
			WorkflowInstanceID: inst.ID, ActivityID: a.ActivityID, ActivityInstanceID: a.ActivityInstanceID,
			Configuration: a.Configuration, InputValues: a.InputValues, Created: p.s.now(), Retries: DefaultActionRetries, Version: 1,
		}
		if tr.rec.Actions == nil {
			tr.rec.Actions = map[string]string{}
		}
		tr.rec.Actions[a.ActivityInstanceID] = action.ID
		p.ch.Actions = append(p.ch.Actions, action)
	}
	for _, t := range eff.Timers {
		p.ch.Timers = append(p.ch.Timers, TimerEntry{OrganizationID: p.orgID, InstanceID: inst.ID, TimerID: t.ID, Due: t.DueDate.Time})
	}
	for _, t := range eff.CanceledTimers {
		p.ch.Timers = append(p.ch.Timers, TimerEntry{OrganizationID: p.orgID, InstanceID: inst.ID, TimerID: t.ID, Due: t.DueDate.Time, Delete: true})
	}
	if tc != nil {
		for _, vc := range eff.VariableChanges {
			p.ch.Events = append(p.ch.Events, p.s.event(tc.c.ID, EventVariableChanged, "changed "+vc.VariableID, p.callerID, "", vc))
		}
	}
	for _, sub := range eff.SubWorkflows {
		v, err := p.s.resolveVersion(p.ctx, p.orgID, sub.SubWorkflowID, sub.SubWorkflowSource, new(editorRead))
		if err != nil {
			return err
		}
		// Decision: a called sub-workflow works in its caller's case (and so
		// in the top-level instance's), whether or not it enables cases
		// itself: its tasks are the case's tasks, its events the case's
		// timeline, and its end does not close the case. Without a case
		// above it, a sub-workflow that enables cases gets its own.
		child, err := p.start(v, engine.Trigger{Data: sub.Data, CaseID: inst.CaseID, CallerWorkflowInstanceID: inst.ID, CallerActivityInstanceID: sub.ActivityInstanceID}, depth+1)
		if err != nil {
			return err
		}
		if err := inst.SetCalledWorkflowInstance(sub.ActivityInstanceID, child.rec.Instance.ID); err != nil {
			return engineFailure(err)
		}
	}
	for _, c := range eff.CanceledActivityInstances {
		if err := p.cancelActivity(tr, tc, c); err != nil {
			return err
		}
	}
	if eff.Ended && tc != nil && !tc.c.Closed && inst.EndState == "" && tc.c.WorkflowInstanceID == inst.ID {
		tc.c.Closed = true
		p.ch.Counts = addCounts(p.ch.Counts, CountsDelta{Open: -1, Closed: 1})
		p.ch.Events = append(p.ch.Events, p.s.event(tc.c.ID, EventWorkflowEnded, "the workflow ended", p.callerID, "", nil))
	}
	for _, esc := range eff.Escalations {
		caller, err := p.track(esc.WorkflowInstanceID)
		if err != nil {
			return err
		}
		e2, err := p.s.engine().EscalateCompiled(p.s.compiledOf(&caller.version), caller.rec.Instance, esc.ActivityInstanceID, esc.Code)
		if err != nil {
			return engineFailure(err)
		}
		if err := p.apply(caller, e2, depth+1); err != nil {
			return err
		}
	}
	if n := eff.CallerNotification; n != nil {
		caller, err := p.track(n.WorkflowInstanceID)
		if err != nil {
			return err
		}
		if n.Failed {
			e2, err := p.s.engine().FailCompiled(p.s.compiledOf(&caller.version), caller.rec.Instance, n.ActivityInstanceID, n.ErrorCode, n.Values)
			if err != nil {
				return engineFailure(err)
			}
			return p.apply(caller, e2, depth+1)
		}
		return p.message(caller, n.ActivityInstanceID, n.Values, depth+1)
	}
	return nil
}

// newTask creates the task of a user task activity instance.
func (p *progress) newTask(tr *tracked, tc *trackedCase, req engine.TaskRequest) {
	inst, now := tr.rec.Instance, p.s.now()
	t := Task{
		ID: ids.New(), OrganizationID: p.orgID, Name: req.Name, Description: req.Description, CreatorID: inst.CreatorID,
		CreateTime: now, LastUpdated: now, AssigneeID: req.AssigneeID, CandidateIDs: req.CandidateIDs,
		CandidateGroupIDs: req.CandidateGroupIDs, ActivityID: req.ActivityID, ActivityInstanceID: req.ActivityInstanceID,
		WorkflowInstanceID: inst.ID, WorkflowID: tr.version.ID, SourceWorkflowID: tr.version.SourceWorkflowID,
		RoleVariableID: req.RoleVariableID, Version: 1,
	}
	if req.DueDate != nil {
		t.DueDate = *req.DueDate
	}
	if req.Form != nil {
		t.Form, _ = json.Marshal(req.Form)
	}
	if tc != nil {
		t.CaseID = tc.c.ID
		tc.c.TaskIDs = append(tc.c.TaskIDs, t.ID)
		p.ch.Events = append(p.ch.Events, p.s.event(tc.c.ID, EventTaskCreated, "created the task "+quote(t.Name), p.callerID, t.ID, nil))
		if t.AssigneeID != "" {
			p.ch.Events = append(p.ch.Events, p.s.event(tc.c.ID, EventTaskAssigned, "assigned the task "+quote(t.Name), p.callerID, t.ID, map[string]string{"assigneeId": t.AssigneeID}))
		}
	}
	tr.rec.Tasks[req.ActivityInstanceID] = t.ID
	p.ch.Tasks = append(p.ch.Tasks, TaskWrite{Task: t, New: true})
}

// cancelActivity cleans up after an interrupted waiting activity: its task
// is canceled, its called sub-instance canceled too, its service action
// instance removed.
func (p *progress) cancelActivity(tr *tracked, tc *trackedCase, c engine.CanceledActivityInstance) error {
	if c.ActivityType == workflow.CallActivity && c.CalledWorkflowInstanceID != "" {
		return p.cancelInstance(c.CalledWorkflowInstanceID)
	}
	if actionID, ok := tr.rec.Actions[c.ActivityInstanceID]; ok {
		delete(tr.rec.Actions, c.ActivityInstanceID)
		p.ch.EndedActions = append(p.ch.EndedActions, ActionInstance{ID: actionID, OrganizationID: p.orgID})
		return nil
	}
	taskID, ok := tr.rec.Tasks[c.ActivityInstanceID]
	if !ok || c.ActivityType != workflow.UserTask {
		return nil
	}
	for i := range p.ch.Tasks {
		if w := &p.ch.Tasks[i]; w.Task.ID == taskID {
			w.Task.cancel(p.s.now())
			return nil
		}
	}
	t, err := p.s.Store.GetTask(p.ctx, p.orgID, taskID)
	if failure.Is(err, failure.NotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if !t.Open() {
		return nil
	}
	prev := t
	t.cancel(p.s.now())
	t.Version++
	p.ch.Tasks = append(p.ch.Tasks, TaskWrite{Task: t, Previous: &prev})
	if tc != nil {
		p.ch.Events = append(p.ch.Events, p.s.event(tc.c.ID, EventTaskCanceled, "canceled the task "+quote(t.Name), p.callerID, t.ID, nil))
	}
	return nil
}

// mail queues an email task's mail, with users resolved to addresses.
func (p *progress) mail(e engine.EmailRequest) error {
	var userIDs []string
	for _, r := range []engine.Recipients{e.To, e.Cc, e.Bcc} {
		userIDs = append(userIDs, r.UserIDs...)
	}
	users, err := p.s.Identity.Users(p.ctx, userIDs)
	if err != nil {
		return err
	}
	addresses := func(r engine.Recipients) []string {
		out := append([]string{}, r.EmailAddresses...)
		for _, id := range r.UserIDs {
			if u, ok := users[id]; ok {
				out = append(out, u.Email)
			}
		}
		return out
	}
	m := OutboxMail{ID: ids.New(), OrganizationID: p.orgID, Created: p.s.now(), To: addresses(e.To), Cc: addresses(e.Cc),
		Bcc: addresses(e.Bcc), Subject: e.Subject, Text: e.BodyText, HTML: e.BodyHTML}
	if len(m.To)+len(m.Cc)+len(m.Bcc) == 0 {
		return nil // nobody to send to: nothing to do
	}
	p.ch.Outbox = append(p.ch.Outbox, m)
	return nil
}

// DefaultMailQuota is the recipients of email tasks an organization may
// send per hour (UTC clock hours) unless Service.MailQuota says otherwise.
const DefaultMailQuota = 100

// commit writes everything the request changed in one transaction, then
// sends the mails it queued.
//
// Mail quota: the recipients of the queued mails are counted against the
// organization's quota of the current hour in the same transaction, with
// a conditional atomic counter in DynamoDB, so the quota holds across
// Lambda instances and counts only mail that is really queued. Decision:
// an operation whose email tasks would exceed the quota fails (429
// TooManyRequests, saying so and when the hour ends), and nothing of it is
// stored, as for any failing activity: the start or task completion can
// be tried again in the next hour. An operation of the scheduled function
// (a due timer that reaches an email task) fails the same way and its
// timer stays due, so it is deferred: it fires again on a later run, once
// the hour has room.
func (p *progress) commit() error {
	recipients := 0
	for _, m := range p.ch.Outbox {
		recipients += len(m.To) + len(m.Cc) + len(m.Bcc)
	}
	limit := p.s.MailQuota
	if limit <= 0 {
		limit = DefaultMailQuota
	}
	window := p.s.now().Truncate(time.Hour)
	if recipients > 0 {
		p.ch.MailQuota = &MailQuota{OrganizationID: p.orgID, Window: window, Count: recipients, Limit: limit}
	}
	for _, id := range p.order {
		tr := p.instances[id]
		if !tr.isNew {
			tr.rec.Instance.Version++
		}
		p.ch.Instances = append(p.ch.Instances, InstanceWrite{Record: tr.rec, New: tr.isNew})
	}
	for _, tc := range p.cases {
		if !tc.isNew {
			tc.c.Version++
		}
		tc.c.LastUpdated = p.s.now()
		p.ch.Cases = append(p.ch.Cases, CaseWrite{Case: tc.c, Previous: tc.prev, New: tc.isNew})
	}
	err := p.s.Store.Commit(p.ctx, p.ch)
	if errors.Is(err, ErrMailQuota) {
		return &failure.Error{Code: failure.TooManyRequests, Details: map[string]int{"retryAfterSeconds": int(window.Add(time.Hour).Sub(p.s.now()).Seconds()) + 1},
			Message: fmt.Sprintf("the email tasks would send %d mails, more than the organization has left of its %d mails per hour; try again after %s", recipients, limit, window.Add(time.Hour).Format(time.RFC3339))}
	}
	if err != nil {
		return err
	}
	p.s.deliver(p.ctx, p.ch.Outbox)
	return nil
}

// retry runs an operation that reads, drives the engine and commits,
// again on a lost race.
func (s *Service) retry(op func() error) error {
	var err error
	for attempt := 0; attempt < 3; attempt++ {
		if err = op(); err == nil || !failure.As(err).Retry {
			return err
		}
	}
	return err
}

// StartInstance starts a workflow instance (POST /engine/workflow/instances)
// and, when the workflow enables cases, its case. Permission: members.
// Errors: Invalid (no such version or workflow, also for another member's
// private draft, bad trigger data), Conflict (the editor workflow, visible
// to the caller, has no published version), Unprocessable (the workflow
// cannot run).
func (s *Service) StartInstance(ctx context.Context, a identity.Access, t TriggerRequest) (*engine.Instance, error) {
	return s.startInstance(ctx, a, t, new(editorRead))
}

// CallerStartInstance is StartInstance for the caller in the organization
// with the key, with the tenant check made here: the editor workflow a
// trigger names by sourceWorkflowId is read at once with it
// (identity.Service.ResolveReadingAhead) and used only once the check
// passed. Permission and errors: as Resolve, then StartInstance.
func (s *Service) CallerStartInstance(ctx context.Context, c identity.Caller, orgKey string, t TriggerRequest) (identity.Access, *engine.Instance, error) {
	var ahead editorRead
	var read func(orgID string)
	if t.WorkflowID == "" && t.WorkflowInstanceID == "" && ids.Valid(t.SourceWorkflowID) {
		read = func(orgID string) { s.editorWorkflow(ctx, orgID, t.SourceWorkflowID, &ahead) }
	}
	a, readAhead, err := s.Identity.ResolveReadingAhead(ctx, c, orgKey, read)
	if err != nil {
		return identity.Access{}, nil, err
	}
	if !readAhead {
		ahead = editorRead{}
	}
	inst, err := s.startInstance(ctx, a, t, &ahead)
	return a, inst, err
}

func (s *Service) startInstance(ctx context.Context, a identity.Access, t TriggerRequest, r *editorRead) (*engine.Instance, error) {
	org, m := a.Organization, a.Membership
	if t.WorkflowInstanceID != "" {
		return nil, failure.Field("workflowInstanceId", "the id of a new instance is chosen by the server")
	}
	v, err := s.startableVersion(ctx, org.ID, m, t.WorkflowID, t.SourceWorkflowID, r)
	if err != nil {
		return nil, err
	}
	p := s.newProgress(ctx, org.ID, a.UserID)
	tr, err := p.start(v, engine.Trigger{Data: t.Data, BusinessKey: t.BusinessKey, StartActivityIDs: t.StartActivityIDs}, 0)
	if err != nil {
		return nil, err
	}
	if err := p.commit(); err != nil {
		return nil, err
	}
	return tr.rec.Instance, nil
}

// CompleteTask completes a task with form values. A task of a workflow
// advances its instance (required form fields enforced, values written to
// their variables); the task, the instance and everything the engine asks
// for are written in one transaction, so of two concurrent completions one
// succeeds and the other gets Conflict. Permission: the assignee; when
// unassigned its candidates, or any member when it has none; admins.
// Errors: NotFound, Forbidden, Conflict (already completed), Invalid.
func (s *Service) CompleteTask(ctx context.Context, a identity.Access, id string, fields []FieldValue) (TaskDetail, error) {
	return s.completeTask(ctx, a, id, fields, nil)
}

// taskRead is a task read at once with the tenant check, with its error.
type taskRead struct {
	t   Task
	err error
}

// CallerCompleteTask is CompleteTask for the caller in the organization
// with the key, with the tenant check made here: the task is read at once
// with it (identity.Service.ResolveReadingAhead) and used only once the
// check passed, by the first attempt (an attempt after a lost race reads it
// again). Permission and errors: as Resolve, then CompleteTask.
func (s *Service) CallerCompleteTask(ctx context.Context, c identity.Caller, orgKey, id string, fields []FieldValue) (identity.Access, TaskDetail, error) {
	var ahead taskRead
	a, readAhead, err := s.Identity.ResolveReadingAhead(ctx, c, orgKey, func(orgID string) {
		ahead.t, ahead.err = s.taskByID(ctx, orgID, id)
	})
	if err != nil {
		return identity.Access{}, TaskDetail{}, err
	}
	first := &ahead
	if !readAhead {
		first = nil
	}
	d, err := s.completeTask(ctx, a, id, fields, first)
	return a, d, err
}

// completeTask is CompleteTask; first, when not nil, is the task as read
// for the first attempt.
func (s *Service) completeTask(ctx context.Context, a identity.Access, id string, fields []FieldValue, first *taskRead) (TaskDetail, error) {
	org, m := a.Organization, a.Membership
	var done Task
	err := s.retry(func() error {
		var t Task
		var err error
		if first != nil {
			t, err, first = first.t, first.err, nil
		} else {
			t, err = s.taskByID(ctx, org.ID, id)
		}
		if err != nil {
			return err
		}
		if t.Completed {
			return failure.New(failure.Conflict, "the task is already completed")
		}
		if t.Canceled {
			return failure.New(failure.Conflict, "the task was canceled")
		}
		if !mayWork(t, m) {
			return failure.New(failure.Forbidden, "only the assignee, a candidate or an admin may complete the task")
		}
		prev := t
		p := s.newProgress(ctx, org.ID, a.UserID)
		t.Completed, t.LastUpdated = true, s.now()
		t.ParticipantIDs = withUser(t.ParticipantIDs, a.UserID)
		t.Version++
		if t.Form, err = withValues(t.Form, fields); err != nil {
			return err
		}
		p.ch.Tasks = append(p.ch.Tasks, TaskWrite{Task: t, Previous: &prev})
		if t.CaseID != "" {
			p.ch.Events = append(p.ch.Events, s.event(t.CaseID, EventTaskCompleted, "completed the task "+quote(t.Name), a.UserID, t.ID, nil))
		}
		if t.FromWorkflow() {
			// The instance (with its version) and the task's case, which
			// the message changes, are read at once: track and caseOf
			// touch separate fields of p.
			var tr *tracked
			err := concurrently(
				func() (err error) {
					tr, err = p.track(t.WorkflowInstanceID)
					return err
				},
				func() error {
					if t.CaseID == "" {
						return nil
					}
					_, err := p.caseOf(t.CaseID)
					return err
				})
			if err != nil {
				return err
			}
			if err := p.message(tr, t.ActivityInstanceID, formValues(t.Form), 0); err != nil {
				return err
			}
		}
		if err := p.commit(); err != nil {
			return err
		}
		done = t
		return nil
	})
	if err != nil {
		return TaskDetail{}, err
	}
	return s.taskDetail(ctx, done)
}

// withValues returns the task's form (a FormInstance) with the values set.
// Errors: Invalid for a field the form does not have or a value of the
// wrong type.
func withValues(form json.RawMessage, values []FieldValue) (json.RawMessage, error) {
	if len(values) == 0 {
		return form, nil
	}
	var fi engine.FormInstance
	if len(form) > 0 {
		if err := json.Unmarshal(form, &fi); err != nil {
			return nil, failure.Wrap(err, "read the task form")
		}
	}
	for _, v := range values {
		i := fieldIndex(fi, v.ID)
		if i < 0 {
			return nil, failure.Field("fields", "the form has no field %q", v.ID)
		}
		f := &fi.Fields[i]
		if f.ReadOnly {
			return nil, failure.Field(f.ID, "field %q is read-only", f.ID)
		}
		coerced, err := engine.CoerceValue(f.Type, v.Value)
		if err != nil {
			return nil, failure.Field(f.ID, "field %q: %v", f.ID, err)
		}
		f.Value = coerced
	}
	return json.Marshal(fi)
}

func fieldIndex(fi engine.FormInstance, id string) int {
	for i, f := range fi.Fields {
		if f.ID == id || (f.Key != "" && f.Key == id) {
			return i
		}
	}
	return -1
}

// formValues are the form's values by field id, for the engine.
func formValues(form json.RawMessage) map[string]json.RawMessage {
	var fi engine.FormInstance
	if len(form) == 0 || json.Unmarshal(form, &fi) != nil {
		return nil
	}
	out := map[string]json.RawMessage{}
	for _, f := range fi.Fields {
		if len(f.Value) > 0 && string(f.Value) != "null" {
			out[f.ID] = f.Value
		}
	}
	return out
}

// SaveFormField saves one form field's value on an open task, before it is
// completed. Permission: as completing it. Errors: NotFound (task or
// field), Forbidden, Conflict (completed), Invalid (type).
func (s *Service) SaveFormField(ctx context.Context, a identity.Access, taskID string, v FieldValue) (engine.FormInstanceField, error) {
	var saved engine.FormInstanceField
	_, err := s.changeTask(ctx, a, taskID, func(t *Task, m identity.Membership, ch *Changes) error {
		if !t.Open() {
			return failure.New(failure.Conflict, "the task is completed or canceled")
		}
		if !mayWork(*t, m) {
			return failure.New(failure.Forbidden, "only the assignee, a candidate or an admin may fill in the form")
		}
		var fi engine.FormInstance
		if len(t.Form) > 0 {
			_ = json.Unmarshal(t.Form, &fi)
		}
		if fieldIndex(fi, v.ID) < 0 {
			return failure.New(failure.NotFound, "the task's form has no field %q", v.ID)
		}
		form, err := withValues(t.Form, []FieldValue{v})
		if err != nil {
			return err
		}
		t.Form = form
		_ = json.Unmarshal(form, &fi)
		saved = fi.Fields[fieldIndex(fi, v.ID)]
		return nil
	})
	return saved, err
}
