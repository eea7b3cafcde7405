package e2e

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/effektif-serverless/caseflow/shared/identity"
	"github.com/effektif-serverless/caseflow/shared/store"
)

// joinAsMember makes b a plain member of a's organization, writing the
// membership straight to the table (invitations are another issue's).
func joinAsMember(t testing.TB, a, b account) {
	t.Helper()
	db := store.New(stack.AWS.DynamoDB(), "DataTable")
	err := db.PutMembership(context.Background(), identity.Membership{OrganizationID: a.OrgID, OrganizationKey: a.OrgKey, UserID: b.UserID, Role: identity.RoleMember})
	if err != nil {
		t.Fatal(err)
	}
}

const sampleWorkflow = `{
  "name": "Vacation",
  "description": "Ask for days off",
  "category": "HR",
  "customKey": {"kept": true},
  "variables": [{"id": "days", "type": {"name": "number"}}],
  "activities": [
    {"type": "startEvent", "id": "start"},
    {"type": "userTask", "id": "approve", "name": "Approve", "vendorHint": 7},
    {"type": "endEvent", "id": "end"}
  ],
  "transitions": [
    {"id": "t1", "from": "start", "to": "approve"},
    {"id": "t2", "fromId": "approve", "toId": "end"}
  ]
}`

func TestWorkflowDraftLifecycle(t *testing.T) {
	a := signUp(t, "Workflow Lifecycle")
	base := "/api/v1/" + a.OrgKey + "/workflows"

	created := expect(t, call(t, "POST", base, a.Token, sampleWorkflow), http.StatusOK).JSON(t)
	id, _ := created["id"].(string)
	if id == "" || created["ownerId"] != a.UserID || created["owner"].(map[string]any)["id"] != a.UserID ||
		created["category"] != "HR" || created["nameLower"] != "vacation" || created["changed"] != true {
		t.Fatalf("created: %v", created)
	}
	if created["customKey"].(map[string]any)["kept"] != true || created["activities"].([]any)[1].(map[string]any)["vendorHint"] != 7.0 {
		t.Fatalf("unknown keys were not kept: %v", created)
	}
	if tr := created["transitions"].([]any)[0].(map[string]any); tr["fromId"] != "start" || tr["toId"] != "approve" {
		t.Fatalf("transition: %v", tr)
	}

	got := expect(t, call(t, "GET", base+"/"+id, a.Token, nil), http.StatusOK).JSON(t)
	if got["name"] != "Vacation" || len(got["activities"].([]any)) != 3 {
		t.Fatalf("get: %v", got)
	}
	list := expect(t, call(t, "GET", base, a.Token, nil), http.StatusOK)
	if !strings.Contains(string(list.Body), id) {
		t.Fatalf("list lacks the workflow: %s", list.Body)
	}

	updated := expect(t, call(t, "PUT", base+"/"+id, a.Token, strings.Replace(sampleWorkflow, `"Vacation"`, `"Vacation v2"`, 1)), http.StatusOK).JSON(t)
	if updated["name"] != "Vacation v2" || updated["id"] != id {
		t.Fatalf("update: %v", updated)
	}

	exported := expect(t, call(t, "GET", base+"/"+id+"/export/json", a.Token, nil), http.StatusOK)
	imported := expect(t, call(t, "POST", base+"/import/json", a.Token, exported.Body), http.StatusOK).JSON(t)
	if imported["id"] == id || imported["name"] != "Vacation v2" || len(imported["activities"].([]any)) != 3 {
		t.Fatalf("import: %v", imported)
	}

	copied := expect(t, call(t, "POST", base+"/"+id+"/copy", a.Token, nil), http.StatusOK).JSON(t)
	if copied["id"] == id || copied["name"] != "Copy of Vacation v2" {
		t.Fatalf("copy: %v", copied)
	}

	expect(t, call(t, "DELETE", base+"/"+copied["id"].(string), a.Token, nil), http.StatusNoContent)
	expectError(t, call(t, "GET", base+"/"+copied["id"].(string), a.Token, nil), http.StatusNotFound)
}

