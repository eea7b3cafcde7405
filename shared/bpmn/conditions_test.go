package bpmn

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/effektif-serverless/caseflow/shared/workflow"
)

func TestParseCondition(t *testing.T) {
	tests := []struct{ text, want string }{
		{"${approved}", `{"type":"isTrue","left":{"expression":"approved"}}`},
		{"#{!approved}", `{"type":"isFalse","left":{"expression":"approved"}}`},
		{"= not(approved)", `{"type":"isFalse","left":{"expression":"approved"}}`},
		{"${amount > 100}", `{"type":"greaterThan","left":{"expression":"amount"},"right":{"value":100,"type":{"name":"number"}}}`},
		{"amount >= 1.5", `{"type":"greaterThanOrEqual","left":{"expression":"amount"},"right":{"value":1.5,"type":{"name":"number"}}}`},
		{"${100 < order.total}", `{"type":"greaterThan","left":{"expression":"order.total"},"right":{"value":100,"type":{"name":"number"}}}`},
		{"${x le -2}", `{"type":"lessThanOrEqual","left":{"expression":"x"},"right":{"value":-2,"type":{"name":"number"}}}`},
		{"${status == 'done'}", `{"type":"equals","left":{"expression":"status"},"right":{"value":"done","type":{"name":"text"}}}`},
		{`=status = "it's"`, `{"type":"equals","left":{"expression":"status"},"right":{"value":"it's","type":{"name":"text"}}}`},
		{"${a != b}", `{"type":"notEquals","left":{"expression":"a"},"right":{"expression":"b"}}`},
		{"${a == null}", `{"type":"hasNoValue","left":{"expression":"a"}}`},
		{"${a ne null}", `{"type":"hasValue","left":{"expression":"a"}}`},
		{"${not empty a}", `{"type":"hasValue","left":{"expression":"a"}}`},
		{"${ok == false}", `{"type":"isFalse","left":{"expression":"ok"}}`},
		{"true", `{"type":"isTrue","left":{"value":true,"type":{"name":"boolean"}}}`},
		{"bpmn:getDataObject('clarified') = 'yes'", `{"type":"equals","left":{"expression":"clarified"},"right":{"value":"yes","type":{"name":"text"}}}`},
		{"${a && b || !(c > 1)}", `{"type":"or","conditions":[{"type":"and","conditions":[{"type":"isTrue","left":{"expression":"a"}},{"type":"isTrue","left":{"expression":"b"}}]},` +
			`{"type":"not","condition":{"type":"greaterThan","left":{"expression":"c"},"right":{"value":1,"type":{"name":"number"}}}}]}`},
		{"${a and b and c}", `{"type":"and","conditions":[{"type":"isTrue","left":{"expression":"a"}},{"type":"isTrue","left":{"expression":"b"}},{"type":"isTrue","left":{"expression":"c"}}]}`},
	}
	for _, tt := range tests {
		c, ok := parseCondition(tt.text)
		got, _ := json.Marshal(c)
		if !ok || string(got) != tt.want {
			t.Errorf("%s:\n got  %s (%v)\n want %s", tt.text, got, ok, tt.want)
		}
	}
	for _, text := range []string{
		"", "${}", "${a.size() > 2}", "=some x in l satisfies x > 1", "Vacation Approval = \"Approved\"",
		"${a +}", "${a > }", "${'x' == 'y'}", "${(a}", "${a > 1 2}", "${x ~ 1}", "'unterminated", "${1e999 > a}",
	} {
		if c, ok := parseCondition(text); ok {
			t.Errorf("%q converted to %+v", text, c)
		}
	}
}

