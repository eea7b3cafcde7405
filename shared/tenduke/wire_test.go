package tenduke

import (
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/effektif-serverless/caseflow/shared/failure"
	"github.com/effektif-serverless/caseflow/shared/ids"
)

func TestIDsOnTheWire(t *testing.T) {
	id := ids.New()
	u := uuidOf(id)
	if got, err := uuidToCore("userId", u); err != nil || got != id {
		t.Errorf("uuidToCore(%s) = %s, %v", u, got, err)
	}
	if got, err := uuidToCore("userId", strings.ToUpper(u)); err != nil || got != id {
		t.Errorf("upper case: %s, %v", got, err)
	}
	random := "3f2b8c1e-9d4a-4b6e-8f1a-2c3d4e5f6a7b"
	if _, err := uuidToCore("userId", random); !failure.Is(err, failure.NotFound) {
		t.Errorf("a random UUID: %v, want NotFound", err)
	}
	for _, bad := range []string{"", "nope", id, u + "x", strings.Replace(u, "-", "x", 1)} {
		if _, err := uuidToCore("userId", bad); !failure.Is(err, failure.Invalid) {
			t.Errorf("%q: %v, want Invalid", bad, err)
		}
	}
	if got, err := newID(u); err != nil || got != id {
		t.Errorf("newID keeps the core form: %s %v", got, err)
	}
	if got, err := newID(random); err != nil || got != "" {
		t.Errorf("newID of a random UUID: %q %v, want the server's choice", got, err)
	}
	if _, err := newID(""); !failure.Is(err, failure.Invalid) {
		t.Errorf("newID without an id: %v", err)
	}
}

func TestRoleUUIDs(t *testing.T) {
	org := ids.New()
	for name, tag := range builtInTags {
		u, _ := ids.ToTaggedUUID(org, tag)
		ref, err := parseRole("roleId", u)
		if err != nil || ref.organizationID != org || ref.id != name || !ref.builtIn() {
			t.Errorf("%s: %+v %v", name, ref, err)
		}
	}
	custom := ids.New()
	if ref, err := parseRole("roleId", uuidOf(custom)); err != nil || ref.id != custom || ref.builtIn() {
		t.Errorf("custom: %+v %v", ref, err)
	}
	u, _ := ids.ToTaggedUUID(org, 9)
	if _, err := parseRole("roleId", u); !failure.Is(err, failure.NotFound) {
		t.Errorf("an unknown tag: %v", err)
	}
}

func TestListingHeaders(t *testing.T) {
	r := httptest.NewRequest("GET", "/api/idp/v1/users?filter=BE", nil)
	r.Header.Set("offset", "1")
	r.Header.Set("limit", "2")
	r.Header.Set("order", "firstName")
	r.Header.Set("asc", "false")
	l, err := readListing(r, userFields...)
	if err != nil {
		t.Fatal(err)
	}
	users := []User{{ID: "1", FirstName: "Bea"}, {ID: "2", FirstName: "Ben"}, {ID: "3", FirstName: "Bert"}, {ID: "4", FirstName: "Al"}, {ID: "5", FirstName: "Abe", Email: "x@be.example"}}
	got := apply(l, users, userField, userText)
	// filter "be" keeps Bea, Ben, Bert, Abe (and its address); desc by
	// first name: Bert, Ben, Bea, Abe; offset 1 limit 2: Ben, Bea.
	if len(got) != 2 || got[0].FirstName != "Ben" || got[1].FirstName != "Bea" {
		t.Errorf("page %+v", got)
	}
	for header, v := range map[string]string{"offset": "-1", "limit": "0", "asc": "yes", "order": "passwordHash"} {
		r := httptest.NewRequest("GET", "/", nil)
		r.Header.Set(header, v)
		if _, err := readListing(r, userFields...); !failure.Is(err, failure.Invalid) {
			t.Errorf("%s: %s answered %v", header, v, err)
		}
	}
	r = httptest.NewRequest("GET", "/?filter="+strings.Repeat("x", MaxText+1), nil)
	if _, err := readListing(r, userFields...); !failure.Is(err, failure.Invalid) {
		t.Errorf("a long filter: %v", err)
	}
}

