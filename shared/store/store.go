// Package store persists the domain model in one DynamoDB table (single-table
// design) through guregu/dynamo. Keys:
//
//	USER#<id>          PROFILE              a user
//	EMAIL#<address>    EMAIL                unique email address -> user id
//	ORG#<id>           PROFILE              an organization
//	ORGKEY#<key>       ORGKEY               unique organization key -> organization id
//	ORG#<id>           MEMBER#<userId>      a membership; GSI1 USER#<userId> / MEMBER#<orgId>
//	REG#<codeHash>     REG                  a pending registration (TTL)
//	TOKEN#<tokenHash>  TOKEN                a session (TTL); GSI1 USER#<userId> / TOKEN#<created>,
//	                                        an API token: GSI1 USER#<userId> / TOKEN#API#<created>
//	ORG#<id>           USERNAME#<name>      unique username in an organization -> user id
//
// A user item is also on GSI1 USERS / EMAIL#<address> (the list of accounts).
//
// Uniqueness is enforced by conditional writes, never by reading first.
// Mutable items carry a version and are updated on condition of it.
package store

import (
	"context"
	"errors"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/guregu/dynamo/v2"

	"github.com/effektif-serverless/caseflow/shared/failure"
)

// Attribute and index names, as declared in template.yaml.
const (
	hashKey  = "pk"
	rangeKey = "sk"
	gsi1     = "gsi1"
)

// key is the primary and GSI1 key of every item, and its TTL.
type key struct {
	PK        string    `dynamo:"pk,hash"`
	SK        string    `dynamo:"sk,range"`
	GSI1PK    string    `dynamo:"gsi1pk,omitempty"`
	GSI1SK    string    `dynamo:"gsi1sk,omitempty"`
	ExpiresAt time.Time `dynamo:"expiresAt,unixtime,omitempty"`
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
	return s.table.Get(hashKey, pk).Range(rangeKey, dynamo.Equal, sk).One(ctx, out)
}

// notFound turns dynamo.ErrNotFound into a NotFound failure naming what.
func notFound(err error, what string) error {
	if errors.Is(err, dynamo.ErrNotFound) {
		return failure.New(failure.NotFound, "no such %s", what)
	}
	if err != nil {
		return failure.Wrap(err, "read %s", what)
	}
	return nil
}
