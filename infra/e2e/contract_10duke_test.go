package e2e

// Contract tests of the 10Duke Identity Provider REST API (issue 11), all
// 67 operations, mounted at /api/idp/v1, through the running stack. There
// is no published client: contract_10duke_client_test.go is a small one
// that sends what the document's samples send (Accept and Content-Type
// application/json, paging in the request headers offset/limit/order/asc,
// filter in the query, bare JSON arrays, a DELETE with a body and no
// Content-Type, the double slash after the base path, Authorization:
// Bearer). Sources: ../../shared/spec/10duke-idp.md, clients.md ("10Duke"),
// the document ../../shared/seeds/002_*.txt.
//
// Run alone: `go test ./infra/e2e -run TestTenDuke -count=1`.
//
// Decisions where the document is silent (the implementer follows them):
//   - Mount and slashes: /api/idp/v1; a double slash after the base path
//     (/api/idp/v1//organizations, as every sample has) reaches the same
//     route with the same answer.
//   - Auth: Authorization: Bearer <token>, any token of the one token store
//     (an Effektif login, a Windmill login or API token, a 10Duke session).
//     No token or a dead one: 401. Scopes: a token has read and write
//     unless it is read-only (Windmill's read_only API token, or POST
//     /sessions with "scope": "read"); GET needs read, every other method
//     write; a read-only token's write: 403, nothing changes. /sessions
//     needs no scope.
//   - Errors: the document has no schema; every refusal is a JSON object
//     with a non-empty "message". Uniqueness violations are 400 (this API
//     has no 409). Bad input is a 4xx, never 5xx: a path id that is not a
//     UUID, malformed JSON, an object where an array is documented (and the
//     reverse), bad paging headers (offset < 0, limit not in 1..1000, asc
//     not true/false, order not a field of the answered schema), an unknown
//     expand value, a string over 1000 characters: 400.
//   - Ids: UUIDs. A core id (24 hex) is answered as ids.ToUUID(id) and read
//     back with ids.FromUUID, so a user, organization or group has the same
//     UUID in every answer and maps to its Effektif id. A well-formed UUID
//     not of that form, or of a thing that does not exist or that the
//     caller may not see: 404.
//   - Create bodies carry "id" (required by the document): when it is the
//     UUID form of a fresh core id the server uses it (that is how a
//     client knows the id of a group, whose create answers no body); a
//     taken id: 400; any other UUID (a client's random v4): the server
//     makes the id and answers it (in the body; for a group in the
//     Location header, …/organizations/{organizationId}/groups/{id}); a
//     missing or malformed id: 400. On replace (PUT with the id in the
//     body) an unknown id is 404.
//   - Tenancy: a 10Duke organization is the Effektif organization (same
//     name, same members, admins = Effektif admins), Windmill's workspace,
//     SuperOffice's tenant. Membership of an organization is the core
//     membership (not derived from groups). Groups are the core's groups
//     (Effektif groupIds, epilot /v2/users/{id}/groups).
//   - Visibility: a caller sees the organizations they are a member of, the
//     users who share an organization with them, the groups, roles and
//     invitations of their organizations. Anything else is 404 (another
//     organization's admin gets 404 on every path of an organization they
//     are not in, reads and writes alike). A plain member reads their
//     organization, its users and groups; writing to it is the admins'
//     (a member's write: 403).
//   - Organizations: POST /organizations makes an organization whose admin
//     is the caller (as Effektif's POST /api/v1/ does). Names are unique
//     (case-insensitive) among organizations made or renamed through this
//     API and those they collide with: a taken name is 400. PUT changes
//     name, description, type; the Effektif name follows. DELETE is the
//     Effektif organization's deletion (admins only; 204; then 404).
//     organization-setup?initialAdminId=<uuid>: initialAdminId is the
//     caller or a user sharing an organization the caller administers
//     (else 400); the new organization gets one group named after it with
//     type "employees" holding that user, who is its admin; the caller is
//     not made a member.
//   - Users: POST /users registers an identity (no password: they set one
//     through a reset or an invitation) and makes it a plain member of the
//     caller's organization: the one the token is bound to (epilot
//     switchOrganization, Windmill workspace_id), else the only one the
//     caller administers (several and an unbound token: 400). A taken
//     email (any identity): 400. PUT /users changes firstName, lastName,
//     validFrom, validUntil (the window is stored and answered; its
//     enforcement is left to later); a different email: 400 (address
//     changes go through a confirmation elsewhere). DELETE /users/{id} by an
//     admin removes the user from every organization the caller
//     administers (204; the identity stays if it has other memberships);
//     the user may not delete themselves (400). GET /users and /user-info
//     list the users the caller can see.
//   - Lists answer a bare JSON array. Paging: offset default 0, limit
//     default 100 (max 1000); order names a field of the answered schema
//     (name, email, firstName, lastName, …), asc default true. filter is a
//     case-insensitive substring of the name (organizations, groups) or of
//     firstName, lastName or email (users).
//   - Groups: names unique per organization (400). Adding a user who is not
//     a member of the group's organization: 400; adding a member again:
//     400. PUT …/users sets the members to the array ([] removes all).
//     POST/DELETE …/users (arrays) and the one-user forms answer 201/200
//     with no body; GET …/users/{userId} is 404 for a non-member.
//   - Roles: organization roles belong to the caller's organization (the
//     same rule as POST /users). Each organization lists two built-in roles
//     named "admin" and "member", the core's roles: assigning "admin" makes
//     the user an Effektif admin of that organization, removing it makes
//     them a member again; built-ins cannot be replaced or deleted (400).
//     Other roles are the organization's own (unique names, 400); they are
//     assigned and listed. GET /users/{userId}/organization-roles answers
//     a JSON array (the document's summary says "List"; its single object
//     is a render error). Assigning an unknown role or a role of an
//     organization the user is not in: 400.
//   - Group invitations: the admins of organizationId create them;
//     memberWelcomeUrl must contain ${key}; groupIds must be groups of that
//     organization (else 400). POST …-invitations answers 201 the
//     invitation with invitationState "created" and, once, its
//     memberWelcomeUrl with ${key} replaced by the invitation key (the
//     caller delivers it); later reads answer the template. POST …/send
//     makes it and mails the address the same link: 201 SendEmailResult
//     {id: the invitation's id, resultCode: "success"}; state
//     "deliveryRequested". Accept and decline: the signed-in holder of the
//     invited address (the core's rule: a forwarded link is useless to
//     anyone else, 403), who sends the invitation (its id) with
//     memberWelcomeUrl as they landed on it (the key in the template's
//     place); an invitation may name no groups; accept makes the caller a
//     member of the organization and of groupIds, sets claimedAt (epoch
//     milliseconds); decline sets declinedAt. Revoke: an admin, sets
//     revokedAt. Each state changes once: accepting, declining or revoking
//     a closed invitation, or a wrong key, is 400, and two racing changes
//     have one winner. The lists: GET /organization-group-invitations all
//     invitations of the organizations the caller administers, /accepted,
//     /declined, /revoked those in the state; …/{organizationId}/…/open
//     those neither accepted, declined nor revoked. DELETE: an admin, 204,
//     then 404.
//   - TOTP (RFC 6238: SHA1, 6 digits, 30 s): a user's own credential, no
//     one else's (404). POST answers 201 OtpCredential with secret
//     (Base32), keyUri (otpauth://totp/…secret=…), verified false, and
//     qrCode (Base64 PNG of keyUri) with expand=qrCode. POST again while
//     unverified replaces it; while verified: 400. While unverified GET
//     answers keyUri (and qrCode with expand) and GET …/qr the PNG
//     (image/png); the secret field is only ever in the POST answer; once
//     verified GET answers verified true and no keyUri or qrCode, and …/qr
//     is 404. Verify: a bare JSON array of two passcodes of consecutive
//     steps, the second for the current step or the one before (clock
//     drift): 201 no body; anything else 400. A passcode is good within
//     one step of now and once: a passcode used (also by verify) is
//     refused. The credential joins the login of POST /sessions only.
//     DELETE: 204, then GET 404 and login by password alone.
//   - Sessions: POST /sessions takes JSON {username, password, passcode?,
//     scope?} or the same fields form-encoded (username is the email). 201
//     AuthenticationResult {token} (the bearer token; no challenges).
//     Wrong credentials: 401 AuthenticationResult without token (the same
//     body for an unknown user). TOTP enrolled and no or a bad passcode:
//     401 {challenges: [{type: "totp"}], token: <state token>}; the state
//     token is no bearer anywhere, and {token, passcode} finishes the login
//     (201). Missing fields, another content type: 400. DELETE /sessions
//     ends the caller's token in every API (204; then 401 everywhere);
//     without a token: 401.
//   - Recovery emails: a user's own (others: 404). POST {id, value}: 201
//     without validatedAt; an address the user already has, or not an
//     address: 400. PUT {id, value}: 200; a changed value clears
//     validatedAt. POST …/challenges: 201 with an empty token: the core mails
//     the challenge token to the address (answering it would let a user
//     validate an address they do not hold); PUT …/challenges {token} with
//     the mailed one: 200 {token}, sets validatedAt (ISO-8601); a wrong or
//     used token: 400. send-validation?verificationUrl=…${key}… (a URL
//     under PublicBaseUrl, the core's anti-phishing rule)
//     mails the address the URL with ${key} replaced by a challenge token
//     (201 SendEmailResult {id: the email's id, resultCode: "success"});
//     no ${key}: 400.
//
// Operations (numbers of 10duke-idp.md) and where they are tested:
// Organizations 1-4, 6, 15, 16, 20; users 21, 23, 26, 29, 30, 35-37;
// groups 44, 48, 49, 51-62; roles 27, 28, 33, 34, 63-67; invitations 5,
// 7-14, 17-19; TOTP 22, 40-42, 50; recovery emails 24, 25, 38, 39, 43,
// 45-47; sessions 31, 32.

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"
)

// tdOrg is the UUID of an account's organization, tdMe of its user.
func tdOrg(t testing.TB, a account) string { t.Helper(); return tdUUID(t, a.OrgID) }
func tdMe(t testing.TB, a account) string  { t.Helper(); return tdUUID(t, a.UserID) }

