package e2e

import (
	"fmt"
	"net/http"
	"sort"
	"strings"
	"testing"
)

// addMember invites a new address into a's organization as a plain member,
// follows the invitation mail and answers the member's account.
func addMember(t testing.TB, a account, firstName string) account {
	t.Helper()
	m := account{Email: uniqueEmail(strings.ToLower(firstName)), Password: "pass-" + uniqueEmail("member-pw"), OrgKey: a.OrgKey, OrgID: a.OrgID}
	rememberPassword(m.Password)
	expect(t, call(t, "POST", "/api/v1/"+a.OrgKey+"/users", a.Token, map[string]any{"emailAddress": m.Email, "firstName": firstName}), http.StatusOK)
	mails := mailsTo(t, m.Email)
	if len(mails) == 0 {
		t.Fatalf("no invitation mail to %s", m.Email)
	}
	code := codeInMail.FindStringSubmatch(mails[len(mails)-1].Body.Text)
	if code == nil {
		t.Fatalf("no code in the invitation: %q", mails[len(mails)-1].Body.Text)
	}
	login := expect(t, call(t, "POST", "/api/v1/registrations/"+code[1]+"/activate", "", map[string]any{"password": m.Password}), http.StatusOK).JSON(t)
	m.Token = login["token"].(string)
	m.UserID = login["user"].(map[string]any)["id"].(string)
	return m
}

// createGroup makes a group of the organization and answers its id.
func createGroup(t testing.TB, a account, name string, userIDs ...string) string {
	t.Helper()
	g := expect(t, call(t, "POST", "/api/v1/"+a.OrgKey+"/groups", a.Token, map[string]any{"name": name, "userIds": append([]string{}, userIDs...)}), http.StatusOK).JSON(t)
	return g["id"].(string)
}

