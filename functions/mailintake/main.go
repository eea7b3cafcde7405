// Command mailintake is the SES-triggered Lambda function that files
// incoming mail: the receipt rule stores each message in S3 under
// MAIL_PREFIX and invokes it with the SES event.
package main

import (
	"os"

	"github.com/effektif-serverless/caseflow/shared/environment"
)

func main() {
	environment.Start(func(env *environment.Env) any {
		return sesHandler(env.MailIntake(), env.Files(), os.Getenv("MAIL_PREFIX"))
	})
}
