package identity

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/effektif-serverless/caseflow/shared/failure"
)

// TestRedacted: the bind password of an organization's directory settings
// is never printed, answered or sent to another server.
func TestRedacted(t *testing.T) {
	const secret = "s3cret-Passw0rd"
	c := LDAPConnector{URL: "ldap://h", BindDN: "cn=x,dc=h", BindPassword: secret, BaseDN: "dc=h", TimeoutSeconds: 7}
	r := c.Redacted()
	if r.BindPassword != "" {
		t.Fatal("Redacted keeps the password")
	}
	if c.BindPassword != secret {
		t.Fatal("Redacted changed the original")
	}
	want := c
	want.BindPassword = ""
	if r != want {
		t.Fatalf("Redacted changed more than the password: %+v", r)
	}
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(b), "bindPassword") || strings.Contains(string(b), secret) {
		t.Errorf("redacted JSON %s mentions the password", b)
	}
	// The JSON names are the API's.
	var back LDAPConnector
	in := `{"url":"ldap://h","bindDn":"cn=x,dc=h","bindPassword":"p","baseDn":"dc=h","userFilter":"(a=b)",
		"groupFilter":"(c=d)","userIdAttribute":"mail","startTls":true,"insecureSkipVerify":true,"timeoutSeconds":9}`
	if err := json.Unmarshal([]byte(in), &back); err != nil {
		t.Fatal(err)
	}
	if back != (LDAPConnector{URL: "ldap://h", BindDN: "cn=x,dc=h", BindPassword: "p", BaseDN: "dc=h", UserFilter: "(a=b)",
		GroupFilter: "(c=d)", UserIDAttribute: "mail", StartTLS: true, InsecureSkipVerify: true, TimeoutSeconds: 9}) {
		t.Errorf("JSON names: %+v", back)
	}
	// Printing a connector never shows the password.
	for _, format := range []string{"%v", "%+v", "%#v", "%s"} {
		if s := fmt.Sprintf(format, c); strings.Contains(s, secret) {
			t.Errorf("%s prints the password: %s", format, s)
		}
	}

	// KeepPassword: a redacted connector sent back keeps the stored secret,
	// unless it now points elsewhere.
	if got := r.KeepPassword(c).BindPassword; got != secret {
		t.Errorf("KeepPassword: got %q", got)
	}
	moved := r
	moved.URL = "ldap://evil.example"
	if got := moved.KeepPassword(c).BindPassword; got != "" {
		t.Errorf("KeepPassword sent the secret to a new URL")
	}
	otherDN := r
	otherDN.BindDN = "cn=y,dc=h"
	if got := otherDN.KeepPassword(c).BindPassword; got != "" {
		t.Errorf("KeepPassword kept the secret for a new bind DN")
	}
	changed := c
	changed.BindPassword = "new"
	if got := changed.KeepPassword(c).BindPassword; got != "new" {
		t.Errorf("KeepPassword overrode a new password: %q", got)
	}
}

// checkingDirectory is a Directory that only validates: it accepts
// settings with a base DN.
type checkingDirectory struct{ Directory }

func (checkingDirectory) Validate(c LDAPConnector) error {
	if c.BaseDN == "" {
		return &failure.Error{Code: failure.Invalid, Field: "ldapConnector", Message: "no base DN"}
	}
	return nil
}

// TestSetLDAPConnector: settings are checked by the function's Directory
// (a function without one refuses them as its own fault, never storing
// unchecked ones), a redacted copy sent back keeps the stored password, and
// an empty URL removes them.
func TestSetLDAPConnector(t *testing.T) {
	var org Organization
	c := LDAPConnector{URL: "ldap://directory.example", BindDN: "cn=r,dc=example", BindPassword: "pw", BaseDN: "dc=example"}
	if err := (&Service{}).setLDAPConnector(&org, c); !failure.Is(err, failure.Internal) || org.LdapConnector != nil {
		t.Fatalf("without a Directory: %v, stored %s", err, org.LdapConnector)
	}
	s := &Service{Directory: checkingDirectory{}}
	if err := s.setLDAPConnector(&org, LDAPConnector{URL: c.URL}); !failure.Is(err, failure.Invalid) || org.LdapConnector != nil {
		t.Fatalf("settings the Directory refuses: %v, stored %s", err, org.LdapConnector)
	}
	if err := s.setLDAPConnector(&org, c); err != nil {
		t.Fatal(err)
	}
	if err := s.setLDAPConnector(&org, c.Redacted()); err != nil {
		t.Fatal(err)
	}
	if got, ok := org.LDAPConnector(); !ok || got != c {
		t.Fatalf("stored %+v, want %+v", got, c)
	}
	if err := (&Service{}).setLDAPConnector(&org, LDAPConnector{}); err != nil || org.LdapConnector != nil {
		t.Fatalf("an empty URL: %v, stored %s", err, org.LdapConnector)
	}
}