// TestOnlyMembersAndGroupsOfTheOrganization: tasks, cases and workflow
// versions name only members and groups of their own organization.
func TestOnlyMembersAndGroupsOfTheOrganization(t *testing.T) {
	a := signUp(t, "People Home")
	other := signUp(t, "People Elsewhere")
	org := "/api/v1/" + a.OrgKey
	ownGroup := createGroup(t, a, "Buyers", a.UserID)
	foreignGroup := createGroup(t, other, "Strangers", other.UserID)

	// Tasks: 400 naming the field, for users and groups alike.
	for field, bad := range map[string]map[string]any{
		"assigneeId":        {"name": "x", "assigneeId": other.UserID},
		"candidateIds":      {"name": "x", "candidateIds": []string{a.UserID, other.UserID}},
		"candidateGroupIds": {"name": "x", "candidateGroupIds": []string{foreignGroup}},
	} {
		if e := expectError(t, call(t, "POST", org+"/tasks", a.Token, bad), http.StatusBadRequest); e["field"] != field {
			t.Errorf("%s: %v", field, e)
		}
	}
	for _, bad := range []string{"not-a-group", strings.Repeat("f", 2000)} {
		expectError(t, call(t, "POST", org+"/tasks", a.Token, map[string]any{"name": "x", "candidateGroupIds": []string{bad}}), http.StatusBadRequest)
	}
	task := expect(t, call(t, "POST", org+"/tasks", a.Token, map[string]any{"name": "Buy", "candidateGroupIds": []string{ownGroup}}), http.StatusOK).JSON(t)
	taskID := task["id"].(string)
	if e := expectError(t, call(t, "PUT", org+"/tasks/"+taskID, a.Token, map[string]any{"candidateGroupIds": []string{foreignGroup}}), http.StatusBadRequest); e["field"] != "candidateGroupIds" {
		t.Errorf("update candidate groups: %v", e)
	}
	expectError(t, call(t, "PUT", org+"/tasks/"+taskID, a.Token, map[string]any{"assigneeId": other.UserID}), http.StatusBadRequest)
	if got := expect(t, call(t, "GET", org+"/tasks/"+taskID, a.Token, nil), http.StatusOK).JSON(t); fmt.Sprint(got["candidateGroupIds"]) != "["+ownGroup+"]" || got["assigneeId"] != nil {
		t.Fatalf("a refused update changed the task: %v", got)
	}

	// Cases: participants.
	if e := expectError(t, call(t, "POST", org+"/cases", a.Token, map[string]any{"name": "c", "participantIds": []string{other.UserID}}), http.StatusBadRequest); e["field"] != "participantIds" {
		t.Errorf("case participants: %v", e)
	}
	c := expect(t, call(t, "POST", org+"/cases", a.Token, map[string]any{"name": "c"}), http.StatusOK).JSON(t)
	expectError(t, call(t, "PUT", org+"/cases/"+c["id"].(string), a.Token, map[string]any{"participantIds": []string{other.UserID}}), http.StatusBadRequest)

	// Workflow versions: 422 naming every element.
	definition := func(user, group string) string {
		return fmt.Sprintf(`{"name": "Purchase",
		  "variables": [{"id": "buyer", "type": {"name": "userId"}, "defaultValue": %q}],
		  "activities": [{"type": "startEvent", "id": "start"},
		    {"type": "userTask", "id": "approve", "name": "Approve", "assigneeId": {"value": %q}, "candidateGroupIds": [{"value": %q}]},
		    {"type": "email", "id": "notify", "toUserIds": [{"value": %q}], "subject": "Done"},
		    {"type": "endEvent", "id": "end"}],
		  "transitions": [{"fromId": "start", "toId": "approve"}, {"fromId": "approve", "toId": "notify"}, {"fromId": "notify", "toId": "end"}]}`,
			user, user, group, user)
	}
	base := org + "/workflows"
	bad := expect(t, call(t, "POST", base, a.Token, definition(other.UserID, foreignGroup)), http.StatusOK).JSON(t)
	e := expectError(t, call(t, "POST", base+"/"+bad["id"].(string)+"/versions", a.Token, map[string]any{"commitMessage": "v1"}), http.StatusUnprocessableEntity)
	msg := e["message"].(string)
	for _, want := range []string{"approve: assigneeId: user", "approve: candidateGroupIds: group", "notify: toUserIds: user", "buyer: defaultValue: user", other.UserID, foreignGroup} {
		if !strings.Contains(msg, want) {
			t.Errorf("the 422 does not name %q: %s", want, msg)
		}
	}
	details, _ := e["details"].([]any)
	if len(details) != 4 || details[0].(map[string]any)["type"] != "notAMember" {
		t.Errorf("details: %v", e["details"])
	}
	if vs := expect(t, call(t, "GET", base+"/"+bad["id"].(string)+"/versions", a.Token, nil), http.StatusOK); string(vs.Body) != "[]\n" {
		t.Errorf("a refused version was stored: %s", vs.Body)
	}
	good := expect(t, call(t, "POST", base, a.Token, definition(a.UserID, ownGroup)), http.StatusOK).JSON(t)
	expect(t, call(t, "POST", base+"/"+good["id"].(string)+"/versions", a.Token, map[string]any{"commitMessage": "v1"}), http.StatusOK)

	// At run time a user variable filled with another organization's user
	// assigns nobody.
	wfID := publish(t, a, `{"name": "Review", "enableCases": true,
	  "variables": [{"id": "reviewer", "type": {"name": "userId"}}],
	  "activities": [{"type": "startEvent", "id": "start"},
	    {"type": "userTask", "id": "review", "name": "Review", "assigneeId": {"expression": "reviewer"}},
	    {"type": "endEvent", "id": "end"}],
	  "transitions": [{"fromId": "start", "toId": "review"}, {"fromId": "review", "toId": "end"}]}`)
	inst := expect(t, call(t, "POST", org+"/engine/workflow/instances", a.Token, map[string]any{"sourceWorkflowId": wfID, "data": map[string]any{"reviewer": other.UserID}}), http.StatusOK).JSON(t)
	if review := openTasks(t, a, inst["caseId"].(string))["Review"]; review == nil || review["assigneeId"] != nil {
		t.Fatalf("the task of a foreign reviewer: %v", review)
	}
}

