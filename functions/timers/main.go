// Command timers is the scheduled Lambda function that fires due workflow
// timers, resends mails whose first delivery failed and removes the data
// of deleted organizations in bounded steps. It runs every minute (an
// EventBridge schedule in template.yaml).
package main

import (
	"github.com/effektif-serverless/caseflow/shared/environment"
	"github.com/effektif-serverless/caseflow/shared/environment/caseworkenv"
	"github.com/effektif-serverless/caseflow/shared/objects"
	"github.com/effektif-serverless/caseflow/shared/store/workstore"
)

func main() {
	environment.Start(func(env *environment.Env) any {
		files := objects.FromEnv(env.AWS)
		cw := caseworkenv.Service(env)
		cw.Files = files
		return scheduledHandler(cw, workstore.New(env.Store), files)
	})
}
