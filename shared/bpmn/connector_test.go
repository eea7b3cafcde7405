package bpmn

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/effektif-serverless/caseflow/shared/workflow"
)

// mailSendTask is a send task with a Camunda connector holding params.
func mailSendTask(connectorID, params string) []byte {
	return processDoc(`<sendTask id="notify" name="Notify"><extensionElements><camunda:connector>` +
		`<camunda:inputOutput>` + params + `</camunda:inputOutput>` +
		`<camunda:connectorId>` + connectorID + `</camunda:connectorId></camunda:connector></extensionElements></sendTask>`)
}

// TestCamundaMailConnector: the mail connector's inputs become the email
// activity's recipients, subject and body, with ${path} as {{path}}.
func TestCamundaMailConnector(t *testing.T) {
	w, warns, err := ImportWithWarnings(mailSendTask("mail-send",
		`<camunda:inputParameter name="to">ops@example.com, ${customer.email}</camunda:inputParameter>`+
			`<camunda:inputParameter name="cc">boss@example.com</camunda:inputParameter>`+
			`<camunda:inputParameter name="from">noreply@example.com</camunda:inputParameter>`+
			`<camunda:inputParameter name="subject">Order ${orderId} shipped</camunda:inputParameter>`+
			`<camunda:inputParameter name="text">
			  Dear ${customer.name}, it costs $5 and ships today.
			</camunda:inputParameter>`))
	if err != nil || len(warns) != 0 {
		t.Fatalf("import: %v, warnings %+v", err, warns)
	}
	a := w.Activities[0]
	if a.Type != workflow.EmailTask {
		t.Fatalf("type %q", a.Type)
	}
	to, _ := json.Marshal(a.ToEmailAddresses)
	if string(to) != `[{"value":"ops@example.com"},{"expression":"customer.email"}]` {
		t.Errorf("to: %s", to)
	}
	if len(a.CcEmailAddresses) != 1 || string(a.CcEmailAddresses[0].Value) != `"boss@example.com"` || a.FromEmailAddress == nil {
		t.Errorf("cc %+v, from %+v", a.CcEmailAddresses, a.FromEmailAddress)
	}
	if a.Subject != "Order {{orderId}} shipped" || a.BodyText != "Dear {{customer.name}}, it costs $5 and ships today." {
		t.Errorf("subject %q, text %q", a.Subject, a.BodyText)
	}
	if strings.Contains(string(a.BPMN), "connector") {
		t.Errorf("the mapped connector is also kept: %s", a.BPMN)
	}
	// Exported again, it is the Effektif email task.
	out, err := Export(w)
	if err != nil {
		t.Fatal(err)
	}
	again, err := Import(out)
	if err != nil {
		t.Fatal(err)
	}
	if activityJSON(again.Activities[0]) != activityJSON(a) {
		t.Errorf("round trip:\n%s\n%s", activityJSON(again.Activities[0]), activityJSON(a))
	}
}

// TestCamundaConnectorsThatCannotBeMapped import as email tasks that keep
// the connector in the BPMN, with a warning that they send nothing.
func TestCamundaConnectorsThatCannotBeMapped(t *testing.T) {
	for name, doc := range map[string][]byte{
		"another connector": mailSendTask("http-connector", `<camunda:inputParameter name="url">https://example.com</camunda:inputParameter>`),
		"no recipient":      mailSendTask("mail-send", `<camunda:inputParameter name="subject">Hi</camunda:inputParameter>`),
		"an attachment": mailSendTask("mail-send", `<camunda:inputParameter name="to">a@example.com</camunda:inputParameter>`+
			`<camunda:inputParameter name="fileNames">/tmp/x.pdf</camunda:inputParameter>`),
		"a script":      mailSendTask("mail-send", `<camunda:inputParameter name="to"><camunda:script scriptFormat="js">x</camunda:script></camunda:inputParameter>`),
		"an expression": mailSendTask("mail-send", `<camunda:inputParameter name="to">${execution.getVariable('x')}</camunda:inputParameter>`),
		"a method call": mailSendTask("mail-send", `<camunda:inputParameter name="to">a@example.com</camunda:inputParameter><camunda:inputParameter name="text">${name.trim()}</camunda:inputParameter>`),
		"an output":     mailSendTask("mail-send", `<camunda:inputParameter name="to">a@example.com</camunda:inputParameter><camunda:outputParameter name="r">x</camunda:outputParameter>`),
	} {
		w, warns, err := ImportWithWarnings(doc)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		a := w.Activities[0]
		if a.Type != workflow.EmailTask || len(a.ToEmailAddresses) != 0 || a.Subject != "" {
			t.Errorf("%s: partly mapped: %s", name, activityJSON(a))
		}
		if len(warns) != 1 || warns[0].ID != "notify" || !strings.Contains(warns[0].Message, "sends no mail") {
			t.Errorf("%s: warnings %+v", name, warns)
		}
		if !strings.Contains(string(a.BPMN), "connector") {
			t.Errorf("%s: the connector is lost: %s", name, a.BPMN)
		}
	}
}
