// Package caseworkenv builds the casework service of the functions that
// serve workflows, instances, cases, tasks, files and mail, as the
// deployment configures it.
//
// Variables: MAIL_FROM and MAIL_CONFIGURATION_SET (the mail of email
// tasks, through SES; see sesmail.FromEnv), FILES_BUCKET (the files; see
// objects.FromEnv), MAX_UPLOAD_BYTES (largest upload) and
// FILES_INLINE_LIMIT (largest download answered inline, larger ones
// redirect to S3).
package caseworkenv

import (
	"os"
	"strconv"

	"github.com/effektif-serverless/caseflow/shared/casework"
	"github.com/effektif-serverless/caseflow/shared/environment"
	"github.com/effektif-serverless/caseflow/shared/identity"
	"github.com/effektif-serverless/caseflow/shared/mail/sesmail"
	"github.com/effektif-serverless/caseflow/shared/objects"
	"github.com/effektif-serverless/caseflow/shared/store/workstore"
)

// Service returns the casework service: the casework items on env's table
// (workstore), mail through SES and the files bucket. Its identity service
// is the one casework uses: tenants, members and users on env's store (it
// signs no one in and keeps no pictures, so it has no sign-in providers
// and no bucket).
func Service(env *environment.Env) *casework.Service {
	mail := sesmail.FromEnv(env.AWS)
	return &casework.Service{
		Identity: &identity.Service{Store: env.Store, Mail: mail}, Store: workstore.New(env.Store), Mail: mail,
		Files: objects.FromEnv(env.AWS), MaxUpload: intEnv("MAX_UPLOAD_BYTES"), InlineLimit: intEnv("FILES_INLINE_LIMIT"),
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
