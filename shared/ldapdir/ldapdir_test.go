package ldapdir

import (
	"context"
	"errors"
	"fmt"
	"net"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-ldap/ldap/v3"
)

// testCtx bounds every directory call of a test, so that a regression that
// hangs fails the test instead of stalling the run.
func testCtx(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func userIDs(users []User) []string {
	ids := make([]string, len(users))
	for i, u := range users {
		ids[i] = u.ID
	}
	return ids
}

func groupNames(groups []Group) []string {
	names := make([]string, len(groups))
	for i, g := range groups {
		names[i] = g.Name
	}
	return names
}

func wantIDs(t *testing.T, what string, users []User, err error, want ...string) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	if got := userIDs(users); len(got)+len(want) > 0 && !reflect.DeepEqual(got, want) {
		t.Fatalf("%s: got users %q, want %q", what, got, want)
	}
}

func asUnavailable(t *testing.T, err error) *UnavailableError {
	t.Helper()
	var ue *UnavailableError
	if !errors.As(err, &ue) {
		t.Fatalf("got error %v (%T), want *UnavailableError", err, err)
	}
	if ue.Reason == "" {
		t.Fatalf("UnavailableError without a reason: %v", err)
	}
	return ue
}

func asInvalid(t *testing.T, err error, field string) *InvalidError {
	t.Helper()
	var ie *InvalidError
	if !errors.As(err, &ie) {
		t.Fatalf("got error %v (%T), want *InvalidError for %s", err, err, field)
	}
	if ie.Field != field {
		t.Fatalf("got InvalidError for %q (%v), want %q", ie.Field, err, field)
	}
	return ie
}

// All users, sorted by display name.
var allUserIDs = []string{"alice", "bob", "dave", "carol", "erin", "zed(*)"} // carol's display name is "Dr. Carol Chen"

func TestUsers(t *testing.T) {
	srv := testSlapd(t)
	users, err := Users(testCtx(t), connector(srv), "", 0)
	wantIDs(t, "all users", users, err, allUserIDs...)
	want := User{
		DN: "uid=alice,ou=people,dc=example,dc=org", ID: "alice", Email: "alice@example.org",
		FirstName: "Alice", LastName: "Archer", DisplayName: "Alice Archer",
	}
	if users[0] != want {
		t.Errorf("alice: got %+v, want %+v", users[0], want)
	}
	if users[3].DisplayName != "Dr. Carol Chen" {
		t.Errorf("carol's displayName is not used: %+v", users[3])
	}

	// Anonymous bind: the test directory lets anyone read.
	anon := connector(srv)
	anon.BindDN, anon.BindPassword = "", ""
	users, err = Users(testCtx(t), anon, "", 0)
	wantIDs(t, "anonymous", users, err, allUserIDs...)

	// Another id attribute: mail. Zed has no mail and is left out.
	byMail := connector(srv)
	byMail.UserIDAttribute = "mail"
	users, err = Users(testCtx(t), byMail, "bob@example.org", 0)
	wantIDs(t, "by mail", users, err, "alice@example.org", "dave@example.org", "carol@example.org", "erin@example.org")

	// A narrower base DN and a custom filter.
	narrow := connector(srv)
	narrow.BaseDN = "ou=groups,dc=example,dc=org"
	users, err = Users(testCtx(t), narrow, "", 0)
	wantIDs(t, "base ou=groups", users, err)
	custom := connector(srv)
	custom.UserFilter = "(&(objectClass=inetOrgPerson)(mail=*@example.org))"
	users, err = Users(testCtx(t), custom, "alice", 0)
	wantIDs(t, "custom filter", users, err, "bob", "dave", "carol", "erin")
}

