package e2e

import (
	"net/http"
	"strings"
	"testing"
)

// Deviations from the Effektif document found operation by operation
// (issue 12, part 2), each tried as a client of the document would.

// TestDeviationProperties: the properties object of Case, Task and
// FormInstanceField is stored and answered; keys the model does not have
// are properties too, and answered both ways.
func TestDeviationProperties(t *testing.T) {
	a := signUp(t, "Properties")
	org := "/api/v1/" + a.OrgKey
	props := func(t *testing.T, v map[string]any) map[string]any {
		t.Helper()
		p, ok := v["properties"].(map[string]any)
		if !ok {
			t.Fatalf("no properties object: %v", v)
		}
		return p
	}
	for _, kind := range []string{"cases", "tasks"} {
		t.Run(kind, func(t *testing.T) {
			c := expect(t, call(t, "POST", org+"/"+kind, a.Token, map[string]any{
				"name": "With properties", "properties": map[string]any{"customerNo": "C-1", "tags": []string{"x"}}, "region": "north",
			}), http.StatusOK).JSON(t)
			if p := props(t, c); p["customerNo"] != "C-1" || p["region"] != "north" || len(p["tags"].([]any)) != 1 || c["region"] != "north" {
				t.Fatalf("created: %v", c)
			}
			id := c["id"].(string)
			got := expect(t, call(t, "GET", org+"/"+kind+"/"+id, a.Token, nil), http.StatusOK).JSON(t)
			if p := props(t, got); p["customerNo"] != "C-1" {
				t.Fatalf("read back: %v", got)
			}
			// An update without properties keeps them; with an object replaces them.
			kept := expect(t, call(t, "PUT", org+"/"+kind+"/"+id, a.Token, map[string]any{"name": "Renamed"}), http.StatusOK).JSON(t)
			if p := props(t, kept); p["customerNo"] != "C-1" {
				t.Fatalf("update without properties: %v", kept)
			}
			changed := expect(t, call(t, "PUT", org+"/"+kind+"/"+id, a.Token, map[string]any{"properties": map[string]any{"customerNo": "C-2"}}), http.StatusOK).JSON(t)
			if p := props(t, changed); p["customerNo"] != "C-2" || p["region"] != nil || len(p) != 1 {
				t.Fatalf("update with properties: %v", changed)
			}
			expectError(t, call(t, "PUT", org+"/"+kind+"/"+id, a.Token, map[string]any{"properties": []string{"not", "an", "object"}}), http.StatusBadRequest)
			expectError(t, call(t, "PUT", org+"/"+kind+"/"+id, a.Token, map[string]any{"properties": map[string]any{"big": strings.Repeat("x", 70*1024)}}), http.StatusBadRequest)
			if p := props(t, expect(t, call(t, "GET", org+"/"+kind+"/"+id, a.Token, nil), http.StatusOK).JSON(t)); p["customerNo"] != "C-2" {
				t.Fatalf("a refused update changed the properties: %v", p)
			}
		})
	}
	t.Run("formField", func(t *testing.T) {
		wf := publish(t, a, `{"name": "Form properties", "enableCases": true,
		  "variables": [{"id": "note", "type": {"name": "text"}}],
		  "activities": [{"type": "startEvent", "id": "s"},
		    {"type": "userTask", "id": "fill", "name": "Fill", "assigneeId": {"value": "`+a.UserID+`"},
		     "form": {"fields": [{"id": "note", "binding": {"expression": "note"}, "properties": {"placeholder": "Say something"}}]}},
		    {"type": "endEvent", "id": "e"}],
		  "transitions": [{"fromId": "s", "toId": "fill"}, {"fromId": "fill", "toId": "e"}]}`)
		inst := expect(t, call(t, "POST", org+"/engine/workflow/instances", a.Token, map[string]any{"sourceWorkflowId": wf}), http.StatusOK).JSON(t)
		task := openTasks(t, a, inst["caseId"].(string))["Fill"]
		field := task["form"].(map[string]any)["fields"].([]any)[0].(map[string]any)
		if p, _ := field["properties"].(map[string]any); p["placeholder"] != "Say something" {
			t.Fatalf("form field: %v", field)
		}
	})
}

// TestDeviationWorkflowInstanceFields: WorkflowInstance carries caseId,
// endState and variableInstances.
func TestDeviationWorkflowInstanceFields(t *testing.T) {
	a := signUp(t, "Instance Fields")
	org := "/api/v1/" + a.OrgKey
	straight := publish(t, a, `{"name": "Straight", "variables": [{"id": "n", "type": {"name": "number"}}],
	  "activities": [{"type": "startEvent", "id": "s"}, {"type": "endEvent", "id": "e"}],
	  "transitions": [{"fromId": "s", "toId": "e"}]}`)
	ended := expect(t, call(t, "POST", org+"/engine/workflow/instances", a.Token, map[string]any{"sourceWorkflowId": straight, "data": map[string]any{"n": 4}}), http.StatusOK).JSON(t)
	if ended["endState"] != "completed" || ended["end"] == nil {
		t.Fatalf("ended instance: %v", ended)
	}
	if v, ok := ended["caseId"]; !ok || v != nil {
		t.Fatalf("an instance without a case has caseId null: %v", ended)
	}
	if vis, ok := ended["variableInstances"].([]any); !ok || len(vis) != 1 {
		t.Fatalf("variableInstances: %v", ended)
	}
	running := expect(t, call(t, "POST", org+"/engine/workflow/instances", a.Token, map[string]any{"sourceWorkflowId": publish(t, a, approvalWorkflow),
		"data": map[string]any{"formInstance": map[string]any{"fields": []any{map[string]any{"id": "amount", "value": 5}}}}}), http.StatusOK).JSON(t)
	if v, ok := running["endState"]; !ok || v != nil || running["caseId"] == nil {
		t.Fatalf("running instance with a case: %v", running)
	}
	if _, ok := running["variableInstances"].([]any); !ok {
		t.Fatalf("variableInstances: %v", running)
	}
}

