package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"strconv"
	"syscall"

	"github.com/effektif-serverless/caseflow/infra/internal/proc"
	"github.com/effektif-serverless/caseflow/infra/lambdaemu"
	"github.com/effektif-serverless/caseflow/infra/local"
	"github.com/effektif-serverless/caseflow/infra/localparams"
	"github.com/effektif-serverless/caseflow/infra/samtemplate"
)

// invokeCommand runs one function once on an event and prints its
// response (or error document) to stdout: on the running stack (`local
// run`'s Lambda Invoke API) when one is up, saying so on stderr, else on
// a stack of its own with only that function and empty data.
func invokeCommand(args []string) error {
	var c common
	fs := newFlagSet("invoke", "invoke -function <LogicalId or folder> [-event <file.json>]")
	c.register(fs)
	name := fs.String("function", "", "the function: logical ID (UsersFunction) or code folder (users, functions/users)")
	eventFile := fs.String("event", "", "JSON event file, - for stdin (default: {})")
	lambdaPort := fs.Int("lambda-port", envPort("LAMBDA_PORT", 3001), "the running stack's Lambda Invoke API port (env LAMBDA_PORT)")
	own := fs.Bool("own-stack", false, "start a stack of its own even when one is running")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *name == "" {
		fs.Usage()
		return exitCode(2)
	}
	if err := c.resolve(); err != nil {
		return err
	}
	event, err := readEvent(*eventFile)
	if err != nil {
		return err
	}
	tmpl, err := samtemplate.Load(c.template, samtemplate.Options{Parameters: localparams.Values})
	if err != nil {
		return err
	}
	fn, err := tmpl.FindFunction(*name)
	if err != nil {
		return err
	}

	proc.ProgramHandlesSignals()
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	if !*own {
		addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(*lambdaPort))
		out, err := local.InvokeRunning(ctx, addr, fn, event)
		if !errors.Is(err, local.ErrNoRunningStack) {
			fmt.Fprintf(os.Stderr, "local invoke: %s on the running stack at %s\n", fn, addr)
			return printInvocation(out, err)
		}
		fmt.Fprintf(os.Stderr, "local invoke: no stack runs at %s; starting one for %s alone (empty data)\n", addr, fn)
	}
	stack, err := local.Start(ctx, local.Config{
		Root:      c.root,
		Template:  c.template,
		Functions: []string{fn},
		NoGateway: true,
		Log:       os.Stderr,
	})
	if err != nil {
		return err
	}
	defer stack.Close()
	return printInvocation(stack.Invoke(ctx, fn, event))
}

// printInvocation prints a function's response, or its error document
// with exit status 1.
func printInvocation(out []byte, err error) error {
	var fnErr *lambdaemu.FunctionError
	if errors.As(err, &fnErr) {
		fmt.Println(string(fnErr.Payload))
		return exitCode(1)
	}
	if err != nil {
		return err
	}
	fmt.Println(string(out))
	return nil
}

func readEvent(file string) ([]byte, error) {
	var data []byte
	var err error
	switch file {
	case "":
		return []byte("{}"), nil
	case "-":
		data, err = io.ReadAll(os.Stdin)
	default:
		data, err = os.ReadFile(file)
	}
	if err != nil {
		return nil, err
	}
	if !json.Valid(data) {
		return nil, fmt.Errorf("the event in %s is not JSON", file)
	}
	return data, nil
}
