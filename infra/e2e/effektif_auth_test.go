package e2e

import (
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
)

// account is a user who registered and activated an organization.
type account struct {
	Email, Password, Token, UserID, OrgKey, OrgID string
}

var codeInMail = regexp.MustCompile(`(?:registrations/|/pages/activate#)([A-Za-z0-9_-]{22})`)

// registrationCode registers the address and returns the code from the
// activation mail that the SES emulator received.
func registrationCode(t testing.TB, body map[string]any) string {
	t.Helper()
	email := body["emailAddress"].(string)
	r := expect(t, call(t, "POST", "/api/v1/registrations", "", body), http.StatusOK)
	if v := r.JSON(t); len(v) != 0 {
		t.Fatalf("registration answered %s, want the empty object", r.Body)
	}
	mails := mailsTo(t, email)
	if len(mails) == 0 {
		t.Fatalf("no activation mail to %s", email)
	}
	m := codeInMail.FindStringSubmatch(mails[len(mails)-1].Body.Text)
	if m == nil {
		t.Fatalf("no registration code in the mail: %q", mails[len(mails)-1].Body.Text)
	}
	return m[1]
}

// signUp registers, reads the mail, activates and returns the new account.
func signUp(t testing.TB, orgName string) account {
	t.Helper()
	a := account{Email: uniqueEmail("owner"), Password: "pass-" + uniqueEmail("pw")}
	rememberPassword(a.Password)
	code := registrationCode(t, map[string]any{"emailAddress": a.Email, "firstName": "Olga", "lastName": "Owner", "organizationName": orgName})
	login := expect(t, call(t, "POST", "/api/v1/registrations/"+code+"/activate", "", map[string]any{"password": a.Password}), http.StatusOK).JSON(t)
	a.Token, _ = login["token"].(string)
	user := login["user"].(map[string]any)
	a.UserID = user["id"].(string)
	orgs := login["organizations"].([]any)
	if len(orgs) != 1 {
		t.Fatalf("activation answered %d organizations, want 1", len(orgs))
	}
	org := orgs[0].(map[string]any)
	a.OrgKey, a.OrgID = org["key"].(string), org["id"].(string)
	return a
}

