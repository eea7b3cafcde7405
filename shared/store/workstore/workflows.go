package workstore

import (
	"context"
	"errors"

	"github.com/guregu/dynamo/v2"

	"github.com/effektif-serverless/caseflow/shared/casework"
	"github.com/effektif-serverless/caseflow/shared/failure"
	"github.com/effektif-serverless/caseflow/shared/store/internal/onetable"
	"github.com/effektif-serverless/caseflow/shared/workflow"
)

// Keys of the workflow items:
//
//	ORG#<orgId>  WF#<id>        an editor workflow (draft); its definition gzip-compressed
//	ORG#<orgId>  WFV#<id>       a version; GSI1 WFVERSIONS#<sourceWorkflowId> / <createTime>#<id>

var _ casework.Store = (*DB)(nil)

type editorWorkflowItem struct {
	onetable.Key
	// The fields stored as attributes (the definition is packed).
	ID, OrganizationID, OwnerID, EditorID, Category string
	LatestVersion, PublishedVersion, TemplateID     string
	TriggerType                                     string
	EditorLock, Created, LastUpdated                string
	Changed, Template, IsPrivate                    bool
	CaseColumns                                     []byte
	Definition                                      []byte
	Version                                         int
}

func editorWorkflowKey(orgID, id string) onetable.Key {
	return onetable.Key{PK: "ORG#" + orgID, SK: "WF#" + id}
}

func newEditorWorkflowItem(w casework.EditorWorkflow) (editorWorkflowItem, error) {
	def, err := onetable.PackJSON(w.Definition, "workflow definition")
	if err != nil {
		return editorWorkflowItem{}, err
	}
	return editorWorkflowItem{
		Key: editorWorkflowKey(w.OrganizationID, w.ID),
		ID:  w.ID, OrganizationID: w.OrganizationID, OwnerID: w.OwnerID, EditorID: w.EditorID,
		Category: w.Category, LatestVersion: w.LatestVersion, PublishedVersion: w.PublishedVersion,
		TemplateID: w.TemplateID, TriggerType: w.TriggerType(),
		EditorLock: onetable.TimeString(w.EditorLock), Created: onetable.TimeString(w.Created), LastUpdated: onetable.TimeString(w.LastUpdated),
		Changed: w.Changed, Template: w.Template, IsPrivate: w.IsPrivate, CaseColumns: w.CaseColumns,
		Definition: def, Version: w.Version,
	}, nil
}

func (it editorWorkflowItem) model() (casework.EditorWorkflow, error) {
	w := casework.EditorWorkflow{
		ID: it.ID, OrganizationID: it.OrganizationID, OwnerID: it.OwnerID, EditorID: it.EditorID,
		Category: it.Category, LatestVersion: it.LatestVersion, PublishedVersion: it.PublishedVersion,
		TemplateID: it.TemplateID, EditorLock: onetable.ParseTime(it.EditorLock), Created: onetable.ParseTime(it.Created),
		LastUpdated: onetable.ParseTime(it.LastUpdated), Changed: it.Changed, Template: it.Template,
		IsPrivate: it.IsPrivate, CaseColumns: it.CaseColumns, Version: it.Version,
	}
	var def workflow.Workflow
	if err := onetable.UnpackJSON(it.Definition, &def, "workflow definition"); err != nil {
		return casework.EditorWorkflow{}, err
	}
	w.Definition = def
	return w, nil
}

type versionItem struct {
	onetable.Key
	ID, OrganizationID, SourceWorkflowID, CreatorID, CreateTime, CommitMessage string
	Definition                                                                 []byte
}

func versionKey(orgID, id string) onetable.Key {
	return onetable.Key{PK: "ORG#" + orgID, SK: "WFV#" + id}
}

func newVersionItem(v casework.ExecutableWorkflow) (versionItem, error) {
	def, err := onetable.PackJSON(v.Definition, "workflow version")
	if err != nil {
		return versionItem{}, err
	}
	k := versionKey(v.OrganizationID, v.ID)
	k.GSI1PK, k.GSI1SK = "WFVERSIONS#"+v.SourceWorkflowID, onetable.TimeString(v.CreateTime)+"#"+v.ID
	return versionItem{Key: k, ID: v.ID, OrganizationID: v.OrganizationID, SourceWorkflowID: v.SourceWorkflowID,
		CreatorID: v.CreatorID, CreateTime: onetable.TimeString(v.CreateTime), CommitMessage: v.CommitMessage, Definition: def}, nil
}

func (it versionItem) model() (casework.ExecutableWorkflow, error) {
	v := casework.ExecutableWorkflow{ID: it.ID, OrganizationID: it.OrganizationID, SourceWorkflowID: it.SourceWorkflowID,
		CreatorID: it.CreatorID, CreateTime: onetable.ParseTime(it.CreateTime), CommitMessage: it.CommitMessage}
	if err := onetable.UnpackJSON(it.Definition, &v.Definition, "workflow version"); err != nil {
		return casework.ExecutableWorkflow{}, err
	}
	return v, nil
}

// PutEditorWorkflow stores a new draft.
func (s *DB) PutEditorWorkflow(ctx context.Context, w casework.EditorWorkflow) error {
	it, err := newEditorWorkflowItem(w)
	if err != nil {
		return err
	}
	if err := s.table.Put(it).If(onetable.NotExists).Run(ctx); err != nil {
		return failure.Wrap(err, "store workflow")
	}
	return nil
}

