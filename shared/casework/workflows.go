package casework

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/effektif-serverless/caseflow/shared/engine"
	"github.com/effektif-serverless/caseflow/shared/failure"
	"github.com/effektif-serverless/caseflow/shared/identity"
	"github.com/effektif-serverless/caseflow/shared/ids"
	"github.com/effektif-serverless/caseflow/shared/workflow"
)

// LockDuration is how long an editing lock holds unless renewed or released.
const LockDuration = 15 * time.Minute

// MaxCommitMessage bounds a version's commit message.
const MaxCommitMessage = 2000

// WorkflowDraft is what a client sends to create or change a draft: the
// definition and the editor's own fields. Nil fields are left as they are on
// update.
type WorkflowDraft struct {
	Definition  workflow.Workflow
	Category    *string
	CaseColumns json.RawMessage
	Template    *bool
	TemplateID  *string
	IsPrivate   *bool
	// FromBPMN marks a definition imported from a BPMN document, which
	// replaces a draft without its settings BPMN cannot express: a draft
	// with cases enabled keeps them unless the document enables them
	// itself (e:enableCases, which an export writes; documents of other
	// tools have no way to say it). Decision: such an update never turns
	// cases off; the JSON update (PUT /workflows/{id}) does.
	FromBPMN bool
}

// Size of drafts. A draft is answered whole (GET, the editor's lists), so
// it must fit a Lambda response (6 MB, with the body escaped inside it):
// its definition is at most MaxDraftBytes as JSON, its caseColumns at most
// MaxCaseColumnsBytes. Beyond them a create, update or BPMN import answers
// 413 (TooLarge).
const (
	MaxDraftBytes       = 2 << 20
	MaxCaseColumnsBytes = 64 << 10
)

func validateDraft(d WorkflowDraft) error {
	if err := identity.ValidateName("name", d.Definition.Name); err != nil {
		return err
	}
	if len(d.CaseColumns) > MaxCaseColumnsBytes {
		return &failure.Error{Code: failure.TooLarge, Field: "caseColumns", Message: fmt.Sprintf("caseColumns are %d bytes, more than the %d allowed", len(d.CaseColumns), MaxCaseColumnsBytes)}
	}
	raw, err := json.Marshal(d.Definition)
	if err != nil {
		return failure.Wrap(err, "encode workflow")
	}
	if len(raw) > MaxDraftBytes {
		return failure.New(failure.TooLarge, "the workflow is %d bytes as JSON, more than the %d a draft may have", len(raw), MaxDraftBytes)
	}
	if d.Category != nil {
		if err := identity.ValidateName("category", *d.Category); err != nil {
			return err
		}
	}
	return workflow.CheckShape(&d.Definition)
}

// visible reports whether the member may see the draft: private drafts are
// visible to their owner and the organization's admins only.
func visible(w EditorWorkflow, m identity.Membership) bool {
	return !w.IsPrivate || w.OwnerID == m.UserID || m.IsAdmin()
}

// workflowByID reads a draft the member may see. Errors: NotFound.
func (s *Service) workflowByID(ctx context.Context, org identity.Organization, m identity.Membership, id string) (EditorWorkflow, error) {
	if !ids.Valid(id) {
		return EditorWorkflow{}, failure.New(failure.NotFound, "no such workflow")
	}
	w, err := s.Store.GetEditorWorkflow(ctx, org.ID, id)
	if err != nil {
		return EditorWorkflow{}, err
	}
	if !visible(w, m) {
		return EditorWorkflow{}, failure.New(failure.NotFound, "no such workflow")
	}
	return w, nil
}

// Workflow returns a draft. Permission: members (private drafts: owner and
// admins). Errors: NotFound.
func (s *Service) Workflow(ctx context.Context, a identity.Access, id string) (EditorWorkflow, error) {
	org, m := a.Organization, a.Membership
	return s.workflowByID(ctx, org, m, id)
}

// Workflows lists the drafts the caller may see, optionally only those with
// the given trigger type, from the page's offset among all drafts (private
// drafts of others count but are left out). offsets[i] is the offset of
// the i-th draft listed, for a client that asks for the rest of a list
// that was cut. Permission: members.
func (s *Service) Workflows(ctx context.Context, a identity.Access, trigger string, page Page) (list []EditorWorkflow, offsets []int, err error) {
	org, m := a.Organization, a.Membership
	page = page.Normalize()
	all, err := s.Store.ListEditorWorkflows(ctx, org.ID, trigger, page)
	if err != nil {
		return nil, nil, err
	}
	out := all[:0]
	for i, w := range all {
		if visible(w, m) {
			out = append(out, w)
			offsets = append(offsets, page.Offset+i)
		}
	}
	return out, offsets, nil
}