// TestReassigningIsForTheAssigneeCandidatesAndAdmins: a plain member
// cannot take over a task that is someone else's.
func TestReassigningIsForTheAssigneeCandidatesAndAdmins(t *testing.T) {
	admin := signUp(t, "Reassign Rules")
	m1 := addMember(t, admin, "Mia")
	m2 := addMember(t, admin, "Max")
	org := "/api/v1/" + admin.OrgKey
	newTask := func(by account, fields map[string]any) string {
		fields["name"] = "Task"
		return expect(t, call(t, "POST", org+"/tasks", by.Token, fields), http.StatusOK).JSON(t)["id"].(string)
	}
	put := func(by account, id string, fields map[string]any) response {
		return call(t, "PUT", org+"/tasks/"+id, by.Token, fields)
	}

	// A task of the admin: the member can neither take it nor complete it.
	ofAdmin := newTask(admin, map[string]any{"assigneeId": admin.UserID})
	expectError(t, put(m1, ofAdmin, map[string]any{"assigneeId": m1.UserID}), http.StatusForbidden)
	expectError(t, put(m1, ofAdmin, map[string]any{"assigneeId": ""}), http.StatusForbidden)
	expectError(t, put(m1, ofAdmin, map[string]any{"candidateIds": []string{m1.UserID}}), http.StatusForbidden)
	expectError(t, call(t, "POST", org+"/tasks/"+ofAdmin+"/complete", m1.Token, nil), http.StatusForbidden)
	// Other fields stay open to members.
	expect(t, put(m1, ofAdmin, map[string]any{"description": "a note"}), http.StatusOK)
	if got := expect(t, call(t, "GET", org+"/tasks/"+ofAdmin, admin.Token, nil), http.StatusOK).JSON(t); got["assigneeId"] != admin.UserID || got["completed"] != false {
		t.Fatalf("the admin's task changed hands: %v", got)
	}

	// A task of another member: the same; its assignee hands it on.
	ofM2 := newTask(admin, map[string]any{"assigneeId": m2.UserID})
	expectError(t, put(m1, ofM2, map[string]any{"assigneeId": m1.UserID}), http.StatusForbidden)
	expect(t, put(m2, ofM2, map[string]any{"assigneeId": m1.UserID}), http.StatusOK)
	expect(t, call(t, "POST", org+"/tasks/"+ofM2+"/complete", m1.Token, nil), http.StatusOK)

	// An unassigned task with candidates: a candidate takes it, others not;
	// a member of a candidate group counts as a candidate.
	forM2 := newTask(admin, map[string]any{"candidateIds": []string{m2.UserID}})
	expectError(t, put(m1, forM2, map[string]any{"assigneeId": m1.UserID}), http.StatusForbidden)
	expectError(t, put(m1, forM2, map[string]any{"candidateIds": []string{m1.UserID}}), http.StatusForbidden)
	expect(t, put(m2, forM2, map[string]any{"assigneeId": m2.UserID}), http.StatusOK)
	group := createGroup(t, admin, "Mia's team", m1.UserID)
	forGroup := newTask(admin, map[string]any{"candidateGroupIds": []string{group}})
	expectError(t, put(m2, forGroup, map[string]any{"assigneeId": m2.UserID}), http.StatusForbidden)
	expect(t, put(m1, forGroup, map[string]any{"assigneeId": m1.UserID}), http.StatusOK)

	// An unassigned task without candidates is anyone's; admins reassign
	// every task.
	anyones := newTask(m2, map[string]any{})
	expect(t, put(m1, anyones, map[string]any{"assigneeId": m1.UserID}), http.StatusOK)
	expect(t, put(admin, anyones, map[string]any{"assigneeId": m2.UserID}), http.StatusOK)
	expect(t, put(admin, ofAdmin, map[string]any{"assigneeId": m1.UserID}), http.StatusOK)
}

