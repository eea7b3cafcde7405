package lambdaemu

import (
	"context"
	"log"
	"sync"
	"time"

	"github.com/effektif-serverless/caseflow/infra/internal/logx"
)

// pool holds the instances of one function.
type pool struct {
	fn   Function
	opts Options
	log  *log.Logger

	tasks sync.WaitGroup // goroutines that watch instances and invocations

	mu   sync.Mutex
	all  map[*instance]struct{}
	idle []*instance // waiting for work in GET /next
	// finishing are the instances that answered their invocation and are
	// about to ask for the next: worth waiting for rather than starting
	// another instance.
	finishing map[*instance]struct{}
	changed   chan struct{} // closed and replaced whenever idle, finishing or all change
	closed    bool
	seq       int
}

func newPool(fn Function, opts Options) *pool {
	return &pool{
		fn:        fn,
		opts:      opts,
		log:       logx.New(opts.Log, fn.Name),
		all:       map[*instance]struct{}{},
		finishing: map[*instance]struct{}{},
		changed:   make(chan struct{}),
	}
}

// invoke runs one invocation on an instance.
func (p *pool) invoke(ctx context.Context, payload []byte) ([]byte, error) {
	inv := newInvocation(payload)
	for {
		inst, err := p.acquire(ctx)
		if err != nil {
			return nil, err
		}
		delivered, err := inst.deliver(ctx, inv)
		if err != nil {
			return nil, err
		}
		if !delivered {
			continue // the instance ended before it took the work: try another
		}
		select {
		case <-inv.done:
			return inv.response, inv.err
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

// acquire returns an idle instance, starting one if all are busy (and none
// is just finishing) and the cap allows, or else waiting for one to become
// idle. If the instance this call started fails to start, acquire returns
// why, instead of starting more that would fail the same way.
func (p *pool) acquire(ctx context.Context) (*instance, error) {
	var mine *instance // started by this call and not ready yet
	patient := true    // wait a little for finishing instances first
	for {
		if mine != nil && mine.isReady() {
			mine = nil // it joined the pool; whoever came first got it
		}
		p.mu.Lock()
		if p.closed {
			p.mu.Unlock()
			return nil, ErrClosed
		}
		if n := len(p.idle); n > 0 {
			inst := p.idle[n-1] // the most recently used: warmest
			p.idle = p.idle[:n-1]
			p.mu.Unlock()
			return inst, nil
		}
		mayStart := mine == nil && len(p.all) < p.fn.MaxInstances
		if mayStart && (len(p.finishing) == 0 || !patient) {
			p.seq++
			inst := newInstance(p, p.seq)
			p.all[inst] = struct{}{}
			p.mu.Unlock()
			if err := inst.start(); err != nil {
				p.remove(inst)
				return nil, err
			}
			mine = inst
			continue
		}
		changed := p.changed
		p.mu.Unlock()
		var exited <-chan struct{}
		if mine != nil {
			exited = mine.exited
		}
		var impatient <-chan time.Time
		if mayStart {
			impatient = time.After(finishingPatience)
		}
		select {
		case <-changed:
		case <-impatient:
			patient = false
		case <-exited:
			if !mine.isReady() {
				return nil, mine.startError()
			}
			mine = nil
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

// finishingPatience is how long acquire waits for an instance that has
// just answered to ask for more work, before it starts another instance.
const finishingPatience = 200 * time.Millisecond

// finish notes that inst answered its invocation.
func (p *pool) finish(inst *instance) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if _, ok := p.all[inst]; ok {
		p.finishing[inst] = struct{}{}
	}
}

// park makes inst available for work.
func (p *pool) park(inst *instance) {
	p.mu.Lock()
	defer p.mu.Unlock()
	delete(p.finishing, inst)
	if p.closed || inst.hasExited() {
		p.broadcast()
		return
	}
	p.idle = append(p.idle, inst)
	p.broadcast()
}

// remove forgets an instance that has exited.
func (p *pool) remove(inst *instance) {
	p.mu.Lock()
	defer p.mu.Unlock()
	delete(p.all, inst)
	delete(p.finishing, inst)
	for i, idle := range p.idle {
		if idle == inst {
			p.idle = append(p.idle[:i], p.idle[i+1:]...)
			break
		}
	}
	p.broadcast()
}

// broadcast wakes everyone waiting in acquire. p.mu must be held.
func (p *pool) broadcast() {
	close(p.changed)
	p.changed = make(chan struct{})
}

// track runs f in a goroutine that close waits for; it reports false, and
// runs nothing, once the pool is closed.
func (p *pool) track(f func()) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return false
	}
	p.tasks.Add(1)
	go func() {
		defer p.tasks.Done()
		f()
	}()
	return true
}

func (p *pool) isClosed() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.closed
}

// close kills all instances and waits for them to exit and for their
// last log lines.
func (p *pool) close() {
	p.mu.Lock()
	p.closed = true
	p.broadcast()
	all := make([]*instance, 0, len(p.all))
	for inst := range p.all {
		all = append(all, inst)
	}
	p.mu.Unlock()
	for _, inst := range all {
		inst.kill()
	}
	p.tasks.Wait()
}
