package e2e

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// The epilot User API through its REST shape (its published clients drive
// it in TestEpilotContract): the caller's current organization, users,
// invitations by token, password resets and address verification, login
// parameters, switchOrganization.

// latestCode is the code of the latest mail to the address.
func latestCode(t testing.TB, address string) string {
	t.Helper()
	mails := mailsTo(t, address)
	for i := len(mails) - 1; i >= 0; i-- {
		if m := mailedCode.FindStringSubmatch(mails[i].Body.Text); m != nil {
			return m[1]
		}
	}
	t.Fatalf("no code mailed to %s", address)
	return ""
}

func TestEpilotUsers(t *testing.T) {
	a := signUp(t, "Epilot Users")
	b := addMember(t, a, "Bert")
	me := expect(t, call(t, "GET", "/v2/users/me", a.Token, nil), http.StatusOK).JSON(t)
	if me["id"] != a.UserID || me["organization_id"] != a.OrgID || me["email"] != a.Email || me["status"] != "Active" || me["display_name"] != "Olga Owner" {
		t.Fatalf("getMeV2: %v", me)
	}
	list := expect(t, call(t, "GET", "/v2/users?query=bert&limit=10&offset=0", a.Token, nil), http.StatusOK).JSON(t)
	if rs := list["results"].([]any); len(rs) != 1 || rs[0].(map[string]any)["id"] != b.UserID {
		t.Errorf("listUsersV2: %v", list)
	}
	// PATCH: the fields sent change, the rest stay; server-owned ones are ignored.
	patched := expect(t, call(t, "PATCH", "/v2/users/"+b.UserID, b.Token, map[string]any{
		"display_name": "Bea Baker", "signature": "<p>Thanks</p>", "status": "Deleted", "token": "x", "mfa_enabled": true,
		"id": "000000000000000000000000", "email_notification_setting": map[string]bool{"assigned_task": true},
	}), http.StatusOK).JSON(t)
	if patched["display_name"] != "Bea Baker" || patched["signature"] != "<p>Thanks</p>" || patched["status"] != "Active" || patched["id"] != b.UserID || patched["mfa_enabled"] != false {
		t.Errorf("updateUserV2: %v", patched)
	}
	again := expect(t, call(t, "PATCH", "/v2/users/"+b.UserID, b.Token, map[string]any{"phone": 1234567890}), http.StatusOK).JSON(t)
	if again["signature"] != "<p>Thanks</p>" || again["phone"] != "1234567890" {
		t.Errorf("a second PATCH lost fields: %v", again)
	}
	if e := effektifUser(t, a, b.UserID); e["firstName"] != "Bea" || e["lastName"] != "Baker" {
		t.Errorf("Effektif sees %v %v", e["firstName"], e["lastName"])
	}
	expect(t, call(t, "PATCH", "/v2/users/"+b.UserID, a.Token, map[string]any{"display_name": "By the admin"}), http.StatusForbidden)
	expect(t, call(t, "PATCH", "/v2/users/"+b.UserID, b.Token, map[string]any{"signature": 5}), http.StatusBadRequest)
	for _, r := range []response{call(t, "GET", "/v2/users/me", b.Token, nil), call(t, "GET", "/v2/users/"+b.UserID, a.Token, nil)} {
		if s := string(r.Body); strings.Contains(s, "hash") || strings.Contains(s, `"token"`) {
			t.Errorf("an answer names a hash or a token: %s", s)
		}
	}
	// v1, across the caller's organizations.
	v1 := expect(t, call(t, "GET", "/v1/users/me", a.Token, nil), http.StatusOK).JSON(t)
	if v1["roles"].([]any)[0] != a.OrgID+":owner" || v1["organization_id"] != a.OrgID {
		t.Errorf("getMe: %v", v1)
	}
	other := signUp(t, "Epilot Users Other")
	joinAsMember(t, other, a)
	all := expect(t, call(t, "GET", "/v1/users", a.Token, nil), http.StatusOK).JSON(t)["users"].([]any)
	some := expect(t, call(t, "GET", "/v1/users?org_ids[]="+other.OrgID, a.Token, nil), http.StatusOK).JSON(t)["users"].([]any)
	comma := expect(t, call(t, "GET", "/v1/users?org_ids="+other.OrgID+","+a.OrgID, a.Token, nil), http.StatusOK).JSON(t)["users"].([]any)
	if len(all) != 4 || len(some) != 2 || len(comma) != 4 {
		t.Errorf("listUsers: %d, %d, %d", len(all), len(some), len(comma))
	}
	// Another organization's users are not found.
	expect(t, call(t, "GET", "/v2/users/"+b.UserID, other.Token, nil), http.StatusNotFound)
	// switchOrganization: a login token bound to the chosen organization.
	r := expect(t, call(t, "POST", "/v2/users/switchOrganization", a.Token, map[string]any{"org_id": other.OrgID}), http.StatusOK).JSON(t)
	bound, _ := r["login_token"].(string)
	if m := expect(t, call(t, "GET", "/v2/users/me", bound, nil), http.StatusOK).JSON(t); m["organization_id"] != other.OrgID {
		t.Errorf("the switched token acts in %v", m["organization_id"])
	}
	expect(t, call(t, "GET", "/api/v1/"+a.OrgKey, bound, nil), http.StatusNotFound)
	expect(t, call(t, "POST", "/v2/users/switchOrganization", b.Token, map[string]any{"org_id": other.OrgID}), http.StatusNotFound)
	// Login parameters: the primary organization first; the same empty answer for strangers.
	lp := expect(t, call(t, "GET", "/v2/users/public/username/"+url.PathEscape(a.Email)+":getLoginParameters", "Bearer expired", nil), http.StatusOK).JSON(t)
	params := lp["login_parameters"].([]any)
	if len(params) != 2 || params[0].(map[string]any)["organization_id"] != a.OrgID {
		t.Errorf("login parameters: %v", lp)
	}
	none := expect(t, call(t, "GET", "/v1/users/username/nobody%40example.com:getLoginParameters", "", nil), http.StatusOK).JSON(t)
	if len(none["login_parameters"].([]any)) != 0 {
		t.Errorf("a stranger's login parameters: %v", none)
	}
	// DELETE: an admin removes a member and gets the V1 User.
	gone := expect(t, call(t, "DELETE", "/v2/users/"+b.UserID, a.Token, nil), http.StatusOK).JSON(t)
	if gone["id"] != b.UserID || gone["email"] != b.Email {
		t.Errorf("deleteUserV2: %v", gone)
	}
	expect(t, call(t, "GET", "/v2/users/"+b.UserID, a.Token, nil), http.StatusNotFound)
}

