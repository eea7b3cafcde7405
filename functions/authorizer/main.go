// Command authorizer is the API Gateway Lambda authorizer: it resolves the
// Authorization header to the caller's identity (see httpapi.Authorizer).
package main

import (
	"github.com/effektif-serverless/caseflow/shared/environment"
	"github.com/effektif-serverless/caseflow/shared/httpapi"
	"github.com/effektif-serverless/caseflow/shared/identity"
)

func main() {
	environment.Start(func(env *environment.Env) any {
		return httpapi.Authorizer(&identity.Service{Store: env.Store})
	})
}
