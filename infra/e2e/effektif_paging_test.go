package e2e

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/effektif-serverless/caseflow/shared/casework"
	"github.com/effektif-serverless/caseflow/shared/store"
	"github.com/effektif-serverless/caseflow/shared/store/workstore"
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

// TestCaseTasksPageByCursor: a case's task list comes in pages that fill
// to their size, open tasks first, then completed ones (newest first in
// each), the completed filter a key of the store; each page but the last
// has a cursor, and a cursor the list (this case's, with this filter) did
// not give, or a bad pagesize, is a 400 in the Effektif error shape.
func TestCaseTasksPageByCursor(t *testing.T) {
	a := signUp(t, "Case Paging Admin")
	b := signUp(t, "Case Paging Member")
	joinAsMember(t, a, b)
	org := "/api/v1/" + a.OrgKey
	caseID := expect(t, call(t, "POST", org+"/cases", a.Token, map[string]any{"name": "Paged case"}), http.StatusOK).JSON(t)["id"].(string)
	other := expect(t, call(t, "POST", org+"/cases", a.Token, map[string]any{"name": "Other case"}), http.StatusOK).JSON(t)["id"].(string)
	var taskIDs []string
	for i := 1; i <= 7; i++ {
		task := expect(t, call(t, "POST", org+"/tasks", a.Token, map[string]any{"name": fmt.Sprintf("T%d", i), "caseId": caseID, "assigneeId": b.UserID}), http.StatusOK).JSON(t)
		taskIDs = append(taskIDs, task["id"].(string))
	}
	expect(t, call(t, "POST", org+"/tasks", a.Token, map[string]any{"name": "Elsewhere", "caseId": other}), http.StatusOK)
	for _, id := range taskIDs[:2] {
		expect(t, call(t, "POST", org+"/tasks/"+id+"/complete", b.Token, nil), http.StatusOK)
	}
	list := org + "/cases/" + caseID + "/tasks"
	for query, want := range map[string]string{
		"?pagesize=3":                 "T7,T6,T5 | T4,T3,T2 | T1",
		"?pagesize=7":                 "T7,T6,T5,T4,T3,T2,T1",
		"?completed=false&pagesize=2": "T7,T6 | T5,T4 | T3",
		"?completed=false&pagesize=5": "T7,T6,T5,T4,T3",
		"?completed=true&pagesize=1":  "T2 | T1",
		"?completed=true":             "T2,T1",
	} {
		if got := show(pages(t, list+query, b.Token)); got != want {
			t.Errorf("case tasks%s: %s, want %s", query, got, want)
		}
	}
	// A client that sends no cursor gets the first page, as before.
	r := expect(t, call(t, "GET", list, b.Token, nil), http.StatusOK)
	if r.Header.Get("X-Caseflow-Next-Cursor") != "" || strings.Count(string(r.Body), `"name":"T`) != 7 {
		t.Fatalf("the whole list in one page: %s %v", r.Body, r.Header)
	}
	// The case detail embeds the same list (open first).
	var detail struct {
		Tasks []map[string]any `json:"tasks"`
	}
	d := expect(t, call(t, "GET", org+"/cases/"+caseID, b.Token, nil), http.StatusOK)
	decodeJSON(t, d.Body, &detail)
	if len(detail.Tasks) != 7 || detail.Tasks[0]["name"] != "T7" || detail.Tasks[6]["name"] != "T1" || d.Header.Get("X-Caseflow-Truncated") != "" {
		t.Fatalf("the case detail's tasks: %v", detail.Tasks)
	}

	next := func(path string) string {
		t.Helper()
		c := expect(t, call(t, "GET", path, b.Token, nil), http.StatusOK).Header.Get("X-Caseflow-Next-Cursor")
		if c == "" {
			t.Fatalf("%s: no cursor", path)
		}
		return c
	}
	openCursor := next(list + "?completed=false&pagesize=1")
	allCursor := next(list + "?pagesize=1")
	tasksCursor := next(org + "/tasks?pagesize=1")
	expect(t, call(t, "POST", org+"/tasks", a.Token, map[string]any{"name": "Other 2", "caseId": other}), http.StatusOK)
	otherCursor := next(org + "/cases/" + other + "/tasks?pagesize=1")
	for _, bad := range []string{
		"?cursor=nope", "?cursor=" + url.QueryEscape(openCursor+"x"), "?cursor=" + strings.Repeat("A", 300),
		"?completed=true&cursor=" + url.QueryEscape(openCursor), // of the open part
		"?cursor=" + url.QueryEscape(tasksCursor),               // of the caller's task list
		"?cursor=" + url.QueryEscape(otherCursor),               // of another case
		"?pagesize=-1", "?pagesize=ten", "?completed=maybe",
	} {
		if e := expectError(t, call(t, "GET", list+bad, b.Token, nil), http.StatusBadRequest); e["message"] == "" {
			t.Errorf("%s: %v", bad, e)
		}
	}
	// The cursors the list gave go on: after T7 in the open part and in
	// the whole list.
	if got := show(pages(t, list+"?completed=false&pagesize=10&cursor="+url.QueryEscape(openCursor), b.Token)); got != "T6,T5,T4,T3" {
		t.Errorf("open after T7: %s", got)
	}
	if got := show(pages(t, list+"?pagesize=10&cursor="+url.QueryEscape(allCursor), b.Token)); got != "T6,T5,T4,T3,T2,T1" {
		t.Errorf("all after T7: %s", got)
	}
}

