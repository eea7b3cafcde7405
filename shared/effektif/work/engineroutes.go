package work

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"time"

	"github.com/effektif-serverless/caseflow/shared/bpmn"
	"github.com/effektif-serverless/caseflow/shared/casework"
	"github.com/effektif-serverless/caseflow/shared/effektif"
	"github.com/effektif-serverless/caseflow/shared/engine"
	"github.com/effektif-serverless/caseflow/shared/failure"
	"github.com/effektif-serverless/caseflow/shared/httpapi"
	"github.com/effektif-serverless/caseflow/shared/identity"
)

// TriggerInstance is the Effektif TriggerInstance: which workflow to start
// (workflowId names a version, sourceWorkflowId an editor workflow whose
// published version runs) and its start data. The caller ids are set by the
// engine for call activities and refused from clients.
type TriggerInstance struct {
	Data                     map[string]json.RawMessage `json:"data"`
	WorkflowInstanceID       string                     `json:"workflowInstanceId"`
	WorkflowID               string                     `json:"workflowId"`
	SourceWorkflowID         string                     `json:"sourceWorkflowId"`
	StartActivityIDs         []string                   `json:"startActivityIds"`
	BusinessKey              string                     `json:"businessKey"`
	CallerWorkflowInstanceID string                     `json:"callerWorkflowInstanceId"`
	CallerActivityInstanceID string                     `json:"callerActivityInstanceId"`
}

func (t TriggerInstance) core() (casework.TriggerRequest, error) {
	if t.CallerWorkflowInstanceID != "" || t.CallerActivityInstanceID != "" {
		return casework.TriggerRequest{}, failure.Field("callerWorkflowInstanceId", "caller ids are set by call activities, not by clients")
	}
	return casework.TriggerRequest{
		WorkflowID: t.WorkflowID, SourceWorkflowID: t.SourceWorkflowID, WorkflowInstanceID: t.WorkflowInstanceID,
		BusinessKey: t.BusinessKey, Data: t.Data, StartActivityIDs: t.StartActivityIDs,
	}, nil
}

// EngineRoutes registers the route of the Effektif WorkflowEngine group.
func EngineRoutes(rt *httpapi.Router, svc *casework.Service) {
	// The start makes its tenant check itself, at once with its first read
	// (casework.Service.CallerStartInstance), after the body (refuseBody).
	rt.Handle("POST "+effektif.BasePath+"/{organizationKey}/engine/workflow/instances", httpapi.Authenticated(func(w http.ResponseWriter, r *http.Request, _ string) error {
		var t TriggerInstance
		var req casework.TriggerRequest
		err := httpapi.DecodeJSON(r, httpapi.MaxJSONBody, &t)
		if err == nil {
			req, err = t.core()
		}
		if err != nil {
			return refuseBody(r, svc, err)
		}
		_, inst, err := svc.CallerStartInstance(r.Context(), httpapi.CallerOf(r), effektif.OrganizationKey(r), req)
		if err != nil {
			return err
		}
		return httpapi.WriteJSON(w, http.StatusOK, workflowInstanceOf(inst))
	}))
}

// WorkflowInstance is the Effektif WorkflowInstance: the engine's public
// instance with the fields the document lists always present. caseId is
// null for an instance without a case; endState is null while the
// instance runs, "completed" when it ended normally, and the engine's end
// state ("canceled", "error") otherwise; variableInstances is [] when
// there are none.
type WorkflowInstance struct {
	*engine.Instance
	CaseID            *string                    `json:"caseId"`
	EndState          *string                    `json:"endState"`
	VariableInstances []*engine.VariableInstance `json:"variableInstances"`
}

// EndCompleted is the endState of an instance that ended normally.
const EndCompleted = "completed"

func workflowInstanceOf(inst *engine.Instance) WorkflowInstance {
	p := inst.Public()
	v := WorkflowInstance{Instance: p, VariableInstances: p.VariableInstances}
	if v.VariableInstances == nil {
		v.VariableInstances = []*engine.VariableInstance{}
	}
	if p.CaseID != "" {
		v.CaseID = &p.CaseID
	}
	if p.Ended() {
		state := p.EndState
		if state == "" {
			state = EndCompleted
		}
		v.EndState = &state
	}
	return v
}

// startForm answers the start form of the workflow's published version (or
// of the draft when nothing is published); a workflow without a form
// trigger has an empty form.
func (h workflowHandlers) startForm(w http.ResponseWriter, r *http.Request, a identity.Access) error {
	form, err := h.svc.StartForm(r.Context(), a, r.PathValue("editorWorkflowId"))
	if err != nil {
		return err
	}
	if form == nil {
		form = &engine.FormInstance{Fields: []engine.FormInstanceField{}}
	}
	return httpapi.WriteJSON(w, http.StatusOK, form)
}

