package e2e

import (
	"net/http"
	"testing"
)

// TestOrgModelsUserLicensesAndOrganizations: a User read as a resource
// carries licenses (each with its organization) and organizations (all of
// one's own, the shared one of others); licenses embed their
// organization and holder; a purchase order embeds orderer, completer
// and organization and carries generatorIds and muted.
func TestOrgModelsUserLicensesAndOrganizations(t *testing.T) {
	a := signUp(t, "Models Admin")
	b := signUp(t, "Models Member Home")
	joinAsMember(t, a, b)
	org := "/api/v1/" + a.OrgKey
	order := expect(t, call(t, "POST", org+"/purchase", a.Token, map[string]any{"licenseType": "team", "count": 1, "muted": true}), http.StatusOK).JSON(t)
	if order["muted"] != true || order["completedById"] != a.UserID || order["completed"] != true {
		t.Fatalf("order: %v", order)
	}
	if g := order["generatorIds"].([]any); len(g) != 1 || g[0] != a.UserID {
		t.Fatalf("generatorIds: %v", order["generatorIds"])
	}
	for _, f := range []string{"orderedBy", "completedBy"} {
		if u := order[f].(map[string]any); u["id"] != a.UserID || u["admin"] != true || u["emailAddress"] != a.Email {
			t.Fatalf("%s: %v", f, u)
		}
	}
	if o := order["organization"].(map[string]any); o["id"] != a.OrgID || o["key"] != a.OrgKey {
		t.Fatalf("order organization: %v", o)
	}
	licenseID := order["licenseIds"].([]any)[0].(string)
	free := expect(t, call(t, "GET", org+"/licenses/"+licenseID, b.Token, nil), http.StatusOK).JSON(t)
	if _, ok := free["user"]; ok || free["organization"].(map[string]any)["key"] != a.OrgKey {
		t.Fatalf("a free license: %v", free)
	}
	held := expect(t, call(t, "PUT", org+"/licenses/"+licenseID, a.Token, map[string]any{"userId": b.UserID}), http.StatusOK).JSON(t)
	if u := held["user"].(map[string]any); u["id"] != b.UserID || u["admin"] != false {
		t.Fatalf("the license's user: %v", held)
	}
	var ls []map[string]any
	decodeJSON(t, expect(t, call(t, "GET", org+"/licenses", a.Token, nil), http.StatusOK).Body, &ls)
	if len(ls) != 1 || ls[0]["user"].(map[string]any)["id"] != b.UserID || ls[0]["organization"].(map[string]any)["id"] != a.OrgID {
		t.Fatalf("licenses: %v", ls)
	}

	// b reads themself: both organizations, the license held in a's.
	self := expect(t, call(t, "GET", org+"/users/"+b.UserID, b.Token, nil), http.StatusOK).JSON(t)
	if orgs := self["organizations"].([]any); len(orgs) != 2 {
		t.Fatalf("own organizations: %v", orgs)
	}
	lics := self["licenses"].([]any)
	if len(lics) != 1 || lics[0].(map[string]any)["id"] != licenseID || lics[0].(map[string]any)["organization"].(map[string]any)["key"] != a.OrgKey {
		t.Fatalf("own licenses: %v", lics)
	}
	if _, ok := lics[0].(map[string]any)["user"]; ok {
		t.Fatalf("a user's license embeds the user again: %v", lics[0])
	}
	// a reads b: only the shared organization; a reads themself: no license.
	seen := expect(t, call(t, "GET", org+"/users/"+b.UserID, a.Token, nil), http.StatusOK).JSON(t)
	if orgs := seen["organizations"].([]any); len(orgs) != 1 || orgs[0].(map[string]any)["id"] != a.OrgID || len(seen["licenses"].([]any)) != 1 {
		t.Fatalf("b as a sees them: %v", seen)
	}
	var users []map[string]any
	decodeJSON(t, expect(t, call(t, "GET", org+"/users", a.Token, nil), http.StatusOK).Body, &users)
	for _, u := range users {
		want := 0
		if u["id"] == b.UserID {
			want = 1
		}
		if len(u["licenses"].([]any)) != want || len(u["organizations"].([]any)) != 1 {
			t.Fatalf("listed user: %v", u)
		}
	}
	login := expect(t, call(t, "POST", "/api/v1/users/login", "", map[string]any{"emailAddress": b.Email, "password": b.Password}), http.StatusOK).JSON(t)
	lu := login["user"].(map[string]any)
	if len(lu["organizations"].([]any)) != 2 || len(lu["licenses"].([]any)) != 1 {
		t.Fatalf("the login's user: %v", lu)
	}
	// Embedded users carry neither.
	o := expect(t, call(t, "GET", org, a.Token, nil), http.StatusOK).JSON(t)
	if adm := o["admins"].([]any)[0].(map[string]any); adm["licenses"] != nil || adm["organizations"] != nil {
		t.Fatalf("an embedded admin: %v", adm)
	}
}