func TestRegistrationActivationAndLogin(t *testing.T) {
	email := uniqueEmail("Mixed.Case")
	password := "a long enough password"
	rememberPassword(password)
	code := registrationCode(t, map[string]any{
		"emailAddress": email, "password": password, "firstName": "Ada", "lastName": "Lovelace",
		"organizationName": "Analytical Engines Ltd", "newsletter": true, "timeZone": "Europe/Berlin",
	})

	reg := expect(t, call(t, "GET", "/api/v1/registrations/"+code, "", nil), http.StatusOK).JSON(t)
	if reg["code"] != code || reg["user"].(map[string]any)["emailAddress"] != email || reg["organization"].(map[string]any)["name"] != "Analytical Engines Ltd" {
		t.Fatalf("registration: %v", reg)
	}
	expectError(t, call(t, "GET", "/api/v1/registrations/"+strings.Repeat("x", 22), "", nil), http.StatusNotFound)

	login := expect(t, call(t, "POST", "/api/v1/registrations/"+code+"/activate", "", nil), http.StatusOK).JSON(t)
	token := login["token"].(string)
	user := login["user"].(map[string]any)
	orgs := login["organizations"].([]any)
	if token == "" || user["emailAddress"] != email || len(orgs) != 1 {
		t.Fatalf("activation: %v", login)
	}
	org := orgs[0].(map[string]any)
	if key := org["key"].(string); !strings.HasPrefix(key, "analytical-engines-ltd") || org["admin"] != true {
		t.Fatalf("organization: %v", org)
	}
	if _, ok := user["password"]; ok {
		t.Fatal("the user carries a password field")
	}

	// The code is single use.
	expectError(t, call(t, "POST", "/api/v1/registrations/"+code+"/activate", "", nil), http.StatusNotFound)
	expectError(t, call(t, "GET", "/api/v1/registrations/"+code, "", nil), http.StatusNotFound)

	// The token works raw and as a bearer token.
	key := org["key"].(string)
	for _, auth := range []string{token, "Bearer " + token, "bearer " + token} {
		got := expect(t, call(t, "GET", "/api/v1/"+key, auth, nil), http.StatusOK).JSON(t)
		if got["id"] != org["id"] || got["name"] != "Analytical Engines Ltd" || got["timeZone"] != "Europe/Berlin" {
			t.Fatalf("organization read with %q: %v", auth[:6], got)
		}
		if ids := got["adminIds"].([]any); len(ids) != 1 || ids[0] != user["id"] {
			t.Fatalf("adminIds %v", got["adminIds"])
		}
		if ids := got["memberIds"].([]any); len(ids) != 1 || ids[0] != user["id"] {
			t.Fatalf("memberIds %v", got["memberIds"])
		}
	}

	// Login is case-insensitive in the address and gives a new token.
	relogin := expect(t, call(t, "POST", "/api/v1/users/login", "", map[string]any{"emailAddress": strings.ToUpper(email), "password": password}), http.StatusOK).JSON(t)
	if relogin["token"] == token || relogin["token"] == "" || relogin["user"].(map[string]any)["id"] != user["id"] {
		t.Fatalf("login: %v", relogin)
	}
	if len(relogin["organizations"].([]any)) != 1 {
		t.Fatalf("login organizations: %v", relogin["organizations"])
	}
	// A login with the token instead of a password answers the same token.
	again := expect(t, call(t, "POST", "/api/v1/users/login", "", map[string]any{"token": token}), http.StatusOK).JSON(t)
	if again["token"] != token {
		t.Fatalf("token login: %v", again)
	}

	// A wrong password and an unknown address get the same 401.
	wrong := expectError(t, call(t, "POST", "/api/v1/users/login", "", map[string]any{"emailAddress": email, "password": "wrong password!"}), http.StatusUnauthorized)
	unknown := expectError(t, call(t, "POST", "/api/v1/users/login", "", map[string]any{"emailAddress": uniqueEmail("nobody"), "password": "wrong password!"}), http.StatusUnauthorized)
	if wrong["message"] != unknown["message"] || wrong["code"] != unknown["code"] {
		t.Fatalf("the answers differ: %v / %v", wrong, unknown)
	}

	// The user reads themself through the organization.
	me := expect(t, call(t, "GET", "/api/v1/"+key+"/users/"+user["id"].(string), token, nil), http.StatusOK).JSON(t)
	if me["emailAddress"] != email || me["admin"] != true || len(me["organizationIds"].([]any)) != 1 {
		t.Fatalf("user: %v", me)
	}
}

