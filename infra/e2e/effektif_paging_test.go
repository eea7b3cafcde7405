package e2e

import (
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"testing"
)

// pages follows a cursor-paged list from its first page to its last and
// returns the names of its items, page by page.
func pages(t *testing.T, path, token string) [][]string {
	t.Helper()
	var out [][]string
	cursor := ""
	for n := 0; n < 20; n++ {
		p := path
		if cursor != "" {
			p += "&cursor=" + url.QueryEscape(cursor)
		}
		r := expect(t, call(t, "GET", p, token, nil), http.StatusOK)
		var items []map[string]any
		decodeJSON(t, r.Body, &items)
		var names []string
		for _, it := range items {
			names = append(names, it["name"].(string))
		}
		out = append(out, names)
		if cursor = r.Header.Get("X-Caseflow-Next-Cursor"); cursor == "" {
			return out
		}
	}
	t.Fatalf("%s: more than 20 pages", path)
	return nil
}

func show(pages [][]string) string {
	var out []string
	for _, p := range pages {
		out = append(out, strings.Join(p, ","))
	}
	return strings.Join(out, " | ")
}

// TestListsPageByCursor: task and case lists come in pages that fill to
// their size (the filters are keys, not cuts after the read), each page
// but the last with a cursor, and a cursor the list did not give is a 400.
func TestListsPageByCursor(t *testing.T) {
	a := signUp(t, "Paging Admin")
	b := signUp(t, "Paging Member")
	joinAsMember(t, a, b)
	org := "/api/v1/" + a.OrgKey

	// b is assigned 7 tasks; b creates 4 tasks for a, and a has 3 of its
	// own: b's default list (assigned or candidate) holds exactly the 7.
	var assigned []string
	for i := 1; i <= 7; i++ {
		task := expect(t, call(t, "POST", org+"/tasks", a.Token, map[string]any{"name": fmt.Sprintf("B%d", i), "assigneeId": b.UserID}), http.StatusOK).JSON(t)
		assigned = append(assigned, task["id"].(string))
	}
	for i := 1; i <= 4; i++ {
		expect(t, call(t, "POST", org+"/tasks", b.Token, map[string]any{"name": fmt.Sprintf("ByB%d", i), "assigneeId": a.UserID}), http.StatusOK)
	}
	for i := 1; i <= 3; i++ {
		expect(t, call(t, "POST", org+"/tasks", a.Token, map[string]any{"name": fmt.Sprintf("A%d", i), "assigneeId": a.UserID}), http.StatusOK)
	}
	if got := show(pages(t, org+"/tasks?pagesize=3", b.Token)); got != "B7,B6,B5 | B4,B3,B2 | B1" {
		t.Fatalf("b's tasks by pages of 3: %s", got)
	}
	if got := show(pages(t, org+"/tasks?involvement=created&pagesize=3", b.Token)); got != "ByB4,ByB3,ByB2 | ByB1" {
		t.Fatalf("b's created tasks: %s", got)
	}
	if got := show(pages(t, org+"/tasks?pagesize=7", b.Token)); got != "B7,B6,B5,B4,B3,B2,B1" {
		t.Fatalf("a page that holds the whole list has no cursor: %s", got)
	}

	// Completed ones leave the open list; an unfiltered list gives the open
	// ones first.
	for _, id := range assigned[:2] {
		expect(t, call(t, "POST", org+"/tasks/"+id+"/complete", b.Token, nil), http.StatusOK)
	}
	if got := show(pages(t, org+"/tasks?completed=false&pagesize=2", b.Token)); got != "B7,B6 | B5,B4 | B3" {
		t.Fatalf("open: %s", got)
	}
	if got := show(pages(t, org+"/tasks?completed=true&pagesize=5", b.Token)); got != "B2,B1" {
		t.Fatalf("completed: %s", got)
	}
	if got := show(pages(t, org+"/tasks?pagesize=4", b.Token)); got != "B7,B6,B5,B4 | B3,B2,B1" {
		t.Fatalf("all, open first: %s", got)
	}

	// A cursor of the open part is no cursor of the completed list.
	r := expect(t, call(t, "GET", org+"/tasks?completed=false&pagesize=1", b.Token, nil), http.StatusOK)
	openCursor := r.Header.Get("X-Caseflow-Next-Cursor")
	if openCursor == "" {
		t.Fatal("no cursor on a first page of one")
	}
	for _, bad := range []string{"nope", openCursor + "x", strings.Repeat("A", 300)} {
		expectError(t, call(t, "GET", org+"/tasks?cursor="+url.QueryEscape(bad), b.Token, nil), http.StatusBadRequest)
	}
	expectError(t, call(t, "GET", org+"/tasks?completed=true&cursor="+url.QueryEscape(openCursor), b.Token, nil), http.StatusBadRequest)
	expectError(t, call(t, "GET", org+"/tasks?pagesize=-1", b.Token, nil), http.StatusBadRequest)

	// Cases: 3 open, 2 closed, 1 canceled (a canceled case is closed too).
	var caseIDs []string
	for i := 1; i <= 6; i++ {
		c := expect(t, call(t, "POST", org+"/cases", a.Token, map[string]any{"name": fmt.Sprintf("C%d", i)}), http.StatusOK).JSON(t)
		caseIDs = append(caseIDs, c["id"].(string))
	}
	expect(t, call(t, "POST", org+"/cases/"+caseIDs[0]+"/close", a.Token, nil), http.StatusOK)
	expect(t, call(t, "POST", org+"/cases/"+caseIDs[2]+"/close", a.Token, nil), http.StatusOK)
	expect(t, call(t, "POST", org+"/cases/"+caseIDs[4]+"/cancel", a.Token, nil), http.StatusOK)
	sets := func(query string) string {
		var names []string
		for _, p := range pages(t, org+"/cases?pagesize=2"+query, b.Token) {
			names = append(names, p...)
		}
		sort.Strings(names)
		return strings.Join(names, ",")
	}
	for query, want := range map[string]string{
		"":                              "C1,C2,C3,C4,C5,C6",
		"&closed=true":                  "C1,C3,C5",
		"&closed=false":                 "C2,C4,C6",
		"&canceled=true":                "C5",
		"&canceled=false":               "C1,C2,C3,C4,C6",
		"&closed=true&canceled=false":   "C1,C3",
		"&closed=false&canceled=true":   "",
		"&closed=true&sorting=name":     "C1,C3,C5",
		"&canceled=false&sorting=-name": "C1,C2,C3,C4,C6",
	} {
		if got := sets(query); got != want {
			t.Errorf("cases%s: %s, want %s", query, got, want)
		}
	}
	// A page is sorted as asked (ids order cases created in one second at
	// random, so which two come first is not fixed).
	if p := pages(t, org+"/cases?pagesize=2&closed=true&sorting=-name", b.Token); len(p) != 2 || len(p[0]) != 2 || p[0][0] < p[0][1] {
		t.Errorf("pages of closed cases by name, descending: %v", p)
	}
	expectError(t, call(t, "GET", org+"/cases?cursor=nope", b.Token, nil), http.StatusBadRequest)

	// Events of one type and of one task.
	for i := 1; i <= 3; i++ {
		expect(t, call(t, "POST", org+"/cases/"+caseIDs[1]+"/events", b.Token, map[string]any{"name": fmt.Sprintf("note %d", i)}), http.StatusOK)
	}
	var evs []map[string]any
	decodeJSON(t, expect(t, call(t, "GET", org+"/cases/"+caseIDs[1]+"/events?type=comment&pagesize=2&offset=1", b.Token, nil), http.StatusOK).Body, &evs)
	if len(evs) != 2 || evs[0]["type"] != "comment" || evs[1]["type"] != "comment" {
		t.Fatalf("comments 2 and 3 from the newest: %v", evs)
	}
	expectError(t, call(t, "GET", org+"/cases/"+caseIDs[1]+"/events?taskId=nope", b.Token, nil), http.StatusBadRequest)
	expectError(t, call(t, "GET", org+"/cases/"+caseIDs[1]+"/events?type="+strings.Repeat("t", 101), b.Token, nil), http.StatusBadRequest)
}

