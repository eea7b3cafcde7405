// Package store persists the domain model in one DynamoDB table (single-table
// design) through guregu/dynamo. Keys:
//
//	USER#<id>          PROFILE              a user
//	EMAIL#<address>    EMAIL                unique email address -> user id
//	ORG#<id>           PROFILE              an organization
//	ORGKEY#<key>       ORGKEY               unique organization key -> organization id
//	ORGNAME#<name>     ORGNAME              an organization's name claim (normalized name) -> organization id
//	ORG#<id>           MEMBER#<userId>      a membership; GSI1 USER#<userId> / MEMBER#<orgId>
//	REG#<codeHash>     REG                  a pending registration (TTL)
//	TOKEN#<tokenHash>  TOKEN                a session (TTL); GSI1 USER#<userId> / TOKEN#<created>,
//	                                        an API token: GSI1 USER#<userId> / TOKEN#API#<created>
//	ORG#<id>           USERNAME#<name>      unique username in an organization -> user id
//	ORG#<id>           GROUP#<groupId>      a group (identity.go)
//	USER#<id>          SETTING#<scope>...   a user's setting, and SETTINGS their totals (settings.go)
//	NAV#<id>           NAV                  a navigation, global and immutable (navigations.go)
//
// A user item is also on GSI1 USERS / EMAIL#<address> (the list of accounts).
//
// Uniqueness is enforced by conditional writes, never by reading first.
// Mutable items carry a version and are updated on condition of it.
package store

import (
	"context"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/guregu/dynamo/v2"

	"github.com/effektif-serverless/caseflow/shared/failure"
	"github.com/effektif-serverless/caseflow/shared/store/internal/onetable"
)

// The names this package's files use for the parts of the table that the
// stores share (package onetable).
type key = onetable.Key

const (
	hashKey   = onetable.HashKey
	rangeKey  = onetable.RangeKey
	gsi1      = onetable.GSI1
	notExists = onetable.NotExists
)

// MaxInlineBlob bounds a compressed JSON document kept inside an item, well
// under DynamoDB's 400 KB item limit.
const MaxInlineBlob = onetable.MaxInlineBlob

func timeString(t time.Time) string                { return onetable.TimeString(t) }
func parseTime(s string) time.Time                 { return onetable.ParseTime(s) }
func notFound(err error, what string) error        { return onetable.NotFound(err, what) }
func failedCondition(err error) int                { return onetable.FailedCondition(err) }
func versionConflict(err error, what string) error { return onetable.VersionConflict(err, what) }

// txConflict reports a transaction that another one got in the way of
// (onetable.TransactionConflict).
func txConflict(err error) bool { return onetable.TransactionConflict(err) }

// txOutcome is the error of a transaction in which no condition failed:
// nil, a retryable Conflict on thing when it raced another transaction
// (txConflict), else a fault of what.
func txOutcome(err error, thing, what string) error {
	if txConflict(err) {
		return failure.Race(thing)
	}
	if err != nil {
		return failure.Wrap(err, "%s", what)
	}
	return nil
}

func versioned(put *dynamo.Put, isNew bool, version int) *dynamo.Put {
	return onetable.Versioned(put, isNew, version)
}

func pageInto(ctx context.Context, q *dynamo.Query, offset, size int, out any) error {
	return onetable.PageInto(ctx, q, offset, size, out)
}

// DB is the table.
type DB struct {
	db    *dynamo.DB
	table dynamo.Table
	// orgIDs caches organization key -> id look-ups: the mapping never
	// changes while the organization exists, so a container keeps it a
	// while and saves a read on every tenant request.
	orgIDs ttlCache
}

// New returns a store on the named table, using one DynamoDB client built by
// the caller once per container. Every call goes through keyGuard: a key
// part over DynamoDB's limits is ErrKeyTooLong (Invalid), never a 500.
func New(client *dynamodb.Client, tableName string) *DB {
	db := dynamo.NewFromIface(keyGuard{client})
	return &DB{db: db, table: db.Table(tableName), orgIDs: ttlCache{ttl: orgIDCacheTTL, max: orgIDCacheSize}}
}

// NewFromConfig is New with a client made from cfg.
func NewFromConfig(cfg aws.Config, tableName string) *DB {
	return New(dynamodb.NewFromConfig(cfg), tableName)
}

func (s *DB) get(ctx context.Context, pk, sk string, out any) error {
	return onetable.Get(ctx, s.table, pk, sk, out)
}

// batchGet reads the items for ids (deduplicated) into out, a pointer to a slice.
func (s *DB) batchGet(ctx context.Context, ids []string, keyOf func(string) key, out any) error {
	return onetable.BatchGet(ctx, s.table, ids, keyOf, out)
}

// Table is the table's handles, for the stores of the other domains in
// shared/store (their type is internal to them).
func (s *DB) Table() onetable.Table { return onetable.Table{DB: s.db, Table: s.table} }
