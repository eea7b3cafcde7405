package engine_test

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/effektif-serverless/caseflow/shared/engine"
	"github.com/effektif-serverless/caseflow/shared/workflow"
)

// The application's side of a user task: start, show the task, complete
// it with its form values, persist the new state.
func Example() {
	var wf workflow.Workflow
	_ = json.Unmarshal([]byte(`{"id":"vacation",
	  "variables":[{"id":"days","type":{"name":"number"}},
	    {"id":"ok","type":{"name":"choice","options":[{"id":"yes"},{"id":"no"}]}}],
	  "activities":[{"type":"startEvent","id":"start"},
	    {"type":"userTask","id":"approve","taskName":"Approve {{days}} days","candidateGroupIds":[{"value":"managers"}],
	     "form":{"fields":[{"binding":{"expression":"days"},"readOnly":true},{"binding":{"expression":"ok"},"required":true}]}},
	    {"type":"exclusiveGateway","id":"gw","defaultTransitionId":"no"},
	    {"type":"email","id":"mail","toUserIds":[{"value":"u1"}],"subject":"{{days}} days approved"},
	    {"type":"endEvent","id":"end"}],
	  "transitions":[{"fromId":"start","toId":"approve"},{"fromId":"approve","toId":"gw"},
	    {"id":"yes","fromId":"gw","toId":"mail","condition":{"type":"equals","left":{"expression":"ok"},"right":{"value":"yes"}}},
	    {"id":"no","fromId":"gw","toId":"end"},{"fromId":"mail","toId":"end"}]}`), &wf)

	e := &engine.Engine{
		Now:   func() time.Time { return time.Date(2024, 1, 1, 12, 0, 0, 0, time.UTC) },
		NewID: func() string { return "5f0000000000000000000001" },
	}
	inst, fx, err := e.Start(&wf, "vacation-v1", engine.Trigger{Data: map[string]json.RawMessage{"days": json.RawMessage(`3`)}})
	if err != nil {
		panic(err)
	}
	task := fx.Tasks[0]
	fmt.Println(task.Name, task.CandidateGroupIDs, task.ActivityInstanceID)

	fx, err = e.Message(&wf, inst, task.ActivityInstanceID, map[string]json.RawMessage{"ok": json.RawMessage(`"yes"`)})
	if err != nil {
		panic(err)
	}
	inst.Version++ // the application's conditional write
	fmt.Println(fx.Emails[0].Subject, fx.Emails[0].To.UserIDs, fx.Ended, inst.Version)
	// Output:
	// Approve 3 days [managers] 2
	// 3 days approved [u1] true 1
}