func TestRegistrationOfTakenAddressAndBadInput(t *testing.T) {
	// A taken address gets the same answer as a free one (no oracle of
	// accounts); the mail tells its owner, and carries no code.
	a := signUp(t, "Taken Address Inc")
	before := len(mailsTo(t, a.Email))
	if v := expect(t, call(t, "POST", "/api/v1/registrations", "", map[string]any{"emailAddress": strings.ToUpper(a.Email), "organizationName": "x"}), http.StatusOK).JSON(t); len(v) != 0 {
		t.Fatalf("registration of a taken address answered %v", v)
	}
	if mails := mailsTo(t, a.Email); len(mails) != before+1 || codeInMail.MatchString(mails[before].Body.Text) {
		t.Fatalf("mails to the taken address: %v", mails[before:])
	}

	for name, body := range map[string]any{
		"no address":      map[string]any{"organizationName": "x"},
		"bad address":     map[string]any{"emailAddress": "not an address"},
		"display name":    map[string]any{"emailAddress": "Bob <bob@example.com>"},
		"short password":  map[string]any{"emailAddress": uniqueEmail("p"), "password": "short"},
		"wrong type":      map[string]any{"emailAddress": uniqueEmail("t"), "newsletter": "yes"},
		"bad time zone":   map[string]any{"emailAddress": uniqueEmail("z"), "timeZone": "Mars/Olympus"},
		"control chars":   map[string]any{"emailAddress": uniqueEmail("c"), "firstName": "a\u0000b"},
		"malformed JSON":  `{"emailAddress": `,
		"array body":      `[]`,
		"trailing data":   `{"emailAddress":"a@example.com"} x`,
		"empty body":      ``,
		"too long a name": map[string]any{"emailAddress": uniqueEmail("l"), "lastName": strings.Repeat("x", 201)},
	} {
		t.Run(name, func(t *testing.T) {
			expectError(t, call(t, "POST", "/api/v1/registrations", "", body), http.StatusBadRequest)
		})
	}
	// An activation without any password anywhere is refused and writes nothing.
	email := uniqueEmail("nopw")
	code := registrationCode(t, map[string]any{"emailAddress": email})
	v := expectError(t, call(t, "POST", "/api/v1/registrations/"+code+"/activate", "", nil), http.StatusBadRequest)
	if v["field"] != "password" {
		t.Fatalf("error %v does not blame the password", v)
	}
	expectError(t, call(t, "POST", "/api/v1/users/login", "", map[string]any{"emailAddress": email, "password": "whatever password"}), http.StatusUnauthorized)
	// The registration is still there to activate properly.
	expect(t, call(t, "POST", "/api/v1/registrations/"+code+"/activate", "", map[string]any{"password": "now a password"}), http.StatusOK)
}

func TestConcurrentActivationsOfOneAddressMakeOneAccount(t *testing.T) {
	email := uniqueEmail("twice")
	codes := []string{
		registrationCode(t, map[string]any{"emailAddress": email, "password": "first password", "organizationName": "Twice A"}),
		registrationCode(t, map[string]any{"emailAddress": email, "password": "second password", "organizationName": "Twice B"}),
	}
	statuses := make([]int, len(codes))
	var wg sync.WaitGroup
	for i, code := range codes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			statuses[i] = call(t, "POST", "/api/v1/registrations/"+code+"/activate", "", nil).Status
		}()
	}
	wg.Wait()
	ok, conflict := 0, 0
	for _, s := range statuses {
		switch s {
		case http.StatusOK:
			ok++
		case http.StatusConflict:
			conflict++
		}
	}
	if ok != 1 || conflict != 1 {
		t.Fatalf("statuses %v, want one 200 and one 409", statuses)
	}
}

func TestOrganizationKeysAreUniqueAndAvoidReservedWords(t *testing.T) {
	a := signUp(t, "Same Name GmbH")
	b := signUp(t, "Same Name GmbH")
	if a.OrgKey == b.OrgKey || a.OrgID == b.OrgID {
		t.Fatalf("two organizations share key %q", a.OrgKey)
	}
	c := signUp(t, "Users")
	if c.OrgKey == "users" {
		t.Fatal("an organization took the reserved key users")
	}
	expect(t, call(t, "GET", "/api/v1/"+c.OrgKey, c.Token, nil), http.StatusOK)
}

