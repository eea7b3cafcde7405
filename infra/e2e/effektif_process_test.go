package e2e

import (
	"net/http"
	"strings"
	"sync"
	"testing"
)

// approvalWorkflow: start -> review (user task with a form) -> gateway on
// the decision -> parallel split into pay and file -> join -> end; a
// rejection ends at once.
const approvalWorkflow = `{
  "name": "Expense approval",
  "enableCases": true,
  "variables": [
    {"id": "amount", "type": {"name": "number"}},
    {"id": "decision", "type": {"name": "choice", "options": [{"id": "ok", "name": "Approve"}, {"id": "no", "name": "Reject"}]}}
  ],
  "trigger": {"type": "form", "form": {"fields": [{"id": "amount", "binding": {"expression": "amount"}, "required": true}]}},
  "activities": [
    {"type": "startEvent", "id": "start"},
    {"type": "userTask", "id": "review", "name": "Review", "taskName": "Review {{amount}} EUR",
     "form": {"fields": [{"id": "amount", "binding": {"expression": "amount"}, "readOnly": true},
                         {"id": "decision", "binding": {"expression": "decision"}, "required": true, "asButtons": true}]}},
    {"type": "exclusiveGateway", "id": "decided", "defaultTransitionId": "rejected"},
    {"type": "parallelGateway", "id": "split"},
    {"type": "userTask", "id": "pay", "name": "Pay"},
    {"type": "userTask", "id": "file", "name": "File"},
    {"type": "parallelGateway", "id": "join"},
    {"type": "endEvent", "id": "end"}
  ],
  "transitions": [
    {"id": "t1", "fromId": "start", "toId": "review"},
    {"id": "t2", "fromId": "review", "toId": "decided"},
    {"id": "approved", "fromId": "decided", "toId": "split",
     "condition": {"type": "equals", "left": {"expression": "decision"}, "right": {"value": "ok", "type": {"name": "text"}}}},
    {"id": "rejected", "fromId": "decided", "toId": "end"},
    {"id": "t3", "fromId": "split", "toId": "pay"},
    {"id": "t4", "fromId": "split", "toId": "file"},
    {"id": "t5", "fromId": "pay", "toId": "join"},
    {"id": "t6", "fromId": "file", "toId": "join"},
    {"id": "t7", "fromId": "join", "toId": "end"}
  ]
}`

// publish creates, versions and publishes a workflow and returns the
// editor workflow id.
func publish(t testing.TB, a account, definition string) string {
	t.Helper()
	base := "/api/v1/" + a.OrgKey + "/workflows"
	id := expect(t, call(t, "POST", base, a.Token, definition), http.StatusOK).JSON(t)["id"].(string)
	v := expect(t, call(t, "POST", base+"/"+id+"/versions", a.Token, map[string]any{"commitMessage": "ready"}), http.StatusOK).JSON(t)
	expect(t, call(t, "POST", base+"/"+id+"/versions/"+v["id"].(string)+"/publish", a.Token, nil), http.StatusOK)
	return id
}

// openTasks returns the case's open tasks by name.
func openTasks(t testing.TB, a account, caseID string) map[string]map[string]any {
	t.Helper()
	r := expect(t, call(t, "GET", "/api/v1/"+a.OrgKey+"/cases/"+caseID+"/tasks?completed=false", a.Token, nil), http.StatusOK)
	var tasks []map[string]any
	decodeJSON(t, r.Body, &tasks)
	out := map[string]map[string]any{}
	for _, task := range tasks {
		out[task["name"].(string)] = task
	}
	return out
}