// Operations 1, 2, 3, 4, 6, 15, 16, 20.
func TestTenDukeOrganizations(t *testing.T) {
	a := signUp(t, unique("TD Orgs"))
	b := addMember(t, a, "Bert")
	outsider := signUp(t, unique("TD Orgs Outsider"))
	org := tdOrg(t, a)

	// GET /organizations, with the document's double slash: the caller's
	// organizations, the Effektif one among them, same id, same name.
	list := tdList(t, expect(t, td(t, "GET", "/organizations", a.Token, tdReq{slash2: true, page: page(0, 25, "name", false)}), http.StatusOK))
	o := tdFind(list, org)
	if o == nil || o["name"] != effektifOrgName(t, a) {
		t.Fatalf("GET //organizations: %v, want %s named %q", list, org, effektifOrgName(t, a))
	}
	if tdHas(list, tdOrg(t, outsider)) {
		t.Errorf("another organization listed: %v", list)
	}
	single := tdList(t, expect(t, td(t, "GET", "/organizations", a.Token, tdReq{}), http.StatusOK))
	if len(single) != len(list) || !tdHas(single, org) {
		t.Errorf("single and double slash differ: %v / %v", tdIDs(single), tdIDs(list))
	}

	// GET /organizations/{organizationId}.
	got := expect(t, td(t, "GET", "/organizations/"+org, a.Token, tdReq{slash2: true}), http.StatusOK).JSON(t)
	if got["id"] != org || got["name"] != effektifOrgName(t, a) {
		t.Fatalf("GET organization: %v", got)
	}
	expect(t, tdGet(t, "/organizations/"+org, b.Token), http.StatusOK)

	// POST /organizations: the caller's id choice is kept, the caller is
	// its admin (Effektif's login lists it), the name is unique.
	name := unique("TD Made")
	id := tdNewID(t)
	made := expect(t, tdSend(t, "POST", "/organizations", a.Token, map[string]any{"id": id, "name": name, "description": "made through 10Duke", "type": "company"}), http.StatusCreated).JSON(t)
	if made["id"] != id || made["name"] != name || made["description"] != "made through 10Duke" || made["type"] != "company" {
		t.Fatalf("POST /organizations: %v", made)
	}
	lg := expect(t, login(t, a.Email, a.Password), http.StatusOK).JSON(t)
	if !strings.Contains(fmt.Sprint(lg["organizations"]), tdCore(t, id)) {
		t.Errorf("the new organization is not the caller's in Effektif: %v", lg["organizations"])
	}
	tdError(t, tdSend(t, "POST", "/organizations", a.Token, map[string]any{"id": tdNewID(t), "name": strings.ToUpper(name)}), http.StatusBadRequest)
	tdError(t, tdSend(t, "POST", "/organizations", a.Token, map[string]any{"id": id, "name": unique("TD Same Id")}), http.StatusBadRequest)
	tdError(t, tdSend(t, "POST", "/organizations", a.Token, map[string]any{"name": unique("TD No Id")}), http.StatusBadRequest)
	tdError(t, tdSend(t, "POST", "/organizations", a.Token, map[string]any{"id": tdNewID(t)}), http.StatusBadRequest)
	// A client's random UUID: the server makes the id.
	v4 := randomUUID()
	other := expect(t, tdSend(t, "POST", "/organizations", a.Token, map[string]any{"id": v4, "name": unique("TD V4")}), http.StatusCreated).JSON(t)
	if other["id"] == v4 {
		t.Errorf("a random UUID was kept: %v", other)
	} else {
		tdCore(t, other["id"].(string))
	}

	// PUT /organizations: the id in the body; Effektif's name follows.
	renamed := unique("TD Renamed")
	put := expect(t, tdSend(t, "PUT", "/organizations", a.Token, map[string]any{"id": org, "name": renamed, "description": "renamed", "type": "enterprise"}), http.StatusOK).JSON(t)
	if put["id"] != org || put["name"] != renamed || put["type"] != "enterprise" {
		t.Fatalf("PUT /organizations: %v", put)
	}
	if n := effektifOrgName(t, a); n != renamed {
		t.Errorf("Effektif name %q after the PUT, want %q", n, renamed)
	}
	tdError(t, tdSend(t, "PUT", "/organizations", a.Token, map[string]any{"id": tdNewID(t), "name": unique("TD Ghost")}), http.StatusNotFound)
	tdError(t, tdSend(t, "PUT", "/organizations", a.Token, map[string]any{"id": org, "name": name}), http.StatusBadRequest)
	tdError(t, tdSend(t, "PUT", "/organizations", b.Token, map[string]any{"id": org, "name": unique("TD By Member")}), http.StatusForbidden)

	// GET /organizations/{organizationId}/users (+filter) and one user.
	users := tdList(t, expect(t, td(t, "GET", "/organizations/"+org+"/users", a.Token, tdReq{page: page(0, 25, "email", true)}), http.StatusOK))
	if !tdHas(users, tdMe(t, a)) || !tdHas(users, tdMe(t, b)) || len(users) != 2 {
		t.Fatalf("organization users: %v", users)
	}
	if bu := tdFind(users, tdMe(t, b)); bu["email"] != b.Email || bu["firstName"] != "Bert" {
		t.Errorf("the member as a User: %v", bu)
	}
	filtered := tdList(t, expect(t, td(t, "GET", "/organizations/"+org+"/users", a.Token, tdReq{query: "filter=bERT"}), http.StatusOK))
	if len(filtered) != 1 || filtered[0]["id"] != tdMe(t, b) {
		t.Errorf("filter=bERT: %v", filtered)
	}
	one := expect(t, tdGet(t, "/organizations/"+org+"/users/"+tdMe(t, b), a.Token), http.StatusOK).JSON(t)
	if one["id"] != tdMe(t, b) || one["email"] != b.Email {
		t.Errorf("organization user: %v", one)
	}
	tdError(t, tdGet(t, "/organizations/"+org+"/users/"+tdMe(t, outsider), a.Token), http.StatusNotFound)

	// organization-setup: the initial admin is b, with a default group.
	setupName := unique("TD Setup")
	setupID := tdNewID(t)
	setup := expect(t, td(t, "POST", "/organizations/organization-setup", a.Token, tdReq{slash2: true, query: "initialAdminId=" + tdMe(t, b),
		body: map[string]any{"id": setupID, "name": setupName, "description": "set up"}}), http.StatusCreated).JSON(t)
	if setup["id"] != setupID || setup["name"] != setupName {
		t.Fatalf("organization-setup: %v", setup)
	}
	if orgs := tdList(t, expect(t, tdGet(t, "/users/"+tdMe(t, b)+"/organizations", b.Token), http.StatusOK)); !tdHas(orgs, setupID) {
		t.Errorf("the initial admin's organizations: %v", orgs)
	}
	groups := tdList(t, expect(t, tdGet(t, "/organizations/"+setupID+"/groups", b.Token), http.StatusOK))
	if len(groups) != 1 || groups[0]["type"] != "employees" {
		t.Fatalf("the set-up organization's groups: %v", groups)
	}
	expect(t, tdGet(t, "/organizations/"+setupID+"/groups/"+groups[0]["id"].(string)+"/users/"+tdMe(t, b), b.Token), http.StatusOK)
	bAdmin := account{Email: b.Email, Password: b.Password, Token: b.Token, UserID: b.UserID, OrgID: tdCore(t, setupID)}
	for _, o := range expect(t, login(t, b.Email, b.Password), http.StatusOK).JSON(t)["organizations"].([]any) {
		if m := o.(map[string]any); m["id"] == bAdmin.OrgID {
			bAdmin.OrgKey, _ = m["key"].(string)
			if m["admin"] != true {
				t.Errorf("the initial admin is no Effektif admin: %v", m)
			}
		}
	}
	if bAdmin.OrgKey == "" {
		t.Fatalf("the set-up organization is not in the initial admin's Effektif login")
	}
	tdError(t, tdGet(t, "/organizations/"+setupID, a.Token), http.StatusNotFound)
	tdError(t, td(t, "POST", "/organizations/organization-setup", a.Token, tdReq{query: "initialAdminId=" + tdMe(t, outsider), body: map[string]any{"id": tdNewID(t), "name": unique("TD Setup Out")}}), http.StatusBadRequest)
	tdError(t, td(t, "POST", "/organizations/organization-setup", a.Token, tdReq{body: map[string]any{"id": tdNewID(t), "name": unique("TD Setup None")}}), http.StatusBadRequest)

	// Another organization's admin: 404 on every path of a's organization.
	for _, r := range []response{
		tdGet(t, "/organizations/"+org, outsider.Token),
		tdGet(t, "/organizations/"+org+"/users", outsider.Token),
		tdGet(t, "/organizations/"+org+"/users/"+tdMe(t, a), outsider.Token),
		tdSend(t, "PUT", "/organizations", outsider.Token, map[string]any{"id": org, "name": unique("TD Hijack")}),
		td(t, "DELETE", "/organizations/"+org, outsider.Token, tdReq{}),
	} {
		tdError(t, r, http.StatusNotFound)
	}
	expect(t, tdGet(t, "/organizations/"+org, a.Token), http.StatusOK)

	// DELETE /organizations/{organizationId}: 204, then 404, in Effektif too.
	tdError(t, td(t, "DELETE", "/organizations/"+org, b.Token, tdReq{}), http.StatusForbidden)
	tdEmpty(t, td(t, "DELETE", "/organizations/"+id, a.Token, tdReq{slash2: true}), http.StatusNoContent)
	tdError(t, tdGet(t, "/organizations/"+id, a.Token), http.StatusNotFound)
	tdError(t, td(t, "DELETE", "/organizations/"+id, a.Token, tdReq{}), http.StatusNotFound)
	if list := tdList(t, expect(t, tdGet(t, "/organizations", a.Token), http.StatusOK)); tdHas(list, id) {
		t.Errorf("a deleted organization is listed: %v", list)
	}
}

