package engine

import (
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
)

func TestPassThroughEndsAtOnce(t *testing.T) {
	h := newHarness(t)
	wf := seq(t, "", "{`type`:`task`,`id`:`a`}", "{`type`:`somethingNew`,`id`:`b`}")
	wf.Activities[2].Type = "task" // validation rejects unknown types; see TestValidate
	inst, fx := h.start(wf, Trigger{BusinessKey: "bk", CreatorID: "u1"})
	if !inst.Ended() || !fx.Ended || inst.EndState != "" {
		t.Fatalf("instance should have ended: %+v", inst)
	}
	if got := openActivities(inst); len(got) != 0 {
		t.Fatalf("open: %v", got)
	}
	if executed(inst, "end") != 1 || executed(inst, "a") != 1 {
		t.Fatalf("activities not executed once: %s", mustJSON(t, inst))
	}
	if inst.ID != "id1" || inst.WorkflowID != "wf" || inst.BusinessKey != "bk" || inst.CreatorID != "u1" {
		t.Fatalf("instance fields: %+v", inst)
	}
}

func TestInstanceJSONShape(t *testing.T) {
	h := newHarness(t)
	wf := seq(t, "`enableCases`:true,`variables`:[{`id`:`n`,`type`:{`name`:`number`},`defaultValue`:2}]",
		"{`type`:`userTask`,`id`:`approve`,`name`:`Approve`}")
	inst, _ := h.start(wf, Trigger{})
	h.now = h.now.Add(1500 * 1e6)
	h.message(wf, inst, "approve", nil)
	got := mustJSON(t, inst.Public())
	want := `{"id":"id1","workflowId":"wf","caseId":"id1","start":"2024-03-01T09:30:00.000Z","end":"2024-03-01T09:30:01.500Z","duration":1500,` +
		`"activityInstances":[{"id":"1","activityId":"start","start":"2024-03-01T09:30:00.000Z","end":"2024-03-01T09:30:00.000Z","duration":0},` +
		`{"id":"2","activityId":"approve","start":"2024-03-01T09:30:00.000Z","end":"2024-03-01T09:30:01.500Z","duration":1500},` +
		`{"id":"3","activityId":"end","start":"2024-03-01T09:30:01.500Z","end":"2024-03-01T09:30:01.500Z","duration":0}],` +
		`"variableInstances":[{"id":"1","variableId":"n","type":{"name":"number"},"value":2}]}`
	if got != want {
		t.Fatalf("public JSON\n got %s\nwant %s", got, want)
	}
	// The stored form round-trips.
	stored := mustJSON(t, inst)
	var back Instance
	if err := json.Unmarshal([]byte(stored), &back); err != nil {
		t.Fatal(err)
	}
	if again := mustJSON(t, &back); again != stored {
		t.Fatalf("round trip differs:\n%s\n%s", stored, again)
	}
}

