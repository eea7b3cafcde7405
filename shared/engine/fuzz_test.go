package engine

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/effektif-serverless/caseflow/shared/workflow"
)

// FuzzStart starts arbitrary workflows with arbitrary trigger data and
// drives them (messages, errors and escalations to waiting activities,
// messages and signals triggered, every timer fired, forms built, scripts
// tested, JSON round trips, cancel): nothing may panic, a failed
// operation must leave the instance unchanged, and a stored instance must
// read back to the same JSON.
func FuzzStart(f *testing.F) {
	for _, src := range []string{benchWorkflowJSON, inclusiveJSON, sprintf(boundaryJSON, true), sprintf(parallelJSON, "task", "userTask"),
		sprintf(boundaryMessageJSON, false), errorBoundaryJSON, raceJSON, sprintf(espJSON, false), sprintf(espJSON, true),
		`{"activities":[{"type":"startEvent","id":"s"},{"type":"subProcessEmbedded","id":"p","activities":[{"type":"timerEvent","id":"t","due":{"duration":1,"durationUnit":"days"}}]},
		  {"type":"scriptTask","id":"x","script":{"script":"a = b + 1"}},{"type":"call","id":"c","subWorkflowId":"w","outputBindings":{"r":"a"}}],
		  "transitions":[{"fromId":"s","toId":"p"},{"fromId":"p","toId":"x"},{"fromId":"x","toId":"c"}]}`,
		`{"variables":[{"id":"l","type":{"name":"list","elementType":{"name":"text"}}}],"activities":[{"type":"receiveTask","id":"r",
		  "multiInstance":{"sequential":true,"variable":{"id":"e"},"values":[{"expression":"l"}]}},{"type":"endEvent","id":"e","terminate":true}],
		  "transitions":[{"fromId":"r","toId":"e"}]}`,
	} {
		f.Add([]byte(src), []byte(`{"decision":"approve","x":true,"l":["a","b"],"b":2}`))
		f.Add([]byte(src), []byte(`{"formInstance":{"fields":[{"id":"decision","value":1}]}}`))
	}
	f.Fuzz(func(t *testing.T, wfJSON, dataJSON []byte) {
		var wf workflow.Workflow
		if json.Unmarshal(wfJSON, &wf) != nil {
			return
		}
		var values map[string]json.RawMessage
		_ = json.Unmarshal(dataJSON, &values)
		h := newHarness(t)
		Validate(&wf)
		_ = StartForm(&wf)
		for _, a := range wf.Activities {
			_, _ = RunScript(&wf, a.ID, values)
		}
		inst, _, err := h.e.Start(&wf, "", Trigger{Data: values})
		if err != nil {
			return
		}
		// unchangedOnError checks the operations' rule: on error, inst is
		// unchanged.
		unchangedOnError := func(op func() (*Effects, error)) {
			before, _ := json.Marshal(inst)
			if _, err := op(); err != nil {
				if after, _ := json.Marshal(inst); string(after) != string(before) {
					t.Fatalf("an operation failed (%v) and changed the instance:\n%s\n%s", err, before, after)
				}
			}
		}
		for round := 0; round < 5 && !inst.Ended(); round++ {
			waiting := inst.WaitingActivityInstances()
			if len(waiting) > 10 {
				waiting = waiting[:10] // keep each input fast
			}
			for i, ai := range waiting {
				_, _ = inst.FormInstance(&wf, ai.ID)
				switch (round + i) % 4 {
				case 1:
					unchangedOnError(func() (*Effects, error) { return h.e.Fail(&wf, inst, ai.ID, "E", values) })
				case 2:
					unchangedOnError(func() (*Effects, error) { return h.e.Escalate(&wf, inst, ai.ID, "") })
				default:
					unchangedOnError(func() (*Effects, error) { return h.e.Message(&wf, inst, ai.ID, values) })
				}
			}
			subs := inst.Subscriptions(&wf)
			if len(subs) > 10 {
				subs = subs[:10]
			}
			for _, sub := range subs {
				unchangedOnError(func() (*Effects, error) { return h.e.Trigger(&wf, inst, sub.Kind, sub.Name, values) })
			}
			h.now = h.now.Add(1000 * 24 * time.Hour)
			timers := append([]*TimerInstance(nil), inst.TimerInstances...)
			if len(timers) > 10 {
				timers = timers[:10]
			}
			for _, ti := range timers {
				unchangedOnError(func() (*Effects, error) { return h.e.FireTimer(&wf, inst, ti.ID) })
			}
			stored, err := json.Marshal(inst)
			if err != nil {
				t.Fatal(err)
			}
			var back Instance
			if err := json.Unmarshal(stored, &back); err != nil {
				t.Fatalf("stored instance does not read back: %v\n%s", err, stored)
			}
			if again, _ := json.Marshal(&back); string(again) != string(stored) {
				t.Fatalf("round trip differs:\n%s\n%s", stored, again)
			}
			_ = back.Public()
		}
		if !inst.Ended() {
			if _, err := h.e.Cancel(&wf, inst); err != nil {
				t.Fatalf("cancel: %v", err)
			}
		}
	})
}
