package e2e

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestCasesDirectly(t *testing.T) {
	a := signUp(t, "Direct Cases")
	b := signUp(t, "Direct Cases Member")
	joinAsMember(t, a, b)
	org := "/api/v1/" + a.OrgKey
	due := time.Now().Add(48 * time.Hour).UTC().Format(time.RFC3339)
	c := expect(t, call(t, "POST", org+"/cases", a.Token, map[string]any{
		"name": "Broken window", "description": "Room 12", "dueDate": due, "priority": 2,
		"participantIds": []string{b.UserID}, "customerNo": "C-77",
	}), http.StatusOK).JSON(t)
	id := c["id"].(string)
	if c["hasDueDate"] != true || c["hasPriority"] != true || c["customerNo"] != "C-77" || c["creator"].(map[string]any)["id"] != a.UserID ||
		len(c["participants"].([]any)) != 2 || c["nameLower"] != "broken window" {
		t.Fatalf("created case: %v", c)
	}
	expectError(t, call(t, "POST", org+"/cases", a.Token, map[string]any{"name": "x", "participantIds": []string{"000000000000000000000000"}}), http.StatusBadRequest)
	expectError(t, call(t, "POST", org+"/cases", a.Token, map[string]any{"name": "x", "dueDate": "tomorrow"}), http.StatusBadRequest)
	expectError(t, call(t, "POST", org+"/cases", a.Token, map[string]any{"name": "x", "priority": "high"}), http.StatusBadRequest)

	updated := expect(t, call(t, "PUT", org+"/cases/"+id, a.Token, map[string]any{"name": "Broken window (2nd floor)", "closed": true}), http.StatusOK).JSON(t)
	if updated["name"] != "Broken window (2nd floor)" || updated["closed"] != false || updated["description"] != "Room 12" {
		t.Fatalf("update: %v", updated)
	}

	comment := expect(t, call(t, "POST", org+"/cases/"+id+"/events", b.Token, map[string]any{"name": "Glazier comes Monday"}), http.StatusOK).JSON(t)
	if comment["type"] != "comment" || comment["user"].(map[string]any)["id"] != b.UserID {
		t.Fatalf("comment: %v", comment)
	}
	expectError(t, call(t, "POST", org+"/cases/"+id+"/events", b.Token, map[string]any{"name": "  "}), http.StatusBadRequest)
	events := expect(t, call(t, "GET", org+"/cases/"+id+"/events", a.Token, nil), http.StatusOK)
	var evs []map[string]any
	decodeJSON(t, events.Body, &evs)
	if len(evs) != 3 || evs[0]["type"] != "comment" || evs[2]["type"] != "caseCreated" {
		t.Fatalf("events newest first: %s", events.Body)
	}
	paged := expect(t, call(t, "GET", org+"/cases/"+id+"/events?offset=1&pagesize=1", a.Token, nil), http.StatusOK)
	decodeJSON(t, paged.Body, &evs)
	if len(evs) != 1 || evs[0]["type"] != "caseUpdated" {
		t.Fatalf("second event page: %s", paged.Body)
	}

	other := expect(t, call(t, "POST", org+"/cases", a.Token, map[string]any{"name": "Another"}), http.StatusOK).JSON(t)
	expect(t, call(t, "POST", org+"/cases/"+other["id"].(string)+"/close", a.Token, nil), http.StatusOK)
	list := func(query string) []map[string]any {
		var cs []map[string]any
		decodeJSON(t, expect(t, call(t, "GET", org+"/cases"+query, a.Token, nil), http.StatusOK).Body, &cs)
		return cs
	}
	if cs := list(""); len(cs) != 2 || cs[0]["id"] != other["id"] {
		t.Fatalf("cases newest first: %v", cs)
	}
	if cs := list("?closed=false"); len(cs) != 1 || cs[0]["id"] != id {
		t.Fatalf("open cases: %v", cs)
	}
	if cs := list("?sorting=name"); cs[0]["name"] != "Another" {
		t.Fatalf("sorted by name: %v", cs)
	}
	if cs := list("?workflowDeleted=true"); len(cs) != 0 {
		t.Fatalf("cases of deleted workflows: %v", cs)
	}
	expectError(t, call(t, "GET", org+"/cases?sorting=color", a.Token, nil), http.StatusBadRequest)
	expectError(t, call(t, "GET", org+"/cases?closed=perhaps", a.Token, nil), http.StatusBadRequest)

	counts := expect(t, call(t, "GET", org+"/info/cases", a.Token, nil), http.StatusOK).JSON(t)
	if counts["total"] != 2.0 || counts["open"] != 1.0 || counts["closed"] != 1.0 {
		t.Fatalf("counts: %v", counts)
	}
	expectError(t, call(t, "DELETE", org+"/cases/"+id, b.Token, nil), http.StatusForbidden)
	expect(t, call(t, "DELETE", org+"/cases/"+id, a.Token, nil), http.StatusNoContent)
	expectError(t, call(t, "GET", org+"/cases/"+id, a.Token, nil), http.StatusNotFound)
	if counts := expect(t, call(t, "GET", org+"/info/cases", a.Token, nil), http.StatusOK).JSON(t); counts["total"] != 1.0 || counts["open"] != 0.0 {
		t.Fatalf("counts after delete: %v", counts)
	}
}

