package e2e

import (
	"net"
	"net/http"
	"net/url"
	"sync"
	"testing"

	"github.com/effektif-serverless/caseflow/shared/ldapdir/ldaptest"
)

var directory struct {
	once   sync.Once
	server *ldaptest.Server
	skip   string
	err    error
}

// testDirectory starts one slapd for the package's tests (stopped with the
// test binary's process group at exit).
func testDirectory(t *testing.T) *ldaptest.Server {
	t.Helper()
	directory.once.Do(func() { directory.server, directory.skip, directory.err = ldaptest.Start() })
	if directory.skip != "" {
		t.Skip(directory.skip)
	}
	if directory.err != nil {
		t.Fatalf("start slapd: %v", directory.err)
	}
	return directory.server
}

func TestLDAPDirectoryThroughTheAPI(t *testing.T) {
	srv := testDirectory(t)
	a := signUp(t, "LDAP Admin")
	b := signUp(t, "LDAP Member")
	joinAsMember(t, a, b)
	rememberPassword(ldaptest.BindPassword)
	org := "/api/v1/" + a.OrgKey
	settings := map[string]any{"url": srv.URL, "bindDn": ldaptest.BindDN, "bindPassword": ldaptest.BindPassword, "baseDn": ldaptest.BaseDN}
	got := expect(t, call(t, "PUT", org, a.Token, map[string]any{"ldapConnector": settings}), http.StatusOK).JSON(t)
	lc := got["ldapConnector"].(map[string]any)
	if lc["url"] != srv.URL || lc["bindPassword"] != nil {
		t.Fatalf("ldapConnector answered: %v", lc)
	}
	if other := expect(t, call(t, "GET", org, b.Token, nil), http.StatusOK).JSON(t); other["ldapConnector"] != nil {
		t.Fatalf("a member sees the directory settings: %v", other)
	}
	// Sending the settings back without the password keeps it.
	expect(t, call(t, "PUT", org, a.Token, map[string]any{"ldapConnector": lc, "name": "LDAP Admin"}), http.StatusOK)

	var users, groups, members []map[string]any
	decodeJSON(t, expect(t, call(t, "GET", org+"/ldap/users", a.Token, nil), http.StatusOK).Body, &users)
	if len(users) != 6 {
		t.Fatalf("directory users: %v", users)
	}
	decodeJSON(t, expect(t, call(t, "GET", org+"/ldap/users?exclude=alice,bob", a.Token, nil), http.StatusOK).Body, &users)
	if len(users) != 4 {
		t.Fatalf("users without alice and bob: %v", users)
	}
	decodeJSON(t, expect(t, call(t, "GET", org+"/ldap/groups", a.Token, nil), http.StatusOK).Body, &groups)
	if len(groups) != 3 {
		t.Fatalf("directory groups: %v", groups)
	}
	dn := url.QueryEscape("cn=engineering,ou=groups," + ldaptest.BaseDN)
	decodeJSON(t, expect(t, call(t, "GET", org+"/ldap/groupMembers?dn="+dn, a.Token, nil), http.StatusOK).Body, &members)
	if len(members) != 3 {
		t.Fatalf("engineering's members: %v", members)
	}
	expectError(t, call(t, "GET", org+"/ldap/users", b.Token, nil), http.StatusForbidden)
	expectError(t, call(t, "GET", org+"/ldap/groupMembers", a.Token, nil), http.StatusBadRequest)

	// An unreachable directory is a 502 with the reason, not a hang.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "ldap://" + l.Addr().String()
	l.Close()
	expect(t, call(t, "PUT", org, a.Token, map[string]any{"ldapConnector": map[string]any{"url": closed, "baseDn": ldaptest.BaseDN, "timeoutSeconds": 2}}), http.StatusOK)
	e := expectError(t, call(t, "GET", org+"/ldap/users", a.Token, nil), http.StatusBadGateway)
	if e["message"] == "" {
		t.Fatalf("no reason: %v", e)
	}
	for _, bad := range []map[string]any{{"url": "http://x", "baseDn": ldaptest.BaseDN}, {"url": srv.URL, "baseDn": "not a dn"}, {"url": srv.URL, "baseDn": ldaptest.BaseDN, "userFilter": "(broken"}} {
		expectError(t, call(t, "PUT", org, a.Token, map[string]any{"ldapConnector": bad}), http.StatusBadRequest)
	}
}