func TestProcessRunsFromStartToEnd(t *testing.T) {
	a := signUp(t, "Process Runner")
	org := "/api/v1/" + a.OrgKey
	wfID := publish(t, a, approvalWorkflow)

	form := expect(t, call(t, "GET", org+"/workflows/"+wfID+"/startForm", a.Token, nil), http.StatusOK).JSON(t)
	if fields := form["fields"].([]any); len(fields) != 1 || fields[0].(map[string]any)["id"] != "amount" {
		t.Fatalf("start form: %v", form)
	}
	// A start with a bad value for a form field is refused, and starts nothing.
	expectError(t, call(t, "POST", org+"/engine/workflow/instances", a.Token, map[string]any{"sourceWorkflowId": wfID,
		"data": map[string]any{"formInstance": map[string]any{"fields": []any{map[string]any{"id": "amount", "value": "lots"}}}}}), http.StatusBadRequest)

	inst := expect(t, call(t, "POST", org+"/engine/workflow/instances", a.Token, map[string]any{"sourceWorkflowId": wfID, "businessKey": "EXP-1",
		"data": map[string]any{"formInstance": map[string]any{"fields": []any{map[string]any{"id": "amount", "value": 250}}}}}), http.StatusOK).JSON(t)
	caseID, _ := inst["caseId"].(string)
	if inst["id"] == nil || caseID == "" || inst["end"] != nil || inst["businessKey"] != "EXP-1" {
		t.Fatalf("instance: %v", inst)
	}

	c := expect(t, call(t, "GET", org+"/cases/"+caseID, a.Token, nil), http.StatusOK).JSON(t)
	if c["name"] != "Expense approval EXP-1" || c["sourceWorkflowId"] != wfID || c["closed"] != false || len(c["tasks"].([]any)) != 1 {
		t.Fatalf("case: %v", c)
	}
	if c["sourceWorkflow"].(map[string]any)["id"] != wfID {
		t.Fatalf("case source workflow: %v", c["sourceWorkflow"])
	}
	review := openTasks(t, a, caseID)["Review 250 EUR"]
	if review == nil || review["hasForm"] != true || review["activityInstanceMessage"] != true {
		t.Fatalf("review task: %v", openTasks(t, a, caseID))
	}
	reviewID := review["id"].(string)
	detail := expect(t, call(t, "GET", org+"/tasks/"+reviewID, a.Token, nil), http.StatusOK).JSON(t)
	fields := detail["form"].(map[string]any)["fields"].([]any)
	if fields[0].(map[string]any)["value"] != 250.0 || fields[1].(map[string]any)["asButtons"] != true {
		t.Fatalf("task form: %v", detail["form"])
	}

	// Required fields are enforced, types checked, read-only fields kept.
	expectError(t, call(t, "POST", org+"/tasks/"+reviewID+"/complete", a.Token, []any{}), http.StatusBadRequest)
	expectError(t, call(t, "POST", org+"/tasks/"+reviewID+"/complete", a.Token, []any{map[string]any{"id": "decision", "value": "maybe"}}), http.StatusBadRequest)
	expectError(t, call(t, "POST", org+"/tasks/"+reviewID+"/complete", a.Token, []any{map[string]any{"id": "amount", "value": 1}}), http.StatusBadRequest)
	// A field saved before completion counts.
	saved := expect(t, call(t, "PUT", org+"/tasks/"+reviewID+"/form/fields/decision", a.Token, map[string]any{"value": "ok"}), http.StatusOK).JSON(t)
	if saved["value"] != "ok" {
		t.Fatalf("saved field: %v", saved)
	}
	done := expect(t, call(t, "POST", org+"/tasks/"+reviewID+"/complete", a.Token, []any{}), http.StatusOK).JSON(t)
	if done["completed"] != true {
		t.Fatalf("completed: %v", done)
	}
	expectError(t, call(t, "POST", org+"/tasks/"+reviewID+"/complete", a.Token, nil), http.StatusConflict)
	expectError(t, call(t, "POST", org+"/tasks/"+reviewID+"/reopen", a.Token, nil), http.StatusConflict)

	parallel := openTasks(t, a, caseID)
	if len(parallel) != 2 || parallel["Pay"] == nil || parallel["File"] == nil {
		t.Fatalf("after the split: %v", parallel)
	}
	expect(t, call(t, "POST", org+"/tasks/"+parallel["Pay"]["id"].(string)+"/complete", a.Token, nil), http.StatusOK)
	if c := expect(t, call(t, "GET", org+"/cases/"+caseID, a.Token, nil), http.StatusOK).JSON(t); c["closed"] != false {
		t.Fatal("the case closed before the join")
	}
	expect(t, call(t, "POST", org+"/tasks/"+parallel["File"]["id"].(string)+"/complete", a.Token, nil), http.StatusOK)

	c = expect(t, call(t, "GET", org+"/cases/"+caseID, a.Token, nil), http.StatusOK).JSON(t)
	if c["closed"] != true || len(c["tasks"].([]any)) != 3 {
		t.Fatalf("the case did not close with its workflow: %v", c)
	}
	events := expect(t, call(t, "GET", org+"/cases/"+caseID+"/events?type=taskCompleted", a.Token, nil), http.StatusOK)
	var evs []map[string]any
	decodeJSON(t, events.Body, &evs)
	if len(evs) != 3 {
		t.Fatalf("taskCompleted events: %s", events.Body)
	}
	variable := expect(t, call(t, "GET", org+"/cases/"+caseID+"/events?type=variableChanged", a.Token, nil), http.StatusOK)
	if !strings.Contains(string(variable.Body), "decision") {
		t.Fatalf("no variableChanged event for the decision: %s", variable.Body)
	}
	counts := expect(t, call(t, "GET", org+"/info/cases", a.Token, nil), http.StatusOK).JSON(t)
	if counts["total"] != 1.0 || counts["closed"] != 1.0 || counts["open"] != 0.0 {
		t.Fatalf("case counts: %v", counts)
	}
}