// TestClosingACaseCancelsManyOpenTasks: closing a case cancels its open
// tasks in one transaction; a canceled task leaves every task list (it
// writes no list entries, so 20 tasks with an assignee and a creator fit).
func TestClosingACaseCancelsManyOpenTasks(t *testing.T) {
	a := signUp(t, "Closing Admin")
	b := signUp(t, "Closing Member")
	joinAsMember(t, a, b)
	org := "/api/v1/" + a.OrgKey
	c := expect(t, call(t, "POST", org+"/cases", a.Token, map[string]any{"name": "Big case"}), http.StatusOK).JSON(t)
	caseID := c["id"].(string)
	for i := 0; i < 20; i++ {
		expect(t, call(t, "POST", org+"/tasks", a.Token, map[string]any{"name": fmt.Sprintf("T%d", i), "caseId": caseID, "assigneeId": b.UserID}), http.StatusOK)
	}
	if got := show(pages(t, org+"/tasks?pagesize=500", b.Token)); strings.Count(got, ",") != 19 {
		t.Fatalf("b's 20 tasks: %s", got)
	}
	expect(t, call(t, "POST", org+"/cases/"+caseID+"/close", a.Token, nil), http.StatusOK)
	for _, token := range []string{a.Token, b.Token} {
		for _, q := range []string{"", "&completed=false", "&completed=true", "&involvement=created"} {
			if got := show(pages(t, org+"/tasks?pagesize=50"+q, token)); got != "" {
				t.Errorf("tasks%s after the close: %s", q, got)
			}
		}
	}
	var tasks []map[string]any
	decodeJSON(t, expect(t, call(t, "GET", org+"/cases/"+caseID+"/tasks", a.Token, nil), http.StatusOK).Body, &tasks)
	if len(tasks) != 20 || tasks[0]["canceled"] != true {
		t.Fatalf("the case's tasks: %d, %v", len(tasks), tasks[0])
	}
}

