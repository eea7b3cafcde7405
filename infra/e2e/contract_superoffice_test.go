package e2e

// Contract tests of the SuperOffice User agent, PUT /{tenant}/api/v1/User/{id}
// (issue 9 Part 3), in the REST shape a SuperOffice client sends (its SDK
// cannot target another host): Authorization: Bearer <token>, Accept and
// Content-Type application/json; charset=utf-8, Accept-Language: en,
// PascalCase bodies, optional $select. Sources: ../../shared/spec
// superoffice-user.md, clients.md ("SuperOffice", "4.", "5. Decisions").
//
// Decisions where the documents are silent (shared/superoffice follows them):
//   - Tenant: {tenant} is the Effektif organization key. {id} is the
//     identity's Effektif id (24 hex); nothing else names a user (a decimal
//     AssociateId, an unknown or 2 KB id: 404). Unknown tenant, a tenant the
//     caller is no member of, a user who is no member of it: 404.
//   - Auth: Bearer token of the one token store; no token 401 (the
//     gateway's own body). A plain member may PUT only themself (403 for
//     anyone else, even an empty entity).
//   - Body: "{}" is an entity with every field left out: it changes nothing
//     and answers the current User (this is how a client reads). A missing
//     body or "null": 400 "Entity to save is not in request body". Not an
//     object, bad JSON, a field of the wrong type: 400. Fields left out, or
//     null, stay. A value equal to the stored one is no change (so an admin
//     may send a member's answer back with only Role changed).
//   - Errors: a JSON object with a non-empty string Error and the same text
//     in Message (tests accept either); never 5xx.
//   - AssociateId: a positive int32 that belongs to the identity (the same
//     in every organization, on every call, distinct per user). An entity
//     whose AssociateId is neither 0 nor the user's: 400.
//   - Answer: 200, the User in PascalCase: AssociateId, Name (the member's
//     username), UserName (the address), Person {Firstname, Lastname,
//     FullName "First Last", Email}, Role, UserGroup, OtherGroups,
//     LicenseOwners, Credentials. Server-owned and unkept fields (Name,
//     UserName, NickName, Rank, Tooltip, Type, Deleted, Lastlogin,
//     Lastlogout, CustomFields, Person fields other than the two names,
//     link counters, TableRight, FieldProperties) are type-checked and
//     ignored.
//   - $select (also %24select): comma-separated top-level names,
//     case-insensitive; only those keys are answered (the others left out);
//     empty = all; an unknown name 400.
//   - Names: Person.Firstname/Lastname are the identity's names, changed
//     only by the user (issue 8): an admin changing another user's names or
//     password gets 403 and nothing changes.
//   - Role: {Id, Value}; Id 1 "Admin" (Effektif admin), 2 "Member", 3
//     "Operator" (a member with the operator flag). Matched by Id (Value is
//     display). Unknown Id 400. Admins only (403 for a member, also on
//     themself). Demoting the last admin: 409.
//   - Groups: the user's Effektif groups are UserGroup (the main one, kept
//     on the membership) plus OtherGroups. A group item is matched by Id
//     (the group's int32, stable, answered by the server) when non-zero,
//     else by Value (its name); unknown, ambiguous, or another
//     organization's: 400. Setting UserGroup replaces the main group (the
//     old one is left unless listed in OtherGroups); OtherGroups [] leaves
//     the others. The main group is not repeated in OtherGroups. With no
//     stored main group the main is the group whose name sorts first.
//     Admins only (403).
//   - Licenses: one LicenseOwner "Effektif" whose RestrictedModuleLicenses
//     list one link per license type the organization has seats of;
//     ModuleLicenseId free=1, team=2, enterprise=3; Name the type; Total,
//     Free, InUse the /info/licenses counters of the type; Assigned = the
//     user holds a seat of it; CanAssign = the caller is an admin.
//     UnrestrictedModuleLicenses is empty. Links are matched by
//     ModuleLicenseId (unknown 400); counters sent are ignored. Assigned
//     true takes a free seat (already held: no change), false releases
//     it; releases happen before assignments. No free seat, or a seat of
//     another type held: 409. Admins only (403).
//   - Credentials: an item whose Type.Type is "password" with a non-empty
//     Value sets the one password (user only; 403 for others; policy 400);
//     an empty Value is no change; other types 400. The caller's session
//     stays, the user's other sessions end. A password is never answered.
//   - Atomic: a refused request changes nothing (conflicts are checked or
//     written before any other part).

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
)

