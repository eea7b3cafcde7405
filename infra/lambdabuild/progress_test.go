package lambdabuild

import (
	"bytes"
	"strings"
	"testing"
)

func TestBuildProgress(t *testing.T) {
	var log bytes.Buffer
	p := &buildProgress{log: &log, pkgs: []*pkg{{codeURI: "functions/users"}, {codeURI: "functions/tasks"}}}
	out := "fmt\ngithub.com/aws/aws-sdk-go-v2/aws\nexample.com/m/functions/users\n# example.com/m/functions/tasks\nfunctions/tasks/main.go:3:2: undefined: x\nexample.com/m/func"
	// Written in pieces, as a pipe delivers it.
	for _, part := range []string{out[:10], out[10:40], out[40:]} {
		if _, err := p.Write([]byte(part)); err != nil {
			t.Fatal(err)
		}
	}
	_, _ = p.Write([]byte("tions/tasks\n"))
	if got := log.String(); got != "[build] 1/2 functions/users\n[build] 2/2 functions/tasks\n" {
		t.Errorf("progress %q", got)
	}
	if errs := string(p.errors()); !strings.Contains(errs, "undefined: x") || strings.Contains(errs, "aws-sdk") || !strings.Contains(errs, "# example.com/m/functions/tasks") {
		t.Errorf("kept %q", errs)
	}
}
