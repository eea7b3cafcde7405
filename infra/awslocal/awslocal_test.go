package awslocal

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/effektif-serverless/caseflow/infra/samtemplate"
)

func TestNodeModulesFresh(t *testing.T) {
	lock := `{"lockfileVersion":3,"packages":{
		"": {"name":"x"},
		"node_modules/a": {"version":"1.0.0"},
		"node_modules/fsevents": {"version":"2.0.0","optional":true}}}`
	cases := map[string]struct {
		installed string // node_modules/.package-lock.json; "" for none
		dirs      []string
		fresh     bool
	}{
		"not installed":     {"", nil, false},
		"installed":         {`{"packages":{"node_modules/a":{"version":"1.0.0"}}}`, []string{"node_modules/a"}, true},
		"other version":     {`{"packages":{"node_modules/a":{"version":"0.9.0"}}}`, []string{"node_modules/a"}, false},
		"folder removed":    {`{"packages":{"node_modules/a":{"version":"1.0.0"}}}`, nil, false},
		"package missing":   {`{"packages":{}}`, nil, false},
		"corrupt npm state": {`{`, nil, false},
	}
	for name, c := range cases {
		dir := t.TempDir()
		write(t, filepath.Join(dir, "package-lock.json"), lock)
		if c.installed != "" {
			write(t, filepath.Join(dir, "node_modules", ".package-lock.json"), c.installed)
		}
		for _, d := range c.dirs {
			if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
				t.Fatal(err)
			}
		}
		fresh, err := nodeModulesFresh(dir)
		if err != nil || fresh != c.fresh {
			t.Errorf("%s: got %v, %v; want %v", name, fresh, err, c.fresh)
		}
	}
}

// TestRepositoryNodeModules: the check accepts what npm ci installed here
// (installed first, as a stack's start does, when the lockfile changed
// since the last install).
func TestRepositoryNodeModules(t *testing.T) {
	dir := "../localstack"
	if _, err := os.Stat(filepath.Join(dir, "node_modules")); err != nil {
		t.Skip("npm ci has not run in infra/localstack")
	}
	if err := EnsureNodeModules(context.Background(), dir, io.Discard); err != nil {
		t.Fatal(err)
	}
	if fresh, err := nodeModulesFresh(dir); err != nil || !fresh {
		t.Errorf("got %v, %v; want fresh", fresh, err)
	}
}

func write(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestCreateTableInput(t *testing.T) {
	tmpl, err := samtemplate.Load("../samtemplate/testdata/template.yaml", samtemplate.Options{})
	if err != nil {
		t.Fatal(err)
	}
	in := createTableInput(*tmpl.Table("Items"))
	if *in.TableName != "items-dev" || in.BillingMode != types.BillingModeProvisioned ||
		*in.ProvisionedThroughput.ReadCapacityUnits != 7 || len(in.AttributeDefinitions) != 3 ||
		len(in.GlobalSecondaryIndexes) != 1 || *in.GlobalSecondaryIndexes[0].ProvisionedThroughput.WriteCapacityUnits != 1 ||
		in.GlobalSecondaryIndexes[0].Projection.NonKeyAttributes[0] != "title" ||
		len(in.LocalSecondaryIndexes) != 1 || in.LocalSecondaryIndexes[0].Projection.ProjectionType != types.ProjectionTypeKeysOnly ||
		in.StreamSpecification.StreamViewType != types.StreamViewTypeNewImage {
		t.Errorf("Items: got %+v", in)
	}
	simple := createTableInput(*tmpl.Table("Counters"))
	if simple.BillingMode != types.BillingModePayPerRequest || simple.ProvisionedThroughput != nil || len(simple.KeySchema) != 1 {
		t.Errorf("Counters: got %+v", simple)
	}
}
