package lambdaemu

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	"github.com/effektif-serverless/caseflow/infra/internal/logx"
	"github.com/effektif-serverless/caseflow/infra/internal/proc"
)

// instance is one process of a function, with its own Runtime API server.
type instance struct {
	pool *pool
	seq  int
	work chan *invocation // taken by the instance's GET /next

	startedAt    time.Time
	ready        chan struct{} // closed on the first GET /next
	readyOnce    sync.Once
	initDuration time.Duration
	exited       chan struct{} // closed once the process is gone

	srv *http.Server
	// proc is set by start, under mu; goroutines that start later read it
	// directly.
	proc *proc.Process
	out  *logx.LineWriter
	// pipe carries the process's output to out (see output).
	pipe *output

	mu       sync.Mutex
	current  *invocation
	served   int
	startErr *FunctionError // why it ended before becoming ready, if known
}

func newInstance(p *pool, seq int) *instance {
	return &instance{
		pool:   p,
		seq:    seq,
		work:   make(chan *invocation),
		ready:  make(chan struct{}),
		exited: make(chan struct{}),
		out:    logx.NewLineWriter(p.opts.Log, p.fn.Name),
	}
}

// start serves the Runtime API on a free loopback port and starts the
// process, pointed at it.
func (i *instance) start() error {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	i.srv = &http.Server{Handler: i.runtimeAPI(), ReadHeaderTimeout: 10 * time.Second}
	i.startedAt = time.Now()
	go func() { _ = i.srv.Serve(ln) }()

	fn := i.pool.fn
	cmd := exec.Command(fn.Binary)
	cmd.Dir = filepath.Dir(fn.Binary)
	cmd.Env = i.environ(ln.Addr().String())
	pipe, err := newOutput(i.out)
	if err != nil {
		i.srv.Close()
		return err
	}
	i.pipe = pipe
	cmd.Stdout, cmd.Stderr = pipe.w, pipe.w
	p, err := proc.Start(cmd)
	pipe.closeWriter()
	if err != nil {
		i.srv.Close()
		return fmt.Errorf("function %s: start %s: %w", fn.Name, fn.Binary, err)
	}
	i.mu.Lock()
	i.proc = p
	i.mu.Unlock()
	if !i.pool.track(i.watch) {
		i.proc.Kill()
		i.srv.Close()
		return ErrClosed
	}
	return nil
}

// environ is the process environment: Lambda's variables, then the
// function's own.
func (i *instance) environ(runtimeAPI string) []string {
	fn, region := i.pool.fn, i.pool.opts.Region
	dir := filepath.Dir(fn.Binary)
	env := []string{
		"PATH=" + os.Getenv("PATH"),
		"LANG=en_US.UTF-8",
		"TZ=:UTC",
		"LAMBDA_TASK_ROOT=" + dir,
		"LAMBDA_RUNTIME_DIR=" + dir,
		"_HANDLER=" + fn.Handler,
		"AWS_LAMBDA_RUNTIME_API=" + runtimeAPI,
		"AWS_LAMBDA_FUNCTION_NAME=" + fn.Name,
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE=" + strconv.Itoa(fn.MemoryMB),
		"AWS_LAMBDA_FUNCTION_VERSION=$LATEST",
		"AWS_LAMBDA_INITIALIZATION_TYPE=on-demand",
		"AWS_LAMBDA_LOG_GROUP_NAME=/aws/lambda/" + fn.Name,
		"AWS_LAMBDA_LOG_STREAM_NAME=" + time.Now().UTC().Format("2006/01/02") + "/[$LATEST]" + randomHex(16),
		"AWS_REGION=" + region,
		"AWS_DEFAULT_REGION=" + region,
	}
	return append(env, fn.Env...)
}

