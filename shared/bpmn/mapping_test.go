package bpmn

import (
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/effektif-serverless/caseflow/shared/workflow"
)

const testNamespaces = `xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:e="http://effektif.com/bpmn20" ` +
	`xmlns:camunda="http://camunda.org/schema/1.0/bpmn" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" ` +
	`xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"`

func processDoc(body string) []byte {
	return []byte(`<definitions ` + testNamespaces + `><process id="p">` + body + `</process></definitions>`)
}

func importBody(t *testing.T, body string) *workflow.Workflow {
	t.Helper()
	w, err := Import(processDoc(body))
	if err != nil {
		t.Fatalf("import: %v", err)
	}
	return w
}

// activityJSON is the JSON of a without its kept XML.
func activityJSON(a workflow.Activity) string {
	a.BPMN = nil
	data, _ := json.Marshal(a)
	return string(data)
}

// TestActivityMapping imports one element at a time and compares the
// activity's JSON (without its kept XML) and, where it matters, what the
// kept XML holds.
func TestActivityMapping(t *testing.T) {
	tests := []struct {
		name, body string
		want       string // the JSON of the activity with the first id
		bpmnHas    string // part of the activity's kept XML
	}{
		{"start none", `<startEvent id="a" name="Go"/>`, `{"type":"startEvent","id":"a","name":"Go"}`, ""},
		{"start message", `<startEvent id="a"><messageEventDefinition messageRef="m"/></startEvent>`, `{"type":"startEvent","id":"a"}`, `"messageRef":"m"`},
		{"start timer", `<startEvent id="a"><timerEventDefinition><timeCycle>R/P1D</timeCycle></timerEventDefinition></startEvent>`, `{"type":"startEvent","id":"a"}`, `"text":"R/P1D"`},
		{"start signal", `<startEvent id="a"><signalEventDefinition/></startEvent>`, `{"type":"startEvent","id":"a"}`, "signalEventDefinition"},
		{"end none", `<endEvent id="a"/>`, `{"type":"endEvent","id":"a"}`, ""},
		{"end terminate", `<endEvent id="a"><terminateEventDefinition/></endEvent>`, `{"type":"endEvent","id":"a","terminate":true}`, ""},
		{"end error", `<endEvent id="a"><errorEventDefinition errorRef="x"/></endEvent>`, `{"type":"endEvent","id":"a","event":{"type":"error","name":"x"}}`, `"errorRef":"x"`},
		{"end escalation", `<endEvent id="a"><escalationEventDefinition/></endEvent>`, `{"type":"endEvent","id":"a","event":{"type":"escalation"}}`, ""},
		{"end compensation", `<endEvent id="a"><compensateEventDefinition waitForCompletion="true"/></endEvent>`, `{"type":"endEvent","id":"a","event":{"type":"compensation"}}`, "waitForCompletion"},
		{"end message", `<endEvent id="a"><messageEventDefinition/></endEvent>`, `{"type":"endEvent","id":"a"}`, "messageEventDefinition"},
		{"task", `<task id="a" name="T"><documentation> Do it. </documentation></task>`, `{"type":"task","id":"a","name":"T","description":"Do it."}`, ""},
		{"manual task", `<manualTask id="a"/>`, `{"type":"task","id":"a"}`, `"name":"manualTask"`},
		{"throw none", `<intermediateThrowEvent id="a"/>`, `{"type":"task","id":"a"}`, "intermediateThrowEvent"},
		{"throw signal", `<intermediateThrowEvent id="a"><signalEventDefinition/></intermediateThrowEvent>`, `{"type":"throwEvent","id":"a","event":{"type":"signal"}}`, ""},
		{"throw link", `<intermediateThrowEvent id="a"><linkEventDefinition name="To B"/></intermediateThrowEvent>`, `{"type":"throwEvent","id":"a","event":{"type":"link","name":"To B"}}`, ""},
		{"throw compensation", `<intermediateThrowEvent id="a"><compensateEventDefinition activityRef="t"/></intermediateThrowEvent><task id="t"/>`,
			`{"type":"throwEvent","id":"a","event":{"type":"compensation","activityId":"t"}}`, ""},
		{"catch signal", `<intermediateCatchEvent id="a"><signalEventDefinition signalRef="nope"/></intermediateCatchEvent>`, `{"type":"catchEvent","id":"a","event":{"type":"signal","name":"nope"}}`, ""},
		{"catch link", `<intermediateCatchEvent id="a"><linkEventDefinition name=""/></intermediateCatchEvent>`, `{"type":"catchEvent","id":"a","event":{"type":"link"}}`, `"name":""`},
		{"catch conditional", `<intermediateCatchEvent id="a"><conditionalEventDefinition><condition xsi:type="tFormalExpression">${amount &gt; 100}</condition></conditionalEventDefinition></intermediateCatchEvent>`,
			`{"type":"catchEvent","id":"a","event":{"type":"conditional","condition":{"type":"greaterThan","left":{"expression":"amount"},"right":{"value":100,"type":{"name":"number"}}}}}`, ""},
		{"catch conditional empty", `<intermediateCatchEvent id="a"><conditionalEventDefinition><condition/></conditionalEventDefinition></intermediateCatchEvent>`,
			`{"type":"catchEvent","id":"a","event":{"type":"conditional"}}`, "condition"},
		{"event-based gateway", `<eventBasedGateway id="a" eventGatewayType="Exclusive"/>`, `{"type":"eventBasedGateway","id":"a"}`, "eventGatewayType"},
		{"compensation handler", `<serviceTask id="a" isForCompensation="true"/>`, `{"type":"serviceTask","id":"a","forCompensation":true,"serviceKey":"bpmn","actionKey":"a"}`, ""},
		{"standard loop", `<task id="a"><standardLoopCharacteristics testBefore="true" loopMaximum="5"><loopCondition>${again}</loopCondition></standardLoopCharacteristics></task>`,
			`{"type":"task","id":"a","loop":{"condition":{"type":"isTrue","left":{"expression":"again"}},"maximum":5,"testBefore":true}}`, ""},
		{"standard loop bare", `<task id="a"><standardLoopCharacteristics/></task>`, `{"type":"task","id":"a","loop":{}}`, ""},
		{"throw message", `<intermediateThrowEvent id="a"><messageEventDefinition/></intermediateThrowEvent>`, `{"type":"task","id":"a"}`, "messageEventDefinition"},
		{"user task effektif", `<userTask id="a"><extensionElements>
			<e:taskName value="Check {{x}}"/><e:assigneeId value="u1" type="userId"/>
			<e:candidateId expression="boss"/><e:candidateGroupId value="g1"/><e:candidateGroupIds value="g2"/>
			<e:form><documentation>Fill in</documentation><e:field id="f" name="F" required="true" readonly="true"><e:type name="number"/><e:binding expression="x"/></e:field></e:form>
			<e:dueDate type="after" duration="3" durationUnit="days" atHour="9"/>
			<e:access value="{&quot;permissions&quot;:[]}"/></extensionElements></userTask>`,
			`{"type":"userTask","id":"a","taskName":"Check {{x}}","assigneeId":{"value":"u1","type":{"name":"userId"}},` +
				`"candidateIds":[{"expression":"boss"}],"candidateGroupIds":[{"value":"g1"},{"value":"g2"}],` +
				`"form":{"description":"Fill in","fields":[{"id":"f","name":"F","type":{"name":"number"},"readOnly":true,"required":true,"binding":{"expression":"x"}}]},` +
				`"duedate":{"type":"after","duration":3,"durationUnit":"days","atHour":9},"access":{"permissions":[]}}`, ""},
		{"user task camunda", `<userTask id="a" camunda:assignee="kermit" camunda:candidateUsers="piggy, ${boss}" camunda:candidateGroups="muppets"/>`,
			`{"type":"userTask","id":"a","assigneeId":{"value":"kermit"},"candidateIds":[{"value":"piggy"},{"expression":"boss"}],"candidateGroupIds":[{"value":"muppets"}]}`, ""},
		{"user task camunda expression kept", `<userTask id="a" camunda:assignee="${users.pick(1)}"/>`, `{"type":"userTask","id":"a"}`, `"camunda:assignee":"${users.pick(1)}"`},
		{"user task zeebe", `<userTask id="a"><extensionElements><zeebe:assignmentDefinition assignee="=owner" candidateGroups="a,b"/></extensionElements></userTask>`,
			`{"type":"userTask","id":"a","assigneeId":{"expression":"owner"},"candidateGroupIds":[{"value":"a"},{"value":"b"}]}`, ""},
		{"user task performers", `<userTask id="a"><humanPerformer><resourceAssignmentExpression><formalExpression>kermit</formalExpression></resourceAssignmentExpression></humanPerformer>` +
			`<potentialOwner><resourceAssignmentExpression><formalExpression>user(piggy), group(muppets), staff</formalExpression></resourceAssignmentExpression></potentialOwner></userTask>`,
			`{"type":"userTask","id":"a","assigneeId":{"value":"kermit"},"candidateIds":[{"value":"piggy"}],"candidateGroupIds":[{"value":"muppets"},{"value":"staff"}]}`, ""},
		{"user task resourceRef kept", `<userTask id="a"><potentialOwner><resourceRef>r1</resourceRef></potentialOwner></userTask>`, `{"type":"userTask","id":"a"}`, "potentialOwner"},
		{"service task default", `<serviceTask id="a"/>`, `{"type":"serviceTask","id":"a","serviceKey":"bpmn","actionKey":"a"}`, ""},
		{"service task effektif", `<serviceTask id="a" e:serviceKey="crm" e:actionKey="createLead"><extensionElements>
			<e:input key="name" expression="customer.name"/><e:output key="leadId" id="lead"/><e:configuration key="retries" value="3"/></extensionElements></serviceTask>`,
			`{"type":"serviceTask","id":"a","serviceKey":"crm","actionKey":"createLead","configuration":{"retries":3},"inputBindings":{"name":{"expression":"customer.name"}},"outputBindings":{"leadId":"lead"}}`, ""},
		{"service task camunda external", `<serviceTask id="a" camunda:type="external" camunda:topic="charge"/>`, `{"type":"serviceTask","id":"a","serviceKey":"charge","actionKey":"a"}`, ""},
		{"service task zeebe", `<serviceTask id="a"><extensionElements><zeebe:taskDefinition type="charge"/></extensionElements></serviceTask>`, `{"type":"serviceTask","id":"a","serviceKey":"charge","actionKey":"a"}`, ""},
		{"service task java delegate", `<serviceTask id="a" camunda:class="org.Charge"/>`, `{"type":"serviceTask","id":"a","serviceKey":"bpmn","actionKey":"a"}`, `"camunda:class":"org.Charge"`},
		{"business rule task", `<businessRuleTask id="a"/>`, `{"type":"serviceTask","id":"a","serviceKey":"bpmn","actionKey":"a"}`, "businessRuleTask"},
		{"email service task", `<serviceTask id="a" e:type="email"><extensionElements><e:fromEmailAddress value="me@x.org"/>
			<e:toEmailAddress expression="c.email"/><e:toUserId value="u1"/><e:bccGroupId value="g"/><e:attachmentFileId expression="file"/>
			<e:subject>Hi {{c.name}}</e:subject><e:bodyText>Text</e:bodyText><e:bodyHtml><![CDATA[<b>Html</b>]]></e:bodyHtml></extensionElements></serviceTask>`,
			`{"type":"email","id":"a","fromEmailAddress":{"value":"me@x.org"},"toEmailAddresses":[{"expression":"c.email"}],"toUserIds":[{"value":"u1"}],` +
				`"bccGroupIds":[{"value":"g"}],"subject":"Hi {{c.name}}","bodyText":"Text","bodyHtml":"\u003cb\u003eHtml\u003c/b\u003e","attachmentFileIds":[{"expression":"file"}]}`, ""},
		{"send task", `<sendTask id="a"/>`, `{"type":"email","id":"a"}`, "sendTask"},
		{"send task with worker", `<sendTask id="a"><extensionElements><zeebe:taskDefinition type="mailer"/></extensionElements></sendTask>`, `{"type":"serviceTask","id":"a","serviceKey":"mailer","actionKey":"a"}`, "sendTask"},
		{"script task", `<scriptTask id="a" scriptFormat="javascript"><extensionElements><e:mapping scriptVariableName="n" workflowVariableId="count"/></extensionElements><script>
			n = n + 1
		</script></scriptTask>`, `{"type":"scriptTask","id":"a","script":{"language":"javascript","script":"n = n + 1","mappings":{"n":"count"}}}`, ""},
		{"receive task", `<receiveTask id="a" messageRef="m"/>`, `{"type":"receiveTask","id":"a","event":{"type":"message","name":"m"}}`, `"messageRef":"m"`},
		{"message catch", `<intermediateCatchEvent id="a"><messageEventDefinition/></intermediateCatchEvent>`, `{"type":"receiveTask","id":"a"}`, "intermediateCatchEvent"},
		{"timer catch duration", `<intermediateCatchEvent id="a"><timerEventDefinition><timeDuration>PT5M</timeDuration></timerEventDefinition></intermediateCatchEvent>`,
			`{"type":"timerEvent","id":"a","due":{"type":"after","duration":5,"durationUnit":"minutes"}}`, ""},
		{"timer catch mixed duration", `<intermediateCatchEvent id="a"><timerEventDefinition><timeDuration>P1DT12H</timeDuration></timerEventDefinition></intermediateCatchEvent>`,
			`{"type":"timerEvent","id":"a","due":{"type":"after","duration":36,"durationUnit":"hours"}}`, ""},
		{"timer catch date", `<intermediateCatchEvent id="a"><timerEventDefinition><timeDate>2030-01-02T10:00:00Z</timeDate></timerEventDefinition></intermediateCatchEvent>`,
			`{"type":"timerEvent","id":"a","due":{"type":"after","durationUnit":"minutes","base":{"value":"2030-01-02T10:00:00Z","type":{"name":"date"}}}}`, ""},
		{"timer catch date expression", `<intermediateCatchEvent id="a"><timerEventDefinition><timeDate>${order.deadline}</timeDate></timerEventDefinition></intermediateCatchEvent>`,
			`{"type":"timerEvent","id":"a","due":{"type":"after","durationUnit":"minutes","base":{"expression":"order.deadline"}}}`, ""},
		{"timer catch empty", `<intermediateCatchEvent id="a"><timerEventDefinition/></intermediateCatchEvent>`, `{"type":"timerEvent","id":"a"}`, ""},
		{"exclusive gateway", `<exclusiveGateway id="a" default="f1"/><task id="b"/><sequenceFlow id="f1" sourceRef="a" targetRef="b"/>`,
			`{"type":"exclusiveGateway","id":"a","defaultTransitionId":"f1"}`, ""},
		{"parallel gateway", `<parallelGateway id="a" gatewayDirection="Diverging"/>`, `{"type":"parallelGateway","id":"a"}`, `"gatewayDirection":"Diverging"`},
		{"inclusive gateway", `<inclusiveGateway id="a"/>`, `{"type":"inclusiveGateway","id":"a"}`, ""},
		{"call activity", `<callActivity id="a" calledElement="Billing" e:subWorkflowId="v7"/>`, `{"type":"call","id":"a","subWorkflowId":"v7","subWorkflowSource":"Billing"}`, ""},
		{"call activity zeebe", `<callActivity id="a"><extensionElements><zeebe:calledElement processId="Billing"/></extensionElements></callActivity>`, `{"type":"call","id":"a","subWorkflowSource":"Billing"}`, ""},
		{"sub-process", `<subProcess id="a"><startEvent id="s"/><task id="t"/><sequenceFlow id="f" sourceRef="s" targetRef="t"/></subProcess>`,
			`{"type":"subProcessEmbedded","id":"a","activities":[{"type":"startEvent","id":"s"},{"type":"task","id":"t"}],"transitions":[{"id":"f","fromId":"s","toId":"t"}]}`, ""},
		{"multi-instance camunda", `<userTask id="a"><multiInstanceLoopCharacteristics isSequential="true" camunda:collection="${reviewers}" camunda:elementVariable="reviewer"/></userTask>`,
			`{"type":"userTask","id":"a","multiInstance":{"variable":{"id":"reviewer"},"values":[{"expression":"reviewers"}],"sequential":true}}`, ""},
		{"multi-instance effektif", `<task id="a"><extensionElements><e:multiInstance><e:variable id="x"><e:type name="text"/></e:variable><e:value expression="list"/></e:multiInstance></extensionElements><multiInstanceLoopCharacteristics/></task>`,
			`{"type":"task","id":"a","multiInstance":{"variable":{"id":"x","type":{"name":"text"}},"values":[{"expression":"list"}]}}`, ""},
		{"multi-instance cardinality", `<task id="a"><multiInstanceLoopCharacteristics><loopCardinality>3</loopCardinality><completionCondition>${done}</completionCondition></multiInstanceLoopCharacteristics></task>`,
			`{"type":"task","id":"a","multiInstance":{"variable":{"id":""},"cardinality":{"value":3},"completionCondition":{"type":"isTrue","left":{"expression":"done"}}}}`, ""},
		{"multi-instance cardinality expression", `<task id="a"><multiInstanceLoopCharacteristics isSequential="true"><loopCardinality>=count</loopCardinality></multiInstanceLoopCharacteristics></task>`,
			`{"type":"task","id":"a","multiInstance":{"variable":{"id":""},"cardinality":{"expression":"count"},"sequential":true}}`, ""},
		{"multi-instance bare", `<serviceTask id="a"><multiInstanceLoopCharacteristics/></serviceTask>`,
			`{"type":"serviceTask","id":"a","multiInstance":{"variable":{"id":""}},"serviceKey":"bpmn","actionKey":"a"}`, ""},
		{"no id", `<task name="anonymous"/><task id="task_1"/>`, `{"type":"task","id":"task_2","name":"anonymous"}`, ""},
		{"properties", `<task id="a"><extensionElements><e:property key="color" value="&quot;red&quot;"/><e:property key="n" value="2" type="java.lang.Integer"/></extensionElements></task>`,
			`{"type":"task","id":"a","color":"red","n":2}`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := importBody(t, tt.body)
			if got := activityJSON(w.Activities[0]); got != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
			if tt.bpmnHas != "" && !strings.Contains(string(w.Activities[0].BPMN), tt.bpmnHas) {
				t.Errorf("kept XML %s lacks %s", w.Activities[0].BPMN, tt.bpmnHas)
			}
			assertRoundTrip(t, w)
		})
	}
}

