package work

import (
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"github.com/effektif-serverless/caseflow/shared/casework"
	"github.com/effektif-serverless/caseflow/shared/effektif"
	"github.com/effektif-serverless/caseflow/shared/failure"
	"github.com/effektif-serverless/caseflow/shared/httpapi"
	"github.com/effektif-serverless/caseflow/shared/identity"
	"github.com/effektif-serverless/caseflow/shared/workflow"
)

// MaxWorkflowBody bounds a workflow in a request (BPMN-imported workflows
// with their diagrams are large).
const MaxWorkflowBody = 4 << 20

// editorKeys are the EditorWorkflow, NewWorkflow, EditorWorkflowDetail and
// ExecutableWorkflow fields beside the AbstractWorkflow ones. They are
// decoded on their own, never kept as definition properties.
var editorKeys = []string{
	"ownerId", "editorId", "editorLock", "lastUpdated", "category", "changed", "latestVersion",
	"caseColumns", "template", "templateId", "nameLower", "isPrivate", "editor", "owner",
	"sourceWorkflowId", "createTime", "creatorId", "commitMessage",
}

// editorFields are the editor fields a client may set.
type editorFields struct {
	Category    *string         `json:"category"`
	CaseColumns json.RawMessage `json:"caseColumns"`
	Template    *bool           `json:"template"`
	TemplateID  *string         `json:"templateId"`
	IsPrivate   *bool           `json:"isPrivate"`
}

// decodeDraft reads an EditorWorkflow or NewWorkflow body.
func decodeDraft(r *http.Request) (casework.WorkflowDraft, error) {
	body, err := readBody(r, MaxWorkflowBody)
	if err != nil {
		return casework.WorkflowDraft{}, err
	}
	var d casework.WorkflowDraft
	if err := httpapi.Unmarshal(body, &d.Definition); err != nil {
		return casework.WorkflowDraft{}, err
	}
	var ef editorFields
	if err := httpapi.Unmarshal(body, &ef); err != nil {
		return casework.WorkflowDraft{}, err
	}
	for _, k := range editorKeys {
		delete(d.Definition.Properties, k)
	}
	d.Category, d.CaseColumns, d.Template, d.TemplateID, d.IsPrivate = ef.Category, ef.CaseColumns, ef.Template, ef.TemplateID, ef.IsPrivate
	return d, nil
}

// readBody reads a JSON request body of at most limit bytes.
func readBody(r *http.Request, limit int64) ([]byte, error) {
	var raw json.RawMessage
	if err := httpapi.DecodeJSON(r, limit, &raw); err != nil {
		return nil, err
	}
	return raw, nil
}

// editorView is the EditorWorkflow fields beside the definition's.
type editorView struct {
	OwnerID       string          `json:"ownerId,omitempty"`
	EditorID      string          `json:"editorId,omitempty"`
	EditorLock    *time.Time      `json:"editorLock,omitempty"`
	LastUpdated   time.Time       `json:"lastUpdated,omitzero"`
	Category      string          `json:"category,omitempty"`
	Changed       bool            `json:"changed"`
	LatestVersion string          `json:"latestVersion,omitempty"`
	CaseColumns   json.RawMessage `json:"caseColumns,omitempty"`
	Template      bool            `json:"template"`
	TemplateID    string          `json:"templateId,omitempty"`
	NameLower     string          `json:"nameLower,omitempty"`
	IsPrivate     bool            `json:"isPrivate,omitempty"`
	// PublishedVersion is not in the document: the version new instances run on.
	PublishedVersion string         `json:"publishedVersionId,omitempty"`
	Editor           *effektif.User `json:"editor,omitempty"`
	Owner            *effektif.User `json:"owner,omitempty"`
}

// editorWorkflowJSON renders an EditorWorkflow; with users (the owner and
// the lock holder, by id) an EditorWorkflowDetail.
func editorWorkflowJSON(w casework.EditorWorkflow, now time.Time, users map[string]identity.User) (json.RawMessage, error) {
	v := editorView{
		OwnerID: w.OwnerID, LastUpdated: w.LastUpdated, Category: w.Category, Changed: w.Changed,
		LatestVersion: w.LatestVersion, CaseColumns: w.CaseColumns, Template: w.Template,
		TemplateID: w.TemplateID, NameLower: strings.ToLower(w.Definition.Name), IsPrivate: w.IsPrivate,
		PublishedVersion: w.PublishedVersion,
	}
	if holder := w.LockedBy(now); holder != "" {
		lock := w.EditorLock
		v.EditorID, v.EditorLock = holder, &lock
	}
	if u, ok := users[v.EditorID]; ok && v.EditorID != "" {
		view := effektif.UserOf(u, nil, false)
		v.Editor = &view
	}
	if u, ok := users[w.OwnerID]; ok {
		view := effektif.UserOf(u, nil, false)
		v.Owner = &view
	}
	return withFields(w.Definition, v)
}