// Operations 21, 23, 26, 29, 30, 35, 36, 37.
func TestTenDukeUsers(t *testing.T) {
	a := signUp(t, unique("TD Users"))
	b := addMember(t, a, "Bert")
	outsider := signUp(t, unique("TD Users Outsider"))
	org := tdOrg(t, a)

	// GET /users/{userId}: an Effektif user as a 10Duke User.
	me := expect(t, tdGet(t, "/users/"+tdMe(t, a), a.Token), http.StatusOK).JSON(t)
	if me["id"] != tdMe(t, a) || me["email"] != a.Email || me["firstName"] != "Olga" || me["lastName"] != "Owner" {
		t.Fatalf("GET /users/{userId}: %v", me)
	}
	expect(t, tdGet(t, "/users/"+tdMe(t, a), b.Token), http.StatusOK)
	tdError(t, tdGet(t, "/users/"+tdMe(t, a), outsider.Token), http.StatusNotFound)
	tdError(t, tdGet(t, "/users/"+tdNewID(t), a.Token), http.StatusNotFound)

	// POST /users: the chosen id, a member of the caller's organization.
	id := tdNewID(t)
	email := uniqueEmail("td-user")
	made := expect(t, td(t, "POST", "/users", a.Token, tdReq{slash2: true, body: map[string]any{"id": id, "firstName": "Cleo", "lastName": "Carter", "email": email,
		"validFrom": "2020-01-01T00:00:00.000Z", "validUntil": "2099-12-31T23:59:59.123Z"}}), http.StatusCreated).JSON(t)
	if made["id"] != id || made["email"] != email || made["firstName"] != "Cleo" || made["validUntil"] == nil {
		t.Fatalf("POST /users: %v", made)
	}
	if u := effektifUser(t, a, tdCore(t, id)); u["emailAddress"] != email {
		t.Errorf("the new user through Effektif: %v", u)
	}
	for _, bad := range []map[string]any{
		{"id": tdNewID(t), "firstName": "Dup", "lastName": "Dup", "email": email},
		{"id": tdNewID(t), "firstName": "Dup", "lastName": "Dup", "email": strings.ToUpper(a.Email)},
		{"id": id, "firstName": "Dup", "lastName": "Dup", "email": uniqueEmail("td-dup-id")},
		{"id": tdNewID(t), "firstName": "No", "lastName": "Mail"},
		{"id": tdNewID(t), "firstName": "Bad", "lastName": "Mail", "email": "not-an-address"},
		{"firstName": "No", "lastName": "Id", "email": uniqueEmail("td-no-id")},
	} {
		tdError(t, tdSend(t, "POST", "/users", a.Token, bad), http.StatusBadRequest)
	}
	tdError(t, tdSend(t, "POST", "/users", b.Token, map[string]any{"id": tdNewID(t), "firstName": "By", "lastName": "Member", "email": uniqueEmail("td-by-member")}), http.StatusForbidden)

	// GET /users: paging headers, sorted by email.
	all := tdList(t, expect(t, td(t, "GET", "/users", a.Token, tdReq{page: page(0, 100, "email", true)}), http.StatusOK))
	for _, want := range []string{tdMe(t, a), tdMe(t, b), id} {
		if !tdHas(all, want) {
			t.Fatalf("GET /users misses %s: %v", want, all)
		}
	}
	if tdHas(all, tdMe(t, outsider)) {
		t.Errorf("GET /users shows an outsider: %v", all)
	}
	emails := make([]string, len(all))
	for i, u := range all {
		emails[i] = strings.ToLower(u["email"].(string))
	}
	if !sort.StringsAreSorted(emails) {
		t.Errorf("order=email asc=true: %v", emails)
	}
	desc := tdList(t, expect(t, td(t, "GET", "/users", a.Token, tdReq{page: page(0, 100, "email", false)}), http.StatusOK))
	if len(desc) != len(all) || desc[0]["id"] != all[len(all)-1]["id"] {
		t.Errorf("asc=false is not the reverse: %v", tdIDs(desc))
	}
	second := tdList(t, expect(t, td(t, "GET", "/users", a.Token, tdReq{page: page(1, 1, "email", true)}), http.StatusOK))
	if len(second) != 1 || second[0]["id"] != all[1]["id"] {
		t.Errorf("offset 1 limit 1: %v, want %v", tdIDs(second), all[1]["id"])
	}

	// PUT /users: the id in the body; Effektif follows; the email stays.
	put := expect(t, tdSend(t, "PUT", "/users", a.Token, map[string]any{"id": id, "firstName": "Clea", "lastName": "Carver", "email": email}), http.StatusOK).JSON(t)
	if put["id"] != id || put["firstName"] != "Clea" || put["lastName"] != "Carver" {
		t.Fatalf("PUT /users: %v", put)
	}
	if u := effektifUser(t, a, tdCore(t, id)); u["firstName"] != "Clea" || u["lastName"] != "Carver" {
		t.Errorf("Effektif after PUT /users: %v", u)
	}
	tdError(t, tdSend(t, "PUT", "/users", a.Token, map[string]any{"id": id, "firstName": "Clea", "lastName": "Carver", "email": uniqueEmail("td-other")}), http.StatusBadRequest)
	tdError(t, tdSend(t, "PUT", "/users", a.Token, map[string]any{"id": tdNewID(t), "firstName": "Gh", "lastName": "Ost", "email": uniqueEmail("td-ghost")}), http.StatusNotFound)
	tdError(t, tdSend(t, "PUT", "/users", outsider.Token, map[string]any{"id": tdMe(t, b), "firstName": "Hi", "lastName": "Jack", "email": b.Email}), http.StatusNotFound)
	own := expect(t, tdSend(t, "PUT", "/users", b.Token, map[string]any{"id": tdMe(t, b), "firstName": "Berta", "lastName": "Baker", "email": b.Email}), http.StatusOK).JSON(t)
	if own["firstName"] != "Berta" {
		t.Errorf("a user's own PUT: %v", own)
	}

	// GET /user-info/{userId} and /user-info.
	info := expect(t, tdGet(t, "/user-info/"+tdMe(t, b), a.Token), http.StatusOK).JSON(t)
	if info["id"] != tdMe(t, b) || info["email"] != b.Email || info["firstName"] != "Berta" || info["lastName"] != "Baker" {
		t.Errorf("GET /user-info/{userId}: %v", info)
	}
	tdError(t, tdGet(t, "/user-info/"+tdMe(t, b), outsider.Token), http.StatusNotFound)
	infos := tdList(t, expect(t, td(t, "GET", "/user-info", a.Token, tdReq{page: page(0, 100, "lastName", true)}), http.StatusOK))
	if !tdHas(infos, tdMe(t, a)) || !tdHas(infos, tdMe(t, b)) || !tdHas(infos, id) || tdHas(infos, tdMe(t, outsider)) {
		t.Errorf("GET /user-info: %v", tdIDs(infos))
	}

	// GET /users/{userId}/organizations (+filter).
	orgs := tdList(t, expect(t, td(t, "GET", "/users/"+tdMe(t, b)+"/organizations", b.Token, tdReq{page: page(0, 25, "name", true)}), http.StatusOK))
	if !tdHas(orgs, org) || !tdHas(orgs, tdOrg(t, b)) {
		t.Fatalf("a member's organizations: %v", orgs)
	}
	name := tdFind(orgs, org)["name"].(string)
	only := tdList(t, expect(t, td(t, "GET", "/users/"+tdMe(t, b)+"/organizations", b.Token, tdReq{query: "filter=" + url.QueryEscape(strings.ToLower(name))}), http.StatusOK))
	if len(only) != 1 || only[0]["id"] != org {
		t.Errorf("organizations filter=%q: %v", name, only)
	}
	tdError(t, tdGet(t, "/users/"+tdMe(t, b)+"/organizations", outsider.Token), http.StatusNotFound)

	// A client's random UUID: the server makes the id.
	v4 := randomUUID()
	r := expect(t, tdSend(t, "POST", "/users", a.Token, map[string]any{"id": v4, "firstName": "Vee", "lastName": "Four", "email": uniqueEmail("td-v4")}), http.StatusCreated).JSON(t)
	if r["id"] == v4 {
		t.Errorf("a random UUID was kept: %v", r)
	} else {
		tdCore(t, r["id"].(string))
	}

	// DELETE /users/{userId}: 204, then 404; not oneself.
	tdError(t, td(t, "DELETE", "/users/"+tdMe(t, a), a.Token, tdReq{}), http.StatusBadRequest)
	tdError(t, td(t, "DELETE", "/users/"+id, outsider.Token, tdReq{}), http.StatusNotFound)
	tdError(t, td(t, "DELETE", "/users/"+id, b.Token, tdReq{}), http.StatusForbidden)
	tdEmpty(t, td(t, "DELETE", "/users/"+id, a.Token, tdReq{slash2: true}), http.StatusNoContent)
	tdError(t, tdGet(t, "/users/"+id, a.Token), http.StatusNotFound)
	tdError(t, td(t, "DELETE", "/users/"+id, a.Token, tdReq{}), http.StatusNotFound)
	expect(t, call(t, "GET", "/api/v1/"+a.OrgKey+"/users/"+tdCore(t, id), a.Token, nil), http.StatusNotFound)
}

