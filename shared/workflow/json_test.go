package workflow

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestJSONKeepsUnknownKeysAndAcceptsAliases(t *testing.T) {
	in := `{"id":"w1","name":"Vacation","custom":{"a":1},
	  "activities":[{"type":"userTask","id":"approve","dueDate":{"duration":2,"durationUnit":"days"},
	    "form":{"fields":[{"id":"d","asButtons":true,"binding":{"expression":"decision"}}]},"vendor":"x"}],
	  "transitions":[{"id":"t1","from":"start","to":"approve"}],
	  "variables":[{"id":"decision","type":{"name":"decision","options":[{"id":"ok"}]}}]}`
	var w Workflow
	if err := json.Unmarshal([]byte(in), &w); err != nil {
		t.Fatal(err)
	}
	if w.Transitions[0].From != "start" || w.Transitions[0].To != "approve" {
		t.Fatalf("aliases not applied: %+v", w.Transitions[0])
	}
	if w.Activities[0].DueDate == nil || w.Activities[0].DueDate.Duration != 2 {
		t.Fatalf("dueDate alias not applied: %+v", w.Activities[0])
	}
	if w.Variables[0].Type.Name != TypeChoice {
		t.Fatalf("type alias not applied: %+v", w.Variables[0].Type)
	}
	out, err := json.Marshal(w)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"custom":{"a":1}`, `"vendor":"x"`, `"asButtons":true`, `"fromId":"start"`, `"toId":"approve"`, `"duedate":`} {
		if !strings.Contains(string(out), want) {
			t.Errorf("output lacks %s: %s", want, out)
		}
	}
	var again Workflow
	if err := json.Unmarshal(out, &again); err != nil {
		t.Fatal(err)
	}
	out2, _ := json.Marshal(again)
	if string(out) != string(out2) {
		t.Fatalf("round trip differs:\n%s\n%s", out, out2)
	}
}
