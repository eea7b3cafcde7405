package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/effektif-serverless/caseflow/infra/awslocal"
	"github.com/effektif-serverless/caseflow/infra/internal/logx"
	"github.com/effektif-serverless/caseflow/infra/lambdabuild"
	"github.com/effektif-serverless/caseflow/infra/lambdaemu"
	"github.com/effektif-serverless/caseflow/infra/localparams"
	"github.com/effektif-serverless/caseflow/infra/samtemplate"
)

// nopID is the do-nothing function's logical ID.
const nopID = "DoNothing"

// floors are the do-nothing functions a run compares with (-floor), by
// name: nop is lambda.Start alone (the goal's floor); dynamodb also loads
// the AWS configuration from Lambda's variables and builds the DynamoDB
// client, as every function does, so that its ratios show what a function
// adds beyond the SDK client none can do without.
var floors = map[string]string{"nop": "infra/coldstart/nop", "dynamodb": "infra/coldstart/nopdynamo"}

// nopFunction is the do-nothing function of the floor, as if the template
// declared it, built for arm64 like the template's functions.
func nopFunction(floor string) (samtemplate.Function, error) {
	codeURI, ok := floors[floor]
	if !ok {
		return samtemplate.Function{}, fmt.Errorf("no floor %q (nop or dynamodb)", floor)
	}
	return samtemplate.Function{LogicalID: nopID, Name: nopID, CodeURI: codeURI,
		Architectures: []string{"arm64"}, MemorySize: 128, Timeout: 3 * time.Second, Environment: map[string]string{}}, nil
}

// sample is one cold start: init is exec until the first GET /next, first
// the first invocation (as the emulator's REPORT line gives them).
type sample struct{ init, first time.Duration }

// bench is what both modes start with: the template's selected functions
// and the do-nothing one built with the deploy flags for this machine, and
// the local AWS stack with the template's tables.
type bench struct {
	tmpl     *samtemplate.Template
	nop      samtemplate.Function   // the do-nothing one
	fns      []samtemplate.Function // the template's, selected
	binaries map[string]string      // for this machine, by logical ID
	stack    *awslocal.Stack
	logw     io.Writer
}

func setup(ctx context.Context, root string, ids []string, floor string, verbose bool) (*bench, error) {
	b := &bench{logw: io.Discard}
	if verbose {
		b.logw = logx.Sync(os.Stderr)
	}
	var err error
	if b.nop, err = nopFunction(floor); err != nil {
		return nil, err
	}
	if b.tmpl, err = samtemplate.Load(filepath.Join(root, "template.yaml"), samtemplate.Options{Parameters: localparams.Values, Region: awslocal.Region}); err != nil {
		return nil, err
	}
	if b.fns, err = selected(b.tmpl, ids); err != nil {
		return nil, err
	}
	fmt.Fprintf(os.Stderr, "building %d functions and the do-nothing one with %q...\n", len(b.fns), lambdabuild.DeployLDFlags)
	if b.binaries, err = lambdabuild.Build(ctx, b.all(), lambdabuild.Options{Dir: root, OutDir: filepath.Join(root, ".build", "coldstart", "host"),
		LDFlags: lambdabuild.DeployLDFlags, Log: b.logw}); err != nil {
		return nil, err
	}
	fmt.Fprintln(os.Stderr, "starting the local AWS stack...")
	if b.stack, err = awslocal.Start(ctx, awslocal.Config{Dir: filepath.Join(root, "infra", "localstack"), Log: b.logw}); err != nil {
		return nil, err
	}
	if err := b.stack.Provision(ctx, b.tmpl); err != nil {
		b.stack.Close()
		return nil, err
	}
	return b, nil
}

// all is the do-nothing function, then the selected ones.
func (b *bench) all() []samtemplate.Function {
	return append([]samtemplate.Function{b.nop}, b.fns...)
}

func runColdStart(ctx context.Context, root string, ids []string, n int, floor string, verbose bool) error {
	b, err := setup(ctx, root, ids, floor, verbose)
	if err != nil {
		return err
	}
	defer b.stack.Close()
	arm, err := lambdabuild.Build(ctx, b.all(), lambdabuild.Options{Dir: root, OutDir: filepath.Join(root, ".build", "coldstart", "lambda"),
		Target: lambdabuild.LambdaTarget, LDFlags: lambdabuild.DeployLDFlags, Log: b.logw})
	if err != nil {
		return err
	}
	tmpl, fns, host, stack := b.tmpl, b.fns, b.binaries, b.stack
	nop := b.nop
	results := make([]result, len(fns))
	for i, fn := range fns {
		ev, err := firstEvent(root, tmpl, fn)
		if err != nil {
			return err
		}
		results[i] = result{fn: fn, event: ev}
	}
	fmt.Fprintf(os.Stderr, "%d rounds: do-nothing, then each function, cold each time...\n", n)
	for round := 0; round < n; round++ {
		for i := range results {
			r := &results[i]
			s, err := coldStart(ctx, nop, host[nopID], stack.Env(), r.event)
			if err != nil {
				return fmt.Errorf("%s: %w", nopID, err)
			}
			r.nop = append(r.nop, s)
			if s, err = coldStart(ctx, r.fn, host[r.fn.LogicalID], stack.Env(), r.event); err != nil {
				return fmt.Errorf("%s: %w", r.fn.LogicalID, err)
			}
			r.samples = append(r.samples, s)
			if err := ctx.Err(); err != nil {
				return err
			}
		}
	}
	nopSize, err := fileSize(arm[nopID])
	if err != nil {
		return err
	}
	for i := range results {
		if results[i].size, err = fileSize(arm[results[i].fn.LogicalID]); err != nil {
			return err
		}
	}
	printColdStart(os.Stdout, results, nopSize, n)
	return nil
}

