package engine

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/effektif-serverless/caseflow/shared/workflow"
)

// mustOp returns a function that fails the test on an operation error:
// mustOp(t)(h.e.Trigger(...)).
func mustOp(t *testing.T) func(*Effects, error) *Effects {
	return func(fx *Effects, err error) *Effects {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return fx
	}
}

func canceledIDs(fx *Effects) []string {
	var out []string
	for _, c := range fx.CanceledActivityInstances {
		out = append(out, c.ActivityID)
	}
	return out
}

const boundaryMessageJSON = `{"activities":[{"type":"startEvent","id":"s"},
	{"type":"userTask","id":"work","boundaryEvents":[{"id":"cancelMsg","event":{"type":"message","name":"cancel"},"nonInterrupting":%t,"toTransitionIds":["out"]}]},
	{"type":"endEvent","id":"done"},{"type":"userTask","id":"handle"}],
  "transitions":[{"fromId":"s","toId":"work"},{"fromId":"work","toId":"done"},{"id":"out","fromId":"work","toId":"handle"}]}`

func TestBoundaryMessageInterrupting(t *testing.T) {
	h := newHarness(t)
	wf := parseWF(t, sprintf(boundaryMessageJSON, false))
	inst, _ := h.start(wf, Trigger{})
	subs := inst.Subscriptions(wf)
	if len(subs) != 1 || subs[0] != (Subscription{Kind: workflow.EventMessage, Name: "cancel", ActivityInstanceID: "2", ActivityID: "cancelMsg"}) {
		t.Fatalf("subscriptions: %+v", subs)
	}
	if _, err := h.e.Trigger(wf, inst, workflow.EventMessage, "other", nil); !errors.Is(err, ErrNoReceiver) {
		t.Fatalf("unknown message: %v", err)
	}
	fx := mustOp(t)(h.e.Trigger(wf, inst, workflow.EventMessage, "cancel", data("reason", `"late"`)))
	if !slices.Equal(canceledIDs(fx), []string{"work"}) || !slices.Equal(taskIDs(fx), []string{"handle"}) || varValue(inst, "reason") != `"late"` {
		t.Fatalf("fx %+v, %s", fx, mustJSON(t, inst))
	}
	if len(inst.Subscriptions(wf)) != 0 {
		t.Fatal("still subscribed")
	}
	h.message(wf, inst, "handle", nil)
	if !inst.Ended() || executed(inst, "done") != 0 {
		t.Fatalf("%s", mustJSON(t, inst))
	}
}

func TestBoundaryMessageNonInterrupting(t *testing.T) {
	h := newHarness(t)
	wf := parseWF(t, sprintf(boundaryMessageJSON, true))
	inst, _ := h.start(wf, Trigger{})
	for range 2 {
		fx := mustOp(t)(h.e.Trigger(wf, inst, workflow.EventMessage, "cancel", nil))
		if len(fx.CanceledActivityInstances) != 0 || !slices.Equal(taskIDs(fx), []string{"handle"}) {
			t.Fatalf("fx %+v", fx)
		}
	}
	h.message(wf, inst, "work", nil)
	h.message(wf, inst, "handle", nil)
	h.message(wf, inst, "handle", nil)
	if !inst.Ended() || executed(inst, "done") != 1 || executed(inst, "handle") != 2 {
		t.Fatalf("%s", mustJSON(t, inst))
	}
}

func TestMessageToReceiveTaskAndEventSubProcess(t *testing.T) {
	h := newHarness(t)
	wf := parseWF(t, `{"activities":[{"type":"startEvent","id":"s"},{"type":"receiveTask","id":"r","event":{"type":"message","name":"paid"}},{"type":"endEvent","id":"e"},
	  {"type":"subProcessEmbedded","id":"esp","triggeredByEvent":true,"activities":[{"type":"startEvent","id":"es","nonInterrupting":true,"event":{"type":"message","name":"paid"}},
		{"type":"userTask","id":"note"}],"transitions":[{"fromId":"es","toId":"note"}]}],
	  "transitions":[{"fromId":"s","toId":"r"},{"fromId":"r","toId":"e"}]}`)
	inst, _ := h.start(wf, Trigger{})
	if n := len(inst.Subscriptions(wf)); n != 2 {
		t.Fatalf("subscriptions: %+v", inst.Subscriptions(wf))
	}
	fx := mustOp(t)(h.e.Trigger(wf, inst, workflow.EventMessage, "paid", data("amount", "3")))
	if !slices.Equal(taskIDs(fx), []string{"note"}) || executed(inst, "e") != 1 || inst.Ended() || varValue(inst, "amount") != "3" {
		t.Fatalf("fx %+v %s", fx, mustJSON(t, inst))
	}
	h.message(wf, inst, "note", nil)
	if !inst.Ended() {
		t.Fatalf("%s", mustJSON(t, inst))
	}
}

