package casework

import (
	"context"
	"embed"
	"encoding/json"
	"sort"
	"strings"
	"sync"

	"github.com/effektif-serverless/caseflow/shared/failure"
	"github.com/effektif-serverless/caseflow/shared/identity"
)

//go:embed templates/*.json
var templateFiles embed.FS

// builtinTemplates are the product's workflow templates, read from the
// embedded files on first use.
var builtinTemplates = sync.OnceValues(func() ([]EditorWorkflow, error) {
	entries, err := templateFiles.ReadDir("templates")
	if err != nil {
		return nil, err
	}
	var out []EditorWorkflow
	for _, e := range entries {
		data, err := templateFiles.ReadFile("templates/" + e.Name())
		if err != nil {
			return nil, err
		}
		var t EditorWorkflow
		var meta struct {
			Category string `json:"category"`
		}
		if err := json.Unmarshal(data, &t.Definition); err != nil {
			return nil, err
		}
		if err := json.Unmarshal(data, &meta); err != nil {
			return nil, err
		}
		delete(t.Definition.Properties, "category")
		t.ID, t.Category, t.Template = t.Definition.ID, meta.Category, true
		out = append(out, t)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Definition.Name < out[j].Definition.Name })
	return out, nil
})

// builtinTemplate returns the built-in template with the id.
func builtinTemplate(id string) (EditorWorkflow, bool) {
	all, _ := builtinTemplates()
	for _, t := range all {
		if t.ID == id {
			return t, true
		}
	}
	return EditorWorkflow{}, false
}

// Templates lists the workflow templates: the product's own and the
// organization's drafts marked as templates, optionally only those of a
// category (compared case-insensitively). Permission: members.
func (s *Service) Templates(ctx context.Context, a identity.Access, category string) ([]EditorWorkflow, error) {
	org, m := a.Organization, a.Membership
	builtin, err := builtinTemplates()
	if err != nil {
		return nil, failure.Wrap(err, "read the built-in templates")
	}
	own, err := s.Store.ListEditorWorkflows(ctx, org.ID, "", Page{PageSize: MaxPageSize})
	if err != nil {
		return nil, err
	}
	var out []EditorWorkflow
	for _, t := range append(append([]EditorWorkflow{}, builtin...), own...) {
		if t.Template && visible(t, m) && (category == "" || strings.EqualFold(t.Category, category)) {
			out = append(out, t)
		}
	}
	return out, nil
}

// fromTemplate fills an empty draft from the template it names: a
// built-in template or a template draft of the organization.
func (s *Service) fromTemplate(ctx context.Context, orgID string, d *WorkflowDraft) error {
	if d.TemplateID == nil || *d.TemplateID == "" || len(d.Definition.Activities) > 0 {
		return nil
	}
	t, ok := builtinTemplate(*d.TemplateID)
	if !ok {
		stored, err := s.Store.GetEditorWorkflow(ctx, orgID, *d.TemplateID)
		if err != nil || !stored.Template {
			return failure.Field("templateId", "no template %q", *d.TemplateID)
		}
		t = stored
	}
	name, description := d.Definition.Name, d.Definition.Description
	d.Definition = t.Definition
	d.Definition.Properties = copyProps(t.Definition.Properties)
	if name != "" {
		d.Definition.Name = name
	}
	if description != "" {
		d.Definition.Description = description
	}
	if d.Category == nil {
		d.Category = &t.Category
	}
	return nil
}

func copyProps(p map[string]json.RawMessage) map[string]json.RawMessage {
	if p == nil {
		return nil
	}
	out := make(map[string]json.RawMessage, len(p))
	for k, v := range p {
		out[k] = v
	}
	return out
}
