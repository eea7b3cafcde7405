package e2e

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
)

// camundaMailBPMN is a Camunda 7 process whose send task uses the mail
// connector (connectorId), with inputs to, subject and text.
func camundaMailBPMN(connectorID, to string) string {
	return fmt.Sprintf(`<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="defs" targetNamespace="http://example.com">
  <bpmn:process id="notify" name="Notify the customer" isExecutable="true">
    <bpmn:startEvent id="start"/>
    <bpmn:sendTask id="mail" name="Mail the customer">
      <bpmn:extensionElements>
        <camunda:connector>
          <camunda:inputOutput>
            <camunda:inputParameter name="to">%s</camunda:inputParameter>
            <camunda:inputParameter name="subject">Order ${order} shipped</camunda:inputParameter>
            <camunda:inputParameter name="text">Your order ${order} is on its way.</camunda:inputParameter>
          </camunda:inputOutput>
          <camunda:connectorId>%s</camunda:connectorId>
        </camunda:connector>
      </bpmn:extensionElements>
    </bpmn:sendTask>
    <bpmn:endEvent id="end"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="mail"/>
    <bpmn:sequenceFlow id="f2" sourceRef="mail" targetRef="end"/>
  </bpmn:process>
</bpmn:definitions>`, to, connectorID)
}

// TestCamundaMailConnectorSendsMail: a send task with Camunda's mail
// connector imports as an email task that sends the mail; one that cannot
// be mapped imports with a warning in the import result.
func TestCamundaMailConnectorSendsMail(t *testing.T) {
	a := signUp(t, "Camunda Mail")
	org := "/api/v1/" + a.OrgKey
	to := uniqueEmail("customer")
	imported := expect(t, call(t, "POST", org+"/workflows/import/bpmn/"+uploadFile(t, a, []byte(camundaMailBPMN("mail-send", to))), a.Token, nil), http.StatusOK).JSON(t)
	if imported["importWarnings"] != nil {
		t.Fatalf("warnings for a mappable connector: %v", imported["importWarnings"])
	}
	var mail map[string]any
	for _, act := range imported["activities"].([]any) {
		if m := act.(map[string]any); m["id"] == "mail" {
			mail = m
		}
	}
	if mail == nil || mail["type"] != "email" || mail["subject"] != "Order {{order}} shipped" {
		t.Fatalf("the send task: %v", mail)
	}
	id := imported["id"].(string)
	v := expect(t, call(t, "POST", org+"/workflows/"+id+"/versions", a.Token, nil), http.StatusOK).JSON(t)["id"].(string)
	expect(t, call(t, "POST", org+"/workflows/"+id+"/versions/"+v+"/publish", a.Token, nil), http.StatusOK)
	expect(t, call(t, "POST", org+"/engine/workflow/instances", a.Token, map[string]any{"sourceWorkflowId": id, "data": map[string]any{"order": "A-17"}}), http.StatusOK)
	mails := mailsTo(t, to)
	if len(mails) != 1 || mails[0].Subject != "Order A-17 shipped" || !strings.Contains(mails[0].Body.Text, "Your order A-17 is on its way.") {
		t.Fatalf("mails: %+v", mails)
	}

	// Another connector, or inputs the email activity has no place for:
	// imported, with a warning naming the send task, on import and update.
	for _, doc := range []string{camundaMailBPMN("http-connector", to), camundaMailBPMN("mail-send", "${customers.first()}")} {
		got := expect(t, call(t, "POST", org+"/workflows/import/bpmn/"+uploadFile(t, a, []byte(doc)), a.Token, nil), http.StatusOK).JSON(t)
		warns, _ := got["importWarnings"].([]any)
		if len(warns) != 1 || warns[0].(map[string]any)["id"] != "mail" || !strings.Contains(warns[0].(map[string]any)["message"].(string), "sends no mail") {
			t.Fatalf("import warnings: %v", got["importWarnings"])
		}
		updated := expect(t, call(t, "PUT", org+"/workflows/"+got["id"].(string)+"/update/bpmn", a.Token, []byte(doc)), http.StatusOK).JSON(t)
		if w, _ := updated["importWarnings"].([]any); len(w) != 1 {
			t.Fatalf("update warnings: %v", updated["importWarnings"])
		}
	}
}