type soItem struct {
	Id    int32
	Value string
}

type soLink struct {
	ModuleLicenseId     int32
	Name                string
	Assigned, CanAssign bool
	Total, Free, InUse  int32
}

type soUser struct {
	AssociateId   int32
	Name          string
	UserName      string
	Person        *struct{ Firstname, Lastname, FullName, Email string }
	Role          *soItem
	UserGroup     *soItem
	OtherGroups   []soItem
	LicenseOwners []struct {
		Name                       string
		RestrictedModuleLicenses   []soLink
		UnrestrictedModuleLicenses []soLink
	}
	Credentials []struct {
		Type  struct{ Type, DisplayType string }
		Value string
	}
}

// soPut sends PUT /{tenant}/api/v1/User/{id}{query} as a SuperOffice client.
// body nil sends none; string and []byte go as is. accept "" is the
// client's usual Accept.
func soPut(t testing.TB, tenant, token, id, query string, body any, accept string) response {
	t.Helper()
	reader := bodyReader(t, body)
	req, err := http.NewRequest("PUT", stack.GatewayURL+"/"+tenant+"/api/v1/User/"+id+query, reader)
	if err != nil {
		t.Fatal(err)
	}
	if accept == "" {
		accept = "application/json; charset=utf-8"
	}
	req.Header.Set("Accept", accept)
	req.Header.Set("Accept-Language", "en")
	if reader != nil {
		req.Header.Set("Content-Type", "application/json; charset=utf-8")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	r := do(t, req)
	if r.Status >= 500 {
		t.Errorf("PUT %s/User/%.60s: %d %s", tenant, id, r.Status, r.Body)
	}
	return r
}

// soOK expects 200 and a PascalCase User; it answers it typed and as a map.
func soOK(t testing.TB, r response) (soUser, map[string]any) {
	t.Helper()
	m := expect(t, r, http.StatusOK).JSON(t)
	for k := range m {
		if k == "" || !(k[0] >= 'A' && k[0] <= 'Z' || k[0] == '_') {
			t.Errorf("key %q is not PascalCase: %s", k, r.Body)
		}
	}
	var u soUser
	decodeJSON(t, r.Body, &u)
	if _, ok := m["AssociateId"]; ok && u.AssociateId <= 0 {
		t.Errorf("AssociateId %v is no positive int32", m["AssociateId"])
	}
	return u, m
}

// soError expects the status and SuperOffice's error shape (Error or
// Message, a non-empty string); it answers the text.
func soError(t testing.TB, r response, status int) string {
	t.Helper()
	expect(t, r, status)
	m := r.JSON(t)
	for _, k := range []string{"Error", "Message"} {
		if s, _ := m[k].(string); s != "" {
			return s
		}
	}
	t.Fatalf("error without Error or Message: %s", r.Body)
	return ""
}

// soRead is the current User through an empty entity.
func soRead(t testing.TB, tenant string, caller account, id string) (soUser, map[string]any) {
	t.Helper()
	return soOK(t, soPut(t, tenant, caller.Token, id, "", "{}", ""))
}

func effektifUser(t testing.TB, a account, id string) map[string]any {
	t.Helper()
	return expect(t, call(t, "GET", "/api/v1/"+a.OrgKey+"/users/"+id, a.Token, nil), http.StatusOK).JSON(t)
}

func isAdminOf(t testing.TB, admin account, id string) bool {
	t.Helper()
	org := expect(t, call(t, "GET", "/api/v1/"+admin.OrgKey, admin.Token, nil), http.StatusOK).JSON(t)
	in := strings.Contains(fmt.Sprint(org["adminIds"]), id)
	if flag := effektifUser(t, admin, id)["admin"] == true; flag != in {
		t.Fatalf("adminIds %v and the admin flag %v disagree", org["adminIds"], flag)
	}
	return in
}

func TestSuperOfficeUserAnswerAndSelect(t *testing.T) {
	a := signUp(t, "SO Shape")
	b := addMember(t, a, "Bert")
	u, m := soRead(t, a.OrgKey, a, a.UserID)
	for _, k := range []string{"AssociateId", "Name", "UserName", "Person", "Role", "OtherGroups", "LicenseOwners", "Credentials"} {
		if _, ok := m[k]; !ok {
			t.Errorf("the User lacks %s: %v", k, keysOf(m))
		}
	}
	if u.UserName != a.Email || u.Person == nil || u.Person.Firstname != "Olga" || u.Person.Lastname != "Owner" || u.Person.FullName != "Olga Owner" || u.Person.Email != a.Email {
		t.Errorf("identity: %+v %+v", u, u.Person)
	}
	if u.Role == nil || u.Role.Id != 1 || u.Role.Value != "Admin" {
		t.Errorf("the owner's Role: %+v", u.Role)
	}
	// AssociateId: stable, distinct, the identity's in every organization.
	again, _ := soRead(t, a.OrgKey, a, a.UserID)
	ub, _ := soRead(t, a.OrgKey, a, b.UserID)
	own := signUp(t, "SO Shape Own")
	joinAsMember(t, own, a)
	elsewhere, _ := soRead(t, own.OrgKey, own, a.UserID)
	if again.AssociateId != u.AssociateId || elsewhere.AssociateId != u.AssociateId || ub.AssociateId == u.AssociateId {
		t.Errorf("AssociateIds %d %d %d, b %d", u.AssociateId, again.AssociateId, elsewhere.AssociateId, ub.AssociateId)
	}
	if ub.Role == nil || ub.Role.Id != 2 || ub.Role.Value != "Member" {
		t.Errorf("a member's Role: %+v", ub.Role)
	}
	// The SDK's "aplication/json" typo is no reason to refuse.
	soOK(t, soPut(t, a.OrgKey, a.Token, a.UserID, "", "{}", "aplication/json"))

	// $select
	for _, q := range []string{"?$select=AssociateId,Person", "?%24select=AssociateId,Person", "?$select=associateid,%20person"} {
		_, sm := soOK(t, soPut(t, a.OrgKey, a.Token, a.UserID, q, "{}", ""))
		if got := strings.Join(keysOf(sm), ","); got != "AssociateId,Person" {
			t.Errorf("%s answered %s", q, got)
		}
	}
	if _, sm := soOK(t, soPut(t, a.OrgKey, a.Token, a.UserID, "?$select=", "{}", "")); len(sm) < 8 {
		t.Errorf("an empty $select trims: %v", keysOf(sm))
	}
	soError(t, soPut(t, a.OrgKey, a.Token, a.UserID, "?$select=Nope", "{}", ""), http.StatusBadRequest)
	_, sm := soOK(t, soPut(t, b.OrgKey, b.Token, b.UserID, "?$select=Person", map[string]any{"Person": map[string]any{"Firstname": "Selected"}}, ""))
	if p := sm["Person"].(map[string]any); len(sm) != 1 || p["Firstname"] != "Selected" {
		t.Errorf("a change with $select: %v", sm)
	}

	// The answer sent back changes nothing, server-owned fields included.
	_, full := soRead(t, a.OrgKey, a, b.UserID)
	full["UserName"], full["Name"], full["NickName"], full["Deleted"] = "other@example.com", "zz", "nick", true
	back, _ := soOK(t, soPut(t, a.OrgKey, a.Token, b.UserID, "", full, ""))
	if back.UserName != b.Email || back.Person.Firstname != "Selected" || back.Role.Id != 2 {
		t.Errorf("a round trip changed the user: %+v", back)
	}
	expect(t, call(t, "GET", "/api/v1/"+a.OrgKey, b.Token, nil), http.StatusOK)
	soError(t, soPut(t, a.OrgKey, a.Token, b.UserID, "", map[string]any{"AssociateId": u.AssociateId}, ""), http.StatusBadRequest)
	soOK(t, soPut(t, a.OrgKey, a.Token, b.UserID, "", map[string]any{"AssociateId": ub.AssociateId}, ""))
}

func TestSuperOfficeUserNames(t *testing.T) {
	a := signUp(t, "SO Names")
	b := addMember(t, a, "Bert")
	u, _ := soOK(t, soPut(t, a.OrgKey, b.Token, b.UserID, "", map[string]any{"Person": map[string]any{"Firstname": "Bea", "Lastname": "Baker"}}, ""))
	if u.Person.Firstname != "Bea" || u.Person.Lastname != "Baker" || u.Person.FullName != "Bea Baker" {
		t.Errorf("names: %+v", u.Person)
	}
	if e := effektifUser(t, a, b.UserID); e["firstName"] != "Bea" || e["lastName"] != "Baker" {
		t.Errorf("Effektif sees %v %v", e["firstName"], e["lastName"])
	}
	// Fields left out stay.
	u, _ = soOK(t, soPut(t, a.OrgKey, b.Token, b.UserID, "", map[string]any{"Person": map[string]any{"Firstname": "Beatrix"}}, ""))
	if u.Person.Lastname != "Baker" || u.Role.Id != 2 {
		t.Errorf("a left-out field changed: %+v %+v", u.Person, u.Role)
	}
	// The admin manages the membership, not the identity; the admin's own names are theirs.
	soError(t, soPut(t, a.OrgKey, a.Token, b.UserID, "", map[string]any{"Person": map[string]any{"Lastname": "Admin-set"}}, ""), http.StatusForbidden)
	soError(t, soPut(t, a.OrgKey, a.Token, b.UserID, "", map[string]any{"Role": map[string]any{"Id": 1}, "Person": map[string]any{"Lastname": "Admin-set"}}, ""), http.StatusForbidden)
	if e := effektifUser(t, a, b.UserID); e["lastName"] != "Baker" || e["admin"] != false {
		t.Errorf("a refused request changed %v", e)
	}
	if me, _ := soOK(t, soPut(t, a.OrgKey, a.Token, a.UserID, "", map[string]any{"Person": map[string]any{"Firstname": "Alma"}}, "")); me.Person.Firstname != "Alma" {
		t.Errorf("the admin's own name: %+v", me.Person)
	}
	soError(t, soPut(t, a.OrgKey, b.Token, b.UserID, "", map[string]any{"Person": map[string]any{"Firstname": strings.Repeat("n", 300)}}, ""), http.StatusBadRequest)
}

func TestSuperOfficeUserRole(t *testing.T) {
	a := signUp(t, "SO Roles")
	b := addMember(t, a, "Bert")
	admin := map[string]any{"Role": map[string]any{"Id": 1, "Value": "Admin"}}
	member := map[string]any{"Role": map[string]any{"Id": 2}}
	soError(t, soPut(t, a.OrgKey, b.Token, b.UserID, "", admin, ""), http.StatusForbidden)
	soError(t, soPut(t, a.OrgKey, a.Token, a.UserID, "", member, ""), http.StatusConflict)
	soError(t, soPut(t, a.OrgKey, a.Token, b.UserID, "", map[string]any{"Role": map[string]any{"Id": 77}}, ""), http.StatusBadRequest)
	if isAdminOf(t, a, b.UserID) || !isAdminOf(t, a, a.UserID) {
		t.Fatal("a refused role change took effect")
	}
	if u, _ := soOK(t, soPut(t, a.OrgKey, a.Token, b.UserID, "", admin, "")); u.Role.Id != 1 {
		t.Errorf("Role after promotion: %+v", u.Role)
	}
	if !isAdminOf(t, a, b.UserID) {
		t.Fatal("the SuperOffice admin Role made no Effektif admin")
	}
	expect(t, call(t, "POST", "/api/v1/"+a.OrgKey+"/groups", b.Token, map[string]any{"name": "By the new admin"}), http.StatusOK)
	// And back; then a demotes themself, b is the last admin.
	soOK(t, soPut(t, a.OrgKey, a.Token, b.UserID, "", member, ""))
	if isAdminOf(t, a, b.UserID) {
		t.Fatal("the member Role left an Effektif admin")
	}
	soOK(t, soPut(t, a.OrgKey, a.Token, b.UserID, "", admin, ""))
	soOK(t, soPut(t, a.OrgKey, a.Token, a.UserID, "", member, ""))
	soError(t, soPut(t, a.OrgKey, b.Token, b.UserID, "", member, ""), http.StatusConflict)
	if !isAdminOf(t, b, b.UserID) || isAdminOf(t, b, a.UserID) {
		t.Fatal("admins after the swap")
	}
	// Operator: a member with Windmill's operator flag.
	u, _ := soOK(t, soPut(t, a.OrgKey, b.Token, a.UserID, "", map[string]any{"Role": map[string]any{"Id": 3}}, ""))
	if u.Role.Id != 3 || u.Role.Value != "Operator" {
		t.Errorf("operator Role: %+v", u.Role)
	}
	who := expect(t, call(t, "GET", "/api/w/"+a.OrgKey+"/users/whoami", "Bearer "+a.Token, nil), http.StatusOK).JSON(t)
	if who["operator"] != true || who["is_admin"] != false {
		t.Errorf("Windmill sees %v", who)
	}
}

func TestSuperOfficeUserGroups(t *testing.T) {
	a := signUp(t, "SO Groups")
	b := addMember(t, a, "Bert")
	c := addMember(t, a, "Cleo")
	org := "/api/v1/" + a.OrgKey
	sales := createGroup(t, a, "Sales")
	support := createGroup(t, a, "Support", c.UserID)
	createGroup(t, a, "Twins")
	createGroup(t, a, "Twins")
	outsider := signUp(t, "SO Groups Outsider")
	createGroup(t, outsider, "Foreign", outsider.UserID)
	foreign, _ := soRead(t, outsider.OrgKey, outsider, outsider.UserID)

	u, _ := soOK(t, soPut(t, a.OrgKey, a.Token, b.UserID, "", map[string]any{"UserGroup": map[string]any{"Value": "Sales"}, "OtherGroups": []any{map[string]any{"Value": "Support"}, map[string]any{"Value": "Sales"}}}, ""))
	if u.UserGroup == nil || u.UserGroup.Value != "Sales" || u.UserGroup.Id <= 0 || len(u.OtherGroups) != 1 || u.OtherGroups[0].Value != "Support" || u.OtherGroups[0].Id == u.UserGroup.Id {
		t.Fatalf("groups: %+v %+v", u.UserGroup, u.OtherGroups)
	}
	salesID := u.UserGroup.Id
	if ids := fmt.Sprint(effektifUser(t, a, b.UserID)["groupIds"]); !strings.Contains(ids, sales) || !strings.Contains(ids, support) {
		t.Errorf("Effektif groupIds %s", ids)
	}
	// c was in Support through Effektif (its main one); by Id, Sales replaces it.
	if cu, _ := soRead(t, a.OrgKey, a, c.UserID); cu.UserGroup == nil || cu.UserGroup.Value != "Support" || len(cu.OtherGroups) != 0 {
		t.Errorf("c before: %+v %+v", cu.UserGroup, cu.OtherGroups)
	}
	cu, _ := soOK(t, soPut(t, a.OrgKey, a.Token, c.UserID, "", map[string]any{"UserGroup": map[string]any{"Id": salesID}}, ""))
	if cu.UserGroup.Value != "Sales" || cu.UserGroup.Id != salesID || len(cu.OtherGroups) != 0 {
		t.Errorf("c after: %+v %+v", cu.UserGroup, cu.OtherGroups)
	}
	g := expect(t, call(t, "GET", org+"/groups/"+sales, a.Token, nil), http.StatusOK).JSON(t)
	if n := len(g["userIds"].([]any)); n != 2 {
		t.Errorf("Sales has %d members", n)
	}
	// Left out stays; [] leaves the others.
	if u, _ = soOK(t, soPut(t, a.OrgKey, a.Token, b.UserID, "", map[string]any{"Role": map[string]any{"Id": 2}}, "")); len(u.OtherGroups) != 1 || u.UserGroup.Id != salesID {
		t.Errorf("groups changed by a left-out field: %+v", u)
	}
	if u, _ = soOK(t, soPut(t, a.OrgKey, a.Token, b.UserID, "", map[string]any{"OtherGroups": []any{}}, "")); len(u.OtherGroups) != 0 || u.UserGroup.Id != salesID {
		t.Errorf("after OtherGroups []: %+v", u)
	}
	for _, bad := range []map[string]any{
		{"UserGroup": map[string]any{"Value": "Nobody's"}},
		{"UserGroup": map[string]any{"Value": "Twins"}},
		{"UserGroup": map[string]any{"Id": 2147483000}},
		{"OtherGroups": []any{map[string]any{"Id": foreign.UserGroup.Id}}},
		{"UserGroup": map[string]any{}},
	} {
		soError(t, soPut(t, a.OrgKey, a.Token, b.UserID, "", bad, ""), http.StatusBadRequest)
	}
	soError(t, soPut(t, a.OrgKey, b.Token, b.UserID, "", map[string]any{"OtherGroups": []any{map[string]any{"Value": "Support"}}}, ""), http.StatusForbidden)
	if u, _ = soRead(t, a.OrgKey, a, b.UserID); len(u.OtherGroups) != 0 {
		t.Errorf("a refused change took effect: %+v", u.OtherGroups)
	}
}

// soLinkOf is the link of the license type in the answer, nil when it is not listed.
func soLinkOf(u soUser, name string) *soLink {
	for _, o := range u.LicenseOwners {
		for i := range o.RestrictedModuleLicenses {
			if o.RestrictedModuleLicenses[i].Name == name {
				return &o.RestrictedModuleLicenses[i]
			}
		}
	}
	return nil
}

func soAssign(id int32, assigned bool, more ...map[string]any) map[string]any {
	links := []any{map[string]any{"ModuleLicenseId": id, "Assigned": assigned, "Free": 99, "Total": 99}}
	for _, m := range more {
		links = append(links, m)
	}
	return map[string]any{"LicenseOwners": []any{map[string]any{"Name": "Effektif", "RestrictedModuleLicenses": links}}}
}

func TestSuperOfficeUserLicenses(t *testing.T) {
	a := signUp(t, "SO Licenses")
	b := addMember(t, a, "Bert")
	c := addMember(t, a, "Cleo")
	org := "/api/v1/" + a.OrgKey
	seats := func(typ string) map[string]any {
		s := expect(t, call(t, "GET", org+"/info/licenses", a.Token, nil), http.StatusOK).JSON(t)
		ty, _ := s["types"].(map[string]any)[typ].(map[string]any)
		return ty
	}
	if u, _ := soRead(t, a.OrgKey, a, b.UserID); soLinkOf(u, "team") != nil || len(u.LicenseOwners) != 1 {
		t.Fatalf("before a purchase: %+v", u.LicenseOwners)
	}
	expect(t, call(t, "POST", org+"/purchase", a.Token, map[string]any{"licenseType": "team", "count": 1}), http.StatusOK)
	u, full := soRead(t, a.OrgKey, a, b.UserID)
	l := soLinkOf(u, "team")
	if l == nil || l.ModuleLicenseId != 2 || l.Total != 1 || l.Free != 1 || l.InUse != 0 || l.Assigned || !l.CanAssign {
		t.Fatalf("team link: %+v", l)
	}
	// Assign by sending the answer back with Assigned flipped.
	link := full["LicenseOwners"].([]any)[0].(map[string]any)["RestrictedModuleLicenses"].([]any)[0].(map[string]any)
	link["Assigned"] = true
	u, _ = soOK(t, soPut(t, a.OrgKey, a.Token, b.UserID, "", full, ""))
	if l = soLinkOf(u, "team"); !l.Assigned || l.Free != 0 || l.InUse != 1 || l.Total != 1 {
		t.Fatalf("after assigning: %+v", l)
	}
	if s := seats("team"); s["used"] != 1.0 || s["free"] != 0.0 {
		t.Errorf("/info/licenses: %v", s)
	}
	// Held once: again changes nothing.
	soOK(t, soPut(t, a.OrgKey, a.Token, b.UserID, "", soAssign(2, true), ""))
	if s := seats("team"); s["used"] != 1.0 {
		t.Errorf("a second assignment moved the counters: %v", s)
	}
	// Beyond the seats: 409, and nothing of the request written.
	soError(t, soPut(t, a.OrgKey, a.Token, c.UserID, "", map[string]any{"Role": map[string]any{"Id": 1}, "LicenseOwners": soAssign(2, true)["LicenseOwners"]}, ""), http.StatusConflict)
	if isAdminOf(t, a, c.UserID) {
		t.Error("a refused request made an admin")
	}
	soError(t, soPut(t, a.OrgKey, c.Token, c.UserID, "", soAssign(2, true), ""), http.StatusForbidden)
	soError(t, soPut(t, a.OrgKey, a.Token, c.UserID, "", soAssign(99, true), ""), http.StatusBadRequest)
	// A seat of one type at a time; a release comes before an assignment.
	expect(t, call(t, "POST", org+"/purchase", a.Token, map[string]any{"licenseType": "enterprise", "count": 1}), http.StatusOK)
	soError(t, soPut(t, a.OrgKey, a.Token, b.UserID, "", soAssign(3, true), ""), http.StatusConflict)
	u, _ = soOK(t, soPut(t, a.OrgKey, a.Token, b.UserID, "", soAssign(3, true, map[string]any{"ModuleLicenseId": 2, "Assigned": false}), ""))
	if soLinkOf(u, "team").Assigned || !soLinkOf(u, "enterprise").Assigned {
		t.Errorf("after the swap: %+v", u.LicenseOwners)
	}
	if s := seats("team"); s["free"] != 1.0 {
		t.Errorf("team after the release: %v", s)
	}
	// The last free seat goes to one of two at once.
	statuses := make([]int, 2)
	var wg sync.WaitGroup
	for i, who := range []account{a, c} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			statuses[i] = soPut(t, a.OrgKey, a.Token, who.UserID, "", soAssign(2, true), "").Status
		}()
	}
	wg.Wait()
	if !(statuses[0] == 200 && statuses[1] == 409 || statuses[0] == 409 && statuses[1] == 200) {
		t.Errorf("statuses %v, want one seat given", statuses)
	}
	if s := seats("team"); s["used"] != 1.0 || s["free"] != 0.0 {
		t.Errorf("team: %v", s)
	}
}

