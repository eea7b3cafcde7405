package e2e

import (
	"context"
	"net/http"
	"testing"

	"github.com/guregu/dynamo/v2"
)

// actionItems counts the service action instances stored for an organization.
func actionItems(t testing.TB, orgID string) int {
	t.Helper()
	var items []map[string]any
	err := dynamo.NewFromIface(stack.AWS.DynamoDB()).Table("DataTable").
		Get("pk", "ORG#"+orgID).Range("sk", dynamo.BeginsWith, "ACTION#").All(context.Background(), &items)
	if err != nil {
		t.Fatal(err)
	}
	return len(items)
}

func TestServiceTaskActionsEndWithTheirActivity(t *testing.T) {
	a := signUp(t, "Service Actions")
	org := "/api/v1/" + a.OrgKey
	wf := publish(t, a, `{"name": "Sync", "enableCases": true,
	  "activities": [{"type": "startEvent", "id": "s"},
	    {"type": "serviceTask", "id": "push", "serviceKey": "crm", "actionKey": "upsert", "inputBindings": {"name": {"value": "ACME", "type": {"name": "text"}}}},
	    {"type": "endEvent", "id": "e"}],
	  "transitions": [{"fromId": "s", "toId": "push"}, {"fromId": "push", "toId": "e"}]}`)
	inst := expect(t, call(t, "POST", org+"/engine/workflow/instances", a.Token, map[string]any{"sourceWorkflowId": wf}), http.StatusOK).JSON(t)
	if n := actionItems(t, a.OrgID); n != 1 {
		t.Fatalf("%d action instances, want 1 waiting for a worker", n)
	}
	expect(t, call(t, "POST", org+"/cases/"+inst["caseId"].(string)+"/cancel", a.Token, nil), http.StatusOK)
	if n := actionItems(t, a.OrgID); n != 0 {
		t.Fatalf("%d action instances left after the case was canceled", n)
	}
}
