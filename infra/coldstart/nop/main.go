// Command nop is the do-nothing Lambda function the cold-start benchmark
// (infra/coldstart) measures every function against: lambda.Start of a
// handler that answers a constant. It is built with the same flags as the
// functions, so the difference is what a function links and initializes.
package main

import "github.com/aws/aws-lambda-go/lambda"

func main() {
	lambda.Start(func() (string, error) { return "ok", nil })
}