// TestPrivateDraftStartsLikeAnUnknownOne: starting another member's
// private draft answers exactly as an unknown id does.
func TestPrivateDraftStartsLikeAnUnknownOne(t *testing.T) {
	admin := signUp(t, "Private Start")
	owner := addMember(t, admin, "Olli")
	stranger := addMember(t, admin, "Sami")
	org := "/api/v1/" + admin.OrgKey
	base := org + "/workflows"
	private := func(publishIt bool) (string, string) {
		def := `{"name": "Secret", "isPrivate": true, "activities": [{"type": "startEvent", "id": "s"}, {"type": "endEvent", "id": "e"}],
		  "transitions": [{"fromId": "s", "toId": "e"}]}`
		id := expect(t, call(t, "POST", base, owner.Token, def), http.StatusOK).JSON(t)["id"].(string)
		if !publishIt {
			return id, ""
		}
		v := expect(t, call(t, "POST", base+"/"+id+"/versions", owner.Token, nil), http.StatusOK).JSON(t)["id"].(string)
		expect(t, call(t, "POST", base+"/"+id+"/versions/"+v+"/publish", owner.Token, nil), http.StatusOK)
		return id, v
	}
	unpublished, _ := private(false)
	published, version := private(true)
	const unknown = "0123456789abcdef01234567"
	same := func(what string, r response, id string, ref response) {
		t.Helper()
		got := expectError(t, r, ref.Status)
		want := ref.JSON(t)
		if strings.ReplaceAll(got["message"].(string), id, unknown) != want["message"] || got["code"] != want["code"] || got["field"] != want["field"] || len(got) != len(want) {
			t.Errorf("%s: %s, an unknown id: %s", what, r.Body, ref.Body)
		}
	}
	start := func(by account, field, id string) response {
		return call(t, "POST", org+"/engine/workflow/instances", by.Token, map[string]any{field: id})
	}
	unknownDraft := start(stranger, "sourceWorkflowId", unknown)
	expectError(t, unknownDraft, http.StatusNotFound)
	same("unpublished", start(stranger, "sourceWorkflowId", unpublished), unpublished, unknownDraft)
	same("published", start(stranger, "sourceWorkflowId", published), published, unknownDraft)
	same("version", start(stranger, "workflowId", version), version, start(stranger, "workflowId", unknown))
	asCase := func(id string) response {
		return call(t, "POST", org+"/cases", stranger.Token, map[string]any{"name": "c", "triggerInstance": map[string]any{"sourceWorkflowId": id}})
	}
	same("case", asCase(published), published, asCase(unknown))
	// The owner and admins see it: 409 without a published version, else it starts.
	expectError(t, start(owner, "sourceWorkflowId", unpublished), http.StatusConflict)
	expect(t, start(owner, "sourceWorkflowId", published), http.StatusOK)
	expect(t, start(admin, "workflowId", version), http.StatusOK)
}

// TestScriptTasksAreBounded: a script that keeps doubling a text fails
// with a clear 422, in the test route and in a running workflow, quickly,
// and stores nothing.
func TestScriptTasksAreBounded(t *testing.T) {
	a := signUp(t, "Script Bounds")
	org := "/api/v1/" + a.OrgKey
	doubling := `a = \"x\"` + strings.Repeat(`\na = a + a`, 27)
	def := `{"name": "Grow", "enableCases": true, "variables": [{"id": "a", "type": {"name": "text"}}],
	  "activities": [{"type": "startEvent", "id": "s"}, {"type": "scriptTask", "id": "grow", "script": {"script": "` + doubling + `"}},
	    {"type": "endEvent", "id": "e"}],
	  "transitions": [{"fromId": "s", "toId": "grow"}, {"fromId": "grow", "toId": "e"}]}`
	id := publish(t, a, def)
	e := expectError(t, call(t, "POST", org+"/workflows/"+id+"/activities/grow/test", a.Token, nil), http.StatusUnprocessableEntity)
	if msg := e["message"].(string); !strings.Contains(msg, "script of grow, line 18") || !strings.Contains(msg, "script limit") {
		t.Errorf("test route: %v", e)
	}
	e = expectError(t, call(t, "POST", org+"/engine/workflow/instances", a.Token, map[string]any{"sourceWorkflowId": id}), http.StatusUnprocessableEntity)
	if !strings.Contains(e["message"].(string), "more than the 65536 a script may build") {
		t.Errorf("start: %v", e)
	}
	// A loop without a wait state around a doubling script.
	loop := publish(t, a, `{"name": "Loop", "enableCases": true, "variables": [{"id": "a", "type": {"name": "text"}, "defaultValue": "x"}],
	  "activities": [{"type": "startEvent", "id": "s"}, {"type": "scriptTask", "id": "grow", "script": {"script": "a = a + a"}},
	    {"type": "exclusiveGateway", "id": "again"}],
	  "transitions": [{"fromId": "s", "toId": "grow"}, {"fromId": "grow", "toId": "again"}, {"fromId": "again", "toId": "grow"}]}`)
	e = expectError(t, call(t, "POST", org+"/engine/workflow/instances", a.Token, map[string]any{"sourceWorkflowId": loop}), http.StatusUnprocessableEntity)
	if !strings.Contains(e["message"].(string), "script of grow") {
		t.Errorf("loop: %v", e)
	}
	if counts := expect(t, call(t, "GET", org+"/info/cases", a.Token, nil), http.StatusOK).JSON(t); counts["total"] != 0.0 {
		t.Errorf("a failed start left cases: %v", counts)
	}
}

