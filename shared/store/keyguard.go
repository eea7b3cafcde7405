package store

import (
	"context"
	"regexp"
	"sync"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/effektif-serverless/caseflow/shared/failure"
)

// DynamoDB's limits on key attributes: a partition key value holds at most
// 2048 bytes, a sort key value 1024.
const (
	maxPartitionKey = 2048
	maxSortKey      = 1024
)

// ErrKeyTooLong is the Invalid failure of a request whose key part (an id,
// an address, a code from the request) would make a key longer than
// DynamoDB takes. Handlers check the shape of ids first (ids.Check, the
// router's bound on path values); this is the backstop that keeps any key
// a client can lengthen from ever answering 500. The HTTP router answers it
// 400 even under an Internal wrap.
var ErrKeyTooLong = &failure.Error{Code: failure.Invalid, Message: "an id or key in the request is too long"}

// keyGuard is the DynamoDB client of the store: before a call goes out it
// checks every key attribute (pk, gsi1pk, gsi2pk at most maxPartitionKey bytes; sk,
// gsi1sk, gsi2sk at most maxSortKey) of the items and keys it carries and of a
// Query's KeyConditions (what guregu/dynamo sends), and every value a
// KeyConditionExpression names (at most maxSortKey: no partition key this
// store builds comes near it), and answers ErrKeyTooLong instead. DynamoDB
// Local does not check a Query's partition key size; AWS does.
type keyGuard struct {
	*dynamodb.Client
}

var keyLimits = map[string]int{hashKey: maxPartitionKey, rangeKey: maxSortKey, "gsi1pk": maxPartitionKey, "gsi1sk": maxSortKey, "gsi2pk": maxPartitionKey, "gsi2sk": maxSortKey}

func attrSize(v types.AttributeValue) int {
	switch v := v.(type) {
	case *types.AttributeValueMemberS:
		return len(v.Value)
	case *types.AttributeValueMemberB:
		return len(v.Value)
	case *types.AttributeValueMemberN:
		return len(v.Value)
	}
	return 0
}

// checkKeys checks the key attributes of an item or key.
func checkKeys(item map[string]types.AttributeValue) error {
	for name, limit := range keyLimits {
		if v, ok := item[name]; ok && attrSize(v) > limit {
			return ErrKeyTooLong
		}
	}
	return nil
}

// ErrScan is what the store's client answers every Scan, before it goes
// out: a read on a request path is by key or a bounded Query, never a
// Scan, whose cost grows with the whole table (all organizations' data).
// It fails every test whose request path would scan.
var ErrScan = &failure.Error{Code: failure.Internal, Message: "a Scan of the table is not allowed on a request path"}

// Scan refuses (ErrScan).
func (g keyGuard) Scan(context.Context, *dynamodb.ScanInput, ...func(*dynamodb.Options)) (*dynamodb.ScanOutput, error) {
	return nil, ErrScan
}

// placeholder is a value placeholder of an expression, compiled on first
// use.
var placeholder = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`:[A-Za-z0-9_]+`)
})

// checkCondition checks the values a key condition names.
func checkCondition(expr *string, values map[string]types.AttributeValue) error {
	if expr == nil {
		return nil
	}
	for _, p := range placeholder().FindAllString(*expr, -1) {
		if attrSize(values[p]) > maxSortKey {
			return ErrKeyTooLong
		}
	}
	return nil
}

func (g keyGuard) GetItem(ctx context.Context, in *dynamodb.GetItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error) {
	if err := checkKeys(in.Key); err != nil {
		return nil, err
	}
	return g.Client.GetItem(ctx, in, opts...)
}

func (g keyGuard) PutItem(ctx context.Context, in *dynamodb.PutItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error) {
	if err := checkKeys(in.Item); err != nil {
		return nil, err
	}
	return g.Client.PutItem(ctx, in, opts...)
}

func (g keyGuard) UpdateItem(ctx context.Context, in *dynamodb.UpdateItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error) {
	if err := checkKeys(in.Key); err != nil {
		return nil, err
	}
	return g.Client.UpdateItem(ctx, in, opts...)
}

func (g keyGuard) DeleteItem(ctx context.Context, in *dynamodb.DeleteItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.DeleteItemOutput, error) {
	if err := checkKeys(in.Key); err != nil {
		return nil, err
	}
	return g.Client.DeleteItem(ctx, in, opts...)
}

func (g keyGuard) Query(ctx context.Context, in *dynamodb.QueryInput, opts ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error) {
	if err := checkCondition(in.KeyConditionExpression, in.ExpressionAttributeValues); err != nil {
		return nil, err
	}
	for name, c := range in.KeyConditions {
		limit, ok := keyLimits[name]
		if !ok {
			limit = maxSortKey
		}
		for _, v := range c.AttributeValueList {
			if attrSize(v) > limit {
				return nil, ErrKeyTooLong
			}
		}
	}
	return g.Client.Query(ctx, in, opts...)
}

func (g keyGuard) BatchGetItem(ctx context.Context, in *dynamodb.BatchGetItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.BatchGetItemOutput, error) {
	for _, ka := range in.RequestItems {
		for _, k := range ka.Keys {
			if err := checkKeys(k); err != nil {
				return nil, err
			}
		}
	}
	return g.Client.BatchGetItem(ctx, in, opts...)
}

func (g keyGuard) BatchWriteItem(ctx context.Context, in *dynamodb.BatchWriteItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.BatchWriteItemOutput, error) {
	for _, reqs := range in.RequestItems {
		for _, r := range reqs {
			if r.PutRequest != nil {
				if err := checkKeys(r.PutRequest.Item); err != nil {
					return nil, err
				}
			}
			if r.DeleteRequest != nil {
				if err := checkKeys(r.DeleteRequest.Key); err != nil {
					return nil, err
				}
			}
		}
	}
	return g.Client.BatchWriteItem(ctx, in, opts...)
}

func (g keyGuard) TransactGetItems(ctx context.Context, in *dynamodb.TransactGetItemsInput, opts ...func(*dynamodb.Options)) (*dynamodb.TransactGetItemsOutput, error) {
	for _, it := range in.TransactItems {
		if it.Get != nil {
			if err := checkKeys(it.Get.Key); err != nil {
				return nil, err
			}
		}
	}
	return g.Client.TransactGetItems(ctx, in, opts...)
}

func (g keyGuard) TransactWriteItems(ctx context.Context, in *dynamodb.TransactWriteItemsInput, opts ...func(*dynamodb.Options)) (*dynamodb.TransactWriteItemsOutput, error) {
	for _, it := range in.TransactItems {
		var err error
		switch {
		case it.Put != nil:
			err = checkKeys(it.Put.Item)
		case it.Update != nil:
			err = checkKeys(it.Update.Key)
		case it.Delete != nil:
			err = checkKeys(it.Delete.Key)
		case it.ConditionCheck != nil:
			err = checkKeys(it.ConditionCheck.Key)
		}
		if err != nil {
			return nil, err
		}
	}
	return g.Client.TransactWriteItems(ctx, in, opts...)
}