// Operations 44, 48, 49, 51-62.
func TestTenDukeGroups(t *testing.T) {
	a := signUp(t, unique("TD Groups"))
	b := addMember(t, a, "Bert")
	c := addMember(t, a, "Cleo")
	outsider := signUp(t, unique("TD Groups Outsider"))
	org := tdOrg(t, a)
	groups := "/organizations/" + org + "/groups"

	// POST …/groups: 201 with no body; the client's id names it.
	gid := tdNewID(t)
	tdEmpty(t, td(t, "POST", groups, a.Token, tdReq{slash2: true, body: map[string]any{"id": gid, "name": "Sales", "description": "sellers", "type": "employees"}}), http.StatusCreated)
	g := expect(t, tdGet(t, groups+"/"+gid, a.Token), http.StatusOK).JSON(t)
	if g["id"] != gid || g["name"] != "Sales" || g["description"] != "sellers" || g["type"] != "employees" {
		t.Fatalf("GET group: %v", g)
	}
	tdError(t, tdSend(t, "POST", groups, a.Token, map[string]any{"id": tdNewID(t), "name": "sales"}), http.StatusBadRequest)
	tdError(t, tdSend(t, "POST", groups, a.Token, map[string]any{"id": gid, "name": "Other"}), http.StatusBadRequest)
	tdError(t, tdSend(t, "POST", groups, a.Token, map[string]any{"name": "No id"}), http.StatusBadRequest)
	tdError(t, tdSend(t, "POST", groups, b.Token, map[string]any{"id": tdNewID(t), "name": "By member"}), http.StatusForbidden)
	// A random UUID: the Location header names the group.
	loc := expect(t, tdSend(t, "POST", groups, a.Token, map[string]any{"id": randomUUID(), "name": "Support"}), http.StatusCreated).Header.Get("Location")
	i := strings.LastIndex(loc, "/groups/")
	if i < 0 {
		t.Fatalf("no Location for a group made with a random UUID: %q", loc)
	}
	support := loc[i+len("/groups/"):]
	tdCore(t, support)
	gid3 := tdNewID(t)
	tdEmpty(t, tdSend(t, "POST", groups, a.Token, map[string]any{"id": gid3, "name": "Accounts"}), http.StatusCreated)

	// GET …/groups: sorted and paged by the headers.
	list := tdList(t, expect(t, td(t, "GET", groups, a.Token, tdReq{page: page(0, 100, "name", true)}), http.StatusOK))
	var names []string
	for _, g := range list {
		names = append(names, g["name"].(string))
	}
	if !tdHas(list, gid) || !tdHas(list, support) || !tdHas(list, gid3) || !sort.StringsAreSorted(names) {
		t.Fatalf("GET groups order=name asc=true: %v", names)
	}
	desc := tdList(t, expect(t, td(t, "GET", groups, a.Token, tdReq{page: page(0, 100, "name", false)}), http.StatusOK))
	if len(desc) != len(list) || desc[0]["id"] != list[len(list)-1]["id"] {
		t.Errorf("asc=false: %v", tdIDs(desc))
	}
	if p := tdList(t, expect(t, td(t, "GET", groups, a.Token, tdReq{page: page(1, 1, "name", true)}), http.StatusOK)); len(p) != 1 || p[0]["id"] != list[1]["id"] {
		t.Errorf("offset 1 limit 1: %v", tdIDs(p))
	}

	// PUT …/groups: 200, no body; the id in the body.
	tdEmpty(t, tdSend(t, "PUT", groups, a.Token, map[string]any{"id": gid, "name": "Sales EU", "description": "Europe", "type": "employees"}), http.StatusOK)
	if g := expect(t, tdGet(t, groups+"/"+gid, a.Token), http.StatusOK).JSON(t); g["name"] != "Sales EU" || g["description"] != "Europe" {
		t.Errorf("after PUT: %v", g)
	}
	tdError(t, tdSend(t, "PUT", groups, a.Token, map[string]any{"id": gid, "name": "Accounts"}), http.StatusBadRequest)
	tdError(t, tdSend(t, "PUT", groups, a.Token, map[string]any{"id": tdNewID(t), "name": "Ghost"}), http.StatusNotFound)

	// Members: POST a bare array (201), duplicates and outsiders 400.
	members := groups + "/" + gid + "/users"
	tdEmpty(t, tdSend(t, "POST", members, a.Token, []string{tdMe(t, b), tdMe(t, c)}), http.StatusCreated)
	tdError(t, tdSend(t, "POST", members, a.Token, []string{tdMe(t, b)}), http.StatusBadRequest)
	tdError(t, tdSend(t, "POST", members, a.Token, []string{tdMe(t, outsider)}), http.StatusBadRequest)
	tdError(t, tdSend(t, "POST", members, a.Token, map[string]any{"ids": []string{tdMe(t, a)}}), http.StatusBadRequest)
	in := tdList(t, expect(t, td(t, "GET", members, a.Token, tdReq{page: page(0, 25, "email", true)}), http.StatusOK))
	if len(in) != 2 || !tdHas(in, tdMe(t, b)) || !tdHas(in, tdMe(t, c)) {
		t.Fatalf("group members: %v", in)
	}
	if f := tdList(t, expect(t, td(t, "GET", members, a.Token, tdReq{query: "filter=cleo"}), http.StatusOK)); len(f) != 1 || f[0]["id"] != tdMe(t, c) {
		t.Errorf("members filter=cleo: %v", f)
	}
	if u := expect(t, tdGet(t, members+"/"+tdMe(t, b), a.Token), http.StatusOK).JSON(t); u["id"] != tdMe(t, b) || u["email"] != b.Email {
		t.Errorf("GET member: %v", u)
	}
	// The same group through Effektif and epilot.
	core := tdCore(t, gid)
	if !strings.Contains(effektifGroupIDs(t, a, b.UserID), core) {
		t.Errorf("Effektif groupIds of the member: %s, want %s", effektifGroupIDs(t, a, b.UserID), core)
	}
	if eg := expect(t, call(t, "GET", "/v2/users/"+b.UserID+"/groups", a.Token, nil), http.StatusOK); !strings.Contains(string(eg.Body), core) {
		t.Errorf("epilot groups of the member: %s", eg.Body)
	}

	// DELETE with a bare array body and no Content-Type (the sample): 200.
	raw := []byte(`["` + tdMe(t, c) + `"]`)
	tdEmpty(t, td(t, "DELETE", members, a.Token, tdReq{raw: raw}), http.StatusOK)
	tdError(t, tdGet(t, members+"/"+tdMe(t, c), a.Token), http.StatusNotFound)
	// One user: POST 201, DELETE 200.
	tdEmpty(t, td(t, "POST", members+"/"+tdMe(t, c), a.Token, tdReq{slash2: true}), http.StatusCreated)
	tdError(t, td(t, "POST", members+"/"+tdMe(t, c), a.Token, tdReq{}), http.StatusBadRequest)
	expect(t, tdGet(t, members+"/"+tdMe(t, c), a.Token), http.StatusOK)
	tdEmpty(t, td(t, "DELETE", members+"/"+tdMe(t, c), a.Token, tdReq{}), http.StatusOK)
	tdError(t, td(t, "DELETE", members+"/"+tdMe(t, c), a.Token, tdReq{}), http.StatusNotFound)
	// PUT sets the members; [] removes all.
	tdEmpty(t, td(t, "PUT", members, a.Token, tdReq{raw: []byte(`["` + tdMe(t, a) + `"]`), contentType: "application/json"}), http.StatusOK)
	if in := tdList(t, expect(t, tdGet(t, members, a.Token), http.StatusOK)); len(in) != 1 || in[0]["id"] != tdMe(t, a) {
		t.Errorf("after PUT [a]: %v", in)
	}
	if strings.Contains(effektifGroupIDs(t, a, b.UserID), core) {
		t.Errorf("Effektif keeps the removed member in the group")
	}
	tdEmpty(t, tdSend(t, "PUT", members, a.Token, []string{}), http.StatusOK)
	if in := tdList(t, expect(t, tdGet(t, members, a.Token), http.StatusOK)); len(in) != 0 {
		t.Errorf("after PUT []: %v", in)
	}

	// The user's side: POST/DELETE /users/{userId}/organization-groups/{groupId}.
	tdEmpty(t, td(t, "POST", "/users/"+tdMe(t, b)+"/organization-groups/"+gid, a.Token, tdReq{}), http.StatusCreated)
	tdEmpty(t, td(t, "POST", "/users/"+tdMe(t, b)+"/organization-groups/"+gid3, a.Token, tdReq{}), http.StatusCreated)
	tdError(t, td(t, "POST", "/users/"+tdMe(t, b)+"/organization-groups/"+gid, a.Token, tdReq{}), http.StatusBadRequest)
	mine := tdList(t, expect(t, td(t, "GET", "/users/"+tdMe(t, b)+"/organization-groups", b.Token, tdReq{page: page(0, 25, "name", true)}), http.StatusOK))
	if !tdHas(mine, gid) || !tdHas(mine, gid3) {
		t.Fatalf("the user's groups: %v", mine)
	}
	if f := tdList(t, expect(t, td(t, "GET", "/users/"+tdMe(t, b)+"/organization-groups", b.Token, tdReq{query: "filter=sales"}), http.StatusOK)); len(f) != 1 || f[0]["id"] != gid {
		t.Errorf("user groups filter=sales: %v", f)
	}
	tdEmpty(t, td(t, "DELETE", "/users/"+tdMe(t, b)+"/organization-groups/"+gid, a.Token, tdReq{}), http.StatusOK)
	if mine := tdList(t, expect(t, tdGet(t, "/users/"+tdMe(t, b)+"/organization-groups", b.Token), http.StatusOK)); tdHas(mine, gid) {
		t.Errorf("removed group still listed: %v", mine)
	}
	tdError(t, td(t, "POST", "/users/"+tdMe(t, outsider)+"/organization-groups/"+gid, a.Token, tdReq{}), http.StatusNotFound)

	// Another organization's admin: 404 everywhere in the organization.
	for _, r := range []response{
		tdGet(t, groups, outsider.Token),
		tdGet(t, groups+"/"+gid, outsider.Token),
		tdGet(t, members, outsider.Token),
		tdGet(t, members+"/"+tdMe(t, a), outsider.Token),
		tdSend(t, "POST", groups, outsider.Token, map[string]any{"id": tdNewID(t), "name": "Intruders"}),
		tdSend(t, "PUT", groups, outsider.Token, map[string]any{"id": gid, "name": "Taken"}),
		tdSend(t, "POST", members, outsider.Token, []string{tdMe(t, outsider)}),
		tdSend(t, "PUT", members, outsider.Token, []string{}),
		td(t, "DELETE", members, outsider.Token, tdReq{body: []string{tdMe(t, a)}}),
		td(t, "POST", members+"/"+tdMe(t, outsider), outsider.Token, tdReq{}),
		td(t, "DELETE", members+"/"+tdMe(t, a), outsider.Token, tdReq{}),
		td(t, "DELETE", groups+"/"+gid, outsider.Token, tdReq{}),
		td(t, "POST", "/users/"+tdMe(t, outsider)+"/organization-groups/"+gid, outsider.Token, tdReq{}),
	} {
		tdError(t, r, http.StatusNotFound)
	}
	tdError(t, td(t, "DELETE", groups+"/"+gid, b.Token, tdReq{}), http.StatusForbidden)

	// DELETE …/groups/{groupId}: 204, then 404 and gone from Effektif.
	tdEmpty(t, td(t, "DELETE", groups+"/"+gid3, a.Token, tdReq{slash2: true}), http.StatusNoContent)
	tdError(t, tdGet(t, groups+"/"+gid3, a.Token), http.StatusNotFound)
	if strings.Contains(effektifGroupIDs(t, a, b.UserID), tdCore(t, gid3)) {
		t.Errorf("a deleted group stays in Effektif groupIds")
	}
}

// Operations 27, 28, 33, 34, 63-67.
func TestTenDukeRoles(t *testing.T) {
	a := signUp(t, unique("TD Roles"))
	b := addMember(t, a, "Bert")
	outsider := signUp(t, unique("TD Roles Outsider"))

	// GET /organization-roles: the built-in admin and member roles.
	list := tdList(t, expect(t, td(t, "GET", "/organization-roles", a.Token, tdReq{slash2: true, page: page(0, 100, "name", true)}), http.StatusOK))
	builtIn := map[string]string{}
	for _, r := range list {
		builtIn[r["name"].(string)], _ = r["id"].(string)
	}
	adminRole, memberRole := builtIn["admin"], builtIn["member"]
	if adminRole == "" || memberRole == "" {
		t.Fatalf("no built-in admin and member roles: %v", list)
	}

	// POST /organization-roles: 201 OrganizationRole; unique names.
	rid := tdNewID(t)
	role := expect(t, tdSend(t, "POST", "/organization-roles", a.Token, map[string]any{"id": rid, "name": "Auditor", "description": "reads the books"}), http.StatusCreated).JSON(t)
	if role["id"] != rid || role["name"] != "Auditor" || role["description"] != "reads the books" {
		t.Fatalf("POST role: %v", role)
	}
	tdError(t, tdSend(t, "POST", "/organization-roles", a.Token, map[string]any{"id": tdNewID(t), "name": "auditor"}), http.StatusBadRequest)
	tdError(t, tdSend(t, "POST", "/organization-roles", a.Token, map[string]any{"id": tdNewID(t), "name": "admin"}), http.StatusBadRequest)
	tdError(t, tdSend(t, "POST", "/organization-roles", a.Token, map[string]any{"id": tdNewID(t)}), http.StatusBadRequest)
	tdError(t, tdSend(t, "POST", "/organization-roles", b.Token, map[string]any{"id": tdNewID(t), "name": "Member made"}), http.StatusForbidden)
	// Another organization's roles are its own: the same name is fine there.
	expect(t, tdSend(t, "POST", "/organization-roles", outsider.Token, map[string]any{"id": tdNewID(t), "name": "Auditor"}), http.StatusCreated)

	// GET /organization-roles/{roleId}; PUT /organization-roles.
	if r := expect(t, tdGet(t, "/organization-roles/"+rid, a.Token), http.StatusOK).JSON(t); r["id"] != rid || r["name"] != "Auditor" {
		t.Errorf("GET role: %v", r)
	}
	tdError(t, tdGet(t, "/organization-roles/"+rid, outsider.Token), http.StatusNotFound)
	put := expect(t, tdSend(t, "PUT", "/organization-roles", a.Token, map[string]any{"id": rid, "name": "Auditors", "description": "reads"}), http.StatusOK).JSON(t)
	if put["id"] != rid || put["name"] != "Auditors" || put["description"] != "reads" {
		t.Errorf("PUT role: %v", put)
	}
	tdError(t, tdSend(t, "PUT", "/organization-roles", a.Token, map[string]any{"id": adminRole, "name": "boss"}), http.StatusBadRequest)
	tdError(t, tdSend(t, "PUT", "/organization-roles", a.Token, map[string]any{"id": rid, "name": "member"}), http.StatusBadRequest)
	tdError(t, tdSend(t, "PUT", "/organization-roles", a.Token, map[string]any{"id": tdNewID(t), "name": "Ghost"}), http.StatusNotFound)
	tdError(t, tdSend(t, "PUT", "/organization-roles", outsider.Token, map[string]any{"id": rid, "name": "Hijack"}), http.StatusNotFound)
	if l := tdList(t, expect(t, tdGet(t, "/organization-roles", a.Token), http.StatusOK)); !tdHas(l, rid) {
		t.Errorf("the new role is not listed: %v", l)
	}

	// POST /users/{userId}/organization-roles: a bare array of role ids.
	if isAdminOf(t, a, b.UserID) {
		t.Fatal("the member is an admin already")
	}
	tdEmpty(t, tdSend(t, "POST", "/users/"+tdMe(t, b)+"/organization-roles", a.Token, []string{rid, adminRole}), http.StatusCreated)
	if !isAdminOf(t, a, b.UserID) {
		t.Errorf("the admin role did not make an Effektif admin")
	}
	roles := tdList(t, expect(t, tdGet(t, "/users/"+tdMe(t, b)+"/organization-roles", a.Token), http.StatusOK))
	if !tdHas(roles, rid) || !tdHas(roles, adminRole) {
		t.Errorf("the user's roles: %v", roles)
	}
	if r := expect(t, tdGet(t, "/users/"+tdMe(t, b)+"/organization-roles/"+rid, b.Token), http.StatusOK).JSON(t); r["id"] != rid || r["name"] != "Auditors" {
		t.Errorf("GET user role: %v", r)
	}
	tdError(t, tdSend(t, "POST", "/users/"+tdMe(t, b)+"/organization-roles", a.Token, []string{tdNewID(t)}), http.StatusBadRequest)
	tdError(t, tdSend(t, "POST", "/users/"+tdMe(t, b)+"/organization-roles", a.Token, map[string]any{"id": rid}), http.StatusBadRequest)
	tdError(t, tdSend(t, "POST", "/users/"+tdMe(t, b)+"/organization-roles", outsider.Token, []string{adminRole}), http.StatusNotFound)
	tdError(t, tdGet(t, "/users/"+tdMe(t, b)+"/organization-roles", outsider.Token), http.StatusNotFound)

	// DELETE /users/{userId}/organization-roles/{roleId}: 204, then 404.
	tdEmpty(t, td(t, "DELETE", "/users/"+tdMe(t, b)+"/organization-roles/"+adminRole, a.Token, tdReq{}), http.StatusNoContent)
	if isAdminOf(t, a, b.UserID) {
		t.Errorf("removing the admin role left an Effektif admin")
	}
	tdError(t, tdGet(t, "/users/"+tdMe(t, b)+"/organization-roles/"+adminRole, a.Token), http.StatusNotFound)
	tdError(t, td(t, "DELETE", "/users/"+tdMe(t, b)+"/organization-roles/"+adminRole, a.Token, tdReq{}), http.StatusNotFound)
	tdError(t, td(t, "DELETE", "/users/"+tdMe(t, a)+"/organization-roles/"+adminRole, outsider.Token, tdReq{}), http.StatusNotFound)

	// DELETE /organization-roles/{roleId}: 204; built-ins 400.
	tdError(t, td(t, "DELETE", "/organization-roles/"+memberRole, a.Token, tdReq{}), http.StatusBadRequest)
	tdError(t, td(t, "DELETE", "/organization-roles/"+rid, outsider.Token, tdReq{}), http.StatusNotFound)
	tdEmpty(t, td(t, "DELETE", "/organization-roles/"+rid, a.Token, tdReq{slash2: true}), http.StatusNoContent)
	tdError(t, tdGet(t, "/organization-roles/"+rid, a.Token), http.StatusNotFound)
	if roles := tdList(t, expect(t, tdGet(t, "/users/"+tdMe(t, b)+"/organization-roles", a.Token), http.StatusOK)); tdHas(roles, rid) {
		t.Errorf("a deleted role stays assigned: %v", roles)
	}
}