func TestConcurrentCompletionsAdvanceOnce(t *testing.T) {
	a := signUp(t, "Concurrent Completion")
	b := signUp(t, "Concurrent Other")
	joinAsMember(t, a, b)
	org := "/api/v1/" + a.OrgKey
	wfID := publish(t, a, approvalWorkflow)
	inst := expect(t, call(t, "POST", org+"/engine/workflow/instances", a.Token, map[string]any{"sourceWorkflowId": wfID,
		"data": map[string]any{"formInstance": map[string]any{"fields": []any{map[string]any{"id": "amount", "value": 10}}}}}), http.StatusOK).JSON(t)
	caseID := inst["caseId"].(string)
	reviewID := openTasks(t, a, caseID)["Review 10 EUR"]["id"].(string)

	statuses := make([]int, 2)
	var wg sync.WaitGroup
	for i, who := range []account{a, b} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			statuses[i] = call(t, "POST", org+"/tasks/"+reviewID+"/complete", who.Token, []any{map[string]any{"id": "decision", "value": "ok"}}).Status
		}()
	}
	wg.Wait()
	if !(statuses[0] == 200 && statuses[1] == 409 || statuses[0] == 409 && statuses[1] == 200) {
		t.Fatalf("statuses %v, want one 200 and one 409", statuses)
	}
	if open := openTasks(t, a, caseID); len(open) != 2 {
		t.Fatalf("the instance advanced %d ways: %v", len(open), open)
	}
}

func TestCancelCaseCancelsItsWorkflow(t *testing.T) {
	a := signUp(t, "Cancel Process")
	org := "/api/v1/" + a.OrgKey
	wfID := publish(t, a, approvalWorkflow)
	c := expect(t, call(t, "POST", org+"/cases", a.Token, map[string]any{"name": "Trip to Lisbon",
		"triggerInstance": map[string]any{"sourceWorkflowId": wfID, "data": map[string]any{"formInstance": map[string]any{"fields": []any{map[string]any{"id": "amount", "value": 900}}}}}}), http.StatusOK).JSON(t)
	caseID := c["id"].(string)
	if c["name"] != "Trip to Lisbon" || c["workflowInstanceId"] == nil || len(openTasks(t, a, caseID)) != 1 {
		t.Fatalf("case with workflow: %v", c)
	}
	canceled := expect(t, call(t, "POST", org+"/cases/"+caseID+"/cancel", a.Token, nil), http.StatusOK).JSON(t)
	if canceled["canceled"] != true || canceled["closed"] != true || len(openTasks(t, a, caseID)) != 0 {
		t.Fatalf("cancel: %v", canceled)
	}
	task := canceled["tasks"].([]any)[0].(map[string]any)
	// A canceled task is canceled, not completed, and in no completed list.
	if task["canceled"] != true || task["completed"] != false || task["activityInstanceMessage"] != false {
		t.Fatalf("task of the canceled case: %v", task)
	}
	for _, list := range []string{"/cases/" + caseID + "/tasks?completed=true", "/tasks?completed=true", "/tasks?completed=false"} {
		if body := expect(t, call(t, "GET", org+list, a.Token, nil), http.StatusOK).Body; strings.Contains(string(body), task["id"].(string)) {
			t.Fatalf("%s lists the canceled task: %s", list, body)
		}
	}
	if body := expect(t, call(t, "GET", org+"/cases/"+caseID+"/tasks", a.Token, nil), http.StatusOK).Body; !strings.Contains(string(body), task["id"].(string)) {
		t.Fatalf("the case's tasks leave out the canceled one: %s", body)
	}
	expectError(t, call(t, "POST", org+"/tasks/"+task["id"].(string)+"/reopen", a.Token, nil), http.StatusConflict)
	expectError(t, call(t, "POST", org+"/cases/"+caseID+"/close", a.Token, nil), http.StatusConflict)
	expectError(t, call(t, "POST", org+"/tasks/"+task["id"].(string)+"/complete", a.Token, nil), http.StatusConflict)
}