// activityTest runs a script activity of the draft on test values: the
// body (optional) maps variable ids to values; other variables have their
// defaults. It answers a ScriptResult.
func (h workflowHandlers) activityTest(w http.ResponseWriter, r *http.Request, a identity.Access) error {
	var vars map[string]json.RawMessage
	if err := httpapi.DecodeOptionalJSON(r, httpapi.MaxJSONBody, &vars); err != nil {
		return err
	}
	res, err := h.svc.TestActivity(r.Context(), a, r.PathValue("editorWorkflowId"), r.PathValue("activityId"), vars)
	if err != nil {
		return err
	}
	return httpapi.WriteJSON(w, http.StatusOK, res)
}

// importBPMN creates a draft from an uploaded BPMN file and answers it
// (see writeImported for its warnings).
func (h workflowHandlers) importBPMN(w http.ResponseWriter, r *http.Request, a identity.Access) error {
	wf, warnings, err := h.svc.ImportBPMN(r.Context(), a, r.PathValue("fileId"))
	if err != nil {
		return err
	}
	return h.writeImported(w, wf, warnings)
}

// importWarning is one bpmn.Warning as an import answers it.
type importWarning struct {
	ID      string `json:"id"`
	Message string `json:"message"`
}

// writeImported answers a draft made or updated from BPMN. Decision: the
// EditorWorkflow carries one field the document lacks, importWarnings
// ([{id, message}], present only when there are any): what the import
// mapped with a loss, such as a condition the engine cannot evaluate or a
// send task whose Camunda connector sends no mail. The warnings are not
// stored; the next import answers its own.
func (h workflowHandlers) writeImported(w http.ResponseWriter, wf casework.EditorWorkflow, warnings []bpmn.Warning) error {
	body, err := editorWorkflowJSON(wf, time.Now(), nil)
	if err != nil {
		return err
	}
	if len(warnings) > 0 {
		list := make([]importWarning, len(warnings))
		for i, wn := range warnings {
			list[i] = importWarning{ID: wn.ID, Message: wn.Message}
		}
		if body, err = withExtra(body, struct {
			ImportWarnings []importWarning `json:"importWarnings"`
		}{list}); err != nil {
			return err
		}
	}
	return httpapi.WriteJSON(w, http.StatusOK, body)
}

// updateBPMN replaces the draft from a BPMN document: the raw XML body
// (any content type; decoded by its byte order mark and XML declaration,
// as an upload is), or a JSON string holding it (the document types the
// body as a string; its characters are taken as they are). A document in
// another encoding than UTF-8 sent as text/xml or application/xml reaches
// the function as a UTF-8 string, with its other bytes replaced: such a
// body is refused (400); send it as application/octet-stream.
func (h workflowHandlers) updateBPMN(w http.ResponseWriter, r *http.Request, a identity.Access) error {
	body, err := io.ReadAll(io.LimitReader(r.Body, casework.MaxBPMNSize+1))
	if err != nil {
		return failure.New(failure.Invalid, "the body could not be read")
	}
	if len(body) > casework.MaxBPMNSize {
		return failure.New(failure.TooLarge, "the BPMN document is larger than %d bytes", casework.MaxBPMNSize)
	}
	var wf casework.EditorWorkflow
	var warnings []bpmn.Warning
	if trimmed := bytes.TrimSpace(body); len(trimmed) > 0 && trimmed[0] == '"' {
		var s string
		if err := httpapi.Unmarshal(trimmed, &s); err != nil {
			return err
		}
		wf, warnings, err = h.svc.UpdateFromBPMNText(r.Context(), a, r.PathValue("editorWorkflowId"), s)
	} else {
		wf, warnings, err = h.svc.UpdateFromBPMN(r.Context(), a, r.PathValue("editorWorkflowId"), body)
	}
	if err != nil {
		return err
	}
	return h.writeImported(w, wf, warnings)
}

// exportBPMN answers the draft as a BPMN 2.0 document.
func (h workflowHandlers) exportBPMN(w http.ResponseWriter, r *http.Request, a identity.Access) error {
	xml, wf, err := h.svc.ExportBPMN(r.Context(), a, r.PathValue("editorWorkflowId"))
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/xml; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="`+wf.ID+`.bpmn"`)
	_, err = w.Write(xml)
	return err
}