func TestBoundaryTimers(t *testing.T) {
	w := importBody(t, `<userTask id="u"/><task id="late"/><task id="remind"/><task id="next"/>
		<boundaryEvent id="t1" name="1 day" attachedToRef="u"><timerEventDefinition><timeDuration>P1D</timeDuration></timerEventDefinition></boundaryEvent>
		<boundaryEvent id="t2" attachedToRef="u" cancelActivity="false"><timerEventDefinition><timeDate>2030-05-01T08:00:00+02:00</timeDate></timerEventDefinition></boundaryEvent>
		<sequenceFlow id="f0" sourceRef="u" targetRef="next"/>
		<sequenceFlow id="f1" sourceRef="t1" targetRef="late"/>
		<sequenceFlow id="f2" sourceRef="t2" targetRef="remind"/>`)
	u := w.Activities[0]
	got, _ := json.Marshal(u.Timers)
	want := `[{"id":"t1","name":"1 day","due":{"type":"after","duration":1,"durationUnit":"days"},"toTransitionIds":["f1"]},` +
		`{"id":"t2","dueDate":"2030-05-01T08:00:00+02:00","toTransitionIds":["f2"],"nonInterrupting":true}]`
	if string(got) != want {
		t.Errorf("timers\n got  %s\n want %s", got, want)
	}
	if f := w.Transitions[1]; f.From != "t1" || f.To != "late" {
		t.Errorf("a boundary flow leaves the timer: %+v", f)
	}
	assertRoundTrip(t, w)
}

