// Command local is the project's stand-in for the SAM CLI, which needs
// Docker: it runs template.yaml on this machine.
//
//	go run ./infra/cmd/local run      # like `sam local start-api`, with DynamoDB, S3 and SES
//	go run ./infra/cmd/local invoke -function users -event events/x.json   # like `sam local invoke -e`
//	go run ./infra/cmd/local build    # like `sam build`: .aws-sam/build for `sam deploy`
//	go run ./infra/cmd/local seed     # a demo organization on the running stack
//	go run ./infra/cmd/local reindex  # after an upgrade that changed stored forms (README: upgrading)
//
// Run a command with -h for its flags.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/effektif-serverless/caseflow/infra/internal/modroot"
)

// command is one subcommand.
type command struct {
	name, summary string
	run           func(args []string) error
}

var commands = []command{
	{"run", "start the local AWS stack and the API gateway in the foreground (like sam local start-api)", runCommand},
	{"invoke", "run one function once on an event, print its response (like sam local invoke -e)", invokeCommand},
	{"build", "build every function for Lambda into .aws-sam/build, ready for sam deploy (like sam build)", buildCommand},
	{"seed", "make a demo organization on the running stack and print how to log in", seedCommand},
	{"reindex", "rewrite the stored cases, tasks and events in the current form (an upgrade step; -aws for a deployed table)", reindexCommand},
}

func main() {
	if len(os.Args) < 2 {
		usage(os.Stderr)
		os.Exit(2)
	}
	for _, c := range commands {
		if c.name == os.Args[1] {
			err := c.run(os.Args[2:])
			var exit exitCode
			switch {
			case errors.As(err, &exit):
				os.Exit(int(exit))
			case errors.Is(err, flag.ErrHelp):
				os.Exit(0)
			case err != nil:
				fmt.Fprintf(os.Stderr, "local %s: %v\n", c.name, err)
				os.Exit(1)
			}
			return
		}
	}
	if a := os.Args[1]; a == "-h" || a == "-help" || a == "--help" || a == "help" {
		usage(os.Stdout)
		return
	}
	fmt.Fprintf(os.Stderr, "local: unknown command %q\n", os.Args[1])
	usage(os.Stderr)
	os.Exit(2)
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: go run ./infra/cmd/local <command> [flags]")
	fmt.Fprintln(w)
	for _, c := range commands {
		fmt.Fprintf(w, "  %-7s %s\n", c.name, c.summary)
	}
}

// exitCode ends the program with that status, with nothing more to say.
type exitCode int

func (e exitCode) Error() string { return fmt.Sprintf("exit status %d", int(e)) }

// common are the flags every command has.
type common struct {
	root, template string
}

func (c *common) register(fs *flag.FlagSet) {
	fs.StringVar(&c.root, "root", "", "repository root (default: the nearest folder with go.mod, from the current one up)")
	fs.StringVar(&c.template, "template", "template.yaml", "SAM template, relative to the root")
}

// resolve fills in the root and makes the template path absolute.
func (c *common) resolve() error {
	if c.root == "" {
		root, err := modroot.Find()
		if err != nil {
			return err
		}
		c.root = root
	}
	root, err := filepath.Abs(c.root)
	if err != nil {
		return err
	}
	c.root = root
	if !filepath.IsAbs(c.template) {
		c.template = filepath.Join(root, c.template)
	}
	return nil
}

// newFlagSet returns a flag set that reports errors instead of exiting.
func newFlagSet(name, usageLine string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: go run ./infra/cmd/local %s\n\nflags:\n", usageLine)
		fs.PrintDefaults()
	}
	return fs
}