const errorBoundaryJSON = `{"activities":[{"type":"startEvent","id":"s"},
	{"type":"serviceTask","id":"charge","serviceKey":"pay","actionKey":"charge","outputBindings":{"why":"reason"},
	 "boundaryEvents":[{"id":"declined","event":{"type":"error","name":"DECLINED"},"toTransitionIds":["f1"]},
	                   {"id":"anyError","event":{"type":"error"},"toTransitionIds":["f2"]}]},
	{"type":"endEvent","id":"ok"},{"type":"userTask","id":"retry"},{"type":"userTask","id":"support"}],
  "transitions":[{"fromId":"s","toId":"charge"},{"fromId":"charge","toId":"ok"},{"id":"f1","fromId":"charge","toId":"retry"},{"id":"f2","fromId":"charge","toId":"support"}]}`

func TestErrorFromServiceTask(t *testing.T) {
	wf := parseWF(t, errorBoundaryJSON)
	for _, c := range []struct{ code, want string }{{"DECLINED", "retry"}, {"TIMEOUT", "support"}} {
		h := newHarness(t)
		inst, _ := h.start(wf, Trigger{})
		ai := waitingAt(inst, "charge")
		fx := mustOp(t)(h.e.Fail(wf, inst, ai.ID, c.code, data("why", `"no funds"`)))
		if !slices.Equal(taskIDs(fx), []string{c.want}) || !slices.Equal(canceledIDs(fx), []string{"charge"}) || varValue(inst, "reason") != `"no funds"` {
			t.Fatalf("%s: fx %+v %s", c.code, fx, mustJSON(t, inst))
		}
		if _, err := h.e.Fail(wf, inst, ai.ID, c.code, nil); !errors.Is(err, ErrNotWaiting) {
			t.Fatalf("second fail: %v", err)
		}
	}
	// Uncaught: the activity is canceled and its path ends.
	h := newHarness(t)
	wf = seq(t, "", "{`type`:`serviceTask`,`id`:`svc`,`serviceKey`:`k`,`actionKey`:`a`}")
	inst, _ := h.start(wf, Trigger{})
	fx := mustOp(t)(h.e.Fail(wf, inst, waitingAt(inst, "svc").ID, "X", nil))
	if !inst.Ended() || executed(inst, "end") != 0 || !slices.Equal(canceledIDs(fx), []string{"svc"}) {
		t.Fatalf("uncaught: %+v %s", fx, mustJSON(t, inst))
	}
}

func TestErrorEndEventInSubprocess(t *testing.T) {
	h := newHarness(t)
	wf := parseWF(t, `{"activities":[{"type":"startEvent","id":"s"},
	  {"type":"subProcessEmbedded","id":"sub","boundaryEvents":[{"id":"caught","event":{"type":"error","name":"E1"},"toTransitionIds":["f3"]}],
	   "activities":[{"type":"startEvent","id":"ss"},{"type":"parallelGateway","id":"fork"},{"type":"userTask","id":"slow"},{"type":"endEvent","id":"boom","event":{"type":"error","name":"E1"}}],
	   "transitions":[{"fromId":"ss","toId":"fork"},{"fromId":"fork","toId":"slow"},{"fromId":"fork","toId":"boom"}]},
	  {"type":"endEvent","id":"normal"},{"type":"userTask","id":"recover"}],
	  "transitions":[{"fromId":"s","toId":"sub"},{"fromId":"sub","toId":"normal"},{"id":"f3","fromId":"sub","toId":"recover"}]}`)
	inst, fx := h.start(wf, Trigger{})
	if !slices.Equal(taskIDs(fx), []string{"slow", "recover"}) || !slices.Equal(canceledIDs(fx), []string{"slow"}) || executed(inst, "normal") != 0 {
		t.Fatalf("fx %+v %s", fx, mustJSON(t, inst))
	}
	if sub := inst.ActivityInstances[1]; sub.EndState != EndCanceled {
		t.Fatalf("sub: %+v", sub)
	}
}

