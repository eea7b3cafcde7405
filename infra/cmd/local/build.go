package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/effektif-serverless/caseflow/infra/lambdabuild"
	"github.com/effektif-serverless/caseflow/infra/localparams"
	"github.com/effektif-serverless/caseflow/infra/samtemplate"
)

// buildCommand writes the `sam build` layout: each function's bootstrap,
// built for Lambda, in <out>/<LogicalId>/, and <out>/template.yaml pointing
// at them, which `sam deploy` deploys as it is.
func buildCommand(args []string) error {
	var c common
	fs := newFlagSet("build", "build [flags]")
	c.register(fs)
	out := fs.String("out", ".aws-sam/build", "output folder, relative to the root")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if err := c.resolve(); err != nil {
		return err
	}
	if !filepath.IsAbs(*out) {
		*out = filepath.Join(c.root, *out)
	}
	return buildForDeploy(context.Background(), c.template, *out)
}

// buildForDeploy builds the functions of the template at path into out,
// for linux on each function's architecture, and writes the template.
func buildForDeploy(ctx context.Context, path, out string) error {
	src, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	tmpl, err := samtemplate.Load(path, samtemplate.Options{Parameters: localparams.Values})
	if err != nil {
		return err
	}
	binaries, err := lambdabuild.Build(ctx, tmpl.Functions, lambdabuild.Options{
		Dir:     tmpl.Dir,
		OutDir:  out,
		Target:  lambdabuild.LambdaTarget,
		LDFlags: lambdabuild.DeployLDFlags,
		Log:     os.Stderr,
	})
	if err != nil {
		return err
	}
	codeURIs := map[string]string{}
	for _, fn := range tmpl.Functions {
		codeURIs[fn.LogicalID] = fn.LogicalID // the folder, next to the new template
		fmt.Println(display(binaries[fn.LogicalID]))
	}
	if err := removeStale(out, codeURIs); err != nil {
		return err
	}
	rewritten, err := samtemplate.RewriteForBuild(src, codeURIs)
	if err != nil {
		return err
	}
	dst := filepath.Join(out, "template.yaml")
	if err := os.WriteFile(dst, rewritten, 0o644); err != nil {
		return err
	}
	fmt.Println(display(dst))
	return nil
}

// removeStale removes the build folders of functions that are no longer in
// the template: folders of out holding a bootstrap, not named in keep.
func removeStale(out string, keep map[string]string) error {
	entries, err := os.ReadDir(out)
	if err != nil {
		return err
	}
	for _, e := range entries {
		dir := filepath.Join(out, e.Name())
		if _, ok := keep[e.Name()]; ok || !e.IsDir() {
			continue
		}
		if _, err := os.Stat(filepath.Join(dir, "bootstrap")); err == nil {
			if err := os.RemoveAll(dir); err != nil {
				return err
			}
		}
	}
	return nil
}

// display is path relative to the current folder when inside it.
func display(path string) string {
	wd, _ := os.Getwd()
	if rel, err := filepath.Rel(wd, path); err == nil && !strings.HasPrefix(rel, "..") {
		return rel
	}
	return path
}
