package store

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/guregu/dynamo/v2"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

func s(v string) types.AttributeValue { return &types.AttributeValueMemberS{Value: v} }

func TestKeyLimits(t *testing.T) {
	ok := map[string]types.AttributeValue{"pk": s(strings.Repeat("p", maxPartitionKey)), "sk": s(strings.Repeat("s", maxSortKey)), "Data": s(strings.Repeat("d", 100000))}
	if err := checkKeys(ok); err != nil {
		t.Fatalf("keys at the limits: %v", err)
	}
	for _, name := range []string{"pk", "gsi1pk", "gsi2pk"} {
		if checkKeys(map[string]types.AttributeValue{name: s(strings.Repeat("p", maxPartitionKey+1))}) != ErrKeyTooLong {
			t.Errorf("a %s over the limit passed", name)
		}
	}
	for _, name := range []string{"sk", "gsi1sk", "gsi2sk"} {
		if checkKeys(map[string]types.AttributeValue{name: s(strings.Repeat("s", maxSortKey+1))}) != ErrKeyTooLong {
			t.Errorf("a %s over the limit passed", name)
		}
	}
	values := map[string]types.AttributeValue{":v0": s("short"), ":v1": s(strings.Repeat("x", maxSortKey+1))}
	if checkCondition(aws.String("pk = :v0"), values) != nil || checkCondition(aws.String("pk = :v0 AND begins_with(sk, :v1)"), values) != ErrKeyTooLong {
		t.Error("key condition values are not checked")
	}
}

// The store's client refuses every Scan, also one made through guregu/dynamo.
func TestScanRefused(t *testing.T) {
	g := keyGuard{}
	if _, err := g.Scan(context.Background(), &dynamodb.ScanInput{TableName: aws.String("t")}); err != ErrScan {
		t.Fatalf("Scan: %v", err)
	}
	var items []map[string]any
	if err := dynamo.NewFromIface(g).Table("t").Scan().All(context.Background(), &items); !errors.Is(err, ErrScan) {
		t.Fatalf("a Scan through dynamo: %v", err)
	}
}
