package engine

import (
	"strings"
	"testing"
)

func TestValidateCleanWorkflow(t *testing.T) {
	for _, src := range []string{benchWorkflowJSON, inclusiveJSON, sprintf(boundaryJSON, false)} {
		if issues := Validate(parseWF(t, src)); len(issues) != 0 {
			t.Errorf("unexpected issues: %+v", issues)
		}
	}
}

func TestValidateFindsProblems(t *testing.T) {
	wf := parseWF(t, `{"variables":[{"id":"n","type":{"name":"number"},"defaultValue":"x"},{"id":"n"},{"id":"c","type":{"name":"color"}}],
	  "trigger":{"type":"form","form":{"fields":[{"binding":{"expression":"n.x"}},{"id":"f","binding":{"expression":"ghost"}}]}},
	  "activities":[{"type":"startEvent","id":"s"},{"type":"rocketTask","id":"r"},{"type":"userTask","id":"s"},
		{"type":"exclusiveGateway","id":"gw","defaultTransitionId":"elsewhere"},{"type":"exclusiveGateway","id":"gw2"},
		{"type":"call","id":"call"},{"type":"serviceTask","id":"svc","serviceKey":"k"},
		{"type":"scriptTask","id":"sc","script":{"script":"x = (1"}},{"type":"timerEvent","id":"tm","due":{"duration":1,"durationUnit":"ages"}},
		{"type":"email","id":"mail","subject":"{{who}}"},
		{"type":"userTask","id":"u","assigneeId":{"value":5,"type":{"name":"userId"}},"timers":[{"id":"bt","toTransitionIds":["nope"]}],
		 "multiInstance":{"variable":{"id":"el"},"values":[]}},
		{"type":"subProcessEmbedded","id":"sub","activities":[{"type":"task","id":"loop"}],"transitions":[{"fromId":"loop","toId":"loop"}]},
		{"type":"parallelGateway","id":"pg","multiInstance":{"variable":{"id":"x"},"values":[{"value":1}]}}],
	  "transitions":[{"id":"a","fromId":"s","toId":"gw"},{"id":"a","fromId":"gw","toId":"missing"},{"fromId":"gw","toId":"loop"},
		{"fromId":"gw2","toId":"call","condition":{"type":"equals","left":{"expression":"n"},"right":{"value":1}}},
		{"fromId":"gw2","toId":"svc","condition":{"type":"bogus"}},{"fromId":"s","toId":"sc","condition":{"type":"isTrue"}}]}`)
	issues := Validate(wf)
	want := []string{
		"error duplicateId n:",
		"error badDataType c:",
		"error badValue n:",
		"error unknownActivityType r:",
		"error duplicateId s:",
		"error badDefaultTransition gw/elsewhere",
		"warning noWayOut gw2",
		"warning missingConfiguration call",
		"error missingConfiguration svc",
		"error badScript sc/script",
		"error badRelativeTime tm/due",
		"warning missingConfiguration mail",
		"warning unknownVariable mail/subject",
		"error badBinding u/assigneeId",
		"warning badRelativeTime u/bt",
		"error badTimer u/bt",
		"warning badMultiInstance u/multiInstance",
		"error noStartActivity sub",
		"warning badMultiInstance pg/multiInstance",
		"error duplicateId a",
		"error badTransition a",
		"error badTransition gw->loop",
		"error badCondition gw2->svc",
		"error badCondition s->sc",
		"warning badForm 1",
		"warning unknownVariable f",
	}
	var got []string
	for _, is := range issues {
		got = append(got, is.Severity+" "+is.Type+" "+is.String())
	}
	all := strings.Join(got, "\n")
	for _, w := range want {
		if !strings.Contains(all, w) {
			t.Errorf("missing issue %q", w)
		}
	}
	if t.Failed() || testing.Verbose() {
		t.Logf("issues:\n%s", all)
	}
	if Validate(nil)[0].Type != IssueNoWorkflow {
		t.Error("nil workflow")
	}
}

func TestValidateNoStartActivity(t *testing.T) {
	wf := parseWF(t, `{"activities":[{"type":"task","id":"a"},{"type":"task","id":"b"}],
	  "transitions":[{"fromId":"a","toId":"b"},{"fromId":"b","toId":"a"}]}`)
	issues := Validate(wf)
	if len(issues) != 1 || issues[0].Type != IssueNoStartActivity {
		t.Fatalf("%+v", issues)
	}
}