// tdInvitation is an invitation body as the document's example has it.
func tdInvitation(id, org, email, welcome string, groupIDs ...string) map[string]any {
	return map[string]any{"id": id, "organizationId": org, "email": email, "memberWelcomeUrl": welcome,
		"groupIds": append([]string{}, groupIDs...), "clientRoleIds": []string{}, "inviterName": "Olga Owner",
		"recipientName": "Ina Invitee", "invitationScopeInformation": "join us"}
}

const tdWelcome = "https://app.example.com/welcome?key=${key}&from=10duke"

// Operations 5, 7-14, 17-19.
func TestTenDukeGroupInvitations(t *testing.T) {
	a := signUp(t, unique("TD Invitations"))
	outsider := signUp(t, unique("TD Invitations Outsider"))
	org := tdOrg(t, a)
	gid := tdNewID(t)
	tdEmpty(t, tdSend(t, "POST", "/organizations/"+org+"/groups", a.Token, map[string]any{"id": gid, "name": "Guests"}), http.StatusCreated)

	// POST /organization-group-invitations: created; the answer's link
	// carries the key once.
	invitee := signUp(t, unique("TD Invitee"))
	iid := tdNewID(t)
	inv := expect(t, td(t, "POST", "/organization-group-invitations", a.Token, tdReq{slash2: true, body: tdInvitation(iid, org, invitee.Email, tdWelcome, gid)}), http.StatusCreated).JSON(t)
	landed, _ := inv["memberWelcomeUrl"].(string)
	if inv["id"] != iid || inv["organizationId"] != org || inv["invitationState"] != "created" || inv["email"] != invitee.Email ||
		strings.Contains(landed, "${key}") || !strings.HasPrefix(landed, "https://app.example.com/welcome?key=") || !strings.HasSuffix(landed, "&from=10duke") {
		t.Fatalf("POST invitation: %v", inv)
	}
	got := expect(t, tdGet(t, "/organization/"+org+"/group-invitations/"+iid, a.Token), http.StatusOK).JSON(t)
	if got["id"] != iid || got["memberWelcomeUrl"] != tdWelcome || got["invitationState"] != "created" {
		t.Errorf("GET invitation: %v", got)
	}
	for _, bad := range []map[string]any{
		tdInvitation(tdNewID(t), org, uniqueEmail("x"), "https://app.example.com/welcome"),
		tdInvitation(tdNewID(t), org, "not-an-address", tdWelcome),
		tdInvitation(tdNewID(t), org, uniqueEmail("x"), tdWelcome, tdUUID(t, createGroup(t, outsider, "Theirs"))),
		tdInvitation(iid, org, uniqueEmail("x"), tdWelcome),
	} {
		tdError(t, tdSend(t, "POST", "/organization-group-invitations", a.Token, bad), http.StatusBadRequest)
	}
	tdError(t, tdSend(t, "POST", "/organization-group-invitations", outsider.Token, tdInvitation(tdNewID(t), org, uniqueEmail("x"), tdWelcome)), http.StatusNotFound)
	tdError(t, tdGet(t, "/organization/"+org+"/group-invitations/"+iid, outsider.Token), http.StatusNotFound)

	// PUT …/accept with the landed link: 201, a member of org and group.
	body := tdInvitation(iid, org, invitee.Email, landed, gid)
	wrong := tdInvitation(iid, org, invitee.Email, "https://app.example.com/welcome?key=wrong&from=10duke", gid)
	tdError(t, tdSend(t, "PUT", "/organization-group-invitations/accept", invitee.Token, wrong), http.StatusBadRequest)
	tdError(t, tdSend(t, "PUT", "/organization-group-invitations/accept", "", body), http.StatusUnauthorized)
	acc := expect(t, td(t, "PUT", "/organization-group-invitations/accept", invitee.Token, tdReq{slash2: true, body: body}), http.StatusCreated).JSON(t)
	if acc["id"] != iid || acc["invitationState"] != "accepted" || acc["claimedAt"] == nil {
		t.Fatalf("accept: %v", acc)
	}
	expect(t, tdGet(t, "/organizations/"+org+"/users/"+tdMe(t, invitee), a.Token), http.StatusOK)
	expect(t, tdGet(t, "/organizations/"+org+"/groups/"+gid+"/users/"+tdMe(t, invitee), a.Token), http.StatusOK)
	if !strings.Contains(effektifGroupIDs(t, a, invitee.UserID), tdCore(t, gid)) {
		t.Errorf("Effektif does not see the accepted invitee in the group")
	}
	// A state changes once.
	tdError(t, tdSend(t, "PUT", "/organization-group-invitations/accept", invitee.Token, body), http.StatusBadRequest)
	tdError(t, tdSend(t, "PUT", "/organization-group-invitations/decline", invitee.Token, body), http.StatusBadRequest)
	tdError(t, tdSend(t, "PUT", "/organization-group-invitations/revoke", a.Token, tdInvitation(iid, org, invitee.Email, tdWelcome, gid)), http.StatusBadRequest)

	// POST …/send: a mail with the link; accept and decline race once.
	racer := signUp(t, unique("TD Racer"))
	sent := racer.Email
	sid := tdNewID(t)
	res := expect(t, td(t, "POST", "/organization-group-invitations/send", a.Token, tdReq{slash2: true, body: tdInvitation(sid, org, sent, tdWelcome, gid)}), http.StatusCreated).JSON(t)
	if res["id"] != sid || res["resultCode"] != "success" {
		t.Fatalf("send: %v", res)
	}
	mailed, key := linkIn(t, sent, "https://app.example.com/welcome?key=", "&from=10duke")
	if key == "" {
		t.Fatalf("no key in the mailed link %s", mailed)
	}
	landedSent := "https://app.example.com/welcome?key=" + url.QueryEscape(key) + "&from=10duke"
	if s := expect(t, tdGet(t, "/organization/"+org+"/group-invitations/"+sid, a.Token), http.StatusOK).JSON(t); s["invitationState"] != "deliveryRequested" {
		t.Errorf("a sent invitation: %v", s)
	}
	open := tdList(t, expect(t, td(t, "GET", "/organization/"+org+"/group-invitations/open", a.Token, tdReq{page: page(0, 100, "email", true)}), http.StatusOK))
	if !tdHas(open, sid) || tdHas(open, iid) {
		t.Errorf("open invitations: %v", tdIDs(open))
	}
	tdError(t, tdGet(t, "/organization/"+org+"/group-invitations/open", outsider.Token), http.StatusNotFound)
	// Someone else with the link: 403, nothing changes.
	tdError(t, tdSend(t, "PUT", "/organization-group-invitations/accept", invitee.Token, tdInvitation(sid, org, sent, landedSent, gid)), http.StatusForbidden)
	var wg sync.WaitGroup
	statuses := make([]int, 2)
	for i, op := range []string{"accept", "decline"} {
		wg.Add(1)
		go func(i int, op string) {
			defer wg.Done()
			statuses[i] = tdSend(t, "PUT", "/organization-group-invitations/"+op, racer.Token, tdInvitation(sid, org, sent, landedSent, gid)).Status
		}(i, op)
	}
	wg.Wait()
	if won := (statuses[0] == http.StatusCreated) != (statuses[1] == http.StatusCreated); !won || statuses[0]+statuses[1] != http.StatusCreated+http.StatusBadRequest {
		t.Errorf("accept and decline racing: %v, want one 201 and one 400", statuses)
	}
	sentState := expect(t, tdGet(t, "/organization/"+org+"/group-invitations/"+sid, a.Token), http.StatusOK).JSON(t)["invitationState"]

	// Decline and revoke of fresh invitations.
	did := tdNewID(t)
	dl := expect(t, tdSend(t, "POST", "/organization-group-invitations", a.Token, tdInvitation(did, org, invitee.Email, tdWelcome)), http.StatusCreated).JSON(t)
	dec := expect(t, tdSend(t, "PUT", "/organization-group-invitations/decline", invitee.Token, tdInvitation(did, org, dl["email"].(string), dl["memberWelcomeUrl"].(string))), http.StatusCreated).JSON(t)
	if dec["invitationState"] != "declined" || dec["declinedAt"] == nil {
		t.Errorf("decline: %v", dec)
	}
	rid := tdNewID(t)
	rv := expect(t, tdSend(t, "POST", "/organization-group-invitations", a.Token, tdInvitation(rid, org, invitee.Email, tdWelcome)), http.StatusCreated).JSON(t)
	tdError(t, tdSend(t, "PUT", "/organization-group-invitations/revoke", invitee.Token, tdInvitation(rid, org, rv["email"].(string), tdWelcome)), http.StatusForbidden)
	rev := expect(t, td(t, "PUT", "/organization-group-invitations/revoke", a.Token, tdReq{slash2: true, body: tdInvitation(rid, org, rv["email"].(string), tdWelcome)}), http.StatusCreated).JSON(t)
	if rev["invitationState"] != "revoked" || rev["revokedAt"] == nil {
		t.Errorf("revoke: %v", rev)
	}
	tdError(t, tdSend(t, "PUT", "/organization-group-invitations/accept", invitee.Token, tdInvitation(rid, org, rv["email"].(string), rv["memberWelcomeUrl"].(string))), http.StatusBadRequest)

	// The lists by state.
	lists := map[string][]string{}
	for _, path := range []string{"", "/accepted", "/declined", "/revoked"} {
		lists[path] = tdIDs(tdList(t, expect(t, td(t, "GET", "/organization-group-invitations"+path, a.Token, tdReq{page: page(0, 100, "email", true)}), http.StatusOK)))
		if l := tdList(t, expect(t, tdGet(t, "/organization-group-invitations"+path, outsider.Token), http.StatusOK)); len(l) != 0 {
			t.Errorf("another organization's admin lists %s: %v", path, tdIDs(l))
		}
	}
	has := func(list []string, id string) bool { return strings.Contains(strings.Join(list, ","), id) }
	for _, id := range []string{iid, sid, did, rid} {
		if !has(lists[""], id) {
			t.Errorf("GET invitations misses %s: %v", id, lists[""])
		}
	}
	wantIn := map[string][]string{"/accepted": {iid}, "/declined": {did}, "/revoked": {rid}}
	if sentState == "accepted" {
		wantIn["/accepted"] = append(wantIn["/accepted"], sid)
	} else {
		wantIn["/declined"] = append(wantIn["/declined"], sid)
	}
	for path, want := range wantIn {
		if len(lists[path]) != len(want) {
			t.Errorf("%s: %v, want %v", path, lists[path], want)
		}
		for _, id := range want {
			if !has(lists[path], id) {
				t.Errorf("%s misses %s: %v", path, id, lists[path])
			}
		}
	}
	if open := tdIDs(tdList(t, expect(t, tdGet(t, "/organization/"+org+"/group-invitations/open", a.Token), http.StatusOK))); len(open) != 0 {
		t.Errorf("open after every invitation closed: %v", open)
	}

	// DELETE …/{invitationId}: 204, then 404.
	tdError(t, td(t, "DELETE", "/organization-group-invitations/"+did, outsider.Token, tdReq{}), http.StatusNotFound)
	tdEmpty(t, td(t, "DELETE", "/organization-group-invitations/"+did, a.Token, tdReq{slash2: true}), http.StatusNoContent)
	tdError(t, tdGet(t, "/organization/"+org+"/group-invitations/"+did, a.Token), http.StatusNotFound)
	tdError(t, td(t, "DELETE", "/organization-group-invitations/"+did, a.Token, tdReq{}), http.StatusNotFound)
}

