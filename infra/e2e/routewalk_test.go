package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"
	"testing"

	"github.com/effektif-serverless/caseflow/infra/samtemplate"
	"github.com/effektif-serverless/caseflow/shared/ids"
)

// TestRouteWalk walks every route of ../../template.yaml (as the local
// gateway serves it), with path parameters filled from a fixture
// organization that has one of each resource (routeParams):
//
//   - with no token, every route not marked public (Auth: Authorizer: NONE)
//     answers 401 with a JSON body;
//   - with the admin token of another organization, every tenant route
//     answers 404 (403 where memberForbidden says a member gets 403 too),
//     and nothing in the organization changed (the answers of every GET
//     route, read by its admin, are the same before and after);
//   - as a plain member of the organization, every route in
//     memberForbidden answers 403 and nothing changed; every route answers
//     a plain member without a 5xx;
//   - public routes are called with junk and never answer 5xx.
//
// A route added to template.yaml is walked without a test written for it.
// To extend: a new path parameter name goes into routeParams (an unknown
// one fails this test, naming the route); a new admin-only operation goes
// into memberForbidden (keyed "METHOD path-pattern" exactly as in the
// template); a tenant route whose tenant is not its first variable segment
// (dialects under /api/idp/v1, /v1, /v2, /api/w/{workspace},
// /{tenant}/api/v1) is recognised by tenantRoute, which names the
// parameters that scope a route to an organization; routes whose outcome is
// being changed elsewhere are listed in lenient, where only 401/403/404
// matter.
func TestRouteWalk(t *testing.T) {
	f := newFixture(t, "Route Walk")
	routes := stack.Template.Routes
	if len(routes) < 90 {
		t.Fatalf("only %d routes read from template.yaml", len(routes))
	}
	for _, rt := range routes {
		if rt.Authorizer == nil || !tenantRoute(rt) {
			continue
		}
		// every path parameter is known
		fillPath(t, rt.Path, f.paramsFor(rt.Path))
	}

	t.Run("no token", func(t *testing.T) {
		for _, rt := range routes {
			if rt.Authorizer == nil {
				continue
			}
			path := fillPath(t, rt.Path, f.paramsFor(rt.Path))
			r := walkCall(t, rt, path, "", walkRequestFor(t, f, rt, f.outsider))
			if r.Status != http.StatusUnauthorized || !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
				t.Errorf("%s without a token: %d %q %.200s", rt.Key(), r.Status, r.Header.Get("Content-Type"), r.Body)
			}
		}
	})

	t.Run("outsider", func(t *testing.T) {
		before := snapshot(t, f, routes)
		for _, rt := range routes {
			if rt.Authorizer == nil || !tenantRoute(rt) {
				continue
			}
			path := fillPath(t, rt.Path, f.paramsFor(rt.Path))
			r := walkCall(t, rt, path, walkToken(t, rt, f.outsider, ""), walkRequestFor(t, f, rt, f.outsider))
			want := http.StatusNotFound
			if r.Status != want && !(r.Status == http.StatusForbidden && memberForbidden[rt.Key()]) {
				t.Errorf("%s by another organization's admin: %d %.200s", rt.Key(), r.Status, r.Body)
			}
		}
		compareSnapshots(t, "another organization's admin", before, snapshot(t, f, routes))
	})

	t.Run("member", func(t *testing.T) {
		before := snapshot(t, f, routes)
		for key := range memberForbidden {
			rt, ok := findRoute(routes, key)
			if !ok {
				t.Errorf("memberForbidden names %s, which template.yaml does not have", key)
				continue
			}
			path := fillPath(t, rt.Path, f.paramsFor(rt.Path))
			r := walkCall(t, rt, path, walkToken(t, rt, f.member, f.admin.OrgID), walkRequestFor(t, f, rt, f.member))
			if r.Status != http.StatusForbidden && !(lenient[key] && r.Status != http.StatusOK) {
				t.Errorf("%s by a plain member: %d, want 403; %.200s", key, r.Status, r.Body)
			}
		}
		compareSnapshots(t, "a plain member on admin operations", before, snapshot(t, f, routes))
		// Every other route: whatever a member may do, never a 5xx. Last,
		// as these may change the organization.
		for _, rt := range routes {
			if rt.Authorizer == nil || memberForbidden[rt.Key()] {
				continue
			}
			path := fillPath(t, rt.Path, f.paramsFor(rt.Path))
			r := walkCall(t, rt, path, walkToken(t, rt, f.member, f.admin.OrgID), walkRequestFor(t, f, rt, f.member))
			t.Logf("member %s: %d", rt.Key(), r.Status)
			if r.Status >= 500 {
				t.Errorf("%s by a plain member: %d %.200s", rt.Key(), r.Status, r.Body)
			}
		}
	})

	t.Run("public routes with junk", func(t *testing.T) {
		for _, rt := range routes {
			if rt.Authorizer != nil {
				continue
			}
			junk := map[string]string{}
			for name := range f.routeParams() {
				junk[name] = "junk"
			}
			for _, path := range []string{fillPath(t, rt.Path, f.paramsFor(rt.Path)), fillPath(t, rt.Path, junk)} {
				for _, body := range []any{nil, "{", "\xff\xfe", `{"emailAddress":"x","password":"y","code":"z","token":"t","reference":"r"}`, `[1,2]`} {
					if r := call(t, rt.Method, path, "", body); r.Status >= 500 {
						t.Errorf("%s %s with %q: %d %.200s", rt.Method, path, body, r.Status, r.Body)
					}
				}
			}
		}
	})
}