func TestUncaughtErrorEndsCalledInstance(t *testing.T) {
	h := newHarness(t)
	child := seq(t, "", "{`type`:`parallelGateway`,`id`:`fork`}", "{`type`:`endEvent`,`id`:`boom`,`event`:{`type`:`error`,`name`:`02`}}")
	child.Activities = append(child.Activities, workflow.Activity{Type: workflow.UserTask, ID: "wait"})
	child.Transitions = append(child.Transitions, workflow.Transition{From: "fork", To: "wait"})
	inst, fx := h.start(child, Trigger{CallerWorkflowInstanceID: "p", CallerActivityInstanceID: "7"})
	n := fx.CallerNotification
	if !inst.Ended() || inst.EndState != EndError || n == nil || !n.Failed || n.ErrorCode != "02" || n.ActivityInstanceID != "7" {
		t.Fatalf("fx %+v %s", n, mustJSON(t, inst))
	}
	// The caller's call activity catches it with its boundary event.
	parent := parseWF(t, `{"activities":[{"type":"startEvent","id":"s"},{"type":"call","id":"c","subWorkflowId":"child",
		"boundaryEvents":[{"id":"b","event":{"type":"error","name":"02"},"toTransitionIds":["f"]}]},{"type":"userTask","id":"fraud"}],
	  "transitions":[{"fromId":"s","toId":"c"},{"id":"f","fromId":"c","toId":"fraud"}]}`)
	pi, pfx := h.start(parent, Trigger{})
	fx = mustOp(t)(h.e.Fail(parent, pi, pfx.SubWorkflows[0].ActivityInstanceID, n.ErrorCode, n.Values))
	if !slices.Equal(taskIDs(fx), []string{"fraud"}) {
		t.Fatalf("caller: %+v", fx)
	}
}

func TestEscalation(t *testing.T) {
	h := newHarness(t)
	wf := parseWF(t, `{"activities":[{"type":"startEvent","id":"s"},
	  {"type":"subProcessEmbedded","id":"sub","boundaryEvents":[{"id":"esc","event":{"type":"escalation","name":"LATE"},"nonInterrupting":true,"toTransitionIds":["f3"]}],
	   "activities":[{"type":"startEvent","id":"ss"},{"type":"throwEvent","id":"raise","event":{"type":"escalation","name":"LATE"}},{"type":"userTask","id":"finish"}],
	   "transitions":[{"fromId":"ss","toId":"raise"},{"fromId":"raise","toId":"finish"}]},
	  {"type":"endEvent","id":"normal"},{"type":"userTask","id":"inform"}],
	  "transitions":[{"fromId":"s","toId":"sub"},{"fromId":"sub","toId":"normal"},{"id":"f3","fromId":"sub","toId":"inform"}]}`)
	inst, fx := h.start(wf, Trigger{})
	if !slices.Equal(taskIDs(fx), []string{"finish", "inform"}) || len(fx.CanceledActivityInstances) != 0 {
		t.Fatalf("fx %+v", fx)
	}
	h.message(wf, inst, "finish", nil)
	h.message(wf, inst, "inform", nil)
	if !inst.Ended() || executed(inst, "normal") != 1 {
		t.Fatalf("%s", mustJSON(t, inst))
	}
	// Uncaught in a called instance: the caller hears of it.
	child := seq(t, "", "{`type`:`throwEvent`,`id`:`x`,`event`:{`type`:`escalation`,`name`:`E`}}")
	_, fx = h.start(child, Trigger{CallerWorkflowInstanceID: "p", CallerActivityInstanceID: "3"})
	if len(fx.Escalations) != 1 || fx.Escalations[0] != (Escalation{WorkflowInstanceID: "p", ActivityInstanceID: "3", Code: "E"}) {
		t.Fatalf("escalations: %+v", fx.Escalations)
	}
	// Escalate on a waiting call activity reaches its boundary event.
	parent := parseWF(t, `{"activities":[{"type":"startEvent","id":"s"},{"type":"call","id":"c","subWorkflowId":"x",
		"boundaryEvents":[{"id":"b","event":{"type":"escalation"},"nonInterrupting":true,"toTransitionIds":["f"]}]},{"type":"userTask","id":"note"}],
	  "transitions":[{"fromId":"s","toId":"c"},{"id":"f","fromId":"c","toId":"note"}]}`)
	pi, pfx := h.start(parent, Trigger{})
	fx = mustOp(t)(h.e.Escalate(parent, pi, pfx.SubWorkflows[0].ActivityInstanceID, "E"))
	if !slices.Equal(taskIDs(fx), []string{"note"}) || waitingAt(pi, "c") == nil {
		t.Fatalf("escalate: %+v", fx)
	}
}

