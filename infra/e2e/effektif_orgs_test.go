package e2e

import (
	"net/http"
	"testing"
)

func TestCreateListAndDeleteOrganizations(t *testing.T) {
	a := signUp(t, "Org Creator")
	expectError(t, call(t, "POST", "/api/v1/", "", map[string]any{"name": "Nobody's"}), http.StatusUnauthorized)
	second := expect(t, call(t, "POST", "/api/v1/", a.Token, map[string]any{"name": "Second Org"}), http.StatusOK).JSON(t)
	if second["key"] == "" || second["admin"] != true || second["adminIds"].([]any)[0] != a.UserID {
		t.Fatalf("created: %v", second)
	}
	key := "chosen-" + a.OrgKey
	chosen := expect(t, call(t, "POST", "/api/v1", a.Token, map[string]any{"name": "Chosen", "key": key}), http.StatusOK).JSON(t)
	if chosen["key"] != key {
		t.Fatalf("chosen key: %v", chosen)
	}
	e := expectError(t, call(t, "POST", "/api/v1/", a.Token, map[string]any{"name": "Again", "key": key}), http.StatusConflict)
	if e["field"] != "key" {
		t.Fatalf("conflict: %v", e)
	}
	for _, bad := range []map[string]any{{"name": ""}, {"name": "x", "key": "Bad Key"}, {"name": "x", "key": "users"}} {
		expectError(t, call(t, "POST", "/api/v1/", a.Token, bad), http.StatusBadRequest)
	}

	login := expect(t, call(t, "POST", "/api/v1/users/login", "", map[string]any{"emailAddress": a.Email, "password": a.Password}), http.StatusOK).JSON(t)
	if len(login["organizations"].([]any)) != 3 {
		t.Fatalf("organizations: %v", login["organizations"])
	}
	if named := expect(t, call(t, "GET", "/api/v1/"+a.OrgKey+"/organizations?name=second%20org", a.Token, nil), http.StatusOK).JSON(t); named["key"] != second["key"] {
		t.Fatalf("by name: %v", named)
	}
	var features []string
	decodeJSON(t, expect(t, call(t, "GET", "/api/v1/"+key+"/features", a.Token, nil), http.StatusOK).Body, &features)
	if len(features) == 0 {
		t.Fatal("no features")
	}

	// Deleting makes it unreachable and frees its key.
	b := signUp(t, "Org Member")
	joinAsMember(t, account{OrgKey: key, OrgID: chosen["id"].(string)}, b)
	expectError(t, call(t, "DELETE", "/api/v1/"+key, b.Token, nil), http.StatusForbidden)
	expect(t, call(t, "DELETE", "/api/v1/"+key, a.Token, nil), http.StatusNoContent)
	expectError(t, call(t, "GET", "/api/v1/"+key, a.Token, nil), http.StatusNotFound)
	expectError(t, call(t, "GET", "/api/v1/"+key+"/cases", a.Token, nil), http.StatusNotFound)
	login = expect(t, call(t, "POST", "/api/v1/users/login", "", map[string]any{"emailAddress": b.Email, "password": b.Password}), http.StatusOK).JSON(t)
	if len(login["organizations"].([]any)) != 1 {
		t.Fatalf("the deleted organization is still listed: %v", login["organizations"])
	}
	again := expect(t, call(t, "POST", "/api/v1/", b.Token, map[string]any{"name": "Reuse", "key": key}), http.StatusOK).JSON(t)
	if again["id"] == chosen["id"] {
		t.Fatal("the key was not reused by a new organization")
	}
	expect(t, call(t, "GET", "/api/v1/"+key, b.Token, nil), http.StatusOK)
}
