package bpmn

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/effektif-serverless/caseflow/shared/workflow"
)

func ptr[T any](v T) *T { return &v }

// editorWorkflow is a workflow as the editor makes it: no kept XML, no
// diagram.
func editorWorkflow() *workflow.Workflow {
	due := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	return &workflow.Workflow{
		ID: "wf1", Name: "Onboarding", Description: "New hires", EnableCases: true,
		Variables: []workflow.Variable{
			{ID: "hire", Name: "Hire", Type: &workflow.DataType{Name: workflow.TypeUser, CandidateGroupIDs: []string{"hr"}}},
			{ID: "days", Type: &workflow.DataType{Name: workflow.TypeNumber}, DefaultValue: json.RawMessage(`3`)},
			{ID: "code", Type: &workflow.DataType{Name: workflow.TypeText}, DefaultValue: json.RawMessage(`"007"`)},
			{ID: "tags", Type: &workflow.DataType{Name: workflow.TypeList, ElementType: &workflow.DataType{Name: workflow.TypeText}}, DefaultValue: json.RawMessage(`["a","b"]`)},
			{ID: "n", Type: &workflow.DataType{Name: workflow.TypeNumber}, DefaultValue: json.RawMessage(`"5"`), Properties: map[string]json.RawMessage{"ui": json.RawMessage(`{"w":1}`)}},
		},
		Trigger: &workflow.Trigger{Type: workflow.FormTrigger, Form: &workflow.Form{Fields: []workflow.FormField{{ID: "f", Binding: &workflow.Binding{Expression: "hire"}}}}, Outputs: map[string]string{"k": "hire"}},
		Timers:  []workflow.Timer{{ID: "wt", Due: &workflow.RelativeTime{Type: "after", Duration: 1, DurationUnit: "years"}, DueDate: &due}},
		Activities: []workflow.Activity{
			{Type: workflow.StartEvent, ID: "start"},
			{Type: workflow.UserTask, ID: "welcome", Name: "Welcome", AssigneeID: &workflow.Binding{Expression: "hire"},
				CandidateIDs: []workflow.Binding{{Value: json.RawMessage(`"u1"`)}}, DueDate: &workflow.RelativeTime{Duration: 1, DurationUnit: "days", AtHour: ptr(9), AtMinute: ptr(30)},
				Form: &workflow.Form{Fields: []workflow.FormField{{ID: "ok", Type: &workflow.DataType{Name: workflow.TypeBoolean}, Required: true, Binding: &workflow.Binding{Expression: "ok"}, Properties: map[string]json.RawMessage{"asButtons": json.RawMessage(`true`)}}}},
				Timers: []workflow.Timer{
					{ID: "late", Due: &workflow.RelativeTime{Type: "after", Duration: 2, DurationUnit: "hours"}, ToTransitionIDs: []string{"t-late"}, NonInterrupting: true},
					{ID: "odd", Due: &workflow.RelativeTime{Type: "before", Duration: 1, DurationUnit: "days", Base: &workflow.Binding{Expression: "start"}}},
				}},
			{Type: workflow.ExclusiveGateway, ID: "gw", DefaultTransitionID: "t-else"},
			{Type: workflow.EmailTask, ID: "mail", ToEmailAddresses: []workflow.Binding{{Expression: "hire.email"}}, Subject: "Hi", BodyHTML: "<p>&</p>"},
			{Type: workflow.ServiceTask, ID: "svc", ServiceKey: "it", ActionKey: "laptop", InputBindings: map[string]workflow.Binding{"who": {Expression: "hire"}}, OutputBindings: map[string]string{"serial": "laptop"}},
			{Type: workflow.ScriptTask, ID: "script", Script: &workflow.Script{Script: "x = 1"}},
			{Type: workflow.TimerEvent, ID: "wait", Due: &workflow.RelativeTime{Type: "after", Duration: 3, DurationUnit: "days", AtHour: ptr(8)}},
			{Type: workflow.CallActivity, ID: "call", SubWorkflowSource: "payroll", SubWorkflowID: "v3"},
			{Type: workflow.SubProcessEmbedded, ID: "sub", Variables: []workflow.Variable{{ID: "local"}},
				Activities:  []workflow.Activity{{Type: workflow.NoneTask, ID: "inner"}, {Type: workflow.ParallelGateway, ID: "pg", DefaultTransitionID: "t-inner"}},
				Transitions: []workflow.Transition{{ID: "t-inner", From: "inner", To: "pg"}}},
			{Type: workflow.InclusiveGateway, ID: "ig"},
			{Type: workflow.ReceiveTask, ID: "recv", MultiInstance: &workflow.MultiInstance{Variable: workflow.Variable{ID: "item"}, Values: []workflow.Binding{{Expression: "tags"}}, Sequential: true}},
			{Type: workflow.EndEvent, ID: "end", Terminate: true, Properties: map[string]json.RawMessage{"color": json.RawMessage(`"red"`)}},
			{Type: workflow.NoneTask, ID: "chase"},
		},
		Transitions: []workflow.Transition{
			{ID: "t1", From: "start", To: "welcome"},
			{ID: "t2", From: "welcome", To: "gw"},
			{ID: "t-ok", From: "gw", To: "mail", Condition: &workflow.Condition{Type: workflow.CondIsTrue, Left: &workflow.Binding{Expression: "ok"}}},
			{ID: "t-else", From: "gw", To: "svc", Description: "otherwise"},
			{ID: "t3", From: "mail", To: "script", Condition: &workflow.Condition{Type: workflow.CondUnspecified}},
			{ID: "t4", From: "svc", To: "script", Properties: map[string]json.RawMessage{"weight": json.RawMessage(`2`)}},
			{ID: "t5", From: "script", To: "wait"},
			{ID: "t6", From: "wait", To: "call"},
			{ID: "t7", From: "call", To: "sub"},
			{ID: "t8", From: "sub", To: "ig"},
			{ID: "t9", From: "ig", To: "recv"},
			{ID: "t10", From: "recv", To: "end"},
			{ID: "t-late", From: "welcome", To: "chase"},
		},
		Properties: map[string]json.RawMessage{"custom": json.RawMessage(`{"a":[1,2]}`)},
	}
}

