// Command invitationdelivery is the Lambda function that SES delivery,
// bounce and complaint notifications reach through SNS (SES event
// publishing); it records each outcome on the invitation whose mail it was.
package main

import (
	"github.com/effektif-serverless/caseflow/shared/environment"
	"github.com/effektif-serverless/caseflow/shared/identity"
)

func main() {
	environment.Start(func(env *environment.Env) any {
		return deliveryHandler(&identity.Service{Store: env.Store})
	})
}