func TestSignalBroadcast(t *testing.T) {
	h := newHarness(t)
	wf := parseWF(t, `{"activities":[{"type":"startEvent","id":"s"},{"type":"parallelGateway","id":"fork"},
	  {"type":"catchEvent","id":"c1","event":{"type":"signal","name":"go"}},{"type":"catchEvent","id":"c2","event":{"type":"signal","name":"go"}},
	  {"type":"userTask","id":"u","boundaryEvents":[{"id":"b","event":{"type":"signal","name":"go"},"nonInterrupting":true,"toTransitionIds":["fb"]}]},
	  {"type":"userTask","id":"after1"},{"type":"userTask","id":"after2"},{"type":"task","id":"fromBoundary"},
	  {"type":"userTask","id":"thrower"},{"type":"throwEvent","id":"send","event":{"type":"signal","name":"go"}},{"type":"endEvent","id":"e"}],
	  "transitions":[{"fromId":"s","toId":"fork"},{"fromId":"fork","toId":"c1"},{"fromId":"fork","toId":"c2"},{"fromId":"fork","toId":"u"},{"fromId":"fork","toId":"thrower"},
		{"fromId":"c1","toId":"after1"},{"fromId":"c2","toId":"after2"},{"id":"fb","fromId":"u","toId":"fromBoundary"},
		{"fromId":"thrower","toId":"send"},{"fromId":"send","toId":"e"}]}`)
	inst, _ := h.start(wf, Trigger{})
	if n := len(inst.Subscriptions(wf)); n != 3 {
		t.Fatalf("subscriptions %+v", inst.Subscriptions(wf))
	}
	if _, err := h.e.Message(wf, inst, waitingAt(inst, "c1").ID, nil); !errors.Is(err, ErrNotWaiting) {
		t.Fatalf("a signal catch takes no messages: %v", err)
	}
	fx := h.message(wf, inst, "thrower", nil)
	if !slices.Equal(fx.Signals, []string{"go"}) || !slices.Equal(taskIDs(fx), []string{"after1", "after2"}) || executed(inst, "fromBoundary") != 1 || waitingAt(inst, "u") == nil {
		t.Fatalf("fx %+v %s", fx, mustJSON(t, inst))
	}
	// A signal from outside reaches the boundary event again.
	fx = mustOp(t)(h.e.Trigger(wf, inst, workflow.EventSignal, "go", nil))
	if executed(inst, "fromBoundary") != 2 || len(fx.Signals) != 0 {
		t.Fatalf("%s", mustJSON(t, inst))
	}
}

func TestConditionalEvents(t *testing.T) {
	h := newHarness(t)
	big := `{"type":"greaterThan","left":{"expression":"amount"},"right":{"value":100}}`
	// "edit" receives "set" messages in a loop; "review" has a
	// non-interrupting conditional boundary event; "waitBig" waits.
	wf := parseWF(t, `{"variables":[{"id":"amount","type":{"name":"number"}}],"activities":[{"type":"startEvent","id":"s"},{"type":"parallelGateway","id":"fork"},
	  {"type":"receiveTask","id":"edit","event":{"type":"message","name":"set"}},
	  {"type":"userTask","id":"review","boundaryEvents":[{"id":"tooBig","event":{"type":"conditional","condition":`+big+`},"nonInterrupting":true,"toTransitionIds":["fb"]}]},
	  {"type":"task","id":"alert"},{"type":"catchEvent","id":"waitBig","event":{"type":"conditional","condition":`+big+`}},{"type":"userTask","id":"approve"}],
	  "transitions":[{"fromId":"s","toId":"fork"},{"fromId":"fork","toId":"edit"},{"fromId":"fork","toId":"review"},{"fromId":"fork","toId":"waitBig"},
		{"id":"fb","fromId":"review","toId":"alert"},{"fromId":"waitBig","toId":"approve"},{"fromId":"edit","toId":"edit"}]}`)
	inst, _ := h.start(wf, Trigger{Data: data("amount", "5")})
	if executed(inst, "alert") != 0 || waitingAt(inst, "waitBig") == nil {
		t.Fatalf("%s", mustJSON(t, inst))
	}
	set := func(v string) *Effects {
		t.Helper()
		return mustOp(t)(h.e.Trigger(wf, inst, workflow.EventMessage, "set", data("amount", v)))
	}
	fx := set("500")
	if executed(inst, "alert") != 1 || !slices.Equal(taskIDs(fx), []string{"approve"}) {
		t.Fatalf("fx %+v %s", fx, mustJSON(t, inst))
	}
	// Still true: the non-interrupting event does not fire again; false,
	// then true again: it does.
	set("600")
	if executed(inst, "alert") != 1 {
		t.Fatalf("fired again while true: %s", mustJSON(t, inst))
	}
	set("1")
	set("200")
	if executed(inst, "alert") != 2 || executed(inst, "approve") != 1 {
		t.Fatalf("%s", mustJSON(t, inst))
	}
	if inst.Public().Held != nil {
		t.Fatal("bookkeeping in Public")
	}
}