// executableView is the ExecutableWorkflow fields beside the definition's.
type executableView struct {
	SourceWorkflowID string    `json:"sourceWorkflowId"`
	CreateTime       time.Time `json:"createTime"`
	CreatorID        string    `json:"creatorId"`
	// CommitMessage is not in the document's ExecutableWorkflow: it is the
	// VersionRequest's message, shown with the version.
	CommitMessage string `json:"commitMessage,omitempty"`
}

func executableWorkflowJSON(v casework.ExecutableWorkflow) (json.RawMessage, error) {
	return withFields(v.Definition, executableView{SourceWorkflowID: v.SourceWorkflowID, CreateTime: v.CreateTime, CreatorID: v.CreatorID, CommitMessage: v.CommitMessage})
}

// withFields renders the definition with the fields of extra added.
func withFields(def workflow.Workflow, extra any) (json.RawMessage, error) {
	a, err := json.Marshal(def)
	if err != nil {
		return nil, failure.Wrap(err, "encode workflow")
	}
	return withExtra(a, extra)
}

// withExtra adds the fields of extra (a struct) to a JSON object.
func withExtra(a json.RawMessage, extra any) (json.RawMessage, error) {
	b, err := json.Marshal(extra)
	if err != nil {
		return nil, failure.Wrap(err, "encode workflow")
	}
	if len(b) <= 2 {
		return a, nil
	}
	if len(a) <= 2 {
		return b, nil
	}
	out := make([]byte, 0, len(a)+len(b))
	out = append(out, a[:len(a)-1]...)
	out = append(out, ',')
	return append(out, b[1:]...), nil
}

// page reads the offset and pagesize query parameters.
func page(r *http.Request) (casework.Page, error) {
	p, err := effektif.Pagination.Read(r)
	return casework.Page{Offset: p.Offset, PageSize: p.Size}, err
}

// WorkflowRoutes registers the routes of the Effektif Workflow group.
func WorkflowRoutes(rt *httpapi.Router, svc *casework.Service) {
	h := workflowHandlers{svc: svc}
	base := effektif.BasePath + "/{organizationKey}/workflows"
	rt.Handle("GET "+effektif.BasePath+"/{organizationKey}/templates", tenant(svc.Identity, h.templates))
	rt.Handle("GET "+base, tenant(svc.Identity, h.list))
	rt.Handle("POST "+base, tenant(svc.Identity, h.create))
	rt.Handle("POST "+base+"/import/json", tenant(svc.Identity, h.importJSON))
	rt.Handle("POST "+base+"/import/bpmn/{fileId}", tenant(svc.Identity, h.importBPMN))
	rt.Handle("PUT "+base+"/{editorWorkflowId}/update/bpmn", tenant(svc.Identity, h.updateBPMN))
	// The document writes the export path with a trailing slash; both work.
	rt.Handle("GET "+base+"/{editorWorkflowId}/export/bpmn/{$}", tenant(svc.Identity, h.exportBPMN))
	rt.Handle("GET "+base+"/{editorWorkflowId}/export/bpmn", tenant(svc.Identity, h.exportBPMN))
	rt.Handle("GET "+base+"/{editorWorkflowId}", tenant(svc.Identity, h.get))
	rt.Handle("PUT "+base+"/{editorWorkflowId}", tenant(svc.Identity, h.update))
	rt.Handle("DELETE "+base+"/{editorWorkflowId}", tenant(svc.Identity, h.delete))
	rt.Handle("POST "+base+"/{editorWorkflowId}/copy", tenant(svc.Identity, h.copy))
	rt.Handle("GET "+base+"/{editorWorkflowId}/export/json", tenant(svc.Identity, h.exportJSON))
	rt.Handle("POST "+base+"/{editorWorkflowId}/lock", tenant(svc.Identity, h.lock))
	rt.Handle("POST "+base+"/{editorWorkflowId}/unlock", tenant(svc.Identity, h.unlock))
	rt.Handle("GET "+base+"/{editorWorkflowId}/startForm", tenant(svc.Identity, h.startForm))
	rt.Handle("POST "+base+"/{editorWorkflowId}/activities/{activityId}/test", tenant(svc.Identity, h.activityTest))
	rt.Handle("GET "+base+"/{editorWorkflowId}/versions", tenant(svc.Identity, h.versions))
	rt.Handle("POST "+base+"/{editorWorkflowId}/versions", tenant(svc.Identity, h.createVersion))
	rt.Handle("POST "+base+"/{editorWorkflowId}/versions/{versionId}/restore", tenant(svc.Identity, h.restore))
	rt.Handle("POST "+base+"/{editorWorkflowId}/versions/{versionId}/publish", tenant(svc.Identity, h.publish))
}