func TestUnsupportedElements(t *testing.T) {
	tests := []struct{ body, want string }{
		{`<complexGateway id="x"/>`, "complexGateway"},
		{`<eventBasedGateway id="x" instantiate="true"/>`, "eventBasedGateway/instantiate"},
		{`<eventBasedGateway id="x" eventGatewayType="Parallel"/>`, "eventBasedGateway/eventGatewayType"},
		{`<transaction id="x"/>`, "transaction"},
		{`<adHocSubProcess id="x"/>`, "adHocSubProcess"},
		{`<subProcess id="s" triggeredByEvent="true"><startEvent id="x"/></subProcess>`, "startEvent/noEventDefinition"},
		{`<task id="t"/><boundaryEvent id="x" attachedToRef="t"/>`, "boundaryEvent"},
		{`<task id="t"/><boundaryEvent id="x" attachedToRef="t"><linkEventDefinition/></boundaryEvent>`, "boundaryEvent/linkEventDefinition"},
		{`<task id="t"/><boundaryEvent id="x" attachedToRef="t"><conditionalEventDefinition><condition>${a.size() > 2}</condition></conditionalEventDefinition></boundaryEvent>`,
			"boundaryEvent/conditionalEventDefinition/condition"},
		{`<task id="t"/><boundaryEvent id="x" attachedToRef="t" cancelActivity="false"><timerEventDefinition><timeCycle>R3/2024-01-01T00:00:00Z/PT1H</timeCycle></timerEventDefinition></boundaryEvent>`, "boundaryEvent/timeCycle"},
		{`<task id="t"/><boundaryEvent id="x" attachedToRef="t"><timerEventDefinition><timeCycle>R0/PT1H</timeCycle></timerEventDefinition></boundaryEvent>`, "boundaryEvent/timeCycle"},
		{`<task id="t"/><boundaryEvent id="x" attachedToRef="t"><timerEventDefinition><timeDuration>${wait}</timeDuration></timerEventDefinition></boundaryEvent>`, "boundaryEvent/timeDuration"},
		{`<intermediateCatchEvent id="x"><timerEventDefinition><timeCycle>0 0 9 * * ?</timeCycle></timerEventDefinition></intermediateCatchEvent>`, "intermediateCatchEvent/timeCycle"},
		{`<intermediateCatchEvent id="x"/>`, "intermediateCatchEvent"},
		{`<intermediateThrowEvent id="x"><errorEventDefinition/></intermediateThrowEvent>`, "intermediateThrowEvent/errorEventDefinition"},
		{`<endEvent id="x"><cancelEventDefinition/></endEvent>`, "endEvent/cancelEventDefinition"},
		{`<startEvent id="x"><errorEventDefinition/></startEvent>`, "startEvent/errorEventDefinition"},
		{`<subProcess id="s" triggeredByEvent="true"><startEvent id="x"><timerEventDefinition><timeDate>tomorrow</timeDate></timerEventDefinition></startEvent></subProcess>`, "startEvent/timeDate"},
		{`<task id="x"><standardLoopCharacteristics><loopCondition>${items.isEmpty()}</loopCondition></standardLoopCharacteristics></task>`, "task/loopCondition"},
		{`<task id="x"><standardLoopCharacteristics loopMaximum="-1"/></task>`, "task/loopMaximum"},
		{`<task id="x"><multiInstanceLoopCharacteristics><loopCardinality>${list.size()}</loopCardinality></multiInstanceLoopCharacteristics></task>`, "task/loopCardinality"},
		{`<task id="x"><multiInstanceLoopCharacteristics><loopDataInputRef>items</loopDataInputRef></multiInstanceLoopCharacteristics></task>`, "task/loopDataInputRef"},
		{`<task id="x"><multiInstanceLoopCharacteristics camunda:collection="${a.b()}"/></task>`, "task/multiInstanceLoopCharacteristics"},
		{`<task id="x"><multiInstanceLoopCharacteristics camunda:collection="l"><completionCondition>${nrOfCompletedInstances/nrOfInstances >= 0.6}</completionCondition></multiInstanceLoopCharacteristics></task>`, "task/completionCondition"},
		{`<task id="t"/><dataObjectReference id="x"/><sequenceFlow id="f" sourceRef="t" targetRef="x"/>`, "dataObjectReference"},
	}
	for _, tt := range tests {
		_, err := Import(processDoc(tt.body))
		var ue *UnsupportedError
		if !errors.As(err, &ue) || len(ue.Elements) != 1 || ue.Elements[0].ID != "x" || ue.Elements[0].Type != tt.want {
			t.Errorf("%s: got %v, want %s", tt.body, err, tt.want)
		}
	}
	// Several definitions (a "multiple" event): each is listed.
	for _, body := range []string{`<task id="t"/><boundaryEvent id="x" attachedToRef="t"><messageEventDefinition/><timerEventDefinition/></boundaryEvent>`,
		`<intermediateCatchEvent id="x"><signalEventDefinition/><messageEventDefinition/></intermediateCatchEvent>`} {
		_, err := Import(processDoc(body))
		var ue *UnsupportedError
		if !errors.As(err, &ue) || len(ue.Elements) != 2 {
			t.Errorf("%s: got %v", body, err)
		}
	}
	// Every unsupported element is listed, nested ones too, with its name.
	_, err := Import(processDoc(`<complexGateway id="a" name="A"/><subProcess id="s"><transaction id="b"/></subProcess>`))
	var ue *UnsupportedError
	if !errors.As(err, &ue) || len(ue.Elements) != 2 || ue.Elements[0] != (Element{"a", "complexGateway", "A"}) || ue.Elements[1].ID != "b" {
		t.Errorf("got %v", err)
	}
}

