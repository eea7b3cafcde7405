package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sync"
	"testing"
	"time"
)

// lockBody locks concurrently: the answer's status and body, or the error
// (no t.Fatal off the test's goroutine).
func lockBody(path, token string, body any) (int, []byte, error) {
	raw, err := json.Marshal(body)
	if err != nil {
		return 0, nil, err
	}
	req, err := http.NewRequest("POST", stack.GatewayURL+path, bytes.NewReader(raw))
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", token)
	res, err := httpClient.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer res.Body.Close()
	out, err := io.ReadAll(res.Body)
	return res.StatusCode, out, err
}

// A workflow with a service task, worked by external workers through the
// Service group: two workers locking at the same time get disjoint
// instances, an expired lock is taken over, an end continues the workflow
// once (a second end is 409), a failure end releases the instance while
// retries are left and makes an incident on the case when none are.
func TestExternalWorkersLockAndEndActionInstances(t *testing.T) {
	a := signUp(t, "External Workers")
	org := "/api/v1/" + a.OrgKey
	base := org + "/services/crm/actionInstances"
	// The workers' credentials: API tokens of the admin, bound to the
	// organization.
	token := func(label string) string {
		t.Helper()
		return string(expect(t, call(t, "POST", "/api/users/tokens/create", a.Token, map[string]any{"label": label, "workspace_id": a.OrgKey}), http.StatusCreated).Body)
	}
	tok1, tok2 := token("worker one"), token("worker two")
	wf := publish(t, a, `{"name": "Sync", "enableCases": true,
	  "variables": [{"id": "customer", "type": {"name": "text"}}, {"id": "crmId", "type": {"name": "text"}}],
	  "activities": [{"type": "startEvent", "id": "s"},
	    {"type": "serviceTask", "id": "push", "serviceKey": "crm", "actionKey": "upsert",
	     "configuration": {"endpoint": "https://crm.example"},
	     "inputBindings": {"name": {"expression": "customer"}}, "outputBindings": {"id": "crmId"}},
	    {"type": "userTask", "id": "check", "taskName": "Check {{crmId}}"},
	    {"type": "endEvent", "id": "e"}],
	  "transitions": [{"fromId": "s", "toId": "push"}, {"fromId": "push", "toId": "check"}, {"fromId": "check", "toId": "e"}]}`)
	start := func(customer string) string {
		t.Helper()
		inst := expect(t, call(t, "POST", org+"/engine/workflow/instances", a.Token, map[string]any{"sourceWorkflowId": wf, "data": map[string]any{"customer": customer}}), http.StatusOK).JSON(t)
		return inst["caseId"].(string)
	}
	lock := func(tok string, body map[string]any) []map[string]any {
		t.Helper()
		var out []map[string]any
		decodeJSON(t, expect(t, call(t, "POST", base+"/lock", tok, body), http.StatusOK).Body, &out)
		return out
	}
	end := func(tok, id string, body map[string]any, status int) {
		t.Helper()
		expect(t, call(t, "POST", base+"/"+id+"/end", tok, body), status)
	}

	// Who may: admins (here their API tokens); not members, strangers or
	// another organization's admin.
	member := addMember(t, a, "Mia")
	other := signUp(t, "External Workers Other")
	expectError(t, call(t, "POST", base+"/lock", "", map[string]any{}), http.StatusUnauthorized)
	expectError(t, call(t, "POST", base+"/lock", member.Token, map[string]any{}), http.StatusForbidden)
	expectError(t, call(t, "POST", base+"/lock", other.Token, map[string]any{}), http.StatusNotFound)
	expectError(t, call(t, "POST", base+"/lock", tok1, map[string]any{"maxInstances": 101}), http.StatusBadRequest)
	expectError(t, call(t, "POST", base+"/lock", tok1, map[string]any{"lockDurationSeconds": 86401}), http.StatusBadRequest)
	// Nothing open yet: the document's shape answers 204, the list [].
	expect(t, call(t, "POST", base+"/lock", tok1, map[string]any{}), http.StatusNoContent)
	if got := lock(tok1, map[string]any{"maxInstances": 5}); len(got) != 0 {
		t.Fatalf("locked %v with nothing open", got)
	}

	// Two workers at the same time: every instance to exactly one.
	cases := map[string]string{}
	for i := range 4 {
		customer := fmt.Sprintf("ACME %d", i)
		cases[start(customer)] = customer
	}
	var wg sync.WaitGroup
	answers := make([][]map[string]any, 2)
	errs := make([]error, 2)
	for i, w := range []struct{ tok, id string }{{tok1, "w1"}, {tok2, "w2"}} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			status, body, err := lockBody(base+"/lock", w.tok, map[string]any{"workerId": w.id, "maxInstances": 3})
			if err == nil && status != http.StatusOK {
				err = fmt.Errorf("status %d: %s", status, body)
			}
			if err == nil {
				err = json.Unmarshal(body, &answers[i])
			}
			errs[i] = err
		}()
	}
	wg.Wait()
	holder := map[string]string{} // action instance id -> worker
	byCase := map[string]map[string]any{}
	for i, ans := range answers {
		if errs[i] != nil {
			t.Fatalf("worker %d: %v", i+1, errs[i])
		}
		for _, ai := range ans {
			id := ai["id"].(string)
			if prev, ok := holder[id]; ok {
				t.Fatalf("action instance %s locked by %s and w%d", id, prev, i+1)
			}
			holder[id] = ai["workerId"].(string)
			byCase[ai["caseId"].(string)] = ai
		}
	}
	if len(holder) != 4 || len(byCase) != 4 {
		t.Fatalf("the workers locked %d instances (%v), want each of the 4 once", len(holder), holder)
	}
	for caseID, ai := range byCase {
		customer := cases[caseID]
		if ai["inputValues"].(map[string]any)["name"] != customer || ai["variables"].(map[string]any)["customer"] != customer ||
			ai["configuration"].(map[string]any)["endpoint"] != "https://crm.example" || ai["activityId"] != "push" ||
			ai["serviceKey"] != "crm" || ai["actionKey"] != "upsert" || ai["lock"] == nil || ai["retries"] != 3.0 ||
			ai["organizationId"] != a.OrgID || ai["editorWorkflowId"] != wf {
			t.Fatalf("locked instance of %q: %v", customer, ai)
		}
	}
	// All are locked: nothing more for anyone.
	if got := lock(tok2, map[string]any{"workerId": "w2", "maxInstances": 10}); len(got) != 0 {
		t.Fatalf("locked %v twice", got)
	}

	// An end continues the workflow once; a second end, another worker's
	// end and an end of an unknown id do not.
	var ended, failing string
	var endedCase string
	for caseID, ai := range byCase {
		id := ai["id"].(string)
		if ended == "" {
			ended, endedCase = id, caseID
		} else if failing == "" && holder[id] != holder[ended] {
			failing = id
		}
	}
	tokOf := map[string]string{"w1": tok1, "w2": tok2}
	otherWorker := map[string]string{"w1": "w2", "w2": "w1"}
	w := holder[ended]
	end(tokOf[otherWorker[w]], ended, map[string]any{"workerId": otherWorker[w], "outputValues": map[string]any{"id": "CRM-0"}}, http.StatusConflict)
	end(tokOf[w], ended, map[string]any{"workerId": w, "outputValues": map[string]any{"id": "CRM-0"}}, http.StatusOK)
	end(tokOf[w], ended, map[string]any{"workerId": w, "outputValues": map[string]any{"id": "CRM-0"}}, http.StatusConflict)
	end(tokOf[w], "000000000000000000000000", map[string]any{"workerId": w}, http.StatusNotFound)
	open := openTasks(t, a, endedCase)
	if len(open) != 1 || open["Check CRM-0"] == nil {
		t.Fatalf("after the end the case has the open tasks %v, want the one Check CRM-0", open)
	}
	expect(t, call(t, "POST", org+"/tasks/"+open["Check CRM-0"]["id"].(string)+"/complete", a.Token, []any{}), http.StatusOK)
	if c := expect(t, call(t, "GET", org+"/cases/"+endedCase, a.Token, nil), http.StatusOK).JSON(t); c["closed"] != true {
		t.Fatalf("the workflow did not run to its end: %v", c)
	}

	// An expired lock is taken over by the next worker; the first may no
	// longer end it.
	late := start("Late Ltd")
	short := lock(tok1, map[string]any{"workerId": "w1", "maxInstances": 1, "lockDurationSeconds": 1})
	if len(short) != 1 || short[0]["caseId"] != late {
		t.Fatalf("locked %v, want the new instance", short)
	}
	time.Sleep(1100 * time.Millisecond)
	taken := call(t, "POST", base+"/lock", tok2, map[string]any{"workerId": "w2"})
	takenAI := expect(t, taken, http.StatusOK).JSON(t) // the document's shape: one ActionInstance
	if takenAI["id"] != short[0]["id"] || takenAI["workerId"] != "w2" {
		t.Fatalf("w2 locked %v, want the instance whose lock expired", takenAI)
	}
	end(tok1, takenAI["id"].(string), map[string]any{"workerId": "w1", "outputValues": map[string]any{"id": "CRM-L"}}, http.StatusConflict)
	end(tok2, takenAI["id"].(string), map[string]any{"workerId": "w2", "outputValues": map[string]any{"id": "CRM-L"}}, http.StatusOK)
	if open := openTasks(t, a, late); open["Check CRM-L"] == nil {
		t.Fatalf("the taken-over instance did not continue: %v", open)
	}

	// A failure end with retries left releases the instance (one retry
	// less, its message kept); with none left it is an incident on the case.
	fw := holder[failing]
	end(tokOf[fw], failing, map[string]any{"workerId": fw, "errorMessage": "the CRM is down"}, http.StatusOK)
	again := lock(tokOf[otherWorker[fw]], map[string]any{"workerId": otherWorker[fw], "maxInstances": 1})
	if len(again) != 1 || again[0]["id"] != failing || again[0]["retries"] != 2.0 || again[0]["errorMessage"] != "the CRM is down" {
		t.Fatalf("after a failure end the lock answered %v, want the released instance with 2 retries", again)
	}
	end(tokOf[fw], failing, map[string]any{"workerId": fw, "errorMessage": "stale"}, http.StatusConflict)
	end(tokOf[otherWorker[fw]], failing, map[string]any{"workerId": otherWorker[fw], "errorMessage": "still down", "retries": 0}, http.StatusOK)
	if got := lock(tok1, map[string]any{"workerId": "w1", "maxInstances": 10}); len(got) != 0 {
		t.Fatalf("locked %v; an incident is never locked again", got)
	}
	end(tokOf[otherWorker[fw]], failing, map[string]any{"workerId": otherWorker[fw], "outputValues": map[string]any{}}, http.StatusConflict)
	failingCase := again[0]["caseId"].(string)
	var events []map[string]any
	decodeJSON(t, expect(t, call(t, "GET", org+"/cases/"+failingCase+"/events?type=incident", a.Token, nil), http.StatusOK).Body, &events)
	if len(events) != 1 || events[0]["type"] != "incident" || events[0]["data"].(map[string]any)["errorMessage"] != "still down" ||
		events[0]["data"].(map[string]any)["actionInstanceId"] != failing {
		t.Fatalf("the case's incident events: %v", events)
	}
	if open := openTasks(t, a, failingCase); len(open) != 0 {
		t.Fatalf("the incident's workflow went on: %v", open)
	}
}