// CreateWorkflow stores a new draft owned by the caller. Permission:
// members. Errors: Invalid for a malformed definition, TooLarge beyond
// MaxDraftBytes.
func (s *Service) CreateWorkflow(ctx context.Context, a identity.Access, d WorkflowDraft) (EditorWorkflow, error) {
	org := a.Organization
	if err := s.fromTemplate(ctx, org.ID, &d); err != nil {
		return EditorWorkflow{}, err
	}
	if err := validateDraft(d); err != nil {
		return EditorWorkflow{}, err
	}
	now := s.now()
	w := EditorWorkflow{
		ID: ids.New(), OrganizationID: org.ID, OwnerID: a.UserID, Created: now, LastUpdated: now,
		Changed: true, Version: 1,
	}
	applyDraft(&w, d)
	if err := s.Store.PutEditorWorkflow(ctx, w); err != nil {
		return EditorWorkflow{}, err
	}
	return w, nil
}

func applyDraft(w *EditorWorkflow, d WorkflowDraft) {
	if d.FromBPMN && w.Definition.EnableCases {
		d.Definition.EnableCases = true
	}
	w.Definition = d.Definition
	w.Definition.ID = w.ID
	if d.Category != nil {
		w.Category = *d.Category
	}
	if d.CaseColumns != nil {
		w.CaseColumns = d.CaseColumns
	}
	if d.Template != nil {
		w.Template = *d.Template
	}
	if d.TemplateID != nil {
		w.TemplateID = *d.TemplateID
	}
	if d.IsPrivate != nil {
		w.IsPrivate = *d.IsPrivate
	}
}

// change applies fn to the draft and stores it on condition of the version
// read, retrying on a lost race. fn may refuse with an error.
func (s *Service) change(ctx context.Context, a identity.Access, id string, fn func(w *EditorWorkflow, m identity.Membership, now time.Time) error) (EditorWorkflow, error) {
	org, m := a.Organization, a.Membership
	var changed EditorWorkflow
	err := s.retry(func() error {
		w, err := s.workflowByID(ctx, org, m, id)
		if err != nil {
			return err
		}
		if err := fn(&w, m, s.now()); err != nil {
			return err
		}
		w.Version++
		if err := s.Store.UpdateEditorWorkflow(ctx, w); err != nil {
			return err
		}
		changed = w
		return nil
	})
	return changed, err
}

// errLocked answers a change to a draft that another editor holds.
func errLocked(w EditorWorkflow) error {
	return failure.New(failure.Conflict, "the workflow is locked for editing by user %s until %s", w.EditorID, w.EditorLock.Format(time.RFC3339))
}

// UpdateWorkflow replaces the draft's definition and applies the editor
// fields given. Permission: members who can see it, unless another member
// holds the editing lock. Errors: NotFound, Conflict (locked by another, or
// changed concurrently), Invalid.
func (s *Service) UpdateWorkflow(ctx context.Context, a identity.Access, id string, d WorkflowDraft) (EditorWorkflow, error) {
	if err := validateDraft(d); err != nil {
		return EditorWorkflow{}, err
	}
	return s.change(ctx, a, id, func(w *EditorWorkflow, m identity.Membership, now time.Time) error {
		if holder := w.LockedBy(now); holder != "" && holder != m.UserID {
			return errLocked(*w)
		}
		applyDraft(w, d)
		w.LastUpdated, w.Changed = now, true
		return nil
	})
}

// LockWorkflow gives the caller the editing lock for LockDuration (renewing
// it when the caller holds it). Errors: Conflict when another holds it.
func (s *Service) LockWorkflow(ctx context.Context, a identity.Access, id string) (EditorWorkflow, error) {
	return s.change(ctx, a, id, func(w *EditorWorkflow, m identity.Membership, now time.Time) error {
		if holder := w.LockedBy(now); holder != "" && holder != m.UserID {
			return errLocked(*w)
		}
		w.EditorID, w.EditorLock = m.UserID, now.Add(LockDuration)
		return nil
	})
}