// An event-based gateway: the first of its catch events to fire wins.
const raceJSON = `{"activities":[{"type":"startEvent","id":"s"},{"type":"eventBasedGateway","id":"g"},
	{"type":"receiveTask","id":"answer","event":{"type":"message","name":"answer"}},
	{"type":"timerEvent","id":"timeout","due":{"duration":1,"durationUnit":"hours"}},
	{"type":"userTask","id":"process"},{"type":"userTask","id":"remind"}],
  "transitions":[{"fromId":"s","toId":"g"},{"fromId":"g","toId":"answer"},{"fromId":"g","toId":"timeout"},
	{"fromId":"answer","toId":"process"},{"fromId":"timeout","toId":"remind"}]}`

func TestEventBasedGatewayRace(t *testing.T) {
	wf := parseWF(t, raceJSON)
	// The message wins: the timer is gone.
	h := newHarness(t)
	inst, fx := h.start(wf, Trigger{})
	if len(fx.Timers) != 1 || waitingAt(inst, "answer") == nil {
		t.Fatalf("start: %+v", fx)
	}
	fx = mustOp(t)(h.e.Trigger(wf, inst, workflow.EventMessage, "answer", nil))
	if !slices.Equal(taskIDs(fx), []string{"process"}) || len(fx.CanceledTimers) != 1 || !slices.Equal(canceledIDs(fx), []string{"timeout"}) || inst.TimerInstances != nil {
		t.Fatalf("message wins: %+v", fx)
	}
	// The timer wins: the receive task is canceled.
	h = newHarness(t)
	inst, fx = h.start(wf, Trigger{})
	h.now = h.now.Add(2 * time.Hour)
	fx = mustOp(t)(h.e.FireTimer(wf, inst, fx.Timers[0].ID))
	if !slices.Equal(taskIDs(fx), []string{"remind"}) || !slices.Equal(canceledIDs(fx), []string{"answer"}) {
		t.Fatalf("timer wins: %+v", fx)
	}
	if _, err := h.e.Trigger(wf, inst, workflow.EventMessage, "answer", nil); !errors.Is(err, ErrNoReceiver) {
		t.Fatalf("late message: %v", err)
	}
}

func TestLinkEvents(t *testing.T) {
	h := newHarness(t)
	wf := parseWF(t, `{"activities":[{"type":"startEvent","id":"s"},{"type":"throwEvent","id":"jump","event":{"type":"link","name":"To  B"}},
	  {"type":"catchEvent","id":"land","event":{"type":"link","name":"to B"}},{"type":"catchEvent","id":"land2","event":{"type":"link","name":"To B"}},
	  {"type":"userTask","id":"b"}],
	  "transitions":[{"fromId":"s","toId":"jump"},{"fromId":"land","toId":"b"},{"fromId":"land2","toId":"b"}]}`)
	issues := Validate(wf)
	if hasErrors(issues) {
		t.Fatalf("issues: %+v", issues)
	}
	inst, fx := h.start(wf, Trigger{})
	// Names match with their white space normalized; land's name differs
	// in case, so land2 is the target; land is no start activity.
	if !slices.Equal(taskIDs(fx), []string{"b"}) || executed(inst, "land") != 0 || executed(inst, "land2") != 1 {
		t.Fatalf("fx %+v %s", fx, mustJSON(t, inst))
	}
}

const espJSON = `{"activities":[{"type":"startEvent","id":"s"},{"type":"userTask","id":"work"},{"type":"endEvent","id":"e"},
	{"type":"subProcessEmbedded","id":"onCancel","triggeredByEvent":true,"activities":[
		{"type":"startEvent","id":"cs","nonInterrupting":%t,"event":{"type":"message","name":"cancel"}},{"type":"userTask","id":"undo"}],
	 "transitions":[{"fromId":"cs","toId":"undo"}]},
	{"type":"subProcessEmbedded","id":"onTime","triggeredByEvent":true,"activities":[
		{"type":"startEvent","id":"ts","nonInterrupting":true,"event":{"type":"timer","due":{"duration":1,"durationUnit":"hours"},"repetitions":2}},{"type":"userTask","id":"remind"}],
	 "transitions":[{"fromId":"ts","toId":"remind"}]}],
  "transitions":[{"fromId":"s","toId":"work"},{"fromId":"work","toId":"e"}]}`