// tdCredential enrolls TOTP for a user and answers the credential.
func tdCredential(t testing.TB, u account, query string) map[string]any {
	t.Helper()
	c := expect(t, td(t, "POST", "/users/"+tdMe(t, u)+"/security/totp", u.Token, tdReq{query: query}), http.StatusCreated).JSON(t)
	secret, _ := c["secret"].(string)
	uri, _ := c["keyUri"].(string)
	if secret == "" || c["verified"] != false || !strings.HasPrefix(uri, "otpauth://totp/") {
		t.Fatalf("OtpCredential: %v", c)
	}
	parsed, err := url.Parse(uri)
	if err != nil || !strings.EqualFold(strings.TrimRight(parsed.Query().Get("secret"), "="), strings.TrimRight(secret, "=")) {
		t.Fatalf("keyUri %q does not carry the secret %q", uri, secret)
	}
	return c
}

// tdVerify verifies a credential with the passcodes of the previous and
// the current step.
func tdVerify(t testing.TB, u account, secret string) int64 {
	t.Helper()
	now := totpStep()
	tdEmpty(t, tdSend(t, "PUT", "/users/"+tdMe(t, u)+"/security/totp/verify", u.Token, []string{totpAt(t, secret, now-1), totpAt(t, secret, now)}), http.StatusCreated)
	return now
}

// tdLogin is POST /sessions with a JSON body.
func tdLogin(t testing.TB, body map[string]any) response {
	t.Helper()
	return tdSend(t, "POST", "/sessions", "", body)
}

// tdLoginForm is POST /sessions form-encoded.
func tdLoginForm(t testing.TB, form url.Values) response {
	t.Helper()
	return td(t, "POST", "/sessions", "", tdReq{raw: []byte(form.Encode()), contentType: "application/x-www-form-urlencoded"})
}

// tdRefused checks a 401 AuthenticationResult without a bearer token.
func tdRefused(t testing.TB, r response) map[string]any {
	t.Helper()
	v := expect(t, r, http.StatusUnauthorized).JSON(t)
	return v
}

// Operations 22, 40, 41, 42, 50 and the second factor of 31.
func TestTenDukeTOTP(t *testing.T) {
	a := signUp(t, unique("TD TOTP"))
	b := addMember(t, a, "Bert")
	totp := "/users/" + tdMe(t, a) + "/security/totp"

	// POST totp?expand=qrCode: a PNG of the otpauth URI.
	c := tdCredential(t, a, "expand=qrCode")
	qr, err := base64.StdEncoding.DecodeString(c["qrCode"].(string))
	if err != nil {
		t.Fatalf("qrCode is not Base64: %v", err)
	}
	checkPNG(t, qr)
	// Enrolling again before verification replaces the secret.
	c = tdCredential(t, a, "")
	if c["qrCode"] != nil && c["qrCode"] != "" {
		t.Errorf("qrCode without expand: %v", c)
	}
	secret := c["secret"].(string)

	// GET totp and …/qr while unverified.
	g := expect(t, td(t, "GET", totp, a.Token, tdReq{slash2: true, query: "expand=qrCode"}), http.StatusOK).JSON(t)
	if g["verified"] != false || g["secret"] != nil || g["keyUri"] != c["keyUri"] {
		t.Errorf("GET totp while unverified: %v", g)
	}
	if s, _ := g["qrCode"].(string); s == "" {
		t.Errorf("GET totp?expand=qrCode has no qrCode")
	} else if png, err := base64.StdEncoding.DecodeString(s); err != nil {
		t.Errorf("qrCode: %v", err)
	} else {
		checkPNG(t, png)
	}
	img := expect(t, tdGet(t, totp+"/qr", a.Token), http.StatusOK)
	if ct := img.Header.Get("Content-Type"); ct != "image/png" {
		t.Errorf("qr content type %q", ct)
	}
	checkPNG(t, img.Body)
	// Not yet in use: the password alone logs in.
	expect(t, tdLogin(t, map[string]any{"username": a.Email, "password": a.Password}), http.StatusCreated)

	// Someone else's credential: 404.
	for _, r := range []response{
		tdGet(t, totp, b.Token), tdGet(t, totp+"/qr", b.Token),
		td(t, "POST", totp, b.Token, tdReq{}), td(t, "DELETE", totp, b.Token, tdReq{}),
		tdSend(t, "PUT", totp+"/verify", b.Token, []string{totpAt(t, secret, totpStep()-1), totpAt(t, secret, totpStep())}),
	} {
		tdError(t, r, http.StatusNotFound)
	}

	// PUT verify: bad passcodes 400, then two consecutive ones 201.
	now := totpStep()
	for _, bad := range []any{
		[]string{totpAt(t, secret, now)},
		[]string{totpAt(t, secret, now), totpAt(t, secret, now-1)},
		[]string{totpAt(t, secret, now-10), totpAt(t, secret, now-9)},
		[]string{"abcdef", "123"},
		map[string]any{"passcodes": []string{totpAt(t, secret, now-1), totpAt(t, secret, now)}},
	} {
		tdError(t, tdSend(t, "PUT", totp+"/verify", a.Token, bad), http.StatusBadRequest)
	}
	used := tdVerify(t, a, secret)
	if g := expect(t, td(t, "GET", totp, a.Token, tdReq{query: "expand=qrCode"}), http.StatusOK).JSON(t); g["verified"] != true || g["secret"] != nil || g["keyUri"] != nil || g["qrCode"] != nil {
		t.Errorf("GET totp once verified: %v", g)
	}
	tdError(t, tdGet(t, totp+"/qr", a.Token), http.StatusNotFound)
	tdError(t, td(t, "POST", totp, a.Token, tdReq{}), http.StatusBadRequest)

	// POST /sessions now asks for the passcode.
	for _, r := range []response{
		tdLogin(t, map[string]any{"username": a.Email, "password": a.Password}),
		tdLoginForm(t, url.Values{"username": {a.Email}, "password": {a.Password}}),
	} {
		partial := tdRefused(t, r)
		if !strings.Contains(fmt.Sprint(partial["challenges"]), "totp") || partial["token"] == nil || partial["token"] == "" {
			t.Fatalf("a partial login: %v", partial)
		}
		expect(t, call(t, "GET", "/api/v1/"+a.OrgKey, bearer(partial["token"].(string)), nil), http.StatusUnauthorized)
		expect(t, tdGet(t, "/users/"+tdMe(t, a), partial["token"].(string)), http.StatusUnauthorized)
	}
	// A passcode used by verify is refused; the next step's finishes.
	state := tdRefused(t, tdLogin(t, map[string]any{"username": a.Email, "password": a.Password}))["token"].(string)
	tdRefused(t, tdLogin(t, map[string]any{"token": state, "passcode": totpAt(t, secret, used)}))
	state = tdRefused(t, tdLogin(t, map[string]any{"username": a.Email, "password": a.Password}))["token"].(string)
	next := totpAt(t, secret, used+1)
	done := expect(t, tdLogin(t, map[string]any{"token": state, "passcode": next}), http.StatusCreated).JSON(t)
	token, _ := done["token"].(string)
	if token == "" {
		t.Fatalf("the finished login: %v", done)
	}
	expect(t, call(t, "GET", "/api/v1/"+a.OrgKey, bearer(token), nil), http.StatusOK)
	// The logins of the other APIs ask for no passcode: they open no
	// session of an enrolled user, right password or not (the 10Duke
	// session above serves them all).
	expect(t, call(t, "POST", "/api/v1/users/login", "", map[string]any{"emailAddress": a.Email, "password": a.Password}), http.StatusUnauthorized)
	expect(t, wmLogin(t, a.Email, a.Password), http.StatusUnauthorized)
	// The same passcode again, with the password and form-encoded: refused.
	tdRefused(t, tdLoginForm(t, url.Values{"username": {a.Email}, "password": {a.Password}, "passcode": {next}}))
	// A wrong password with a good passcode is refused without a state.
	if r := tdRefused(t, tdLogin(t, map[string]any{"username": a.Email, "password": "wrong " + a.Password, "passcode": totpAt(t, secret, used+1)})); r["token"] != nil && r["token"] != "" {
		t.Errorf("a wrong password answered a state token: %v", r)
	}

	// DELETE totp: 204; then 404 and the password alone again.
	tdEmpty(t, td(t, "DELETE", totp, a.Token, tdReq{slash2: true}), http.StatusNoContent)
	tdError(t, tdGet(t, totp, a.Token), http.StatusNotFound)
	tdError(t, td(t, "DELETE", totp, a.Token, tdReq{}), http.StatusNotFound)
	tdError(t, tdSend(t, "PUT", totp+"/verify", a.Token, []string{totpAt(t, secret, totpStep()-1), totpAt(t, secret, totpStep())}), http.StatusNotFound)
	expect(t, tdLogin(t, map[string]any{"username": a.Email, "password": a.Password}), http.StatusCreated)
	expect(t, call(t, "POST", "/api/v1/users/login", "", map[string]any{"emailAddress": a.Email, "password": a.Password}), http.StatusOK)
}