// memberForbidden are the routes a plain member of the organization is
// refused with 403 on the fixture's resources (owned by the admin). Keys
// are "METHOD path-pattern" as in template.yaml.
var memberForbidden = map[string]bool{
	"PUT /{tenant}/api/v1/User/{id}":                                         true,
	"PATCH /v2/users/{id}":                                                   true,
	"POST /v1/groups":                                                        true,
	"PATCH /v1/groups/{id}":                                                  true,
	"DELETE /v1/groups/{id}":                                                 true,
	"DELETE /v2/users/{id}":                                                  true,
	"POST /v2/users/invite":                                                  true,
	"POST /v2/users:sendPasswordReset":                                       true,
	"PUT /api/v1/{organizationKey}":                                          true,
	"DELETE /api/v1/{organizationKey}":                                       true,
	"POST /api/v1/{organizationKey}/groups":                                  true,
	"PUT /api/v1/{organizationKey}/groups/{groupId}":                         true,
	"DELETE /api/v1/{organizationKey}/groups/{groupId}":                      true,
	"POST /api/v1/{organizationKey}/users":                                   true,
	"PUT /api/v1/{organizationKey}/users/{userId}":                           true,
	"DELETE /api/v1/{organizationKey}/users/{userId}":                        true,
	"PUT /api/v1/{organizationKey}/users/{userId}/preferences":               true,
	"POST /api/v1/{organizationKey}/users/{userId}/leave":                    true,
	"POST /api/v1/{organizationKey}/users/{userId}/handover":                 true,
	"POST /api/v1/{organizationKey}/users/{userId}/picture":                  true,
	"GET /api/v1/{organizationKey}/invitations":                              true,
	"POST /api/v1/{organizationKey}/invitations/{inviteeMailAddress}/resend": true,
	"DELETE /api/v1/{organizationKey}/invitations/{inviteeMailAddress}":      true,
	"PUT /api/v1/{organizationKey}/licenses/{licenseId}":                     true,
	"POST /api/v1/{organizationKey}/purchase":                                true,
	"POST /api/v1/{organizationKey}/licenseProfiles/{profile}":               true,
	"GET /api/v1/{organizationKey}/ldap/users":                               true,
	"GET /api/v1/{organizationKey}/ldap/groups":                              true,
	"GET /api/v1/{organizationKey}/ldap/groupMembers":                        true,
	"DELETE /api/v1/{organizationKey}/workflows/{editorWorkflowId}":          true,
	"DELETE /api/v1/{organizationKey}/files/{fileId}":                        true,
	"DELETE /api/v1/{organizationKey}/cases/{caseId}":                        true,

	// Services: the fixture's account is the admin's (a member reads it).
	"PUT /api/v1/{organizationKey}/services/{serviceKey}/accounts/{accountId}":    true,
	"DELETE /api/v1/{organizationKey}/services/{serviceKey}/accounts/{accountId}": true,

	// Windmill: the workspace admin's operations, and the super admin's
	// (a member of no privilege, like every fixture account).
	"POST /api/w/{workspace}/users/update/{username}":   true,
	"DELETE /api/w/{workspace}/users/delete/{username}": true,
	"POST /api/w/{workspace}/users/add":                 true,
	"POST /api/w/{workspace}/workspaces/add_user":       true,
	"POST /api/w/{workspace}/workspaces/invite_user":    true,
	"POST /api/users/create":                            true,
	"POST /api/users/update/{email}":                    true,
	"GET /api/users/list_as_super_admin":                true,
	// 10Duke: the organization's admin operations.
	"DELETE /api/idp/v1/organizations/{organizationId}":                                 true,
	"POST /api/idp/v1/organizations/{organizationId}/groups":                            true,
	"PUT /api/idp/v1/organizations/{organizationId}/groups":                             true,
	"DELETE /api/idp/v1/organizations/{organizationId}/groups/{groupId}":                true,
	"POST /api/idp/v1/organizations/{organizationId}/groups/{groupId}/users":            true,
	"PUT /api/idp/v1/organizations/{organizationId}/groups/{groupId}/users":             true,
	"DELETE /api/idp/v1/organizations/{organizationId}/groups/{groupId}/users":          true,
	"POST /api/idp/v1/organizations/{organizationId}/groups/{groupId}/users/{userId}":   true,
	"DELETE /api/idp/v1/organizations/{organizationId}/groups/{groupId}/users/{userId}": true,
	"POST /api/idp/v1/users/{userId}/organization-groups/{groupId}":                     true,
	"DELETE /api/idp/v1/users/{userId}/organization-groups/{groupId}":                   true,
	"DELETE /api/idp/v1/users/{userId}":                                                 true,
	"POST /api/idp/v1/users/{userId}/organization-roles":                                true,
	"DELETE /api/idp/v1/users/{userId}/organization-roles/{roleId}":                     true,
	"GET /api/idp/v1/organization/{organizationId}/group-invitations/{invitationId}":    true,
	"GET /api/idp/v1/organization/{organizationId}/group-invitations/open":              true,
	// Effektif's external workers: admins (and their API tokens) only.
	"POST /api/v1/{organizationKey}/services/{serviceKey}/actionInstances/lock":                   true,
	"POST /api/v1/{organizationKey}/services/{serviceKey}/actionInstances/{actionInstanceId}/end": true,
}