func TestUserTaskRequest(t *testing.T) {
	h := newHarness(t)
	wf := seq(t, "`variables`:[{`id`:`days`,`name`:`Days`,`type`:{`name`:`number`}},"+
		"{`id`:`decision`,`type`:{`name`:`choice`,`options`:[{`id`:`ok`},{`id`:`no`}]}},"+
		"{`id`:`boss`,`type`:{`name`:`userId`,`candidateIds`:[`u7`],`candidateGroupIds`:[`managers`]}}]",
		"{`type`:`userTask`,`id`:`approve`,`name`:`Approve`,`taskName`:`Approve {{days}} days`,`description`:`for {{missing}}`,"+
			"`assigneeId`:{`expression`:`boss`},`candidateIds`:[{`value`:`u8`,`type`:{`name`:`userId`}},{`value`:`u7`}],"+
			"`duedate`:{`duration`:2,`durationUnit`:`days`},"+
			"`form`:{`description`:`Please decide`,`fields`:[{`binding`:{`expression`:`days`},`readOnly`:true},"+
			"{`id`:`d`,`key`:`dk`,`binding`:{`expression`:`decision`},`required`:true,`asButtons`:true,`properties`:{`hint`:`pick one`},`width`:2}]}}")
	inst, fx := h.start(wf, Trigger{Data: data("days", `{"value":3,"type":{"name":"number"}}`)})
	if len(fx.Tasks) != 1 {
		t.Fatalf("tasks: %+v", fx.Tasks)
	}
	task := fx.Tasks[0]
	if task.Name != "Approve 3 days" || task.Description != "for " || task.RoleVariableID != "boss" || task.AssigneeID != "" {
		t.Fatalf("task: %+v", task)
	}
	if !slices.Equal(task.CandidateIDs, []string{"u7", "u8"}) || !slices.Equal(task.CandidateGroupIDs, []string{"managers"}) {
		t.Fatalf("candidates: %+v", task)
	}
	if task.DueDate == nil || task.DueDate.Format("2006-01-02T15:04:05.000") != "2024-03-03T23:59:59.999" {
		t.Fatalf("due date %v", task.DueDate)
	}
	form := mustJSON(t, task.Form)
	want := `{"description":"Please decide","fields":[{"id":"days","name":"Days","type":{"name":"number"},"readOnly":true,"value":3},` +
		`{"id":"d","key":"dk","type":{"name":"choice","options":[{"id":"ok"},{"id":"no"}]},"required":true,"asButtons":true,"properties":{"hint":"pick one","width":2}}]}`
	if form != want {
		t.Fatalf("form\n got %s\nwant %s", form, want)
	}
	ai := waitingAt(inst, "approve")
	// Required field missing: a ValueError, nothing changes.
	before := mustJSON(t, inst)
	_, err := h.e.Message(wf, inst, ai.ID, data("days", "9"))
	var ve *ValueError
	if !errors.As(err, &ve) || ve.Field != "d" {
		t.Fatalf("want required error on d, got %v", err)
	}
	// A bad choice.
	_, err = h.e.Message(wf, inst, ai.ID, data("d", `"maybe"`))
	if !errors.As(err, &ve) || !strings.Contains(ve.Error(), "not an option") {
		t.Fatalf("want option error, got %v", err)
	}
	if after := mustJSON(t, inst); after != before {
		t.Fatalf("failed messages changed the instance:\n%s\n%s", before, after)
	}
	// The read-only field is not written; the key works as the id.
	fx, err = h.e.Message(wf, inst, ai.ID, data("days", "9", "dk", `"ok"`))
	if err != nil {
		t.Fatal(err)
	}
	if varValue(inst, "days") != "3" || varValue(inst, "decision") != `"ok"` || !inst.Ended() {
		t.Fatalf("after completion: %s", mustJSON(t, inst))
	}
	if len(fx.VariableChanges) != 1 || fx.VariableChanges[0].VariableID != "decision" || string(fx.VariableChanges[0].New) != `"ok"` {
		t.Fatalf("changes: %+v", fx.VariableChanges)
	}
	// Completing again: not waiting.
	if _, err := h.e.Message(wf, inst, ai.ID, nil); !errors.Is(err, ErrNotWaiting) {
		t.Fatalf("second completion: %v", err)
	}
	if _, err := h.e.Message(wf, inst, "nope", nil); !errors.Is(err, ErrUnknownActivityInstance) {
		t.Fatalf("unknown: %v", err)
	}
}

func TestSingleCandidateBecomesAssignee(t *testing.T) {
	h := newHarness(t)
	wf := seq(t, "`variables`:[{`id`:`owner`,`type`:{`name`:`userId`,`candidateIds`:[`u1`]}}]",
		"{`type`:`userTask`,`id`:`do`,`assigneeId`:{`expression`:`owner`}}")
	inst, fx := h.start(wf, Trigger{})
	if fx.Tasks[0].AssigneeID != "u1" || fx.Tasks[0].Name != "do" || varValue(inst, "owner") != `"u1"` {
		t.Fatalf("task %+v, owner %s", fx.Tasks[0], varValue(inst, "owner"))
	}
}