// UpdateEditorWorkflow replaces a draft on condition of its version.
func (s *DB) UpdateEditorWorkflow(ctx context.Context, w casework.EditorWorkflow) error {
	put, err := s.updateEditorWorkflow(w)
	if err != nil {
		return err
	}
	return onetable.VersionConflict(put.Run(ctx), "workflow")
}

func (s *DB) updateEditorWorkflow(w casework.EditorWorkflow) (*dynamo.Put, error) {
	it, err := newEditorWorkflowItem(w)
	if err != nil {
		return nil, err
	}
	return s.table.Put(it).If("attribute_exists(pk) AND 'Version' = ?", w.Version-1), nil
}

// GetEditorWorkflow reads a draft.
func (s *DB) GetEditorWorkflow(ctx context.Context, orgID, id string) (casework.EditorWorkflow, error) {
	var it editorWorkflowItem
	k := editorWorkflowKey(orgID, id)
	if err := onetable.NotFound(s.get(ctx, k.PK, k.SK, &it), "workflow"); err != nil {
		return casework.EditorWorkflow{}, err
	}
	return it.model()
}

// ListEditorWorkflows is one Query (pages of it while skipping the offset).
func (s *DB) ListEditorWorkflows(ctx context.Context, orgID, triggerType string, page casework.Page) ([]casework.EditorWorkflow, error) {
	q := s.table.Get(onetable.HashKey, "ORG#"+orgID).Range(onetable.RangeKey, dynamo.BeginsWith, "WF#")
	if triggerType != "" {
		q = q.Filter("'TriggerType' = ?", triggerType)
	}
	var items []editorWorkflowItem
	if err := s.page(ctx, q, page, &items); err != nil {
		return nil, failure.Wrap(err, "list workflows")
	}
	out := make([]casework.EditorWorkflow, 0, len(items))
	for _, it := range items {
		w, err := it.model()
		if err != nil {
			return nil, err
		}
		out = append(out, w)
	}
	return out, nil
}

// page runs q, skips page.Offset results and returns up to page.PageSize
// into out (a pointer to a slice).
func (s *DB) page(ctx context.Context, q *dynamo.Query, page casework.Page, out any) error {
	return onetable.PageInto(ctx, q, page.Offset, page.PageSize, out)
}

// DeleteEditorWorkflow deletes a draft.
func (s *DB) DeleteEditorWorkflow(ctx context.Context, orgID, id string) error {
	k := editorWorkflowKey(orgID, id)
	if err := s.table.Delete(onetable.HashKey, k.PK).Range(onetable.RangeKey, k.SK).Run(ctx); err != nil {
		return failure.Wrap(err, "delete workflow")
	}
	return nil
}

// PutVersion writes the version and the draft in one transaction.
func (s *DB) PutVersion(ctx context.Context, v casework.ExecutableWorkflow, draft casework.EditorWorkflow) error {
	vi, err := newVersionItem(v)
	if err != nil {
		return err
	}
	put, err := s.updateEditorWorkflow(draft)
	if err != nil {
		return err
	}
	err = s.db.WriteTx().Put(s.table.Put(vi).If(onetable.NotExists)).Put(put).Run(ctx)
	return onetable.VersionConflict(err, "workflow")
}

// GetVersion reads a version.
func (s *DB) GetVersion(ctx context.Context, orgID, id string) (casework.ExecutableWorkflow, error) {
	var it versionItem
	k := versionKey(orgID, id)
	if err := onetable.NotFound(s.get(ctx, k.PK, k.SK, &it), "version"); err != nil {
		return casework.ExecutableWorkflow{}, err
	}
	return it.model()
}

// ListVersions is one Query on GSI1, newest first.
func (s *DB) ListVersions(ctx context.Context, orgID, sourceID string, page casework.Page) ([]casework.ExecutableWorkflow, error) {
	q := s.table.Get("gsi1pk", "WFVERSIONS#"+sourceID).Index(onetable.GSI1).Order(dynamo.Descending)
	var items []versionItem
	if err := s.page(ctx, q, page, &items); err != nil {
		return nil, failure.Wrap(err, "list versions")
	}
	out := make([]casework.ExecutableWorkflow, 0, len(items))
	for _, it := range items {
		if it.OrganizationID != orgID {
			continue
		}
		v, err := it.model()
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

// DeleteVersions deletes up to limit versions of a draft.
func (s *DB) DeleteVersions(ctx context.Context, orgID, sourceID string, limit int) (int, error) {
	var items []onetable.Key
	err := s.table.Get("gsi1pk", "WFVERSIONS#"+sourceID).Index(onetable.GSI1).Project(onetable.HashKey, onetable.RangeKey).Limit(limit).All(ctx, &items)
	if err != nil && !errors.Is(err, dynamo.ErrNotFound) {
		return 0, failure.Wrap(err, "list versions")
	}
	keys := make([]dynamo.Keyed, 0, len(items))
	for _, k := range items {
		if k.PK == "ORG#"+orgID {
			keys = append(keys, dynamo.Keys{k.PK, k.SK})
		}
	}
	if len(keys) == 0 {
		return 0, nil
	}
	n, err := s.table.Batch(onetable.HashKey, onetable.RangeKey).Write().Delete(keys...).Run(ctx)
	if err != nil {
		return n, failure.Wrap(err, "delete versions")
	}
	return n, nil
}