// endsToken are the routes that end the token they are called with: the
// walks call them with a token of their own.
var endsToken = map[string]bool{"DELETE /api/idp/v1/sessions": true, "POST /api/auth/logout": true, "POST /api/users/logout": true}

// walkToken is the token a walk sends on a route as the account: for a
// route that ends its token, a new token of the account's, made with its
// token (the walks may have changed its password): an API token, or for
// a token bound to an organization (boundTo) a new login bound there.
func walkToken(t testing.TB, rt samtemplate.Route, a account, boundTo string) string {
	if !endsToken[rt.Key()] {
		return a.Token
	}
	if boundTo != "" {
		return expect(t, call(t, "POST", "/v2/users/switchOrganization", a.Token, map[string]any{"org_id": boundTo}), http.StatusOK).JSON(t)["login_token"].(string)
	}
	return string(expect(t, call(t, "POST", "/api/users/tokens/create", a.Token, map[string]any{"label": "walk"}), http.StatusCreated).Body)
}

// lenient are routes whose outcome is being changed in parallel (adding an
// existing account becomes an invitation): only 401, 403 and 404 matter.
var lenient = map[string]bool{
	"POST /api/v1/{organizationKey}/users": true,
}

// tenantParams are the path parameters that scope a route to one
// organization, in every dialect (epilot's routes act in the caller's
// current organization: those naming one of its users are scoped by it).
var tenantParams = []string{"{organizationKey}", "{workspace}", "{tenant}", "/v2/users/{id}", "/v1/users/{id}", "/v1/groups/{id}",
	tdBase + "/organizations/{organizationId}", tdBase + "/organization/{organizationId}", tdBase + "/users/{userId}", tdBase + "/user-info/{userId}"}