// Operations 24, 25, 38, 39, 43, 45, 46, 47.
func TestTenDukeRecoveryEmails(t *testing.T) {
	a := signUp(t, unique("TD Recovery"))
	b := addMember(t, a, "Bert")
	emails := "/users/" + tdMe(t, a) + "/recovery-emails"

	// POST: 201 RecoveryEmail, not validated.
	eid := tdNewID(t)
	addr := uniqueEmail("td-recovery")
	e := expect(t, td(t, "POST", emails, a.Token, tdReq{slash2: true, body: map[string]any{"id": eid, "value": addr}}), http.StatusCreated).JSON(t)
	if e["id"] != eid || e["value"] != addr || e["validatedAt"] != nil {
		t.Fatalf("POST recovery email: %v", e)
	}
	tdError(t, tdSend(t, "POST", emails, a.Token, map[string]any{"id": tdNewID(t), "value": strings.ToUpper(addr)}), http.StatusBadRequest)
	tdError(t, tdSend(t, "POST", emails, a.Token, map[string]any{"id": tdNewID(t), "value": "not an address"}), http.StatusBadRequest)
	tdError(t, tdSend(t, "POST", emails, a.Token, map[string]any{"id": tdNewID(t)}), http.StatusBadRequest)

	// GET list and one.
	if l := tdList(t, expect(t, tdGet(t, emails, a.Token), http.StatusOK)); len(l) != 1 || l[0]["id"] != eid || l[0]["value"] != addr {
		t.Errorf("GET recovery emails: %v", l)
	}
	if g := expect(t, tdGet(t, emails+"/"+eid, a.Token), http.StatusOK).JSON(t); g["id"] != eid || g["value"] != addr {
		t.Errorf("GET recovery email: %v", g)
	}

	// Someone else: 404.
	for _, r := range []response{
		tdGet(t, emails, b.Token), tdGet(t, emails+"/"+eid, b.Token),
		tdSend(t, "POST", emails, b.Token, map[string]any{"id": tdNewID(t), "value": uniqueEmail("x")}),
		tdSend(t, "PUT", emails, b.Token, map[string]any{"id": eid, "value": uniqueEmail("x")}),
		td(t, "DELETE", emails+"/"+eid, b.Token, tdReq{}),
		td(t, "POST", emails+"/"+eid+"/challenges", b.Token, tdReq{}),
	} {
		tdError(t, r, http.StatusNotFound)
	}

	// Challenges: POST 201 (the token goes to the address, not into the
	// answer), PUT {token} 200 validates, once.
	ch := expect(t, td(t, "POST", emails+"/"+eid+"/challenges", a.Token, tdReq{slash2: true}), http.StatusCreated).JSON(t)
	if answered, _ := ch["token"].(string); answered != "" {
		t.Fatalf("the challenge token was answered, not mailed: %v", ch)
	}
	token := recoveryCode(t, addr)
	tdError(t, tdSend(t, "PUT", emails+"/"+eid+"/challenges", a.Token, map[string]any{"token": "wrong-" + token}), http.StatusBadRequest)
	if r := expect(t, tdSend(t, "PUT", emails+"/"+eid+"/challenges", a.Token, map[string]any{"token": token}), http.StatusOK).JSON(t); r["token"] != token {
		t.Errorf("PUT challenge: %v", r)
	}
	tdError(t, tdSend(t, "PUT", emails+"/"+eid+"/challenges", a.Token, map[string]any{"token": token}), http.StatusBadRequest)
	v := expect(t, tdGet(t, emails+"/"+eid, a.Token), http.StatusOK).JSON(t)
	if at, _ := v["validatedAt"].(string); at == "" {
		t.Errorf("validatedAt after the challenge: %v", v)
	} else if _, err := time.Parse(time.RFC3339, at); err != nil {
		t.Errorf("validatedAt %q is not ISO-8601: %v", at, err)
	}

	// PUT: a new value clears validatedAt.
	addr2 := uniqueEmail("td-recovery2")
	p := expect(t, tdSend(t, "PUT", emails, a.Token, map[string]any{"id": eid, "value": addr2}), http.StatusOK).JSON(t)
	if p["id"] != eid || p["value"] != addr2 || p["validatedAt"] != nil {
		t.Errorf("PUT recovery email: %v", p)
	}
	tdError(t, tdSend(t, "PUT", emails, a.Token, map[string]any{"id": tdNewID(t), "value": uniqueEmail("x")}), http.StatusNotFound)

	// send-validation: the mail carries the URL with the key.
	verify := stack.GatewayURL + "/verify?k=${key}&x=1"
	tdError(t, td(t, "POST", emails+"/"+eid+"/send-validation", a.Token, tdReq{query: "verificationUrl=" + url.QueryEscape(stack.GatewayURL+"/verify")}), http.StatusBadRequest)
	tdError(t, td(t, "POST", emails+"/"+eid+"/send-validation", a.Token, tdReq{query: "verificationUrl=" + url.QueryEscape("https://app.example.com/verify?k=${key}")}), http.StatusBadRequest)
	tdError(t, td(t, "POST", emails+"/"+eid+"/send-validation", a.Token, tdReq{}), http.StatusBadRequest)
	sent := expect(t, td(t, "POST", emails+"/"+eid+"/send-validation", a.Token, tdReq{slash2: true, query: "verificationUrl=" + url.QueryEscape(verify)}), http.StatusCreated).JSON(t)
	if sent["id"] != eid || sent["resultCode"] != "success" {
		t.Errorf("send-validation: %v", sent)
	}
	_, key := linkIn(t, addr2, stack.GatewayURL+"/verify?k=", "&x=1")
	expect(t, tdSend(t, "PUT", emails+"/"+eid+"/challenges", a.Token, map[string]any{"token": key}), http.StatusOK)
	if v := expect(t, tdGet(t, emails+"/"+eid, a.Token), http.StatusOK).JSON(t); v["validatedAt"] == nil {
		t.Errorf("not validated by the mailed key: %v", v)
	}

	// DELETE: 204, then 404.
	tdEmpty(t, td(t, "DELETE", emails+"/"+eid, a.Token, tdReq{slash2: true}), http.StatusNoContent)
	tdError(t, tdGet(t, emails+"/"+eid, a.Token), http.StatusNotFound)
	tdError(t, td(t, "DELETE", emails+"/"+eid, a.Token, tdReq{}), http.StatusNotFound)
	if l := tdList(t, expect(t, tdGet(t, emails, a.Token), http.StatusOK)); len(l) != 0 {
		t.Errorf("after DELETE: %v", l)
	}
}

// tdDead checks that a token is refused by every API.
func tdDead(t testing.TB, a account, token string) {
	t.Helper()
	expect(t, call(t, "GET", "/api/v1/"+a.OrgKey, bearer(token), nil), http.StatusUnauthorized)
	expect(t, tdGet(t, "/users/"+tdMe(t, a), token), http.StatusUnauthorized)
	expect(t, call(t, "GET", "/v2/users/me", bearer(token), nil), http.StatusUnauthorized)
	expect(t, call(t, "GET", "/api/w/"+a.OrgKey+"/users/whoami", bearer(token), nil), http.StatusUnauthorized)
}

// Operations 31, 32.
func TestTenDukeSessions(t *testing.T) {
	a := signUp(t, unique("TD Sessions"))

	// JSON and form-encoded: 201 AuthenticationResult with the token,
	// which is a bearer in every API.
	var tokens []string
	for _, r := range []response{
		td(t, "POST", "/sessions", "", tdReq{slash2: true, body: map[string]any{"username": a.Email, "password": a.Password}}),
		tdLoginForm(t, url.Values{"username": {strings.ToUpper(a.Email)}, "password": {a.Password}}),
	} {
		v := expect(t, r, http.StatusCreated).JSON(t)
		tok, _ := v["token"].(string)
		if ch, _ := v["challenges"].([]any); tok == "" || len(ch) != 0 {
			t.Fatalf("login: %v", v)
		}
		tokens = append(tokens, tok)
	}
	for _, tok := range tokens {
		expect(t, call(t, "GET", "/api/v1/"+a.OrgKey, bearer(tok), nil), http.StatusOK)
		expect(t, tdGet(t, "/users/"+tdMe(t, a), tok), http.StatusOK)
		expect(t, call(t, "GET", "/v2/users/me", bearer(tok), nil), http.StatusOK)
		expect(t, call(t, "GET", "/api/w/"+a.OrgKey+"/users/whoami", bearer(tok), nil), http.StatusOK)
	}

	// Refusals: 401 AuthenticationResult, the same for an unknown user.
	wrong := tdRefused(t, tdLogin(t, map[string]any{"username": a.Email, "password": "not " + a.Password}))
	unknown := tdRefused(t, tdLogin(t, map[string]any{"username": "nobody-" + a.Email, "password": a.Password}))
	if wrong["token"] != nil || fmt.Sprint(wrong) != fmt.Sprint(unknown) {
		t.Errorf("wrong password %v and unknown user %v", wrong, unknown)
	}
	tdRefused(t, tdLoginForm(t, url.Values{"username": {a.Email}, "password": {"nope"}}))
	// Bad requests: 400.
	for _, r := range []response{
		tdLogin(t, map[string]any{"username": a.Email}),
		tdLogin(t, map[string]any{"password": a.Password}),
		td(t, "POST", "/sessions", "", tdReq{raw: []byte(`{"username":`), contentType: "application/json"}),
		td(t, "POST", "/sessions", "", tdReq{raw: []byte(`["x"]`), contentType: "application/json"}),
		td(t, "POST", "/sessions", "", tdReq{raw: []byte("username=x"), contentType: "text/plain"}),
		td(t, "POST", "/sessions", "", tdReq{}),
	} {
		tdError(t, r, http.StatusBadRequest)
	}

	// DELETE /sessions: 204, the token dead in every API; the other lives.
	tdError(t, td(t, "DELETE", "/sessions", "", tdReq{}), http.StatusUnauthorized)
	tdEmpty(t, td(t, "DELETE", "/sessions", tokens[0], tdReq{slash2: true}), http.StatusNoContent)
	tdDead(t, a, tokens[0])
	expect(t, tdGet(t, "/users/"+tdMe(t, a), tokens[1]), http.StatusOK)
	tdError(t, td(t, "DELETE", "/sessions", tokens[0], tdReq{}), http.StatusUnauthorized)
	// An Effektif login token ends through 10Duke too.
	eff := expect(t, login(t, a.Email, a.Password), http.StatusOK).JSON(t)["token"].(string)
	tdEmpty(t, td(t, "DELETE", "/sessions", eff, tdReq{}), http.StatusNoContent)
	tdDead(t, a, eff)
}

