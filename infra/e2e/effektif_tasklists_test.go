package e2e

import (
	"fmt"
	"net/http"
	"testing"
)

// taskNames lists the caller's tasks for the query, by id to name.
func taskNames(t testing.TB, who account, query string) map[string]map[string]any {
	t.Helper()
	var ts []map[string]any
	decodeJSON(t, expect(t, call(t, "GET", "/api/v1/"+who.OrgKey+"/tasks"+query, who.Token, nil), http.StatusOK).Body, &ts)
	out := map[string]map[string]any{}
	for _, task := range ts {
		out[task["name"].(string)] = task
	}
	return out
}

// TestUnclaimedTasksAndCalledWorkflows: a task with no assignee and no
// candidates is in every member's default task list until someone takes
// it; the tasks of a called sub-workflow belong to the caller's case, and
// the sub-workflow's end does not close that case.
func TestUnclaimedTasksAndCalledWorkflows(t *testing.T) {
	a := signUp(t, "Unclaimed Tasks")
	b := addMember(t, a, "Berta")
	org := "/api/v1/" + a.OrgKey
	child := publish(t, a, `{
	  "name": "Child",
	  "variables": [{"id": "input", "type": {"name": "text"}}, {"id": "answer", "type": {"name": "text"}}],
	  "activities": [
	    {"type": "startEvent", "id": "s"},
	    {"type": "userTask", "id": "answerIt", "taskName": "Answer {{input}}",
	     "form": {"fields": [{"id": "answer", "binding": {"expression": "answer"}}]}},
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
	    {"type": "userTask", "id": "read", "taskName": "Read {{reply}}", "assigneeId": {"value": %q}},
	    {"type": "endEvent", "id": "e"}
	  ],
	  "transitions": [{"fromId": "s", "toId": "ask"}, {"fromId": "ask", "toId": "read"}, {"fromId": "read", "toId": "e"}]}`, child, a.UserID))
	inst := expect(t, call(t, "POST", org+"/engine/workflow/instances", a.Token, map[string]any{"sourceWorkflowId": parent, "data": map[string]any{"question": "why"}}), http.StatusOK).JSON(t)
	caseID := inst["caseId"].(string)

	// The child's task is the case's, and every member's candidate task.
	if open := openTasks(t, a, caseID); open["Answer why"] == nil {
		t.Fatalf("the case's tasks lack the called workflow's: %v", open)
	}
	for _, who := range []account{a, b} {
		got := taskNames(t, who, "")["Answer why"]
		if got == nil || got["caseId"] != caseID {
			t.Fatalf("the unclaimed task in %s's default list: %v", who.Email, got)
		}
		if taskNames(t, who, "?involvement=candidate")["Answer why"] == nil {
			t.Fatalf("the unclaimed task is not %s's candidate task", who.Email)
		}
	}
	if taskNames(t, b, "?involvement=assigned")["Answer why"] != nil {
		t.Fatal("the unclaimed task is listed as assigned")
	}
	taskID := taskNames(t, b, "")["Answer why"]["id"].(string)

	// Berta takes it: it leaves the others' default lists.
	expect(t, call(t, "PUT", org+"/tasks/"+taskID, b.Token, map[string]any{"assigneeId": b.UserID}), http.StatusOK)
	if taskNames(t, a, "")["Answer why"] != nil {
		t.Fatal("a task Berta took is still in the admin's default list")
	}
	if taskNames(t, b, "?involvement=assigned")["Answer why"] == nil {
		t.Fatal("the taken task is not Berta's")
	}
	expect(t, call(t, "POST", org+"/tasks/"+taskID+"/complete", b.Token, []any{map[string]any{"id": "answer", "value": "because"}}), http.StatusOK)

	// The child ended; its caller's case is still open and goes on.
	c := expect(t, call(t, "GET", org+"/cases/"+caseID, a.Token, nil), http.StatusOK).JSON(t)
	if c["closed"] != false {
		t.Fatalf("the called workflow's end closed the caller's case: %v", c)
	}
	open := openTasks(t, a, caseID)
	if open["Read because"] == nil {
		t.Fatalf("the parent did not go on: %v", open)
	}
	expect(t, call(t, "POST", org+"/tasks/"+open["Read because"]["id"].(string)+"/complete", a.Token, nil), http.StatusOK)
	if c := expect(t, call(t, "GET", org+"/cases/"+caseID, a.Token, nil), http.StatusOK).JSON(t); c["closed"] != true {
		t.Fatalf("the parent's end did not close its case: %v", c)
	}

	// A standalone task nobody is named for is offered too; once completed
	// it leaves the others' lists.
	own := expect(t, call(t, "POST", org+"/tasks", a.Token, map[string]any{"name": "Water the plants"}), http.StatusOK).JSON(t)
	if taskNames(t, b, "?completed=false")["Water the plants"] == nil {
		t.Fatal("Berta does not see the unclaimed standalone task")
	}
	expect(t, call(t, "POST", org+"/tasks/"+own["id"].(string)+"/complete", b.Token, nil), http.StatusOK)
	if taskNames(t, a, "")["Water the plants"] != nil || taskNames(t, a, "?completed=true")["Water the plants"] != nil {
		t.Fatal("the completed unclaimed task is still offered")
	}
	if taskNames(t, b, "?involvement=participant")["Water the plants"] == nil {
		t.Fatal("the member who completed the task does not find it as a participant")
	}
}

