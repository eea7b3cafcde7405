package workstore

import (
	"context"

	"github.com/effektif-serverless/caseflow/shared/casework"
	"github.com/effektif-serverless/caseflow/shared/failure"
	"github.com/effektif-serverless/caseflow/shared/store/internal/onetable"
)

// maxBatchWrite is DynamoDB's limit of items in one BatchWriteItem.
const maxBatchWrite = 25

// Load writes new cases, tasks and events as Commit writes them when they
// are created (each case with its participants' case-list entries, each
// task with its involvement-list entries, each event), in BatchWriteItem
// requests of 25 items, one after another; the items DynamoDB leaves
// unprocessed are sent again (with backoff) until written or ctx ends.
//
// It is for loading benchmark data, never for a request path: the puts
// are unconditional (an item with the same key is replaced, no version is
// checked), nothing is written atomically, the organizations' case counts
// are not changed, and no once-marks, mail or engine state are written. A
// batch must not hold two items with the same key (DynamoDB refuses the
// request): the ids of the cases, tasks and events must be distinct. An
// error says how many items were written before it; some of the batch
// after them may be written too.
func (s *DB) Load(ctx context.Context, cases []casework.Case, tasks []casework.Task, events []casework.Event) error {
	items := make([]any, 0, 2*len(cases)+3*len(tasks)+len(events))
	for _, c := range cases {
		it, err := caseItemOf(c)
		if err != nil {
			return err
		}
		items = append(items, it)
		for _, pc := range participation(casework.CaseWrite{Case: c, New: true}) {
			items = append(items, partItem{Key: pc.key, CaseID: pc.c.ID})
		}
	}
	for _, t := range tasks {
		it, entries, err := taskItemsOf(t)
		if err != nil {
			return err
		}
		items = append(items, it)
		for _, e := range entries {
			items = append(items, e)
		}
	}
	for _, e := range events {
		it, err := eventItemOf(e)
		if err != nil {
			return err
		}
		items = append(items, it)
	}
	written := 0
	for start := 0; start < len(items); start += maxBatchWrite {
		batch := items[start:min(start+maxBatchWrite, len(items))]
		// Run sends the unprocessed items of its request again until
		// DynamoDB has taken them all.
		n, err := s.table.Batch(onetable.HashKey, onetable.RangeKey).Write().Put(batch...).Run(ctx)
		written += n
		if err != nil {
			return failure.Wrap(err, "load: %d of %d items written", written, len(items))
		}
	}
	return nil
}
