// Package caseworkenv builds the casework service of the functions that
// serve workflows, instances, cases, tasks, files and mail, as the
// deployment configures it.
//
// Variables: those of identityenv (the casework service checks callers and
// sends mail through the identity service), FILES_BUCKET (the files; see
// objects.FromEnv), MAX_UPLOAD_BYTES (largest upload) and
// FILES_INLINE_LIMIT (largest download answered inline, larger ones
// redirect to S3).
package caseworkenv

import (
	"os"
	"strconv"

	"github.com/effektif-serverless/caseflow/shared/casework"
	"github.com/effektif-serverless/caseflow/shared/environment"
	"github.com/effektif-serverless/caseflow/shared/environment/identityenv"
	"github.com/effektif-serverless/caseflow/shared/objects"
	"github.com/effektif-serverless/caseflow/shared/store/workstore"
)

// Service returns the casework service: the identity service of
// identityenv, the casework items on env's table (workstore) and the
// files bucket.
func Service(env *environment.Env) *casework.Service {
	id := identityenv.Service(env)
	return &casework.Service{
		Identity: id, Store: workstore.New(env.Store), Mail: id.Mail, Files: objects.FromEnv(env.AWS),
		MaxUpload: intEnv("MAX_UPLOAD_BYTES"), InlineLimit: intEnv("FILES_INLINE_LIMIT"),
	}
}

// intEnv reads a positive integer variable; 0 when unset or malformed.
func intEnv(name string) int64 {
	n, err := strconv.ParseInt(os.Getenv(name), 10, 64)
	if err != nil || n < 0 {
		return 0
	}
	return n
}
