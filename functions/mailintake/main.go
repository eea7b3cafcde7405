// Command mailintake is the SES-triggered Lambda function that files
// incoming mail: the receipt rule stores each message in S3 under
// MAIL_PREFIX and invokes it with the SES event. It files the mail of the
// organizations' addresses at MAIL_DOMAIN.
package main

import (
	"os"

	"github.com/effektif-serverless/caseflow/shared/environment"
	"github.com/effektif-serverless/caseflow/shared/environment/caseworkenv"
	"github.com/effektif-serverless/caseflow/shared/mailintake"
	"github.com/effektif-serverless/caseflow/shared/objects"
)

func main() {
	environment.Start(func(env *environment.Env) any {
		files := objects.FromEnv(env.AWS)
		cw := caseworkenv.Service(env)
		cw.Files = files // the attachments
		intake := &mailintake.Service{Casework: cw, Identity: cw.Identity, Domain: os.Getenv("MAIL_DOMAIN")}
		return sesHandler(intake, files, os.Getenv("MAIL_PREFIX"))
	})
}
