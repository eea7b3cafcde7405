package main

import (
	"context"
	"fmt"
	"io"

	"github.com/effektif-serverless/caseflow/infra/awslocal"
	"github.com/effektif-serverless/caseflow/infra/internal/proc"
	"github.com/effektif-serverless/caseflow/infra/lambdaemu"
	"github.com/effektif-serverless/caseflow/infra/samtemplate"
)

// goalRSSKB is issue 14's memory goal: 64 MB after the warm requests.
const goalRSSKB = 64 * 1024

// runMemory starts one instance of each function (and of the do-nothing
// one) under the emulator on the local AWS stack, invokes it requests
// times warm with its sample event (the event of the cold start
// benchmark), and prints the process's VmRSS and VmHWM after.
func runMemory(ctx context.Context, root string, ids []string, requests int, verbose bool) error {
	b, err := setup(ctx, root, ids, "nop", verbose)
	if err != nil {
		return err
	}
	defer b.stack.Close()
	tmpl, binaries, stack, logw := b.tmpl, b.binaries, b.stack, b.logw
	fmt.Printf("memory after %d warm invocations of each function's sample event (one instance each); goal ≤ 64 MB RSS\n", requests)
	fmt.Printf("%-28s %10s %10s %10s\n", "function", "VmRSS MB", "VmHWM MB", "MemorySize")
	for _, fn := range b.all() {
		ev, err := []byte(`{}`), error(nil)
		if fn.LogicalID != nopID {
			if ev, err = firstEvent(root, tmpl, fn); err != nil {
				return err
			}
		}
		rss, hwm, err := warmMemory(ctx, fn, binaries[fn.LogicalID], stack.Env(), ev, requests, logw)
		if err != nil {
			return fmt.Errorf("%s: %w", fn.LogicalID, err)
		}
		fmt.Printf("%-28s %10.1f %10.1f %8d MB%s\n", fn.LogicalID, float64(rss)/1024, float64(hwm)/1024, fn.MemorySize, mark(hwm > goalRSSKB))
	}
	return nil
}

// warmMemory invokes one instance of fn requests times and returns its
// VmRSS and VmHWM in KiB.
func warmMemory(ctx context.Context, fn samtemplate.Function, binary string, stackEnv []string, event []byte, requests int, logw io.Writer) (rss, hwm int64, err error) {
	emu := lambdaemu.New(lambdaemu.Options{Log: logw, Region: awslocal.Region, MaxInstances: 1})
	defer emu.Close()
	if err := emu.Add(fn.LogicalID, lambdaFunction(fn, binary, stackEnv)); err != nil {
		return 0, 0, err
	}
	for i := 0; i < requests; i++ {
		if _, err := emu.Invoke(ctx, fn.LogicalID, event); err != nil {
			if ferr, ok := err.(*lambdaemu.FunctionError); !ok || ferr.Type == lambdaemu.TypeExit || ferr.Type == lambdaemu.TypeTimeout {
				return 0, 0, err
			}
		}
	}
	pids := emu.Processes(fn.LogicalID)
	if len(pids) != 1 {
		return 0, 0, fmt.Errorf("%d processes of %s, want 1", len(pids), fn.LogicalID)
	}
	return proc.Memory(pids[0])
}