func TestUsersExclude(t *testing.T) {
	srv := testSlapd(t)
	c := connector(srv)
	for _, tc := range []struct {
		exclude string
		want    []string
	}{
		{"bob", []string{"alice", "dave", "carol", "erin", "zed(*)"}},
		// ids in any case, DNs (which contain commas themselves) mixed in,
		// spaces around items.
		{"BOB, uid=carol,ou=people,dc=example,dc=org ,ALICE", []string{"dave", "erin", "zed(*)"}},
		{"UID=Dave, OU=People, DC=Example, DC=Org,uid=erin,ou=people,dc=example,dc=org", []string{"alice", "bob", "carol", "zed(*)"}},
		// An id with filter metacharacters excludes exactly that user...
		{"zed(*)", []string{"alice", "bob", "dave", "carol", "erin"}},
		// ...and a lone * is an id, not a wildcard.
		{"*", allUserIDs},
		{"nobody,,", allUserIDs},
		// A DN outside the base DN matches nothing.
		{"uid=alice,ou=people,dc=other,dc=org", allUserIDs},
	} {
		users, err := Users(testCtx(t), c, tc.exclude, 0)
		wantIDs(t, fmt.Sprintf("exclude %q", tc.exclude), users, err, tc.want...)
	}
}

// Crafted exclude values must not change the shape of the filter: each one
// is a literal id, so the result is still exactly the users (no groups, no
// organizational units, no non-user entries) and nothing else is excluded.
func TestFilterInjection(t *testing.T) {
	srv := testSlapd(t)
	c := connector(srv)
	for _, exclude := range []string{
		"x)(objectClass=*",
		"nobody))(|(objectClass=*",
		"*)(uid=*))(|(uid=*",
		")(|(objectClass=*)",
		"alice)(!(uid=bob",
		`\2a`,
		"\x00",
	} {
		users, err := Users(testCtx(t), c, exclude, 0)
		wantIDs(t, fmt.Sprintf("users exclude %q", exclude), users, err, allUserIDs...)
		groups, err := Groups(testCtx(t), c, exclude, 0)
		if err != nil {
			t.Fatalf("groups exclude %q: %v", exclude, err)
		}
		if got := groupNames(groups); !reflect.DeepEqual(got, []string{"admins", "engineering", "sales"}) {
			t.Fatalf("groups exclude %q: got %q", exclude, got)
		}
	}
	// The filter built for a hostile value is one well-formed AND.
	f := andNot(DefaultUserFilter, "uid", []string{"nobody))(|(objectClass=*"})
	if want := `(&(objectClass=inetOrgPerson)(!(|(uid=nobody\29\29\28|\28objectClass=\2a))))`; f != want {
		t.Errorf("filter %s, want %s", f, want)
	}
	if _, err := ldap.CompileFilter(f); err != nil {
		t.Errorf("filter %s does not compile: %v", f, err)
	}
}

func TestGroups(t *testing.T) {
	srv := testSlapd(t)
	c := connector(srv)
	groups, err := Groups(testCtx(t), c, "", 0)
	if err != nil {
		t.Fatal(err)
	}
	want := []Group{
		{DN: "cn=admins,ou=groups,dc=example,dc=org", Name: "admins", MemberCount: 2},
		{DN: "cn=engineering,ou=groups,dc=example,dc=org", Name: "engineering", MemberCount: 3},
		{DN: "cn=sales,ou=groups,dc=example,dc=org", Name: "sales", MemberCount: 5},
	}
	if !reflect.DeepEqual(groups, want) {
		t.Fatalf("groups: got %+v\nwant %+v", groups, want)
	}
	groups, err = Groups(testCtx(t), c, "SALES,cn=admins,ou=groups,dc=example,dc=org", 0)
	if err != nil {
		t.Fatal(err)
	}
	if got := groupNames(groups); !reflect.DeepEqual(got, []string{"engineering"}) {
		t.Fatalf("groups with exclude: got %q", got)
	}
	// Only groupOfUniqueNames.
	c.GroupFilter = "objectClass=groupOfUniqueNames"
	groups, err = Groups(testCtx(t), c, "", 0)
	if err != nil {
		t.Fatal(err)
	}
	if got := groupNames(groups); !reflect.DeepEqual(got, []string{"admins"}) {
		t.Fatalf("groupOfUniqueNames only: got %q", got)
	}
}

