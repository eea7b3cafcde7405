package e2e

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

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
