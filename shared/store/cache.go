package store

import (
	"sync"
	"time"
)

// Bounds of the organization key cache.
const (
	orgIDCacheTTL  = 5 * time.Minute
	orgIDCacheSize = 10000
)

// ttlCache is a small map of strings whose entries expire; when full it is
// emptied (cheap, and rare at its size).
type ttlCache struct {
	ttl time.Duration
	max int

	mu      sync.Mutex
	entries map[string]cacheEntry
}

type cacheEntry struct {
	value   string
	expires time.Time
}

func (c *ttlCache) get(k string) (string, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[k]
	if !ok || time.Now().After(e.expires) {
		return "", false
	}
	return e.value, true
}

func (c *ttlCache) put(k, v string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.entries == nil || len(c.entries) >= c.max {
		c.entries = make(map[string]cacheEntry)
	}
	c.entries[k] = cacheEntry{value: v, expires: time.Now().Add(c.ttl)}
}

func (c *ttlCache) drop(k string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.entries, k)
}
