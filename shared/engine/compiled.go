package engine

import (
	"container/list"
	"slices"
	"sync"

	"github.com/effektif-serverless/caseflow/shared/workflow"
)

// Compiled is a workflow indexed for execution and validated, once. The
// operations' Compiled forms (StartCompiled, MessageCompiled, ...) take it
// instead of the workflow and give the same results, so an application
// that runs many operations on one workflow version compiles and
// validates it once (see Cache). A Compiled is only read by the
// operations and is safe for concurrent use; the workflow it was compiled
// from must not change afterwards.
type Compiled struct {
	g      *graph
	issues []Issue
}

// Compile indexes and validates wf for the Compiled operations; nil for a
// nil workflow (whose operations fail as Start's does).
func Compile(wf *workflow.Workflow) *Compiled {
	if wf == nil {
		return nil
	}
	c := uncheckedCompile(wf)
	c.issues = validate(c.g)
	return c
}

// uncheckedCompile indexes wf without validating it: the operations other
// than Start never validated.
func uncheckedCompile(wf *workflow.Workflow) *Compiled { return &Compiled{g: compile(wf)} }

// Workflow is the workflow c was compiled from.
func (c *Compiled) Workflow() *workflow.Workflow { return c.g.wf }

// Issues are what Validate reports for the workflow (a copy).
func (c *Compiled) Issues() []Issue { return slices.Clone(c.issues) }

// DefaultCacheSize is the number of workflows a zero Cache keeps.
const DefaultCacheSize = 128

// Cache keeps compiled workflows by a key the application chooses, which
// must name one immutable workflow (a published version's id, within its
// organization): Get compiles the workflow of a key it does not hold and
// otherwise returns what it compiled before, without looking at the
// workflow passed. It keeps at most its size (DefaultCacheSize when 0)
// and drops the least recently used beyond that. The zero value is ready
// to use; a Cache is safe for concurrent use and must not be copied after
// first use.
type Cache struct {
	// Size bounds the workflows kept; set it before first use.
	Size int

	mu      sync.Mutex
	entries map[string]*list.Element // of *cacheEntry
	lru     list.List                // most recently used first
}

type cacheEntry struct {
	key string
	c   *Compiled
}

// NewCache returns a Cache that keeps at most size workflows
// (DefaultCacheSize when size <= 0).
func NewCache(size int) *Cache { return &Cache{Size: size} }

// Get returns the compiled workflow of key, compiling wf (see Compile)
// when the cache does not hold key. A nil wf is compiled (to nil) and not
// kept.
func (c *Cache) Get(key string, wf *workflow.Workflow) *Compiled {
	if wf == nil {
		return nil
	}
	c.mu.Lock()
	if el, ok := c.entries[key]; ok {
		c.lru.MoveToFront(el)
		c.mu.Unlock()
		return el.Value.(*cacheEntry).c
	}
	c.mu.Unlock()
	// Compiled outside the lock: two callers may compile the same key at
	// once, and the first to store it wins.
	compiled := Compile(wf)
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.entries[key]; ok {
		c.lru.MoveToFront(el)
		return el.Value.(*cacheEntry).c
	}
	if c.entries == nil {
		c.entries = map[string]*list.Element{}
	}
	size := c.Size
	if size <= 0 {
		size = DefaultCacheSize
	}
	for c.lru.Len() >= size {
		oldest := c.lru.Back()
		delete(c.entries, oldest.Value.(*cacheEntry).key)
		c.lru.Remove(oldest)
	}
	c.entries[key] = c.lru.PushFront(&cacheEntry{key: key, c: compiled})
	return compiled
}

// Len is the number of workflows the cache holds.
func (c *Cache) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.lru.Len()
}
