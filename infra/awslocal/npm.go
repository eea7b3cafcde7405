package awslocal

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"

	"github.com/effektif-serverless/caseflow/infra/internal/filelock"
	"github.com/effektif-serverless/caseflow/infra/internal/proc"
)

// EnsureNodeModules runs `npm ci` in dir (the folder with package.json and
// package-lock.json) unless its node_modules already holds what the lockfile
// says. Concurrent callers, in this process or others, wait for one another.
func EnsureNodeModules(ctx context.Context, dir string, log io.Writer) error {
	unlock, err := filelock.Lock("npm ci " + dir)
	if err != nil {
		return err
	}
	defer unlock()
	fresh, err := nodeModulesFresh(dir)
	if err != nil || fresh {
		return err
	}
	npm, err := exec.LookPath("npm")
	if err != nil {
		return errors.New("the local AWS stack needs Node.js and npm, which are not on PATH (install them with: apt-get install -y nodejs npm)")
	}
	fmt.Fprintf(log, "[localstack] node_modules missing or stale: running npm ci in %s\n", dir)
	cmd := exec.CommandContext(ctx, npm, "ci", "--no-audit", "--no-fund", "--loglevel=error")
	cmd.Dir, cmd.Stdout, cmd.Stderr = dir, log, log
	p, err := proc.Start(cmd)
	if err != nil {
		return err
	}
	<-p.Done()
	if p.Err() != nil {
		return fmt.Errorf("npm ci in %s: %w", dir, p.Err())
	}
	return nil
}

// nodeModulesFresh reports whether every package of dir's package-lock.json
// is installed at its locked version, as npm's own record of what it
// installed (node_modules/.package-lock.json) shows. Optional packages (such
// as other platforms' binaries) may be missing.
func nodeModulesFresh(dir string) (bool, error) {
	type lock struct {
		Packages map[string]struct {
			Version  string
			Optional bool
		}
	}
	var want, have lock
	data, err := os.ReadFile(filepath.Join(dir, "package-lock.json"))
	if err != nil {
		return false, err
	}
	if err := json.Unmarshal(data, &want); err != nil {
		return false, fmt.Errorf("%s/package-lock.json: %w", dir, err)
	}
	data, err = os.ReadFile(filepath.Join(dir, "node_modules", ".package-lock.json"))
	if err != nil || json.Unmarshal(data, &have) != nil {
		return false, nil
	}
	for path, pkg := range want.Packages {
		if path == "" {
			continue // the root project itself
		}
		got, ok := have.Packages[path]
		if ok && got.Version != pkg.Version || !ok && !pkg.Optional {
			return false, nil
		}
		if _, err := os.Stat(filepath.Join(dir, path)); ok && err != nil {
			return false, nil
		}
	}
	return true, nil
}