type workflowHandlers struct {
	svc *casework.Service
}

// writeDetail answers an EditorWorkflowDetail, with the owner and editor.
func (h workflowHandlers) writeDetail(w http.ResponseWriter, r *http.Request, wf casework.EditorWorkflow) error {
	users, err := h.svc.Identity.Users(r.Context(), []string{wf.OwnerID, wf.EditorID})
	if err != nil {
		return err
	}
	body, err := editorWorkflowJSON(wf, time.Now(), users)
	if err != nil {
		return err
	}
	return httpapi.WriteJSON(w, http.StatusOK, body)
}

func (h workflowHandlers) writeEditor(w http.ResponseWriter, wf casework.EditorWorkflow) error {
	body, err := editorWorkflowJSON(wf, time.Now(), nil)
	if err != nil {
		return err
	}
	return httpapi.WriteJSON(w, http.StatusOK, body)
}

// writeEditors answers a list of EditorWorkflows within ListBudget; with
// offsets (the list's position of each draft) the list is offset-paged.
func (h workflowHandlers) writeEditors(w http.ResponseWriter, wfs []casework.EditorWorkflow, offsets []int) error {
	out := make([]json.RawMessage, len(wfs))
	for i, wf := range wfs {
		body, err := editorWorkflowJSON(wf, time.Now(), nil)
		if err != nil {
			return err
		}
		out[i] = body
	}
	var next func(int) int
	if offsets != nil {
		next = func(kept int) int { return offsets[kept] }
	}
	return writeList(w, out, next)
}

func (h workflowHandlers) list(w http.ResponseWriter, r *http.Request, a identity.Access) error {
	p, err := page(r)
	if err != nil {
		return err
	}
	wfs, offsets, err := h.svc.Workflows(r.Context(), a, r.URL.Query().Get("trigger"), p)
	if err != nil {
		return err
	}
	return h.writeEditors(w, wfs, offsets)
}

func (h workflowHandlers) templates(w http.ResponseWriter, r *http.Request, a identity.Access) error {
	wfs, err := h.svc.Templates(r.Context(), a, r.URL.Query().Get("category"))
	if err != nil {
		return err
	}
	return h.writeEditors(w, wfs, nil)
}

func (h workflowHandlers) create(w http.ResponseWriter, r *http.Request, a identity.Access) error {
	d, err := decodeDraft(r)
	if err != nil {
		return err
	}
	wf, err := h.svc.CreateWorkflow(r.Context(), a, d)
	if err != nil {
		return err
	}
	return h.writeDetail(w, r, wf)
}

// importJSON creates a draft from an exported EditorWorkflow; ids, owner
// and versions of the export are not taken over.
func (h workflowHandlers) importJSON(w http.ResponseWriter, r *http.Request, a identity.Access) error {
	d, err := decodeDraft(r)
	if err != nil {
		return err
	}
	d.Template, d.TemplateID = nil, nil
	wf, err := h.svc.CreateWorkflow(r.Context(), a, d)
	if err != nil {
		return err
	}
	return h.writeEditor(w, wf)
}

func (h workflowHandlers) get(w http.ResponseWriter, r *http.Request, a identity.Access) error {
	wf, err := h.svc.Workflow(r.Context(), a, r.PathValue("editorWorkflowId"))
	if err != nil {
		return err
	}
	return h.writeDetail(w, r, wf)
}

