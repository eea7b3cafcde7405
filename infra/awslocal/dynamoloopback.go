package awslocal

import (
	"context"
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"

	"github.com/effektif-serverless/caseflow/infra/internal/filelock"
)

// loopbackSource is the launcher that runs DynamoDB Local bound to
// 127.0.0.1 (DynamoDB Local itself has no flag for the address).
//
//go:embed DynamoDBLoopback.java
var loopbackSource []byte

// loopbackClasses returns a folder with the compiled launcher
// (DynamoDBLoopback.class), compiling it under cacheDir on first use with
// the JDK compiler module of the Java runtime (java -m jdk.compiler/...,
// which Debian's openjdk-17-jre-headless has; no javac binary is needed).
// The folder is named for the source's hash, so a changed launcher is
// compiled again. Concurrent callers wait for one another.
func loopbackClasses(ctx context.Context, java, cacheDir string) (string, error) {
	sum := sha256.Sum256(loopbackSource)
	dir := filepath.Join(cacheDir, "dynamodb-loopback-"+hex.EncodeToString(sum[:6]))
	class := filepath.Join(dir, "DynamoDBLoopback.class")
	if _, err := os.Stat(class); err == nil {
		return dir, nil
	}
	unlock, err := filelock.Lock("javac " + dir)
	if err != nil {
		return "", err
	}
	defer unlock()
	if _, err := os.Stat(class); err == nil {
		return dir, nil // compiled meanwhile
	}
	if err := os.MkdirAll(cacheDir, 0o755); err != nil {
		return "", err
	}
	tmp, err := os.MkdirTemp(cacheDir, "compile-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(tmp)
	src := filepath.Join(tmp, "DynamoDBLoopback.java")
	if err := os.WriteFile(src, loopbackSource, 0o644); err != nil {
		return "", err
	}
	out := filepath.Join(tmp, "classes")
	cmd := exec.CommandContext(ctx, java, "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
		"-m", "jdk.compiler/com.sun.tools.javac.Main", "--release", "17", "-d", out, src)
	if msg, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("compile the DynamoDB Local launcher (the Java runtime needs its jdk.compiler module, as openjdk-17-jre-headless has): %w\n%s", err, msg)
	}
	if err := os.Rename(out, dir); err != nil {
		return "", err
	}
	return dir, nil
}
