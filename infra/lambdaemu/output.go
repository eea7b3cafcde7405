package lambdaemu

import (
	"io"
	"os"
	"sync"
	"time"
)

// output carries a function process's stdout and stderr (one pipe) to the
// log, and can wait until what the process wrote so far has been logged:
// a function writes its lines before it posts its response, and the END
// and REPORT lines of that invocation must come after them, as in
// CloudWatch. (exec's own copying goroutine offers no such wait.)
type output struct {
	r, w *os.File
	dst  io.Writer

	mu      sync.Mutex
	copying bool // a chunk read from the pipe is being written to dst
	done    chan struct{}
}

// newOutput makes the pipe; the process gets w.
func newOutput(dst io.Writer) (*output, error) {
	r, w, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	o := &output{r: r, w: w, dst: dst, done: make(chan struct{})}
	go o.copy()
	return o, nil
}

func (o *output) copy() {
	defer close(o.done)
	buf := make([]byte, 32<<10)
	for {
		n, err := o.r.Read(buf)
		if n > 0 {
			o.mu.Lock()
			o.copying = true
			o.mu.Unlock()
			_, _ = o.dst.Write(buf[:n])
			o.mu.Lock()
			o.copying = false
			o.mu.Unlock()
		}
		if err != nil {
			return
		}
	}
}

// drain waits, at most max, until the pipe holds no unread byte and no
// chunk is being written to the log.
func (o *output) drain(max time.Duration) {
	deadline := time.Now().Add(max)
	for time.Now().Before(deadline) {
		n, err := pending(o.r)
		o.mu.Lock()
		busy := o.copying
		o.mu.Unlock()
		if err != nil || n == 0 && !busy {
			return
		}
		time.Sleep(time.Millisecond)
	}
}

// closeWriter closes the process's end once the process started (the
// process holds its own copy).
func (o *output) closeWriter() { _ = o.w.Close() }

// wait waits until the process's output has all been logged (the process
// ended, so the pipe ends).
func (o *output) wait() { <-o.done }
