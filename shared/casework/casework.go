// Package casework is the domain core of processes at work: editor
// workflows (drafts) with their versions and publication, and, on top of the
// engine, workflow instances, cases and tasks. Every operation is scoped to
// an organization and checked against the caller's membership through the
// identity service first.
package casework

import (
	"context"
	"encoding/json"
	"sync"
	"time"

	lru "github.com/hashicorp/golang-lru/v2"

	"github.com/effektif-serverless/caseflow/shared/bpmn"
	"github.com/effektif-serverless/caseflow/shared/engine"
	"github.com/effektif-serverless/caseflow/shared/identity"
	"github.com/effektif-serverless/caseflow/shared/mail"
	"github.com/effektif-serverless/caseflow/shared/workflow"
)

// EditorWorkflow is a workflow as its authors edit it: the draft Definition
// and what the editor keeps about it. Published versions are
// ExecutableWorkflows whose SourceWorkflowID is this ID.
type EditorWorkflow struct {
	ID             string
	OrganizationID string
	Definition     workflow.Workflow
	OwnerID        string
	// EditorID holds the editing lock until EditorLock; a zero EditorLock
	// or one in the past means nobody holds it.
	EditorID    string
	EditorLock  time.Time
	Created     time.Time
	LastUpdated time.Time
	Category    string
	// Changed tells whether the draft differs from the latest version.
	Changed          bool
	LatestVersion    string
	PublishedVersion string
	CaseColumns      json.RawMessage
	Template         bool
	TemplateID       string
	IsPrivate        bool
	Version          int
}

// TriggerType is the type of the draft's trigger ("" when it has none).
func (w EditorWorkflow) TriggerType() string {
	if w.Definition.Trigger == nil {
		return ""
	}
	return w.Definition.Trigger.Type
}

// LockedBy reports who holds the editing lock at now ("" for nobody).
func (w EditorWorkflow) LockedBy(now time.Time) string {
	if w.EditorID == "" || !now.Before(w.EditorLock) {
		return ""
	}
	return w.EditorID
}

// ExecutableWorkflow is an immutable snapshot of a draft: a version that
// instances run on.
type ExecutableWorkflow struct {
	ID               string
	OrganizationID   string
	SourceWorkflowID string
	Definition       workflow.Workflow
	CreatorID        string
	CreateTime       time.Time
	CommitMessage    string
}

// Page bounds a list: skip Offset items, return at most PageSize.
type Page struct {
	Offset, PageSize int
}

// Limits of lists.
const (
	DefaultPageSize = 50
	MaxPageSize     = 500
	MaxOffset       = 10000
)

// Normalize applies the defaults and bounds.
func (p Page) Normalize() Page {
	if p.PageSize <= 0 {
		p.PageSize = DefaultPageSize
	}
	if p.PageSize > MaxPageSize {
		p.PageSize = MaxPageSize
	}
	if p.Offset < 0 {
		p.Offset = 0
	}
	if p.Offset > MaxOffset {
		p.Offset = MaxOffset
	}
	return p
}

// Store persists editor workflows and their versions, and (WorkStore)
// cases, tasks and events. Errors are
// *failure.Error values: NotFound for a missing item, Conflict when a
// version condition fails.
type Store interface {
	PutEditorWorkflow(ctx context.Context, w EditorWorkflow) error
	// UpdateEditorWorkflow stores w if the stored version is w.Version-1.
	UpdateEditorWorkflow(ctx context.Context, w EditorWorkflow) error
	GetEditorWorkflow(ctx context.Context, organizationID, id string) (EditorWorkflow, error)
	// ListEditorWorkflows lists an organization's drafts in creation order,
	// filtered by trigger type when it is not "", skipping page.Offset.
	ListEditorWorkflows(ctx context.Context, organizationID, triggerType string, page Page) ([]EditorWorkflow, error)
	DeleteEditorWorkflow(ctx context.Context, organizationID, id string) error
	// PutVersion stores a version and, in the same transaction, the draft
	// (conditional on its version) that records it.
	PutVersion(ctx context.Context, v ExecutableWorkflow, draft EditorWorkflow) error
	GetVersion(ctx context.Context, organizationID, id string) (ExecutableWorkflow, error)
	// ListVersions lists a draft's versions, newest first.
	ListVersions(ctx context.Context, organizationID, sourceWorkflowID string, page Page) ([]ExecutableWorkflow, error)
	// DeleteVersions deletes up to limit versions of a draft and reports how many.
	DeleteVersions(ctx context.Context, organizationID, sourceWorkflowID string, limit int) (int, error)
	WorkStore
}

// Service holds the rules of casework.
type Service struct {
	Identity *identity.Service
	Store    Store
	// Mail sends the mails of email tasks.
	Mail mail.Sender
	// Files keeps the bytes of uploaded files.
	Files Objects
	// BPMNCharsets decodes BPMN documents that declare an encoding other
	// than UTF-8, US-ASCII and UTF-16 (ImportBPMN, UpdateFromBPMN); nil
	// refuses them as Invalid. Only the function that imports BPMN sets it
	// (charsets.Lookup: the tables of every encoding, about 0.7 MB).
	BPMNCharsets bpmn.Charsets
	// MaxUpload bounds an uploaded file (DefaultMaxUpload when 0).
	MaxUpload int64
	// InlineLimit is the largest file a download answers itself; larger
	// ones get a presigned URL (DefaultInlineLimit when 0).
	InlineLimit int64
	// MailQuota bounds the recipients of an organization's email tasks
	// per hour (DefaultMailQuota when 0); see progress.commit.
	MailQuota int
	// Now returns the current time; nil means time.Now.
	Now func() time.Time

	// compiled keeps the compiled, validated definitions of the versions
	// this Service ran (one Service per container), by organization and
	// version id; see compiledOf.
	compiled engine.Cache
	// versions keeps the versions this Service read (at most
	// cachedVersions), by organization and version id; see version.
	versionsOnce sync.Once
	versions     *lru.Cache[string, ExecutableWorkflow]
}

// cachedVersions bounds the versions a Service keeps.
const cachedVersions = 64

// version reads a workflow version, once per Service: a version is
// immutable once created (see compiledOf), so the one read first stays
// right while it exists. Only for a version known to exist (the published
// version of an editor workflow read in the same request): a cascading
// delete removes versions, which a cache would not see. The version
// returned is shared: callers never change it. Errors: as
// WorkStore.GetVersion.
func (s *Service) version(ctx context.Context, orgID, id string) (ExecutableWorkflow, error) {
	s.versionsOnce.Do(func() { s.versions, _ = lru.New[string, ExecutableWorkflow](cachedVersions) })
	key := orgID + "/" + id
	if v, ok := s.versions.Get(key); ok {
		return v, nil
	}
	v, err := s.Store.GetVersion(ctx, orgID, id)
	if err == nil {
		s.versions.Add(key, v)
	}
	return v, err
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now().UTC()
	}
	return time.Now().UTC()
}
