package e2e

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/effektif-serverless/caseflow/shared/oidc/oidctest"
)

// idp is the OpenID Connect provider the functions know as "testidp",
// started on loopback before the stack.
var idp *oidctest.Server

const idpRedirect = "http://127.0.0.1:1/signin/callback"

func startIdentityProvider() (*oidctest.Server, error) {
	return oidctest.Start("caseflow-e2e", "e2e-client-secret", oidctest.User{Subject: "nobody"})
}

// idpConfig is the OIDC_PROVIDERS value of the functions.
func idpConfig() string {
	b, _ := json.Marshal([]map[string]any{{"key": "testidp", "issuer": idp.Issuer, "clientId": idp.ClientID,
		"clientSecret": idp.ClientSecret, "redirectUrl": idpRedirect, "scopes": []string{"openid", "email", "profile"}}})
	return string(b)
}

// providerRedirect starts a sign-in with testidp as user and follows the
// authentication URL; it returns the state reference and the query the
// provider redirects back with.
func providerRedirect(t *testing.T, user oidctest.User, redirectTo string) (string, url.Values) {
	t.Helper()
	idp.SetUser(user)
	start := expect(t, call(t, "POST", "/api/v1/login/testidp", "", map[string]any{"redirectTo": redirectTo}), http.StatusOK).JSON(t)
	state, _ := start["stateReference"].(string)
	authURL, _ := start["authenticationUrl"].(string)
	if state == "" || !strings.HasPrefix(authURL, idp.Issuer+"/authorize?") || start["token"] != nil {
		t.Fatalf("start: %v", start)
	}
	browser := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := browser.Get(authURL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc, err := url.Parse(resp.Header.Get("Location"))
	if resp.StatusCode != http.StatusFound || err != nil || !strings.HasPrefix(loc.String(), idpRedirect+"?") {
		t.Fatalf("provider answered %s, Location %q", resp.Status, resp.Header.Get("Location"))
	}
	if loc.Query().Get("state") != state || loc.Query().Get("code") == "" {
		t.Fatalf("redirect %s for state %s", loc, state)
	}
	return state, loc.Query()
}

func finishPath(q url.Values) string { return "/api/v1/login/testidp?" + q.Encode() }

func TestProviderLogin(t *testing.T) {
	cfg := expect(t, call(t, "GET", "/api/v1/systemconfiguration", "", nil), http.StatusOK).JSON(t)
	if providers, _ := cfg["authenticationProviders"].([]any); len(providers) != 1 || providers[0] != "testidp" {
		t.Fatalf("authenticationProviders: %v", cfg["authenticationProviders"])
	}
	a := signUp(t, "Provider Login")

	// The address is matched case-insensitively; the body may be empty.
	_, back := providerRedirect(t, oidctest.User{Subject: "s-1", Email: strings.ToUpper(a.Email), EmailVerified: true, Name: "Olga"}, "/cases")
	got := expect(t, call(t, "PUT", finishPath(back), "", nil), http.StatusOK).JSON(t)
	token, _ := got["token"].(string)
	if token == "" || token == a.Token || got["redirectTo"] != "/cases" || got["stateReference"] != nil {
		t.Fatalf("finish: %v", got)
	}
	expect(t, call(t, "GET", "/api/v1/"+a.OrgKey, token, nil), http.StatusOK)
	// A state is single use.
	expectError(t, call(t, "PUT", finishPath(back), "", map[string]any{}), http.StatusGone)

	// A state that was never issued.
	forged := url.Values{"code": {back.Get("code")}, "state": {"not-a-state-we-issued"}}
	expectError(t, call(t, "PUT", finishPath(forged), "", nil), http.StatusGone)
	expectError(t, call(t, "PUT", "/api/v1/login/testidp", "", nil), http.StatusGone)

	// An address without an account, and one the provider has not verified.
	_, back = providerRedirect(t, oidctest.User{Subject: "s-2", Email: uniqueEmail("stranger"), EmailVerified: true}, "")
	expectError(t, call(t, "PUT", finishPath(back), "", nil), http.StatusForbidden)
	_, back = providerRedirect(t, oidctest.User{Subject: "s-3", Email: a.Email, EmailVerified: false}, "")
	expectError(t, call(t, "PUT", finishPath(back), "", nil), http.StatusForbidden)

	// The provider answers an error: 401 with its description, and the
	// state is spent.
	state, _ := providerRedirect(t, oidctest.User{Subject: "s-1", Email: a.Email, EmailVerified: true}, "")
	denied := url.Values{"state": {state}, "error": {"access_denied"}, "error_description": {"the user said no"}}
	e := expectError(t, call(t, "PUT", finishPath(denied), "", nil), http.StatusUnauthorized)
	if msg, _ := e["message"].(string); !strings.Contains(msg, "access_denied") || !strings.Contains(msg, "the user said no") {
		t.Fatalf("provider error: %v", e)
	}
	expectError(t, call(t, "PUT", finishPath(url.Values{"state": {state}, "code": {"x"}}), "", nil), http.StatusGone)

	// A code that the provider does not know: refused.
	state, _ = providerRedirect(t, oidctest.User{Subject: "s-1", Email: a.Email, EmailVerified: true}, "")
	expectError(t, call(t, "PUT", finishPath(url.Values{"state": {state}, "code": {"made-up"}}), "", nil), http.StatusUnauthorized)

	// Unknown providers, and a redirectTo that is not a path or URL.
	expectError(t, call(t, "POST", "/api/v1/login/nosuchidp", "", nil), http.StatusNotFound)
	expectError(t, call(t, "PUT", "/api/v1/login/nosuchidp?code=c&state=s", "", nil), http.StatusNotFound)
	expectError(t, call(t, "POST", "/api/v1/login/testidp", "", map[string]any{"redirectTo": "/a\r\nb"}), http.StatusBadRequest)
}