func TestFormatErrors(t *testing.T) {
	deep := strings.Repeat("<a>", MaxDepth+1) + strings.Repeat("</a>", MaxDepth+1)
	tests := []struct{ name, doc, want string }{
		{"empty", ``, "empty document"},
		{"not xml", `hello`, "text outside the root element"},
		{"not bpmn", `<html/>`, "not a BPMN 2.0 <definitions>"},
		{"wrong namespace", `<definitions xmlns="http://example.com"><process/></definitions>`, "not a BPMN 2.0 <definitions>"},
		{"no process", `<definitions ` + testNamespaces + `><collaboration id="c"/></definitions>`, "no process"},
		{"two roots", `<definitions ` + testNamespaces + `/><definitions/>`, "more than one root"},
		{"unclosed", `<definitions ` + testNamespaces + `><process>`, "unexpected end"},
		{"entity", `<!DOCTYPE d [<!ENTITY x "y">]><definitions/>`, "DOCTYPE declaring entities"},
		{"undefined entity", `<definitions ` + testNamespaces + `><process id="&x;"/></definitions>`, "invalid character entity"},
		{"too deep", deep, "nested deeper"},
		{"duplicate id", string(processDoc(`<task id="t"/><task id="t"/>`)), `duplicate id "t"`},
		{"boundary on nothing", string(processDoc(`<boundaryEvent id="b" attachedToRef="nope"><timerEventDefinition/></boundaryEvent>`)), `attached to "nope"`},
	}
	for _, tt := range tests {
		_, err := Import([]byte(tt.doc))
		var fe *FormatError
		if !errors.As(err, &fe) || !strings.Contains(fe.Error(), tt.want) {
			t.Errorf("%s: got %v, want a FormatError with %q", tt.name, err, tt.want)
		}
	}
	_, err := Import(make([]byte, MaxSize+1))
	var fe *FormatError
	if !errors.As(err, &fe) || !strings.Contains(fe.Msg, "more than") {
		t.Errorf("oversized input: %v", err)
	}
}

