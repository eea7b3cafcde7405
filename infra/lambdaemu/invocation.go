package lambdaemu

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"sync"
	"time"
)

// invocation is one call of a function, from delivery to result.
type invocation struct {
	id       string
	traceID  string
	payload  []byte
	deadline time.Time // set on delivery

	once     sync.Once
	done     chan struct{}
	response []byte
	err      error
}

func newInvocation(payload []byte) *invocation {
	return &invocation{id: newRequestID(), traceID: newTraceID(), payload: payload, done: make(chan struct{})}
}

// complete records the result; only the first call counts. It reports
// whether this call was the first.
func (inv *invocation) complete(response []byte, err error) (first bool) {
	inv.once.Do(func() {
		inv.response, inv.err = response, err
		close(inv.done)
		first = true
	})
	return first
}

// newRequestID returns a random UUID, as Lambda request IDs are.
func newRequestID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}

// newTraceID returns an X-Ray trace header value.
func newTraceID() string {
	return fmt.Sprintf("Root=1-%08x-%s;Parent=%s;Sampled=0", time.Now().Unix(), randomHex(12), randomHex(8))
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