func TestEventSubProcessInterrupting(t *testing.T) {
	h := newHarness(t)
	wf := parseWF(t, sprintf(espJSON, false))
	if issues := Validate(wf); hasErrors(issues) {
		t.Fatalf("issues: %+v", issues)
	}
	inst, fx := h.start(wf, Trigger{})
	if !slices.Equal(taskIDs(fx), []string{"work"}) || len(fx.Timers) != 1 || fx.Timers[0].ActivityInstanceID != "" || fx.Timers[0].TimerID != "ts" {
		t.Fatalf("start: %+v", fx)
	}
	fx = mustOp(t)(h.e.Trigger(wf, inst, workflow.EventMessage, "cancel", nil))
	if !slices.Equal(taskIDs(fx), []string{"undo"}) || !slices.Equal(canceledIDs(fx), []string{"work"}) || len(fx.CanceledTimers) != 1 {
		t.Fatalf("cancel: %+v", fx)
	}
	if _, err := h.e.Trigger(wf, inst, workflow.EventMessage, "cancel", nil); !errors.Is(err, ErrNoReceiver) {
		t.Fatalf("interrupted scope starts no other: %v", err)
	}
	h.message(wf, inst, "undo", nil)
	if !inst.Ended() || executed(inst, "e") != 0 {
		t.Fatalf("%s", mustJSON(t, inst))
	}
}

func TestEventSubProcessNonInterrupting(t *testing.T) {
	h := newHarness(t)
	wf := parseWF(t, sprintf(espJSON, true))
	inst, fx := h.start(wf, Trigger{})
	timer := fx.Timers[0]
	fx = mustOp(t)(h.e.Trigger(wf, inst, workflow.EventMessage, "cancel", nil))
	if !slices.Equal(taskIDs(fx), []string{"undo"}) || len(fx.CanceledActivityInstances) != 0 || waitingAt(inst, "work") == nil {
		t.Fatalf("cancel: %+v", fx)
	}
	// The repeating timer start: twice, an hour apart.
	h.now = h.now.Add(time.Hour)
	fx = mustOp(t)(h.e.FireTimer(wf, inst, timer.ID))
	if !slices.Equal(taskIDs(fx), []string{"remind"}) || len(fx.Timers) != 1 || !fx.Timers[0].DueDate.Equal(t0.Add(2*time.Hour)) {
		t.Fatalf("timer: %+v", fx)
	}
	h.now = h.now.Add(time.Hour)
	fx = mustOp(t)(h.e.FireTimer(wf, inst, fx.Timers[0].ID))
	if !slices.Equal(taskIDs(fx), []string{"remind"}) || len(fx.Timers) != 0 {
		t.Fatalf("second: %+v", fx)
	}
	h.message(wf, inst, "work", nil)
	if inst.Ended() {
		t.Fatal("ended while event sub-processes run")
	}
	h.message(wf, inst, "undo", nil)
	h.message(wf, inst, "remind", nil)
	h.message(wf, inst, "remind", nil)
	if !inst.Ended() || executed(inst, "e") != 1 {
		t.Fatalf("%s", mustJSON(t, inst))
	}
}

func TestRepeatingBoundaryTimer(t *testing.T) {
	h := newHarness(t)
	wf := parseWF(t, `{"activities":[{"type":"startEvent","id":"s"},
	  {"type":"receiveTask","id":"wait","timers":[{"id":"daily","nonInterrupting":true,"repetitions":3,"due":{"duration":10,"durationUnit":"minutes"},"toTransitionIds":["r"]}]},
	  {"type":"task","id":"remind"}],"transitions":[{"fromId":"s","toId":"wait"},{"id":"r","fromId":"wait","toId":"remind"}]}`)
	inst, fx := h.start(wf, Trigger{})
	var fired []time.Time
	for len(fx.Timers) > 0 {
		ti := fx.Timers[0]
		fired = append(fired, ti.DueDate.Time)
		h.now = ti.DueDate.Time
		fx = mustOp(t)(h.e.FireTimer(wf, inst, ti.ID))
		if len(fired) > 5 {
			t.Fatal("does not stop")
		}
	}
	want := []time.Time{t0.Add(10 * time.Minute), t0.Add(20 * time.Minute), t0.Add(30 * time.Minute)}
	if !slices.EqualFunc(fired, want, time.Time.Equal) || executed(inst, "remind") != 3 || waitingAt(inst, "wait") == nil {
		t.Fatalf("fired %v %s", fired, mustJSON(t, inst))
	}
}

