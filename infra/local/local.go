// Package local runs the whole system on one machine, as `sam local
// start-api` would with Docker: the local AWS stack (DynamoDB Local, S3 and
// SES emulators) with the template's tables and buckets, every function
// built and run under the Lambda runtime emulator, and the API gateway
// serving the template's routes on 127.0.0.1, with the API documents at
// /docs (DocsHandler).
package local

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/effektif-serverless/caseflow/infra/awslocal"
	"github.com/effektif-serverless/caseflow/infra/gateway"
	"github.com/effektif-serverless/caseflow/infra/internal/logx"
	"github.com/effektif-serverless/caseflow/infra/lambdabuild"
	"github.com/effektif-serverless/caseflow/infra/lambdaemu"
	"github.com/effektif-serverless/caseflow/infra/localparams"
	"github.com/effektif-serverless/caseflow/infra/samtemplate"
)

// PublicBaseURLParameter is the template parameter that Start sets to the
// gateway's URL (or Config.PublicBaseURL), so that links in mails lead to
// the local gateway.
const PublicBaseURLParameter = "PublicBaseUrl"

// Config configures Start. For every port, 0 means a free port.
type Config struct {
	// Root is the repository root (with go.mod and infra/localstack).
	// Required; may be relative.
	Root string
	// Template is the SAM template; <Root>/template.yaml when empty.
	// Relative to Root unless absolute.
	Template string
	// BuildDir receives the function binaries; <Root>/.build/local when
	// empty.
	BuildDir string
	// DataDir keeps the AWS stack's data (DynamoDB, S3, sent mail) across
	// runs, as awslocal.Config.DataDir; in memory, gone at Close, when
	// empty (as the tests use it).
	DataDir string

	GatewayPort, DynamoDBPort, S3Port, SESPort int

	// Log receives every log line: the emulators', the functions' (each
	// line prefixed with [LogicalId]) and one per gateway request.
	// os.Stderr when nil; io.Discard silences it.
	Log io.Writer
	// PublicBaseURL overrides the PublicBaseUrl parameter; the gateway's
	// URL when empty.
	PublicBaseURL string
	// Parameters override other template parameters.
	Parameters map[string]string
	// Functions limits what is built and run to these logical IDs; all
	// functions when nil.
	Functions []string
	// NoGateway skips the HTTP gateway (for Invoke only).
	NoGateway bool
	// MaxInstances caps the concurrent instances of each function; 4
	// when 0.
	MaxInstances int
	// Env is added to every function's environment, after the
	// template's variables.
	Env map[string]string
}

// Stack is the running local system.
type Stack struct {
	// GatewayURL is the base URL of the API, such as
	// http://127.0.0.1:3000; empty with Config.NoGateway. It serves the
	// API documents at DocsPath too.
	GatewayURL string
	// Endpoints of the local AWS services.
	DynamoDBEndpoint, S3Endpoint, SESEndpoint string
	// Template is the parsed template, resolved for this stack.
	Template *samtemplate.Template
	// AWS is the local AWS stack, with ready SDK clients.
	AWS *awslocal.Stack

	emu       *lambdaemu.Emulator
	listener  net.Listener
	server    *http.Server
	closeOnce sync.Once
	closeErr  error
}

// Start brings everything up, in order: npm ci if needed, the AWS
// emulators, the template's tables and buckets, the functions' binaries
// (built while the emulators start), the runtime emulator and the gateway.
// On error, whatever was started is stopped again. Call Close when done.
func Start(ctx context.Context, cfg Config) (_ *Stack, err error) {
	if cfg.Root == "" {
		return nil, errors.New("local: Config.Root is required")
	}
	root, err := filepath.Abs(cfg.Root)
	if err != nil {
		return nil, err
	}
	if cfg.Log == nil {
		cfg.Log = os.Stderr
	}
	logw := logx.Sync(cfg.Log)
	s := &Stack{}
	defer func() {
		if err != nil {
			s.Close()
		}
	}()

	if !cfg.NoGateway {
		if s.listener, err = net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", cfg.GatewayPort)); err != nil {
			return nil, fmt.Errorf("gateway: %w", err)
		}
		s.GatewayURL = "http://" + s.listener.Addr().String()
	}
	if s.Template, err = loadTemplate(root, cfg, s.GatewayURL); err != nil {
		return nil, err
	}
	fns, err := selectFunctions(s.Template, cfg.Functions)
	if err != nil {
		return nil, err
	}

	binaries, err := s.startAWSAndBuild(ctx, root, cfg, fns, logw)
	if err != nil {
		return nil, err
	}
	s.DynamoDBEndpoint, s.S3Endpoint, s.SESEndpoint = s.AWS.DynamoDBEndpoint, s.AWS.S3Endpoint, s.AWS.SESEndpoint

	s.emu = lambdaemu.New(lambdaemu.Options{Log: logw, Region: awslocal.Region, MaxInstances: cfg.MaxInstances})
	for _, fn := range fns {
		if err := s.emu.Add(fn.LogicalID, s.lambdaFunction(fn, binaries[fn.LogicalID], cfg.Env)); err != nil {
			return nil, err
		}
	}
	if s.listener != nil {
		for _, r := range s.Template.Routes {
			if r.Path == DocsPath || strings.HasPrefix(r.Path, DocsPath+"/") {
				return nil, fmt.Errorf("the template's route %s lies under %s, where the gateway serves the API documents", r.Key(), DocsPath)
			}
		}
		handler := withDocs(DocsHandler(root), gateway.New(s.Template, s.emu, logw))
		s.server = &http.Server{Handler: handler, ReadHeaderTimeout: 30 * time.Second}
		go func() { _ = s.server.Serve(s.listener) }()
	}
	return s, nil
}

