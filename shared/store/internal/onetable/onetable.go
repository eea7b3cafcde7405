// Package onetable is what the stores in shared/store share of the one
// DynamoDB table (single-table design): the key attributes and their
// names, the stored forms of times and of packed documents, paging, and
// the mapping of the SDK's errors. Package store keeps the identity items
// on it and package workstore the casework items; neither imports the
// other's domain.
package onetable

import (
	"context"
	"errors"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/guregu/dynamo/v2"

	"github.com/effektif-serverless/caseflow/shared/failure"
)

// Attribute and index names, as declared in template.yaml.
const (
	HashKey  = "pk"
	RangeKey = "sk"
	GSI1     = "gsi1"
	GSI2     = "gsi2"
)

// NotExists is the condition of a put that must not replace an item.
const NotExists = "attribute_not_exists(pk)"

// Key is the primary, GSI1 and GSI2 key of every item, and its TTL.
type Key struct {
	PK        string    `dynamo:"pk,hash"`
	SK        string    `dynamo:"sk,range"`
	GSI1PK    string    `dynamo:"gsi1pk,omitempty"`
	GSI1SK    string    `dynamo:"gsi1sk,omitempty"`
	GSI2PK    string    `dynamo:"gsi2pk,omitempty"`
	GSI2SK    string    `dynamo:"gsi2sk,omitempty"`
	ExpiresAt time.Time `dynamo:"expiresAt,unixtime,omitempty"`
}

// String is the key's primary key as one string, for sets of keys.
func (k Key) String() string { return k.PK + "\x00" + k.SK }

// Table is the table's handles: the DB runs transactions, the Table the
// rest.
type Table struct {
	DB    *dynamo.DB
	Table dynamo.Table
}

// RegistrationKey is the key of a pending registration: the identity
// store writes it, the purge of an organization's invitations removes it.
func RegistrationKey(codeHash string) Key { return Key{PK: "REG#" + codeHash, SK: "REG"} }

// Get reads the item pk/sk into out; dynamo.ErrNotFound when it is missing.
func Get(ctx context.Context, t dynamo.Table, pk, sk string, out any) error {
	return t.Get(HashKey, pk).Range(RangeKey, dynamo.Equal, sk).One(ctx, out)
}

// BatchGet reads the items for ids (deduplicated) into out, a pointer to a
// slice; missing items are left out.
func BatchGet(ctx context.Context, t dynamo.Table, ids []string, keyOf func(string) Key, out any) error {
	seen := make(map[string]bool, len(ids))
	keys := make([]dynamo.Keyed, 0, len(ids))
	for _, id := range ids {
		if id == "" || seen[id] {
			continue
		}
		seen[id] = true
		k := keyOf(id)
		keys = append(keys, dynamo.Keys{k.PK, k.SK})
	}
	if len(keys) == 0 {
		return nil
	}
	err := t.Batch(HashKey, RangeKey).Get(keys...).All(ctx, out)
	if errors.Is(err, dynamo.ErrNotFound) {
		return nil
	}
	return err
}

// NotFound turns dynamo.ErrNotFound into a NotFound failure naming what.
func NotFound(err error, what string) error {
	if errors.Is(err, dynamo.ErrNotFound) {
		return failure.New(failure.NotFound, "no such %s", what)
	}
	if err != nil {
		return failure.Wrap(err, "read %s", what)
	}
	return nil
}

// FailedCondition returns the index of the first transaction item whose
// condition failed, or -1.
func FailedCondition(err error) int {
	var txe *types.TransactionCanceledException
	if !errors.As(err, &txe) {
		return -1
	}
	for i, reason := range txe.CancellationReasons {
		if reason.Code != nil && *reason.Code == "ConditionalCheckFailed" {
			return i
		}
	}
	return -1
}

// TransactionConflict reports whether a transaction was cancelled because
// another one was writing one of its items at the same moment (DynamoDB
// answers that instead of a failed condition when two transactions
// overlap): the caller lost a race and may try again.
func TransactionConflict(err error) bool {
	var txe *types.TransactionCanceledException
	if !errors.As(err, &txe) {
		return false
	}
	for _, reason := range txe.CancellationReasons {
		if reason.Code != nil && *reason.Code == "TransactionConflict" {
			return true
		}
	}
	return false
}

// Versioned makes a put conditional: on absence for a new item, else on
// the previous version.
func Versioned(put *dynamo.Put, isNew bool, version int) *dynamo.Put {
	if isNew {
		return put.If(NotExists)
	}
	return put.If("'Version' = ?", version-1)
}

// VersionConflict maps a failed version condition, or a transaction that
// another one got in the way of (TransactionConflict), to a retryable
// Conflict.
func VersionConflict(err error, what string) error {
	if dynamo.IsCondCheckFailed(err) || TransactionConflict(err) {
		return failure.Race(what)
	}
	if err != nil {
		return failure.Wrap(err, "update %s", what)
	}
	return nil
}
