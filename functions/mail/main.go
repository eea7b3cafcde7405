// Command mail is the Lambda function that serves the Effektif Mail group:
// POST /mail/incoming, the signed inbound mail webhook.
package main

import (
	"net/http"
	"os"

	"github.com/effektif-serverless/caseflow/shared/effektif"
	"github.com/effektif-serverless/caseflow/shared/environment"
)

func main() {
	environment.ServeHTTP(routes)
}

// routes builds the function's router; its patterns are the function's
// routes in template.yaml (main_test.go checks both ways).
func routes(env *environment.Env) http.Handler {
	router := effektif.NewRouter()
	effektif.MailRoutes(router, env.MailIntake(), []byte(os.Getenv("MAIL_WEBHOOK_SECRET")), env.Files())
	return router
}
