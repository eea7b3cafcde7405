package workstore

import (
	"context"
	"errors"
	"strings"

	"github.com/guregu/dynamo/v2"

	"github.com/effektif-serverless/caseflow/shared/casework"
	"github.com/effektif-serverless/caseflow/shared/failure"
	"github.com/effektif-serverless/caseflow/shared/store/internal/onetable"
)

// ReindexCounts says what a Reindex rewrote.
type ReindexCounts struct {
	Cases, Tasks, Events int
	// OldEntries are the entries of the form before it deleted: in lists
	// named by a bare user id (before the lists per way of involvement),
	// and of canceled tasks (which are in no list now).
	OldEntries int
	// Skipped are cases and tasks written by someone else while it ran
	// (that write stored them in the current form).
	Skipped int
}

// storedItem is any item of the table, as Reindex reads it.
type storedItem struct {
	onetable.Key
	Version int
	Data    []byte
}

// Reindex rewrites every case, task and case event of the table in the
// current stored form: the index keys of cases and events (GSI1, GSI2:
// the filtered lists), of tasks in their case's list (GSI1, its range key
// beginning with the task's state since 2026-12-03) and the tasks'
// involvement lists, deleting the
// entries the form before kept: in lists named by a bare user id, and of
// canceled tasks.
// A case or task is put on condition that its version is still the one
// read (a concurrent change wrote the current form already); list entries
// and events, which hold no state of their own, are put in batch writes.
//
// It Scans the whole table, so it is an offline migration (see the
// README's upgrade notes: go run ./infra/cmd/local reindex), never part of
// a request path: db must be a client of its own, since the store's client
// refuses every Scan. Running it twice changes nothing more. progress, when
// not nil, is told the counts after every page of the Scan.
func Reindex(ctx context.Context, db *dynamo.DB, table string, progress func(ReindexCounts)) (ReindexCounts, error) {
	t := db.Table(table)
	var n ReindexCounts
	// Only cases, tasks and events (other items' attributes have other
	// types).
	it := t.Scan().Filter("(begins_with('sk', ?) OR begins_with('sk', ?) OR begins_with('sk', ?)) AND attribute_type('Data', ?)",
		"CASE#", "TASK#", "EV#", "B").Iter()
	for {
		var page []storedItem
		var item storedItem
		for len(page) < 100 && it.Next(ctx, &item) {
			page = append(page, item)
			item = storedItem{}
		}
		if err := it.Err(); err != nil {
			return n, failure.Wrap(err, "scan the table")
		}
		if len(page) == 0 {
			return n, nil
		}
		if err := reindexPage(ctx, t, page, &n); err != nil {
			return n, err
		}
		if progress != nil {
			progress(n)
		}
	}
}

func reindexPage(ctx context.Context, t dynamo.Table, page []storedItem, n *ReindexCounts) error {
	var puts []any
	var dels []dynamo.Keyed
	versioned := func(v any, version int) error {
		err := t.Put(v).If("'Version' = ?", version).Run(ctx)
		if dynamo.IsCondCheckFailed(err) {
			n.Skipped++
			return nil
		}
		return err
	}
	for _, it := range page {
		switch {
		case strings.HasPrefix(it.PK, "ORG#") && strings.HasPrefix(it.SK, "CASE#"):
			var c casework.Case
			if err := onetable.UnpackJSON(it.Data, &c, "case"); err != nil {
				return err
			}
			ci, err := caseItemOf(c)
			if err != nil {
				return err
			}
			if err := versioned(ci, it.Version); err != nil {
				return failure.Wrap(err, "rewrite case %s", c.ID)
			}
			n.Cases++
		case strings.HasPrefix(it.PK, "ORG#") && strings.HasPrefix(it.SK, "TASK#"):
			var task casework.Task
			if err := onetable.UnpackJSON(it.Data, &task, "task"); err != nil {
				return err
			}
			ti, entries, err := taskItemsOf(task)
			if err != nil {
				return err
			}
			if err := versioned(ti, it.Version); err != nil {
				return failure.Wrap(err, "rewrite task %s", task.ID)
			}
			current := map[string]bool{}
			for _, e := range entries {
				puts = append(puts, e)
				current[e.Key.String()] = true
			}
			// The form before: a list per user (by the bare id) and per
			// group, canceled tasks in them too.
			before := task.InvolvedUsers()
			for _, g := range task.CandidateGroupIDs {
				before = append(before, casework.GroupList(g))
			}
			for _, list := range before {
				old := taskListKey(task.OrganizationID, list, task)
				if !current[old.String()] {
					dels = append(dels, dynamo.Keys{old.PK, old.SK})
					n.OldEntries++
				}
			}
			n.Tasks++
		case strings.HasPrefix(it.PK, "CASE#") && strings.HasPrefix(it.SK, "EV#"):
			var e casework.Event
			if err := onetable.UnpackJSON(it.Data, &e, "event"); err != nil {
				return err
			}
			ei, err := eventItemOf(e)
			if err != nil {
				return err
			}
			puts = append(puts, ei)
			n.Events++
		}
	}
	if len(puts) == 0 && len(dels) == 0 {
		return nil
	}
	_, err := t.Batch(onetable.HashKey, onetable.RangeKey).Write().Put(puts...).Delete(dels...).Run(ctx)
	if err != nil && !errors.Is(err, dynamo.ErrNotFound) {
		return failure.Wrap(err, "rewrite list entries and events")
	}
	return nil
}
