// Package filelock serializes work across processes with flock(2): several
// test binaries may start the local stack at once, and must not run npm ci
// or write the same build output together.
package filelock

import (
	"fmt"
	"hash/fnv"
	"os"
	"path/filepath"
	"syscall"
)

// Lock takes an exclusive lock named for key (such as the folder the work
// is about), waiting for it, and returns the function that releases it. The
// lock file lives in the temporary folder, not next to the work.
func Lock(key string) (unlock func(), err error) {
	h := fnv.New64a()
	h.Write([]byte(key))
	path := filepath.Join(os.TempDir(), fmt.Sprintf("caseflow-%x.lock", h.Sum64()))
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		f.Close()
		return nil, fmt.Errorf("lock %s (for %s): %w", path, key, err)
	}
	return func() {
		_ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		f.Close()
	}, nil
}
