package ldaptest

import (
	"net"
	"sync"
	"sync/atomic"
)

// Fake is a TCP server on loopback that is no directory, for the tests of
// unreachable and refused directories: it counts the connections it
// accepts and answers each with its answer and a close or, when silent,
// keeps it open without a word.
type Fake struct {
	// Addr is its host:port.
	Addr     string
	l        net.Listener
	accepted atomic.Int32
	mu       sync.Mutex
	open     []net.Conn
}

// StartFake starts a Fake; Close stops it.
func StartFake(answer string, silent bool) (*Fake, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	f := &Fake{Addr: l.Addr().String(), l: l}
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			f.accepted.Add(1)
			if silent {
				f.mu.Lock()
				f.open = append(f.open, c)
				f.mu.Unlock()
				continue
			}
			_, _ = c.Write([]byte(answer))
			c.Close()
		}
	}()
	return f, nil
}

// Accepted is the number of connections accepted so far.
func (f *Fake) Accepted() int { return int(f.accepted.Load()) }

// Close stops listening and closes the connections kept open.
func (f *Fake) Close() {
	f.l.Close()
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, c := range f.open {
		c.Close()
	}
}