func TestWorkflowVersionsRestoreAndPublish(t *testing.T) {
	a := signUp(t, "Workflow Versions")
	base := "/api/v1/" + a.OrgKey + "/workflows"
	id := expect(t, call(t, "POST", base, a.Token, sampleWorkflow), http.StatusOK).JSON(t)["id"].(string)

	v1 := expect(t, call(t, "POST", base+"/"+id+"/versions", a.Token, map[string]any{"commitMessage": "first"}), http.StatusOK).JSON(t)
	if v1["sourceWorkflowId"] != id || v1["creatorId"] != a.UserID || v1["id"] == id || v1["commitMessage"] != "first" {
		t.Fatalf("version: %v", v1)
	}
	draft := expect(t, call(t, "GET", base+"/"+id, a.Token, nil), http.StatusOK).JSON(t)
	if draft["latestVersion"] != v1["id"] || draft["changed"] != false {
		t.Fatalf("draft after version: %v", draft)
	}

	expect(t, call(t, "PUT", base+"/"+id, a.Token, strings.Replace(sampleWorkflow, `"Vacation"`, `"Changed"`, 1)), http.StatusOK)
	v2 := expect(t, call(t, "POST", base+"/"+id+"/versions", a.Token, map[string]any{"commitMessage": "second"}), http.StatusOK).JSON(t)

	versions := expect(t, call(t, "GET", base+"/"+id+"/versions", a.Token, nil), http.StatusOK)
	var vs []map[string]any
	decodeJSON(t, versions.Body, &vs)
	if len(vs) != 2 || vs[0]["id"] != v2["id"] || vs[1]["id"] != v1["id"] {
		t.Fatalf("versions (newest first): %s", versions.Body)
	}
	paged := expect(t, call(t, "GET", base+"/"+id+"/versions?offset=1&pagesize=1", a.Token, nil), http.StatusOK)
	decodeJSON(t, paged.Body, &vs)
	if len(vs) != 1 || vs[0]["id"] != v1["id"] {
		t.Fatalf("second page: %s", paged.Body)
	}
	expectError(t, call(t, "GET", base+"/"+id+"/versions?pagesize=abc", a.Token, nil), http.StatusBadRequest)

	restored := expect(t, call(t, "POST", base+"/"+id+"/versions/"+v1["id"].(string)+"/restore", a.Token, nil), http.StatusOK).JSON(t)
	if restored["name"] != "Vacation" || restored["id"] != id {
		t.Fatalf("restore: %v", restored)
	}
	published := expect(t, call(t, "POST", base+"/"+id+"/versions/"+v1["id"].(string)+"/publish", a.Token, nil), http.StatusOK).JSON(t)
	if published["id"] != v1["id"] {
		t.Fatalf("publish: %v", published)
	}
	if got := expect(t, call(t, "GET", base+"/"+id, a.Token, nil), http.StatusOK).JSON(t); got["publishedVersionId"] != v1["id"] {
		t.Fatalf("published version not recorded: %v", got)
	}
	expectError(t, call(t, "POST", base+"/"+id+"/versions/"+strings.Repeat("0", 24)+"/publish", a.Token, nil), http.StatusNotFound)

	// A cascading delete removes the versions with the draft.
	expect(t, call(t, "DELETE", base+"/"+id+"?cascade=true", a.Token, nil), http.StatusNoContent)
	expectError(t, call(t, "GET", base+"/"+id+"/versions", a.Token, nil), http.StatusNotFound)
	expectError(t, call(t, "DELETE", base+"/"+id+"?cascade=maybe", a.Token, nil), http.StatusBadRequest)
}

func TestWorkflowLockKeepsOtherEditorsOut(t *testing.T) {
	a := signUp(t, "Workflow Locks")
	b := signUp(t, "Other Editor Home")
	joinAsMember(t, a, b)
	base := "/api/v1/" + a.OrgKey + "/workflows"
	id := expect(t, call(t, "POST", base, a.Token, sampleWorkflow), http.StatusOK).JSON(t)["id"].(string)

	locked := expect(t, call(t, "POST", base+"/"+id+"/lock", b.Token, nil), http.StatusOK).JSON(t)
	if locked["editorId"] != b.UserID || locked["editorLock"] == nil {
		t.Fatalf("lock: %v", locked)
	}
	// A holds no lock: update, lock and version are refused while B holds it.
	expectError(t, call(t, "PUT", base+"/"+id, a.Token, sampleWorkflow), http.StatusConflict)
	expectError(t, call(t, "POST", base+"/"+id+"/lock", a.Token, nil), http.StatusConflict)
	expectError(t, call(t, "POST", base+"/"+id+"/versions", a.Token, nil), http.StatusConflict)
	// The holder may edit.
	expect(t, call(t, "PUT", base+"/"+id, b.Token, sampleWorkflow), http.StatusOK)
	// An admin may release another's lock; then A can edit.
	unlocked := expect(t, call(t, "POST", base+"/"+id+"/unlock", a.Token, nil), http.StatusOK).JSON(t)
	if unlocked["editorId"] != nil {
		t.Fatalf("unlock: %v", unlocked)
	}
	expect(t, call(t, "PUT", base+"/"+id, a.Token, sampleWorkflow), http.StatusOK)
	// A member who is not the owner cannot delete; the owner can.
	expectError(t, call(t, "DELETE", base+"/"+id, b.Token, nil), http.StatusForbidden)
	expect(t, call(t, "DELETE", base+"/"+id, a.Token, nil), http.StatusNoContent)
}

