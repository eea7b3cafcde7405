package engine

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestCallActivityRoundTrip(t *testing.T) {
	h := newHarness(t)
	parent := seq(t, "`variables`:[{`id`:`amount`,`type`:{`name`:`number`}},{`id`:`verdict`,`type`:{`name`:`text`}}]",
		"{`type`:`call`,`id`:`check`,`subWorkflowId`:`child`,`inputBindings`:{`limit`:{`expression`:`amount`}},`outputBindings`:{`result`:`verdict`}}",
		"{`type`:`userTask`,`id`:`next`}")
	child := seq(t, "`id`:`child`,`variables`:[{`id`:`limit`,`type`:{`name`:`number`}},{`id`:`result`,`type`:{`name`:`text`}}]",
		"{`type`:`scriptTask`,`id`:`decide`,`script`:{`script`:`result = \\`ok for \\` + limit`}}")

	pi, fx := h.start(parent, Trigger{Data: data("amount", "7")})
	if len(fx.SubWorkflows) != 1 {
		t.Fatalf("sub-workflows: %+v", fx)
	}
	req := fx.SubWorkflows[0]
	if req.SubWorkflowID != "child" || string(req.Data["limit"]) != `{"type":{"name":"number"},"value":7}` {
		t.Fatalf("request: %s", mustJSON(t, req))
	}
	// The application starts the child with the caller ids.
	ci, cfx := h.start(child, Trigger{Data: req.Data, CallerWorkflowInstanceID: pi.ID, CallerActivityInstanceID: req.ActivityInstanceID})
	if err := pi.SetCalledWorkflowInstance(req.ActivityInstanceID, ci.ID); err != nil {
		t.Fatal(err)
	}
	if !ci.Ended() || cfx.CallerNotification == nil || ci.CallerWorkflowInstanceID != pi.ID {
		t.Fatalf("child: %s / %+v", mustJSON(t, ci), cfx)
	}
	n := cfx.CallerNotification
	if n.WorkflowInstanceID != pi.ID || n.ActivityInstanceID != req.ActivityInstanceID || string(n.Values["result"]) != `{"type":{"name":"text"},"value":"ok for 7"}` {
		t.Fatalf("notification: %s", mustJSON(t, n))
	}
	// The application delivers the notification to the caller.
	fx, err := h.e.Message(parent, pi, n.ActivityInstanceID, n.Values)
	if err != nil {
		t.Fatal(err)
	}
	if varValue(pi, "verdict") != `"ok for 7"` || !slices.Equal(taskIDs(fx), []string{"next"}) {
		t.Fatalf("parent after child: %s", mustJSON(t, pi))
	}
	if pi.ActivityInstance(req.ActivityInstanceID).CalledWorkflowInstanceID != ci.ID {
		t.Fatal("calledWorkflowInstanceId not kept")
	}
}