// watch enforces the init timeout and cleans up when the process ends.
func (i *instance) watch() {
	timer := time.NewTimer(i.pool.opts.InitTimeout)
	select {
	case <-i.ready:
	case <-i.proc.Done():
	case <-timer.C:
		i.setStartErr(newFunctionError(i.pool.fn.Name, TypeInit,
			fmt.Sprintf("the runtime did not ask for work within %s of starting", i.pool.opts.InitTimeout)))
		i.proc.Kill()
	}
	timer.Stop()
	<-i.proc.Done()
	i.pipe.wait()
	i.out.Flush()
	if err := i.proc.Err(); err != nil && !i.pool.isClosed() {
		i.pool.log.Printf("instance %d exited: %v", i.seq, err)
	}
	i.srv.Close()
	i.pool.remove(i)
	close(i.exited)
}

// deliver hands inv to the instance, which must be idle, and supervises
// it. It reports false if the instance ended before taking it.
func (i *instance) deliver(ctx context.Context, inv *invocation) (bool, error) {
	inv.deadline = time.Now().Add(i.pool.fn.Timeout)
	select {
	case i.work <- inv:
		if !i.pool.track(func() { i.supervise(inv) }) {
			inv.complete(nil, ErrClosed)
		}
		return true, nil
	case <-i.exited:
		return false, nil
	case <-ctx.Done():
		i.pool.park(i) // still waiting for work: give it back
		return false, ctx.Err()
	}
}

// supervise ends inv when the instance crashes or the deadline passes
// (killing the instance), and logs the END and REPORT lines.
func (i *instance) supervise(inv *invocation) {
	fn := i.pool.fn
	timer := time.NewTimer(time.Until(inv.deadline))
	defer timer.Stop()
	select {
	case <-inv.done:
	case <-i.exited:
		inv.complete(nil, newFunctionError(fn.Name, TypeExit,
			fmt.Sprintf("RequestId: %s Error: Runtime exited with error: %v", inv.id, i.proc.Err())))
	case <-timer.C:
		msg := fmt.Sprintf("RequestId: %s Error: Task timed out after %.2f seconds", inv.id, fn.Timeout.Seconds())
		if inv.complete(nil, newFunctionError(fn.Name, TypeTimeout, msg)) {
			i.pool.log.Print(msg)
			i.kill()
		}
	}
	took := time.Since(inv.deadline.Add(-fn.Timeout))
	report := fmt.Sprintf("REPORT RequestId: %s\tDuration: %.2f ms\tMemory Size: %d MB", inv.id, float64(took.Microseconds())/1000, fn.MemoryMB)
	if i.takeColdStart() {
		report += fmt.Sprintf("\tInit Duration: %.2f ms", float64(i.initDuration.Microseconds())/1000)
	}
	// The lines the function wrote for this invocation come first.
	i.pipe.drain(100 * time.Millisecond)
	i.pool.log.Printf("END RequestId: %s", inv.id)
	i.pool.log.Print(report)
}

// takeColdStart reports whether this was the instance's first invocation.
func (i *instance) takeColdStart() bool {
	i.mu.Lock()
	defer i.mu.Unlock()
	i.served++
	return i.served == 1
}

func (i *instance) kill() {
	i.mu.Lock()
	p := i.proc
	i.mu.Unlock()
	if p != nil { // nil while it starts; start sees the pool closed then
		p.Kill()
	}
}

func (i *instance) isReady() bool {
	select {
	case <-i.ready:
		return true
	default:
		return false
	}
}

func (i *instance) hasExited() bool {
	select {
	case <-i.exited:
		return true
	default:
		return false
	}
}

func (i *instance) setStartErr(err *FunctionError) {
	i.mu.Lock()
	defer i.mu.Unlock()
	if i.startErr == nil {
		i.startErr = err
	}
}

// startError says why an instance ended before it became ready.
func (i *instance) startError() error {
	i.mu.Lock()
	defer i.mu.Unlock()
	if i.startErr != nil {
		return i.startErr
	}
	return newFunctionError(i.pool.fn.Name, TypeExit, fmt.Sprintf("Runtime exited without providing a reason: %v", i.proc.Err()))
}
