package e2e

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/effektif-serverless/caseflow/shared/casework"
	"github.com/effektif-serverless/caseflow/shared/failure"
	"github.com/effektif-serverless/caseflow/shared/identity"
	"github.com/effektif-serverless/caseflow/shared/ids"
	"github.com/effektif-serverless/caseflow/shared/store"
	"github.com/effektif-serverless/caseflow/shared/store/workstore"
)

// idFields are the request fields that name ids, keys or addresses, in
// every route's body; lists take a list.
var idFields = []string{
	"id", "userId", "assigneeId", "caseId", "taskId", "parentId", "workflowId", "sourceWorkflowId", "editorWorkflowId",
	"workflowInstanceId", "templateId", "fileId", "mailId", "licenseId", "groupId", "organizationId", "organizationKey", "key",
	"emailAddress", "code", "token", "reference", "versionId", "activityId", "serviceKey", "dn",
}

var idListFields = []string{"candidateIds", "candidateGroupIds", "participantIds", "userIds", "groupIds", "fileIds", "attachmentIds", "licenseIds", "adminIds", "subtaskIds"}

// queryIDs are the query parameters that name ids.
var queryIDs = []string{"process", "editorWorkflowId", "workflowId", "caseId", "taskId", "userId", "dn", "name", "trigger", "category", "exclude", "sorting", "involvement"}

// TestLongIDsAnswer4xx walks ids of 2 KB and 100 KB through every route's
// path parameters, through the id fields of every body and through the
// query parameters (all derived from template.yaml): the answer is always
// a 4xx with a JSON error, never a 5xx. Id fields the core reads as keys
// answer 400 on their own.
func TestLongIDsAnswer4xx(t *testing.T) {
	f := newFixture(t, "Long Ids")
	routes := stack.Template.Routes
	for _, size := range []int{2 << 10, 100 << 10} {
		long := strings.Repeat("a", size)
		for _, rt := range routes {
			auth := ""
			if rt.Authorizer != nil {
				auth = walkToken(t, rt, f.admin, "")
			}
			// each path parameter alone, the others from the fixture
			for _, m := range pathParam.FindAllStringSubmatch(rt.Path, -1) {
				params := f.paramsFor(rt.Path)
				params[m[1]] = long
				path := fillPath(t, rt.Path, params)
				r := walkCall(t, rt, path, auth, walkRequestFor(t, f, rt, f.admin))
				if r.Status != http.StatusNotFound {
					t.Errorf("%s with a %d-byte {%s}: %d, want 404; %.200s", rt.Key(), size, m[1], r.Status, r.Body)
				}
			}
			path := fillPath(t, rt.Path, f.paramsFor(rt.Path))
			// every id field of the body at once
			if rt.Method != "GET" {
				body := map[string]any{"name": "long ids", "password": "a long enough password"}
				for _, k := range idFields {
					body[k] = long
				}
				for _, k := range idListFields {
					body[k] = []string{long}
				}
				raw, _ := json.Marshal(body)
				if r := walkCall(t, rt, path, auth, walkRequest{"application/json", raw}); r.Status >= 500 {
					t.Errorf("%s with %d-byte ids in the body: %d %.200s", rt.Key(), size, r.Status, r.Body)
				}
			}
			// every id query parameter at once
			q := url.Values{}
			for _, k := range queryIDs {
				q.Set(k, long)
			}
			if r := walkCall(t, rt, path+"?"+q.Encode(), auth, walkRequestFor(t, f, rt, f.admin)); r.Status >= 500 {
				t.Errorf("%s with %d-byte query parameters: %d %.200s", rt.Key(), size, r.Status, r.Body)
			}
		}

		// One field at a time where the field is read as a key: 400.
		org := "/api/v1/" + f.admin.OrgKey
		a := f.admin.Token
		probes := []struct {
			method, path string
			body         map[string]any
		}{
			{"POST", org + "/tasks", map[string]any{"name": "t", "assigneeId": long}},
			{"POST", org + "/tasks", map[string]any{"name": "t", "candidateIds": []string{long}}},
			{"POST", org + "/tasks", map[string]any{"name": "t", "candidateGroupIds": []string{long}}},
			{"POST", org + "/tasks", map[string]any{"name": "t", "participantIds": []string{long}}},
			{"POST", org + "/tasks", map[string]any{"name": "t", "caseId": long}},
			{"POST", org + "/tasks", map[string]any{"name": "t", "parentId": long}},
			{"PUT", org + "/tasks/" + f.task, map[string]any{"assigneeId": long}},
			{"PUT", org + "/tasks/" + f.task, map[string]any{"candidateIds": []string{long}}},
			{"POST", org + "/cases", map[string]any{"name": "c", "participantIds": []string{long}}},
			{"PUT", org + "/cases/" + f.caseID, map[string]any{"participantIds": []string{long}}},
			{"POST", org + "/engine/workflow/instances", map[string]any{"workflowId": long}},
			{"POST", org + "/engine/workflow/instances", map[string]any{"sourceWorkflowId": long}},
			{"POST", org + "/groups", map[string]any{"name": "g", "userIds": []string{long}}},
			{"PUT", org + "/groups/" + f.group, map[string]any{"userIds": []string{long}}},
			{"PUT", org + "/licenses/" + f.license, map[string]any{"userId": long}},
			{"POST", org + "/workflows", map[string]any{"name": "w", "templateId": long}},
			{"POST", org + "/users", map[string]any{"emailAddress": long + "@example.com"}},
			{"POST", "/api/v1/users/login", map[string]any{"emailAddress": long + "@example.com", "password": "whatever it is"}},
			{"POST", "/api/v1/users/login", map[string]any{"token": long}},
			{"POST", "/api/v1/users/reset", map[string]any{"emailAddress": long + "@example.com"}},
			{"POST", "/api/v1/users/confirm", map[string]any{"code": long, "password": "a long enough password"}},
			{"POST", "/api/v1/users/login/handover", map[string]any{"reference": long}},
			{"POST", "/api/v1/registrations", map[string]any{"emailAddress": long + "@example.com", "organizationName": "x"}},
			{"POST", "/api/v1/", map[string]any{"name": "n", "key": long}},
		}
		for _, p := range probes {
			auth := a
			if !strings.HasPrefix(p.path, org) && p.path != "/api/v1/" {
				auth = ""
			}
			r := call(t, p.method, p.path, auth, p.body)
			if r.Status < 400 || r.Status >= 500 {
				t.Errorf("%s %s with a %d-byte id in %v: %d %.200s", p.method, p.path, size, keysOf(p.body), r.Status, r.Body)
			}
		}
		for _, q := range []string{"process", "editorWorkflowId"} {
			path := org + "/tasks?" + q + "=" + long
			if q == "editorWorkflowId" {
				path = org + "/cases?" + q + "=" + long
			}
			if r := call(t, "GET", path, a, nil); r.Status < 400 || r.Status >= 500 {
				t.Errorf("GET %.80s with a %d-byte %s: %d %.200s", path, size, q, r.Status, r.Body)
			}
		}
	}
}

