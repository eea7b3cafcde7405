package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/effektif-serverless/caseflow/infra/internal/proc"
	"github.com/effektif-serverless/caseflow/infra/local"
)

// runCommand starts everything in the foreground until SIGINT or SIGTERM.
func runCommand(args []string) error {
	var c common
	fs := newFlagSet("run", "run [flags]")
	c.register(fs)
	port := fs.Int("port", envPort("PORT", 3000), "API gateway port on 127.0.0.1 (env PORT)")
	dynamoPort := fs.Int("dynamodb-port", envPort("DYNAMODB_PORT", 8000), "DynamoDB Local port (env DYNAMODB_PORT)")
	s3Port := fs.Int("s3-port", envPort("S3_PORT", 4569), "S3 emulator port (env S3_PORT)")
	sesPort := fs.Int("ses-port", envPort("SES_PORT", 8005), "SES emulator port (env SES_PORT)")
	lambdaPort := fs.Int("lambda-port", envPort("LAMBDA_PORT", 3001), "Lambda Invoke API port on 127.0.0.1, for make invoke and SDKs (env LAMBDA_PORT; 0 turns it off)")
	publicURL := fs.String("public-base-url", "", "PublicBaseUrl for links in mails (default: the gateway's URL)")
	maxInstances := fs.Int("max-instances", 4, "concurrent instances per function")
	schedules := fs.Bool("schedules", true, "invoke the template's Schedule events at their rate, as EventBridge does")
	dataDir := fs.String("data", DefaultDataDir, "folder that keeps the data (DynamoDB, S3, sent mail) across runs, relative to the root; empty for memory only (make reset empties it)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if err := c.resolve(); err != nil {
		return err
	}

	if *dataDir != "" && !filepath.IsAbs(*dataDir) {
		*dataDir = filepath.Join(c.root, *dataDir)
	}

	proc.ProgramHandlesSignals()
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	stack, err := local.Start(ctx, local.Config{
		Root:          c.root,
		Template:      c.template,
		GatewayPort:   *port,
		DynamoDBPort:  *dynamoPort,
		S3Port:        *s3Port,
		SESPort:       *sesPort,
		PublicBaseURL: *publicURL,
		MaxInstances:  *maxInstances,
		DataDir:       *dataDir,
		Log:           os.Stderr,
	})
	if err != nil {
		return err
	}
	defer stack.Close()
	if *lambdaPort > 0 {
		ln, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(*lambdaPort)))
		if err != nil {
			return fmt.Errorf("the Lambda Invoke API: %w", err)
		}
		invokeAPI := &http.Server{Handler: local.InvokeHandler(stack), ReadHeaderTimeout: 5 * time.Second}
		go func() { _ = invokeAPI.Serve(ln) }()
		defer invokeAPI.Close()
		fmt.Fprintf(os.Stdout, "\nLambda Invoke API (make invoke uses it): http://%s%s\n", ln.Addr(), local.InvokePath("<Function>"))
	}
	printStack(os.Stdout, stack)
	if *dataDir != "" {
		fmt.Fprintf(os.Stdout, "Data is kept in %s across runs (make reset empties it).\n", *dataDir)
	} else {
		fmt.Fprintf(os.Stdout, "Data is kept in memory only: it is gone when you stop.\n")
	}
	if *schedules {
		go func() {
			if err := stack.RunSchedules(ctx, os.Stderr); err != nil {
				fmt.Fprintln(os.Stderr, "schedules:", err)
			}
		}()
	}
	<-ctx.Done()
	stop() // a second Ctrl-C ends the program at once
	fmt.Fprintln(os.Stderr, "stopping...")
	return stack.Close()
}

// printStack tells where everything is and how to reach it.
func printStack(w io.Writer, s *local.Stack) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "\nThe local stack is up:\n")
	fmt.Fprintf(tw, "  API gateway\t%s\n", s.GatewayURL)
	fmt.Fprintf(tw, "  API documents\t%s%s\t(OpenAPI 3.1, docs/openapi: %s%s/openapi/<api>.yaml)\n", s.GatewayURL, local.DocsPath, s.GatewayURL, local.DocsPath)
	fmt.Fprintf(tw, "  DynamoDB\t%s\n", s.DynamoDBEndpoint)
	fmt.Fprintf(tw, "  S3\t%s\n", s.S3Endpoint)
	fmt.Fprintf(tw, "  SES\t%s\t(sent mail: %s/ in a browser, GET %s/store as JSON)\n", s.SESEndpoint, s.SESEndpoint, s.SESEndpoint)
	fmt.Fprintf(tw, "\nRoutes:\n")
	for _, r := range s.Template.Routes {
		auth := "public"
		if r.Authorizer != nil {
			auth = "authorizer " + r.Authorizer.Name
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\n", r.Key(), r.Function, auth)
	}
	if schedules, err := local.Schedules(s.Template); err == nil && len(schedules) > 0 {
		fmt.Fprintf(tw, "\nSchedules (-schedules=false turns them off):\n")
		for _, sc := range schedules {
			fmt.Fprintf(tw, "  %s.%s\tevery %s\n", sc.Function, sc.Name, sc.Every)
		}
	}
	tw.Flush()
	fmt.Fprintf(w, "\nTo point the AWS CLI or an SDK at it:\n")
	for _, kv := range s.Env() {
		k, v, _ := strings.Cut(kv, "=")
		fmt.Fprintf(w, "  export %s=%q\n", k, v)
	}
	fmt.Fprintf(w, "\nPress Ctrl-C to stop.\n")
}

// DefaultDataDir is where make run keeps its data, relative to the
// repository root (ignored by git).
const DefaultDataDir = ".local-data"

// envPort reads a port from the environment, or returns def.
func envPort(name string, def int) int {
	if n, err := strconv.Atoi(os.Getenv(name)); err == nil {
		return n
	}
	return def
}
