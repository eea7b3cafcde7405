package engine

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/effektif-serverless/caseflow/shared/workflow"
)

// t0 is the tests' start time.
var t0 = time.Date(2024, 3, 1, 9, 30, 0, 0, time.UTC)

// harness is an engine with a settable clock and sequential ids.
type harness struct {
	t   testing.TB
	e   *Engine
	now time.Time
	ids int
}

func newHarness(t testing.TB) *harness {
	h := &harness{t: t, now: t0}
	h.e = &Engine{
		Now: func() time.Time { return h.now },
		NewID: func() string {
			h.ids++
			return fmt.Sprintf("id%d", h.ids)
		},
	}
	return h
}

// parseWF reads a workflow from JSON (with ` standing for ").
func parseWF(t testing.TB, src string) *workflow.Workflow {
	t.Helper()
	var wf workflow.Workflow
	if err := json.Unmarshal([]byte(strings.ReplaceAll(src, "`", `"`)), &wf); err != nil {
		t.Fatalf("bad workflow JSON: %v", err)
	}
	return &wf
}

func raw(s string) json.RawMessage { return json.RawMessage(s) }

func data(kv ...string) map[string]json.RawMessage {
	m := map[string]json.RawMessage{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = raw(kv[i+1])
	}
	return m
}

func (h *harness) start(wf *workflow.Workflow, tr Trigger) (*Instance, *Effects) {
	h.t.Helper()
	inst, fx, err := h.e.Start(wf, "", tr)
	if err != nil {
		h.t.Fatalf("Start: %v", err)
	}
	return inst, fx
}

func (h *harness) message(wf *workflow.Workflow, inst *Instance, activityID string, values map[string]json.RawMessage) *Effects {
	h.t.Helper()
	ai := waitingAt(inst, activityID)
	if ai == nil {
		h.t.Fatalf("no waiting instance of %s; open: %v", activityID, openActivities(inst))
	}
	fx, err := h.e.Message(wf, inst, ai.ID, values)
	if err != nil {
		h.t.Fatalf("Message(%s): %v", activityID, err)
	}
	return fx
}

// waitingAt finds the first waiting instance of an activity.
func waitingAt(inst *Instance, activityID string) *ActivityInstance {
	for _, ai := range inst.WaitingActivityInstances() {
		if ai.ActivityID == activityID {
			return ai
		}
	}
	return nil
}

// openActivities lists the activity ids of open activity instances.
func openActivities(inst *Instance) []string {
	var out []string
	inst.walk(func(ai *ActivityInstance) bool {
		if ai.Open() {
			out = append(out, ai.ActivityID)
		}
		return true
	})
	return out
}

// executed counts the activity instances of an activity (ended or not).
func executed(inst *Instance, activityID string) int {
	n := 0
	inst.walk(func(ai *ActivityInstance) bool {
		if ai.ActivityID == activityID {
			n++
		}
		return true
	})
	return n
}

func varValue(inst *Instance, id string) string {
	v, _ := inst.Variable(id)
	return string(v)
}

func mustJSON(t testing.TB, v any) string {
	t.Helper()
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		t.Fatal(err)
	}
	return strings.TrimSuffix(b.String(), "\n")
}

func taskIDs(fx *Effects) []string {
	var out []string
	for _, t := range fx.Tasks {
		out = append(out, t.ActivityID)
	}
	return out
}

// seq builds a linear workflow start -> acts... -> end from activity JSON
// objects, with transitions t1, t2, ...
func seq(t testing.TB, extra string, acts ...string) *workflow.Workflow {
	t.Helper()
	all := append([]string{"{`type`:`startEvent`,`id`:`start`}"}, acts...)
	all = append(all, "{`type`:`endEvent`,`id`:`end`}")
	var ids []string
	for _, a := range all {
		var x struct{ ID string }
		if err := json.Unmarshal([]byte(strings.ReplaceAll(a, "`", `"`)), &x); err != nil {
			t.Fatalf("bad activity %s: %v", a, err)
		}
		ids = append(ids, x.ID)
	}
	var trans []string
	for i := 0; i+1 < len(ids); i++ {
		trans = append(trans, fmt.Sprintf("{`id`:`t%d`,`fromId`:`%s`,`toId`:`%s`}", i+1, ids[i], ids[i+1]))
	}
	src := "{`id`:`wf`,`activities`:[" + strings.Join(all, ",") + "],`transitions`:[" + strings.Join(trans, ",") + "]"
	if extra != "" {
		src += "," + extra
	}
	return parseWF(t, src+"}")
}

func sprintf(format string, args ...any) string { return fmt.Sprintf(format, args...) }