func TestCompensationOrder(t *testing.T) {
	h := newHarness(t)
	comp := func(id, handler string) string {
		return `{"type":"serviceTask","id":"` + id + `","serviceKey":"k","actionKey":"a","boundaryEvents":[{"id":"c` + id + `","event":{"type":"compensation"},"handlerId":"` + handler + `"}]},` +
			`{"type":"userTask","id":"` + handler + `","forCompensation":true}`
	}
	wf := parseWF(t, `{"activities":[{"type":"startEvent","id":"s"},`+comp("hotel", "cancelHotel")+`,`+comp("flight", "cancelFlight")+`,
	  {"type":"userTask","id":"pay"},{"type":"throwEvent","id":"undo","event":{"type":"compensation"}},{"type":"userTask","id":"sorry"}],
	  "transitions":[{"fromId":"s","toId":"hotel"},{"fromId":"hotel","toId":"flight"},{"fromId":"flight","toId":"pay"},{"fromId":"pay","toId":"undo"},{"fromId":"undo","toId":"sorry"}]}`)
	if issues := Validate(wf); hasErrors(issues) {
		t.Fatalf("issues: %+v", issues)
	}
	inst, _ := h.start(wf, Trigger{})
	for _, id := range []string{"hotel", "flight"} {
		mustOp(t)(h.e.Message(wf, inst, waitingAt(inst, id).ID, nil))
	}
	if len(inst.Compensable) != 2 {
		t.Fatalf("recorded: %v", inst.Compensable)
	}
	// The last completed first, one after the other, then on.
	fx := h.message(wf, inst, "pay", nil)
	if !slices.Equal(taskIDs(fx), []string{"cancelFlight"}) {
		t.Fatalf("first: %+v", fx)
	}
	if fx = h.message(wf, inst, "cancelFlight", nil); !slices.Equal(taskIDs(fx), []string{"cancelHotel"}) {
		t.Fatalf("second: %+v", fx)
	}
	if fx = h.message(wf, inst, "cancelHotel", nil); !slices.Equal(taskIDs(fx), []string{"sorry"}) {
		t.Fatalf("after: %+v", fx)
	}
	if inst.Compensable != nil {
		t.Fatalf("compensated twice? %v", inst.Compensable)
	}
}

// Compensating a subprocess runs its compensation event sub-process, whose
// throw compensates the subprocess's own activities.
func TestCompensationEventSubProcess(t *testing.T) {
	h := newHarness(t)
	wf := parseWF(t, `{"activities":[{"type":"startEvent","id":"s"},
	  {"type":"subProcessEmbedded","id":"booking","activities":[{"type":"startEvent","id":"bs"},
		{"type":"task","id":"book","boundaryEvents":[{"id":"cb","event":{"type":"compensation"},"handlerId":"unbook"}]},
		{"type":"userTask","id":"unbook","forCompensation":true},
		{"type":"subProcessEmbedded","id":"handler","triggeredByEvent":true,"activities":[
			{"type":"startEvent","id":"hs","event":{"type":"compensation"}},{"type":"throwEvent","id":"all","event":{"type":"compensation"}},{"type":"task","id":"log"}],
		 "transitions":[{"fromId":"hs","toId":"all"},{"fromId":"all","toId":"log"}]}],
	   "transitions":[{"fromId":"bs","toId":"book"}]},
	  {"type":"endEvent","id":"undo","event":{"type":"compensation","activityId":"booking"}}],
	  "transitions":[{"fromId":"s","toId":"booking"},{"fromId":"booking","toId":"undo"}]}`)
	if issues := Validate(wf); hasErrors(issues) {
		t.Fatalf("issues: %+v", issues)
	}
	inst, fx := h.start(wf, Trigger{})
	if !slices.Equal(taskIDs(fx), []string{"unbook"}) || inst.Ended() {
		t.Fatalf("fx %+v %s", fx, mustJSON(t, inst))
	}
	h.message(wf, inst, "unbook", nil)
	if !inst.Ended() || executed(inst, "log") != 1 {
		t.Fatalf("%s", mustJSON(t, inst))
	}
}

