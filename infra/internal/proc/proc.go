// Package proc runs the child processes of the local stack (DynamoDB Local,
// the S3 and SES emulators, function instances) so that none outlives us:
// each runs in its own process group, which Stop and Kill signal as a whole;
// on Linux the kernel kills it if this process dies; and SIGINT or SIGTERM
// to this process first stops every child still running.
package proc

import (
	"os"
	"os/exec"
	"os/signal"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// Process is a running child process.
type Process struct {
	cmd  *exec.Cmd
	done chan struct{}
	err  error
}

// Start starts cmd in its own process group and registers it for cleanup.
// cmd must not have been started; its SysProcAttr is replaced.
func Start(cmd *exec.Cmd) (*Process, error) {
	cmd.SysProcAttr = sysProcAttr()
	if cmd.WaitDelay == 0 {
		cmd.WaitDelay = 2 * time.Second // don't hang on pipes held by grandchildren
	}
	watchSignals()
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	p := &Process{cmd: cmd, done: make(chan struct{})}
	register(p)
	go func() {
		p.err = cmd.Wait()
		unregister(p)
		close(p.done)
	}()
	return p, nil
}

// Pid is the process ID, which is also its process group ID.
func (p *Process) Pid() int { return p.cmd.Process.Pid }

// Done is closed when the process has exited.
func (p *Process) Done() <-chan struct{} { return p.done }

// Err is how the process ended (nil for exit status 0); valid once Done is
// closed.
func (p *Process) Err() error { return p.err }

// Exited reports whether the process has exited.
func (p *Process) Exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// Stop sends SIGTERM to the process group, then SIGKILL if the process has
// not exited after grace, and waits for it to exit.
func (p *Process) Stop(grace time.Duration) {
	p.signal(syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(grace):
		p.Kill()
	}
}

// Kill sends SIGKILL to the process group and waits for the process to exit.
func (p *Process) Kill() {
	p.signal(syscall.SIGKILL)
	<-p.done
}

func (p *Process) signal(sig syscall.Signal) {
	if !p.Exited() {
		_ = syscall.Kill(-p.Pid(), sig) // the whole group
	}
}

var (
	mu       sync.Mutex
	running  = map[*Process]struct{}{}
	watching sync.Once
	// programHandles is set when the program ends itself on the signals.
	programHandles atomic.Bool
)

// ProgramHandlesSignals tells the package that the program itself listens
// for SIGINT and SIGTERM (signal.NotifyContext) and ends on them: the
// package still stops every child on these signals, but does not deliver
// the signal again.
func ProgramHandlesSignals() { programHandles.Store(true) }

func register(p *Process) {
	mu.Lock()
	defer mu.Unlock()
	running[p] = struct{}{}
}

func unregister(p *Process) {
	mu.Lock()
	defer mu.Unlock()
	delete(running, p)
}

// StopAll stops every running child, each as Stop does, in parallel.
func StopAll(grace time.Duration) {
	mu.Lock()
	all := make([]*Process, 0, len(running))
	for p := range running {
		all = append(all, p)
	}
	mu.Unlock()
	var wg sync.WaitGroup
	for _, p := range all {
		wg.Add(1)
		go func() {
			defer wg.Done()
			p.Stop(grace)
		}()
	}
	wg.Wait()
}

// watchSignals arranges, once, that SIGINT and SIGTERM stop all children
// and are then delivered again, which ends the program as it would have
// ended without us (unless ProgramHandlesSignals was called).
func watchSignals() {
	watching.Do(func() {
		c := make(chan os.Signal, 1)
		signal.Notify(c, syscall.SIGINT, syscall.SIGTERM)
		go func() {
			sig := <-c
			StopAll(2 * time.Second)
			signal.Stop(c)
			if !programHandles.Load() {
				_ = syscall.Kill(os.Getpid(), sig.(syscall.Signal))
			}
		}()
	})
}