func (h workflowHandlers) exportJSON(w http.ResponseWriter, r *http.Request, a identity.Access) error {
	wf, err := h.svc.Workflow(r.Context(), a, r.PathValue("editorWorkflowId"))
	if err != nil {
		return err
	}
	return h.writeEditor(w, wf)
}

func (h workflowHandlers) update(w http.ResponseWriter, r *http.Request, a identity.Access) error {
	d, err := decodeDraft(r)
	if err != nil {
		return err
	}
	wf, err := h.svc.UpdateWorkflow(r.Context(), a, r.PathValue("editorWorkflowId"), d)
	if err != nil {
		return err
	}
	return h.writeDetail(w, r, wf)
}

func (h workflowHandlers) delete(w http.ResponseWriter, r *http.Request, a identity.Access) error {
	cascade, err := httpapi.BoolParam(r, "cascade")
	if err != nil {
		return err
	}
	if err := h.svc.DeleteWorkflow(r.Context(), a, r.PathValue("editorWorkflowId"), cascade != nil && *cascade); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (h workflowHandlers) copy(w http.ResponseWriter, r *http.Request, a identity.Access) error {
	wf, err := h.svc.CopyWorkflow(r.Context(), a, r.PathValue("editorWorkflowId"))
	if err != nil {
		return err
	}
	return h.writeDetail(w, r, wf)
}

func (h workflowHandlers) lock(w http.ResponseWriter, r *http.Request, a identity.Access) error {
	wf, err := h.svc.LockWorkflow(r.Context(), a, r.PathValue("editorWorkflowId"))
	if err != nil {
		return err
	}
	return h.writeEditor(w, wf)
}

// unlock answers the EditorWorkflow as it is now (the document gives no
// response model).
func (h workflowHandlers) unlock(w http.ResponseWriter, r *http.Request, a identity.Access) error {
	wf, err := h.svc.UnlockWorkflow(r.Context(), a, r.PathValue("editorWorkflowId"))
	if err != nil {
		return err
	}
	return h.writeEditor(w, wf)
}

func (h workflowHandlers) versions(w http.ResponseWriter, r *http.Request, a identity.Access) error {
	p, err := page(r)
	if err != nil {
		return err
	}
	vs, err := h.svc.Versions(r.Context(), a, r.PathValue("editorWorkflowId"), p)
	if err != nil {
		return err
	}
	out := make([]json.RawMessage, len(vs))
	for i, v := range vs {
		if out[i], err = executableWorkflowJSON(v); err != nil {
			return err
		}
	}
	return writeList(w, out, after(p.Normalize().Offset))
}

// VersionRequest is the body of POST .../versions.
type VersionRequest struct {
	CommitMessage string `json:"commitMessage"`
}

func (h workflowHandlers) createVersion(w http.ResponseWriter, r *http.Request, a identity.Access) error {
	var req VersionRequest
	if err := httpapi.DecodeOptionalJSON(r, httpapi.MaxJSONBody, &req); err != nil {
		return err
	}
	v, err := h.svc.CreateVersion(r.Context(), a, r.PathValue("editorWorkflowId"), req.CommitMessage)
	if err != nil {
		return err
	}
	return h.writeExecutable(w, v)
}

func (h workflowHandlers) writeExecutable(w http.ResponseWriter, v casework.ExecutableWorkflow) error {
	body, err := executableWorkflowJSON(v)
	if err != nil {
		return err
	}
	return httpapi.WriteJSON(w, http.StatusOK, body)
}

func (h workflowHandlers) restore(w http.ResponseWriter, r *http.Request, a identity.Access) error {
	wf, err := h.svc.RestoreVersion(r.Context(), a, r.PathValue("editorWorkflowId"), r.PathValue("versionId"))
	if err != nil {
		return err
	}
	return h.writeDetail(w, r, wf)
}

// publish serves POST /{organizationKey}/workflows/{workflowId}/versions/{versionId}/publish.
// The document names the path variable workflowId, unlike every other
// workflow route: it is the editor workflow whose version is published.
func (h workflowHandlers) publish(w http.ResponseWriter, r *http.Request, a identity.Access) error {
	v, err := h.svc.PublishVersion(r.Context(), a, r.PathValue("editorWorkflowId"), r.PathValue("versionId"))
	if err != nil {
		return err
	}
	return h.writeExecutable(w, v)
}
