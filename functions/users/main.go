// Command users is the Lambda function that serves the Effektif Users group.
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
	id := env.Identity()
	effektif.UserRoutes(router, id)
	effektif.ProviderLoginRoutes(router, id)
	effektif.PictureRoutes(router, id)
	httpapi.Serve(router)
}