func TestEmailTask(t *testing.T) {
	h := newHarness(t)
	wf := seq(t, "`variables`:[{`id`:`who`,`type`:{`name`:`text`}},{`id`:`tags`,`type`:{`name`:`list`,`elementType`:{`name`:`emailAddress`}}}]",
		"{`type`:`email`,`id`:`mail`,`fromEmailAddress`:{`value`:`bot@x.org`},`toEmailAddresses`:[{`expression`:`tags`},{`value`:`a@x.org`}],"+
			"`toUserIds`:[{`value`:`u1`}],`ccGroupIds`:[{`value`:`g1`}],`subject`:`Hi {{who}}`,`bodyText`:`Dear {{who}}`,`bodyHtml`:`<b>{{who}}</b>`,"+
			"`attachmentFileIds`:[{`value`:`f1`}]}")
	inst, fx := h.start(wf, Trigger{Data: data("who", `"<Ann>"`, "tags", `["a@x.org","b@x.org"]`)})
	if !inst.Ended() || len(fx.Emails) != 1 {
		t.Fatalf("email: %+v", fx)
	}
	got := mustJSON(t, fx.Emails[0])
	want := `{"activityInstanceId":"2","activityId":"mail","from":"bot@x.org","to":{"emailAddresses":["a@x.org","b@x.org"],"userIds":["u1"]},` +
		`"cc":{"groupIds":["g1"]},"bcc":{},"subject":"Hi <Ann>","bodyText":"Dear <Ann>","bodyHtml":"<b>&lt;Ann&gt;</b>","attachmentFileIds":["f1"]}`
	if got != want {
		t.Fatalf("email\n got %s\nwant %s", got, want)
	}
}

func TestServiceTaskWaitsForItsEnd(t *testing.T) {
	h := newHarness(t)
	wf := seq(t, "`variables`:[{`id`:`amount`,`type`:{`name`:`number`}},{`id`:`ok`,`type`:{`name`:`boolean`}}]",
		"{`type`:`serviceTask`,`id`:`svc`,`serviceKey`:`crm`,`actionKey`:`check`,`configuration`:{`url`:`x`},"+
			"`inputBindings`:{`sum`:{`expression`:`amount`},`none`:{`expression`:`nothing`},`fixed`:{`value`:1}},`outputBindings`:{`approved`:`ok`}}")
	inst, fx := h.start(wf, Trigger{Data: data("amount", "12.5")})
	if len(fx.ServiceActions) != 1 || inst.Ended() {
		t.Fatalf("service actions: %+v", fx)
	}
	if got := mustJSON(t, fx.ServiceActions[0]); got != `{"activityInstanceId":"2","activityId":"svc","serviceKey":"crm","actionKey":"check","configuration":{"url":"x"},"inputValues":{"fixed":1,"sum":12.5}}` {
		t.Fatalf("action: %s", got)
	}
	ai := waitingAt(inst, "svc")
	if _, err := h.e.Message(wf, inst, ai.ID, data("approved", `"yes"`)); err == nil {
		t.Fatal("a text for a boolean should fail")
	}
	h.message(wf, inst, "svc", data("approved", "true", "ignored", "1"))
	if varValue(inst, "ok") != "true" || varValue(inst, "ignored") != "" || !inst.Ended() {
		t.Fatalf("after end: %s", mustJSON(t, inst))
	}
}

func TestReceiveTaskWritesMessageValues(t *testing.T) {
	h := newHarness(t)
	wf := seq(t, "", "{`type`:`receiveTask`,`id`:`recv`}")
	inst, _ := h.start(wf, Trigger{})
	h.message(wf, inst, "recv", data("order", `{"value":"42","type":{"name":"text"}}`, "qty", "3"))
	if varValue(inst, "order") != `"42"` || varValue(inst, "qty") != "3" || !inst.Ended() {
		t.Fatalf("%s", mustJSON(t, inst))
	}
	_, typ := inst.Variable("qty")
	if typ == nil || typ.Name != "number" {
		t.Fatalf("inferred type %+v", typ)
	}
}

