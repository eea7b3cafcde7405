package e2e

import (
	"net/http"
	"strings"
	"testing"
)

func TestUsersListUpdateAndPreferences(t *testing.T) {
	a := signUp(t, "Users Admin")
	b := signUp(t, "Users Member")
	joinAsMember(t, a, b)
	org := "/api/v1/" + a.OrgKey
	var users []map[string]any
	decodeJSON(t, expect(t, call(t, "GET", org+"/users", b.Token, nil), http.StatusOK).Body, &users)
	if len(users) != 2 {
		t.Fatalf("users: %v", users)
	}
	decodeJSON(t, expect(t, call(t, "GET", org+"/users?emailAddress="+strings.ToUpper(b.Email), a.Token, nil), http.StatusOK).Body, &users)
	if len(users) != 1 || users[0]["id"] != b.UserID || users[0]["admin"] != false {
		t.Fatalf("filtered users: %v", users)
	}
	decodeJSON(t, expect(t, call(t, "GET", org+"/users?pagesize=1&offset=1", a.Token, nil), http.StatusOK).Body, &users)
	if len(users) != 1 {
		t.Fatalf("paged users: %v", users)
	}

	// A user changes themself; an admin may change a member; a member not an admin.
	me := expect(t, call(t, "PUT", org+"/users/"+b.UserID, b.Token, map[string]any{"firstName": "Bea", "color": "#00f"}), http.StatusOK).JSON(t)
	if me["firstName"] != "Bea" || me["color"] != "#00f" || me["emailAddress"] != b.Email {
		t.Fatalf("self update: %v", me)
	}
	// An admin manages memberships, not a member's identity.
	expectError(t, call(t, "PUT", org+"/users/"+b.UserID, a.Token, map[string]any{"lastName": "Admin-set"}), http.StatusForbidden)
	expectError(t, call(t, "PUT", org+"/users/"+a.UserID, b.Token, map[string]any{"firstName": "Mallory"}), http.StatusForbidden)
	expectError(t, call(t, "PUT", org+"/users/"+b.UserID, b.Token, map[string]any{"password": "short"}), http.StatusBadRequest)
	// A new address takes effect when the code mailed to it confirms it.
	newEmail := uniqueEmail("moved")
	moved := expect(t, call(t, "PUT", org+"/users/"+b.UserID, b.Token, map[string]any{"emailAddress": newEmail, "password": "b's new password"}), http.StatusOK).JSON(t)
	rememberPassword("b's new password")
	if moved["emailAddress"] != b.Email {
		t.Fatalf("the address changed before it was confirmed: %v", moved)
	}
	expectError(t, call(t, "POST", "/api/v1/users/login", "", map[string]any{"emailAddress": newEmail, "password": "b's new password"}), http.StatusUnauthorized)
	expect(t, call(t, "POST", "/api/v1/users/email/confirm", "", map[string]any{"code": addressCode(t, newEmail)}), http.StatusOK)
	expect(t, call(t, "POST", "/api/v1/users/login", "", map[string]any{"emailAddress": newEmail, "password": "b's new password"}), http.StatusOK)
	expectError(t, call(t, "POST", "/api/v1/users/login", "", map[string]any{"emailAddress": b.Email, "password": "b's new password"}), http.StatusUnauthorized)
	// The old address is free again.
	registrationCode(t, map[string]any{"emailAddress": b.Email})

	expect(t, call(t, "PUT", org+"/users/"+b.UserID+"/preferences", b.Token, map[string]any{"theme": "dark", "pageSize": 20}), http.StatusNoContent)
	expectError(t, call(t, "PUT", org+"/users/"+b.UserID+"/preferences", a.Token, map[string]any{"theme": "light"}), http.StatusForbidden)
	expectError(t, call(t, "PUT", org+"/users/"+b.UserID+"/preferences", b.Token, `[1,2]`), http.StatusBadRequest)
	expectError(t, call(t, "PUT", org+"/users/"+b.UserID+"/preferences", b.Token, `{"x":"`+strings.Repeat("y", 20000)+`"}`), http.StatusRequestEntityTooLarge)
	self := expect(t, call(t, "GET", org+"/users/"+b.UserID, b.Token, nil), http.StatusOK).JSON(t)
	if self["preferences"].(map[string]any)["theme"] != "dark" {
		t.Fatalf("preferences: %v", self)
	}
	if other := expect(t, call(t, "GET", org+"/users/"+b.UserID, a.Token, nil), http.StatusOK).JSON(t); other["preferences"] != nil {
		t.Fatalf("another user's preferences are shown: %v", other)
	}
}