func TestGroupMembers(t *testing.T) {
	srv := testSlapd(t)
	c := connector(srv)
	ctx := testCtx(t)
	users, err := GroupMembers(ctx, c, "cn=engineering,ou=groups,dc=example,dc=org", 0)
	wantIDs(t, "engineering", users, err, "alice", "bob", "carol")
	if users[0].Email != "alice@example.org" || users[0].DisplayName != "Alice Archer" {
		t.Errorf("member alice: %+v", users[0])
	}
	// The nested group, the dangling member and the non-user are skipped.
	users, err = GroupMembers(ctx, c, "cn=sales,ou=groups,dc=example,dc=org", 0)
	wantIDs(t, "sales", users, err, "dave", "erin")
	// uniqueMember, one with a #'…'B unique id; the DN in another case.
	users, err = GroupMembers(ctx, c, "CN=Admins, OU=Groups, DC=Example, DC=Org", 0)
	wantIDs(t, "admins", users, err, "alice", "zed(*)")

	// The limit, also across several resolution chunks.
	defer func(n int) { memberChunkSize = n }(memberChunkSize)
	memberChunkSize = 1
	users, err = GroupMembers(ctx, c, "cn=engineering,ou=groups,dc=example,dc=org", 2)
	wantIDs(t, "engineering limit 2", users, err, "alice", "bob")
	users, err = GroupMembers(ctx, c, "cn=sales,ou=groups,dc=example,dc=org", 0)
	wantIDs(t, "sales, chunks of 1", users, err, "dave", "erin")

	// Members outside the base DN are not resolved.
	narrow := c
	narrow.BaseDN = "ou=groups,dc=example,dc=org"
	users, err = GroupMembers(ctx, narrow, "cn=engineering,ou=groups,dc=example,dc=org", 0)
	wantIDs(t, "base ou=groups", users, err)

	// Bad group DNs.
	_, err = GroupMembers(ctx, c, "cn=engineering,ou=groups,dc=other,dc=org", 0)
	asInvalid(t, err, "groupDn")
	_, err = GroupMembers(ctx, c, "dc=org", 0)
	asInvalid(t, err, "groupDn")
	_, err = GroupMembers(ctx, c, "not a dn", 0)
	asInvalid(t, err, "groupDn")
	_, err = GroupMembers(ctx, c, "", 0)
	asInvalid(t, err, "groupDn")
	for _, dn := range []string{
		"cn=nobody,ou=groups,dc=example,dc=org",            // does not exist
		"uid=alice,ou=people,dc=example,dc=org",            // not a group
		"cn=x,ou=nowhere,dc=example,dc=org",                // parent does not exist
		"cn=engineering)(cn=*,ou=groups,dc=example,dc=org", // filter syntax in a DN is just a name
	} {
		_, err = GroupMembers(ctx, c, dn, 0)
		var nf *NotFoundError
		if !errors.As(err, &nf) || nf.DN != dn {
			t.Errorf("group %q: got %v (%T), want *NotFoundError", dn, err, err)
		}
	}
}

func TestPagingLimit(t *testing.T) {
	srv := testSlapd(t)
	defer func(n uint32) { pageSize = n }(pageSize)
	c := connector(srv)
	ctx := testCtx(t)

	// The test directory answers the reader at most two entries per search
	// (and refuses pages larger than two): without paging, a client would
	// see only two users. pagedSearch's default page size is refused and
	// halved until the server accepts it.
	s, err := newSettings(c)
	if err != nil {
		t.Fatal(err)
	}
	sess, err := s.open(ctx)
	if err != nil {
		t.Fatal(err)
	}
	res, err := sess.search(ldap.ScopeWholeSubtree, testBaseDN, DefaultUserFilter, []string{"uid"}, 0)
	sess.close()
	if !ldap.IsErrorWithCode(err, ldap.LDAPResultSizeLimitExceeded) || len(res.Entries) != 2 {
		t.Fatalf("unpaged search: %d entries, %v; want 2 and sizeLimitExceeded", len(res.Entries), err)
	}
	users, err := Users(ctx, c, "", 0)
	wantIDs(t, "default page size", users, err, allUserIDs...)

	pageSize = 2 // six users: three pages
	for _, tc := range []struct {
		limit int
		want  int
	}{{0, 6}, {1, 1}, {2, 2}, {3, 3}, {5, 5}, {6, 6}, {7, 6}, {MaxLimit + 1, 6}} {
		users, err := Users(ctx, c, "", tc.limit)
		if err != nil {
			t.Fatalf("limit %d: %v", tc.limit, err)
		}
		if len(users) != tc.want {
			t.Fatalf("limit %d: got %d users %q, want %d", tc.limit, len(users), userIDs(users), tc.want)
		}
	}
	// Exclusions applied here still fill the page budget: excluding by DN
	// (client side) two of the first users still yields the limit.
	users, err = Users(ctx, c, "uid=alice,ou=people,dc=example,dc=org,uid=bob,ou=people,dc=example,dc=org", 3)
	if err != nil || len(users) != 3 {
		t.Fatalf("limit 3 with 2 excluded: %q, %v", userIDs(users), err)
	}
	for _, u := range users {
		if u.ID == "alice" || u.ID == "bob" {
			t.Fatalf("excluded user returned: %q", userIDs(users))
		}
	}
	groups, err := Groups(ctx, c, "", 2)
	if err != nil || len(groups) != 2 {
		t.Fatalf("groups limit 2: %+v, %v", groups, err)
	}
	if n := normLimit(0); n != DefaultLimit {
		t.Errorf("default limit %d", n)
	}
	if n := normLimit(1 << 20); n != MaxLimit {
		t.Errorf("max limit %d", n)
	}
}

