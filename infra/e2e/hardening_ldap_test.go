package e2e

import (
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/effektif-serverless/caseflow/shared/ldapdir/ldaptest"
)

// fakeDirectory is a ldaptest.Fake, stopped when the test ends.
func fakeDirectory(t *testing.T, answer string, silent bool) *ldaptest.Fake {
	t.Helper()
	f, err := ldaptest.StartFake(answer, silent)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(f.Close)
	return f
}

// TestLDAPRefusesPrivateDirectories runs the organizations function as
// deployed by default (LdapAllowPrivate false, unlike the suite's stack,
// whose test directory is on loopback): a directory on loopback, a
// private or a link-local address is refused with 400 and never dialed,
// where the suite's stack (allowing them) does dial it.
func TestLDAPRefusesPrivateDirectories(t *testing.T) {
	a := signUp(t, "LDAP Private")
	org := "/api/v1/" + a.OrgKey
	side := sideGateway(t, nil, "AuthorizerFunction", "OrganizationsFunction")
	fake := fakeDirectory(t, "", false)
	addr := fake.Addr
	_, port, _ := net.SplitHostPort(addr)
	dn := url.QueryEscape("cn=engineering,ou=groups," + ldaptest.BaseDN)
	for _, target := range []string{"ldap://" + addr, "ldap://localhost:" + port, "ldaps://[::1]:" + port,
		"ldap://[::ffff:127.0.0.1]:" + port, "ldap://169.254.169.254", "ldap://10.0.0.1", "ldap://192.168.0.1:636"} {
		expect(t, call(t, "PUT", org, a.Token, map[string]any{"ldapConnector": map[string]any{"url": target, "baseDn": ldaptest.BaseDN, "timeoutSeconds": 1}}), http.StatusOK)
		for _, p := range []string{"/ldap/users", "/ldap/groups", "/ldap/groupMembers?dn=" + dn} {
			e := expectError(t, sendTo(t, side, "GET", org+p, a.Token, "", nil), http.StatusBadRequest)
			if msg, _ := e["message"].(string); !strings.Contains(msg, "public addresses") {
				t.Fatalf("%s %s: %v", target, p, e)
			}
		}
	}
	if n := fake.Accepted(); n != 0 {
		t.Fatalf("the refused directory got %d connections", n)
	}
	// The suite's stack allows private directories: it dials the same one.
	expect(t, call(t, "PUT", org, a.Token, map[string]any{"ldapConnector": map[string]any{"url": "ldap://" + addr, "baseDn": ldaptest.BaseDN, "timeoutSeconds": 1}}), http.StatusOK)
	expectError(t, call(t, "GET", org+"/ldap/users", a.Token, nil), http.StatusBadGateway)
	if fake.Accepted() == 0 {
		t.Fatal("the allowed directory was not dialed")
	}
}

// TestLDAPOneErrorForUnreachable: an unknown host, a closed port, a port
// that accepts and says nothing, and one where something else than LDAP
// answers all get the same 502, after the same time (the connector's
// timeout), so the connector tells nothing about ports; a real directory
// with a wrong password still says so.
func TestLDAPOneErrorForUnreachable(t *testing.T) {
	a := signUp(t, "LDAP Unreachable")
	org := "/api/v1/" + a.OrgKey
	closedListener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := closedListener.Addr().String()
	closedListener.Close()
	silent := fakeDirectory(t, "", true).Addr
	httpish := fakeDirectory(t, "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n", false).Addr
	messages := map[string]string{}
	for name, target := range map[string]string{
		"unknown host": "ldap://no-such-directory.invalid", "closed port": "ldap://" + closed,
		"silent port": "ldap://" + silent, "not LDAP": "ldap://" + httpish, "not LDAPS": "ldaps://" + httpish,
	} {
		settings := map[string]any{"url": target, "baseDn": ldaptest.BaseDN, "bindDn": ldaptest.BindDN, "bindPassword": "x", "timeoutSeconds": 1}
		expect(t, call(t, "PUT", org, a.Token, map[string]any{"ldapConnector": settings}), http.StatusOK)
		start := time.Now()
		e := expectError(t, call(t, "GET", org+"/ldap/users", a.Token, nil), http.StatusBadGateway)
		if took := time.Since(start); took < 900*time.Millisecond || took > 5*time.Second {
			t.Errorf("%s: answered after %s, want about the 1s timeout", name, took)
		}
		messages[name], _ = e["message"].(string)
	}
	for name, m := range messages {
		if m != messages["closed port"] || m == "" {
			t.Errorf("%s: %q; closed port: %q", name, m, messages["closed port"])
		}
	}

	srv := testDirectory(t)
	rememberPassword(ldaptest.BindPassword)
	settings := map[string]any{"url": srv.URL, "baseDn": ldaptest.BaseDN, "bindDn": ldaptest.BindDN, "bindPassword": "wrong password", "timeoutSeconds": 1}
	expect(t, call(t, "PUT", org, a.Token, map[string]any{"ldapConnector": settings}), http.StatusOK)
	e := expectError(t, call(t, "GET", org+"/ldap/users", a.Token, nil), http.StatusBadGateway)
	if m, _ := e["message"].(string); m == messages["closed port"] || !strings.Contains(m, "Invalid Credentials") {
		t.Fatalf("a wrong password: %v", e)
	}
}
