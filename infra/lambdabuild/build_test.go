package lambdabuild

import (
	"fmt"
	"strings"
	"testing"

	"github.com/effektif-serverless/caseflow/infra/samtemplate"
)

func TestBatches(t *testing.T) {
	fn := func(id, uri, arch string) samtemplate.Function {
		return samtemplate.Function{LogicalID: id, CodeURI: uri, Architectures: []string{arch}}
	}
	fns := []samtemplate.Function{
		fn("A", "functions/users", "arm64"),
		fn("B", "./functions/users/", "arm64"), // the same package
		fn("C", "other/users", "arm64"),        // same folder name: another go build
		fn("D", "functions/orgs", "arm64"),
		fn("E", "functions/orgs", "x86_64"), // another target
	}
	var got []string
	for _, b := range batches(fns, LambdaTarget) {
		var pkgs []string
		for _, p := range b.pkgs {
			var ids []string
			for _, f := range p.fns {
				ids = append(ids, f.LogicalID)
			}
			pkgs = append(pkgs, p.codeURI+"="+strings.Join(ids, "+"))
		}
		got = append(got, fmt.Sprintf("%s/%s %s", b.goos, b.goarch, strings.Join(pkgs, " ")))
	}
	want := []string{
		"linux/arm64 functions/users=A+B functions/orgs=D",
		"linux/arm64 other/users=C",
		"linux/amd64 functions/orgs=E",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("batches:\n got %q\nwant %q", got, want)
	}
}
