package onetable

import (
	"context"
	"sync"

	"github.com/guregu/dynamo/v2"
)

// MergeDescending reads up to limit items from the queries, each of which
// returns items of type T in descending order of key(item), as one list in
// descending order of that key: an item whose key equals the one before it
// (the same entity in two of the lists) is taken once, and items whose key
// is before or equal to below (when not "") in that order are skipped, so
// that a page continues after the last key of the one before it.
//
// Each query is read page by page, at most limit+2 items a request (and in
// all): the first pages of all the queries are read concurrently, the later
// ones only when the merge reaches the end of a page (DynamoDB ends a page
// at 1 MB). more reports whether items are
// left after the page.
func MergeDescending[T any](ctx context.Context, queries []*dynamo.Query, below string, limit int, key func(*T) string) (out []T, more bool, err error) {
	heads := make([]mergeHead[T], len(queries))
	var wg sync.WaitGroup
	for i, q := range queries {
		// A list gives the merge at most limit+1 items before below and,
		// when the query's range includes it, the item at below.
		heads[i].it = q.Limit(limit + 2).Iter()
		wg.Add(1)
		go func(h *mergeHead[T]) {
			defer wg.Done()
			h.advance(ctx, below, key)
		}(&heads[i])
	}
	wg.Wait()
	last := ""
	for {
		best := -1
		for i := range heads {
			h := &heads[i]
			if h.err != nil {
				return nil, false, h.err
			}
			if h.ok && (best < 0 || h.key > heads[best].key) {
				best = i
			}
		}
		if best < 0 {
			return out, false, nil
		}
		h := &heads[best]
		if len(out) > 0 && h.key == last {
			h.advance(ctx, below, key)
			continue
		}
		if len(out) == limit {
			return out, true, nil
		}
		out = append(out, h.item)
		last = h.key
		h.advance(ctx, below, key)
	}
}

// mergeHead is the next item of one query of a merge.
type mergeHead[T any] struct {
	it   dynamo.Iter
	item T
	key  string
	ok   bool
	err  error
}

// advance reads the head's next item whose key is before below.
func (h *mergeHead[T]) advance(ctx context.Context, below string, key func(*T) string) {
	for {
		var item T
		if !h.it.Next(ctx, &item) {
			h.ok, h.err = false, h.it.Err()
			return
		}
		k := key(&item)
		if below == "" || k < below {
			h.item, h.key, h.ok = item, k, true
			return
		}
	}
}
