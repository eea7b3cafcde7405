package e2e

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/effektif-serverless/caseflow/shared/store"
)

// Windmill beyond its contract tests: the super admin's operations (the
// API cannot make a super admin, so the test makes one in the table), the
// one role model across APIs, and what a password change does to API
// tokens.

// makeSystemAdmin gives an account the instance-wide privilege.
func makeSystemAdmin(t testing.TB, a account) {
	t.Helper()
	db := store.New(stack.AWS.DynamoDB(), "DataTable")
	u, err := db.GetUser(context.Background(), a.UserID)
	if err != nil {
		t.Fatal(err)
	}
	u.SystemAdmin = true
	u.Version++
	if err := db.UpdateUser(context.Background(), u, ""); err != nil {
		t.Fatal(err)
	}
}

// wmLogin logs in through Windmill and answers the token.
func wmLogin(t testing.TB, email, password string) response {
	t.Helper()
	return call(t, "POST", "/api/auth/login", "Bearer no_token", map[string]any{"email": email, "password": password})
}

func expectText(t testing.TB, r response, status int, text string) {
	t.Helper()
	expect(t, r, status)
	if !strings.HasPrefix(r.Header.Get("Content-Type"), "text/plain") || string(r.Body) != text {
		t.Fatalf("answer %q (%s), want %q as text", r.Body, r.Header.Get("Content-Type"), text)
	}
}

func TestWindmillSuperAdmin(t *testing.T) {
	root := signUp(t, "Windmill Root")
	makeSystemAdmin(t, root)
	if me := expect(t, call(t, "GET", "/api/users/whoami", root.Token, nil), http.StatusOK).JSON(t); me["super_admin"] != true {
		t.Fatalf("globalWhoami of a system admin: %v", me)
	}
	email, password := uniqueEmail("global"), "a global password"
	// Bad input after the privilege: 400, nothing made.
	expect(t, call(t, "POST", "/api/users/create", root.Token, map[string]any{"email": "nope", "password": password}), http.StatusBadRequest)
	expect(t, call(t, "POST", "/api/users/create", root.Token, map[string]any{"email": email, "password": "short"}), http.StatusBadRequest)
	expect(t, wmLogin(t, email, password), http.StatusUnauthorized)

	expectText(t, call(t, "POST", "/api/users/create", root.Token, map[string]any{"email": email, "password": password, "super_admin": false, "name": "Glo Bal"}), http.StatusCreated, "user created")
	expect(t, call(t, "POST", "/api/users/create", root.Token, map[string]any{"email": strings.ToUpper(email), "password": password}), http.StatusConflict)
	token := string(expect(t, wmLogin(t, email, password), http.StatusOK).Body)
	me := expect(t, call(t, "GET", "/api/users/whoami", token, nil), http.StatusOK).JSON(t)
	if me["email"] != email || me["name"] != "Glo Bal" || me["super_admin"] != false {
		t.Fatalf("the created account: %v", me)
	}
	// It belongs to no organization, and an Effektif login works too.
	expect(t, login(t, email, password), http.StatusOK)

	// The list holds it (pages in address order).
	var found bool
	for page := 1; page <= 100 && !found; page++ {
		var users []map[string]any
		decodeJSON(t, expect(t, call(t, "GET", "/api/users/list_as_super_admin?per_page=100&page="+strconv.Itoa(page), root.Token, nil), http.StatusOK).Body, &users)
		for _, u := range users {
			found = found || u["email"] == email
		}
		if len(users) < 100 {
			break
		}
	}
	if !found {
		t.Fatal("listUsersAsSuperAdmin does not list the created account")
	}
	expect(t, call(t, "GET", "/api/users/list_as_super_admin?page=x", root.Token, nil), http.StatusBadRequest)

	// Updating: names, then disabled, which ends its sessions and logins.
	expectText(t, call(t, "POST", "/api/users/update/"+email, root.Token, map[string]any{"name": "Re Named"}), http.StatusOK, "user updated")
	if me := expect(t, call(t, "GET", "/api/users/whoami", token, nil), http.StatusOK).JSON(t); me["name"] != "Re Named" {
		t.Fatalf("after the rename: %v", me)
	}
	expect(t, call(t, "POST", "/api/users/update/"+email, root.Token, map[string]any{"disabled": true}), http.StatusOK)
	expect(t, call(t, "GET", "/api/users/email", token, nil), http.StatusUnauthorized)
	expect(t, wmLogin(t, email, password), http.StatusUnauthorized)
	expect(t, call(t, "POST", "/api/users/update/"+uniqueEmail("nobody"), root.Token, map[string]any{"disabled": true}), http.StatusNotFound)
	// A system admin cannot take their own privilege.
	expect(t, call(t, "POST", "/api/users/update/"+root.Email, root.Token, map[string]any{"is_super_admin": false}), http.StatusConflict)

	// Granting: the new super admin may list; a plain account may not.
	other := signUp(t, "Windmill Granted")
	expect(t, call(t, "GET", "/api/users/list_as_super_admin", other.Token, nil), http.StatusForbidden)
	expect(t, call(t, "POST", "/api/users/update/"+other.Email, root.Token, map[string]any{"is_super_admin": true}), http.StatusOK)
	expect(t, call(t, "GET", "/api/users/list_as_super_admin", other.Token, nil), http.StatusOK)
}