// result is what was measured of one function.
type result struct {
	fn      samtemplate.Function
	event   []byte
	samples []sample
	nop     []sample // the do-nothing samples taken just before each
	size    int64    // of the linux/arm64 binary
}

// selected is the template's functions named in ids, or all.
func selected(tmpl *samtemplate.Template, ids []string) ([]samtemplate.Function, error) {
	if len(ids) == 0 {
		return tmpl.Functions, nil
	}
	var out []samtemplate.Function
	for _, id := range ids {
		fn := tmpl.Function(strings.TrimSpace(id))
		if fn == nil {
			return nil, fmt.Errorf("the template has no function %s", id)
		}
		out = append(out, *fn)
	}
	return out, nil
}

// coldStart starts one instance of fn under a new emulator, invokes it once
// with event and returns the init and first invocation durations of the
// emulator's REPORT line. An error the function answers (a 4xx of a
// stranger, a denied token) is a measured invocation; an instance that
// fails to start or exits is an error.
func coldStart(ctx context.Context, fn samtemplate.Function, binary string, stackEnv []string, event []byte) (sample, error) {
	var log logx.Buffer
	emu := lambdaemu.New(lambdaemu.Options{Log: &log, Region: awslocal.Region, MaxInstances: 1})
	err := emu.Add(fn.LogicalID, lambdaFunction(fn, binary, stackEnv))
	if err == nil {
		_, err = emu.Invoke(ctx, fn.LogicalID, event)
	}
	emu.Close() // waits for the REPORT line
	var ferr *lambdaemu.FunctionError
	if errors.As(err, &ferr) && ferr.Type != lambdaemu.TypeInit && ferr.Type != lambdaemu.TypeExit && ferr.Type != lambdaemu.TypeTimeout {
		err = nil
	}
	if err != nil {
		return sample{}, fmt.Errorf("%w\n%s", err, log.String())
	}
	s, ok := parseReport(log.String())
	if !ok {
		return sample{}, fmt.Errorf("no REPORT line with an Init Duration in the emulator's log:\n%s", log.String())
	}
	return s, nil
}

// lambdaFunction describes fn to the emulator as the local system does:
// the stack's credentials, region and endpoints, then the template's
// variables.
func lambdaFunction(fn samtemplate.Function, binary string, stackEnv []string) lambdaemu.Function {
	env := append([]string(nil), stackEnv...)
	keys := make([]string, 0, len(fn.Environment))
	for k := range fn.Environment {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		env = append(env, k+"="+fn.Environment[k])
	}
	return lambdaemu.Function{Name: fn.Name, Binary: binary, Handler: fn.Handler, Timeout: fn.Timeout, MemoryMB: fn.MemorySize, Env: env}
}

// parseReport finds the emulator's REPORT line of a cold start
// ("REPORT RequestId: ...\tDuration: 1.23 ms\t...\tInit Duration: 4.56 ms").
func parseReport(log string) (sample, bool) {
	for _, line := range strings.Split(log, "\n") {
		_, rest, ok := strings.Cut(line, "REPORT RequestId: ")
		if !ok {
			continue
		}
		var s sample
		var haveInit, haveDuration bool
		for _, field := range strings.Split(rest, "\t") {
			name, value, ok := strings.Cut(field, ": ")
			if !ok {
				continue
			}
			d, err := time.ParseDuration(strings.ReplaceAll(value, " ", ""))
			switch {
			case err != nil:
			case name == "Init Duration":
				s.init, haveInit = d, true
			case name == "Duration":
				s.first, haveDuration = d, true
			}
		}
		if haveInit && haveDuration {
			return s, true
		}
	}
	return sample{}, false
}

