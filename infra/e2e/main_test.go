// Package e2e holds the integration tests: every request goes over HTTP
// through the local gateway into the function processes, which talk to
// DynamoDB Local, the S3 server and the SES emulator, all started here from
// template.yaml. `go test -short` skips them.
package e2e

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/effektif-serverless/caseflow/infra/local"
)

// Limits the functions run with in the tests.
const (
	testMaxUpload   = 1 << 20
	testInlineLimit = 64 << 10
)

// stack is the running local system, shared by all tests of the package.
var stack *local.Stack

func TestMain(m *testing.M) {
	flag.Parse()
	if testing.Short() {
		fmt.Println("e2e: skipped in -short mode")
		os.Exit(0)
	}
	os.Exit(run(m))
}

func run(m *testing.M) int {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	var logs io.Writer = io.Discard
	if os.Getenv("E2E_LOGS") != "" {
		logs = os.Stderr
	}
	var err error
	if idp, err = startIdentityProvider(); err != nil {
		fmt.Fprintln(os.Stderr, "e2e: start the OpenID provider:", err)
		return 1
	}
	defer idp.Close()
	stack, err = local.Start(ctx, local.Config{Root: "../..", Log: logs, Env: map[string]string{
		// Small limits, so the tests reach them with small files.
		"MAX_UPLOAD_BYTES":   strconv.Itoa(testMaxUpload),
		"FILES_INLINE_LIMIT": strconv.Itoa(testInlineLimit),
		"OIDC_PROVIDERS":     idpConfig(),
		// The services: the built-in http one and a loopback OAuth one.
		"SERVICE_CATALOGUE":       serviceCatalogue(),
		"SERVICE_CREDENTIALS_KEY": testServiceKey,
		// The test directory (slapd) listens on loopback.
		"LDAP_ALLOW_PRIVATE": "true",
	}})
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e: start the local stack:", err)
		return 1
	}
	defer stack.Close()
	code := m.Run()
	if directory.server != nil {
		directory.server.Stop()
	}
	if code == 0 {
		if err := checkNoSecretsSeen(); err != nil {
			fmt.Fprintln(os.Stderr, "e2e:", err)
			return 1
		}
	}
	return code
}
