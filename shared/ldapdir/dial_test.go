package ldapdir

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"sync"
	"testing"
	"time"

	"github.com/effektif-serverless/caseflow/shared/ldapdir/ldaptest"
)

// countingServer is a ldaptest.Fake that answers answer, stopped when the
// test ends.
func countingServer(t *testing.T, answer string) *ldaptest.Fake {
	t.Helper()
	f, err := ldaptest.StartFake(answer, false)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(f.Close)
	return f
}

// stubResolver answers names from a table and counts the look-ups.
type stubResolver struct {
	mu      sync.Mutex
	names   map[string][]netip.Addr
	lookups int
}

func (r *stubResolver) LookupNetIP(_ context.Context, _, host string) ([]netip.Addr, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.lookups++
	if a, ok := r.names[host]; ok {
		return a, nil
	}
	return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
}

func useResolver(t *testing.T, names map[string][]string) *stubResolver {
	t.Helper()
	r := &stubResolver{names: map[string][]netip.Addr{}}
	for name, addrs := range names {
		for _, a := range addrs {
			r.names[name] = append(r.names[name], netip.MustParseAddr(a))
		}
	}
	prev := resolver
	resolver = r
	t.Cleanup(func() { resolver = prev })
	return r
}

// TestOneErrorForUnreachable: an unknown host, a closed port, a silent
// one and one where something else than LDAP answers all get the same
// reason, after the connector's timeout.
func TestOneErrorForUnreachable(t *testing.T) {
	useResolver(t, nil)
	http := countingServer(t, "HTTP/1.0 400 Bad Request\r\n\r\n").Addr
	base := Connector{BindDN: testBindDN, BindPassword: testBindPassword, BaseDN: testBaseDN, TimeoutSeconds: 1, AllowPrivate: true}
	cases := map[string]Connector{}
	for name, url := range map[string]string{
		"unknown host": "ldap://directory.invalid:389",
		"closed port":  "ldap://" + closedPort(t),
		"silent port":  "ldap://" + silentServer(t),
		"not LDAP":     "ldap://" + http,
		"not LDAPS":    "ldaps://" + http,
	} {
		c := base
		c.URL = url
		cases[name] = c
	}
	anonymous := cases["not LDAP"]
	anonymous.BindDN, anonymous.BindPassword = "", ""
	cases["not LDAP, anonymous"] = anonymous
	startTLS := cases["closed port"]
	startTLS.StartTLS = true
	cases["closed port, StartTLS"] = startTLS

	var mu sync.Mutex
	reasons := map[string]string{}
	var wg sync.WaitGroup
	for name, c := range cases {
		wg.Add(1)
		go func() {
			defer wg.Done()
			start := time.Now()
			_, err := Users(testCtx(t), c, "", 0)
			took := time.Since(start)
			var ue *UnavailableError
			if !errors.As(err, &ue) || !errors.Is(err, ErrUnreachable) {
				t.Errorf("%s: %v, want unreachable", name, err)
				return
			}
			if took < time.Second-50*time.Millisecond || took > 2*time.Second {
				t.Errorf("%s: answered after %s, want the 1s timeout", name, took)
			}
			mu.Lock()
			reasons[name] = ue.Reason
			mu.Unlock()
		}()
	}
	wg.Wait()
	for name, r := range reasons {
		if r != reasons["closed port"] {
			t.Errorf("%s: reason %q, closed port %q", name, r, reasons["closed port"])
		}
	}
}

// TestPrivateTargetsRefused: with the guard on (the default), a directory
// at a loopback, private, link-local or reserved address is refused
// before anything is dialed, also when a name resolves to one among
// public ones.
func TestPrivateTargetsRefused(t *testing.T) {
	fake := countingServer(t, "")
	_, port, _ := net.SplitHostPort(fake.Addr)
	r := useResolver(t, map[string][]string{
		"localhost":     {"127.0.0.1", "::1"},
		"rebind.test":   {"93.184.216.34", "127.0.0.1"},
		"metadata.test": {"169.254.169.254"},
		"private.test":  {"10.0.0.7"},
	})
	for _, url := range []string{
		"ldap://127.0.0.1:" + port, "ldap://localhost:" + port, "ldap://rebind.test:" + port,
		"ldap://[::1]:" + port, "ldap://[::ffff:127.0.0.1]:" + port, "ldaps://127.0.0.2:" + port,
		"ldap://metadata.test", "ldap://private.test", "ldap://192.168.1.1", "ldap://172.16.0.1",
		"ldap://100.64.0.1", "ldap://0.0.0.0:" + port, "ldap://[fe80::1]", "ldap://[fd00::1]", "ldap://224.0.0.1",
	} {
		c := Connector{URL: url, BaseDN: testBaseDN, TimeoutSeconds: 1}
		for _, call := range []func() error{
			func() error { _, err := Users(testCtx(t), c, "", 0); return err },
			func() error { _, err := Groups(testCtx(t), c, "", 0); return err },
			func() error { _, err := GroupMembers(testCtx(t), c, "cn=x,"+testBaseDN, 0); return err },
		} {
			asInvalid(t, call(), "url")
		}
	}
	if n := fake.Accepted(); n != 0 {
		t.Fatalf("%d connections reached the loopback server", n)
	}
	if r.lookups == 0 {
		t.Fatal("no name was resolved")
	}
}

// TestDialsTheCheckedAddress: the name is resolved once and the address
// it resolved to is dialed (a second resolution, as DNS rebinding would
// answer differently, never happens).
func TestDialsTheCheckedAddress(t *testing.T) {
	fake := countingServer(t, "")
	_, port, _ := net.SplitHostPort(fake.Addr)
	r := useResolver(t, map[string][]string{"directory.test": {"127.0.0.1"}})
	c := Connector{URL: "ldap://directory.test:" + port, BaseDN: testBaseDN, TimeoutSeconds: 1, AllowPrivate: true}
	_, err := Users(testCtx(t), c, "", 0)
	asUnavailable(t, err) // the server closes at once
	if fake.Accepted() != 1 || r.lookups != 1 {
		t.Fatalf("%d connections, %d look-ups; want 1 and 1", fake.Accepted(), r.lookups)
	}
}

func TestPublic(t *testing.T) {
	for a, want := range map[string]bool{
		"93.184.216.34": true, "2606:2800:220:1:248:1893:25c8:1946": true, "8.8.8.8": true,
		"127.0.0.1": false, "10.1.2.3": false, "172.31.255.255": false, "192.168.0.1": false, "169.254.169.254": false,
		"100.100.100.200": false, "0.0.0.0": false, "255.255.255.255": false, "224.0.0.251": false, "198.18.0.1": false,
		"::1": false, "::": false, "fe80::1": false, "fd12:3456::1": false, "ff02::1": false, "::ffff:10.0.0.1": false,
		"::ffff:8.8.8.8": true, "64:ff9b::a00:1": false, "2002:a00:1::1": false, "fe80::1%eth0": false,
	} {
		if got := Public(netip.MustParseAddr(a)); got != want {
			t.Errorf("Public(%s) = %t, want %t", a, got, want)
		}
	}
}