// TestStoreRefusesLongKeyParts checks the store's backstop against DynamoDB
// Local: key parts over DynamoDB's limits (a 2 KB partition key, a 1 KB
// sort key, a 1 KB key condition) are an Invalid failure, not the
// service's ValidationException (a 500), while the same calls with short
// keys work.
func TestStoreRefusesLongKeyParts(t *testing.T) {
	ctx := context.Background()
	db := workstore.New(store.New(stack.AWS.DynamoDB(), "DataTable"))
	long := strings.Repeat("a", 2<<10)
	checks := map[string]error{}
	_, checks["GetUser (pk)"] = db.GetUser(ctx, long)
	_, _, checks["UserInOrganization (transaction)"] = db.UserInOrganization(ctx, ids.New(), long)
	_, checks["GetTask (sk)"] = db.GetTask(ctx, ids.New(), long)
	_, checks["GetTasks (batch)"] = db.GetTasks(ctx, ids.New(), []string{long})
	_, _, checks["CaseTasks (query)"] = db.CaseTasks(ctx, ids.New(), long, "", casework.TaskPosition{}, 10)
	_, checks["ListEvents (query)"] = db.ListEvents(ctx, long, "", "", casework.Page{PageSize: 10})
	checks["PutMembership (put)"] = db.PutMembership(ctx, identity.Membership{OrganizationID: ids.New(), UserID: long, Role: identity.RoleMember})
	for name, err := range checks {
		// The store's callers wrap it ("read user"); the router answers
		// an Internal failure around an Invalid one with the Invalid.
		if !errors.Is(err, store.ErrKeyTooLong) {
			t.Errorf("%s with a 2 KB key part: %v, want store.ErrKeyTooLong", name, err)
		}
	}
	if _, err := db.GetUser(ctx, ids.New()); !failure.Is(err, failure.NotFound) {
		t.Errorf("GetUser of a short unknown id: %v, want NotFound", err)
	}
}