// UnlockWorkflow releases the editing lock. The holder and the
// organization's admins may release it; releasing a free lock is a no-op.
// Errors: Conflict when another member holds it.
func (s *Service) UnlockWorkflow(ctx context.Context, a identity.Access, id string) (EditorWorkflow, error) {
	return s.change(ctx, a, id, func(w *EditorWorkflow, m identity.Membership, now time.Time) error {
		if holder := w.LockedBy(now); holder != "" && holder != m.UserID && !m.IsAdmin() {
			return errLocked(*w)
		}
		w.EditorID, w.EditorLock = "", time.Time{}
		return nil
	})
}

// CopyWorkflow makes a new draft, owned by the caller, with the definition
// and editor fields of another ("Copy of <name>"), without its versions.
func (s *Service) CopyWorkflow(ctx context.Context, a identity.Access, id string) (EditorWorkflow, error) {
	org, m := a.Organization, a.Membership
	src, err := s.workflowByID(ctx, org, m, id)
	if err != nil {
		return EditorWorkflow{}, err
	}
	now := s.now()
	c := src
	c.ID, c.OwnerID, c.EditorID, c.EditorLock = ids.New(), a.UserID, "", time.Time{}
	c.Created, c.LastUpdated, c.Changed, c.Version = now, now, true, 1
	c.LatestVersion, c.PublishedVersion, c.Template, c.TemplateID = "", "", false, templateOf(src)
	c.Definition.ID = c.ID
	c.Definition.Name = strings.TrimSpace("Copy of " + src.Definition.Name)
	if err := s.Store.PutEditorWorkflow(ctx, c); err != nil {
		return EditorWorkflow{}, err
	}
	return c, nil
}

func templateOf(w EditorWorkflow) string {
	if w.Template {
		return w.ID
	}
	return ""
}

// MaxCascade bounds the versions a cascading delete removes in one request.
const MaxCascade = 1000

// DeleteWorkflow deletes a draft. With cascade its versions are deleted too
// (up to MaxCascade; a later call deletes the rest); without it they are
// kept, so running instances and their cases stay intact. Permission: the
// owner and admins. Errors: NotFound, Forbidden, Conflict when locked by
// another member.
func (s *Service) DeleteWorkflow(ctx context.Context, a identity.Access, id string, cascade bool) error {
	org, m := a.Organization, a.Membership
	w, err := s.workflowByID(ctx, org, m, id)
	if err != nil {
		return err
	}
	if w.OwnerID != m.UserID && !m.IsAdmin() {
		return failure.New(failure.Forbidden, "only the owner of the workflow or an admin may delete it")
	}
	if holder := w.LockedBy(s.now()); holder != "" && holder != m.UserID {
		return errLocked(w)
	}
	if cascade {
		if _, err := s.Store.DeleteVersions(ctx, org.ID, w.ID, MaxCascade); err != nil {
			return err
		}
	}
	return s.Store.DeleteEditorWorkflow(ctx, org.ID, w.ID)
}

// CreateVersion snapshots the draft as an immutable version with a commit
// message. Permission: members who can see the draft, unless another holds
// its lock. Errors: NotFound, Conflict, Invalid (a commit message that is
// too long or holds control characters such as NUL), Unprocessable (a
// definition that cannot run, or names users or groups not of the
// organization: the issues are listed in the message and the details).
func (s *Service) CreateVersion(ctx context.Context, a identity.Access, id, commitMessage string) (ExecutableWorkflow, error) {
	if err := validateText("commitMessage", commitMessage, MaxCommitMessage); err != nil {
		return ExecutableWorkflow{}, err
	}
	org, m := a.Organization, a.Membership
	var version ExecutableWorkflow
	err := s.retry(func() error {
		w, err := s.workflowByID(ctx, org, m, id)
		if err != nil {
			return err
		}
		now := s.now()
		if holder := w.LockedBy(now); holder != "" && holder != m.UserID {
			return errLocked(w)
		}
		if err := s.checkRunnable(ctx, org.ID, &w.Definition); err != nil {
			return err
		}
		v := ExecutableWorkflow{
			ID: ids.New(), OrganizationID: org.ID, SourceWorkflowID: w.ID, Definition: w.Definition,
			CreatorID: a.UserID, CreateTime: now, CommitMessage: commitMessage,
		}
		v.Definition.ID = v.ID
		w.LatestVersion, w.Changed, w.LastUpdated = v.ID, false, now
		w.Version++
		if err := s.Store.PutVersion(ctx, v, w); err != nil {
			return err
		}
		version = v
		return nil
	})
	return version, err
}