func TestEpilotInvitationAcrossAPIs(t *testing.T) {
	a := signUp(t, "Epilot Invitations")
	invitee := uniqueEmail("epilot")
	inv := expect(t, call(t, "POST", "/v2/users/invite", a.Token, map[string]any{"email": invitee, "language": "en", "roles": []string{a.OrgID + ":member"}}), http.StatusCreated).JSON(t)
	if inv["status"] != "Pending" || inv["email"] != invitee {
		t.Fatalf("inviteUser: %v", inv)
	}
	expect(t, call(t, "POST", "/v2/users/invite", a.Token, map[string]any{"email": uniqueEmail("x"), "roles": []string{"123:owner"}}), http.StatusBadRequest)
	code := latestCode(t, invitee)
	check := expect(t, call(t, "GET", "/v2/users/public/checkToken?token="+url.QueryEscape(code), "", nil), http.StatusOK).JSON(t)
	if check["invitation_org_id"] != a.OrgID || check["invitation_org_name"] != "Epilot Invitations" {
		t.Errorf("checkInviteToken: %v", check)
	}
	expect(t, call(t, "GET", "/v2/users/public/checkToken?token=nope", "", nil), http.StatusNotFound)
	expect(t, call(t, "POST", "/v2/users/public/activate?token="+url.QueryEscape(code), "Bearer stale", map[string]any{"display_name": "Ina Invitee", "password": "an epilot password"}), http.StatusOK)
	expect(t, call(t, "POST", "/v2/users/public/activate?token="+url.QueryEscape(code), "", map[string]any{"password": "an epilot password"}), http.StatusNotFound)
	wm := expect(t, wmLogin(t, invitee, "an epilot password"), http.StatusOK)
	expect(t, login(t, invitee, "an epilot password"), http.StatusOK)
	if me := expect(t, call(t, "GET", "/v2/users/me", string(wm.Body), nil), http.StatusOK).JSON(t); me["organization_id"] != a.OrgID || me["display_name"] != "Ina Invitee" {
		t.Errorf("the invitee's getMeV2: %v", me)
	}
	// rejectInvite: the token stops working.
	second := uniqueEmail("epilot-reject")
	expect(t, call(t, "POST", "/v2/users/invite", a.Token, map[string]any{"email": second}), http.StatusCreated)
	rc := latestCode(t, second)
	expect(t, call(t, "DELETE", "/v2/users/public/reject?token="+url.QueryEscape(rc), "", nil), http.StatusOK)
	expect(t, call(t, "POST", "/v2/users/public/activate?token="+url.QueryEscape(rc), "", map[string]any{"password": "an epilot password"}), http.StatusNotFound)
}