func TestIntermediateTimer(t *testing.T) {
	h := newHarness(t)
	wf := seq(t, "", "{`type`:`timerEvent`,`id`:`wait`,`due`:{`duration`:30,`durationUnit`:`minutes`}}")
	inst, fx := h.start(wf, Trigger{})
	if len(fx.Timers) != 1 || !fx.Timers[0].DueDate.Equal(t0.Add(30*time.Minute)) || len(inst.TimerInstances) != 1 {
		t.Fatalf("timer: %+v", fx.Timers)
	}
	timer := fx.Timers[0]
	if _, err := h.e.Message(wf, inst, timer.ActivityInstanceID, nil); !errors.Is(err, ErrNotWaiting) {
		t.Fatalf("a timer event does not take messages: %v", err)
	}
	if _, err := h.e.FireTimer(wf, inst, timer.ID); !errors.Is(err, ErrTimerNotDue) {
		t.Fatalf("early fire: %v", err)
	}
	h.now = h.now.Add(time.Hour)
	fx, err := h.e.FireTimer(wf, inst, timer.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !inst.Ended() || inst.TimerInstances != nil || len(fx.CanceledTimers) != 0 {
		t.Fatalf("after fire: %s %+v", mustJSON(t, inst), fx)
	}
	if _, err := h.e.FireTimer(wf, inst, timer.ID); !errors.Is(err, ErrUnknownTimer) {
		t.Fatalf("second fire: %v", err)
	}
}

const boundaryJSON = `{"activities":[{"type":"startEvent","id":"s"},
	{"type":"userTask","id":"work","timers":[{"id":"remind","nonInterrupting":%t,"due":{"duration":2,"durationUnit":"hours"},"toTransitionIds":["late"]}]},
	{"type":"endEvent","id":"done"},{"type":"userTask","id":"escalate"}],
  "transitions":[{"fromId":"s","toId":"work"},{"fromId":"work","toId":"done"},{"id":"late","fromId":"work","toId":"escalate"}]}`

func TestBoundaryTimerInterrupting(t *testing.T) {
	h := newHarness(t)
	wf := parseWF(t, sprintf(boundaryJSON, false))
	inst, fx := h.start(wf, Trigger{})
	if len(fx.Timers) != 1 || fx.Timers[0].TimerID != "remind" || !fx.Timers[0].DueDate.Equal(t0.Add(2*time.Hour)) {
		t.Fatalf("timer: %+v", fx.Timers)
	}
	h.now = h.now.Add(3 * time.Hour)
	fx, err := h.e.FireTimer(wf, inst, fx.Timers[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(fx.CanceledActivityInstances) != 1 || fx.CanceledActivityInstances[0].ActivityID != "work" || !slices.Equal(taskIDs(fx), []string{"escalate"}) {
		t.Fatalf("fire: %+v", fx)
	}
	if w := inst.ActivityInstances[1]; w.EndState != EndCanceled || w.Open() {
		t.Fatalf("work: %+v", w)
	}
	h.message(wf, inst, "escalate", nil)
	if !inst.Ended() || executed(inst, "done") != 0 {
		t.Fatalf("%s", mustJSON(t, inst))
	}
}

func TestBoundaryTimerNonInterrupting(t *testing.T) {
	h := newHarness(t)
	wf := parseWF(t, sprintf(boundaryJSON, true))
	inst, fx := h.start(wf, Trigger{})
	h.now = h.now.Add(3 * time.Hour)
	fx, err := h.e.FireTimer(wf, inst, fx.Timers[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(fx.CanceledActivityInstances) != 0 || !slices.Equal(taskIDs(fx), []string{"escalate"}) || waitingAt(inst, "work") == nil {
		t.Fatalf("fire: %+v", fx)
	}
	h.message(wf, inst, "escalate", nil)
	h.message(wf, inst, "work", nil)
	if !inst.Ended() {
		t.Fatalf("%s", mustJSON(t, inst))
	}
}

func TestBoundaryTimerCanceledWhenActivityEnds(t *testing.T) {
	h := newHarness(t)
	wf := parseWF(t, sprintf(boundaryJSON, false))
	inst, start := h.start(wf, Trigger{})
	fx := h.message(wf, inst, "work", nil)
	if len(fx.CanceledTimers) != 1 || fx.CanceledTimers[0].ID != start.Timers[0].ID || inst.TimerInstances != nil || !inst.Ended() {
		t.Fatalf("%+v %s", fx, mustJSON(t, inst))
	}
}

func TestEmbeddedSubprocess(t *testing.T) {
	h := newHarness(t)
	wf := parseWF(t, `{"variables":[{"id":"out","type":{"name":"text"}}],
	  "activities":[{"type":"startEvent","id":"s"},
		{"type":"subProcessEmbedded","id":"sub","variables":[{"id":"local","type":{"name":"text"},"defaultValue":"in"}],
		 "activities":[{"type":"startEvent","id":"ss"},{"type":"userTask","id":"inner","taskName":"{{local}}"},
			{"type":"scriptTask","id":"copy","script":{"script":"out = local + '!'"}},{"type":"endEvent","id":"se"}],
		 "transitions":[{"fromId":"ss","toId":"inner"},{"fromId":"inner","toId":"copy"},{"fromId":"copy","toId":"se"}]},
		{"type":"userTask","id":"after"}],
	  "transitions":[{"fromId":"s","toId":"sub"},{"fromId":"sub","toId":"after"}]}`)
	inst, fx := h.start(wf, Trigger{})
	if !slices.Equal(taskIDs(fx), []string{"inner"}) || fx.Tasks[0].Name != "in" {
		t.Fatalf("inner task: %+v", fx.Tasks)
	}
	sub := inst.ActivityInstances[1]
	if sub.ActivityID != "sub" || len(sub.ActivityInstances) != 2 || len(sub.VariableInstances) != 1 {
		t.Fatalf("nesting: %s", mustJSON(t, inst))
	}
	fx = h.message(wf, inst, "inner", nil)
	if !slices.Equal(taskIDs(fx), []string{"after"}) || inst.ActivityInstances[1].Open() || varValue(inst, "out") != `"in!"` {
		t.Fatalf("after inner: %s", mustJSON(t, inst))
	}
	if _, typ := inst.Variable("local"); typ != nil {
		t.Fatal("the local variable leaked to the workflow level")
	}
}

func TestTerminateInsideSubprocessEndsOnlyIt(t *testing.T) {
	h := newHarness(t)
	wf := parseWF(t, `{"activities":[{"type":"startEvent","id":"s"},
		{"type":"subProcessEmbedded","id":"sub",
		 "activities":[{"type":"startEvent","id":"ss"},{"type":"parallelGateway","id":"f"},{"type":"userTask","id":"inner"},{"type":"endEvent","id":"stop","terminate":true}],
		 "transitions":[{"fromId":"ss","toId":"f"},{"fromId":"f","toId":"inner"},{"fromId":"f","toId":"stop"}]},
		{"type":"userTask","id":"after"}],
	  "transitions":[{"fromId":"s","toId":"sub"},{"fromId":"sub","toId":"after"}]}`)
	inst, fx := h.start(wf, Trigger{})
	if inst.Ended() || !slices.Equal(openActivities(inst), []string{"after"}) || len(fx.CanceledActivityInstances) != 1 {
		t.Fatalf("%s %+v", mustJSON(t, inst), fx)
	}
}

func TestMultiInstanceUserTask(t *testing.T) {
	for _, sequential := range []bool{false, true} {
		h := newHarness(t)
		wf := seq(t, "`variables`:[{`id`:`reviewers`,`type`:{`name`:`list`,`elementType`:{`name`:`userId`}}}]",
			sprintf("{`type`:`userTask`,`id`:`review`,`taskName`:`Review by {{reviewer}}`,`assigneeId`:{`expression`:`reviewer`},"+
				"`multiInstance`:{`sequential`:%t,`variable`:{`id`:`reviewer`,`type`:{`name`:`userId`}},`values`:[{`expression`:`reviewers`},{`value`:`u9`}]},"+
				"`timers`:[{`id`:`t`,`due`:{`duration`:1,`durationUnit`:`days`},`toTransitionIds`:[]}]}", sequential))
		inst, fx := h.start(wf, Trigger{Data: data("reviewers", `["u1","u2"]`)})
		var names []string
		for len(fx.Tasks) > 0 && !inst.Ended() {
			for _, task := range fx.Tasks {
				names = append(names, task.Name+"/"+task.AssigneeID)
			}
			if sequential && len(fx.Tasks) != 1 || !sequential && len(names) == 3 && len(fx.Tasks) != 3 {
				t.Fatalf("sequential=%v: %d tasks at once", sequential, len(fx.Tasks))
			}
			var next *Effects
			for _, task := range fx.Tasks {
				f, err := h.e.Message(wf, inst, task.ActivityInstanceID, nil)
				if err != nil {
					t.Fatal(err)
				}
				if len(f.Tasks) > 0 {
					next = f
				}
				if len(fx.Timers) > 0 && inst.Ended() && len(f.CanceledTimers) != 1 {
					t.Fatalf("container timer not canceled: %+v", f)
				}
			}
			fx = next
			if fx == nil {
				break
			}
		}
		if !inst.Ended() || !slices.Equal(names, []string{"Review by u1/u1", "Review by u2/u2", "Review by u9/u9"}) {
			t.Fatalf("sequential=%v: %v %s", sequential, names, mustJSON(t, inst))
		}
		if inst.TimerInstances != nil {
			t.Fatalf("the container's boundary timer should be gone: %+v", inst.TimerInstances)
		}
		if c := inst.ActivityInstances[1]; len(c.ActivityInstances) != 3 || c.Open() {
			t.Fatalf("container: %s", mustJSON(t, c))
		}
	}
}

func TestMultiInstanceWithoutValuesSkips(t *testing.T) {
	h := newHarness(t)
	wf := seq(t, "", "{`type`:`userTask`,`id`:`u`,`multiInstance`:{`variable`:{`id`:`x`},`values`:[{`expression`:`nothing`}]}}")
	if inst, _ := h.start(wf, Trigger{}); !inst.Ended() {
		t.Fatalf("%s", mustJSON(t, inst))
	}
}

func TestFormTrigger(t *testing.T) {
	h := newHarness(t)
	wf := seq(t, "`variables`:[{`id`:`days`,`type`:{`name`:`number`}},{`id`:`note`,`type`:{`name`:`text`},`defaultValue`:`none`},{`id`:`extra`}],"+
		"`trigger`:{`type`:`form`,`outputs`:{`x`:`extra`},`form`:{`fields`:[{`binding`:{`expression`:`days`},`required`:true},"+
		"{`id`:`n`,`binding`:{`expression`:`note`}},{`id`:`ro`,`readOnly`:true,`binding`:{`expression`:`extra`}}]}}",
		"{`type`:`userTask`,`id`:`u`}")
	sf := StartForm(wf)
	if got := mustJSON(t, sf); got != `{"fields":[{"id":"days","type":{"name":"number"},"required":true},{"id":"n","type":{"name":"text"},"value":"none"},{"id":"ro","readOnly":true}]}` {
		t.Fatalf("start form: %s", got)
	}
	form := `{"value":{"fields":[{"id":"days","value":"4"},{"id":"n","value":"hi"},{"id":"ro","value":"no"},{"id":"zzz","value":1}]}}`
	inst, fx := h.start(wf, Trigger{Data: data("formInstance", form, "x", `"mapped"`)})
	if varValue(inst, "days") != "4" || varValue(inst, "note") != `"hi"` || varValue(inst, "extra") != `"mapped"` || varValue(inst, "zzz") != "" {
		t.Fatalf("variables: %s", mustJSON(t, inst.VariableInstances))
	}
	if len(fx.VariableChanges) != 3 {
		t.Fatalf("changes: %s", mustJSON(t, fx.VariableChanges))
	}
	_, _, err := h.e.Start(wf, "", Trigger{Data: data("formInstance", `{"fields":[{"id":"n","value":"x"}]}`)})
	var ve *ValueError
	if !errors.As(err, &ve) || ve.Field != "days" {
		t.Fatalf("required start field: %v", err)
	}
	_, _, err = h.e.Start(wf, "", Trigger{Data: data("formInstance", `{"fields":[{"id":"days","value":"many"}]}`)})
	if !errors.As(err, &ve) || ve.Field != "days" {
		t.Fatalf("bad start field: %v", err)
	}
}

func TestFormInstanceOfWaitingTask(t *testing.T) {
	h := newHarness(t)
	wf := seq(t, "`variables`:[{`id`:`v`,`type`:{`name`:`text`}}]",
		"{`type`:`userTask`,`id`:`u`,`form`:{`fields`:[{`binding`:{`expression`:`v`}},{`id`:`shown`,`binding`:{`template`:`v is {{v}}`}}]}}")
	inst, _ := h.start(wf, Trigger{Data: data("v", `"a"`)})
	ai := waitingAt(inst, "u")
	fi, err := inst.FormInstance(wf, ai.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got := mustJSON(t, fi); got != `{"fields":[{"id":"v","type":{"name":"text"},"value":"a"},{"id":"shown","readOnly":true,"value":"v is a"}]}` {
		t.Fatalf("form: %s", got)
	}
	if _, err := inst.FormInstance(wf, "nope"); !errors.Is(err, ErrUnknownActivityInstance) {
		t.Fatal(err)
	}
}

// A failed operation leaves the instance byte-identical.
func TestAtomicity(t *testing.T) {
	h := newHarness(t)
	wf := parseWF(t, `{"variables":[{"id":"n","type":{"name":"number"}},{"id":"m","type":{"name":"number"}}],
	  "activities":[{"type":"startEvent","id":"s"},{"type":"receiveTask","id":"r"},{"type":"parallelGateway","id":"f"},
		{"type":"userTask","id":"u"},{"type":"scriptTask","id":"div","script":{"script":"m = 1 / n"}}],
	  "transitions":[{"fromId":"s","toId":"r"},{"fromId":"r","toId":"f"},{"fromId":"f","toId":"u"},{"fromId":"f","toId":"div"}]}`)
	inst, _ := h.start(wf, Trigger{Data: data("n", "0")})
	before := mustJSON(t, inst)
	ai := waitingAt(inst, "r")
	// A bad value: a ValueError.
	if _, err := h.e.Message(wf, inst, ai.ID, data("a", "1", "n", `"x"`)); err == nil {
		t.Fatal("want an error")
	}
	// A good value that makes the script divide by zero after the task
	// was created and the variable written: a ScriptError.
	var se *ScriptError
	if _, err := h.e.Message(wf, inst, ai.ID, data("a", "1")); !errors.As(err, &se) {
		t.Fatalf("want a script error, got %v", err)
	}
	if after := mustJSON(t, inst); after != before {
		t.Fatalf("instance changed:\n%s\n%s", before, after)
	}
	h.message(wf, inst, "r", data("n", "4"))
	if varValue(inst, "m") != "0.25" {
		t.Fatalf("%s", mustJSON(t, inst))
	}
}

func TestWorkflowMismatch(t *testing.T) {
	h := newHarness(t)
	wf := seq(t, "", "{`type`:`userTask`,`id`:`u`}")
	inst, _ := h.start(wf, Trigger{})
	other := seq(t, "", "{`type`:`userTask`,`id`:`v`}")
	if _, err := h.e.Message(other, inst, waitingAt(inst, "u").ID, nil); !errors.Is(err, ErrWorkflowMismatch) {
		t.Fatalf("%v", err)
	}
}

func TestSaveFormField(t *testing.T) {
	h := newHarness(t)
	wf := seq(t, "`variables`:[{`id`:`n`,`type`:{`name`:`number`}},{`id`:`m`}]",
		"{`type`:`userTask`,`id`:`u`,`form`:{`fields`:[{`id`:`f`,`key`:`fk`,`binding`:{`expression`:`n`},`required`:true},{`id`:`ro`,`readOnly`:true,`binding`:{`expression`:`m`}}]}}")
	inst, _ := h.start(wf, Trigger{})
	ai := waitingAt(inst, "u").ID
	fx, err := h.e.SaveFormField(wf, inst, ai, "fk", raw("7"))
	if err != nil || varValue(inst, "n") != "7" || len(fx.VariableChanges) != 1 || waitingAt(inst, "u") == nil {
		t.Fatalf("save: %v %+v %s", err, fx, mustJSON(t, inst))
	}
	var ve *ValueError
	for _, c := range []struct{ field, value, want string }{
		{"f", `"x"`, "f: number expected"},
		{"ro", `1`, "ro: the field is read-only"},
		{"zz", `1`, "zz: the form has no such field"},
	} {
		if _, err := h.e.SaveFormField(wf, inst, ai, c.field, raw(c.value)); !errors.As(err, &ve) || !strings.HasPrefix(err.Error(), c.want) {
			t.Errorf("%s: %v", c.field, err)
		}
	}
	if _, err := h.e.SaveFormField(wf, inst, "1", "f", raw("1")); !errors.Is(err, ErrNotWaiting) {
		t.Errorf("start event: %v", err)
	}
	h.message(wf, inst, "u", nil) // the saved value satisfies the required field
	if !inst.Ended() {
		t.Fatal("should end")
	}
}
