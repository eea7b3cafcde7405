package e2e

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/effektif-serverless/caseflow/infra/local"
)

// TestInvokeAPIReachesTheRunningStack: `make invoke` reaches a running
// stack through its Lambda Invoke API (local run serves it): a due timer
// of this stack's data fires when the scheduled function is invoked
// through it, by logical ID or folder name.
func TestInvokeAPIReachesTheRunningStack(t *testing.T) {
	srv := httptest.NewServer(local.InvokeHandler(stack))
	defer srv.Close()
	addr := srv.Listener.Addr().String()

	a := signUp(t, "Invoke API")
	wf := `{"name": "Wait", "enableCases": true, "activities": [
	    {"type": "startEvent", "id": "start"},
	    {"type": "timerEvent", "id": "wait", "due": {"type": "after", "duration": 0, "durationUnit": "minutes"}},
	    {"type": "userTask", "id": "after", "name": "After the wait"},
	    {"type": "endEvent", "id": "end"}],
	  "transitions": [{"fromId": "start", "toId": "wait"}, {"fromId": "wait", "toId": "after"}, {"fromId": "after", "toId": "end"}]}`
	inst := expect(t, call(t, "POST", "/api/v1/"+a.OrgKey+"/engine/workflow/instances", a.Token, map[string]any{"sourceWorkflowId": publish(t, a, wf)}), http.StatusOK).JSON(t)
	caseID := inst["caseId"].(string)
	if tasks := openTasks(t, a, caseID); len(tasks) != 0 {
		t.Fatalf("a task before the timer fired: %v", tasks)
	}
	event := []byte(`{"detail-type":"Scheduled Event","source":"aws.events","detail":{}}`)
	for _, name := range []string{"timers", "TimersFunction"} {
		if _, err := local.InvokeRunning(context.Background(), addr, name, event); err != nil {
			t.Fatalf("invoke %s through the Invoke API: %v", name, err)
		}
	}
	if _, ok := openTasks(t, a, caseID)["After the wait"]; !ok {
		t.Errorf("the timer did not fire through the Invoke API: %v", openTasks(t, a, caseID))
	}
	if _, err := local.InvokeRunning(context.Background(), addr, "NoSuchFunction", event); err == nil || !strings.Contains(err.Error(), "404") {
		t.Errorf("an unknown function: %v", err)
	}
}

// TestBoundaryTimerFiresUnderTheSchedules: with the template's Schedule
// events running on the stack (as make run runs them; here every second
// instead of every minute), a due boundary timer of a waiting user task
// fires without anyone invoking the scheduled function: the task is
// canceled and the escalation task opens.
func TestBoundaryTimerFiresUnderTheSchedules(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = stack.RunSchedulesEvery(ctx, io.Discard, time.Second)
	}()
	defer func() { cancel(); <-done }()

	a := signUp(t, "Scheduled Boundary")
	wf := `{"name": "Escalating", "enableCases": true, "activities": [
	    {"type": "startEvent", "id": "start"},
	    {"type": "userTask", "id": "work", "name": "Work",
	     "timers": [{"id": "late", "due": {"type": "after", "duration": 0, "durationUnit": "minutes"}, "toTransitionIds": ["escalation"]}]},
	    {"type": "userTask", "id": "escalate", "name": "Escalated"},
	    {"type": "endEvent", "id": "end"}],
	  "transitions": [{"fromId": "start", "toId": "work"}, {"fromId": "work", "toId": "end"},
	    {"id": "escalation", "fromId": "work", "toId": "escalate"}, {"fromId": "escalate", "toId": "end"}]}`
	inst := expect(t, call(t, "POST", "/api/v1/"+a.OrgKey+"/engine/workflow/instances", a.Token, map[string]any{"sourceWorkflowId": publish(t, a, wf)}), http.StatusOK).JSON(t)
	caseID := inst["caseId"].(string)
	deadline := time.Now().Add(30 * time.Second)
	for {
		tasks := openTasks(t, a, caseID)
		if _, ok := tasks["Escalated"]; ok {
			if _, still := tasks["Work"]; still {
				t.Errorf("the interrupted task is still open: %v", tasks)
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the boundary timer did not fire under the schedules: %v", tasks)
		}
		time.Sleep(250 * time.Millisecond)
	}
}