func TestProcessChoice(t *testing.T) {
	doc := func(first, second string) []byte {
		return []byte(`<definitions ` + testNamespaces + `>` + first + second + `</definitions>`)
	}
	small := `<process id="small" isExecutable="true"><task id="a"/></process>`
	big := `<process id="big" isExecutable="false"><task id="b"/><task id="c"/></process>`
	bigUnsupported := `<process id="big" isExecutable="false"><task id="b"/><complexGateway id="c"/></process>`
	tests := []struct {
		name, first, second, want string
		warnings                  int
	}{
		{"most flow nodes", small, big, "big", 0},
		{"executable among equals", `<process id="d"><task id="x"/></process>`, `<process id="e" isExecutable="true"><task id="y"/></process>`, "e", 0},
		{"executable when the largest cannot run", bigUnsupported, small, "small", 1},
	}
	for _, tt := range tests {
		w, warns, err := ImportWithWarnings(doc(tt.first, tt.second))
		if err != nil || w.ID != tt.want || len(warns) != tt.warnings {
			t.Errorf("%s: got %v %v %v, want %s", tt.name, w, warns, err, tt.want)
			continue
		}
		assertRoundTrip(t, w)
	}
	// Without an executable process to fall back on, the largest one's
	// unsupported elements are the error.
	_, err := Import(doc(bigUnsupported, `<process id="other"><task id="z"/></process>`))
	var ue *UnsupportedError
	if !errors.As(err, &ue) || ue.Elements[0].ID != "c" {
		t.Errorf("got %v", err)
	}
	// The other processes are exported again.
	w, _ := Import(doc(small, big))
	out, _ := Export(w)
	if !strings.Contains(string(out), `id="small"`) {
		t.Errorf("the other process is lost:\n%s", out)
	}
}