func TestBindFailures(t *testing.T) {
	srv := testSlapd(t)
	ctx := testCtx(t)
	c := connector(srv)
	c.BindPassword = "wrong-password-xyzzy"
	_, err := Users(ctx, c, "", 0)
	ue := asUnavailable(t, err)
	if !strings.Contains(ue.Reason, "Invalid Credentials") || !strings.Contains(ue.Reason, "bind") {
		t.Errorf("reason %q does not say the bind was refused", ue.Reason)
	}
	if strings.Contains(err.Error(), c.BindPassword) {
		t.Errorf("error %q contains the password", err)
	}
	var le *ldap.Error
	if !errors.As(err, &le) || le.ResultCode != ldap.LDAPResultInvalidCredentials {
		t.Errorf("the ldap error is not reachable with errors.As: %v", err)
	}

	c = connector(srv)
	c.BindDN = "cn=nobody,ou=system,dc=example,dc=org"
	_, err = Groups(ctx, c, "", 0)
	asUnavailable(t, err)
	_, err = GroupMembers(ctx, c, "cn=sales,ou=groups,dc=example,dc=org", 0)
	asUnavailable(t, err)
}

func TestMissingBaseDN(t *testing.T) {
	srv := testSlapd(t)
	c := connector(srv)
	c.BaseDN = "ou=nowhere,dc=example,dc=org"
	_, err := Users(testCtx(t), c, "", 0)
	asInvalid(t, err, "baseDn")
}

func TestTLS(t *testing.T) {
	srv := testSlapd(t)
	ctx := testCtx(t)

	ldaps := connector(srv)
	ldaps.URL = srv.LDAPSURL
	ldaps.InsecureSkipVerify = true
	users, err := Users(ctx, ldaps, "", 0)
	wantIDs(t, "ldaps", users, err, allUserIDs...)

	// The self-signed certificate is refused unless verification is off.
	ldaps.InsecureSkipVerify = false
	_, err = Users(ctx, ldaps, "", 0)
	if ue := asUnavailable(t, err); !strings.Contains(ue.Reason, "certificate") {
		t.Errorf("reason %q does not mention the certificate", ue.Reason)
	}

	startTLS := connector(srv)
	startTLS.StartTLS = true
	startTLS.InsecureSkipVerify = true
	users, err = Users(ctx, startTLS, "", 0)
	wantIDs(t, "StartTLS", users, err, allUserIDs...)
	startTLS.InsecureSkipVerify = false
	_, err = Groups(ctx, startTLS, "", 0)
	asUnavailable(t, err)
}

// silentServer accepts connections and never answers: a directory that
// hangs. It is closed when the test ends.
func silentServer(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var conns []net.Conn
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		l.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	})
	return l.Addr().String()
}

// closedPort is a loopback port nobody listens on.
func closedPort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

