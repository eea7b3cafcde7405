package store

import (
	"context"
	"strconv"

	"github.com/effektif-serverless/caseflow/shared/failure"
	"github.com/effektif-serverless/caseflow/shared/identity"
)

// Keys of numbered ids (identity.NumberStore):
//
//	NUMBERS#<kind>          COUNTER   the kind's counter (N)
//	NUMBER#<kind>#<id>      NUMBER    the number of an id
//	NUMBERED#<kind>#<n>     NUMBERED  the id a number names

type numberItem struct {
	key
	Number int32  `dynamo:"number"`
	ID     string `dynamo:"id"`
}

type counterItem struct {
	key
	N int64 `dynamo:"n"`
}

func numberKey(kind identity.NumberKind, id string) key {
	return key{PK: "NUMBER#" + string(kind) + "#" + id, SK: "NUMBER"}
}

func numberedKey(kind identity.NumberKind, n int32) key {
	return key{PK: "NUMBERED#" + string(kind) + "#" + strconv.Itoa(int(n)), SK: "NUMBERED"}
}

// Numbers is one BatchGetItem of the ids' number items.
func (s *DB) Numbers(ctx context.Context, kind identity.NumberKind, ids []string) (map[string]int32, error) {
	var items []numberItem
	if err := s.batchGet(ctx, ids, func(id string) key { return numberKey(kind, id) }, &items); err != nil {
		return nil, failure.Wrap(err, "read %s numbers", kind)
	}
	out := make(map[string]int32, len(items))
	for _, it := range items {
		out[it.ID] = it.Number
	}
	return out, nil
}

// NextNumber is one UpdateItem that counts the kind's counter up.
func (s *DB) NextNumber(ctx context.Context, kind identity.NumberKind) (int64, error) {
	var it counterItem
	k := key{PK: "NUMBERS#" + string(kind), SK: "COUNTER"}
	if err := s.table.Update(hashKey, k.PK).Range(rangeKey, k.SK).Add("n", 1).Value(ctx, &it); err != nil {
		return 0, failure.Wrap(err, "count %s numbers", kind)
	}
	return it.N, nil
}

// ClaimNumber writes both directions of a number in one transaction, on
// condition that neither exists.
func (s *DB) ClaimNumber(ctx context.Context, kind identity.NumberKind, id string, n int32) error {
	err := s.db.WriteTx().
		Put(s.table.Put(numberItem{key: numberKey(kind, id), Number: n, ID: id}).If(notExists)).
		Put(s.table.Put(numberItem{key: numberedKey(kind, n), Number: n, ID: id}).If(notExists)).
		Run(ctx)
	return versionConflict(err, string(kind)+" number")
}

// NumberedID reads the item of a number.
func (s *DB) NumberedID(ctx context.Context, kind identity.NumberKind, n int32) (string, error) {
	var it numberItem
	k := numberedKey(kind, n)
	if err := notFound(s.get(ctx, k.PK, k.SK, &it), string(kind)); err != nil {
		return "", err
	}
	return it.ID, nil
}
