// Package lambdabuild compiles the Go functions of a SAM template into
// Lambda bootstrap binaries, for the local runtime emulator (host platform)
// or for deployment (linux, the function's architecture, `sam build`
// layout).
package lambdabuild

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/effektif-serverless/caseflow/infra/internal/filelock"
	"github.com/effektif-serverless/caseflow/infra/samtemplate"
)

// Options configure Build.
type Options struct {
	// Dir is the directory the functions' CodeUri paths are relative to:
	// the template's. It must be inside the Go module.
	Dir string
	// OutDir receives <OutDir>/<LogicalID>/bootstrap.
	OutDir string
	// Target gives a function's GOOS and GOARCH; nil for the host's.
	Target func(samtemplate.Function) (goos, goarch string)
	// LDFlags are passed as -ldflags when not empty.
	LDFlags string
	// Log receives a line per go build run.
	Log io.Writer
}

// DeployLDFlags are the linker flags of a build for deployment (`make
// build`): no symbol table and no DWARF (-s -w), which Lambda never reads
// and which would make every binary about a third larger, to download and
// map at each cold start; and no build ID, so that the same source gives
// the same bytes (SAM then sees an unchanged function as unchanged). Panics
// still print file:line stack traces: they come from the runtime's own
// tables, not from the stripped ones.
const DeployLDFlags = "-s -w -buildid="

// HostTarget builds for the machine we run on: for the local emulator.
func HostTarget(samtemplate.Function) (string, string) { return runtime.GOOS, runtime.GOARCH }

// LambdaTarget builds for AWS Lambda: linux, on the function's first
// architecture (arm64 or x86_64, default x86_64 as in Lambda).
func LambdaTarget(fn samtemplate.Function) (string, string) {
	if len(fn.Architectures) > 0 && fn.Architectures[0] == "arm64" {
		return "linux", "arm64"
	}
	return "linux", "amd64"
}

