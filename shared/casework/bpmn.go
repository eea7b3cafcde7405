package casework

import (
	"bytes"
	"context"
	"errors"

	"github.com/effektif-serverless/caseflow/shared/bpmn"
	"github.com/effektif-serverless/caseflow/shared/failure"
	"github.com/effektif-serverless/caseflow/shared/identity"
	"github.com/effektif-serverless/caseflow/shared/ids"
	"github.com/effektif-serverless/caseflow/shared/workflow"
)

// MaxBPMNSize bounds a BPMN document read from a file.
const MaxBPMNSize = 10 << 20

// ObjectReader reads stored objects (files) by key.
type ObjectReader interface {
	Get(ctx context.Context, key string, limit int64) ([]byte, error)
}

// bpmnFailure maps an import error: a document that is not BPMN is
// Invalid (with the line and column), one with elements the engine cannot
// run is Unprocessable and lists them (id, type, name) in the details.
func bpmnFailure(err error) error {
	var fe *bpmn.FormatError
	var ue *bpmn.UnsupportedError
	switch {
	case errors.As(err, &ue):
		return &failure.Error{Code: failure.Unprocessable, Message: ue.Error(), Details: ue.Elements}
	case errors.As(err, &fe):
		return &failure.Error{Code: failure.Invalid, Message: fe.Error()}
	default:
		return failure.Wrap(err, "read BPMN")
	}
}

// importBPMN imports a document in the encodings s.BPMNCharsets knows
// (without it UTF-8, US-ASCII and UTF-16 only).
func (s *Service) importBPMN(data []byte) (workflow.Workflow, []bpmn.Warning, error) {
	return checkedImport(bpmn.ImportEncoded(data, s.BPMNCharsets))
}

func checkedImport(w *workflow.Workflow, warnings []bpmn.Warning, err error) (workflow.Workflow, []bpmn.Warning, error) {
	if err != nil {
		return workflow.Workflow{}, nil, bpmnFailure(err)
	}
	if err := workflow.CheckShape(w); err != nil {
		return workflow.Workflow{}, nil, err
	}
	return *w, warnings, nil
}

// ImportBPMN creates a draft from an uploaded BPMN 2.0 file, and answers
// it with what the import mapped with a loss (bpmn.Warning: a condition the
// engine cannot evaluate, a send task whose connector sends no mail, ...).
// Permission: members. Errors: NotFound (no such file), TooLarge, Invalid
// (not BPMN), Unprocessable (elements the engine cannot run, listed by id
// and type).
func (s *Service) ImportBPMN(ctx context.Context, a identity.Access, fileID string) (EditorWorkflow, []bpmn.Warning, error) {
	org := a.Organization
	if !ids.Valid(fileID) {
		return EditorWorkflow{}, nil, failure.New(failure.NotFound, "no such file")
	}
	data, err := s.Files.Get(ctx, FileKey(org.ID, fileID), MaxBPMNSize)
	if err != nil {
		return EditorWorkflow{}, nil, err
	}
	def, warnings, err := s.importBPMN(data)
	if err != nil {
		return EditorWorkflow{}, nil, err
	}
	w, err := s.CreateWorkflow(ctx, a, WorkflowDraft{Definition: def})
	return w, warnings, err
}

// UpdateFromBPMN replaces the draft's definition with a BPMN document's:
// its bytes, decoded as its byte order mark and XML declaration say (as an
// upload is), and answers it with the import's warnings as ImportBPMN
// does. Permission and errors: as UpdateWorkflow, and as ImportBPMN for
// the document; Invalid for a document whose bytes were replaced in
// transit (see damagedInTransit).
func (s *Service) UpdateFromBPMN(ctx context.Context, a identity.Access, id string, data []byte) (EditorWorkflow, []bpmn.Warning, error) {
	if damagedInTransit(data) {
		return EditorWorkflow{}, nil, failure.New(failure.Invalid, "the BPMN document arrived damaged: it declares %q, but its bytes were replaced as invalid UTF-8 on the way; send it with Content-Type application/octet-stream, or upload it as a file and import that", bpmn.DeclaredEncoding(data))
	}
	def, warnings, err := s.importBPMN(data)
	if err != nil {
		return EditorWorkflow{}, nil, err
	}
	w, err := s.UpdateWorkflow(ctx, a, id, WorkflowDraft{Definition: def, FromBPMN: true})
	return w, warnings, err
}

// UpdateFromBPMNText is UpdateFromBPMN for a document sent as text (a JSON
// string): its characters are taken as they are, whatever encoding its
// declaration names.
func (s *Service) UpdateFromBPMNText(ctx context.Context, a identity.Access, id, doc string) (EditorWorkflow, []bpmn.Warning, error) {
	def, warnings, err := s.importBPMN([]byte(bpmn.AsUTF8(doc)))
	if err != nil {
		return EditorWorkflow{}, nil, err
	}
	w, err := s.UpdateWorkflow(ctx, a, id, WorkflowDraft{Definition: def, FromBPMN: true})
	return w, warnings, err
}

// replacement is U+FFFD in UTF-8, what a text transport puts in place of
// bytes that are not UTF-8.
var replacement = []byte("\uFFFD")

// damagedInTransit reports a document whose bytes a text transport (an API
// gateway passing a text/xml body as a UTF-8 string) replaced: a UTF-16
// byte order mark turned into two replacement characters, or replacement
// characters in a document that declares a single-byte or UTF-16
// encoding, where the bytes U+FFFD is made of would be read as other
// characters.
func damagedInTransit(data []byte) bool {
	if bytes.HasPrefix(data, append(append([]byte{}, replacement...), replacement...)) {
		return true
	}
	switch enc := bpmn.DeclaredEncoding(data); enc {
	case "", "utf-8", "utf8":
		return false
	default:
		return bytes.Contains(data, replacement)
	}
}

// ExportBPMN writes the draft as BPMN 2.0 XML. Permission: members who can
// see it. Errors: NotFound.
func (s *Service) ExportBPMN(ctx context.Context, a identity.Access, id string) ([]byte, EditorWorkflow, error) {
	w, err := s.Workflow(ctx, a, id)
	if err != nil {
		return nil, EditorWorkflow{}, err
	}
	def := w.Definition
	xml, err := bpmn.Export(&def)
	if err != nil {
		return nil, EditorWorkflow{}, failure.Wrap(err, "write BPMN")
	}
	return xml, w, nil
}