func TestScriptTask(t *testing.T) {
	h := newHarness(t)
	wf := seq(t, "`variables`:[{`id`:`price`,`type`:{`name`:`number`}},{`id`:`total`,`type`:{`name`:`number`}},{`id`:`label`,`type`:{`name`:`text`}}]",
		"{`type`:`scriptTask`,`id`:`calc`,`script`:{`script`:`# compute\\nt = price * 2 + 1\\nlabel = \\`Total: \\` + t\\n`,`mappings`:{`t`:`total`}}}")
	inst, fx := h.start(wf, Trigger{Data: data("price", "20")})
	if varValue(inst, "total") != "41" || varValue(inst, "label") != `"Total: 41"` || !inst.Ended() {
		t.Fatalf("%s", mustJSON(t, inst))
	}
	if len(fx.VariableChanges) != 3 {
		t.Fatalf("changes %+v", fx.VariableChanges)
	}
	// A type error from a script is a ScriptError and nothing starts.
	bad := seq(t, "`variables`:[{`id`:`n`,`type`:{`name`:`number`}}]",
		"{`type`:`scriptTask`,`id`:`calc`,`script`:{`script`:`n = \\`x\\``}}")
	_, _, err := h.e.Start(bad, "", Trigger{})
	var se *ScriptError
	if !errors.As(err, &se) || se.ActivityID != "calc" {
		t.Fatalf("want script error, got %v", err)
	}
}

func TestTerminateEndEvent(t *testing.T) {
	h := newHarness(t)
	wf := parseWF(t, `{"activities":[{"type":"startEvent","id":"s"},{"type":"parallelGateway","id":"fork"},
		{"type":"userTask","id":"wait","timers":[{"id":"late","due":{"duration":1,"durationUnit":"hours"}}]},
		{"type":"endEvent","id":"kill","terminate":true},{"type":"endEvent","id":"e"}],
		"transitions":[{"id":"a","fromId":"s","toId":"fork"},{"id":"b","fromId":"fork","toId":"wait"},{"id":"c","fromId":"fork","toId":"kill"},
		{"id":"d","fromId":"wait","toId":"e"}]}`)
	inst, fx := h.start(wf, Trigger{})
	if !inst.Ended() || inst.EndState != "" {
		t.Fatalf("terminate should end the instance: %s", mustJSON(t, inst))
	}
	// The user task was reached and canceled in the same step: its task
	// and timer are created and canceled, so the effects drop both the
	// timer and report the activity instance.
	if len(fx.Timers) != 0 || len(fx.CanceledTimers) != 0 {
		t.Fatalf("timers: %+v / %+v", fx.Timers, fx.CanceledTimers)
	}
	if len(fx.CanceledActivityInstances) != 1 || fx.CanceledActivityInstances[0].ActivityID != "wait" {
		t.Fatalf("canceled: %+v", fx.CanceledActivityInstances)
	}
	if ai := inst.ActivityInstances[2]; ai.ActivityID != "wait" || ai.EndState != EndCanceled {
		t.Fatalf("wait instance: %+v", ai)
	}
}