// TestParticipantTasksAreTheTasksOfTheCallersCases: involvement=participant
// lists the tasks of the cases the caller participates in (and the tasks
// they completed), and forgets a case once the caller leaves it.
func TestParticipantTasksAreTheTasksOfTheCallersCases(t *testing.T) {
	a := signUp(t, "Participant Tasks")
	b := addMember(t, a, "Bruno")
	c := addMember(t, a, "Carla")
	org := "/api/v1/" + a.OrgKey
	kase := expect(t, call(t, "POST", org+"/cases", a.Token, map[string]any{"name": "Office move", "participantIds": []string{b.UserID}}), http.StatusOK).JSON(t)
	caseID := kase["id"].(string)
	expect(t, call(t, "POST", org+"/tasks", a.Token, map[string]any{"name": "Book the van", "caseId": caseID, "assigneeId": a.UserID}), http.StatusOK)
	done := expect(t, call(t, "POST", org+"/tasks", a.Token, map[string]any{"name": "Count boxes", "caseId": caseID, "assigneeId": a.UserID}), http.StatusOK).JSON(t)
	expect(t, call(t, "POST", org+"/tasks/"+done["id"].(string)+"/complete", a.Token, nil), http.StatusOK)
	expect(t, call(t, "POST", org+"/tasks", a.Token, map[string]any{"name": "Elsewhere", "assigneeId": a.UserID}), http.StatusOK)

	for _, who := range []account{a, b} {
		got := taskNames(t, who, "?involvement=participant")
		if got["Book the van"] == nil || got["Count boxes"] == nil || got["Book the van"]["caseId"] != caseID {
			t.Fatalf("%s's participant tasks: %v", who.Email, got)
		}
		if who == b && got["Elsewhere"] != nil {
			t.Fatalf("a task of no case of Bruno's is his participant task: %v", got)
		}
	}
	if got := taskNames(t, b, "?involvement=participant&completed=false"); got["Book the van"] == nil || got["Count boxes"] != nil {
		t.Fatalf("open participant tasks: %v", got)
	}
	if got := taskNames(t, b, "?involvement=participant&completed=true"); got["Count boxes"] == nil || got["Book the van"] != nil {
		t.Fatalf("completed participant tasks: %v", got)
	}
	if got := taskNames(t, b, ""); got["Book the van"] != nil {
		t.Fatalf("a participant task is in the default list: %v", got)
	}
	if got := taskNames(t, c, "?involvement=participant"); len(got) != 0 {
		t.Fatalf("a member of no case has participant tasks: %v", got)
	}

	// A case started by a workflow: who starts it participates.
	wfID := publish(t, c, `{
	  "name": "Onboarding", "enableCases": true,
	  "activities": [{"type": "startEvent", "id": "s"}, {"type": "userTask", "id": "t", "taskName": "Say hello"}, {"type": "endEvent", "id": "e"}],
	  "transitions": [{"fromId": "s", "toId": "t"}, {"fromId": "t", "toId": "e"}]}`)
	expect(t, call(t, "POST", org+"/engine/workflow/instances", c.Token, map[string]any{"sourceWorkflowId": wfID}), http.StatusOK)
	if got := taskNames(t, c, "?involvement=participant"); got["Say hello"] == nil || got["Say hello"]["caseId"] == nil {
		t.Fatalf("the starter's participant tasks: %v", got)
	}

	// Bruno leaves the case: its tasks are no longer his.
	expect(t, call(t, "PUT", org+"/cases/"+caseID, a.Token, map[string]any{"participantIds": []string{a.UserID}}), http.StatusOK)
	if got := taskNames(t, b, "?involvement=participant"); len(got) != 0 {
		t.Fatalf("Bruno left the case but still has: %v", got)
	}
	if got := taskNames(t, a, "?involvement=participant"); got["Book the van"] == nil {
		t.Fatalf("the remaining participant lost the case's tasks: %v", got)
	}
}
