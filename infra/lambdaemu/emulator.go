// Package lambdaemu runs Lambda functions locally the way Lambda does: each
// instance of a function is its own OS process running the function's
// bootstrap binary, which fetches invocations from an emulated Lambda
// Runtime API (2018-06-01) and posts back the response or error. One
// instance handles one invocation at a time; a function gets a pool of
// instances, started on demand (cold starts) up to a cap, so concurrent
// invocations really run concurrently. The function timeout is enforced by
// killing the instance; an instance that exits is replaced on demand.
package lambdaemu

import (
	"context"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/effektif-serverless/caseflow/infra/internal/logx"
)

// Function is a function the emulator can run.
type Function struct {
	// Name is the function name (AWS_LAMBDA_FUNCTION_NAME) and the
	// prefix of its log lines.
	Name string
	// ARN is passed to the runtime as the invoked function ARN.
	ARN string
	// Binary is the bootstrap executable.
	Binary string
	// Handler is passed as _HANDLER; "bootstrap" when empty.
	Handler string
	// Timeout is the function timeout; 3 s when zero.
	Timeout time.Duration
	// MemoryMB is the configured memory size; 128 when zero.
	MemoryMB int
	// Env is added to the instances' environment after the Lambda
	// variables, as KEY=value: the template's variables, credentials and
	// endpoints.
	Env []string
	// MaxInstances caps concurrent instances; Options.MaxInstances when 0.
	MaxInstances int
}

// Options configure an Emulator. The zero value is usable.
type Options struct {
	// Log receives the functions' output and START/REPORT lines, each
	// prefixed with [FunctionName].
	Log io.Writer
	// Region is AWS_REGION and AWS_DEFAULT_REGION; us-east-1 when empty.
	Region string
	// MaxInstances is the default cap of instances per function; 4 when 0.
	MaxInstances int
	// InitTimeout bounds the start of an instance, until its first request
	// for work; 10 s when zero (Lambda's init limit).
	InitTimeout time.Duration
}

// Emulator runs functions. Its methods are safe for concurrent use.
type Emulator struct {
	opts   Options
	mu     sync.Mutex
	pools  map[string]*pool
	closed bool
}

// New returns an Emulator with no functions.
func New(opts Options) *Emulator {
	opts.Log = logx.Sync(opts.Log)
	if opts.Region == "" {
		opts.Region = "us-east-1"
	}
	if opts.MaxInstances <= 0 {
		opts.MaxInstances = 4
	}
	if opts.InitTimeout <= 0 {
		opts.InitTimeout = 10 * time.Second
	}
	return &Emulator{opts: opts, pools: map[string]*pool{}}
}

// Add registers fn under id (the name Invoke takes, such as the logical
// ID). No process starts until the first invocation.
func (e *Emulator) Add(id string, fn Function) error {
	if fn.Timeout <= 0 {
		fn.Timeout = 3 * time.Second
	}
	if fn.MemoryMB <= 0 {
		fn.MemoryMB = 128
	}
	if fn.Handler == "" {
		fn.Handler = "bootstrap"
	}
	if fn.MaxInstances <= 0 {
		fn.MaxInstances = e.opts.MaxInstances
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		return ErrClosed
	}
	if _, dup := e.pools[id]; dup {
		return fmt.Errorf("lambdaemu: function %s added twice", id)
	}
	e.pools[id] = newPool(fn, e.opts)
	return nil
}

// Invoke runs the function registered as id on payload (a JSON event) and
// returns its response. A failure of the function is a *FunctionError.
// When ctx ends first Invoke returns ctx.Err(), while the function goes on
// to the end of the invocation (or its timeout), as in Lambda.
func (e *Emulator) Invoke(ctx context.Context, id string, payload []byte) ([]byte, error) {
	e.mu.Lock()
	p, ok := e.pools[id]
	e.mu.Unlock()
	if !ok {
		return nil, fmt.Errorf("lambdaemu: no function %s", id)
	}
	if len(payload) > MaxPayload {
		return nil, ErrRequestTooLarge
	}
	return p.invoke(ctx, payload)
}

// Processes returns the PIDs of the running instances of the function
// registered as id (none before its first invocation).
func (e *Emulator) Processes(id string) []int {
	e.mu.Lock()
	p, ok := e.pools[id]
	e.mu.Unlock()
	if !ok {
		return nil
	}
	p.mu.Lock()
	all := make([]*instance, 0, len(p.all))
	for inst := range p.all {
		all = append(all, inst)
	}
	p.mu.Unlock()
	var out []int
	for _, inst := range all {
		inst.mu.Lock()
		if inst.proc != nil && !inst.proc.Exited() {
			out = append(out, inst.proc.Pid())
		}
		inst.mu.Unlock()
	}
	return out
}

// Close kills every instance. Invocations in flight fail; later ones
// return ErrClosed. It is safe to call more than once.
func (e *Emulator) Close() {
	e.mu.Lock()
	e.closed = true
	pools := e.pools
	e.mu.Unlock()
	var wg sync.WaitGroup
	for _, p := range pools {
		wg.Add(1)
		go func() {
			defer wg.Done()
			p.close()
		}()
	}
	wg.Wait()
}