// TestExportEditorWorkflow exports a workflow made without BPMN and imports
// it again: the model is the same; import adds only the kept definitions,
// the layout, and From of transitions that leave a boundary timer (they
// leave the timer in BPMN).
func TestExportEditorWorkflow(t *testing.T) {
	w := editorWorkflow()
	out, err := Export(w)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		`<process id="wf1" name="Onboarding" isExecutable="true">`,
		`<e:assigneeId expression="hire"/>`,
		`<conditionExpression xsi:type="tFormalExpression">${ok}</conditionExpression>`,
		`<timeDuration xsi:type="tFormalExpression">PT2H</timeDuration>`,
		`<boundaryEvent id="late" attachedToRef="welcome" cancelActivity="false">`,
		`<sequenceFlow id="t-late" sourceRef="late" targetRef="chase"/>`,
		`<exclusiveGateway id="gw" default="t-else">`,
		`<parallelGateway id="pg" e:defaultTransitionId="t-inner">`,
		`<bpmndi:BPMNShape id="shape-welcome" bpmnElement="welcome">`,
		`<bpmndi:BPMNEdge id="edge-t1" bpmnElement="t1">`,
		`<e:bodyHtml>&lt;p&gt;&amp;&lt;/p&gt;</e:bodyHtml>`,
	} {
		if !strings.Contains(string(out), want) {
			t.Errorf("export lacks %s", want)
		}
	}
	back, err := Import(out)
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	back.Diagram, back.BPMN = nil, nil
	delete(back.Properties, PropertyDefinitions)
	want := editorWorkflow()
	want.Transitions[12].From = "late"
	a, _ := json.Marshal(want)
	b, _ := json.Marshal(back)
	if string(a) != string(b) {
		t.Errorf("round trip differs:\n%s", jsonDiff(a, b))
	}
	// An export of the import is the same document.
	again, _ := Import(out)
	out2, _ := Export(again)
	if string(out2) != string(out) {
		t.Errorf("export is not stable:\n%s\n---\n%s", out, out2)
	}
}

func TestExportIDsAndErrors(t *testing.T) {
	w := &workflow.Workflow{ID: "5f3c", Activities: []workflow.Activity{
		{Type: workflow.StartEvent, ID: "1"}, {Type: workflow.NoneTask, ID: "a b"}, {Type: workflow.EndEvent},
	}, Transitions: []workflow.Transition{{From: "1", To: "a b"}}}
	out, err := Export(w)
	if err != nil {
		t.Fatal(err)
	}
	back, err := Import(out)
	if err != nil {
		t.Fatal(err)
	}
	if back.ID != "_5f3c" || back.Activities[0].ID != "_1" || back.Activities[1].ID != "_a_b" || back.Activities[2].ID == "" ||
		back.Transitions[0].From != "_1" || back.Transitions[0].To != "_a_b" {
		t.Errorf("ids: %s", out)
	}
	for name, w := range map[string]*workflow.Workflow{
		"unknown type":      {Activities: []workflow.Activity{{Type: "javaServiceTask", ID: "j"}}},
		"bad condition":     {Transitions: []workflow.Transition{{ID: "t", Condition: &workflow.Condition{Type: "<x>"}}}},
		"bad kept xml":      {BPMN: json.RawMessage(`[1]`)},
		"bad diagram":       {Diagram: json.RawMessage(`"x"`)},
		"bad definitions":   {Properties: map[string]json.RawMessage{PropertyDefinitions: json.RawMessage(`{"name":1}`)}},
		"bad activity bpmn": {Activities: []workflow.Activity{{Type: workflow.NoneTask, ID: "t", BPMN: json.RawMessage(`"x"`)}}},
	} {
		if _, err := Export(w); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	if _, err := Export(nil); err == nil {
		t.Error("nil workflow exported")
	}
}

// TestExportRenamedProcess: the REST layer gives an imported workflow its
// own id; references to the process follow.
func TestExportRenamedProcess(t *testing.T) {
	w, err := Import(readTestdata(t, "zeebe.bpmn"))
	if err != nil {
		t.Fatal(err)
	}
	w.ID = "wf-42"
	out, err := Export(w)
	if err != nil {
		t.Fatal(err)
	}
	s := string(out)
	if !strings.Contains(s, `processRef="wf-42"`) || strings.Contains(s, `id="Claims"`) || strings.Contains(s, `processRef="Claims"`) || !strings.Contains(s, `<bpmn:process id="wf-42"`) {
		t.Errorf("process not renamed:\n%s", s)
	}
	back, err := Import(out)
	if err != nil || back.ID != "wf-42" || back.Name != "Claims" {
		t.Errorf("re-import: %v %v", back, err)
	}
}

// TestExportDropsStaleDI: shapes of deleted activities are not written.
func TestExportDropsStaleDI(t *testing.T) {
	w, err := Import(readTestdata(t, "camunda7.bpmn"))
	if err != nil {
		t.Fatal(err)
	}
	w.Activities = w.Activities[:1] // keep only the start event
	w.Transitions = nil
	out, err := Export(w)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(out), `bpmnElement="Task_Review"`) || !strings.Contains(string(out), `bpmnElement="StartEvent_Order"`) {
		t.Errorf("stale DI:\n%s", out)
	}
	if _, err := Import(out); err != nil {
		t.Fatal(err)
	}
}