// Versions lists a draft's versions, newest first. Permission: members who
// can see the draft.
func (s *Service) Versions(ctx context.Context, a identity.Access, id string, page Page) ([]ExecutableWorkflow, error) {
	org, m := a.Organization, a.Membership
	if _, err := s.workflowByID(ctx, org, m, id); err != nil {
		return nil, err
	}
	return s.Store.ListVersions(ctx, org.ID, id, page.Normalize())
}

// versionOf reads a version of the draft. Errors: NotFound, also for a
// version of another draft.
func (s *Service) versionOf(ctx context.Context, orgID, workflowID, versionID string) (ExecutableWorkflow, error) {
	if !ids.Valid(versionID) {
		return ExecutableWorkflow{}, failure.New(failure.NotFound, "no such version")
	}
	v, err := s.Store.GetVersion(ctx, orgID, versionID)
	if err != nil {
		return ExecutableWorkflow{}, err
	}
	if v.SourceWorkflowID != workflowID {
		return ExecutableWorkflow{}, failure.New(failure.NotFound, "no such version of this workflow")
	}
	return v, nil
}

// RestoreVersion replaces the draft's definition with a version's.
// Permission and errors: as UpdateWorkflow; NotFound for an unknown version.
func (s *Service) RestoreVersion(ctx context.Context, a identity.Access, id, versionID string) (EditorWorkflow, error) {
	return s.change(ctx, a, id, func(w *EditorWorkflow, m identity.Membership, now time.Time) error {
		if holder := w.LockedBy(now); holder != "" && holder != m.UserID {
			return errLocked(*w)
		}
		v, err := s.versionOf(ctx, w.OrganizationID, w.ID, versionID)
		if err != nil {
			return err
		}
		w.Definition = v.Definition
		w.Definition.ID = w.ID
		w.LastUpdated, w.Changed = now, v.ID != w.LatestVersion
		return nil
	})
}

// PublishVersion makes a version the one that new instances of the draft
// run on; running instances stay on theirs. Permission: members who can see
// the draft. Errors: NotFound.
func (s *Service) PublishVersion(ctx context.Context, a identity.Access, id, versionID string) (ExecutableWorkflow, error) {
	var published ExecutableWorkflow
	_, err := s.change(ctx, a, id, func(w *EditorWorkflow, m identity.Membership, now time.Time) error {
		v, err := s.versionOf(ctx, w.OrganizationID, w.ID, versionID)
		if err != nil {
			return err
		}
		published = v
		w.PublishedVersion = v.ID
		return nil
	})
	return published, err
}

// checkRunnable checks a definition before it becomes a version: its
// shape, the engine's validation, and the people it names (members and
// groups of the organization only). Errors: Invalid (shape),
// Unprocessable listing every error issue by element in the message and
// as Details (a list of engine.Issue).
func (s *Service) checkRunnable(ctx context.Context, orgID string, w *workflow.Workflow) error {
	if err := workflow.CheckShape(w); err != nil {
		return err
	}
	issues := engine.Validate(w)
	people, err := s.peopleIssues(ctx, orgID, w)
	if err != nil {
		return err
	}
	return unrunnable(append(issues, people...))
}

// StartForm returns the start form of the workflow's published version, or
// of its draft when none is published (nil without a form trigger).
// Permission: members who can see the workflow. Errors: NotFound.
func (s *Service) StartForm(ctx context.Context, a identity.Access, id string) (*engine.FormInstance, error) {
	org, m := a.Organization, a.Membership
	w, err := s.workflowByID(ctx, org, m, id)
	if err != nil {
		return nil, err
	}
	def := w.Definition
	if w.PublishedVersion != "" {
		v, err := s.Store.GetVersion(ctx, org.ID, w.PublishedVersion)
		if err != nil {
			return nil, err
		}
		def = v.Definition
	}
	return engine.StartForm(&def), nil
}

// TestActivity runs a script activity of the draft on test values and
// reports its result, log and variable updates; nothing is stored.
// Permission: members who can see the workflow. Errors: NotFound (workflow
// or activity), Invalid (not a script activity).
func (s *Service) TestActivity(ctx context.Context, a identity.Access, id, activityID string, vars map[string]json.RawMessage) (*engine.ScriptResult, error) {
	w, err := s.Workflow(ctx, a, id)
	if err != nil {
		return nil, err
	}
	res, err := engine.RunScript(&w.Definition, activityID, vars)
	if err != nil {
		return nil, engineFailure(err)
	}
	return res, nil
}