func TestTasksDirectly(t *testing.T) {
	a := signUp(t, "Direct Tasks")
	b := signUp(t, "Direct Tasks Member")
	joinAsMember(t, a, b)
	org := "/api/v1/" + a.OrgKey
	c := expect(t, call(t, "POST", org+"/cases", a.Token, map[string]any{"name": "Move office"}), http.StatusOK).JSON(t)
	caseID := c["id"].(string)
	today := time.Now().UTC().Truncate(24 * time.Hour).Add(12 * time.Hour).Format(time.RFC3339)

	parent := expect(t, call(t, "POST", org+"/tasks", a.Token, map[string]any{"name": "Pack", "caseId": caseID, "assigneeId": b.UserID, "dueDate": today}), http.StatusOK).JSON(t)
	parentID := parent["id"].(string)
	if parent["assignee"].(map[string]any)["id"] != b.UserID || parent["caseId"] != caseID {
		t.Fatalf("task: %v", parent)
	}
	sub := expect(t, call(t, "POST", org+"/tasks", a.Token, map[string]any{"name": "Pack books", "parentId": parentID, "candidateIds": []string{a.UserID, b.UserID}}), http.StatusOK).JSON(t)
	if sub["caseId"] != caseID || sub["parentId"] != parentID {
		t.Fatalf("subtask: %v", sub)
	}
	detail := expect(t, call(t, "GET", org+"/tasks/"+parentID, a.Token, nil), http.StatusOK).JSON(t)
	if subs := detail["subtasks"].([]any); len(subs) != 1 || subs[0].(map[string]any)["id"] != sub["id"] {
		t.Fatalf("subtasks: %v", detail)
	}
	standalone := expect(t, call(t, "POST", org+"/tasks", b.Token, map[string]any{"name": "Order boxes"}), http.StatusOK).JSON(t)

	for _, bad := range []map[string]any{{"name": ""}, {"name": "x", "assigneeId": "000000000000000000000000"}, {"name": "x", "caseId": "000000000000000000000000"},
		{"name": "x", "parentId": "nope"}, {"name": "x", "candidateIds": "a"}} {
		expectError(t, call(t, "POST", org+"/tasks", a.Token, bad), http.StatusBadRequest)
	}

	names := func(token, query string) string {
		var ts []map[string]any
		decodeJSON(t, expect(t, call(t, "GET", org+"/tasks"+query, token, nil), http.StatusOK).Body, &ts)
		var out []string
		for _, task := range ts {
			out = append(out, task["name"].(string))
		}
		return strings.Join(out, ",")
	}
	// "Order boxes" has no assignee and no candidates: every member is its
	// candidate.
	if got := names(b.Token, ""); got != "Order boxes,Pack books,Pack" {
		t.Fatalf("b's tasks (assigned or candidate): %q", got)
	}
	if got := names(b.Token, "?involvement=created"); got != "Order boxes" {
		t.Fatalf("b's created tasks: %q", got)
	}
	if got := names(a.Token, "?involvement=created&involvement=candidate"); got != "Order boxes,Pack books,Pack" {
		t.Fatalf("a's created or candidate tasks: %q", got)
	}
	if got := names(b.Token, "?dueDate=TODAY"); got != "Pack" {
		t.Fatalf("due today: %q", got)
	}
	if got := names(b.Token, "?dueDate=NOT_DUE,OVERDUE"); got != "Order boxes,Pack books" {
		t.Fatalf("not due or overdue: %q", got)
	}
	expectError(t, call(t, "GET", org+"/tasks?involvement=watching", a.Token, nil), http.StatusBadRequest)
	expectError(t, call(t, "GET", org+"/tasks?dueDate=SOON", a.Token, nil), http.StatusBadRequest)

	// Reassigning records an event in the case.
	expect(t, call(t, "PUT", org+"/tasks/"+parentID, a.Token, map[string]any{"assigneeId": a.UserID}), http.StatusOK)
	if got := names(b.Token, "?involvement=assigned"); got != "" {
		t.Fatalf("b still has assigned tasks: %q", got)
	}
	assigned := expect(t, call(t, "GET", org+"/cases/"+caseID+"/events?type=taskAssigned&taskId="+parentID, a.Token, nil), http.StatusOK)
	var evs []map[string]any
	decodeJSON(t, assigned.Body, &evs)
	if len(evs) != 1 {
		t.Fatalf("taskAssigned events: %s", assigned.Body)
	}

	// Only the assignee (or an admin) completes an assigned task.
	expectError(t, call(t, "POST", org+"/tasks/"+parentID+"/complete", b.Token, nil), http.StatusForbidden)
	expect(t, call(t, "POST", org+"/tasks/"+parentID+"/complete", a.Token, nil), http.StatusOK)
	if got := names(a.Token, "?completed=true&involvement=assigned"); got != "Pack" {
		t.Fatalf("completed tasks: %q", got)
	}
	reopened := expect(t, call(t, "POST", org+"/tasks/"+parentID+"/reopen", a.Token, nil), http.StatusOK).JSON(t)
	if reopened["completed"] != false {
		t.Fatalf("reopen: %v", reopened)
	}
	expectError(t, call(t, "POST", org+"/tasks/"+parentID+"/reopen", a.Token, nil), http.StatusConflict)

	caseTasks := expect(t, call(t, "GET", org+"/cases/"+caseID+"/tasks", a.Token, nil), http.StatusOK)
	if !strings.Contains(string(caseTasks.Body), "Pack books") {
		t.Fatalf("case tasks: %s", caseTasks.Body)
	}
	// The creator or an admin deletes a task; another member may not.
	expectError(t, call(t, "DELETE", org+"/tasks/"+sub["id"].(string), b.Token, nil), http.StatusForbidden)
	expect(t, call(t, "DELETE", org+"/tasks/"+standalone["id"].(string), a.Token, nil), http.StatusNoContent)
	expect(t, call(t, "DELETE", org+"/tasks/"+sub["id"].(string), a.Token, nil), http.StatusNoContent)
	if d := expect(t, call(t, "GET", org+"/tasks/"+parentID, a.Token, nil), http.StatusOK).JSON(t); len(d["subtaskIds"].([]any)) != 0 {
		t.Fatalf("the deleted subtask is still listed: %v", d)
	}
	// Closing the case cancels its open tasks.
	expect(t, call(t, "POST", org+"/cases/"+caseID+"/close", a.Token, nil), http.StatusOK)
	if d := expect(t, call(t, "GET", org+"/tasks/"+parentID, a.Token, nil), http.StatusOK).JSON(t); d["canceled"] != true {
		t.Fatalf("the case's task was not canceled: %v", d)
	}
}

