package engine

import (
	"strconv"
	"sync"
	"testing"

	"github.com/effektif-serverless/caseflow/shared/workflow"
)

// cacheWorkflows are n distinct workflows; workflow i has id "w<i>".
func cacheWorkflows(t testing.TB, n int) []*workflow.Workflow {
	wfs := make([]*workflow.Workflow, n)
	for i := range wfs {
		wfs[i] = seq(t, "", "{`type`:`task`,`id`:`task`}")
		wfs[i].ID = "w" + strconv.Itoa(i)
	}
	return wfs
}

func TestCacheEvictsLeastRecentlyUsed(t *testing.T) {
	wfs := cacheWorkflows(t, 3)
	c := NewCache(2)
	a := c.Get("a", wfs[0])
	b := c.Get("b", wfs[1])
	if a == nil || b == nil || a.Workflow() != wfs[0] || b.Workflow() != wfs[1] {
		t.Fatalf("Get compiled the wrong workflows: %v, %v", a, b)
	}
	// A key held is not compiled again, whatever workflow is passed; this
	// makes a the most recently used.
	if got := c.Get("a", wfs[2]); got != a {
		t.Fatalf("Get(a) again = %p, want the first compilation %p", got, a)
	}
	cc := c.Get("c", wfs[2]) // evicts b, the least recently used
	if n := c.Len(); n != 2 {
		t.Fatalf("Len = %d after three keys in a cache of 2", n)
	}
	if got := c.Get("a", wfs[0]); got != a {
		t.Fatal("a was evicted, but b was the least recently used")
	}
	b2 := c.Get("b", wfs[1]) // compiled again; evicts c (a was used since)
	if b2 == b {
		t.Fatal("b was still held after it was evicted")
	}
	if b2.Workflow() != wfs[1] {
		t.Fatalf("b compiled again from %v", b2.Workflow().ID)
	}
	if got := c.Get("a", wfs[0]); got != a {
		t.Fatal("a was evicted instead of c")
	}
	if got := c.Get("c", wfs[2]); got == cc {
		t.Fatal("c was still held; it should have been evicted for b")
	}
}

func TestCacheNeverHoldsMoreThanItsSize(t *testing.T) {
	wfs := cacheWorkflows(t, 10)
	for _, size := range []int{1, 3, 7} {
		c := NewCache(size)
		for i := 0; i < 100; i++ {
			k := (i * 7) % len(wfs) // revisits keys in a changing order
			if got := c.Get(strconv.Itoa(k), wfs[k]); got.Workflow() != wfs[k] {
				t.Fatalf("size %d: key %d gave workflow %s", size, k, got.Workflow().ID)
			}
			if n := c.Len(); n > size {
				t.Fatalf("size %d: Len = %d", size, n)
			}
		}
		if n := c.Len(); n != size {
			t.Errorf("size %d: Len = %d after more keys than that", size, n)
		}
	}
}

func TestCacheDefaultSizeAndNil(t *testing.T) {
	wf := seq(t, "", "{`type`:`task`,`id`:`task`}")
	var zero Cache
	for _, c := range []*Cache{&zero, NewCache(0), NewCache(-1)} {
		for i := 0; i < DefaultCacheSize+5; i++ {
			c.Get(strconv.Itoa(i), wf)
		}
		if n := c.Len(); n != DefaultCacheSize {
			t.Errorf("Len = %d, want DefaultCacheSize %d", n, DefaultCacheSize)
		}
		if got := c.Get("nil", nil); got != nil {
			t.Errorf("Get with a nil workflow = %v", got)
		}
		if got := c.Get("nil", wf); got == nil || got.Workflow() != wf {
			t.Error("the nil workflow was kept under its key")
		}
	}
}

// TestCacheConcurrentUse gets and runs compiled workflows from many
// goroutines (go test -race): every Get returns its own key's workflow,
// the cache stays within its size, and callers of one key that is never
// evicted share one compilation.
func TestCacheConcurrentUse(t *testing.T) {
	wfs := cacheWorkflows(t, 8)
	wfs = append(wfs, parseWF(t, benchWorkflowJSON))
	const size = 4
	c := NewCache(size)
	shared := NewCache(len(wfs))
	var mu sync.Mutex
	first := map[string]*Compiled{}
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			e := &Engine{}
			for i := 0; i < 200; i++ {
				k := (g + i*3) % len(wfs)
				key := strconv.Itoa(k)
				got := c.Get(key, wfs[k])
				if got.Workflow() != wfs[k] {
					t.Errorf("key %d gave workflow %s", k, got.Workflow().ID)
					return
				}
				if n := c.Len(); n > size {
					t.Errorf("Len = %d > %d", n, size)
					return
				}
				if _, _, err := e.StartCompiled(got, "", Trigger{}); err != nil {
					t.Errorf("StartCompiled(%d): %v", k, err)
					return
				}
				s := shared.Get(key, wfs[k])
				mu.Lock()
				if f, ok := first[key]; !ok {
					first[key] = s
				} else if f != s {
					t.Errorf("key %d compiled twice in a cache that never evicts", k)
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if n := c.Len(); n != size {
		t.Errorf("Len = %d at the end, want %d", n, size)
	}
}

// TestCacheConcurrentFirstGetsShareOneCompilation starts the callers of a
// new key at once: whichever compiles first is stored, and every caller
// gets that one.
func TestCacheConcurrentFirstGetsShareOneCompilation(t *testing.T) {
	wf := parseWF(t, benchWorkflowJSON)
	const keys, callers = 40, 6
	c := NewCache(keys)
	for k := 0; k < keys; k++ {
		key := strconv.Itoa(k)
		got := make([]*Compiled, callers)
		start := make(chan struct{})
		var wg sync.WaitGroup
		for i := range got {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				got[i] = c.Get(key, wf)
			}()
		}
		close(start)
		wg.Wait()
		for i := range got {
			if got[i] != got[0] {
				t.Fatalf("key %s: callers got different compilations", key)
			}
		}
		if n := c.Len(); n != k+1 {
			t.Fatalf("Len = %d after %d keys", n, k+1)
		}
	}
}