func TestSuperOfficeUserPassword(t *testing.T) {
	a := signUp(t, "SO Password")
	b := addMember(t, a, "Bert")
	other := expect(t, login(t, b.Email, b.Password), http.StatusOK).JSON(t)["token"].(string)
	pw := func(v string) map[string]any {
		return map[string]any{"Credentials": []any{map[string]any{"Type": map[string]any{"Type": "password", "DisplayType": "Password"}, "Value": v}}}
	}
	rememberPassword("an admin-set password")
	soError(t, soPut(t, a.OrgKey, a.Token, b.UserID, "", pw("an admin-set password"), ""), http.StatusForbidden)
	expect(t, login(t, b.Email, "an admin-set password"), http.StatusUnauthorized)
	soError(t, soPut(t, a.OrgKey, b.Token, b.UserID, "", pw("short"), ""), http.StatusBadRequest)
	soError(t, soPut(t, a.OrgKey, b.Token, b.UserID, "", map[string]any{"Credentials": []any{map[string]any{"Type": map[string]any{"Type": "ActiveDirectory"}, "Value": "S-1-5-21"}}}, ""), http.StatusBadRequest)
	// An echoed credential (no Value) is no change.
	soOK(t, soPut(t, a.OrgKey, b.Token, b.UserID, "", pw(""), ""))
	expect(t, login(t, b.Email, b.Password), http.StatusOK)

	fresh := "a SuperOffice password"
	rememberPassword(fresh)
	u, _ := soOK(t, soPut(t, a.OrgKey, b.Token, b.UserID, "", pw(fresh), ""))
	for _, c := range u.Credentials {
		if c.Value != "" {
			t.Errorf("a credential value is answered: %+v", c)
		}
	}
	expect(t, login(t, b.Email, fresh), http.StatusOK)
	expect(t, login(t, b.Email, b.Password), http.StatusUnauthorized)
	expect(t, wmLogin(t, b.Email, fresh), http.StatusOK)
	expect(t, call(t, "GET", "/api/v1/"+a.OrgKey, b.Token, nil), http.StatusOK)
	expect(t, call(t, "GET", "/api/v1/"+a.OrgKey, other, nil), http.StatusUnauthorized)
}