func TestWorkflowTemplatesAndPrivateDrafts(t *testing.T) {
	a := signUp(t, "Workflow Templates")
	b := signUp(t, "Template Member Home")
	joinAsMember(t, a, b)
	org := "/api/v1/" + a.OrgKey
	templates := expect(t, call(t, "GET", org+"/templates", a.Token, nil), http.StatusOK)
	var ts []map[string]any
	decodeJSON(t, templates.Body, &ts)
	if len(ts) < 2 {
		t.Fatalf("templates: %s", templates.Body)
	}
	hr := expect(t, call(t, "GET", org+"/templates?category=human%20resources", a.Token, nil), http.StatusOK)
	decodeJSON(t, hr.Body, &ts)
	if len(ts) != 1 || ts[0]["id"] != "template-vacation-request" || ts[0]["template"] != true {
		t.Fatalf("HR templates: %s", hr.Body)
	}
	fromTemplate := expect(t, call(t, "POST", org+"/workflows", a.Token, map[string]any{"name": "Our vacations", "templateId": "template-vacation-request"}), http.StatusOK).JSON(t)
	if fromTemplate["name"] != "Our vacations" || len(fromTemplate["activities"].([]any)) != 5 || fromTemplate["category"] != "Human resources" {
		t.Fatalf("from template: %v", fromTemplate)
	}
	expectError(t, call(t, "POST", org+"/workflows", a.Token, map[string]any{"name": "x", "templateId": "no-such-template"}), http.StatusBadRequest)

	private := expect(t, call(t, "POST", org+"/workflows", a.Token, map[string]any{"name": "Secret", "isPrivate": true}), http.StatusOK).JSON(t)
	expectError(t, call(t, "GET", org+"/workflows/"+private["id"].(string), b.Token, nil), http.StatusNotFound)
	if list := expect(t, call(t, "GET", org+"/workflows", b.Token, nil), http.StatusOK); strings.Contains(string(list.Body), private["id"].(string)) {
		t.Fatal("a private draft is listed for another member")
	}
}

func TestWorkflowBadInputAndTenancy(t *testing.T) {
	a := signUp(t, "Workflow Input")
	other := signUp(t, "Workflow Outsider")
	base := "/api/v1/" + a.OrgKey + "/workflows"
	for name, body := range map[string]any{
		"malformed":          `{"name": `,
		"activities object":  `{"activities": {}}`,
		"activity w/o id":    `{"activities": [{"type": "task"}]}`,
		"activity w/o type":  `{"activities": [{"id": "a"}]}`,
		"duplicate ids":      `{"activities": [{"type": "task", "id": "a"}, {"type": "task", "id": "a"}]}`,
		"number as name":     `{"name": 5}`,
		"transition as list": `{"transitions": [[]]}`,
	} {
		t.Run(name, func(t *testing.T) {
			expectError(t, call(t, "POST", base, a.Token, body), http.StatusBadRequest)
		})
	}
	id := expect(t, call(t, "POST", base, a.Token, sampleWorkflow), http.StatusOK).JSON(t)["id"].(string)
	for _, rt := range []struct{ method, path string }{
		{"GET", base}, {"GET", base + "/" + id}, {"PUT", base + "/" + id}, {"DELETE", base + "/" + id},
		{"POST", base + "/" + id + "/copy"}, {"GET", base + "/" + id + "/export/json"},
		{"POST", base + "/" + id + "/lock"}, {"POST", base + "/" + id + "/unlock"},
		{"GET", base + "/" + id + "/versions"}, {"POST", base + "/" + id + "/versions"},
		{"POST", base + "/import/json"}, {"GET", "/api/v1/" + a.OrgKey + "/templates"},
	} {
		body := any(nil)
		if rt.method == "PUT" || rt.path == base+"/import/json" {
			body = sampleWorkflow
		}
		expectError(t, call(t, rt.method, rt.path, "", body), http.StatusUnauthorized)
		if r := call(t, rt.method, rt.path, other.Token, body); r.Status != http.StatusNotFound {
			t.Errorf("%s %s by an outsider: %d %s", rt.method, rt.path, r.Status, r.Body)
		}
	}
	expect(t, call(t, "GET", base+"/"+id, a.Token, nil), http.StatusOK)
	expectError(t, call(t, "GET", base+"/not-an-id", a.Token, nil), http.StatusNotFound)
}
