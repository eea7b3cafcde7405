package e2e

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"
)

// runScheduled invokes the scheduled function once, as EventBridge does.
func runScheduled(t testing.TB) string {
	t.Helper()
	out, err := stack.Invoke(context.Background(), "timers", []byte(`{"detail-type":"Scheduled Event","source":"aws.events","detail":{}}`))
	if err != nil {
		t.Fatalf("invoke the timers function: %v", err)
	}
	return string(out)
}

func TestTimerAndEmailTasks(t *testing.T) {
	a := signUp(t, "Timers And Mail")
	org := "/api/v1/" + a.OrgKey
	to := uniqueEmail("notify")
	wf := fmt.Sprintf(`{
	  "name": "Reminder", "enableCases": true,
	  "variables": [{"id": "topic", "type": {"name": "text"}}],
	  "activities": [
	    {"type": "startEvent", "id": "start"},
	    {"type": "timerEvent", "id": "wait", "due": {"type": "after", "duration": 0, "durationUnit": "minutes"}},
	    {"type": "email", "id": "mail", "toEmailAddresses": [{"value": %q}], "subject": "About {{topic}}", "bodyText": "Remember {{topic}}."},
	    {"type": "userTask", "id": "after", "name": "After the mail"},
	    {"type": "endEvent", "id": "end"}
	  ],
	  "transitions": [
	    {"fromId": "start", "toId": "wait"}, {"fromId": "wait", "toId": "mail"},
	    {"fromId": "mail", "toId": "after"}, {"fromId": "after", "toId": "end"}
	  ]}`, to)
	wfID := publish(t, a, wf)
	inst := expect(t, call(t, "POST", org+"/engine/workflow/instances", a.Token, map[string]any{"sourceWorkflowId": wfID, "data": map[string]any{"topic": "the milk"}}), http.StatusOK).JSON(t)
	caseID := inst["caseId"].(string)
	if len(openTasks(t, a, caseID)) != 0 || len(mailsTo(t, to)) != 0 {
		t.Fatal("the instance did not wait for its timer")
	}
	if ti, _ := inst["timerInstances"].([]any); len(ti) != 1 {
		t.Fatalf("timer instances: %v", inst)
	}
	time.Sleep(5 * time.Millisecond)
	out := runScheduled(t)
	if !strings.Contains(out, `"timersFired":1`) {
		t.Fatalf("scheduled run: %s", out)
	}
	mails := mailsTo(t, to)
	if len(mails) != 1 || mails[0].Subject != "About the milk" || !strings.Contains(mails[0].Body.Text, "Remember the milk.") {
		t.Fatalf("mails: %+v", mails)
	}
	if open := openTasks(t, a, caseID); open["After the mail"] == nil {
		t.Fatalf("tasks after the timer: %v", open)
	}
	// A second run finds nothing to do: the timer fired once.
	if out := runScheduled(t); !strings.Contains(out, `"timersFired":0`) {
		t.Fatalf("second scheduled run: %s", out)
	}
	if len(mailsTo(t, to)) != 1 {
		t.Fatal("the mail was sent twice")
	}
}

func TestCallActivityRunsASubWorkflow(t *testing.T) {
	a := signUp(t, "Call Activities")
	org := "/api/v1/" + a.OrgKey
	child := publish(t, a, `{
	  "name": "Child",
	  "variables": [{"id": "input", "type": {"name": "text"}}, {"id": "answer", "type": {"name": "text"}}],
	  "activities": [
	    {"type": "startEvent", "id": "s"},
	    {"type": "userTask", "id": "answerIt", "taskName": "Answer {{input}}",
	     "form": {"fields": [{"id": "answer", "binding": {"expression": "answer"}, "required": true}]}},
	    {"type": "endEvent", "id": "e"}
	  ],
	  "transitions": [{"fromId": "s", "toId": "answerIt"}, {"fromId": "answerIt", "toId": "e"}]}`)
	parent := publish(t, a, fmt.Sprintf(`{
	  "name": "Parent", "enableCases": true,
	  "variables": [{"id": "question", "type": {"name": "text"}}, {"id": "reply", "type": {"name": "text"}}],
	  "activities": [
	    {"type": "startEvent", "id": "s"},
	    {"type": "call", "id": "ask", "subWorkflowSource": %q,
	     "inputBindings": {"input": {"expression": "question"}}, "outputBindings": {"answer": "reply"}},
	    {"type": "userTask", "id": "read", "taskName": "Read {{reply}}"},
	    {"type": "endEvent", "id": "e"}
	  ],
	  "transitions": [{"fromId": "s", "toId": "ask"}, {"fromId": "ask", "toId": "read"}, {"fromId": "read", "toId": "e"}]}`, child))
	inst := expect(t, call(t, "POST", org+"/engine/workflow/instances", a.Token, map[string]any{"sourceWorkflowId": parent, "data": map[string]any{"question": "why"}}), http.StatusOK).JSON(t)
	caseID := inst["caseId"].(string)
	ais := inst["activityInstances"].([]any)
	if called := ais[len(ais)-1].(map[string]any)["calledWorkflowInstanceId"]; called == nil {
		t.Fatalf("the call activity has no called instance: %v", inst)
	}
	var tasks []map[string]any
	decodeJSON(t, expect(t, call(t, "GET", org+"/tasks?involvement=created", a.Token, nil), http.StatusOK).Body, &tasks)
	if len(tasks) != 1 || tasks[0]["name"] != "Answer why" || tasks[0]["caseId"] != caseID {
		t.Fatalf("the child's task: %v", tasks)
	}
	expect(t, call(t, "POST", org+"/tasks/"+tasks[0]["id"].(string)+"/complete", a.Token, []any{map[string]any{"id": "answer", "value": "because"}}), http.StatusOK)
	if open := openTasks(t, a, caseID); open["Read because"] == nil {
		t.Fatalf("the parent did not go on with the child's answer: %v", open)
	}
}
