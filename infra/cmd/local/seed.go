package main

import (
	"context"
	"fmt"
	"os"

	"github.com/effektif-serverless/caseflow/infra/seed"
)

// seedCommand makes the demo organization on the running stack (make run)
// and prints how to log in.
func seedCommand(args []string) error {
	fs := newFlagSet("seed", "seed [flags]")
	port := fs.Int("port", envPort("PORT", 3000), "the running stack's API gateway port (env PORT)")
	sesPort := fs.Int("ses-port", envPort("SES_PORT", 8005), "the running stack's SES emulator port (env SES_PORT)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	gateway := fmt.Sprintf("http://127.0.0.1:%d", *port)
	d, err := seed.Run(context.Background(), gateway, fmt.Sprintf("http://127.0.0.1:%d", *sesPort))
	if err != nil {
		return err
	}
	seed.Print(os.Stdout, gateway, d)
	return nil
}