func TestEpilotPasswordsAndAddress(t *testing.T) {
	a := signUp(t, "Epilot Passwords")
	b := addMember(t, a, "Bert")
	want := expect(t, call(t, "POST", "/v2/users/public/requestPasswordReset", "", map[string]any{"email": "nobody-" + b.Email}), http.StatusOK).Body
	got := expect(t, call(t, "POST", "/v2/users/public/requestPasswordReset", "", map[string]any{"email": b.Email}), http.StatusOK).Body
	if string(want) != string(got) {
		t.Errorf("requestPasswordReset tells addresses apart: %s / %s", want, got)
	}
	code := latestCode(t, b.Email)
	fresh := "an epilot reset password"
	rememberPassword(fresh)
	bad := expect(t, call(t, "POST", "/v2/users/public/resetPassword", "", map[string]any{"email": a.Email, "token": code, "password": fresh}), http.StatusBadRequest).JSON(t)
	if bad["error"] != "INVALID_RESET_LINK" {
		t.Errorf("another address's reset: %v", bad)
	}
	weak := expect(t, call(t, "POST", "/v2/users/public/resetPassword", "", map[string]any{"email": b.Email, "token": code, "password": "short"}), http.StatusBadRequest).JSON(t)
	if weak["error"] != "PASSWORD_POLICY" {
		t.Errorf("a weak password: %v", weak)
	}
	expect(t, call(t, "POST", "/v2/users/public/resetPassword", "", map[string]any{"email": b.Email, "token": code, "password": fresh}), http.StatusOK)
	expect(t, login(t, b.Email, fresh), http.StatusOK)
	expect(t, call(t, "GET", "/v2/users/me", b.Token, nil), http.StatusUnauthorized)
	bt := expect(t, login(t, b.Email, fresh), http.StatusOK).JSON(t)["token"].(string)
	// sendUserPasswordReset: an admin's, or the member's own.
	expect(t, call(t, "POST", "/v2/users:sendPasswordReset", bt, map[string]any{"email": a.Email}), http.StatusForbidden)
	expect(t, call(t, "POST", "/v2/users:sendPasswordReset", a.Token, map[string]any{"email": b.Email}), http.StatusOK)
	expect(t, call(t, "POST", "/v2/users:sendPasswordReset", a.Token, map[string]any{"email": uniqueEmail("stranger")}), http.StatusBadRequest)
	// An address change takes effect with the mailed token and the password.
	newAddress := uniqueEmail("epilot-new")
	expect(t, call(t, "PATCH", "/v2/users/"+b.UserID, bt, map[string]any{"email": newAddress}), http.StatusOK)
	vc := latestCode(t, newAddress)
	expect(t, call(t, "POST", "/v2/users/public/verifyEmail?token="+url.QueryEscape(vc), "", map[string]any{"password": "not the password"}), http.StatusUnauthorized)
	expect(t, call(t, "POST", "/v2/users/public/verifyEmail?token="+url.QueryEscape(vc), "", map[string]any{"password": fresh}), http.StatusOK)
	expect(t, login(t, newAddress, fresh), http.StatusOK)
	expect(t, call(t, "POST", "/v2/users/public/verifyEmail?token="+url.QueryEscape(vc), "", map[string]any{"password": fresh}), http.StatusNotFound)
}