// Scopes read and write.
func TestTenDukeScopes(t *testing.T) {
	a := signUp(t, unique("TD Scopes"))
	org := tdOrg(t, a)
	ro := string(expect(t, call(t, "POST", "/api/users/tokens/create", a.Token, map[string]any{"label": "reader", "read_only": true}), http.StatusCreated).Body)
	readLogin := expect(t, tdLogin(t, map[string]any{"username": a.Email, "password": a.Password, "scope": "read"}), http.StatusCreated).JSON(t)["token"].(string)
	gid := tdNewID(t)
	for name, tok := range map[string]string{"Windmill read_only": ro, "scope=read": readLogin} {
		expect(t, tdGet(t, "/organizations/"+org, tok), http.StatusOK)
		expect(t, tdGet(t, "/users/"+tdMe(t, a), tok), http.StatusOK)
		for _, r := range []response{
			tdSend(t, "POST", "/organizations/"+org+"/groups", tok, map[string]any{"id": gid, "name": "Readers"}),
			tdSend(t, "PUT", "/organizations", tok, map[string]any{"id": org, "name": unique("TD Read Only")}),
			tdSend(t, "PUT", "/users", tok, map[string]any{"id": tdMe(t, a), "firstName": "Read", "lastName": "Only", "email": a.Email}),
			td(t, "POST", "/users/"+tdMe(t, a)+"/security/totp", tok, tdReq{}),
			tdSend(t, "POST", "/organization-roles", tok, map[string]any{"id": tdNewID(t), "name": "Readers"}),
		} {
			if r.Status != http.StatusForbidden {
				t.Errorf("%s token wrote: %d %s", name, r.Status, r.Body)
			}
		}
	}
	tdError(t, tdGet(t, "/organizations/"+org+"/groups/"+gid, a.Token), http.StatusNotFound)
	if me := expect(t, tdGet(t, "/users/"+tdMe(t, a), a.Token), http.StatusOK).JSON(t); me["firstName"] != "Olga" {
		t.Errorf("a read-only token changed the user: %v", me)
	}
	tdError(t, tdGet(t, "/users/"+tdMe(t, a), ""), http.StatusUnauthorized)
	tdError(t, tdGet(t, "/users/"+tdMe(t, a), "not-a-token"), http.StatusUnauthorized)
}

// Bad input: a 4xx (400 where it is the request's shape), never a 5xx,
// and nothing written.
func TestTenDukeBadInput(t *testing.T) {
	a := signUp(t, unique("TD Bad Input"))
	org := tdOrg(t, a)
	me := tdMe(t, a)
	long := strings.Repeat("x", 2000)
	orgsBefore := len(tdList(t, expect(t, tdGet(t, "/organizations", a.Token), http.StatusOK)))
	groupsBefore := len(tdList(t, expect(t, tdGet(t, "/organizations/"+org+"/groups", a.Token), http.StatusOK)))
	malformed := []byte(`{"id": "` + tdNewID(t) + `", "name": `)
	bad := []struct {
		method, path string
		r            tdReq
	}{
		{"GET", "/organizations/not-a-uuid", tdReq{}},
		{"GET", "/organizations/" + long, tdReq{}},
		{"GET", "/users/" + me + "x", tdReq{}},
		{"GET", "/organizations", tdReq{page: map[string]string{"offset": "-1"}}},
		{"GET", "/organizations", tdReq{page: map[string]string{"limit": "0"}}},
		{"GET", "/organizations", tdReq{page: map[string]string{"limit": "abc"}}},
		{"GET", "/organizations", tdReq{page: map[string]string{"limit": "100000"}}},
		{"GET", "/organizations", tdReq{page: map[string]string{"asc": "maybe"}}},
		{"GET", "/users", tdReq{page: map[string]string{"order": "passwordHash"}}},
		{"GET", "/organizations/" + org + "/users", tdReq{query: "filter=" + long}},
		{"GET", "/users/" + me + "/security/totp", tdReq{query: "expand=everything"}},
		{"POST", "/organizations", tdReq{raw: malformed, contentType: "application/json"}},
		{"POST", "/organizations", tdReq{body: []string{"an", "array"}}},
		{"POST", "/organizations", tdReq{body: map[string]any{"id": "not-a-uuid", "name": unique("TD Bad")}}},
		{"POST", "/organizations", tdReq{body: map[string]any{"id": tdNewID(t), "name": long}}},
		{"POST", "/organizations", tdReq{body: map[string]any{"id": tdNewID(t), "name": 42}}},
		{"PUT", "/organizations", tdReq{body: map[string]any{"name": unique("TD Bad")}}},
		{"POST", "/users", tdReq{body: map[string]any{"id": tdNewID(t), "firstName": "X", "lastName": "Y", "email": uniqueEmail("td-bad"), "validUntil": "tomorrow"}}},
		{"POST", "/organizations/" + org + "/groups", tdReq{body: map[string]any{"id": tdNewID(t), "name": ""}}},
		{"POST", "/organizations/" + org + "/groups", tdReq{raw: []byte("not json"), contentType: "application/json"}},
		{"PUT", "/organizations/" + org + "/groups", tdReq{body: map[string]any{"id": "nope", "name": "X"}}},
		{"POST", "/users/" + me + "/organization-roles", tdReq{body: []string{"not-a-uuid"}}},
		{"POST", "/users/" + me + "/organization-roles", tdReq{body: []any{1, 2}}},
		{"PUT", "/users/" + me + "/security/totp/verify", tdReq{body: make([]string, 1000)}},
		{"POST", "/organization-group-invitations", tdReq{body: map[string]any{"id": tdNewID(t), "organizationId": org}}},
		{"PUT", "/organization-group-invitations/accept", tdReq{body: map[string]any{"id": "nope"}}},
		{"PUT", "/organization-group-invitations/decline", tdReq{body: []string{}}},
		{"PUT", "/organization-group-invitations/revoke", tdReq{raw: malformed, contentType: "application/json"}},
		{"POST", "/organizations/organization-setup", tdReq{query: "initialAdminId=nope", body: map[string]any{"id": tdNewID(t), "name": unique("TD Bad")}}},
		{"POST", "/users/" + me + "/recovery-emails", tdReq{body: map[string]any{"id": tdNewID(t), "value": long + "@example.com"}}},
		{"PUT", "/users/" + me + "/recovery-emails/" + tdNewID(t) + "/challenges", tdReq{body: map[string]any{"token": 7}}},
	}
	for _, c := range bad {
		r := td(t, c.method, c.path, a.Token, c.r)
		if r.Status < 400 || r.Status >= 500 {
			t.Errorf("%s %.80s: %d %s, want a 4xx", c.method, c.path, r.Status, r.Body)
		} else if r.Status == http.StatusBadRequest {
			expectError(t, r, http.StatusBadRequest)
		}
	}
	if orgs := tdList(t, expect(t, tdGet(t, "/organizations", a.Token), http.StatusOK)); len(orgs) != orgsBefore {
		t.Errorf("bad input made organizations: %v", orgs)
	}
	if groups := tdList(t, expect(t, tdGet(t, "/organizations/"+org+"/groups", a.Token), http.StatusOK)); len(groups) != groupsBefore {
		t.Errorf("bad input made groups: %v", groups)
	}
}

// One identity across all five APIs: invited through epilot, accepted
// through epilot's activation, logged in through Windmill, the same user
// through Effektif and 10Duke, a group given through 10Duke seen in epilot
// and Effektif, TOTP enrolled through 10Duke, and a 10Duke logout that
// ends the token everywhere.
func TestTenDukeOneIdentityAcrossAPIs(t *testing.T) {
	a := signUp(t, unique("TD Across"))
	org := tdOrg(t, a)
	email := uniqueEmail("td-across")
	password := "an across-the-apis password"
	rememberPassword(password)

	// epilot: invite, then activate with the mailed token.
	expect(t, call(t, "POST", "/v2/users/invite", a.Token, map[string]any{"email": email, "language": "en", "roles": []string{a.OrgID + ":member"}}), http.StatusCreated)
	code := latestCode(t, email)
	expect(t, call(t, "POST", "/v2/users/public/activate?token="+url.QueryEscape(code), "", map[string]any{"display_name": "Ivy Across", "password": password}), http.StatusOK)

	// Windmill: log in.
	wm := string(expect(t, wmLogin(t, email, password), http.StatusOK).Body)
	if wm == "" {
		t.Fatal("no Windmill token")
	}
	me := expect(t, call(t, "GET", "/v2/users/me", bearer(wm), nil), http.StatusOK).JSON(t)
	userID, _ := me["id"].(string)
	if userID == "" || me["organization_id"] != a.OrgID {
		t.Fatalf("epilot me with the Windmill token: %v", me)
	}
	u := account{Email: email, Password: password, Token: wm, UserID: userID, OrgKey: a.OrgKey, OrgID: a.OrgID}

	// Effektif and 10Duke: the same user, the same id.
	if e := effektifUser(t, a, userID); e["emailAddress"] != email {
		t.Errorf("Effektif user: %v", e)
	}
	expect(t, call(t, "GET", "/api/v1/"+a.OrgKey, bearer(wm), nil), http.StatusOK)
	uid := tdUUID(t, userID)
	if td1 := expect(t, tdGet(t, "/users/"+uid, wm), http.StatusOK).JSON(t); td1["id"] != uid || td1["email"] != email {
		t.Errorf("10Duke user with the Windmill token: %v", td1)
	}
	if mem := expect(t, tdGet(t, "/organizations/"+org+"/users/"+uid, a.Token), http.StatusOK).JSON(t); mem["email"] != email {
		t.Errorf("10Duke organization user: %v", mem)
	}
	if orgs := tdList(t, expect(t, tdGet(t, "/users/"+uid+"/organizations", wm), http.StatusOK)); !tdHas(orgs, org) {
		t.Errorf("10Duke organizations of the user: %v", orgs)
	}

	// 10Duke: a group; epilot and Effektif see it.
	gid := tdNewID(t)
	tdEmpty(t, tdSend(t, "POST", "/organizations/"+org+"/groups", a.Token, map[string]any{"id": gid, "name": "Across"}), http.StatusCreated)
	tdEmpty(t, tdSend(t, "POST", "/organizations/"+org+"/groups/"+gid+"/users", a.Token, []string{uid}), http.StatusCreated)
	core := tdCore(t, gid)
	if eg := expect(t, call(t, "GET", "/v2/users/"+userID+"/groups", a.Token, nil), http.StatusOK); !strings.Contains(string(eg.Body), core) || !strings.Contains(string(eg.Body), "Across") {
		t.Errorf("epilot groups: %s", eg.Body)
	}
	if !strings.Contains(effektifGroupIDs(t, a, userID), core) {
		t.Errorf("Effektif groupIds: %s", effektifGroupIDs(t, a, userID))
	}

	// 10Duke: TOTP, then a login through 10Duke with the passcode.
	c := tdCredential(t, u, "expand=qrCode")
	used := tdVerify(t, u, c["secret"].(string))
	sess := expect(t, tdLogin(t, map[string]any{"username": email, "password": password, "passcode": totpAt(t, c["secret"].(string), used+1)}), http.StatusCreated).JSON(t)["token"].(string)
	expect(t, call(t, "GET", "/v2/users/me", bearer(sess), nil), http.StatusOK)

	// 10Duke logout: both tokens dead in every API.
	for _, tok := range []string{wm, sess} {
		tdEmpty(t, td(t, "DELETE", "/sessions", tok, tdReq{}), http.StatusNoContent)
		tdDead(t, u, tok)
	}
}
