package ldapdir

import (
	"os"
	"sync"
	"testing"

	"github.com/effektif-serverless/caseflow/shared/ldapdir/ldaptest"
)

// The tests that need a directory share one slapd (package ldaptest),
// started by the first of them and stopped by TestMain.

const (
	testBaseDN       = ldaptest.BaseDN
	testBindDN       = ldaptest.BindDN
	testBindPassword = ldaptest.BindPassword
)

var (
	slapdOnce sync.Once
	slapd     *ldaptest.Server
	slapdSkip string
	slapdErr  error
)

func TestMain(m *testing.M) {
	code := m.Run()
	if slapd != nil {
		slapd.Stop()
	}
	os.Exit(code)
}

// testSlapd returns the package's slapd, starting it on first use. It skips
// the test under -short, and when slapd is missing and cannot be installed.
func testSlapd(t *testing.T) *ldaptest.Server {
	t.Helper()
	if testing.Short() {
		t.Skip("skipping the OpenLDAP tests under -short")
	}
	slapdOnce.Do(func() { slapd, slapdSkip, slapdErr = ldaptest.Start() })
	if slapdSkip != "" {
		t.Skip(slapdSkip)
	}
	if slapdErr != nil {
		t.Fatalf("starting slapd: %v", slapdErr)
	}
	return slapd
}

// connector is the settings that reach the test directory as the reader.
func connector(s *ldaptest.Server) Connector {
	return Connector{URL: s.URL, BindDN: testBindDN, BindPassword: testBindPassword, BaseDN: testBaseDN, TimeoutSeconds: 10, AllowPrivate: true}
}
