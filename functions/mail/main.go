// Command mail is the Lambda function that serves the Effektif Mail group:
// POST /mail/incoming, the signed inbound mail webhook.
package main

import (
	"context"
	"log"
	"os"

	"github.com/effektif-serverless/caseflow/shared/effektif"
	"github.com/effektif-serverless/caseflow/shared/environment"
	"github.com/effektif-serverless/caseflow/shared/httpapi"
)

func main() {
	env, err := environment.Load(context.Background())
	if err != nil {
		log.Fatal(err)
	}
	router := effektif.NewRouter()
	effektif.MailRoutes(router, env.MailIntake(), []byte(os.Getenv("MAIL_WEBHOOK_SECRET")), env.Files())
	httpapi.Serve(router)
}