// These need no slapd: every call must come back with an UnavailableError,
// within the connector's timeout or the caller's deadline, whichever is
// first. The test context only guards the test run itself.
func TestUnreachable(t *testing.T) {
	base := Connector{BindDN: testBindDN, BindPassword: testBindPassword, BaseDN: testBaseDN, TimeoutSeconds: 1, AllowPrivate: true}

	refused := base
	refused.URL = "ldap://" + closedPort(t)
	_, err := Users(testCtx(t), refused, "", 0)
	if ue := asUnavailable(t, err); !errors.Is(err, ErrUnreachable) || !strings.Contains(ue.Reason, "no LDAP server answered") {
		t.Errorf("closed port: reason %q (%v)", ue.Reason, err)
	}

	silent := silentServer(t)
	for _, tc := range []struct {
		name string
		c    Connector
	}{
		{"ldap bind", Connector{URL: "ldap://" + silent}},
		{"ldaps handshake", Connector{URL: "ldaps://" + silent}},
		{"StartTLS", Connector{URL: "ldap://" + silent, StartTLS: true}},
		{"anonymous search", Connector{URL: "ldap://" + silent, BindDN: "-"}},
	} {
		c := base
		c.URL, c.StartTLS = tc.c.URL, tc.c.StartTLS
		if tc.c.BindDN == "-" {
			c.BindDN, c.BindPassword = "", ""
		}
		_, err := Users(testCtx(t), c, "", 0)
		asUnavailable(t, err)
		if !errors.Is(err, context.DeadlineExceeded) || !errors.Is(err, ErrUnreachable) {
			t.Errorf("%s: got %v, want a timeout, unreachable", tc.name, err)
		}
	}
	c := base
	c.URL = "ldap://" + silent
	_, err = GroupMembers(testCtx(t), c, "cn=sales,ou=groups,dc=example,dc=org", 0)
	asUnavailable(t, err)

	// The caller's deadline wins over a longer connector timeout.
	long := base
	long.URL = "ldap://" + silent
	long.TimeoutSeconds = MaxTimeoutSeconds
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	_, err = Groups(ctx, long, "", 0)
	asUnavailable(t, err)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("got %v, want the caller's deadline", err)
	}

	// A canceled request.
	ctx, cancel = context.WithCancel(context.Background())
	cancel()
	_, err = Users(ctx, long, "", 0)
	asUnavailable(t, err)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("got %v, want context.Canceled", err)
	}
}

