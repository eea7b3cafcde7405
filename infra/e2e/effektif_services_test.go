package e2e

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/guregu/dynamo/v2"

	"github.com/effektif-serverless/caseflow/shared/connector"
	"github.com/effektif-serverless/caseflow/shared/identity"
	"github.com/effektif-serverless/caseflow/shared/oidc/oidctest"
	"github.com/effektif-serverless/caseflow/shared/store"
	"github.com/effektif-serverless/caseflow/shared/store/workstore"
)

// testServiceKey is the SERVICE_CREDENTIALS_KEY of the functions.
const testServiceKey = "e2e-service-credentials-key-0123456789abcdef"

// serviceCatalogue is the SERVICE_CATALOGUE of the functions: the default
// http service and "loopback", whose OAuth provider is the test provider
// (its redirect URL the default: the gateway's /api/v1/oauth_callback).
func serviceCatalogue() string {
	b, _ := json.Marshal([]map[string]any{
		{"key": "http", "name": "HTTP", "icon": "http", "options": []map[string]any{{"key": "method", "name": "Method",
			"values": []map[string]string{{"id": "GET", "name": "GET"}, {"id": "POST", "name": "POST"}, {"id": "PUT", "name": "PUT"}, {"id": "PATCH", "name": "PATCH"}}}}},
		{"key": "loopback", "name": "Loopback", "oauth": map[string]any{"authorizationUrl": idp.Issuer + "/authorize",
			"tokenUrl": idp.Issuer + "/token", "clientId": idp.ClientID, "clientSecret": idp.ClientSecret, "scopes": []string{"openid", "email"}}},
	})
	return string(b)
}

// storedAccount reads an account's item from the table.
func storedAccount(t testing.TB, orgID, serviceKey, id string) map[string]any {
	t.Helper()
	var item map[string]any
	err := dynamo.NewFromIface(stack.AWS.DynamoDB()).Table("DataTable").
		Get("pk", "ORG#"+orgID).Range("sk", dynamo.Equal, "SVCACCOUNT#"+serviceKey+"#"+id).One(context.Background(), &item)
	if err != nil {
		t.Fatal(err)
	}
	return item
}