func loadTemplate(root string, cfg Config, gatewayURL string) (*samtemplate.Template, error) {
	path := cfg.Template
	if path == "" {
		path = "template.yaml"
	}
	if !filepath.IsAbs(path) {
		path = filepath.Join(root, path)
	}
	params := localparams.With(cfg.Parameters)
	if base := cmp.Or(cfg.PublicBaseURL, gatewayURL); base != "" {
		params[PublicBaseURLParameter] = base
	}
	return samtemplate.Load(path, samtemplate.Options{Parameters: params, Region: awslocal.Region})
}

// selectFunctions returns the template's functions named in ids, or all.
func selectFunctions(tmpl *samtemplate.Template, ids []string) ([]samtemplate.Function, error) {
	if ids == nil {
		return tmpl.Functions, nil
	}
	var out []samtemplate.Function
	for _, id := range ids {
		fn := tmpl.Function(id)
		if fn == nil {
			return nil, fmt.Errorf("the template has no function %s", id)
		}
		out = append(out, *fn)
	}
	return out, nil
}

// startAWSAndBuild starts the AWS emulators (and provisions them) while it
// builds the functions, which takes about as long.
func (s *Stack) startAWSAndBuild(ctx context.Context, root string, cfg Config, fns []samtemplate.Function, logw io.Writer) (map[string]string, error) {
	var binaries map[string]string
	var buildErr, awsErr error
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		binaries, buildErr = lambdabuild.Build(ctx, fns, lambdabuild.Options{
			Dir:    s.Template.Dir,
			OutDir: cmp.Or(cfg.BuildDir, filepath.Join(root, ".build", "local")),
			Log:    logw,
		})
	}()
	s.AWS, awsErr = awslocal.Start(ctx, awslocal.Config{
		Dir:          filepath.Join(root, "infra", "localstack"),
		DataDir:      cfg.DataDir,
		DynamoDBPort: cfg.DynamoDBPort,
		S3Port:       cfg.S3Port,
		SESPort:      cfg.SESPort,
		Log:          logw,
	})
	if awsErr == nil {
		awsErr = s.AWS.Provision(ctx, s.Template)
	}
	wg.Wait()
	return binaries, errors.Join(awsErr, buildErr)
}

// lambdaFunction describes fn to the runtime emulator: its environment is
// the local stack's (credentials, region, endpoints), then the template's
// variables, then extra.
func (s *Stack) lambdaFunction(fn samtemplate.Function, binary string, extra map[string]string) lambdaemu.Function {
	env := s.AWS.Env()
	for _, k := range sortedKeys(fn.Environment) {
		env = append(env, k+"="+fn.Environment[k])
	}
	for _, k := range sortedKeys(extra) {
		env = append(env, k+"="+extra[k])
	}
	return lambdaemu.Function{
		Name:     fn.Name,
		ARN:      s.Template.FunctionARN(fn.Name),
		Binary:   binary,
		Handler:  fn.Handler,
		Timeout:  fn.Timeout,
		MemoryMB: fn.MemorySize,
		Env:      env,
	}
}

// Invoke runs a function (by logical ID, code folder or folder name, see
// samtemplate.Template.FindFunction) once on event, as `sam local invoke`
// does, and returns its response. A failure of the function is a
// *lambdaemu.FunctionError, whose Payload is Lambda's error document.
func (s *Stack) Invoke(ctx context.Context, function string, event []byte) ([]byte, error) {
	id, err := s.Template.FindFunction(function)
	if err != nil {
		return nil, err
	}
	return s.emu.Invoke(ctx, id, event)
}

// Env is the environment that points an AWS SDK or the AWS CLI at the
// stack's AWS services.
func (s *Stack) Env() []string { return s.AWS.Env() }

// FunctionProcesses returns the PIDs of the running instances of the
// template's function logicalID (none before its first invocation).
func (s *Stack) FunctionProcesses(logicalID string) []int { return s.emu.Processes(logicalID) }

// Close stops the gateway, the function instances and the AWS emulators.
// It is safe to call more than once.
func (s *Stack) Close() error {
	s.closeOnce.Do(func() {
		if s.server != nil {
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			_ = s.server.Shutdown(ctx)
			cancel()
			_ = s.server.Close()
		} else if s.listener != nil {
			s.listener.Close()
		}
		if s.emu != nil {
			s.emu.Close()
		}
		if s.AWS != nil {
			s.closeErr = s.AWS.Close()
		}
	})
	return s.closeErr
}

// String lists the endpoints.
func (s *Stack) String() string {
	var b strings.Builder
	if s.GatewayURL != "" {
		fmt.Fprintf(&b, "API gateway %s, ", s.GatewayURL)
	}
	fmt.Fprintf(&b, "DynamoDB %s, S3 %s, SES %s", s.DynamoDBEndpoint, s.S3Endpoint, s.SESEndpoint)
	return b.String()
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