// TestOrgModelsRegistrationOfInvitation: the registration of an
// invitation shows the inviting organization's id, key and name.
func TestOrgModelsRegistrationOfInvitation(t *testing.T) {
	a := signUp(t, "Models Inviting")
	invitee := uniqueEmail("models-invitee")
	expect(t, call(t, "POST", "/api/v1/"+a.OrgKey+"/users", a.Token, map[string]any{"emailAddress": invitee}), http.StatusOK)
	mails := mailsTo(t, invitee)
	if len(mails) != 1 {
		t.Fatalf("invitation mails: %d", len(mails))
	}
	code := codeInMail.FindStringSubmatch(mails[0].Body.Text)[1]
	reg := expect(t, call(t, "GET", "/api/v1/registrations/"+code, "", nil), http.StatusOK).JSON(t)
	o := reg["organization"].(map[string]any)
	if o["id"] != a.OrgID || o["key"] != a.OrgKey || o["name"] != "Models Inviting" || reg["organizationId"] != a.OrgID {
		t.Fatalf("the invitation's registration: %v", reg)
	}
}

// TestOrgModelsOrganizationsAnswersOne: GET /{org}/organizations answers
// one Organization: the path's, or with name the caller's of that name.
func TestOrgModelsOrganizationsAnswersOne(t *testing.T) {
	a := signUp(t, "Models First")
	second := expect(t, call(t, "POST", "/api/v1/", a.Token, map[string]any{"name": "Models Second"}), http.StatusOK).JSON(t)
	other := signUp(t, "Models Foreign")
	base := "/api/v1/" + a.OrgKey + "/organizations"
	if o := expect(t, call(t, "GET", base, a.Token, nil), http.StatusOK).JSON(t); o["id"] != a.OrgID || o["admin"] != true {
		t.Fatalf("without name: %v", o)
	}
	if o := expect(t, call(t, "GET", base+"?name=models%20SECOND", a.Token, nil), http.StatusOK).JSON(t); o["id"] != second["id"] || o["key"] != second["key"] {
		t.Fatalf("by name: %v", o)
	}
	expectError(t, call(t, "GET", base+"?name=Models%20Foreign", a.Token, nil), http.StatusNotFound)
	expectError(t, call(t, "GET", base, other.Token, nil), http.StatusNotFound)
}

// TestOrgModelsSystemUser: POST /users with systemUser makes an
// integration's account that is a member at once and logs in with its
// password; only admins may.
func TestOrgModelsSystemUser(t *testing.T) {
	a := signUp(t, "Models Systems")
	b := signUp(t, "Models Systems Member")
	joinAsMember(t, a, b)
	org := "/api/v1/" + a.OrgKey
	email, password := uniqueEmail("robot"), "robot-"+uniqueEmail("pw")
	rememberPassword(password)
	body := map[string]any{"emailAddress": email, "password": password, "firstName": "Sync", "lastName": "Robot", "systemUser": true}
	expectError(t, call(t, "POST", org+"/users", b.Token, body), http.StatusForbidden)
	if e := expectError(t, call(t, "POST", org+"/users", a.Token, map[string]any{"emailAddress": email, "systemUser": true}), http.StatusBadRequest); e["field"] != "password" {
		t.Fatalf("no password: %v", e)
	}
	u := expect(t, call(t, "POST", org+"/users", a.Token, body), http.StatusOK).JSON(t)
	if u["systemUser"] != true || u["emailAddress"] != email || u["admin"] != false || u["id"] == "" {
		t.Fatalf("the system user: %v", u)
	}
	if _, ok := u["password"]; ok {
		t.Fatalf("the answer shows a password: %v", u)
	}
	if len(mailsTo(t, email)) != 0 {
		t.Fatal("the system user got mail")
	}
	expectError(t, call(t, "POST", org+"/users", a.Token, body), http.StatusConflict)
	o := expect(t, call(t, "GET", org, a.Token, nil), http.StatusOK).JSON(t)
	if ids := o["systemUserIds"].([]any); len(ids) != 1 || ids[0] != u["id"] {
		t.Fatalf("systemUserIds: %v", o)
	}
	if su := o["systemUsers"].([]any); len(su) != 1 || su[0].(map[string]any)["systemUser"] != true {
		t.Fatalf("systemUsers: %v", o["systemUsers"])
	}
	for _, inv := range o["invitations"].([]any) {
		if inv == email {
			t.Fatalf("the system user was invited: %v", o["invitations"])
		}
	}
	login := expect(t, call(t, "POST", "/api/v1/users/login", "", map[string]any{"emailAddress": email, "password": password}), http.StatusOK).JSON(t)
	if login["user"].(map[string]any)["systemUser"] != true {
		t.Fatalf("the system user's login: %v", login["user"])
	}
	token := login["token"].(string)
	expect(t, call(t, "GET", org+"/users/"+u["id"].(string), token, nil), http.StatusOK)
	expect(t, call(t, "GET", org+"/cases", token, nil), http.StatusOK)
}
