package store_test

import (
	"context"
	"io"
	"os"
	"testing"
	"time"

	"github.com/effektif-serverless/caseflow/infra/awslocal"
	"github.com/effektif-serverless/caseflow/infra/localparams"
	"github.com/effektif-serverless/caseflow/infra/samtemplate"
	"github.com/effektif-serverless/caseflow/shared/identity"
	"github.com/effektif-serverless/caseflow/shared/identity/identitytest"
	"github.com/effektif-serverless/caseflow/shared/ids"
	"github.com/effektif-serverless/caseflow/shared/store"
)

// TestStoreContract runs the identity store contract against the
// DynamoDB store on DynamoDB Local (started here, alone), in one table
// made for the run from template.yaml's DataTable: the subtests share it,
// each with its own ids. `go test -short` (make unit) skips it.
func TestStoreContract(t *testing.T) {
	if testing.Short() {
		t.Skip("needs DynamoDB Local; skipped in -short mode")
	}
	db := contractTable(t)
	identitytest.RunStoreContract(t, func(*testing.T) identity.Store { return db })
}

// contractTable starts DynamoDB Local and creates a table for the test
// (STORE_TEST_LOGS=1 shows DynamoDB Local's output).
func contractTable(t *testing.T) *store.DB {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	var logs io.Writer = io.Discard
	if os.Getenv("STORE_TEST_LOGS") != "" {
		logs = os.Stderr
	}
	stack, err := awslocal.StartDynamoDB(ctx, awslocal.Config{Dir: "../../infra/localstack", Log: logs})
	if err != nil {
		t.Fatalf("start DynamoDB Local: %v", err)
	}
	t.Cleanup(func() { _ = stack.Close() })
	tmpl, err := samtemplate.Load("../../template.yaml", samtemplate.Options{Parameters: localparams.Values, Region: awslocal.Region})
	if err != nil {
		t.Fatal(err)
	}
	table := tmpl.Table("DataTable")
	if table == nil {
		t.Fatal("template.yaml has no DataTable")
	}
	name := "contract-" + ids.New()
	if err := stack.CreateTable(ctx, *table, name); err != nil {
		t.Fatalf("create table %s: %v", name, err)
	}
	return store.New(stack.DynamoDB(), name)
}