func TestLeaveAndRemove(t *testing.T) {
	a := signUp(t, "Leave Admin")
	b := signUp(t, "Leave Member")
	c := signUp(t, "Leave Other")
	joinAsMember(t, a, b)
	joinAsMember(t, a, c)
	org := "/api/v1/" + a.OrgKey
	expectError(t, call(t, "POST", org+"/users/"+a.UserID+"/leave", a.Token, map[string]any{"organizationId": a.OrgID}), http.StatusConflict)
	expectError(t, call(t, "POST", org+"/users/"+c.UserID+"/leave", b.Token, nil), http.StatusForbidden)
	expect(t, call(t, "POST", org+"/users/"+b.UserID+"/leave", b.Token, map[string]any{"organizationId": a.OrgID}), http.StatusNoContent)
	expectError(t, call(t, "GET", org, b.Token, nil), http.StatusNotFound)
	expectError(t, call(t, "DELETE", org+"/users/"+a.UserID, c.Token, nil), http.StatusForbidden)
	expectError(t, call(t, "DELETE", org+"/users/"+a.UserID, a.Token, nil), http.StatusConflict)
	expect(t, call(t, "DELETE", org+"/users/"+c.UserID, a.Token, nil), http.StatusNoContent)
	expectError(t, call(t, "GET", org+"/users/"+c.UserID, a.Token, nil), http.StatusNotFound)
	expectError(t, call(t, "DELETE", org+"/users/"+c.UserID, a.Token, nil), http.StatusNotFound)
	// Their own organizations and accounts are untouched.
	expect(t, call(t, "GET", "/api/v1/"+c.OrgKey, c.Token, nil), http.StatusOK)
}

func TestGroupsKeepMembersConsistent(t *testing.T) {
	a := signUp(t, "Groups Admin")
	b := signUp(t, "Groups Member")
	c := signUp(t, "Groups Other")
	joinAsMember(t, a, b)
	joinAsMember(t, a, c)
	outsider := signUp(t, "Groups Outsider")
	org := "/api/v1/" + a.OrgKey
	g := expect(t, call(t, "POST", org+"/groups", a.Token, map[string]any{"name": "Managers", "userIds": []string{a.UserID, b.UserID}}), http.StatusOK).JSON(t)
	gid := g["id"].(string)
	groupIDs := func(userID string) []any {
		return expect(t, call(t, "GET", org+"/users/"+userID, a.Token, nil), http.StatusOK).JSON(t)["groupIds"].([]any)
	}
	if ids := groupIDs(b.UserID); len(ids) != 1 || ids[0] != gid {
		t.Fatalf("b's groups: %v", ids)
	}
	expectError(t, call(t, "POST", org+"/groups", b.Token, map[string]any{"name": "Rebels"}), http.StatusForbidden)
	expectError(t, call(t, "POST", org+"/groups", a.Token, map[string]any{"name": "X", "userIds": []string{outsider.UserID}}), http.StatusBadRequest)
	expectError(t, call(t, "POST", org+"/groups", a.Token, map[string]any{"userIds": []string{}}), http.StatusBadRequest)

	updated := expect(t, call(t, "PUT", org+"/groups/"+gid, a.Token, map[string]any{"name": "Leads", "userIds": []string{a.UserID, c.UserID}}), http.StatusOK).JSON(t)
	if updated["name"] != "Leads" || len(updated["userIds"].([]any)) != 2 {
		t.Fatalf("update: %v", updated)
	}
	if ids := groupIDs(b.UserID); len(ids) != 0 {
		t.Fatalf("b is still in the group: %v", ids)
	}
	if ids := groupIDs(c.UserID); len(ids) != 1 {
		t.Fatalf("c is not in the group: %v", ids)
	}
	// A task for the group reaches its members' lists.
	task := expect(t, call(t, "POST", org+"/tasks", a.Token, map[string]any{"name": "For the leads", "candidateGroupIds": []string{gid}}), http.StatusOK).JSON(t)
	var tasks []map[string]any
	decodeJSON(t, expect(t, call(t, "GET", org+"/tasks", c.Token, nil), http.StatusOK).Body, &tasks)
	if len(tasks) != 1 || tasks[0]["id"] != task["id"] {
		t.Fatalf("c's tasks: %v", tasks)
	}
	expect(t, call(t, "POST", org+"/tasks/"+task["id"].(string)+"/complete", c.Token, nil), http.StatusOK)

	// Leaving takes a member out of their groups.
	expect(t, call(t, "POST", org+"/users/"+c.UserID+"/leave", c.Token, nil), http.StatusNoContent)
	if got := expect(t, call(t, "GET", org+"/groups/"+gid, b.Token, nil), http.StatusOK).JSON(t); len(got["userIds"].([]any)) != 1 {
		t.Fatalf("the group still lists a member who left: %v", got)
	}
	expectError(t, call(t, "GET", org+"/groups/"+gid, outsider.Token, nil), http.StatusNotFound)
	expect(t, call(t, "DELETE", org+"/groups/"+gid, a.Token, nil), http.StatusNoContent)
	if ids := groupIDs(a.UserID); len(ids) != 0 {
		t.Fatalf("a deleted group is still on a user: %v", ids)
	}
	expectError(t, call(t, "GET", org+"/groups/"+gid, a.Token, nil), http.StatusNotFound)
}