func TestValidate(t *testing.T) {
	good := Connector{URL: "ldap://ldap.example.org:389", BaseDN: "dc=example,dc=org", BindDN: "cn=x,dc=example,dc=org", BindPassword: "pw"}
	if err := Validate(good); err != nil {
		t.Fatalf("good connector: %v", err)
	}
	for _, ok := range []func(*Connector){
		func(c *Connector) { c.URL = "ldaps://ldap.example.org" },
		func(c *Connector) { c.URL = "LDAP://[::1]:1389/" },
		func(c *Connector) { c.BindDN, c.BindPassword = "", "" },
		func(c *Connector) { c.UserFilter = "objectClass=person" },
		func(c *Connector) { c.UserIDAttribute = "sAMAccountName" },
		func(c *Connector) { c.UserIDAttribute = "0.9.2342.19200300.100.1.1" },
		func(c *Connector) { c.TimeoutSeconds = 30 },
		func(c *Connector) { c.StartTLS = true },
	} {
		c := good
		ok(&c)
		if err := Validate(c); err != nil {
			t.Errorf("%+v: %v", c.Redacted(), err)
		}
	}
	for _, tc := range []struct {
		field string
		edit  func(*Connector)
	}{
		{"url", func(c *Connector) { c.URL = "" }},
		{"url", func(c *Connector) { c.URL = "http://ldap.example.org" }},
		{"url", func(c *Connector) { c.URL = "ldapi:///var/run/slapd/ldapi" }},
		{"url", func(c *Connector) { c.URL = "ldap.example.org:389" }},
		{"url", func(c *Connector) { c.URL = "ldap://" }},
		{"url", func(c *Connector) { c.URL = "ldap://host:99999" }},
		{"url", func(c *Connector) { c.URL = "ldap://host:x" }},
		{"url", func(c *Connector) { c.URL = "ldap://user:pw@host" }},
		{"url", func(c *Connector) { c.URL = "ldap://host/dc=example,dc=org?uid" }},
		{"url", func(c *Connector) { c.URL = "ldap://ho st" }},
		{"startTls", func(c *Connector) { c.URL, c.StartTLS = "ldaps://host", true }},
		{"baseDn", func(c *Connector) { c.BaseDN = "" }},
		{"baseDn", func(c *Connector) { c.BaseDN = "   " }},
		{"baseDn", func(c *Connector) { c.BaseDN = "example.org" }},
		{"bindDn", func(c *Connector) { c.BindDN = "admin" }},
		{"bindDn", func(c *Connector) { c.BindDN = "" }},
		{"bindPassword", func(c *Connector) { c.BindPassword = "" }},
		{"userFilter", func(c *Connector) { c.UserFilter = "(objectClass=person" }},
		{"userFilter", func(c *Connector) { c.UserFilter = "(&(objectClass=person)(uid=x)))" }},
		{"groupFilter", func(c *Connector) { c.GroupFilter = "(|(cn=a)(" }},
		{"groupFilter", func(c *Connector) { c.GroupFilter = "((" }},
		{"userIdAttribute", func(c *Connector) { c.UserIDAttribute = "uid)(x" }},
		{"userIdAttribute", func(c *Connector) { c.UserIDAttribute = "1uid" }},
		{"timeoutSeconds", func(c *Connector) { c.TimeoutSeconds = -1 }},
		{"timeoutSeconds", func(c *Connector) { c.TimeoutSeconds = 31 }},
	} {
		c := good
		tc.edit(&c)
		err := Validate(c)
		ie := asInvalid(t, err, tc.field)
		if ie.Reason == "" || !strings.Contains(err.Error(), tc.field) {
			t.Errorf("%+v: unclear error %q", c.Redacted(), err)
		}
		// Every operation refuses bad settings before dialing anything.
		_, err = Users(context.Background(), c, "", 0)
		asInvalid(t, err, tc.field)
		_, err = Groups(context.Background(), c, "", 0)
		asInvalid(t, err, tc.field)
		_, err = GroupMembers(context.Background(), c, "cn=g,dc=example,dc=org", 0)
		asInvalid(t, err, tc.field)
	}

	// Defaults.
	s, err := newSettings(Connector{URL: "ldaps://h", BaseDN: "dc=h"})
	if err != nil {
		t.Fatal(err)
	}
	if s.UserFilter != DefaultUserFilter || s.GroupFilter != DefaultGroupFilter || s.UserIDAttribute != "uid" ||
		s.timeout != 5*time.Second || s.hostPort != "h:636" {
		t.Errorf("defaults: %+v", s)
	}
	s, err = newSettings(Connector{URL: "ldap://h", BaseDN: "dc=h", UserFilter: " uid=x "})
	if err != nil || s.hostPort != "h:389" || s.UserFilter != "(uid=x)" {
		t.Errorf("ldap default port / bare filter: %+v, %v", s, err)
	}
}

func TestParseExclude(t *testing.T) {
	base, _ := ldap.ParseDN("dc=example,dc=org")
	x := parseExclude(`a, uid=b,ou=p,dc=example,dc=org,C,cn=d\,e,dc=example,dc=org,x=y, cn=outside,dc=other,dc=org,f`, base)
	if want := []string{"a", "C", "x=y", "cn=outside", "dc=other", "dc=org", "f"}; !reflect.DeepEqual(x.ids, want) {
		t.Errorf("ids %q, want %q", x.ids, want)
	}
	for _, dn := range []string{"uid=b,ou=p,dc=example,dc=org", `CN=d\,E,DC=example,DC=org`} {
		if !x.excludes("", dn) {
			t.Errorf("%s not excluded", dn)
		}
	}
	if !x.excludes("c", "uid=c,dc=example,dc=org") || x.excludes("b", "uid=bb,dc=example,dc=org") {
		t.Error("id exclusion")
	}
	if got := parseExclude("", base); len(got.ids) != 0 || len(got.dnSets) != 0 {
		t.Errorf("empty exclude: %+v", got)
	}
	if got := stripUID("uid=z,dc=example,dc=org#'0101'B"); got != "uid=z,dc=example,dc=org" {
		t.Errorf("stripUID: %q", got)
	}
	if got := stripUID("cn=odd#''B"); got != "cn=odd" {
		t.Errorf("stripUID empty uid: %q", got)
	}
	for _, v := range []string{"cn=x'B", "cn=odd#'B", "cn=x#'012'B"} {
		if got := stripUID(v); got != v {
			t.Errorf("stripUID(%q) = %q", v, got)
		}
	}
}
