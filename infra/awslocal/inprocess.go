package awslocal

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"time"
)

// inProcess is an emulator served by this process (S3, SES) on 127.0.0.1.
type inProcess struct {
	name     string
	endpoint string
	server   *http.Server
}

// serveInProcess serves h on 127.0.0.1:port, a free port when port is 0.
func serveInProcess(name string, port int, h http.Handler) (*inProcess, error) {
	l, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	s := &inProcess{
		name:     name,
		endpoint: "http://" + l.Addr().String(),
		server:   &http.Server{Handler: h, ReadHeaderTimeout: 30 * time.Second},
	}
	go func() { _ = s.server.Serve(l) }()
	return s, nil
}

// stop lets requests in flight finish (for up to two seconds), then closes.
func (s *inProcess) stop() {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if s.server.Shutdown(ctx) != nil {
		_ = s.server.Close()
	}
}

// closerFunc is a function as an io.Closer.
type closerFunc func() error

func (f closerFunc) Close() error { return f() }
