// Package workstore persists the casework items (editor workflows and
// their versions, workflow instances, timers, the outbox, service action
// instances, cases, tasks, case events, files, received mail and
// once-marks) in the table of package store, beside the identity items.
// Its DB is a store.DB with these: casework.Store and casework.Purger.
// Each file documents the keys of its items.
//
// Only the functions that do casework link it (and with it casework, the
// engine and the BPMN codec); the base store stays free of them.
package workstore

import (
	"context"

	"github.com/guregu/dynamo/v2"

	"github.com/effektif-serverless/caseflow/shared/store"
	"github.com/effektif-serverless/caseflow/shared/store/internal/onetable"
)

// DB is the table with its casework items; the embedded store.DB reads
// and writes the identity items.
type DB struct {
	*store.DB
	db    *dynamo.DB
	table dynamo.Table
}

// New returns the casework store on the base store's table and client.
func New(base *store.DB) *DB {
	t := base.Table()
	return &DB{DB: base, db: t.DB, table: t.Table}
}

func (s *DB) get(ctx context.Context, pk, sk string, out any) error {
	return onetable.Get(ctx, s.table, pk, sk, out)
}

func (s *DB) batchGet(ctx context.Context, ids []string, keyOf func(string) onetable.Key, out any) error {
	return onetable.BatchGet(ctx, s.table, ids, keyOf, out)
}
