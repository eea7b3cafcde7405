// Command cases is the Lambda function that serves the Effektif Case group.
package main

import (
	"context"
	"log"

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
	cases := env.Casework()
	effektif.CaseRoutes(router, cases)
	effektif.CaseFileRoutes(router, cases)
	httpapi.Serve(router)
}
