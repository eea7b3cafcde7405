package lambdaemu

import (
	"bytes"
	"strings"
	"sync"
	"testing"
	"time"
)

// slowWriter logs slowly, so that without drain the END line would come
// before the output.
type slowWriter struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (s *slowWriter) Write(p []byte) (int, error) {
	time.Sleep(20 * time.Millisecond)
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.buf.Write(p)
}

// now writes at once (the emulator's own END line).
func (s *slowWriter) now(line string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.buf.WriteString(line)
}

func (s *slowWriter) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.buf.String()
}

func TestOutputDrainsBeforeTheEndLine(t *testing.T) {
	log := &slowWriter{}
	o, err := newOutput(log)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 3; i++ {
		if _, err := o.w.WriteString("line of the invocation\n"); err != nil {
			t.Fatal(err)
		}
	}
	o.drain(time.Second)
	log.now("END\n")
	if got := log.String(); !strings.HasSuffix(got, "line of the invocation\nEND\n") || strings.Count(got, "line of") != 3 {
		t.Errorf("log %q", got)
	}
	o.closeWriter()
	o.wait()
}
