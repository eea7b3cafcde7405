package e2e

import (
	"bytes"
	"context"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/effektif-serverless/caseflow/infra/awslocal"
	"github.com/effektif-serverless/caseflow/infra/internal/proc"
)

// nodeContract is a folder of contract tests that drive the stack through
// a published npm client: a package.json with a committed lockfile (its
// node_modules installed here when missing) and *.test.mjs files for
// `node --test`.
type nodeContract struct {
	// what names the suite in failures ("the epilot contract tests").
	what, dir string
	timeout   time.Duration
	// clientEnv are variables the client reads when unconfigured, and
	// prefix the suite's own: none may leak in from this process.
	clientEnv []string
	prefix    string
}

// prepare installs the suite's npm packages and answers its folder and
// test files.
func (c nodeContract) prepare(t *testing.T, ctx context.Context) (string, []string) {
	t.Helper()
	dir, err := filepath.Abs(c.dir)
	if err != nil {
		t.Fatal(err)
	}
	var npmLog bytes.Buffer
	if err := awslocal.EnsureNodeModules(ctx, dir, &npmLog); err != nil {
		t.Fatalf("install the npm packages of %s: %v\n%s", dir, err, npmLog.String())
	}
	files, err := filepath.Glob(filepath.Join(dir, "*.test.mjs"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no *.test.mjs in %s (%v)", dir, err)
	}
	for i, f := range files {
		files[i] = filepath.Base(f)
	}
	sort.Strings(files)
	return dir, files
}

// run installs the suite's packages, seeds with env (called after the
// install, so a slow install costs no seeded state) and runs node --test;
// a failing node test fails t with node's output. It answers the folder.
func (c nodeContract) run(t *testing.T, env func() []string) string {
	t.Helper()
	if testing.Short() {
		t.Skip("needs the local stack")
	}
	node, err := exec.LookPath("node")
	if err != nil {
		t.Fatalf("%s need Node.js 20.10+, and `node` is not on PATH (see the README; .ci/run installs one)", c.what)
	}
	ctx, cancel := context.WithTimeout(context.Background(), c.timeout)
	defer cancel()
	dir, files := c.prepare(t, ctx)
	vars := env()
	// Files one after the other: they share seeded accounts, and the machine is small.
	args := append([]string{"--test", "--test-concurrency=1", "--test-reporter=spec"}, files...)
	cmd := exec.Command(node, args...)
	var out bytes.Buffer
	cmd.Dir, cmd.Stdout, cmd.Stderr = dir, &out, &out
	cmd.Env = append(environWithout(c.clientEnv, c.prefix), vars...)
	p, err := proc.Start(cmd)
	if err != nil {
		t.Fatalf("start node: %v", err)
	}
	select {
	case <-p.Done():
	case <-ctx.Done():
		p.Kill()
		<-p.Done()
		t.Fatalf("node --test did not finish in time:\n%s", out.String())
	}
	if p.Err() != nil {
		t.Fatalf("node --test %s failed (%v):\n%s", strings.Join(files, " "), p.Err(), out.String())
	}
	t.Logf("node --test:\n%s", out.String())
	return dir
}
