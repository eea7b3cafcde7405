package e2e

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
)

// TestDeviationEmbeddedUsersAndGroups: users embedded in tasks, cases and
// organizations are members as seen from the organization (admin flag,
// groupIds, organizationIds), a TaskDetail with candidateGroupIds carries
// the candidateGroups, and the login's user is an admin for the only
// admin of their organization.
func TestDeviationEmbeddedUsersAndGroups(t *testing.T) {
	a := signUp(t, "Embedded Users")
	b := addMember(t, a, "Bert")
	org := "/api/v1/" + a.OrgKey
	g := createGroup(t, a, "Reviewers", b.UserID)

	task := expect(t, call(t, "POST", org+"/tasks", a.Token, map[string]any{"name": "Review", "assigneeId": b.UserID,
		"candidateGroupIds": []string{g}}), http.StatusOK).JSON(t)
	d := expect(t, call(t, "GET", org+"/tasks/"+task["id"].(string), a.Token, nil), http.StatusOK).JSON(t)
	assignee, _ := d["assignee"].(map[string]any)
	creator, _ := d["creator"].(map[string]any)
	if assignee == nil || creator == nil {
		t.Fatalf("task detail without its users: %v", d)
	}
	if fmt.Sprint(assignee["groupIds"]) != "["+g+"]" || fmt.Sprint(assignee["organizationIds"]) != "["+a.OrgID+"]" || assignee["admin"] != false {
		t.Errorf("the assignee as a member: %v", assignee)
	}
	if creator["admin"] != true || fmt.Sprint(creator["organizationIds"]) != "["+a.OrgID+"]" {
		t.Errorf("the admin creator: %v", creator)
	}
	groups, _ := d["candidateGroups"].([]any)
	if len(groups) != 1 || groups[0].(map[string]any)["id"] != g || groups[0].(map[string]any)["name"] != "Reviewers" {
		t.Errorf("candidateGroups: %v", d["candidateGroups"])
	}

	// A case's creator and participants.
	c := expect(t, call(t, "POST", org+"/cases", a.Token, map[string]any{"name": "Embedded", "participantIds": []string{b.UserID}}), http.StatusOK).JSON(t)
	cd := expect(t, call(t, "GET", org+"/cases/"+c["id"].(string), a.Token, nil), http.StatusOK).JSON(t)
	ps, _ := cd["participants"].([]any)
	var bert map[string]any
	for _, p := range ps {
		if m := p.(map[string]any); m["id"] == b.UserID {
			bert = m
		}
	}
	if bert == nil || !strings.Contains(fmt.Sprint(bert["groupIds"]), g) || bert["admin"] != false {
		t.Errorf("case participants: %v", cd["participants"])
	}
	if cr, _ := cd["creator"].(map[string]any); cr == nil || cr["admin"] != true {
		t.Errorf("case creator: %v", cd["creator"])
	}

	// The organization's admins.
	o := expect(t, call(t, "GET", org, a.Token, nil), http.StatusOK).JSON(t)
	admins, _ := o["admins"].([]any)
	if len(admins) != 1 || admins[0].(map[string]any)["admin"] != true || fmt.Sprint(admins[0].(map[string]any)["organizationIds"]) != "["+a.OrgID+"]" {
		t.Errorf("organization admins: %v", o["admins"])
	}

	// The login of the only admin; a member's login is no admin.
	if u := expect(t, login(t, a.Email, a.Password), http.StatusOK).JSON(t)["user"].(map[string]any); u["admin"] != true {
		t.Errorf("LoginResponse.user.admin of the only admin: %v", u)
	}
	if u := expect(t, login(t, b.Email, b.Password), http.StatusOK).JSON(t)["user"].(map[string]any); u["admin"] != false || !strings.Contains(fmt.Sprint(u["groupIds"]), g) {
		t.Errorf("LoginResponse.user of a member: %v", u)
	}
}