// Build compiles each function's CodeUri package with
// `CGO_ENABLED=0 go build -tags lambda.norpc -trimpath` and returns the path
// of each binary by logical ID. Functions for the same target are built by
// one go build, which shares the work and runs it in parallel. Builds into
// the same OutDir, from this or other processes, take turns, and a binary is
// replaced by a rename, so a running instance of the old one is unaffected.
func Build(ctx context.Context, fns []samtemplate.Function, opts Options) (map[string]string, error) {
	if opts.Target == nil {
		opts.Target = HostTarget
	}
	if opts.Log == nil {
		opts.Log = io.Discard
	}
	if err := os.MkdirAll(opts.OutDir, 0o755); err != nil {
		return nil, err
	}
	unlock, err := filelock.Lock("build " + opts.OutDir)
	if err != nil {
		return nil, err
	}
	defer unlock()
	tmp, err := os.MkdirTemp(opts.OutDir, ".tmp-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)

	binaries := map[string]string{}
	for i, batch := range batches(fns, opts.Target) {
		out := filepath.Join(tmp, fmt.Sprint(i))
		if err := goBuild(ctx, batch, out, opts); err != nil {
			return nil, err
		}
		for _, pkg := range batch.pkgs {
			built := filepath.Join(out, binaryName(pkg.codeURI, batch.goos))
			for _, fn := range pkg.fns {
				dst := filepath.Join(opts.OutDir, fn.LogicalID, "bootstrap")
				if err := install(built, dst); err != nil {
					return nil, fmt.Errorf("function %s: %w", fn.LogicalID, err)
				}
				binaries[fn.LogicalID] = dst
			}
		}
	}
	return binaries, nil
}

// install puts a hard link to the built binary at dst, by a rename so that
// whoever runs the old dst keeps running it.
func install(built, dst string) error {
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	next := dst + ".next"
	_ = os.Remove(next)
	if err := os.Link(built, next); err != nil {
		return err
	}
	return os.Rename(next, dst)
}

// batch is a set of packages that one go build can compile: same target,
// and distinct folder names, since go build -o dir/ names each binary after
// its package's folder.
type batch struct {
	goos, goarch string
	pkgs         []*pkg
}

// pkg is a function package and the functions made from it.
type pkg struct {
	codeURI string // cleaned, slash-separated
	fns     []samtemplate.Function
}

func batches(fns []samtemplate.Function, target func(samtemplate.Function) (string, string)) []batch {
	var out []batch
	for _, fn := range fns {
		goos, goarch := target(fn)
		uri := path.Clean(filepath.ToSlash(fn.CodeURI))
		if !addFunction(out, goos, goarch, uri, fn) {
			out = append(out, batch{goos, goarch, []*pkg{{uri, []samtemplate.Function{fn}}}})
		}
	}
	return out
}

// addFunction adds fn to a batch that has its package, or to one that can
// take its package, and reports whether it found one.
func addFunction(bs []batch, goos, goarch, uri string, fn samtemplate.Function) bool {
	for _, b := range bs {
		if b.goos == goos && b.goarch == goarch {
			for _, p := range b.pkgs {
				if p.codeURI == uri {
					p.fns = append(p.fns, fn)
					return true
				}
			}
		}
	}
	for i := range bs {
		b := &bs[i]
		if b.goos != goos || b.goarch != goarch {
			continue
		}
		clash := false
		for _, p := range b.pkgs {
			clash = clash || path.Base(p.codeURI) == path.Base(uri)
		}
		if !clash {
			b.pkgs = append(b.pkgs, &pkg{uri, []samtemplate.Function{fn}})
			return true
		}
	}
	return false
}

// binaryName is the file go build -o dir/ writes for the package at uri.
func binaryName(uri, goos string) string {
	name := path.Base(uri)
	if goos == "windows" {
		name += ".exe"
	}
	return name
}

func goBuild(ctx context.Context, b batch, out string, opts Options) error {
	args := []string{"build", "-tags", "lambda.norpc", "-trimpath"}
	if opts.LDFlags != "" {
		args = append(args, "-ldflags", opts.LDFlags)
	}
	args = append(args, "-o", out+string(filepath.Separator))
	var names []string
	for _, p := range b.pkgs {
		if st, err := os.Stat(filepath.Join(opts.Dir, p.codeURI)); err != nil || !st.IsDir() {
			return fmt.Errorf("function %s: CodeUri %s is not a folder under %s", p.fns[0].LogicalID, p.codeURI, opts.Dir)
		}
		args = append(args, "./"+p.codeURI)
		for _, fn := range p.fns {
			names = append(names, fn.LogicalID)
		}
	}
	fmt.Fprintf(opts.Log, "[build] %d functions for %s/%s in one go build (a first build also compiles the AWS SDK: minutes; later ones seconds): %s\n",
		len(names), b.goos, b.goarch, strings.Join(names, ", "))
	// -v names each package as it is compiled: the functions' own are the
	// progress shown, n of N.
	args = append(args[:1], append([]string{"-v"}, args[1:]...)...)
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir = opts.Dir
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS="+b.goos, "GOARCH="+b.goarch)
	progress := &buildProgress{log: opts.Log, pkgs: b.pkgs}
	cmd.Stdout, cmd.Stderr = progress, progress
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("go %s: %v\n%s", strings.Join(args, " "), err, progress.errors())
	}
	return nil
}

// buildProgress reads go build -v's output: a line naming one of the
// batch's function packages is shown as "[build] n/N <folder>"; the other
// lines (the dependencies' names, compiler errors) are kept for the error.
type buildProgress struct {
	log     io.Writer
	pkgs    []*pkg
	done    int
	partial []byte
	kept    bytes.Buffer
}

func (p *buildProgress) Write(b []byte) (int, error) {
	p.partial = append(p.partial, b...)
	for {
		i := bytes.IndexByte(p.partial, '\n')
		if i < 0 {
			return len(b), nil
		}
		p.line(string(p.partial[:i]))
		p.partial = p.partial[i+1:]
	}
}

func (p *buildProgress) line(l string) {
	for _, pk := range p.pkgs {
		if strings.HasSuffix(l, "/"+pk.codeURI) && !strings.Contains(l, " ") {
			p.done++
			fmt.Fprintf(p.log, "[build] %d/%d %s\n", p.done, len(p.pkgs), pk.codeURI)
			return
		}
	}
	if l == "" || !strings.Contains(l, " ") {
		return // a dependency's name: compiled
	}
	p.kept.WriteString(l + "\n")
}

// errors is what go build said beyond the packages' names.
func (p *buildProgress) errors() []byte {
	return append(p.kept.Bytes(), p.partial...)
}
