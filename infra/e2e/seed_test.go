package e2e

import (
	"context"
	"net/http"
	"testing"

	"github.com/effektif-serverless/caseflow/infra/seed"
)

// TestSeedMakesADemoOrganization: make seed's demo, through the APIs of
// the running stack: the admin and the member log in with the printed
// password, the member sees the group's review task and their own, the
// case is open; a second run finds the demo and makes nothing new.
func TestSeedMakesADemoOrganization(t *testing.T) {
	d, err := seed.Run(context.Background(), stack.GatewayURL, stack.SESEndpoint)
	if err != nil {
		t.Fatal(err)
	}
	if d.Existing || d.OrganizationKey == "" || d.CaseID == "" {
		t.Fatalf("demo %+v", d)
	}
	admin := account{Email: seed.AdminEmail, Password: seed.Password, OrgKey: d.OrganizationKey}
	expect(t, login(t, seed.AdminEmail, seed.Password), http.StatusOK)
	member := expect(t, login(t, seed.MemberEmail, seed.Password), http.StatusOK).JSON(t)
	var tasks []map[string]any
	decodeJSON(t, expect(t, call(t, "GET", "/api/v1/"+d.OrganizationKey+"/tasks", member["token"].(string), nil), http.StatusOK).Body, &tasks)
	names := map[string]bool{}
	for _, task := range tasks {
		names[task["name"].(string)] = true
	}
	if !names["Review the request"] || !names["Welcome Max to the team"] {
		t.Errorf("the member's tasks: %v", names)
	}
	admin.Token = d.AdminToken
	if open := openTasks(t, admin, d.CaseID); len(open) != 1 {
		t.Errorf("the case's open tasks: %v", open)
	}
	again, err := seed.Run(context.Background(), stack.GatewayURL, stack.SESEndpoint)
	if err != nil || !again.Existing || again.OrganizationKey != d.OrganizationKey {
		t.Errorf("a second run: %+v %v", again, err)
	}
}
