package e2e

import (
	"net/http"
	"testing"
)

// TestJSONTextIsTakenAsSentOrRefused: a JSON body that is not valid UTF-8,
// or that holds a NUL character in a string, is refused with 400 (naming
// the field for a NUL) on every JSON route, and nothing is written; the
// same text in valid UTF-8 is kept exactly.
func TestJSONTextIsTakenAsSentOrRefused(t *testing.T) {
	a := signUp(t, "Text As Sent")
	org := "/api/v1/" + a.OrgKey
	c := expect(t, call(t, "POST", org+"/cases", a.Token, map[string]any{"name": "Case"}), http.StatusOK).JSON(t)
	events := org + "/cases/" + c["id"].(string) + "/events"
	count := func() int {
		var list []any
		decodeJSON(t, expect(t, call(t, "GET", events, a.Token, nil), http.StatusOK).Body, &list)
		return len(list)
	}
	before := count()
	bad := []struct {
		method, path string
		body         []byte
		field        string
	}{
		{"POST", events, []byte("{\"name\":\"caf\xe9\"}"), ""},
		{"POST", events, []byte(`{"name":"line\u0000break"}`), "name"},
		{"PUT", org, []byte("{\"name\":\"\xff\xfe\"}"), ""},
		{"PUT", org, []byte(`{"name":"a\u0000"}`), "name"},
		{"POST", org + "/workflows", []byte(`{"name":"w","activities":[{"type":"startEvent","id":"s\u0000"}]}`), "activities[0].id"},
		{"POST", "/api/v1/users/login", []byte("{\"emailAddress\":\"\xc3\x28@example.com\",\"password\":\"x\"}"), ""},
	}
	for _, b := range bad {
		e := expectError(t, call(t, b.method, b.path, a.Token, b.body), http.StatusBadRequest)
		if f, _ := e["field"].(string); f != b.field {
			t.Errorf("%s %s %q: field %q, want %q", b.method, b.path, b.body, f, b.field)
		}
	}
	if n := count(); n != before {
		t.Fatalf("%d events after refused comments, want %d", n, before)
	}
	got := expect(t, call(t, "GET", org, a.Token, nil), http.StatusOK).JSON(t)
	if got["name"] != "Text As Sent" {
		t.Fatalf("the organization's name changed: %v", got["name"])
	}
	var workflows []any
	decodeJSON(t, expect(t, call(t, "GET", org+"/workflows", a.Token, nil), http.StatusOK).Body, &workflows)
	if len(workflows) != 0 {
		t.Fatalf("a refused workflow was stored: %v", workflows)
	}
	expect(t, call(t, "PUT", org, a.Token, []byte(`{"name":"caf\u00e9 \u2603 Text"}`)), http.StatusOK)
	if got := expect(t, call(t, "GET", org, a.Token, nil), http.StatusOK).JSON(t); got["name"] != "café ☃ Text" {
		t.Fatalf("valid text was not kept: %q", got["name"])
	}
}
