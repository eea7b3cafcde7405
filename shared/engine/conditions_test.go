package engine

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/effektif-serverless/caseflow/shared/workflow"
)

// testVars are the variables conditions and bindings are tested against.
var testVars = mapVars{
	"name":  {raw(`"Ann Smith"`), &workflow.DataType{Name: "text"}},
	"empty": {raw(`""`), &workflow.DataType{Name: "text"}},
	"n":     {raw(`5`), &workflow.DataType{Name: "number"}},
	"ns":    {raw(`"12"`), nil},
	"yes":   {raw(`true`), nil},
	"no":    {raw(`false`), nil},
	"day":   {raw(`"2024-03-01T00:00:00.000Z"`), &workflow.DataType{Name: "date"}},
	"later": {raw(`"2024-03-02"`), nil},
	"tags":  {raw(`["a","B"]`), nil},
	"none":  {raw(`[]`), nil},
	"obj":   {raw(`{"city":"Gent","zip":9000,"inner":{"x":1}}`), nil},
	"price": {raw(`{"amount":12.5,"currency":"EUR"}`), nil},
}

func cond(t *testing.T, src string) *workflow.Condition {
	t.Helper()
	var c workflow.Condition
	if err := json.Unmarshal([]byte(strings.ReplaceAll(src, "`", `"`)), &c); err != nil {
		t.Fatalf("%s: %v", src, err)
	}
	return &c
}

// lr builds a comparison of a variable with a constant.
func lr(typ, left, right string) string {
	return "{`type`:`" + typ + "`,`left`:{`expression`:`" + left + "`},`right`:{`value`:" + right + "}}"
}

func TestConditions(t *testing.T) {
	cases := []struct {
		c    string
		want bool
	}{
		{lr("equals", "name", "`Ann Smith`"), true},
		{lr("equals", "name", "`ann smith`"), false},
		{lr("equalsIgnoreCase", "name", "`ann smith`"), true},
		{lr("notEqualsIgnoreCase", "name", "`ann smith`"), false},
		{lr("notEquals", "name", "`Bob`"), true},
		{lr("equals", "n", "5"), true},
		{lr("equals", "n", "`5`"), true},
		{lr("equals", "yes", "true"), true},
		{lr("equals", "missing", "null"), true},
		{lr("equals", "empty", "null"), true},
		{lr("equals", "missing", "`x`"), false},
		{lr("equals", "day", "`2024-03-01T01:00:00+01:00`"), true},
		{lr("equals", "obj.city", "`Gent`"), true},
		{lr("equals", "obj.inner.x", "1"), true},
		{lr("equals", "obj.nope.x", "null"), true},
		{lr("contains", "name", "`Smith`"), true},
		{lr("contains", "name", "`smith`"), false},
		{lr("containsIgnoreCase", "name", "`smith`"), true},
		{lr("notContains", "name", "`Bob`"), true},
		{lr("notContainsIgnoreCase", "name", "`SMITH`"), false},
		{lr("contains", "tags", "`a`"), true},
		{lr("contains", "tags", "`b`"), false},
		{lr("containsIgnoreCase", "tags", "`b`"), true},
		{lr("contains", "missing", "`a`"), false},
		{lr("contains", "name", "null"), true},
		{lr("greaterThan", "n", "3"), true},
		{lr("greaterThan", "n", "5"), false},
		{lr("greaterThanOrEqual", "n", "5"), true},
		{lr("lessThan", "n", "`10`"), true},
		{lr("lessThanOrEqual", "n", "4"), false},
		{lr("greaterThan", "ns", "`9`"), true},
		{lr("greaterThan", "missing", "1"), false},
		{lr("lessThan", "name", "1"), false},
		{lr("greaterThan", "later", "`2024-03-01T12:00:00Z`"), true},
		{lr("lessThan", "day", "`2024-03-01T12:00:00Z`"), true},
		{lr("greaterThan", "price.amount", "12"), true},
		{"{`type`:`greaterThan`,`left`:{`expression`:`later`},`right`:{`expression`:`day`}}", true},
		{"{`type`:`hasValue`,`left`:{`expression`:`name`}}", true},
		{"{`type`:`hasValue`,`left`:{`expression`:`empty`}}", false},
		{"{`type`:`hasValue`,`left`:{`expression`:`none`}}", false},
		{"{`type`:`hasNoValue`,`left`:{`expression`:`missing`}}", true},
		{"{`type`:`isTrue`,`left`:{`expression`:`yes`}}", true},
		{"{`type`:`isTrue`,`left`:{`expression`:`name`}}", false},
		{"{`type`:`isFalse`,`left`:{`expression`:`no`}}", true},
		{"{`type`:`isFalse`,`left`:{`expression`:`missing`}}", true},
		{"{`type`:`isFalse`,`left`:{`expression`:`yes`}}", false},
		{"{`type`:`and`,`conditions`:[" + lr("equals", "n", "5") + ",{`type`:`isTrue`,`left`:{`expression`:`yes`}}]}", true},
		{"{`type`:`and`,`conditions`:[" + lr("equals", "n", "5") + ",{`type`:`isTrue`,`left`:{`expression`:`no`}}]}", false},
		{"{`type`:`or`,`conditions`:[" + lr("equals", "n", "6") + ",{`type`:`isTrue`,`left`:{`expression`:`yes`}}]}", true},
		{"{`type`:`or`,`conditions`:[" + lr("equals", "n", "6") + ",{`type`:`unspecified`}]}", false},
		{"{`type`:`or`,`conditions`:[{`type`:`unspecified`}]}", true},
		{"{`type`:`not`,`condition`:" + lr("equals", "n", "6") + "}", true},
		{"{`type`:`unspecified`,`left`:{`expression`:`x`}}", true},
		{"{`type`:`teleport`}", false},
	}
	for _, c := range cases {
		if got := holds(testVars, cond(t, c.c)); got != c.want {
			t.Errorf("%s: got %v", strings.ReplaceAll(c.c, "`", `"`), got)
		}
	}
	if !holds(testVars, nil) {
		t.Error("no condition should hold")
	}
}

func TestBindingsAndTemplates(t *testing.T) {
	cases := []struct {
		b, want string
	}{
		{`{"value":"x","type":{"name":"text"}}`, `"x"`},
		{`{"value":3}`, `3`},
		{`{"expression":"obj.zip"}`, `9000`},
		{`{"expression":" n "}`, `5`},
		{`{"expression":"nobody"}`, `null`},
		{`{"expression":"name.first"}`, `null`},
		{`{"template":"{{name}} ({{n}}) in {{obj.city}}, tags {{tags}}, {{nobody}}!"}`, `"Ann Smith (5) in Gent, tags a, B, !"`},
		{`{"template":"unclosed {{name"}`, `"unclosed {{name"`},
		{`{"value":"v","expression":"n"}`, `"v"`},
		{`{}`, `null`},
	}
	for _, c := range cases {
		var b workflow.Binding
		if err := json.Unmarshal([]byte(c.b), &b); err != nil {
			t.Fatal(err)
		}
		v, _ := evalBinding(testVars, &b)
		got := string(encode(v))
		if got == "" {
			got = "null"
		}
		if got != c.want {
			t.Errorf("%s: got %s want %s", c.b, got, c.want)
		}
	}
	if got := render(testVars, "{{obj}}", false); got != `{"city":"Gent","inner":{"x":1},"zip":9000}` {
		t.Errorf("object text: %s", got)
	}
}