// TestDeviationCaseWithTriggerAnswersItsTasks: POST /cases with a
// triggerInstance answers the CaseDetail with the tasks and events the
// start made.
func TestDeviationCaseWithTriggerAnswersItsTasks(t *testing.T) {
	a := signUp(t, "Case Trigger Detail")
	org := "/api/v1/" + a.OrgKey
	wfID := publish(t, a, approvalWorkflow)
	c := expect(t, call(t, "POST", org+"/cases", a.Token, map[string]any{"name": "Trip",
		"triggerInstance": map[string]any{"sourceWorkflowId": wfID, "data": map[string]any{"formInstance": map[string]any{"fields": []any{map[string]any{"id": "amount", "value": 70}}}}}}), http.StatusOK).JSON(t)
	tasks, _ := c["tasks"].([]any)
	events, _ := c["events"].([]any)
	if len(tasks) != 1 || len(c["taskIds"].([]any)) != 1 || tasks[0].(map[string]any)["id"] != c["taskIds"].([]any)[0] || len(events) == 0 {
		t.Fatalf("case detail of a started workflow: %v", c)
	}
	if tasks[0].(map[string]any)["name"] != "Review 70 EUR" || c["sourceWorkflow"] == nil {
		t.Fatalf("case detail of a started workflow: %v", c)
	}
	direct := expect(t, call(t, "POST", org+"/cases", a.Token, map[string]any{"name": "Direct"}), http.StatusOK).JSON(t)
	if evs, _ := direct["events"].([]any); len(evs) != 1 || evs[0].(map[string]any)["type"] != "caseCreated" {
		t.Fatalf("a direct case answers its creation event: %v", direct)
	}
}

// TestDeviationStartFormsAndBPMNSettings: a start form's required fields
// are enforced on start, with or without a submitted form; a BPMN update
// keeps enableCases, and a Camunda start form becomes the start form.
func TestDeviationStartFormsAndBPMNSettings(t *testing.T) {
	a := signUp(t, "Start Forms")
	org := "/api/v1/" + a.OrgKey
	wfID := publish(t, a, approvalWorkflow)
	for _, data := range []map[string]any{nil, {"formInstance": map[string]any{"fields": []any{}}}} {
		if e := expectError(t, call(t, "POST", org+"/engine/workflow/instances", a.Token, map[string]any{"sourceWorkflowId": wfID, "data": data}), http.StatusBadRequest); !strings.Contains(e["message"].(string), "required") {
			t.Fatalf("start without the required field: %v", e)
		}
	}
	expect(t, call(t, "POST", org+"/engine/workflow/instances", a.Token, map[string]any{"sourceWorkflowId": wfID, "data": map[string]any{"amount": 3}}), http.StatusOK)

	id := expect(t, call(t, "POST", org+"/workflows", a.Token, map[string]any{"name": "Cases on", "enableCases": true}), http.StatusOK).JSON(t)["id"].(string)
	camunda := `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="d" targetNamespace="http://example.com">
  <bpmn:process id="p" name="Camunda start form" isExecutable="true">
    <bpmn:startEvent id="s"><bpmn:extensionElements><camunda:formData>
      <camunda:formField id="amount" label="Amount" type="long"><camunda:validation><camunda:constraint name="required"/></camunda:validation></camunda:formField>
    </camunda:formData></bpmn:extensionElements></bpmn:startEvent>
    <bpmn:userTask id="u" name="Look" camunda:assignee="` + a.UserID + `"/>
    <bpmn:endEvent id="e"/>
    <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="u"/>
    <bpmn:sequenceFlow id="f2" sourceRef="u" targetRef="e"/>
  </bpmn:process>
</bpmn:definitions>`
	updated := expect(t, call(t, "PUT", org+"/workflows/"+id+"/update/bpmn", a.Token, camunda), http.StatusOK).JSON(t)
	if updated["enableCases"] != true {
		t.Fatalf("the BPMN update dropped enableCases: %v", updated)
	}
	form := expect(t, call(t, "GET", org+"/workflows/"+id+"/startForm", a.Token, nil), http.StatusOK).JSON(t)
	if fields, _ := form["fields"].([]any); len(fields) != 1 || fields[0].(map[string]any)["id"] != "amount" || fields[0].(map[string]any)["required"] != true {
		t.Fatalf("the Camunda start form: %v", form)
	}
}
