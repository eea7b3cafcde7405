package ldapdir

import (
	"errors"
	"testing"

	"github.com/effektif-serverless/caseflow/shared/failure"
)

func wantFailure(t *testing.T, what string, err error, code failure.Code, field string) {
	t.Helper()
	var fe *failure.Error
	if !errors.As(err, &fe) || fe.Code != code || fe.Field != field {
		t.Fatalf("%s: got %v (%T), want a %s failure on %q", what, err, err, code, field)
	}
}

// TestDirectory: the identity.Directory answers with the failure codes it
// promises, and the deployment's AllowPrivate, not the connector's, decides
// whether a private address may be dialed.
func TestDirectory(t *testing.T) {
	if err := (Directory{}).Validate(Connector{URL: "ldap://directory.example", BaseDN: testBaseDN}); err != nil {
		t.Fatalf("good settings: %v", err)
	}
	wantFailure(t, "a bad base DN", Directory{}.Validate(Connector{URL: "ldap://directory.example", BaseDN: "not a dn"}), failure.Invalid, "ldapConnector")

	fake := countingServer(t, "")
	c := Connector{URL: "ldap://" + fake.Addr, BaseDN: testBaseDN, TimeoutSeconds: 1, AllowPrivate: true}
	_, err := Directory{}.Users(testCtx(t), c, "", 0)
	wantFailure(t, "a loopback directory", err, failure.Invalid, "ldapConnector")
	if n := fake.Accepted(); n != 0 {
		t.Fatalf("%d connections reached the loopback server", n)
	}
	_, err = Directory{AllowPrivate: true}.Groups(testCtx(t), c, "", 0)
	wantFailure(t, "a server that does not answer", err, failure.Unavailable, "")

	srv := testSlapd(t)
	c = connector(srv)
	c.AllowPrivate = false
	d := Directory{AllowPrivate: true}
	users, err := d.GroupMembers(testCtx(t), c, "cn=engineering,ou=groups,"+testBaseDN, 0)
	wantIDs(t, "engineering", users, err, "alice", "bob", "carol")
	_, err = d.GroupMembers(testCtx(t), c, "cn=nobody,ou=groups,"+testBaseDN, 0)
	wantFailure(t, "an unknown group", err, failure.NotFound, "")
}
