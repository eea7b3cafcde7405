package onetable

import (
	"errors"
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/effektif-serverless/caseflow/shared/failure"
)

func canceled(codes ...string) error {
	reasons := make([]types.CancellationReason, len(codes))
	for i, c := range codes {
		reasons[i] = types.CancellationReason{Code: aws.String(c)}
	}
	return fmt.Errorf("run: %w", &types.TransactionCanceledException{CancellationReasons: reasons})
}

func TestVersionConflictTakesTransactionConflictsAsRaces(t *testing.T) {
	for _, c := range []struct {
		err   error
		retry bool
		code  failure.Code
	}{
		{canceled("None", "TransactionConflict"), true, failure.Conflict},
		{canceled("ConditionalCheckFailed", "None"), true, failure.Conflict},
		{canceled("ValidationError"), false, failure.Internal},
		{errors.New("network"), false, failure.Internal},
	} {
		f := failure.As(VersionConflict(c.err, "thing"))
		if f.Code != c.code || f.Retry != c.retry {
			t.Errorf("%v: %s retry %v", c.err, f.Code, f.Retry)
		}
	}
	if FailedCondition(canceled("None", "ConditionalCheckFailed")) != 1 || FailedCondition(canceled("TransactionConflict")) != -1 {
		t.Error("FailedCondition")
	}
	if VersionConflict(nil, "thing") != nil {
		t.Error("nil")
	}
}