// TestListsStayWithinTheResponseBudget: large drafts are refused beyond
// the draft limit, and lists are cut by size with headers that say where
// to go on.
func TestListsStayWithinTheResponseBudget(t *testing.T) {
	a := signUp(t, "Big Lists")
	org := "/api/v1/" + a.OrgKey
	draft := func(name string, size int) string {
		return fmt.Sprintf(`{"name": %q, "description": %q}`, name, strings.Repeat("lorem ipsum ", size/12))
	}
	expectError(t, call(t, "POST", org+"/workflows", a.Token, draft("Huge", 3_500_000)), http.StatusRequestEntityTooLarge)
	small := expect(t, call(t, "POST", org+"/workflows", a.Token, draft("Small", 100)), http.StatusOK).JSON(t)["id"].(string)
	expectError(t, call(t, "PUT", org+"/workflows/"+small, a.Token, draft("Huge", 3_500_000)), http.StatusRequestEntityTooLarge)
	for _, n := range []string{"Big 1", "Big 2", "Big 3"} {
		expect(t, call(t, "POST", org+"/workflows", a.Token, draft(n, 900_000)), http.StatusOK)
	}
	var names []string
	offset := "0"
	for pages := 0; offset != ""; pages++ {
		if pages > 5 {
			t.Fatal("the list does not end")
		}
		r := expect(t, call(t, "GET", org+"/workflows?offset="+offset, a.Token, nil), http.StatusOK)
		if len(r.Body) > 1<<20+1024 {
			t.Fatalf("a page of %d bytes", len(r.Body))
		}
		var page []map[string]any
		decodeJSON(t, r.Body, &page)
		for _, w := range page {
			names = append(names, w["name"].(string))
		}
		offset = r.Header.Get("X-Caseflow-Next-Offset")
		if (offset == "") != (r.Header.Get("X-Caseflow-Truncated") == "") {
			t.Fatalf("headers: %v", r.Header)
		}
	}
	sort.Strings(names)
	if strings.Join(names, ",") != "Big 1,Big 2,Big 3,Small" {
		t.Fatalf("drafts over the pages: %v", names)
	}

	// Cases and tasks of 60 KB each: the lists are cut, and say so.
	props := strings.Repeat("z", 60_000)
	for i := 0; i < 20; i++ {
		expect(t, call(t, "POST", org+"/cases", a.Token, map[string]any{"name": fmt.Sprint("case ", i), "notes": props}), http.StatusOK)
		expect(t, call(t, "POST", org+"/tasks", a.Token, map[string]any{"name": fmt.Sprint("task ", i), "assigneeId": a.UserID, "notes": props}), http.StatusOK)
	}
	for _, path := range []string{"/cases", "/tasks"} {
		r := expect(t, call(t, "GET", org+path, a.Token, nil), http.StatusOK)
		var list []map[string]any
		decodeJSON(t, r.Body, &list)
		if len(list) == 0 || len(list) >= 20 || r.Header.Get("X-Caseflow-Truncated") != fmt.Sprint(20-len(list)) || len(r.Body) > 1<<20+1024 {
			t.Errorf("%s: %d items, %d bytes, truncated %q", path, len(list), len(r.Body), r.Header.Get("X-Caseflow-Truncated"))
		}
	}
}

