// Command enginebench runs one BPMN process (testdata/approval.bpmn: start,
// a user task, an exclusive gateway, a parallel split into two service
// tasks and their join, end) on our engine (shared/engine, as
// shared/casework drives it) and on github.com/nitram509/lib-bpmn-engine,
// each instance from its start to its end, with testing.Benchmark,
// interleaved for -rounds rounds (each round both, in turn first). It
// prints each engine's median instances/s, allocations and bytes per
// instance, and the ratios ours ÷ peer's; for instances/s the median (and
// range) of the rounds' ratios, which load that comes and goes moves less
// than either median. It is a module of its own so that the peer never
// enters the product's go.mod; `make bench-engine` runs it. The exit
// status is 1 when an engine fails to run an instance, never because of a
// figure.
package main

import (
	"flag"
	"fmt"
	"os"
	"slices"
	"testing"
)

func main() {
	rounds := flag.Int("rounds", 5, "interleaved rounds of both benchmarks (the medians are printed)")
	testing.Init()
	flag.Parse()
	if err := run(*rounds); err != nil {
		fmt.Fprintln(os.Stderr, "enginebench:", err)
		os.Exit(1)
	}
}

// figures are one engine's results over the rounds.
type figures struct {
	nsPerOp, allocs, bytes []float64
}

func (f *figures) add(r testing.BenchmarkResult) {
	f.nsPerOp = append(f.nsPerOp, float64(r.T.Nanoseconds())/float64(r.N))
	f.allocs = append(f.allocs, float64(r.AllocsPerOp()))
	f.bytes = append(f.bytes, float64(r.AllocedBytesPerOp()))
}

func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func run(rounds int) error {
	if rounds < 1 {
		return fmt.Errorf("-rounds must be at least 1")
	}
	o, err := ours()
	if err != nil {
		return fmt.Errorf("our engine: %w", err)
	}
	p, err := peer()
	if err != nil {
		return fmt.Errorf("lib-bpmn-engine: %w", err)
	}
	for name, r := range map[string]instanceRunner{"our engine": o, "lib-bpmn-engine": p} {
		if err := checkPath(r); err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
	}
	var of, pf figures
	var ratios []float64 // per round: ours ÷ peer's instances/s
	for i := 0; i < rounds; i++ {
		// Each round runs both, in turn first, so that load which comes
		// and goes weighs on both alike.
		var ro, rp testing.BenchmarkResult
		var oerr, perr error
		if i%2 == 0 {
			ro, oerr = bench(o)
			rp, perr = bench(p)
		} else {
			rp, perr = bench(p)
			ro, oerr = bench(o)
		}
		if oerr != nil {
			return fmt.Errorf("our engine: %w", oerr)
		}
		if perr != nil {
			return fmt.Errorf("lib-bpmn-engine: %w", perr)
		}
		of.add(ro)
		pf.add(rp)
		ratios = append(ratios, pf.nsPerOp[i]/of.nsPerOp[i])
	}
	fmt.Printf("one instance of testdata/approval.bpmn, start to end; medians of %d interleaved rounds\n", rounds)
	fmt.Printf("%-16s %12s %12s %12s %12s\n", "engine", "ns/instance", "instances/s", "allocs/inst", "B/inst")
	for _, row := range []struct {
		name string
		f    *figures
	}{{"ours", &of}, {"lib-bpmn-engine", &pf}} {
		ns := median(row.f.nsPerOp)
		fmt.Printf("%-16s %12.0f %12.0f %12.0f %12.0f\n", row.name, ns, 1e9/ns, median(row.f.allocs), median(row.f.bytes))
	}
	fmt.Printf("ratio ours/peer: instances/s %.2fx (median of the rounds' ratios, %.2f–%.2fx), allocs/instance %.0f vs %.0f (%.2fx), bytes/instance %.2fx\n",
		median(ratios), slices.Min(ratios), slices.Max(ratios),
		median(of.allocs), median(pf.allocs), median(of.allocs)/median(pf.allocs), median(of.bytes)/median(pf.bytes))
	return nil
}

// bench measures one runner; the first error stops it.
func bench(r instanceRunner) (testing.BenchmarkResult, error) {
	var err error
	res := testing.Benchmark(func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N && err == nil; i++ {
			_, err = r()
		}
	})
	return res, err
}

// checkPath runs one instance and checks that it took the approved path.
func checkPath(r instanceRunner) error {
	path, err := r()
	if err != nil {
		return err
	}
	if !slices.Equal(path, wantPath) {
		return fmt.Errorf("the instance took the path %v, want %v", path, wantPath)
	}
	return nil
}
