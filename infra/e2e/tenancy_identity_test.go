package e2e

import (
	"net/http"
	"testing"
)

// TestIdentityRoutesRequireMembership walks every route of the Effektif
// Organization and User groups that is scoped to an organization: without a
// token the answer is 401, as a member of another organization 404 (or 403
// where a member of the organization would get it too), and nothing changes.
func TestIdentityRoutesRequireMembership(t *testing.T) {
	a := signUp(t, "Identity Tenant")
	other := signUp(t, "Identity Outsider")
	org := "/api/v1/" + a.OrgKey
	g := expect(t, call(t, "POST", org+"/groups", a.Token, map[string]any{"name": "Team"}), http.StatusOK).JSON(t)["id"].(string)
	order := expect(t, call(t, "POST", org+"/purchase", a.Token, map[string]any{"licenseType": "free", "count": 1}), http.StatusOK).JSON(t)
	lic := order["licenseIds"].([]any)[0].(string)
	invitee := uniqueEmail("walk")
	expect(t, call(t, "POST", org+"/users", a.Token, map[string]any{"emailAddress": invitee}), http.StatusOK)
	u := a.UserID
	routes := []struct{ method, path string }{
		{"GET", org}, {"PUT", org}, {"DELETE", org}, {"GET", org + "/features"}, {"GET", org + "/organizations"},
		{"POST", org + "/groups"}, {"GET", org + "/groups/" + g}, {"PUT", org + "/groups/" + g}, {"DELETE", org + "/groups/" + g},
		{"GET", org + "/users"}, {"POST", org + "/users"}, {"GET", org + "/users/" + u}, {"PUT", org + "/users/" + u},
		{"DELETE", org + "/users/" + u}, {"PUT", org + "/users/" + u + "/preferences"}, {"POST", org + "/users/" + u + "/leave"},
		{"POST", org + "/users/" + u + "/handover"}, {"GET", org + "/users/" + u + "/picture"},
		{"GET", org + "/invitations"}, {"POST", org + "/invitations/" + invitee + "/resend"}, {"DELETE", org + "/invitations/" + invitee},
		{"GET", org + "/licenses"}, {"GET", org + "/licenses/" + lic}, {"PUT", org + "/licenses/" + lic}, {"GET", org + "/info/licenses"},
		{"POST", org + "/purchase"}, {"POST", org + "/licenseProfiles/team"},
		{"GET", org + "/ldap/users"}, {"GET", org + "/ldap/groups"}, {"GET", org + "/ldap/groupMembers?dn=cn%3Dx"},
	}
	for _, rt := range routes {
		body := map[string]any{"name": "taken over", "emailAddress": uniqueEmail("evil"), "userId": other.UserID, "licenseType": "team", "count": 1}
		expectError(t, call(t, rt.method, rt.path, "", body), http.StatusUnauthorized)
		if r := call(t, rt.method, rt.path, other.Token, body); r.Status != http.StatusNotFound {
			t.Errorf("%s %s by an outsider: %d %s", rt.method, rt.path, r.Status, r.Body)
		}
	}
	got := expect(t, call(t, "GET", org, a.Token, nil), http.StatusOK).JSON(t)
	if got["name"] != "Identity Tenant" || len(got["memberIds"].([]any)) != 1 || len(got["invitations"].([]any)) != 1 {
		t.Fatalf("the organization changed: %v", got)
	}
	if l := expect(t, call(t, "GET", org+"/licenses/"+lic, a.Token, nil), http.StatusOK).JSON(t); l["userId"] != nil {
		t.Fatalf("the license was assigned: %v", l)
	}
}
