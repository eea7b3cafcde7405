package bpmn

import (
	"github.com/effektif-serverless/caseflow/shared/bpmn/charsets"

	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/effektif-serverless/caseflow/shared/engine"
	"github.com/effektif-serverless/caseflow/shared/workflow"
)

// corpusDir is the BPMN MIWG corpus beside the repository.
const corpusDir = "../../../shared/bpmn-corpus"

// TestCorpus imports every corpus file: each imports, validates without
// errors, starts in the engine (empty trigger data) and round-trips.
func TestCorpus(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(corpusDir, "*", "*.bpmn"))
	if len(files) == 0 {
		t.Skip("no corpus at " + corpusDir)
	}
	sort.Strings(files)
	imported := 0
	for _, f := range files {
		name, _ := filepath.Rel(corpusDir, f)
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			w, _, err := ImportEncoded(data, charsets.Lookup)
			var ue *UnsupportedError
			if errors.As(err, &ue) {
				types := map[string]bool{}
				for _, e := range ue.Elements {
					if e.ID == "" || e.Type == "" {
						t.Errorf("element without id or type: %+v", e)
					}
					types[e.Type] = true
				}
				t.Fatalf("rejected: %s", strings.Join(sortedMapKeys(types), ", "))
			}
			if err != nil {
				t.Fatalf("import: %v", err)
			}
			imported++
			assertRuns(t, w)
			assertRoundTrip(t, w)
		})
	}
	t.Logf("%d of %d files import", imported, len(files))
}

// assertRuns validates w (no errors), starts it with empty trigger data
// and drives it for a few rounds: every waiting activity ends, every
// subscribed message or signal comes, every timer fires (a year later).
// No operation may fail, except a form that lacks a required value.
func assertRuns(t *testing.T, w *workflow.Workflow) {
	t.Helper()
	for _, is := range engine.Validate(w) {
		if is.Severity == engine.SeverityError {
			t.Errorf("validate: %s (%s)", is, is.Type)
		}
	}
	now := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	e := &engine.Engine{Now: func() time.Time { return now }}
	inst, _, err := e.Start(w, "", engine.Trigger{})
	if err != nil {
		t.Errorf("start: %v", err)
		return
	}
	check := func(op string, err error) {
		t.Helper()
		var ve *engine.ValueError
		if err != nil && !errors.As(err, &ve) && !errors.Is(err, engine.ErrNotWaiting) && !errors.Is(err, engine.ErrNoReceiver) &&
			!errors.Is(err, engine.ErrUnknownTimer) {
			t.Errorf("%s: %v", op, err)
		}
	}
	for round := 0; round < 8 && !inst.Ended(); round++ {
		for _, ai := range inst.WaitingActivityInstances() {
			_, err := e.Message(w, inst, ai.ID, nil)
			check("message "+ai.ActivityID, err)
		}
		for _, sub := range inst.Subscriptions(w) {
			_, err := e.Trigger(w, inst, sub.Kind, sub.Name, nil)
			check("trigger "+sub.Name, err)
		}
		now = now.AddDate(1, 0, 0)
		for _, ti := range append([]*engine.TimerInstance(nil), inst.TimerInstances...) {
			_, err := e.FireTimer(w, inst, ti.ID)
			check("timer "+ti.TimerID, err)
		}
	}
}

// assertRoundTrip exports w, imports the export and compares the JSON of
// both workflows, all of it.
func assertRoundTrip(t *testing.T, w any) {
	t.Helper()
	first, _ := json.Marshal(w)
	wf := mustWorkflow(t, w)
	out, err := Export(wf)
	if err != nil {
		t.Fatalf("export: %v", err)
	}
	again, err := Import(out)
	if err != nil {
		t.Fatalf("re-import: %v\n%s", err, out)
	}
	second, _ := json.Marshal(again)
	if !bytes.Equal(first, second) {
		t.Errorf("round trip differs:\n%s", jsonDiff(first, second))
	}
}

