package bpmn

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/effektif-serverless/caseflow/shared/engine"
	"github.com/effektif-serverless/caseflow/shared/workflow"
)

// eventDoc is a document with root elements to refer to and a process.
func eventDoc(body string) []byte {
	return []byte(`<definitions ` + testNamespaces + `>
	<message id="m1" name="cancel order"/><error id="e1" name="Declined" errorCode="D42"/>
	<escalation id="s1" escalationCode="LATE"/><signal id="g1" name="stop"/>
	<process id="p">` + body + `</process></definitions>`)
}

func TestBoundaryEvents(t *testing.T) {
	w, err := Import(eventDoc(`<userTask id="u"/><task id="a"/><serviceTask id="undo" isForCompensation="true"/>
		<boundaryEvent id="bm" name="Cancel" attachedToRef="u" cancelActivity="false"><messageEventDefinition messageRef="m1"/></boundaryEvent>
		<boundaryEvent id="be" attachedToRef="u"><errorEventDefinition errorRef="e1"/></boundaryEvent>
		<boundaryEvent id="bs" attachedToRef="u" cancelActivity="false"><escalationEventDefinition escalationRef="s1"/></boundaryEvent>
		<boundaryEvent id="bg" attachedToRef="u"><signalEventDefinition signalRef="g1"/></boundaryEvent>
		<boundaryEvent id="bc" attachedToRef="u" cancelActivity="false"><conditionalEventDefinition><condition>${x}</condition></conditionalEventDefinition></boundaryEvent>
		<boundaryEvent id="bt" attachedToRef="u" cancelActivity="false"><timerEventDefinition><timeCycle>R6/P1D</timeCycle></timerEventDefinition></boundaryEvent>
		<boundaryEvent id="bk" attachedToRef="u"><compensateEventDefinition/></boundaryEvent>
		<association id="as" sourceRef="bk" targetRef="undo" associationDirection="One"/>
		<sequenceFlow id="f1" sourceRef="bm" targetRef="a"/><sequenceFlow id="f2" sourceRef="be" targetRef="a"/>
		<sequenceFlow id="f3" sourceRef="bs" targetRef="a"/><sequenceFlow id="f4" sourceRef="bg" targetRef="a"/>
		<sequenceFlow id="f5" sourceRef="bc" targetRef="a"/><sequenceFlow id="f6" sourceRef="bt" targetRef="a"/>`))
	if err != nil {
		t.Fatal(err)
	}
	u := w.Activities[0]
	var evs []workflow.BoundaryEvent
	for _, b := range u.BoundaryEvents {
		b.BPMN = nil
		evs = append(evs, b)
	}
	got, _ := json.Marshal(evs)
	want := `[{"id":"bm","name":"Cancel","event":{"type":"message","name":"cancel order"},"nonInterrupting":true,"toTransitionIds":["f1"]},` +
		`{"id":"be","event":{"type":"error","name":"D42"},"toTransitionIds":["f2"]},` +
		`{"id":"bs","event":{"type":"escalation","name":"LATE"},"nonInterrupting":true,"toTransitionIds":["f3"]},` +
		`{"id":"bg","event":{"type":"signal","name":"stop"},"toTransitionIds":["f4"]},` +
		`{"id":"bc","event":{"type":"conditional","condition":{"type":"isTrue","left":{"expression":"x"}}},"nonInterrupting":true,"toTransitionIds":["f5"]},` +
		`{"id":"bk","event":{"type":"compensation"},"handlerId":"undo"}]`
	if string(got) != want {
		t.Errorf("boundary events\n got  %s\n want %s", got, want)
	}
	if tm, _ := json.Marshal(u.Timers); string(tm) != `[{"id":"bt","due":{"type":"after","duration":1,"durationUnit":"days"},"repetitions":6,"toTransitionIds":["f6"],"nonInterrupting":true}]` {
		t.Errorf("timers %s", tm)
	}
	if issues := engine.Validate(w); hasError(issues) {
		t.Errorf("issues %+v", issues)
	}
	assertRoundTrip(t, w)
	out, _ := Export(w)
	for _, part := range []string{`messageRef="m1"`, `errorRef="e1"`, `<timeCycle xsi:type="tFormalExpression">R6/P1D</timeCycle>`, `sourceRef="bk" targetRef="undo"`} {
		if !strings.Contains(string(out), part) {
			t.Errorf("export lacks %s:\n%s", part, out)
		}
	}
	// Names changed in the model refer to root elements with that name,
	// made when there is none; a new handler moves the association.
	u = w.Activities[0]
	u.BoundaryEvents[0].Event.Name = "stop order"
	u.BoundaryEvents[1].Event.Name = "Declined" // not a code: a new error
	u.BoundaryEvents[3].Event.Name = ""
	w.Activities = append(w.Activities, workflow.Activity{Type: workflow.UserTask, ID: "undo2", ForCompensation: true})
	u.BoundaryEvents[5].HandlerID = "undo2"
	w.Activities[0] = u
	out, err = Export(w)
	if err != nil {
		t.Fatal(err)
	}
	again, err := Import(out)
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	names := []string{}
	for _, b := range again.Activities[0].BoundaryEvents {
		names = append(names, b.Event.Name)
	}
	if strings.Join(names, "|") != "stop order|Declined|LATE|||" || again.Activities[0].BoundaryEvents[5].HandlerID != "undo2" {
		t.Errorf("names %q, handler %q\n%s", names, again.Activities[0].BoundaryEvents[5].HandlerID, out)
	}
}