// TestConditionRoundTrip writes conditions as e:condition and as JUEL and
// reads both back.
func TestConditionRoundTrip(t *testing.T) {
	num := json.RawMessage(`5`)
	conds := []workflow.Condition{
		{Type: workflow.CondEquals, Left: &workflow.Binding{Expression: "a"}, Right: &workflow.Binding{Value: json.RawMessage(`"x'y"`)}},
		{Type: workflow.CondLessThan, Left: &workflow.Binding{Expression: "n"}, Right: &workflow.Binding{Value: num, Type: &workflow.DataType{Name: "number"}}},
		{Type: workflow.CondAnd, Conditions: []workflow.Condition{
			{Type: workflow.CondHasValue, Left: &workflow.Binding{Expression: "a"}},
			{Type: workflow.CondNot, Condition: &workflow.Condition{Type: workflow.CondIsTrue, Left: &workflow.Binding{Expression: "b"}}},
		}},
		{Type: workflow.CondContains, Left: &workflow.Binding{Expression: "s"}, Right: &workflow.Binding{Value: json.RawMessage(`"z"`)}},
		{Type: workflow.CondUnspecified, Left: &workflow.Binding{Expression: "a"}, Conditions: []workflow.Condition{{Type: workflow.CondIsTrue, Left: &workflow.Binding{Expression: "q"}}},
			Condition: &workflow.Condition{Type: workflow.CondIsFalse, Left: &workflow.Binding{Expression: "r"}}},
		{Type: workflow.CondOr, Condition: &workflow.Condition{Type: workflow.CondIsTrue, Left: &workflow.Binding{Expression: "z"}}},
	}
	for _, c := range conds {
		n, err := writeCondition(&c)
		if err != nil {
			t.Fatal(err)
		}
		back := readCondition(n)
		want, _ := json.Marshal(c)
		got, _ := json.Marshal(back)
		if string(got) != string(want) {
			t.Errorf("e:condition round trip\n got  %s\n want %s", got, want)
		}
		if text, ok := renderCondition(&c); ok && !strings.Contains(text, "contains") {
			parsed, ok := parseCondition(text)
			pj, _ := json.Marshal(parsed)
			if !ok {
				t.Errorf("JUEL %s does not parse back", text)
			} else if c.Type == workflow.CondLessThan && string(pj) != string(want) {
				t.Errorf("JUEL %s read as %s", text, pj)
			}
		}
	}
	if _, err := writeCondition(&workflow.Condition{Type: "not a name"}); err == nil {
		t.Error("invalid condition type written")
	}
	if _, ok := renderCondition(&workflow.Condition{Type: workflow.CondUnspecified}); ok {
		t.Error("unspecified rendered")
	}
}

func TestParseDuration(t *testing.T) {
	tests := []struct {
		iso  string
		want string // duration unit, "" when not mapped
	}{
		{"PT5M", "5 minutes"}, {"PT2H", "2 hours"}, {"P3D", "3 days"}, {"P2W", "2 weeks"}, {"P6M", "6 months"}, {"P1Y", "1 years"},
		{"P1Y6M", "18 months"}, {"P1DT12H", "36 hours"}, {"PT1H30M", "90 minutes"}, {"PT90S", "1.5 minutes"}, {"P1W2D", "9 days"},
		{"PT0.5H", "0.5 hours"}, {"PT1,5H", "1.5 hours"}, {" P1D ", "1 days"},
		{"P", ""}, {"PT", ""}, {"P1DT", ""}, {"P1M1D", ""}, {"-P1D", ""}, {"1D", ""}, {"P1H", ""}, {"${d}", ""},
	}
	for _, tt := range tests {
		rt, ok := parseDuration(tt.iso)
		got := ""
		if ok {
			got = formatFloat(rt.Duration) + " " + rt.DurationUnit
		}
		if got != tt.want {
			t.Errorf("%q: got %q, want %q", tt.iso, got, tt.want)
		}
		if ok {
			if back, ok := isoDuration(rt); !ok {
				t.Errorf("%q: no ISO form", tt.iso)
			} else if again, _ := parseDuration(back); *again != *rt {
				t.Errorf("%q: %s reads back as %+v", tt.iso, back, again)
			}
		}
	}
}