func TestCredentialsForms(t *testing.T) {
	for _, c := range []struct {
		contentType, body string
		ok                bool
	}{
		{"application/json", `{"username":"a@b.c","password":"p"}`, true},
		{"application/json; charset=utf-8", `{"token":"t","passcode":"123456"}`, true},
		{"application/x-www-form-urlencoded", "username=a%40b.c&password=p&scope=read", true},
		{"application/json", `{"username":"a@b.c"}`, false},
		{"application/json", `{"token":"t"}`, false},
		{"application/json", `["x"]`, false},
		{"application/json", `{"username":`, false},
		{"text/plain", "username=x", false},
		{"", "", false},
		{"application/x-www-form-urlencoded", "username=a&password=p&scope=admin", false},
		{"application/x-www-form-urlencoded", "%zz", false},
	} {
		r := httptest.NewRequest("POST", "/api/idp/v1/sessions", strings.NewReader(c.body))
		if c.contentType != "" {
			r.Header.Set("Content-Type", c.contentType)
		}
		_, err := readCredentials(r)
		if (err == nil) != c.ok || err != nil && !failure.Is(err, failure.Invalid) {
			t.Errorf("%s %q: %v", c.contentType, c.body, err)
		}
	}
}

// FuzzReadListing: any headers and filter answer a listing or Invalid.
func FuzzReadListing(f *testing.F) {
	f.Add("0", "25", "email", "true", "x")
	f.Add("-1", "abc", "passwordHash", "maybe", "")
	f.Fuzz(func(t *testing.T, offset, limit, order, asc, filter string) {
		r := httptest.NewRequest("GET", "/", nil)
		for k, v := range map[string]string{"offset": offset, "limit": limit, "order": order, "asc": asc} {
			r.Header[k] = []string{v}
		}
		q := r.URL.Query()
		q.Set("filter", filter)
		r.URL.RawQuery = q.Encode()
		l, err := readListing(r, userFields...)
		if err != nil {
			if !failure.Is(err, failure.Invalid) {
				t.Fatalf("not Invalid: %v", err)
			}
			return
		}
		if l.limit < 1 || l.limit > MaxLimit || l.offset < 0 {
			t.Fatalf("listing out of bounds: %+v", l)
		}
		_ = apply(l, []User{{ID: "1"}, {ID: "2", Email: filter}}, userField, userText)
	})
}

// FuzzCredentials: any body answers credentials or Invalid, never a panic.
func FuzzCredentials(f *testing.F) {
	f.Add("application/json", `{"username":"a","password":"b"}`)
	f.Add("application/x-www-form-urlencoded", "username=a&password=b")
	f.Fuzz(func(t *testing.T, contentType, body string) {
		r := httptest.NewRequest("POST", "/", strings.NewReader(body))
		r.Header.Set("Content-Type", contentType)
		if _, err := readCredentials(r); err != nil && !failure.Is(err, failure.Invalid) {
			t.Fatalf("%q %q: %v", contentType, body, err)
		}
	})
}

// FuzzUUIDToCore: any path value answers an id, Invalid or NotFound.
func FuzzUUIDToCore(f *testing.F) {
	f.Add(uuidOf(ids.New()))
	f.Add("3f2b8c1e-9d4a-4b6e-8f1a-2c3d4e5f6a7b")
	f.Fuzz(func(t *testing.T, s string) {
		id, err := uuidToCore("id", s)
		switch {
		case err == nil:
			if uuidOf(id) != strings.ToLower(s) {
				t.Fatalf("%q read as %s", s, id)
			}
		case !failure.Is(err, failure.Invalid) && !failure.Is(err, failure.NotFound):
			t.Fatalf("%q: %v", s, err)
		}
	})
}