func TestUnpublishedAndInvalidWorkflowsDoNotStart(t *testing.T) {
	a := signUp(t, "Start Errors")
	org := "/api/v1/" + a.OrgKey
	id := expect(t, call(t, "POST", org+"/workflows", a.Token, approvalWorkflow), http.StatusOK).JSON(t)["id"].(string)
	expectError(t, call(t, "POST", org+"/engine/workflow/instances", a.Token, map[string]any{"sourceWorkflowId": id}), http.StatusConflict)
	expectError(t, call(t, "POST", org+"/engine/workflow/instances", a.Token, map[string]any{"workflowId": strings.Repeat("a", 24)}), http.StatusNotFound)
	// An unknown workflow is a missing resource (404), a malformed id bad input (400).
	for _, start := range []func(body map[string]any) response{
		func(body map[string]any) response {
			return call(t, "POST", org+"/engine/workflow/instances", a.Token, body)
		},
		func(body map[string]any) response {
			return call(t, "POST", org+"/cases", a.Token, map[string]any{"name": "x", "triggerInstance": body})
		},
	} {
		if e := expectError(t, start(map[string]any{"sourceWorkflowId": strings.Repeat("b", 24)}), http.StatusNotFound); e["field"] != nil && e["field"] != "sourceWorkflowId" {
			t.Fatalf("unknown sourceWorkflowId: %v", e)
		}
		expectError(t, start(map[string]any{"sourceWorkflowId": "not-an-id"}), http.StatusBadRequest)
	}
	expectError(t, call(t, "POST", org+"/engine/workflow/instances", a.Token, map[string]any{}), http.StatusBadRequest)
	broken := `{"name": "Broken", "activities": [{"type": "userTask", "id": "a"}, {"type": "noSuchType", "id": "b"}],
	  "transitions": [{"id": "t", "fromId": "a", "toId": "nowhere"}]}`
	bid := expect(t, call(t, "POST", org+"/workflows", a.Token, broken), http.StatusOK).JSON(t)["id"].(string)
	e := expectError(t, call(t, "POST", org+"/workflows/"+bid+"/versions", a.Token, nil), http.StatusUnprocessableEntity)
	if msg := e["message"].(string); !strings.Contains(msg, "noSuchType") || !strings.Contains(msg, "nowhere") {
		t.Fatalf("the error does not name the problems: %v", e)
	}
}

func TestParallelJoinReachedAtOnceFiresOnce(t *testing.T) {
	a := signUp(t, "Join Race")
	org := "/api/v1/" + a.OrgKey
	wfID := publish(t, a, approvalWorkflow)
	inst := expect(t, call(t, "POST", org+"/engine/workflow/instances", a.Token, map[string]any{"sourceWorkflowId": wfID,
		"data": map[string]any{"formInstance": map[string]any{"fields": []any{map[string]any{"id": "amount", "value": 5}}}}}), http.StatusOK).JSON(t)
	caseID := inst["caseId"].(string)
	review := openTasks(t, a, caseID)["Review 5 EUR"]["id"].(string)
	expect(t, call(t, "POST", org+"/tasks/"+review+"/complete", a.Token, []any{map[string]any{"id": "decision", "value": "ok"}}), http.StatusOK)
	parallel := openTasks(t, a, caseID)
	statuses := make([]int, 2)
	var wg sync.WaitGroup
	for i, name := range []string{"Pay", "File"} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			statuses[i] = call(t, "POST", org+"/tasks/"+parallel[name]["id"].(string)+"/complete", a.Token, nil).Status
		}()
	}
	wg.Wait()
	if statuses[0] != 200 || statuses[1] != 200 {
		t.Fatalf("statuses %v, want both 200 (the loser of the race retries on fresh state)", statuses)
	}
	var ended []map[string]any
	decodeJSON(t, expect(t, call(t, "GET", org+"/cases/"+caseID+"/events?type=workflowEnded", a.Token, nil), http.StatusOK).Body, &ended)
	if len(ended) != 1 {
		t.Fatalf("the join fired %d times", len(ended))
	}
	if c := expect(t, call(t, "GET", org+"/cases/"+caseID, a.Token, nil), http.StatusOK).JSON(t); c["closed"] != true {
		t.Fatalf("the case did not close: %v", c)
	}
}
