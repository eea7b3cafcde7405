// Command coldstart measures every function of template.yaml against a
// do-nothing Go Lambda (infra/coldstart/nop) built with the same flags as
// the deployment (lambdabuild.DeployLDFlags, CGO_ENABLED=0, -tags
// lambda.norpc, -trimpath), in the same run, so that the figures are
// ratios to a floor and not absolute times of a loaded machine.
//
// The default mode times cold starts under the project's Runtime API
// emulator (infra/lambdaemu), on the local AWS stack (infra/awslocal):
// init (exec until the first GET /next) and the first invocation, on the
// function's sample event of events/ (or an API Gateway v2 event of its
// first route). Samples are interleaved, do-nothing then function, for
// each function in turn, -n rounds; it prints each function's medians, the
// ratio of its init to the do-nothing init of the same rounds, and the size
// of each linux/arm64 binary.
//
// With -memory it starts the whole local system (gateway, every function at
// most one instance), makes the demo organization of infra/seed, runs each
// function's main operations -requests times warm and prints each function
// process's VmRSS and VmHWM (/proc/PID/status) and its MemorySize.
//
//	go run ./infra/coldstart -n 15
//	go run ./infra/coldstart -memory -requests 1000
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strings"

	"github.com/effektif-serverless/caseflow/infra/internal/modroot"
	"github.com/effektif-serverless/caseflow/infra/internal/proc"
)

func main() {
	n := flag.Int("n", 15, "cold starts of each function (and of the do-nothing function before each)")
	only := flag.String("functions", "", "comma-separated logical IDs to measure; all when empty")
	memory := flag.Bool("memory", false, "measure the RSS of each function after -requests warm requests instead")
	requests := flag.Int("requests", 1000, "warm requests of each main operation in -memory mode")
	verbose := flag.Bool("v", false, "show the stack's and the functions' log lines")
	floor := flag.String("floor", "nop", "the do-nothing function to compare with: nop (lambda.Start alone, the goal's floor) or dynamodb (also the AWS configuration and the DynamoDB client every function builds)")
	flag.Parse()
	if *n < 1 || *requests < 1 {
		fmt.Fprintln(os.Stderr, "coldstart: -n and -requests must be at least 1")
		os.Exit(2)
	}
	root, err := modroot.Find()
	if err != nil {
		fmt.Fprintln(os.Stderr, "coldstart:", err)
		os.Exit(1)
	}
	proc.ProgramHandlesSignals()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	var ids []string
	if *only != "" {
		ids = strings.Split(*only, ",")
	}
	if *memory {
		err = runMemory(ctx, root, ids, *requests, *verbose)
	} else {
		err = runColdStart(ctx, root, ids, *n, *floor, *verbose)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "coldstart:", err)
		os.Exit(1)
	}
}