func TestWarnings(t *testing.T) {
	_, warns, err := ImportWithWarnings(processDoc(`<exclusiveGateway id="g"/><task id="t"/>
		<sequenceFlow id="f" sourceRef="g" targetRef="t"><conditionExpression>${a.size() > 2}</conditionExpression></sequenceFlow>
		<sequenceFlow id="dangling" sourceRef="g" targetRef="nowhere"/>
		<intermediateCatchEvent id="timer"><timerEventDefinition/></intermediateCatchEvent>`))
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, w := range warns {
		ids = append(ids, w.ID)
	}
	slices.Sort(ids)
	if !slices.Equal(ids, []string{"dangling", "f", "timer"}) {
		t.Errorf("warnings %+v", warns)
	}
}

// TestCamundaStartForm: a camunda:formData of the process's start event
// becomes the workflow's form trigger; one of an embedded subprocess's
// start event does not.
func TestCamundaStartForm(t *testing.T) {
	w := importBody(t, `<startEvent id="s"><extensionElements><camunda:formData>`+
		`<camunda:formField id="amount" label="Amount" type="long"><camunda:validation><camunda:constraint name="required"/></camunda:validation></camunda:formField>`+
		`</camunda:formData></extensionElements></startEvent><endEvent id="e"/><sequenceFlow id="f" sourceRef="s" targetRef="e"/>`)
	if w.Trigger == nil || w.Trigger.Type != workflow.FormTrigger || w.Trigger.Form == nil || len(w.Trigger.Form.Fields) != 1 {
		t.Fatalf("trigger: %+v", w.Trigger)
	}
	if f := w.Trigger.Form.Fields[0]; f.ID != "amount" || f.Name != "Amount" || !f.Required || f.Binding == nil || f.Binding.Expression != "amount" {
		t.Fatalf("field: %+v", f)
	}
	if data, _ := json.Marshal(w.Activities[0]); strings.Contains(string(data), "formData") {
		t.Fatalf("the form is also kept on the start event: %s", data)
	}
	sub := importBody(t, `<startEvent id="s"/><subProcess id="sp"><startEvent id="ss"><extensionElements><camunda:formData>`+
		`<camunda:formField id="x" type="string"/></camunda:formData></extensionElements></startEvent></subProcess>`+
		`<sequenceFlow id="f" sourceRef="s" targetRef="sp"/>`)
	if sub.Trigger != nil {
		t.Fatalf("a subprocess's start form became the trigger: %+v", sub.Trigger)
	}
}