func TestMultiInstanceCardinality(t *testing.T) {
	h := newHarness(t)
	wf := seq(t, "`variables`:[{`id`:`n`,`type`:{`name`:`number`}}]",
		"{`type`:`userTask`,`id`:`u`,`multiInstance`:{`variable`:{`id`:`i`},`cardinality`:{`expression`:`n`}}}")
	inst, fx := h.start(wf, Trigger{Data: data("n", "3")})
	if !slices.Equal(taskIDs(fx), []string{"u", "u", "u"}) {
		t.Fatalf("fx %+v", fx)
	}
	var idx []string
	for _, el := range inst.ActivityInstances[1].ActivityInstances {
		idx = append(idx, string(el.VariableInstances[0].Value))
	}
	if !slices.Equal(idx, []string{"0", "1", "2"}) {
		t.Fatalf("elements %v", idx)
	}
	// Neither values nor a cardinality: once, without an element value.
	once := seq(t, "", "{`type`:`userTask`,`id`:`u`,`multiInstance`:{`sequential`:true,`variable`:{`id`:`i`}}}")
	inst, fx = h.start(once, Trigger{})
	if !slices.Equal(taskIDs(fx), []string{"u"}) || inst.ActivityInstances[1].ActivityInstances[0].VariableInstances != nil {
		t.Fatalf("once: %s", mustJSON(t, inst))
	}
	// A completion condition ends the rest.
	early := seq(t, "`variables`:[{`id`:`ok`,`type`:{`name`:`boolean`}}]",
		"{`type`:`receiveTask`,`id`:`r`,`multiInstance`:{`cardinality`:{`value`:3},`completionCondition`:{`type`:`isTrue`,`left`:{`expression`:`ok`}}}}")
	inst, _ = h.start(early, Trigger{})
	h.message(early, inst, "r", nil)
	fx = h.message(early, inst, "r", data("ok", "true"))
	if !inst.Ended() || len(fx.CanceledActivityInstances) != 1 {
		t.Fatalf("early: %+v %s", fx, mustJSON(t, inst))
	}
}

func TestStandardLoop(t *testing.T) {
	h := newHarness(t)
	wf := seq(t, "`variables`:[{`id`:`again`,`type`:{`name`:`boolean`}}]",
		"{`type`:`receiveTask`,`id`:`r`,`loop`:{`maximum`:3,`condition`:{`type`:`isTrue`,`left`:{`expression`:`again`}}}}")
	inst, _ := h.start(wf, Trigger{})
	h.message(wf, inst, "r", data("again", "true"))
	h.message(wf, inst, "r", nil)
	h.message(wf, inst, "r", nil)
	if !inst.Ended() || executed(inst, "r") != 4 { // the container and three iterations
		t.Fatalf("%s", mustJSON(t, inst))
	}
	// The condition false after the first: once.
	inst, _ = h.start(wf, Trigger{})
	h.message(wf, inst, "r", data("again", "false"))
	if !inst.Ended() || executed(inst, "r") != 2 {
		t.Fatalf("%s", mustJSON(t, inst))
	}
	// Without a condition: once (Validate warns).
	bare := seq(t, "", "{`type`:`task`,`id`:`x`,`loop`:{}}")
	if inst, _ = h.start(bare, Trigger{}); !inst.Ended() || executed(inst, "x") != 2 {
		t.Fatalf("%s", mustJSON(t, inst))
	}
	found := false
	for _, is := range Validate(bare) {
		found = found || is.Type == IssueBadLoop
	}
	if !found {
		t.Fatal("no warning")
	}
	// testBefore with a false condition: not at all.
	before := seq(t, "", "{`type`:`receiveTask`,`id`:`r`,`loop`:{`testBefore`:true,`condition`:{`type`:`isTrue`,`left`:{`expression`:`go`}}}}")
	if inst, _ = h.start(before, Trigger{}); !inst.Ended() || executed(inst, "r") != 1 {
		t.Fatalf("%s", mustJSON(t, inst))
	}
}

// Failed event operations leave the instance byte-identical.
func TestEventAtomicity(t *testing.T) {
	h := newHarness(t)
	wf := parseWF(t, `{"variables":[{"id":"n","type":{"name":"number"}}],`+sprintf(boundaryMessageJSON, false)[1:])
	inst, _ := h.start(wf, Trigger{})
	before := mustJSON(t, inst)
	if _, err := h.e.Trigger(wf, inst, workflow.EventMessage, "cancel", data("n", `"x"`)); err == nil {
		t.Fatal("want a value error")
	}
	if _, err := h.e.Trigger(wf, inst, "error", "cancel", nil); err == nil {
		t.Fatal("want a kind error")
	}
	if _, err := h.e.Fail(wf, inst, waitingAt(inst, "work").ID, "E", data("n", `"x"`)); err == nil {
		t.Fatal("want a value error")
	}
	if _, err := h.e.Escalate(wf, inst, "99", "E"); !errors.Is(err, ErrUnknownActivityInstance) {
		t.Fatalf("escalate: %v", err)
	}
	if after := mustJSON(t, inst); after != before {
		t.Fatalf("instance changed:\n%s\n%s", before, after)
	}
}
