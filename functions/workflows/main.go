// Command workflows is the Lambda function that serves the Effektif Workflow
// group: drafts, versions, publication, templates and import/export.
package main

import (
	"net/http"

	"github.com/effektif-serverless/caseflow/shared/bpmn/charsets"
	"github.com/effektif-serverless/caseflow/shared/effektif"
	"github.com/effektif-serverless/caseflow/shared/effektif/work"
	"github.com/effektif-serverless/caseflow/shared/environment"
	"github.com/effektif-serverless/caseflow/shared/environment/caseworkenv"
	"github.com/effektif-serverless/caseflow/shared/objects"
)

func main() {
	environment.ServeHTTP(routes)
}

// routes builds the function's router; its patterns are the function's
// routes in template.yaml (main_test.go checks both ways).
func routes(env *environment.Env) http.Handler {
	router := effektif.NewRouter()
	cw := caseworkenv.Service(env)
	cw.Files = objects.FromEnv(env.AWS) // ImportBPMN reads the uploaded file
	cw.BPMNCharsets = charsets.Lookup   // documents in ISO-8859-1, Shift_JIS, ...
	work.WorkflowRoutes(router, cw)
	return router
}