// One role model: Windmill's disabled flag refuses the member on the
// Effektif routes of the organization too (their global routes work), and
// the operator flag stays through a promotion.
func TestWindmillRolesAcrossAPIs(t *testing.T) {
	admin := signUp(t, "Windmill Roles")
	member := addMember(t, admin, "Rolf")
	ws := "/api/w/" + admin.OrgKey
	me := expect(t, call(t, "GET", ws+"/users/whoami", member.Token, nil), http.StatusOK).JSON(t)
	name := me["username"].(string)
	if name != strings.ReplaceAll(strings.Split(member.Email, "@")[0], ".", "_") {
		t.Errorf("derived username %q of %s", name, member.Email)
	}
	expectText(t, call(t, "POST", ws+"/users/update/"+name, admin.Token, map[string]any{"disabled": true}), http.StatusOK, "user updated")
	expect(t, call(t, "GET", "/api/v1/"+admin.OrgKey, member.Token, nil), http.StatusForbidden)
	expect(t, call(t, "GET", "/api/v1/"+admin.OrgKey+"/tasks", member.Token, nil), http.StatusForbidden)
	expect(t, call(t, "GET", ws+"/users/list", member.Token, nil), http.StatusForbidden)
	// Their global routes still work.
	expect(t, call(t, "GET", "/api/users/email", member.Token, nil), http.StatusOK)
	expect(t, call(t, "POST", ws+"/users/update/"+name, admin.Token, map[string]any{"disabled": false, "operator": true}), http.StatusOK)
	expect(t, call(t, "GET", "/api/v1/"+admin.OrgKey, member.Token, nil), http.StatusOK)

	// Promoted through Windmill: an Effektif admin who may change the organization.
	expect(t, call(t, "POST", ws+"/users/update/"+name, admin.Token, map[string]any{"is_admin": true}), http.StatusOK)
	org := expect(t, call(t, "GET", "/api/v1/"+admin.OrgKey, admin.Token, nil), http.StatusOK).JSON(t)
	if !strings.Contains(fmt.Sprint(org["adminIds"]), member.UserID) {
		t.Errorf("adminIds %v lack the promoted member", org["adminIds"])
	}
	// Then the first admin may leave; the promoted one is the last admin.
	expectText(t, call(t, "POST", ws+"/workspaces/leave", admin.Token, nil), http.StatusOK, "left workspace")
	expect(t, call(t, "POST", ws+"/users/update/"+name, member.Token, map[string]any{"is_admin": false}), http.StatusConflict)
	expect(t, call(t, "POST", ws+"/users/update/"+name, member.Token, map[string]any{"disabled": true}), http.StatusConflict)
	if u := expect(t, call(t, "GET", ws+"/users/whoami", member.Token, nil), http.StatusOK).JSON(t); u["is_admin"] != true || u["operator"] != true || u["disabled"] != false {
		t.Fatalf("the last admin after refused changes: %v", u)
	}
}