func hasError(issues []engine.Issue) bool {
	for _, is := range issues {
		if is.Severity == engine.SeverityError {
			return true
		}
	}
	return false
}

func TestEventSubProcessMapping(t *testing.T) {
	w, err := Import(eventDoc(`<startEvent id="s"/><userTask id="u"/><sequenceFlow id="f0" sourceRef="s" targetRef="u"/>
		<subProcess id="esp" triggeredByEvent="true">
			<startEvent id="es" isInterrupting="false"><timerEventDefinition><timeCycle>R/PT1H</timeCycle></timerEventDefinition></startEvent>
			<task id="x"/><sequenceFlow id="f1" sourceRef="es" targetRef="x"/>
		</subProcess>
		<subProcess id="onError" triggeredByEvent="true">
			<startEvent id="err"><errorEventDefinition errorRef="e1"/></startEvent>
			<endEvent id="y"><escalationEventDefinition escalationRef="s1"/></endEvent><sequenceFlow id="f2" sourceRef="err" targetRef="y"/>
		</subProcess>`))
	if err != nil {
		t.Fatal(err)
	}
	esp := w.Activities[2]
	if !esp.TriggeredByEvent || activityJSON(esp.Activities[0]) != `{"type":"startEvent","id":"es","event":{"type":"timer","due":{"type":"after","duration":1,"durationUnit":"hours"},"repetitions":-1},"nonInterrupting":true}` {
		t.Errorf("esp %s / %s", activityJSON(esp), activityJSON(esp.Activities[0]))
	}
	if got := activityJSON(w.Activities[3].Activities[0]); got != `{"type":"startEvent","id":"err","event":{"type":"error","name":"D42"}}` {
		t.Errorf("error start %s", got)
	}
	if issues := engine.Validate(w); hasError(issues) {
		t.Errorf("issues %+v", issues)
	}
	assertRoundTrip(t, w)
	out, _ := Export(w)
	for _, part := range []string{`triggeredByEvent="true"`, `isInterrupting="false"`, `R/PT1H`} {
		if !strings.Contains(string(out), part) {
			t.Errorf("export lacks %s", part)
		}
	}
}

// A model written as JSON exports with the Effektif extensions where the
// standard cannot hold it exactly, and imports back the same.
func TestEventModelExport(t *testing.T) {
	var w workflow.Workflow
	src := `{"id":"p","activities":[{"type":"startEvent","id":"s"},
	  {"type":"receiveTask","id":"r","event":{"type":"message","name":"paid"},
	   "timers":[{"id":"t","repetitions":3,"nonInterrupting":true,"due":{"duration":2,"durationUnit":"days","atHour":9}}],
	   "loop":{"maximum":2,"condition":{"type":"and","conditions":[{"type":"isTrue","left":{"expression":"a"}},{"type":"hasValue","left":{"expression":"b"}}]}}},
	  {"type":"userTask","id":"m","multiInstance":{"variable":{"id":"i"},"cardinality":{"expression":"n"},"completionCondition":{"type":"isTrue","left":{"expression":"done"}}}},
	  {"type":"eventBasedGateway","id":"g"},{"type":"catchEvent","id":"c","event":{"type":"signal","name":"go"}},
	  {"type":"throwEvent","id":"l","event":{"type":"link","name":"L"}},{"type":"catchEvent","id":"lc","event":{"type":"link","name":"L"}},
	  {"type":"endEvent","id":"e","event":{"type":"error","name":"E9"}}],
	  "transitions":[{"id":"f1","fromId":"s","toId":"r"},{"id":"f2","fromId":"r","toId":"m"},{"id":"f3","fromId":"m","toId":"g"},{"id":"f4","fromId":"g","toId":"c"},
	    {"id":"f5","fromId":"c","toId":"l"},{"id":"f6","fromId":"lc","toId":"e"}]}`
	if err := json.Unmarshal([]byte(src), &w); err != nil {
		t.Fatal(err)
	}
	out, err := Export(&w)
	if err != nil {
		t.Fatal(err)
	}
	back, err := Import(out)
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	for i, a := range back.Activities {
		a.BPMN = nil
		b := w.Activities[i]
		if activityJSON(a) != activityJSON(b) {
			t.Errorf("activity %s:\n got  %s\n want %s", b.ID, activityJSON(a), activityJSON(b))
		}
	}
	assertRoundTrip(t, back)
	if issues := engine.Validate(back); hasError(issues) {
		t.Errorf("issues %+v", issues)
	}
}
