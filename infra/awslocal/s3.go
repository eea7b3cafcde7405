package awslocal

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3bolt"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
	bolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"

	"github.com/effektif-serverless/caseflow/infra/internal/logx"
)

// newS3 returns the local S3: gofakes3 with path-style addressing (as the
// clients of the stack use), buckets made only by CreateBucket (Provision).
// It keeps the objects in the bbolt database file at path (created with its
// folder when missing), or in memory when path is empty. It checks no
// signature. Its warnings and errors go to log. The closer releases the
// database file.
func newS3(path string, log io.Writer) (http.Handler, io.Closer, error) {
	var backend gofakes3.Backend
	var closer io.Closer = closerFunc(func() error { return nil })
	if path == "" {
		backend = s3mem.New()
	} else {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return nil, nil, err
		}
		// bbolt locks the file: a second stack on the same data waits a
		// second, then says so, rather than hanging.
		db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: time.Second})
		if errors.Is(err, bolterrors.ErrTimeout) {
			return nil, nil, fmt.Errorf("the S3 data in %s is in use by another local stack (is make run running?)", path)
		}
		if err != nil {
			return nil, nil, fmt.Errorf("open the S3 data in %s: %w", path, err)
		}
		backend, closer = s3bolt.New(db), db
	}
	faker := gofakes3.New(backend,
		gofakes3.WithHostBucket(false),
		gofakes3.WithAutoBucket(false),
		gofakes3.WithLogger(gofakes3.StdLog(logx.New(log, "s3"), gofakes3.LogErr, gofakes3.LogWarn)),
	)
	return faker.Server(), closer, nil
}