// TestHumanTextRefusesControlCharacters: comments, descriptions and
// commit messages refuse NUL and other control characters; line breaks
// and tabs stay.
func TestHumanTextRefusesControlCharacters(t *testing.T) {
	a := signUp(t, "Clean Text")
	org := "/api/v1/" + a.OrgKey
	c := expect(t, call(t, "POST", org+"/cases", a.Token, map[string]any{"name": "c"}), http.StatusOK).JSON(t)
	events := org + "/cases/" + c["id"].(string) + "/events"
	for _, bad := range []string{"nul \x00 inside", "bell \x07", "escape \x1b[31m"} {
		expectError(t, call(t, "POST", events, a.Token, map[string]any{"name": bad}), http.StatusBadRequest)
		expectError(t, call(t, "POST", org+"/cases", a.Token, map[string]any{"name": "c", "description": bad}), http.StatusBadRequest)
		expectError(t, call(t, "POST", org+"/tasks", a.Token, map[string]any{"name": "t", "description": bad}), http.StatusBadRequest)
	}
	expect(t, call(t, "POST", events, a.Token, map[string]any{"name": "line one\nline two\twith a tab"}), http.StatusOK)
	var evs []map[string]any
	decodeJSON(t, expect(t, call(t, "GET", events+"?type=comment", a.Token, nil), http.StatusOK).Body, &evs)
	if len(evs) != 1 {
		t.Fatalf("comments: %v", evs)
	}
	id := expect(t, call(t, "POST", org+"/workflows", a.Token, sampleWorkflow), http.StatusOK).JSON(t)["id"].(string)
	if e := expectError(t, call(t, "POST", org+"/workflows/"+id+"/versions", a.Token, map[string]any{"commitMessage": "v1\x00"}), http.StatusBadRequest); e["field"] != "commitMessage" {
		t.Errorf("commit message: %v", e)
	}
	expect(t, call(t, "POST", org+"/workflows/"+id+"/versions", a.Token, map[string]any{"commitMessage": "v1\nwith notes"}), http.StatusOK)
}

// TestEmailTasksHaveAnOrganizationQuota: the recipients of email tasks
// are counted per organization and hour; an operation beyond the quota
// fails with 429 and sends and stores nothing.
func TestEmailTasksHaveAnOrganizationQuota(t *testing.T) {
	a := signUp(t, "Mail Quota")
	org := "/api/v1/" + a.OrgKey
	var to []string
	for i := 0; i < 60; i++ {
		to = append(to, fmt.Sprintf(`{"value": %q}`, uniqueEmail("quota")))
	}
	id := publish(t, a, `{"name": "Newsletter", "enableCases": true,
	  "activities": [{"type": "startEvent", "id": "s"},
	    {"type": "email", "id": "send", "toEmailAddresses": [`+strings.Join(to, ",")+`], "subject": "News", "bodyText": "Read on."},
	    {"type": "endEvent", "id": "e"}],
	  "transitions": [{"fromId": "s", "toId": "send"}, {"fromId": "send", "toId": "e"}]}`)
	start := func() response {
		return call(t, "POST", org+"/engine/workflow/instances", a.Token, map[string]any{"sourceWorkflowId": id})
	}
	expect(t, start(), http.StatusOK)
	last := to[len(to)-1]
	last = last[len(`{"value": "`) : len(last)-2]
	if n := len(mailsTo(t, last)); n != 1 {
		first := to[0][len(`{"value": "`) : len(to[0])-2]
		t.Fatalf("mails of the first run: %d to %s, %d to %s", n, last, len(mailsTo(t, first)), first)
	}
	r := start()
	e := expectError(t, r, http.StatusTooManyRequests)
	if !strings.Contains(e["message"].(string), "100 mails per hour") || r.Header.Get("Retry-After") == "" {
		t.Errorf("quota answer: %v %v", e, r.Header)
	}
	if n := len(mailsTo(t, last)); n != 1 {
		t.Errorf("mails after the refused run: %d", n)
	}
	if counts := expect(t, call(t, "GET", org+"/info/cases", a.Token, nil), http.StatusOK).JSON(t); counts["total"] != 1.0 {
		t.Errorf("the refused run left a case: %v", counts)
	}
	// Another organization has its own quota.
	b := signUp(t, "Mail Quota Elsewhere")
	other := publish(t, b, `{"name": "One", "activities": [{"type": "startEvent", "id": "s"},
	    {"type": "email", "id": "send", "toEmailAddresses": [{"value": "someone@example.com"}], "subject": "Hi", "bodyText": "Hello."}, {"type": "endEvent", "id": "e"}],
	  "transitions": [{"fromId": "s", "toId": "send"}, {"fromId": "send", "toId": "e"}]}`)
	expect(t, call(t, "POST", "/api/v1/"+b.OrgKey+"/engine/workflow/instances", b.Token, map[string]any{"sourceWorkflowId": other}), http.StatusOK)
}