// tenantRoute reports whether a route is scoped to an organization by its
// path.
func tenantRoute(rt samtemplate.Route) bool {
	for _, p := range tenantParams {
		if strings.Contains(rt.Path, p) {
			return true
		}
	}
	return false
}

func findRoute(routes []samtemplate.Route, key string) (samtemplate.Route, bool) {
	for _, rt := range routes {
		if rt.Key() == key {
			return rt, true
		}
	}
	return samtemplate.Route{}, false
}

// walkRequest is a request body and its content type.
type walkRequest struct {
	contentType string
	body        []byte
}

// routeBodies are the bodies of routes that take something other than a
// JSON object, shaped so that the owner's call would succeed: the tenant
// and permission checks, not the body, must be what refuses the others.
var routeBodies = map[string]func(t testing.TB) walkRequest{
	"POST /api/v1/{organizationKey}/files":                        textUpload,
	"POST /api/v1/{organizationKey}/filesiframe":                  textUpload,
	"POST /api/v1/{organizationKey}/cases/{caseId}/files":         textUpload,
	"POST /api/v1/{organizationKey}/cases/{caseId}/iframe/files":  textUpload,
	"POST /api/v1/{organizationKey}/users/{userId}/picture":       pictureUpload,
	"POST /api/v1/{organizationKey}/users/{userId}/pictureiframe": pictureUpload,
	"PUT /api/v1/{organizationKey}/workflows/{editorWorkflowId}/update/bpmn": func(testing.TB) walkRequest {
		return walkRequest{"application/xml", []byte(simpleBPMN)}
	},
	"POST /v2/users/invite": func(testing.TB) walkRequest {
		return walkRequest{"application/json", []byte(`{"email":"walked-invitee@example.com"}`)}
	},
	"POST /v2/users:sendPasswordReset": func(testing.TB) walkRequest {
		return walkRequest{"application/json", []byte(`{"email":"walked-reset@example.com"}`)}
	},
	"PATCH /v2/users/{id}": func(testing.TB) walkRequest {
		return walkRequest{"application/json", []byte(`{"display_name":"Walked","signature":"walked"}`)}
	},
	"PUT /{tenant}/api/v1/User/{id}": func(testing.TB) walkRequest {
		return walkRequest{"application/json", []byte(`{"Person":{"Firstname":"Walked"},"Role":{"Id":1}}`)}
	},
}

// routeQueries are query strings a route needs to get past its own checks.
var routeQueries = map[string]string{
	"GET /api/v1/{organizationKey}/ldap/groupMembers": "dn=cn%3Dteam%2Cdc%3Dexample",
}

func textUpload(t testing.TB) walkRequest {
	body, ct := multipartBody(t, "notes.txt", "text/plain", []byte("walked"))
	return walkRequest{ct, body}
}

func pictureUpload(t testing.TB) walkRequest {
	body, ct := multipartBody(t, "me.png", "image/png", pngImage(t))
	return walkRequest{ct, body}
}