// TestCaseworkRoutesRequireMembership walks every route of the workflow,
// case, task and engine groups as a member of another organization (404)
// and without a token (401).
func TestCaseworkRoutesRequireMembership(t *testing.T) {
	a := signUp(t, "Casework Tenant")
	other := signUp(t, "Casework Outsider")
	org := "/api/v1/" + a.OrgKey
	wfID := publish(t, a, approvalWorkflow)
	c := expect(t, call(t, "POST", org+"/cases", a.Token, map[string]any{"name": "Private matter"}), http.StatusOK).JSON(t)
	task := expect(t, call(t, "POST", org+"/tasks", a.Token, map[string]any{"name": "Private task", "caseId": c["id"]}), http.StatusOK).JSON(t)
	cid, tid := c["id"].(string), task["id"].(string)
	routes := []struct{ method, path string }{
		{"GET", org + "/cases"}, {"POST", org + "/cases"}, {"GET", org + "/cases/" + cid}, {"PUT", org + "/cases/" + cid},
		{"DELETE", org + "/cases/" + cid}, {"POST", org + "/cases/" + cid + "/cancel"}, {"POST", org + "/cases/" + cid + "/close"},
		{"GET", org + "/cases/" + cid + "/events"}, {"POST", org + "/cases/" + cid + "/events"}, {"GET", org + "/cases/" + cid + "/tasks"},
		{"GET", org + "/info/cases"},
		{"GET", org + "/tasks"}, {"POST", org + "/tasks"}, {"GET", org + "/tasks/" + tid}, {"PUT", org + "/tasks/" + tid},
		{"DELETE", org + "/tasks/" + tid}, {"POST", org + "/tasks/" + tid + "/complete"}, {"POST", org + "/tasks/" + tid + "/reopen"},
		{"PUT", org + "/tasks/" + tid + "/form/fields/x"},
		{"POST", org + "/engine/workflow/instances"},
		{"GET", org + "/workflows/" + wfID + "/startForm"}, {"POST", org + "/workflows/" + wfID + "/activities/start/test"},
		{"POST", org + "/workflows/" + wfID + "/versions/" + wfID + "/restore"}, {"POST", org + "/workflows/" + wfID + "/versions/" + wfID + "/publish"},
	}
	for _, rt := range routes {
		body := map[string]any{"name": "x", "value": 1, "sourceWorkflowId": wfID}
		expectError(t, call(t, rt.method, rt.path, "", body), http.StatusUnauthorized)
		if r := call(t, rt.method, rt.path, other.Token, body); r.Status != http.StatusNotFound {
			t.Errorf("%s %s by an outsider: %d %s", rt.method, rt.path, r.Status, r.Body)
		}
	}
	// Nothing changed.
	if got := expect(t, call(t, "GET", org+"/cases/"+cid, a.Token, nil), http.StatusOK).JSON(t); got["name"] != "Private matter" || got["closed"] != false {
		t.Fatalf("the case was changed: %v", got)
	}
}