func TestServiceAccounts(t *testing.T) {
	a := signUp(t, "Service Accounts")
	m := signUp(t, "Service Accounts Member")
	joinAsMember(t, a, m)
	other := signUp(t, "Service Accounts Other")
	org := "/api/v1/" + a.OrgKey + "/services"

	var services []map[string]any
	decodeJSON(t, expect(t, call(t, "GET", org, m.Token, nil), http.StatusOK).Body, &services)
	if len(services) != 2 || services[0]["key"] != "http" || services[0]["oauth"] != false || services[1]["oauth"] != true {
		t.Fatalf("services: %v", services)
	}
	icon := expect(t, call(t, "GET", org+"/http/icon", m.Token, nil), http.StatusOK)
	if icon.Header.Get("Content-Type") != "image/svg+xml" || !strings.HasPrefix(string(icon.Body), "<svg") ||
		!strings.HasPrefix(icon.Header.Get("Content-Disposition"), "inline") || !strings.Contains(icon.Header.Get("Cache-Control"), "max-age=") {
		t.Fatalf("icon: %v %.80s", icon.Header, icon.Body)
	}
	expectError(t, call(t, "GET", org+"/nope/icon", m.Token, nil), http.StatusNotFound)

	// Credentials are write-only and sealed at rest.
	secret := "svc-secret-" + strings.Repeat("x", 12)
	rememberPassword(secret)
	acc := expect(t, call(t, "POST", org+"/http/accounts", a.Token, map[string]any{"credentials": map[string]string{"token": secret}}), http.StatusOK).JSON(t)
	id, _ := acc["id"].(string)
	if id == "" || acc["userId"] != a.UserID || acc["serviceKey"] != "http" || acc["restricted"] != false || acc["credentials"] != nil {
		t.Fatalf("created: %v", acc)
	}
	item := storedAccount(t, a.OrgID, "http", id)
	if sealed, ok := item["Credentials"].([]byte); !ok || len(sealed) == 0 || strings.Contains(string(sealed), secret) {
		t.Fatalf("stored credentials: %v", item["Credentials"])
	}
	acct := org + "/http/accounts/" + id
	if got := expect(t, call(t, "GET", acct, m.Token, nil), http.StatusOK).JSON(t); got["id"] != id || got["credentials"] != nil {
		t.Fatalf("member reads: %v", got)
	}
	var list []map[string]any
	decodeJSON(t, expect(t, call(t, "GET", org+"/http/accounts", m.Token, nil), http.StatusOK).Body, &list)
	if len(list) != 1 || list[0]["id"] != id {
		t.Fatalf("list: %v", list)
	}

	// A member reads; the owner and admins change.
	expectError(t, call(t, "PUT", acct, m.Token, map[string]any{"restricted": true}), http.StatusForbidden)
	expectError(t, call(t, "DELETE", acct, m.Token, nil), http.StatusForbidden)
	expectError(t, call(t, "PUT", acct, a.Token, map[string]any{"userId": m.UserID}), http.StatusBadRequest)
	if got := expect(t, call(t, "PUT", acct, a.Token, map[string]any{"restricted": true}), http.StatusOK).JSON(t); got["restricted"] != true {
		t.Fatalf("restricted: %v", got)
	}
	expectError(t, call(t, "GET", acct, m.Token, nil), http.StatusNotFound)
	decodeJSON(t, expect(t, call(t, "GET", org+"/http/accounts", m.Token, nil), http.StatusOK).Body, &list)
	if len(list) != 0 {
		t.Fatalf("a restricted account listed to a member: %v", list)
	}
	access := map[string]any{"permissions": map[string]any{"view": []map[string]string{{"type": "user", "id": m.UserID}}}}
	got := expect(t, call(t, "PUT", acct, a.Token, map[string]any{"access": access}), http.StatusOK).JSON(t)
	if got["access"] == nil {
		t.Fatalf("access: %v", got)
	}
	expect(t, call(t, "GET", acct, m.Token, nil), http.StatusOK)
	if after := storedAccount(t, a.OrgID, "http", id); string(after["Credentials"].([]byte)) != string(item["Credentials"].([]byte)) {
		t.Fatal("an update without credentials changed them")
	}

	// Another organization's admin and a stranger.
	expectError(t, call(t, "GET", acct, other.Token, nil), http.StatusNotFound)
	expectError(t, call(t, "DELETE", acct, other.Token, nil), http.StatusNotFound)
	expectError(t, call(t, "GET", "/api/v1/"+other.OrgKey+"/services/http/accounts/"+id, other.Token, nil), http.StatusNotFound)
	expectError(t, call(t, "GET", acct, "", nil), http.StatusUnauthorized)

	// Options: the catalogue's values, for an account.
	var values []map[string]any
	decodeJSON(t, expect(t, call(t, "GET", org+"/http/options/method?accountId="+id+"&q=p", m.Token, nil), http.StatusOK).Body, &values)
	if len(values) != 3 || values[0]["id"] != "POST" {
		t.Fatalf("options: %v", values)
	}
	decodeJSON(t, expect(t, call(t, "GET", acct+"/options/method", m.Token, nil), http.StatusOK).Body, &values)
	if len(values) != 4 {
		t.Fatalf("account options: %v", values)
	}
	expectError(t, call(t, "GET", org+"/http/options/method", m.Token, nil), http.StatusBadRequest)
	expectError(t, call(t, "GET", acct+"/options/nope", m.Token, nil), http.StatusNotFound)

	// References: the workflows whose service tasks name the account.
	wf := publish(t, a, `{"name": "Uses the account", "activities": [{"type": "startEvent", "id": "s"},
	    {"type": "serviceTask", "id": "call", "serviceKey": "http", "actionKey": "request", "configuration": {"accountId": "`+id+`"}},
	    {"type": "endEvent", "id": "e"}],
	  "transitions": [{"fromId": "s", "toId": "call"}, {"fromId": "call", "toId": "e"}]}`)
	publish(t, a, `{"name": "Does not", "activities": [{"type": "startEvent", "id": "s"}, {"type": "endEvent", "id": "e"}],
	  "transitions": [{"fromId": "s", "toId": "e"}]}`)
	var refs []map[string]any
	decodeJSON(t, expect(t, call(t, "GET", acct+"/references", m.Token, nil), http.StatusOK).Body, &refs)
	if len(refs) != 1 || refs[0]["id"] != wf || refs[0]["activityIds"].([]any)[0] != "call" {
		t.Fatalf("references: %v", refs)
	}

	expect(t, call(t, "DELETE", acct, a.Token, nil), http.StatusNoContent)
	expectError(t, call(t, "GET", acct, a.Token, nil), http.StatusNotFound)
}

