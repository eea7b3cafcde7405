package e2e

import (
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

var resetCode = regexp.MustCompile(`(?:code=|/pages/reset#)([A-Za-z0-9_-]{22})`)

func TestPasswordReset(t *testing.T) {
	a := signUp(t, "Password Reset")
	// Known and unknown addresses get the same answer and one mail each; only the known one a code.
	expect(t, call(t, "POST", "/api/v1/users/reset", "", map[string]any{"emailAddress": strings.ToUpper(a.Email)}), http.StatusOK)
	nobody := uniqueEmail("nobody")
	expect(t, call(t, "POST", "/api/v1/users/reset", "", map[string]any{"emailAddress": nobody}), http.StatusOK)
	if m := mailsTo(t, nobody); len(m) != 1 || resetCode.MatchString(m[0].Body.Text) {
		t.Fatalf("an address without an account got %v, want one mail without a code", m)
	}
	expectError(t, call(t, "POST", "/api/v1/users/reset", "", map[string]any{"emailAddress": "not-an-address"}), http.StatusBadRequest)
	var code string
	for _, m := range mailsTo(t, a.Email) {
		if sub := resetCode.FindStringSubmatch(m.Body.Text); sub != nil {
			code = sub[1]
		}
	}
	if code == "" {
		t.Fatal("no reset code mailed")
	}
	expectError(t, call(t, "POST", "/api/v1/users/confirm", "", map[string]any{"code": code, "password": "short"}), http.StatusBadRequest)
	newPassword := "a brand new password"
	rememberPassword(newPassword)
	login := expect(t, call(t, "POST", "/api/v1/users/confirm", "", map[string]any{"code": code, "password": newPassword}), http.StatusOK).JSON(t)
	if login["token"] == "" || login["user"].(map[string]any)["id"] != a.UserID {
		t.Fatalf("confirm: %v", login)
	}
	// The code is single use; the old password is gone, the new one works.
	expectError(t, call(t, "POST", "/api/v1/users/confirm", "", map[string]any{"code": code, "password": "yet another password"}), http.StatusGone)
	expectError(t, call(t, "POST", "/api/v1/users/login", "", map[string]any{"emailAddress": a.Email, "password": a.Password}), http.StatusUnauthorized)
	expect(t, call(t, "POST", "/api/v1/users/login", "", map[string]any{"emailAddress": a.Email, "password": newPassword}), http.StatusOK)
	expectError(t, call(t, "POST", "/api/v1/users/confirm", "", map[string]any{"code": strings.Repeat("A", 22), "password": newPassword}), http.StatusGone)
}

func TestFailedLoginsAreThrottled(t *testing.T) {
	a := signUp(t, "Throttled Logins")
	// Five failures are answered 401; the next attempt 429.
	for i := 0; i < 5; i++ {
		expectError(t, call(t, "POST", "/api/v1/users/login", "", map[string]any{"emailAddress": a.Email, "password": "wrong password " + strconv.Itoa(i)}), http.StatusUnauthorized)
	}
	last := call(t, "POST", "/api/v1/users/login", "", map[string]any{"emailAddress": a.Email, "password": "wrong password 5"})
	if e := expectError(t, last, http.StatusTooManyRequests); !strings.Contains(e["message"].(string), "logins") {
		t.Fatalf("the 429 does not say it is about logins: %v", e)
	}
	if s, err := strconv.Atoi(last.Header.Get("Retry-After")); err != nil || s <= 0 || s > 15*60 {
		t.Fatalf("Retry-After %q", last.Header.Get("Retry-After"))
	}
	// While throttled even the right password is refused.
	expectError(t, call(t, "POST", "/api/v1/users/login", "", map[string]any{"emailAddress": a.Email, "password": a.Password}), http.StatusTooManyRequests)
	// Another account is not affected.
	b := signUp(t, "Not Throttled")
	expect(t, call(t, "POST", "/api/v1/users/login", "", map[string]any{"emailAddress": b.Email, "password": b.Password}), http.StatusOK)
}

func TestHandover(t *testing.T) {
	a := signUp(t, "Handover")
	b := signUp(t, "Handover Other")
	path := "/api/v1/" + a.OrgKey + "/users/" + a.UserID + "/handover"
	h := expect(t, call(t, "POST", path, a.Token, map[string]any{"redirectTo": "/cases"}), http.StatusOK).JSON(t)
	ref, _ := h["reference"].(string)
	if ref == "" || h["token"] != nil {
		t.Fatalf("handover: %v", h)
	}
	expectError(t, call(t, "POST", path, b.Token, nil), http.StatusNotFound)
	joinAsMember(t, a, b)
	expectError(t, call(t, "POST", path, b.Token, nil), http.StatusForbidden)
	expectError(t, call(t, "POST", path, "", nil), http.StatusUnauthorized)

	got := expect(t, call(t, "POST", "/api/v1/users/login/handover", "", map[string]any{"reference": ref}), http.StatusOK).JSON(t)
	token, _ := got["token"].(string)
	if token == "" || token == a.Token || got["redirectTo"] != "/cases" || got["organizationKey"] != a.OrgKey || got["reference"] != nil {
		t.Fatalf("redeemed: %v", got)
	}
	expect(t, call(t, "GET", "/api/v1/"+a.OrgKey, token, nil), http.StatusOK)
	expectError(t, call(t, "POST", "/api/v1/users/login/handover", "", map[string]any{"reference": ref}), http.StatusGone)
	expectError(t, call(t, "POST", "/api/v1/users/login/handover", "", map[string]any{}), http.StatusGone)
}
