package engine

import (
	"encoding/json"
	"strconv"
	"testing"
	"time"
)

// benchWorkflowJSON: start -> review (user task) -> exclusive gateway ->
// parallel split -> two user tasks -> parallel join -> end.
const benchWorkflowJSON = `{"id":"bench","variables":[
	{"id":"decision","type":{"name":"choice","options":[{"id":"approve"},{"id":"reject"}]}}],
  "activities":[
	{"type":"startEvent","id":"start"},
	{"type":"userTask","id":"review","taskName":"Review",
	 "form":{"fields":[{"binding":{"expression":"decision"},"required":true}]}},
	{"type":"exclusiveGateway","id":"gw","defaultTransitionId":"rejected"},
	{"type":"parallelGateway","id":"fork"},
	{"type":"userTask","id":"legal"},
	{"type":"userTask","id":"finance"},
	{"type":"parallelGateway","id":"join"},
	{"type":"endEvent","id":"end"}],
  "transitions":[
	{"id":"t1","fromId":"start","toId":"review"},
	{"id":"t2","fromId":"review","toId":"gw"},
	{"id":"approved","fromId":"gw","toId":"fork","condition":{"type":"equals","left":{"expression":"decision"},"right":{"value":"approve"}}},
	{"id":"rejected","fromId":"gw","toId":"end"},
	{"id":"t3","fromId":"fork","toId":"legal"},
	{"id":"t4","fromId":"fork","toId":"finance"},
	{"id":"t5","fromId":"legal","toId":"join"},
	{"id":"t6","fromId":"finance","toId":"join"},
	{"id":"t7","fromId":"join","toId":"end"}]}`

// BenchmarkEngineThroughput starts instances of benchWorkflowJSON and
// drives each to its end by completing its four user tasks with Message;
// it reports instances/s (one instance = Start + 3 Messages).
func BenchmarkEngineThroughput(b *testing.B) {
	wf := parseWF(b, benchWorkflowJSON)
	n := 0
	e := &Engine{
		Now:   func() time.Time { return t0 },
		NewID: func() string { n++; return strconv.Itoa(n) },
	}
	approve := map[string]json.RawMessage{"decision": json.RawMessage(`"approve"`)}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		inst, fx, err := e.Start(wf, "", Trigger{})
		if err != nil {
			b.Fatal(err)
		}
		if fx, err = e.Message(wf, inst, fx.Tasks[0].ActivityInstanceID, approve); err != nil {
			b.Fatal(err)
		}
		for _, task := range fx.Tasks {
			if _, err := e.Message(wf, inst, task.ActivityInstanceID, nil); err != nil {
				b.Fatal(err)
			}
		}
		if !inst.Ended() {
			b.Fatal("instance did not end")
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "instances/s")
}