// firstEvent is the event of fn's first invocation: its sample of events/
// (the first by name, events/<folder>-*.json), or else an API Gateway v2
// event of its first route, without identity.
func firstEvent(root string, tmpl *samtemplate.Template, fn samtemplate.Function) ([]byte, error) {
	matches, err := filepath.Glob(filepath.Join(root, "events", filepath.Base(fn.CodeURI)+"-*.json"))
	if err != nil {
		return nil, err
	}
	if len(matches) > 0 {
		sort.Strings(matches)
		return os.ReadFile(matches[0])
	}
	for _, r := range tmpl.Routes {
		if r.Function == fn.LogicalID && r.Path != "" {
			return json.Marshal(routeEvent(r))
		}
	}
	return nil, fmt.Errorf("function %s: no sample event in events/ and no HttpApi route", fn.LogicalID)
}

// routeEvent is an API Gateway v2 event of a request to r, with each path
// parameter "x".
func routeEvent(r samtemplate.Route) events.APIGatewayV2HTTPRequest {
	method := r.Method
	if method == "ANY" {
		method = "GET"
	}
	params := map[string]string{}
	var segs []string
	for _, seg := range strings.Split(r.Path, "/") {
		if strings.HasPrefix(seg, "{") && strings.HasSuffix(seg, "}") {
			params[strings.TrimSuffix(strings.Trim(seg, "{}"), "+")] = "x"
			seg = "x"
		}
		segs = append(segs, seg)
	}
	path := strings.Join(segs, "/")
	ev := events.APIGatewayV2HTTPRequest{
		Version: "2.0", RouteKey: r.Key(), RawPath: path,
		Headers:        map[string]string{"accept": "application/json", "host": "127.0.0.1:3000"},
		PathParameters: params,
	}
	ev.RequestContext.HTTP.Method = method
	ev.RequestContext.HTTP.Path = path
	ev.RequestContext.HTTP.Protocol = "HTTP/1.1"
	ev.RequestContext.HTTP.SourceIP = "127.0.0.1"
	ev.RequestContext.RouteKey = r.Key()
	ev.RequestContext.Stage = "$default"
	ev.RequestContext.RequestID = "coldstart"
	return ev
}

func fileSize(path string) (int64, error) {
	st, err := os.Stat(path)
	if err != nil {
		return 0, err
	}
	return st.Size(), nil
}

// median of durations (the lower middle one of an even count).
func median(ds []time.Duration) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[(len(s)-1)/2]
}

func inits(ss []sample) []time.Duration {
	out := make([]time.Duration, len(ss))
	for i, s := range ss {
		out[i] = s.init
	}
	return out
}

func firsts(ss []sample) []time.Duration {
	out := make([]time.Duration, len(ss))
	for i, s := range ss {
		out[i] = s.first
	}
	return out
}

// The goals of issue 14.
const (
	goalInitRatio       = 1.3
	goalBinaryMB        = 10.0
	goalAuthorizerMB    = 8.0
	authorizerLogicalID = "AuthorizerFunction"
)

// printColdStart writes the table: per function the median init and first
// invocation, the ratios to the do-nothing function's medians of the same
// rounds, and the linux/arm64 binary size (MB = 10^6 bytes) against its
// goal; a "!" marks a figure over its goal.
func printColdStart(w io.Writer, results []result, nopSize int64, n int) {
	var allNop []sample
	for _, r := range results {
		allNop = append(allNop, r.nop...)
	}
	fmt.Fprintf(w, "cold starts, %d each, medians; init = exec until the first /next; ratios to the do-nothing function of the same rounds\n", n)
	fmt.Fprintf(w, "%-28s %9s %7s %9s %7s %9s\n", "function", "init", "×nop", "1st call", "×nop", "arm64 MB")
	fmt.Fprintf(w, "%-28s %9s %7s %9s %7s %9.2f\n", nopID, ms(median(inits(allNop))), "1.00", ms(median(firsts(allNop))), "1.00", mb(nopSize))
	worst := 0.0
	for _, r := range results {
		ratio := float64(median(inits(r.samples))) / float64(median(inits(r.nop)))
		firstRatio := float64(median(firsts(r.samples))) / float64(median(firsts(r.nop)))
		worst = max(worst, ratio)
		goal := goalBinaryMB
		if r.fn.LogicalID == authorizerLogicalID {
			goal = goalAuthorizerMB
		}
		fmt.Fprintf(w, "%-28s %9s %6.2f%s %9s %7.2f %8.2f%s\n", r.fn.LogicalID, ms(median(inits(r.samples))), ratio, mark(ratio > goalInitRatio),
			ms(median(firsts(r.samples))), firstRatio, mb(r.size), mark(mb(r.size) > goal))
	}
	fmt.Fprintf(w, "worst init ratio %.2f (goal ≤ %.1f); binaries: goal ≤ %.0f MB, the authorizer ≤ %.0f MB; ! marks a figure over its goal\n",
		worst, goalInitRatio, goalBinaryMB, goalAuthorizerMB)
}

func mark(over bool) string {
	if over {
		return "!"
	}
	return " "
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2fms", float64(d.Microseconds())/1000) }

func mb(bytes int64) float64 { return float64(bytes) / 1e6 }