func TestCancel(t *testing.T) {
	h := newHarness(t)
	wf := parseWF(t, `{"activities":[{"type":"startEvent","id":"s"},{"type":"parallelGateway","id":"fork"},
		{"type":"userTask","id":"u"},{"type":"call","id":"c","subWorkflowId":"sub"},{"type":"timerEvent","id":"tm","due":{"duration":5,"durationUnit":"minutes"}}],
		"transitions":[{"fromId":"s","toId":"fork"},{"fromId":"fork","toId":"u"},{"fromId":"fork","toId":"c"},{"fromId":"fork","toId":"tm"}]}`)
	inst, fx := h.start(wf, Trigger{})
	if len(fx.Timers) != 1 || len(fx.SubWorkflows) != 1 || len(fx.Tasks) != 1 {
		t.Fatalf("start effects: %+v", fx)
	}
	if err := inst.SetCalledWorkflowInstance(waitingAt(inst, "c").ID, "sub-1"); err != nil {
		t.Fatal(err)
	}
	fx, err := h.e.Cancel(wf, inst)
	if err != nil {
		t.Fatal(err)
	}
	if inst.EndState != EndCanceled || !fx.Ended || len(fx.CanceledActivityInstances) != 3 || len(fx.CanceledTimers) != 1 || inst.TimerInstances != nil {
		t.Fatalf("cancel: %+v\n%s", fx, mustJSON(t, inst))
	}
	if c := fx.CanceledActivityInstances[1]; c.ActivityType != "call" || c.CalledWorkflowInstanceID != "sub-1" {
		t.Fatalf("canceled call: %+v", c)
	}
	if _, err := h.e.Cancel(wf, inst); !errors.Is(err, ErrEnded) {
		t.Fatalf("second cancel: %v", err)
	}
}

func TestDeterministic(t *testing.T) {
	wf := parseWF(t, benchWorkflowJSON)
	runOnce := func() string {
		h := newHarness(t)
		inst, _ := h.start(wf, Trigger{Data: data("b", "1", "a", `"x"`, "c", "true")})
		h.message(wf, inst, "review", data("decision", `"approve"`))
		return mustJSON(t, inst)
	}
	if a, b := runOnce(), runOnce(); a != b {
		t.Fatalf("runs differ:\n%s\n%s", a, b)
	}
}

func TestStartErrors(t *testing.T) {
	h := newHarness(t)
	wf := seq(t, "`variables`:[{`id`:`n`,`type`:{`name`:`number`}}]", "{`type`:`userTask`,`id`:`u`}")
	_, _, err := h.e.Start(wf, "", Trigger{Data: data("n", `"abc"`)})
	var ve *ValueError
	if !errors.As(err, &ve) || ve.Field != "n" || ve.Type != "number" {
		t.Fatalf("bad data: %v", err)
	}
	_, _, err = h.e.Start(wf, "", Trigger{StartActivityIDs: []string{"nope"}})
	if !errors.As(err, &ve) || ve.Field != "startActivityIds" {
		t.Fatalf("bad start activity: %v", err)
	}
	inst, fx := h.start(wf, Trigger{StartActivityIDs: []string{"u"}})
	if len(fx.Tasks) != 1 || executed(inst, "start") != 0 {
		t.Fatalf("start at u: %s", mustJSON(t, inst))
	}
	wf.Activities[1].Type = "mystery"
	_, _, err = h.e.Start(wf, "", Trigger{})
	var iw *InvalidWorkflowError
	if !errors.As(err, &iw) || !strings.Contains(err.Error(), "mystery") {
		t.Fatalf("invalid workflow: %v", err)
	}
}

func TestEmptyWorkflowEndsImmediately(t *testing.T) {
	h := newHarness(t)
	inst, fx := h.start(parseWF(t, `{"id":"w"}`), Trigger{})
	if !inst.Ended() || !fx.Ended {
		t.Fatal("an empty workflow should end at once")
	}
}

func TestRunawayLoop(t *testing.T) {
	h := newHarness(t)
	wf := parseWF(t, `{"activities":[{"type":"startEvent","id":"s"},{"type":"task","id":"a"},{"type":"task","id":"b"}],
		"transitions":[{"fromId":"s","toId":"a"},{"fromId":"a","toId":"b"},{"fromId":"b","toId":"a"}]}`)
	if _, _, err := h.e.Start(wf, "", Trigger{}); !errors.Is(err, ErrRunaway) {
		t.Fatalf("want ErrRunaway, got %v", err)
	}
}