// A password change ends the user's other sessions, API tokens included;
// login sessions are never listed as tokens.
func TestWindmillPasswordEndsAPITokens(t *testing.T) {
	a := signUp(t, "Windmill Tokens")
	api := string(expect(t, call(t, "POST", "/api/users/tokens/create", a.Token, map[string]any{"label": "ci"}), http.StatusCreated).Body)
	var tokens []map[string]any
	decodeJSON(t, expect(t, call(t, "GET", "/api/users/tokens/list", a.Token, nil), http.StatusOK).Body, &tokens)
	if len(tokens) != 1 || tokens[0]["label"] != "ci" {
		t.Fatalf("tokens %v, want the one API token (no login sessions)", tokens)
	}
	expectText(t, call(t, "POST", "/api/users/setpassword", a.Token, map[string]any{"password": "another long password"}), http.StatusOK, "password set")
	expect(t, call(t, "GET", "/api/users/email", api, nil), http.StatusUnauthorized)
	expect(t, call(t, "GET", "/api/users/email", a.Token, nil), http.StatusOK)
	// A prefix that is not URL-safe, or too long, is simply unknown.
	expect(t, call(t, "DELETE", "/api/users/tokens/delete/"+strings.Repeat("a", 300), a.Token, nil), http.StatusNotFound)
	expect(t, call(t, "DELETE", "/api/users/tokens/delete/a%2Fb", a.Token, nil), http.StatusNotFound)
}

// A token bound to a workspace (createToken's workspace_id) resolves in
// that organization only, on every API; a read-only one only reads.
func TestWindmillBoundAndReadOnlyTokens(t *testing.T) {
	a := signUp(t, "Bound Tokens")
	other := signUp(t, "Bound Tokens Other")
	joinAsMember(t, other, a)
	create := func(body map[string]any) string {
		t.Helper()
		r := expect(t, call(t, "POST", "/api/users/tokens/create", "Bearer "+a.Token, body), http.StatusCreated)
		return string(r.Body)
	}
	bound := create(map[string]any{"label": "bound", "workspace_id": a.OrgKey})
	expect(t, call(t, "GET", "/api/v1/"+a.OrgKey, bound, nil), http.StatusOK)
	expect(t, call(t, "GET", "/api/v1/"+other.OrgKey, a.Token, nil), http.StatusOK)
	expect(t, call(t, "GET", "/api/v1/"+other.OrgKey, bound, nil), http.StatusNotFound)
	expect(t, call(t, "GET", "/api/w/"+other.OrgKey+"/users/whoami", "Bearer "+bound, nil), http.StatusNotFound)
	expect(t, call(t, "PUT", "/"+other.OrgKey+"/api/v1/User/"+a.UserID, "Bearer "+bound, map[string]any{}), http.StatusNotFound)
	expect(t, call(t, "PUT", "/"+a.OrgKey+"/api/v1/User/"+a.UserID, "Bearer "+bound, map[string]any{}), http.StatusOK)
	// A bound token makes bound tokens only, to its own organization.
	expect(t, call(t, "POST", "/api/users/tokens/create", "Bearer "+bound, map[string]any{"label": "wider"}), http.StatusForbidden)
	expect(t, call(t, "POST", "/api/users/tokens/create", "Bearer "+bound, map[string]any{"workspace_id": other.OrgKey}), http.StatusNotFound)
	expect(t, call(t, "POST", "/api/users/tokens/create", "Bearer "+bound, map[string]any{"workspace_id": a.OrgKey}), http.StatusCreated)

	readOnly := create(map[string]any{"label": "reader", "read_only": true})
	expect(t, call(t, "GET", "/api/v1/"+other.OrgKey, readOnly, nil), http.StatusOK)
	expect(t, call(t, "PUT", "/api/v1/"+a.OrgKey, readOnly, map[string]any{"name": "Renamed"}), http.StatusForbidden)
	expect(t, call(t, "POST", "/api/v1/"+a.OrgKey+"/groups", readOnly, map[string]any{"name": "By a reader"}), http.StatusForbidden)
	if org := expect(t, call(t, "GET", "/api/v1/"+a.OrgKey, a.Token, nil), http.StatusOK).JSON(t); org["name"] == "Renamed" {
		t.Error("a read-only token renamed the organization")
	}
}