// TestTaskListChecksTheTenantEachTime: the task list and a case read their
// first items at once with the tenant check, yet a member's group tasks are
// listed, another organization's case stays out of reach, and a member
// removed, or one of another organization, is refused at once (404)
// however warm the container.
// TestReadAheadChecksTheTenantEachTime: the operations that read their
// first item at once with the tenant check (the task list, GET case, GET
// organization, starting an instance, completing a task) use what they
// read only once the check passed: a removed member, an outsider and
// another organization's items are refused at once, also with a body that
// does not decode (the refusal comes first).
func TestReadAheadChecksTheTenantEachTime(t *testing.T) {
	a := signUp(t, "Read-ahead Admin")
	b := signUp(t, "Read-ahead Member")
	c := signUp(t, "Read-ahead Member Two")
	outsider := signUp(t, "Read-ahead Outsider")
	joinAsMember(t, a, b)
	joinAsMember(t, a, c)
	org := "/api/v1/" + a.OrgKey
	g := expect(t, call(t, "POST", org+"/groups", a.Token, map[string]any{"name": "Packers", "userIds": []string{c.UserID}}), http.StatusOK).JSON(t)
	expect(t, call(t, "POST", org+"/tasks", a.Token, map[string]any{"name": "Mine", "assigneeId": b.UserID}), http.StatusOK)
	expect(t, call(t, "POST", org+"/tasks", a.Token, map[string]any{"name": "Group's", "candidateGroupIds": []string{g["id"].(string)}}), http.StatusOK)
	caseID := expect(t, call(t, "POST", org+"/cases", a.Token, map[string]any{"name": "Read ahead"}), http.StatusOK).JSON(t)["id"].(string)
	otherCase := expect(t, call(t, "POST", "/api/v1/"+outsider.OrgKey+"/cases", outsider.Token, map[string]any{"name": "Elsewhere"}), http.StatusOK).JSON(t)["id"].(string)
	wf := publish(t, a, twoStepWorkflow)
	otherWf := publish(t, outsider, twoStepWorkflow)
	start := org + "/engine/workflow/instances"
	openTask := func() string { // a task of b's, to complete
		return expect(t, call(t, "POST", org+"/tasks", a.Token, map[string]any{"name": "To complete", "assigneeId": b.UserID}), http.StatusOK).JSON(t)["id"].(string)
	}
	outsidersTask := expect(t, call(t, "POST", "/api/v1/"+outsider.OrgKey+"/tasks", outsider.Token, map[string]any{"name": "Theirs"}), http.StatusOK).JSON(t)["id"].(string)
	for i := 0; i < 3; i++ { // warm: the organization's key is known
		if got := expect(t, call(t, "GET", org+"/cases/"+caseID, b.Token, nil), http.StatusOK).JSON(t); got["name"] != "Read ahead" {
			t.Fatalf("b's case: %v", got)
		}
		expectError(t, call(t, "GET", org+"/cases/"+caseID, outsider.Token, nil), http.StatusNotFound)
		expectError(t, call(t, "GET", org+"/cases/"+otherCase, b.Token, nil), http.StatusNotFound)
		expectError(t, call(t, "GET", org+"/cases/000000000000000000000000", b.Token, nil), http.StatusNotFound)
		if got := show(pages(t, org+"/tasks?pagesize=10", b.Token)); got != "Mine" {
			t.Fatalf("b's tasks: %q", got)
		}
		if got := show(pages(t, org+"/tasks?pagesize=10", c.Token)); got != "Group's" {
			t.Fatalf("c's tasks (by the group): %q", got)
		}
		expectError(t, call(t, "GET", org+"/tasks", outsider.Token, nil), http.StatusNotFound)
		if got := expect(t, call(t, "GET", org, b.Token, nil), http.StatusOK).JSON(t); got["key"] != a.OrgKey {
			t.Fatalf("b's organization: %v", got)
		}
		expectError(t, call(t, "GET", org, outsider.Token, nil), http.StatusNotFound)
	}
	// Then (the instances' unassigned tasks would join the lists above):
	for i := 0; i < 3; i++ {
		inst := expect(t, call(t, "POST", start, b.Token, map[string]any{"sourceWorkflowId": wf}), http.StatusOK).JSON(t)
		if inst["caseId"] == nil || inst["caseId"] == "" {
			t.Fatalf("b's instance has no case: %v", inst)
		}
		expectError(t, call(t, "POST", start, outsider.Token, map[string]any{"sourceWorkflowId": wf}), http.StatusNotFound)
		expectError(t, call(t, "POST", start, outsider.Token, "{not json"), http.StatusNotFound)
		expectError(t, call(t, "POST", start, b.Token, "{not json"), http.StatusBadRequest)
		expectError(t, call(t, "POST", start, b.Token, map[string]any{"sourceWorkflowId": otherWf}), http.StatusNotFound)
		mine := openTask()
		expectError(t, call(t, "POST", org+"/tasks/"+mine+"/complete", outsider.Token, nil), http.StatusNotFound)
		expectError(t, call(t, "POST", org+"/tasks/"+mine+"/complete", outsider.Token, "{not json"), http.StatusNotFound)
		expectError(t, call(t, "POST", org+"/tasks/"+outsidersTask+"/complete", b.Token, nil), http.StatusNotFound)
		expectError(t, call(t, "POST", org+"/tasks/"+mine+"/complete", b.Token, "{not json"), http.StatusBadRequest)
		if got := expect(t, call(t, "POST", org+"/tasks/"+mine+"/complete", b.Token, nil), http.StatusOK).JSON(t); got["completed"] != true {
			t.Fatalf("b's completion: %v", got)
		}
		expectError(t, call(t, "POST", org+"/tasks/"+mine+"/complete", b.Token, nil), http.StatusConflict)
	}
	left := openTask()
	expect(t, call(t, "DELETE", org+"/users/"+b.UserID, a.Token, nil), http.StatusNoContent)
	expectError(t, call(t, "GET", org, b.Token, nil), http.StatusNotFound)
	expectError(t, call(t, "POST", start, b.Token, map[string]any{"sourceWorkflowId": wf}), http.StatusNotFound)
	expectError(t, call(t, "POST", org+"/tasks/"+left+"/complete", b.Token, nil), http.StatusNotFound)
	expectError(t, call(t, "POST", org+"/tasks/"+left+"/complete", b.Token, "{not json"), http.StatusNotFound)
	expectError(t, call(t, "POST", start, "", map[string]any{"sourceWorkflowId": wf}), http.StatusUnauthorized)
	expectError(t, call(t, "GET", org, "", nil), http.StatusUnauthorized)
	expectError(t, call(t, "GET", org+"/tasks", b.Token, nil), http.StatusNotFound)
	expectError(t, call(t, "GET", org+"/cases/"+caseID, b.Token, nil), http.StatusNotFound)
	expectError(t, call(t, "GET", org+"/tasks", "", nil), http.StatusUnauthorized)
	expectError(t, call(t, "GET", org+"/cases/"+caseID, "", nil), http.StatusUnauthorized)
}