func TestTenantRoutesRequireMembership(t *testing.T) {
	a := signUp(t, "Tenant A")
	b := signUp(t, "Tenant B")
	routes := []struct{ method, path string }{
		{"GET", "/api/v1/" + a.OrgKey},
		{"PUT", "/api/v1/" + a.OrgKey},
		{"GET", "/api/v1/" + a.OrgKey + "/users/" + a.UserID},
	}
	for _, rt := range routes {
		body := any(nil)
		if rt.method == "PUT" {
			body = map[string]any{"name": "hijacked"}
		}
		expectError(t, call(t, rt.method, rt.path, "", body), http.StatusUnauthorized)
		expectError(t, call(t, rt.method, rt.path, "not-a-token", body), http.StatusUnauthorized)
		expectError(t, call(t, rt.method, rt.path, "Bearer "+b.Token[:20], body), http.StatusUnauthorized)
		r := call(t, rt.method, rt.path, b.Token, body)
		if r.Status != http.StatusNotFound && r.Status != http.StatusForbidden {
			t.Fatalf("%s %s by another tenant's member: %d %s", rt.method, rt.path, r.Status, r.Body)
		}
		expectError(t, r, r.Status)
	}
	// B's own member id does not leak through A's key either.
	expectError(t, call(t, "GET", "/api/v1/"+b.OrgKey+"/users/"+a.UserID, b.Token, nil), http.StatusNotFound)
	expectError(t, call(t, "GET", "/api/v1/no-such-organization-key", a.Token, nil), http.StatusNotFound)
	if got := expect(t, call(t, "GET", "/api/v1/"+a.OrgKey, a.Token, nil), http.StatusOK).JSON(t); got["name"] != "Tenant A" {
		t.Fatalf("organization A was changed: %v", got)
	}
	expectError(t, call(t, "GET", "/api/v1/about", "", nil), http.StatusUnauthorized)
}

func TestUpdateOrganization(t *testing.T) {
	a := signUp(t, "Before Rename")
	path := "/api/v1/" + a.OrgKey
	got := expect(t, call(t, "PUT", path, a.Token, map[string]any{"name": "After Rename", "customCSS": "body{}", "timeZone": "America/New_York", "adminIds": []string{"x"}}), http.StatusOK).JSON(t)
	if got["name"] != "After Rename" || got["customCSS"] != "body{}" || got["timeZone"] != "America/New_York" || got["key"] != a.OrgKey {
		t.Fatalf("update: %v", got)
	}
	if ids := got["adminIds"].([]any); len(ids) != 1 || ids[0] != a.UserID {
		t.Fatalf("adminIds were changed through PUT: %v", ids)
	}
	for name, c := range map[string]struct {
		body   any
		status int
	}{
		"key change":     {map[string]any{"key": "other-key"}, http.StatusBadRequest},
		"empty name":     {map[string]any{"name": ""}, http.StatusBadRequest},
		"wrong type":     {map[string]any{"name": 42}, http.StatusBadRequest},
		"bad time zone":  {map[string]any{"timeZone": "Nowhere/Land"}, http.StatusBadRequest},
		"malformed JSON": {`{"name":`, http.StatusBadRequest},
		"huge body":      {`{"name":"` + strings.Repeat("x", 2<<20) + `"}`, http.StatusRequestEntityTooLarge},
	} {
		t.Run(name, func(t *testing.T) {
			expectError(t, call(t, "PUT", path, a.Token, c.body), c.status)
		})
	}
	if got := expect(t, call(t, "GET", path, a.Token, nil), http.StatusOK).JSON(t); got["name"] != "After Rename" {
		t.Fatalf("a refused update changed the organization: %v", got)
	}
}

func TestPublicAndUnknownRoutes(t *testing.T) {
	cfg := expect(t, call(t, "GET", "/api/v1/systemconfiguration", "", nil), http.StatusOK).JSON(t)
	if cfg["registrationEnabled"] != true || len(cfg["licenseTypes"].([]any)) == 0 {
		t.Fatalf("system configuration: %v", cfg)
	}
	a := signUp(t, "About Co")
	about := expect(t, call(t, "GET", "/api/v1/about", a.Token, nil), http.StatusOK).JSON(t)
	if about["version"] == "" {
		t.Fatalf("about: %v", about)
	}
	expectError(t, call(t, "GET", "/no/such/route", "", nil), http.StatusNotFound)
	expectError(t, call(t, "PATCH", "/api/v1/systemconfiguration", "", nil), http.StatusNotFound)
}