func TestEpilotSignUp(t *testing.T) {
	email := uniqueEmail("epilot-signup")
	body := map[string]any{"organization_detail": map[string]any{"type": "Vendor", "name": "Epilot Signed Up", "pricing_tier": "professional", "email": email},
		"user_detail": map[string]any{"full_name": "Sam Signer", "email": email, "password": "a signup password"}, "language": "en"}
	r := expect(t, call(t, "POST", "/v2/users/public/signup", "Bearer junk", body), http.StatusOK).JSON(t)
	if u := r["user"].(map[string]any); u["email"] != email || u["name"] != "Sam Signer" {
		t.Errorf("signUpUser: %v", r)
	}
	expect(t, login(t, email, "a signup password"), http.StatusUnauthorized)
	code := latestCode(t, email)
	expect(t, call(t, "POST", "/v2/users/public/activate?token="+url.QueryEscape(code), "", map[string]any{}), http.StatusOK)
	tok := expect(t, login(t, email, "a signup password"), http.StatusOK).JSON(t)["token"].(string)
	if me := expect(t, call(t, "GET", "/v1/users/me", tok, nil), http.StatusOK).JSON(t); me["display_name"] != "Sam Signer" || fmt.Sprint(me["roles"]) != "["+fmt.Sprint(me["organization_id"])+":owner]" {
		t.Errorf("the signed-up owner: %v", me)
	}
	expect(t, call(t, "POST", "/v2/users/public/signup?token=AAAAAAAAAAAAAAAAAAAAAA", "", body), http.StatusNotFound)

	// A partner invitation: the invitation's code proves the address, so the
	// account is made at once; it joins the inviting organization and owns
	// its own.
	host := signUp(t, "Epilot Partner Host")
	partner := uniqueEmail("epilot-partner")
	expect(t, call(t, "POST", "/v2/users/invite", host.Token, map[string]any{"email": partner}), http.StatusCreated)
	pc := latestCode(t, partner)
	pb := map[string]any{"organization_detail": map[string]any{"type": "Partner", "name": "Epilot Partner Co", "pricing_tier": "professional", "email": partner},
		"user_detail": map[string]any{"full_name": "Paula Partner", "email": partner, "password": "a partner password"}}
	wrong := map[string]any{"organization_detail": pb["organization_detail"], "user_detail": map[string]any{"full_name": "X", "email": uniqueEmail("x"), "password": "a partner password"}}
	expect(t, call(t, "POST", "/v2/users/public/signup?token="+url.QueryEscape(pc), "", wrong), http.StatusBadRequest)
	ps := expect(t, call(t, "POST", "/v2/users/public/signup?token="+url.QueryEscape(pc), "", pb), http.StatusOK).JSON(t)
	po := ps["organization"].(map[string]any)
	if po["name"] != "Epilot Partner Co" || po["type"] != "Partner" || po["id"] == nil {
		t.Fatalf("partner sign-up: %v", ps)
	}
	pt := expect(t, login(t, partner, "a partner password"), http.StatusOK).JSON(t)["token"].(string)
	if me := expect(t, call(t, "GET", "/v1/users/me", pt, nil), http.StatusOK).JSON(t); me["organization_id"] != host.OrgID {
		t.Errorf("the partner's primary organization is the one they joined first: %v", me)
	}
	own := expect(t, call(t, "POST", "/v2/users/switchOrganization", pt, map[string]any{"org_id": po["id"]}), http.StatusOK).JSON(t)["login_token"].(string)
	if me := expect(t, call(t, "GET", "/v1/users/me", own, nil), http.StatusOK).JSON(t); fmt.Sprint(me["roles"]) != "["+fmt.Sprint(po["id"])+":owner]" {
		t.Errorf("the partner's own organization: %v", me)
	}
	if lp := expect(t, call(t, "GET", "/v1/users/username/"+url.PathEscape(partner)+":getLoginParameters", "", nil), http.StatusOK).JSON(t)["login_parameters"].([]any); len(lp) != 2 {
		t.Errorf("the partner signs in to both organizations: %v", lp)
	}
	expect(t, call(t, "POST", "/v2/users/public/signup?token="+url.QueryEscape(pc), "", pb), http.StatusNotFound)
	expect(t, call(t, "POST", "/v2/users/public/signup", "", map[string]any{"user_detail": map[string]any{}}), http.StatusBadRequest)
}