// walkRequestFor is the body the walk sends on a route.
func walkRequestFor(t testing.TB, f fixture, rt samtemplate.Route, attacker account) walkRequest {
	if b := routeBodies[rt.Key()]; b != nil {
		return b(t)
	}
	if b, ok := f.tenDukeBodies()[rt.Key()]; ok {
		raw, _ := json.Marshal(b)
		return walkRequest{"application/json", raw}
	}
	raw, _ := json.Marshal(walkBody(attacker))
	return walkRequest{"application/json", raw}
}

// walkCall sends one request of the walk (no Authorization header when
// auth is empty).
func walkCall(t testing.TB, rt samtemplate.Route, path, auth string, req walkRequest) response {
	t.Helper()
	if q := routeQueries[rt.Key()]; q != "" {
		path += "?" + q
	}
	r, err := http.NewRequest(rt.Method, stack.GatewayURL+path, bytes.NewReader(req.body))
	if err != nil {
		t.Fatal(err)
	}
	r.Header.Set("Content-Type", req.contentType)
	if auth != "" {
		r.Header.Set("Authorization", auth)
	}
	res, err := httpClient.Do(r)
	if err != nil {
		t.Fatalf("%s %s: %v", rt.Method, path, err)
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return response{Status: res.StatusCode, Header: res.Header, Body: raw}
}

// walkBody is a body for every operation: fields an attacker would set,
// pointing at their own account.
func walkBody(attacker account) map[string]any {
	return map[string]any{
		"name": "taken over", "emailAddress": uniqueEmail("evil"), "userId": attacker.UserID, "assigneeId": attacker.UserID,
		"licenseType": "team", "count": 1, "role": "admin", "password": "a password of the attacker",
		"candidateIds": []string{attacker.UserID}, "participantIds": []string{attacker.UserID}, "userIds": []string{attacker.UserID},
	}
}

// snapshot reads every GET route of the organization as its admin: the
// status and body of each (volatile headers aside).
func snapshot(t testing.TB, f fixture, routes []samtemplate.Route) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, rt := range routes {
		if rt.Method != "GET" || rt.Authorizer == nil || !tenantRoute(rt) {
			continue
		}
		path := fillPath(t, rt.Path, f.paramsFor(rt.Path))
		r := call(t, "GET", path, f.admin.Token, nil)
		out[rt.Key()] = fmt.Sprintf("%d %s", r.Status, bytes.TrimSpace(r.Body))
	}
	return out
}

func compareSnapshots(t testing.TB, who string, before, after map[string]string) {
	t.Helper()
	keys := make([]string, 0, len(before))
	for k := range before {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if before[k] != after[k] {
			t.Errorf("after the calls of %s, %s changed:\nbefore %.400s\nafter  %.400s", who, k, before[k], after[k])
		}
	}
}

// tenDukeBodies are the bodies of the 10Duke routes that take a bare JSON
// array or need a well-formed id, shaped so that the owner's call would
// succeed (the tenant and permission checks must refuse the others).
func (f fixture) tenDukeBodies() map[string]any {
	members := []string{uuidForm(f.member.UserID)}
	return map[string]any{
		"POST /api/idp/v1/organizations/{organizationId}/groups":                   map[string]any{"id": uuidForm(ids.New()), "name": "Walked"},
		"PUT /api/idp/v1/organizations/{organizationId}/groups":                    map[string]any{"id": uuidForm(f.group), "name": "taken over"},
		"POST /api/idp/v1/organizations/{organizationId}/groups/{groupId}/users":   members,
		"PUT /api/idp/v1/organizations/{organizationId}/groups/{groupId}/users":    members,
		"DELETE /api/idp/v1/organizations/{organizationId}/groups/{groupId}/users": members,
		"POST /api/idp/v1/users/{userId}/organization-roles":                       []string{f.tdRole},
		"PUT /api/idp/v1/users/{userId}/security/totp/verify":                      []string{"000000", "000001"},
	}
}
