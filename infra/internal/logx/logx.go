// Package logx provides the plain, prefixed log lines of the local stack:
// every component and every function process writes whole lines, prefixed
// with its name, to one shared writer.
package logx

import (
	"bytes"
	"io"
	"log"
	"sync"
)

// Sync returns a writer that serializes the Writes to w, so lines written
// from several goroutines never interleave. Sync of a synced writer returns
// it unchanged.
func Sync(w io.Writer) io.Writer {
	if w == nil {
		return io.Discard
	}
	if _, ok := w.(*syncWriter); ok {
		return w
	}
	return &syncWriter{w: w}
}

type syncWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}

// New returns a logger writing lines prefixed with "[name] " to w.
func New(w io.Writer, name string) *log.Logger {
	return log.New(w, "["+name+"] ", log.Lmsgprefix)
}

// LineWriter prefixes every line written to it and passes whole lines on,
// one Write each. Call Flush at the end to pass on an unterminated line.
type LineWriter struct {
	mu     sync.Mutex
	w      io.Writer
	prefix []byte
	buf    []byte
}

// NewLineWriter returns a LineWriter writing to w with "[name] " before
// every line.
func NewLineWriter(w io.Writer, name string) *LineWriter {
	return &LineWriter{w: w, prefix: []byte("[" + name + "] ")}
}

// Write implements io.Writer.
func (l *LineWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.buf = append(l.buf, p...)
	for {
		i := bytes.IndexByte(l.buf, '\n')
		if i < 0 {
			break
		}
		if i > 0 { // blank lines carry nothing worth a prefix
			if err := l.emit(l.buf[:i+1]); err != nil {
				return len(p), err
			}
		}
		l.buf = l.buf[i+1:]
	}
	if len(l.buf) == 0 {
		l.buf = nil // let a large, fully written buffer go
	}
	return len(p), nil
}

// Flush writes out a pending unterminated line.
func (l *LineWriter) Flush() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.buf) == 0 {
		return nil
	}
	err := l.emit(append(l.buf, '\n'))
	l.buf = nil
	return err
}

func (l *LineWriter) emit(line []byte) error {
	out := make([]byte, 0, len(l.prefix)+len(line))
	_, err := l.w.Write(append(append(out, l.prefix...), line...))
	return err
}

// Buffer is a bytes.Buffer safe for concurrent Writes and Strings: tests
// collect a stack's logs in one while reading them.
type Buffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

// Write implements io.Writer.
func (b *Buffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// String returns what was written so far.
func (b *Buffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