// TestCorpusEveryProcess imports every process of every corpus file (not
// only the one Import chooses) and checks the round trip of those that
// import.
func TestCorpusEveryProcess(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(corpusDir, "*", "*.bpmn"))
	if len(files) == 0 {
		t.Skip("no corpus at " + corpusDir)
	}
	sort.Strings(files)
	ok := 0
	for _, f := range files {
		data, _ := os.ReadFile(f)
		root, err := parseXML(data, charsets.Lookup)
		if err != nil {
			t.Fatal(err)
		}
		root.Decls = withoutStandard(root.Decls)
		for i, p := range root.Kids {
			if !p.is(nsModel, "process") {
				continue
			}
			im := newImporter(root.clone())
			w, err := im.run(im.root.Kids[i])
			var ue *UnsupportedError
			if errors.As(err, &ue) {
				continue
			}
			if err != nil {
				t.Errorf("%s %s: %v", f, p.attr("", "id"), err)
				continue
			}
			ok++
			assertRuns(t, w)
			first, _ := json.Marshal(w)
			out, err := Export(w)
			if err != nil {
				t.Errorf("%s: export %v", f, err)
				continue
			}
			// re-import the same process: it is the one at the same place
			root2, err := parseXML(out, nil)
			if err != nil {
				t.Errorf("%s: reparse %v", f, err)
				continue
			}
			root2.Decls = withoutStandard(root2.Decls)
			var w2 any
			for j, p2 := range root2.Kids {
				if p2.is(nsModel, "process") && p2.attr("", "id") == w.ID {
					im2 := newImporter(root2.clone())
					w2, err = im2.run(im2.root.Kids[j])
				}
			}
			second, _ := json.Marshal(w2)
			if string(first) != string(second) {
				t.Errorf("%s %s: round trip differs (%v):\n%s", filepath.Base(filepath.Dir(f))+"/"+filepath.Base(f), w.ID, err, jsonDiff(first, second))
			}
		}
	}
	t.Logf("%d processes import", ok)
}

// TestCorpusTravelBooking drives the MIWG travel booking model (C.6.0):
// an event-based gateway, a compensation end throw, a subprocess with a
// compensation event sub-process whose throws compensate the bookings,
// and an error boundary event on the payment.
func TestCorpusTravelBooking(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(corpusDir, "Reference", "C.6.0.bpmn"))
	if err != nil {
		t.Skip("no corpus at " + corpusDir)
	}
	w, _, err := ImportEncoded(data, charsets.Lookup)
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]string{}
	var index func(acts []workflow.Activity)
	index = func(acts []workflow.Activity) {
		for _, a := range acts {
			byName[strings.ReplaceAll(a.Name, "\n", " ")] = a.ID
			index(a.Activities)
		}
	}
	index(w.Activities)
	e := &engine.Engine{}
	inst, _, err := e.Start(w, "", engine.Trigger{})
	if err != nil {
		t.Fatal(err)
	}
	waiting := func(name string) string {
		t.Helper()
		for _, ai := range inst.WaitingActivityInstances() {
			if ai.ActivityID == byName[name] {
				return ai.ID
			}
		}
		t.Fatalf("%q does not wait: %v", name, inst.WaitingActivityInstances())
		return ""
	}
	do := func(fx *engine.Effects, err error) *engine.Effects {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return fx
	}
	// The offer is approved (its message wins the race against the
	// cancellation); the bookings are made, then the payment fails.
	do(e.Message(w, inst, waiting("Offer Approved"), nil))
	if len(inst.Subscriptions(w)) != 0 {
		t.Fatalf("the race is over: %+v", inst.Subscriptions(w))
	}
	do(e.Message(w, inst, waiting("Book Hotel"), nil))
	do(e.Message(w, inst, waiting("Book Flight"), nil))
	fx := do(e.Fail(w, inst, waiting("Charge Credit Card"), "", nil))
	// Compensating "Make Booking" runs its compensation event
	// sub-process, whose first throw cancels the bookings, the last made
	// first, one after the other (the second throw finds nothing left).
	actions := func(fx *engine.Effects) []string {
		var out []string
		for _, a := range fx.ServiceActions {
			out = append(out, a.ActivityID)
		}
		return out
	}
	if got := actions(fx); !slices.Equal(got, []string{byName["Cancel Flight"]}) {
		t.Fatalf("first handler %v", got)
	}
	fx = do(e.Message(w, inst, waiting("Cancel Flight"), nil))
	if got := actions(fx); !slices.Equal(got, []string{byName["Cancel Hotel"]}) {
		t.Fatalf("second handler %v", got)
	}
	do(e.Message(w, inst, waiting("Cancel Hotel"), nil))
	if !inst.Ended() {
		t.Fatalf("not ended; waiting %v", inst.WaitingActivityInstances())
	}
	ended := map[string]bool{}
	var walk func(list []*engine.ActivityInstance)
	walk = func(list []*engine.ActivityInstance) {
		for _, ai := range list {
			ended[ai.ActivityID] = true
			walk(ai.ActivityInstances)
		}
	}
	walk(inst.ActivityInstances)
	if !ended[byName["Failed Credit Transaction"]] || ended[byName["Booking  Confirmed"]] {
		t.Fatalf("ended at the wrong end: %v", ended)
	}
}
