package awslocal

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os/exec"
	"strconv"
	"time"

	"github.com/effektif-serverless/caseflow/infra/internal/logx"
	"github.com/effektif-serverless/caseflow/infra/internal/proc"
)

// serverSpec says how to run one emulator.
type serverSpec struct {
	name string
	// command builds the command that serves on 127.0.0.1:port.
	command func(port int) *exec.Cmd
	// readyPath is fetched until the server answers with any HTTP status.
	readyPath string
}

// server is a running emulator.
type server struct {
	name     string
	endpoint string // http://127.0.0.1:port
	proc     *proc.Process
	out      *logx.LineWriter
}

// errExitedEarly means the server process ended before it answered: with a
// port of our choosing, most likely someone took the port meanwhile.
var errExitedEarly = errors.New("exited before it answered")

const startTimeout = 90 * time.Second

// startServer starts spec on port, or on a free port when port is 0 (trying
// another one if the first is taken meanwhile), and waits until it answers.
func startServer(ctx context.Context, spec serverSpec, port int, log io.Writer) (*server, error) {
	if port != 0 {
		if err := checkPortFree(port); err != nil {
			return nil, fmt.Errorf("%s: %w", spec.name, err)
		}
		return tryServer(ctx, spec, port, log)
	}
	for attempt := 1; ; attempt++ {
		p, err := FreePort()
		if err != nil {
			return nil, err
		}
		s, err := tryServer(ctx, spec, p, log)
		if err == nil || attempt == 3 || !errors.Is(err, errExitedEarly) {
			return s, err
		}
	}
}

func tryServer(ctx context.Context, spec serverSpec, port int, log io.Writer) (*server, error) {
	s := &server{
		name:     spec.name,
		endpoint: "http://127.0.0.1:" + strconv.Itoa(port),
		out:      logx.NewLineWriter(log, spec.name),
	}
	cmd := spec.command(port)
	cmd.Stdout, cmd.Stderr = s.out, s.out
	var err error
	if s.proc, err = proc.Start(cmd); err != nil {
		return nil, fmt.Errorf("%s: %w", spec.name, err)
	}
	if err := s.waitReady(ctx, spec.readyPath); err != nil {
		s.stop()
		return nil, fmt.Errorf("%s on port %d: %w", spec.name, port, err)
	}
	return s, nil
}

func (s *server) waitReady(ctx context.Context, path string) error {
	client := &http.Client{Timeout: 2 * time.Second}
	deadline := time.NewTimer(startTimeout)
	defer deadline.Stop()
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, s.endpoint+path, nil)
		if resp, err := client.Do(req); err == nil {
			resp.Body.Close()
			return nil
		}
		select {
		case <-s.proc.Done():
			return fmt.Errorf("%w (%v)", errExitedEarly, s.proc.Err())
		case <-ctx.Done():
			return ctx.Err()
		case <-deadline.C:
			return fmt.Errorf("no answer after %s", startTimeout)
		case <-tick.C:
		}
	}
}

func (s *server) stop() {
	s.proc.Stop(3 * time.Second)
	s.out.Flush()
}

// FreePort returns a TCP port that is free on 127.0.0.1 right now.
func FreePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func checkPortFree(port int) error {
	l, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(port))
	if err != nil {
		return fmt.Errorf("port %d on 127.0.0.1 is not free: %w", port, err)
	}
	return l.Close()
}
