// Package caseworkenv builds the casework service of the functions that
// serve workflows, instances, cases, tasks, files and mail, as the
// deployment configures it.
//
// Variables: MAIL_FROM and MAIL_CONFIGURATION_SET (the mail of email
// tasks, through SES; see sesmail.FromEnv), MAX_UPLOAD_BYTES (largest
// upload) and FILES_INLINE_LIMIT (largest download answered inline, larger
// ones redirect to S3). A function that reads or writes files' bytes
// (uploads, downloads, a BPMN import from an uploaded file, mail
// attachments) also sets casework.Service.Files = objects.FromEnv(env.AWS)
// (FILES_BUCKET), which only it links: the S3 client is about a megabyte of
// a linux/arm64 binary.
package caseworkenv

import (
	"os"
	"strconv"

	"github.com/effektif-serverless/caseflow/shared/casework"
	"github.com/effektif-serverless/caseflow/shared/environment"
	"github.com/effektif-serverless/caseflow/shared/identity"
	"github.com/effektif-serverless/caseflow/shared/mail/sesmail"
	"github.com/effektif-serverless/caseflow/shared/store/workstore"
)

// Service returns the casework service: the casework items on env's table
// (workstore) and mail through SES, without the files bucket: Files is the
// function's to set, and the operations that use it (UploadFile, OpenFile,
// DeleteFile, ImportBPMN, FileMail) must not be served without it. Its
// identity service is the one casework uses: tenants, members and users on
// env's store (it signs no one in and keeps no pictures, so it has no
// sign-in providers and no bucket).
func Service(env *environment.Env) *casework.Service {
	mail := sesmail.FromEnv(env.AWS)
	return &casework.Service{
		Identity: &identity.Service{Store: env.Store, Mail: mail}, Store: workstore.New(env.Store), Mail: mail,
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