func TestSuperOfficeUserAccessAndBadInput(t *testing.T) {
	a := signUp(t, "SO Access")
	b := addMember(t, a, "Bert")
	c := addMember(t, a, "Cleo")
	outsider := signUp(t, "SO Access Outsider")
	k := a.OrgKey
	r := soPut(t, k, "", b.UserID, "", "{}", "")
	expect(t, r, http.StatusUnauthorized)
	soError(t, soPut(t, k, outsider.Token, b.UserID, "", "{}", ""), http.StatusNotFound)
	soError(t, soPut(t, k, b.Token, c.UserID, "", "{}", ""), http.StatusForbidden)
	soError(t, soPut(t, k, b.Token, c.UserID, "", map[string]any{"Person": map[string]any{"Firstname": "Mallory"}}, ""), http.StatusForbidden)
	soError(t, soPut(t, k, a.Token, "0123456789abcdef01234567", "", "{}", ""), http.StatusNotFound)
	soError(t, soPut(t, k, a.Token, outsider.UserID, "", "{}", ""), http.StatusNotFound)
	assoc, _ := soRead(t, k, a, b.UserID)
	soError(t, soPut(t, k, a.Token, fmt.Sprint(assoc.AssociateId), "", "{}", ""), http.StatusNotFound)
	soError(t, soPut(t, "no-such-tenant-"+strings.ToLower(b.UserID), a.Token, b.UserID, "", "{}", ""), http.StatusNotFound)
	long := strings.Repeat("a", 2<<10)
	for _, rr := range []response{soPut(t, k, a.Token, long, "", "{}", ""), soPut(t, long, a.Token, b.UserID, "", "{}", ""), soPut(t, k, a.Token, b.UserID, "?$select="+long, "{}", "")} {
		if rr.Status < 400 || rr.Status >= 500 {
			t.Errorf("2 KB: %d %.200s", rr.Status, rr.Body)
		}
	}
	for _, missing := range []any{nil, "", "null"} {
		if msg := soError(t, soPut(t, k, b.Token, b.UserID, "", missing, ""), http.StatusBadRequest); !strings.Contains(msg, "Entity to save is not in request body") {
			t.Errorf("missing entity %q: %s", missing, msg)
		}
	}
	for _, bad := range []string{
		`[1,2]`, `{`, `"user"`, `{"Person":"Bea"}`, `{"Person":{"Firstname":5}}`, `{"AssociateId":"abc"}`, `{"AssociateId":1.5}`,
		`{"AssociateId":4294967296}`, `{"Role":{"Id":"one"}}`, `{"OtherGroups":{}}`, `{"UserGroup":[1]}`, `{"LicenseOwners":"x"}`,
		`{"LicenseOwners":[{"RestrictedModuleLicenses":[{"ModuleLicenseId":2,"Assigned":"yes"}]}]}`, `{"Credentials":{"Value":"x"}}`,
		`{"NickName":5}`, `{"Deleted":"no"}`,
	} {
		soError(t, soPut(t, k, b.Token, b.UserID, "", bad, ""), http.StatusBadRequest)
	}
	if rr := soPut(t, k, b.Token, b.UserID, "", `{"CustomFields":{"x":"`+strings.Repeat("y", 2<<20)+`"}}`, ""); rr.Status < 400 || rr.Status >= 500 {
		t.Errorf("a 2 MiB entity: %d", rr.Status)
	}
	if u, _ := soRead(t, k, b, b.UserID); u.Person.Firstname != "Bert" || u.Role.Id != 2 {
		t.Errorf("bad input changed the user: %+v %+v", u.Person, u.Role)
	}
}