// createCaseTasks creates n tasks of the case, assigned to the assignee.
func createCaseTasks(t *testing.T, org, token, caseID, assigneeID string, n int) []string {
	t.Helper()
	ids := make([]string, n)
	for i := range ids {
		ids[i] = expect(t, call(t, "POST", org+"/tasks", token, map[string]any{"name": fmt.Sprintf("T%d", i), "caseId": caseID, "assigneeId": assigneeID}), http.StatusOK).JSON(t)["id"].(string)
	}
	return ids
}

// caseWithTasks signs up an admin a and a member b of a's organization
// (names beginning with who) and makes a case of a's with n tasks assigned
// to b.
func caseWithTasks(t *testing.T, who string, n int) (a, b account, caseID string, taskIDs []string) {
	t.Helper()
	a, b = signUp(t, who+" Admin"), signUp(t, who+" Member")
	joinAsMember(t, a, b)
	org := "/api/v1/" + a.OrgKey
	caseID = expect(t, call(t, "POST", org+"/cases", a.Token, map[string]any{"name": who + " case"}), http.StatusOK).JSON(t)["id"].(string)
	return a, b, caseID, createCaseTasks(t, org, a.Token, caseID, b.UserID, n)
}

// TestClosingACaseCancelsManyOpenTasks: closing a case cancels all its
// open tasks, also more than one transaction holds (120 tasks with an
// assignee and a creator: 4 items each, 25 a transaction),
// and a canceled task leaves every task list; deleting a case deletes all
// its tasks, also more than one transaction holds.
func TestClosingACaseCancelsManyOpenTasks(t *testing.T) {
	const n = 120
	a, b, caseID, taskIDs := caseWithTasks(t, "Closing", n)
	org := "/api/v1/" + a.OrgKey
	expect(t, call(t, "POST", org+"/tasks/"+taskIDs[0]+"/complete", b.Token, nil), http.StatusOK)
	if got := show(pages(t, org+"/tasks?pagesize=500", b.Token)); strings.Count(got, ",") != n-1 {
		t.Fatalf("b's %d tasks: %s", n, got)
	}
	start := time.Now()
	closed := expect(t, call(t, "POST", org+"/cases/"+caseID+"/close", a.Token, nil), http.StatusOK).JSON(t)
	t.Logf("closing a case with %d open tasks: %v", n-1, time.Since(start))
	if closed["closed"] != true {
		t.Fatalf("the case: %v", closed)
	}
	// Only the completed one is left in the lists (b's as the assignee,
	// a's as the creator).
	for _, l := range []struct{ token, query, want string }{
		{b.Token, "", "T0"}, {b.Token, "&completed=false", ""}, {b.Token, "&completed=true", "T0"},
		{a.Token, "", ""}, {a.Token, "&involvement=created", "T0"}, {a.Token, "&involvement=created&completed=false", ""},
	} {
		if got := show(pages(t, org+"/tasks?pagesize=50"+l.query, l.token)); got != l.want {
			t.Errorf("tasks%s after the close: %s, want %s", l.query, got, l.want)
		}
	}
	list := org + "/cases/" + caseID + "/tasks"
	if got := show(pages(t, list+"?completed=false&pagesize=50", a.Token)); got != "" {
		t.Errorf("open tasks of the closed case: %s", got)
	}
	if got := show(pages(t, list+"?completed=true&pagesize=50", a.Token)); got != "T0" {
		t.Errorf("completed tasks of the closed case: %s", got)
	}
	canceled := 0
	for _, p := range pages(t, list+"?pagesize=50", a.Token) {
		canceled += len(p)
	}
	var tasks []map[string]any
	decodeJSON(t, expect(t, call(t, "GET", list+"?pagesize=500", a.Token, nil), http.StatusOK).Body, &tasks)
	if canceled != n || len(tasks) != n || tasks[0]["name"] != "T0" || tasks[1]["canceled"] != true || tasks[n-1]["canceled"] != true {
		t.Fatalf("the case's tasks: %d in pages, %d, %v", canceled, len(tasks), tasks[0])
	}
	var evs []map[string]any
	decodeJSON(t, expect(t, call(t, "GET", org+"/cases/"+caseID+"/events?type=taskCanceled&pagesize=500", a.Token, nil), http.StatusOK).Body, &evs)
	if len(evs) != n-1 {
		t.Errorf("taskCanceled events: %d, want %d", len(evs), n-1)
	}
	expectError(t, call(t, "POST", org+"/cases/"+caseID+"/close", a.Token, nil), http.StatusConflict)

	// Deleting a case with more tasks than one transaction holds.
	doomed := expect(t, call(t, "POST", org+"/cases", a.Token, map[string]any{"name": "Doomed case"}), http.StatusOK).JSON(t)["id"].(string)
	doomedTasks := createCaseTasks(t, org, a.Token, doomed, b.UserID, 60)
	start = time.Now()
	expect(t, call(t, "DELETE", org+"/cases/"+doomed, a.Token, nil), http.StatusNoContent)
	t.Logf("deleting a case with 60 tasks: %v", time.Since(start))
	for _, id := range doomedTasks {
		expectError(t, call(t, "GET", org+"/tasks/"+id, a.Token, nil), http.StatusNotFound)
	}
	expectError(t, call(t, "GET", org+"/cases/"+doomed, a.Token, nil), http.StatusNotFound)
	if got := show(pages(t, org+"/tasks?pagesize=50", b.Token)); got != "T0" {
		t.Errorf("b's tasks after the delete (the closed case's completed one): %s", got)
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

// cutOff is the local stack's store whose Commit fails once left commits
// went through: a request cut off between the steps of a long operation.
type cutOff struct {
	casework.Store
	left int
}

func (c *cutOff) Commit(ctx context.Context, ch casework.Changes) error {
	if c.left == 0 {
		return errors.New("cut off")
	}
	c.left--
	return c.Store.Commit(ctx, ch)
}

// TestClosingACaseGoesOnAfterACutOff: a close of a case with more open
// tasks than one transaction holds that fails between its steps leaves the
// case open with the tasks of the steps done canceled; closing it again
// goes on from there, and every task is canceled once (one taskCanceled
// event each).
func TestClosingACaseGoesOnAfterACutOff(t *testing.T) {
	const n = 60
	a, _, caseID, _ := caseWithTasks(t, "Cut-off", n)
	org := "/api/v1/" + a.OrgKey

	id := benchServiceWith(t, func(*aws.Config) {})
	ctx := context.Background()
	svc := &casework.Service{Identity: id, Store: &cutOff{Store: workstore.New(id.Store.(*store.DB)), left: 1}, Mail: id.Mail}
	if _, err := svc.EndCase(ctx, inOrg(t, ctx, id, a), caseID, false); err == nil || !strings.Contains(err.Error(), "cut off") {
		t.Fatalf("the cut-off close: %v", err)
	}
	list := org + "/cases/" + caseID + "/tasks?pagesize=500"
	count := func(query string) int {
		var tasks []map[string]any
		decodeJSON(t, expect(t, call(t, "GET", list+query, a.Token, nil), http.StatusOK).Body, &tasks)
		return len(tasks)
	}
	open := count("&completed=false")
	if c := expect(t, call(t, "GET", org+"/cases/"+caseID, a.Token, nil), http.StatusOK).JSON(t); c["closed"] != false || open == 0 || open >= n {
		t.Fatalf("after the cut-off: closed %v, %d of %d tasks open", c["closed"], open, n)
	}
	t.Logf("one step canceled %d tasks", n-open)
	expect(t, call(t, "POST", org+"/cases/"+caseID+"/close", a.Token, nil), http.StatusOK)
	var evs []map[string]any
	decodeJSON(t, expect(t, call(t, "GET", org+"/cases/"+caseID+"/events?type=taskCanceled&pagesize=500", a.Token, nil), http.StatusOK).Body, &evs)
	if open := count("&completed=false"); open != 0 || count("") != n || len(evs) != n {
		t.Fatalf("after closing again: %d open of %d, %d taskCanceled events", open, count(""), len(evs))
	}
}