func TestServiceOAuthConnection(t *testing.T) {
	a := signUp(t, "Service OAuth")
	other := signUp(t, "Service OAuth Other")
	org := "/api/v1/" + a.OrgKey + "/services"
	idp.SetUser(oidctest.User{Subject: "svc-" + a.UserID, Email: a.Email, EmailVerified: true})

	expectError(t, call(t, "POST", org+"/oauth/start", a.Token, map[string]any{"serviceKey": "http"}), http.StatusBadRequest)
	expectError(t, call(t, "POST", org+"/oauth/start", a.Token, map[string]any{"serviceKey": "loopback", "path": "//evil.example"}), http.StatusBadRequest)
	expectError(t, call(t, "POST", org+"/oauth/start", "", map[string]any{"serviceKey": "loopback"}), http.StatusUnauthorized)

	start := expect(t, call(t, "POST", org+"/oauth/start", a.Token, map[string]any{"serviceKey": "loopback", "path": "/connected?tab=services"}), http.StatusOK).JSON(t)
	authURL, _ := start["authorizationUrl"].(string)
	u, err := url.Parse(authURL)
	if err != nil || !strings.HasPrefix(authURL, idp.Issuer+"/authorize?") || u.Query().Get("code_challenge_method") != "S256" ||
		u.Query().Get("code_challenge") == "" || u.Query().Get("state") == "" || u.Query().Get("redirect_uri") != stack.GatewayURL+"/api/v1/oauth_callback" {
		t.Fatalf("authorization URL: %s", authURL)
	}
	// The provider signs the user in and sends the browser back.
	callback := providerLocation(t, authURL)
	back := call(t, "GET", strings.TrimPrefix(callback, stack.GatewayURL), "", nil)
	if back.Status != http.StatusFound {
		t.Fatalf("callback: %d %s", back.Status, back.Body)
	}
	next, _ := url.Parse(back.Header.Get("Location"))
	id := next.Query().Get("accountId")
	if !strings.HasPrefix(next.String(), stack.GatewayURL+"/connected?") || next.Query().Get("tab") != "services" || id == "" || next.Query().Get("serviceKey") != "loopback" {
		t.Fatalf("sent on to %s", next)
	}
	// A state is single use.
	expectError(t, call(t, "GET", strings.TrimPrefix(callback, stack.GatewayURL), "", nil), http.StatusGone)
	expectError(t, call(t, "GET", "/api/v1/oauth_callback?state=forged&code=x", "", nil), http.StatusGone)

	acc := expect(t, call(t, "GET", org+"/loopback/accounts/"+id, a.Token, nil), http.StatusOK).JSON(t)
	if acc["connected"] != true || acc["restricted"] != true || acc["userId"] != a.UserID {
		t.Fatalf("connected account: %v", acc)
	}
	expectError(t, call(t, "GET", "/api/v1/"+other.OrgKey+"/services/loopback/accounts/"+id, other.Token, nil), http.StatusNotFound)
	expectError(t, call(t, "POST", "/api/v1/"+other.OrgKey+"/services/oauth/start", other.Token, map[string]any{"serviceKey": "loopback", "accountId": id}), http.StatusNotFound)
	if item := storedAccount(t, a.OrgID, "loopback", id); len(item["Tokens"].([]byte)) == 0 || item["TokenExpiry"] == nil {
		t.Fatalf("stored tokens: %v", item)
	}

	// The action path's live token: the stored one, refreshed once expired.
	cat, err := connector.ParseCatalogue(serviceCatalogue())
	if err != nil {
		t.Fatal(err)
	}
	ws := workstore.New(store.New(stack.AWS.DynamoDB(), "DataTable"))
	core := &connector.Service{Identity: &identity.Service{Store: ws.DB}, Store: ws, Drafts: ws, Catalogue: cat, Key: []byte(testServiceKey)}
	ctx := context.Background()
	first, err := core.AccessToken(ctx, a.OrgID, "loopback", id)
	if err != nil || !idp.Issued(first) {
		t.Fatalf("access token %q: %v", first, err)
	}
	refreshes := idp.Refreshes()
	core.Now = func() time.Time { return time.Now().Add(time.Hour) }
	fresh, err := core.AccessToken(ctx, a.OrgID, "loopback", id)
	if err != nil || fresh == first || !idp.Issued(fresh) || idp.Refreshes() != refreshes+1 {
		t.Fatalf("refreshed %q (was %q): %v", fresh, first, err)
	}
	core.Now = nil
	if again, err := core.AccessToken(ctx, a.OrgID, "loopback", id); err != nil || again != fresh || idp.Refreshes() != refreshes+1 {
		t.Fatalf("after the refresh %q: %v", again, err)
	}

	// Reconnecting the account; a provider's refusal is sent on as error.
	start = expect(t, call(t, "POST", org+"/oauth/start", a.Token, map[string]any{"serviceKey": "loopback", "accountId": id}), http.StatusOK).JSON(t)
	back = call(t, "GET", strings.TrimPrefix(providerLocation(t, start["authorizationUrl"].(string)), stack.GatewayURL), "", nil)
	if got := expect(t, back, http.StatusOK).JSON(t); got["id"] != id || got["connected"] != true {
		t.Fatalf("reconnected: %v", got)
	}
	start = expect(t, call(t, "POST", org+"/oauth/start", a.Token, map[string]any{"serviceKey": "loopback", "path": "/connected"}), http.StatusOK).JSON(t)
	u, _ = url.Parse(start["authorizationUrl"].(string))
	refused := call(t, "GET", "/api/v1/oauth_callback?"+url.Values{"state": {u.Query().Get("state")}, "error": {"access_denied"}}.Encode(), "", nil)
	if loc, _ := url.Parse(refused.Header.Get("Location")); refused.Status != http.StatusFound || loc.Query().Get("error") != "access_denied" || loc.Query().Get("accountId") != "" {
		t.Fatalf("refusal: %d %s", refused.Status, refused.Header.Get("Location"))
	}
}

// providerLocation follows an authorization URL at the test provider and
// answers where it sends the browser back to (the gateway's callback).
func providerLocation(t *testing.T, authURL string) string {
	t.Helper()
	resp, err := httpClient.Get(authURL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusFound || !strings.HasPrefix(loc, stack.GatewayURL+"/api/v1/oauth_callback?") {
		t.Fatalf("provider answered %s, Location %q", resp.Status, loc)
	}
	return loc
}