// One identity across the three APIs: a member invited through Effektif
// logs in through Windmill, that token works on the SuperOffice User
// agent, a role given through SuperOffice shows in Windmill and Effektif,
// and a Windmill logout ends the token for SuperOffice too.
func TestSuperOfficeOneIdentityAcrossAPIs(t *testing.T) {
	a := signUp(t, "SO Across")
	b := addMember(t, a, "Bert")
	token := string(expect(t, wmLogin(t, b.Email, b.Password), http.StatusOK).Body)
	u, _ := soRead(t, a.OrgKey, account{Token: token}, b.UserID)
	if u.UserName != b.Email || u.Role.Id != 2 {
		t.Fatalf("the Windmill token on SuperOffice: %+v", u)
	}
	soOK(t, soPut(t, a.OrgKey, a.Token, b.UserID, "", map[string]any{"Role": map[string]any{"Id": 1}}, ""))
	who := expect(t, call(t, "GET", "/api/w/"+a.OrgKey+"/users/whoami", "Bearer "+token, nil), http.StatusOK).JSON(t)
	if who["is_admin"] != true || !isAdminOf(t, a, b.UserID) {
		t.Errorf("after the SuperOffice Admin Role: Windmill %v", who)
	}
	expect(t, call(t, "POST", "/api/auth/logout", "Bearer "+token, nil), http.StatusOK)
	expect(t, soPut(t, a.OrgKey, token, b.UserID, "", "{}", ""), http.StatusUnauthorized)
	expect(t, call(t, "GET", "/api/v1/"+a.OrgKey, token, nil), http.StatusUnauthorized)
}
