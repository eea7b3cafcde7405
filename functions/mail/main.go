// Command mail is the Lambda function that serves the Effektif Mail group:
// POST /mail/incoming, the signed inbound mail webhook (MAIL_WEBHOOK_SECRET
// signs it) for the organizations' addresses at MAIL_DOMAIN.
package main

import (
	"net/http"
	"os"

	"github.com/effektif-serverless/caseflow/shared/effektif"
	"github.com/effektif-serverless/caseflow/shared/effektif/mailhook"
	"github.com/effektif-serverless/caseflow/shared/environment"
	"github.com/effektif-serverless/caseflow/shared/environment/caseworkenv"
	"github.com/effektif-serverless/caseflow/shared/mailintake"
	"github.com/effektif-serverless/caseflow/shared/objects"
)

func main() {
	environment.ServeHTTP(routes)
}

// routes builds the function's router; its patterns are the function's
// routes in template.yaml (main_test.go checks both ways).
func routes(env *environment.Env) http.Handler {
	router := effektif.NewRouter()
	files := objects.FromEnv(env.AWS)
	cw := caseworkenv.Service(env)
	cw.Files = files // the attachments
	intake := &mailintake.Service{Casework: cw, Identity: cw.Identity, Domain: os.Getenv("MAIL_DOMAIN")}
	mailhook.Routes(router, intake, []byte(os.Getenv("MAIL_WEBHOOK_SECRET")), files)
	return router
}
