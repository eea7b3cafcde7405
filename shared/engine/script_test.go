package engine

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/effektif-serverless/caseflow/shared/workflow"
)

func TestScriptLanguage(t *testing.T) {
	cases := []struct {
		src, result, err string
	}{
		{"1 + 2 * 3", "7", ""},
		{"(1 + 2) * 3", "9", ""},
		{"10 / 4 - -1", "3.5", ""},
		{"1.5e2", "150", ""},
		{`"a" + 1 + 2`, `"a12"`, ""},
		{`'it\'s' + " \"ok\""`, `"it's \"ok\""`, ""},
		{`name + "!"`, `"Ann Smith!"`, ""},
		{`nobody + "x"`, `"x"`, ""},
		{"obj.zip + 1", "9001", ""},
		{"price.amount * 2", "25", ""},
		{"x = n * 2\nx + 1", "11", ""},
		{"# comment\n// another\n\ntrue", "true", ""},
		{"null", "", ""},
		{"1 / 0", "", "line 1: division by zero"},
		{"n - name", "", `cannot compute number 5 - text "Ann Smith"`},
		{"-name", "", "cannot negate"},
		{"nobody * 2", "", "cannot compute no value * number 2"},
		{"1 +", "", "line 1: expression expected"},
		{"a.b = 1", "", "only a variable can be assigned"},
		{"x = 1\n(2", "", "line 2: missing )"},
		{`"open`, "", "unterminated string"},
		{"1 2", "", `unexpected "2"`},
		{"f(x)", "", `unexpected "("`},
		{"a ; b", "", "unexpected character"},
		{"x.", "", "bad name"},
		{"1e999", "", "bad number"},
	}
	for _, c := range cases {
		run, err := execScript(&workflow.Script{Script: c.src}, testVars, newScriptBudget())
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("%q: want error %q, got %v", c.src, c.err, err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%q: %v", c.src, err)
			continue
		}
		if got := string(encode(run.result)); got != c.result {
			t.Errorf("%q: got %s want %s", c.src, got, c.result)
		}
	}
}

func TestRunScript(t *testing.T) {
	wf := seq(t, "`variables`:[{`id`:`price`,`type`:{`name`:`number`},`defaultValue`:10},{`id`:`total`,`type`:{`name`:`number`}},{`id`:`label`,`type`:{`name`:`text`}}]",
		"{`type`:`scriptTask`,`id`:`calc`,`script`:{`script`:`tot = price * qty\\nlabel = \\`sum \\` + tot`,`mappings`:{`tot`:`total`}}}",
		"{`type`:`scriptTask`,`id`:`bad`,`script`:{`script`:`total = \\`many\\``}}")
	res, err := RunScript(wf, "calc", data("qty", `{"value":3,"type":{"name":"number"}}`))
	if err != nil {
		t.Fatal(err)
	}
	if got := mustJSON(t, res); got != `{"result":"sum 30","log":"line 1: tot = 30\nline 2: label = \"sum 30\"\n","variableUpdates":{"label":"sum 30","total":30}}` {
		t.Fatalf("result: %s", got)
	}
	res, err = RunScript(wf, "calc", data("price", `"cheap"`))
	if err != nil || res.Error != `price: number expected, got text "cheap"` {
		t.Fatalf("bad input: %+v %v", res, err)
	}
	res, err = RunScript(wf, "bad", nil)
	if err != nil || !strings.Contains(res.Error, "total: number expected") {
		t.Fatalf("bad output: %+v %v", res, err)
	}
	if _, err := RunScript(wf, "nope", nil); err != ErrUnknownActivity {
		t.Fatalf("unknown activity: %v", err)
	}
	if _, err := RunScript(wf, "start", nil); err == nil {
		t.Fatal("not a script task should fail")
	}
}

// doubling is a script of n lines that each double the text a.
func doubling(n int) string {
	return "a = \"x\"" + strings.Repeat("\na = a + a", n)
}

func TestScriptBoundsTextAndWork(t *testing.T) {
	// 16 doublings make 65536 bytes, the most a text may be; one more fails.
	run, err := execScript(&workflow.Script{Script: doubling(16)}, testVars, newScriptBudget())
	if err != nil || len(run.values["a"].(string)) != MaxScriptText {
		t.Fatalf("16 doublings: %v", err)
	}
	_, err = execScript(&workflow.Script{Script: doubling(27)}, testVars, newScriptBudget())
	var se *ScriptError
	if !errors.As(err, &se) || !se.Limit || se.Line != 18 || !strings.Contains(se.Message, "more than the 65536 a script may build") {
		t.Fatalf("27 doublings: %#v", err)
	}
	// Many lines under the text bound still end at the step bound.
	_, err = execScript(&workflow.Script{Script: strings.Repeat("b = 1 + 1\n", MaxScriptSteps)}, testVars, newScriptBudget())
	if !errors.As(err, &se) || !se.Limit || !strings.Contains(se.Message, "expressions") {
		t.Fatalf("many lines: %v", err)
	}
	// The bytes built are counted across the scripts of one budget.
	b := newScriptBudget()
	for i := 0; ; i++ {
		_, err = execScript(&workflow.Script{Script: doubling(16)}, testVars, b)
		if err != nil {
			break
		}
		if i > MaxScriptBytes/MaxScriptText {
			t.Fatal("the byte budget was never reached")
		}
	}
	if !errors.As(err, &se) || !se.Limit || !strings.Contains(se.Message, "bytes of text") {
		t.Fatalf("byte budget: %v", err)
	}
	// Time: a budget past its deadline stops at the next clock reading.
	b = newScriptBudget()
	b.deadline = time.Now().Add(-time.Second)
	_, err = execScript(&workflow.Script{Script: strings.Repeat("b = 1\n", 300)}, testVars, b)
	if !errors.As(err, &se) || !se.Limit || !strings.Contains(se.Message, "longer than") {
		t.Fatalf("deadline: %v", err)
	}
}

func TestScriptBoundsInAWorkflowLoopAndRunScript(t *testing.T) {
	// A script task in a loop without a wait state doubles a each time: the
	// operation fails with the script's limit, well before maxSteps.
	wf := parseWF(t, "{`variables`:[{`id`:`a`,`type`:{`name`:`text`},`defaultValue`:`x`}],"+
		"`activities`:[{`type`:`startEvent`,`id`:`s`},{`type`:`scriptTask`,`id`:`grow`,`script`:{`script`:`a = a + a`}},"+
		"{`type`:`exclusiveGateway`,`id`:`g`}],"+
		"`transitions`:[{`fromId`:`s`,`toId`:`grow`},{`fromId`:`grow`,`toId`:`g`},{`fromId`:`g`,`toId`:`grow`}]}")
	h := newHarness(t)
	started := time.Now()
	_, _, err := h.e.Start(wf, "", Trigger{})
	var se *ScriptError
	if !errors.As(err, &se) || !se.Limit || se.ActivityID != "grow" {
		t.Fatalf("loop: %v", err)
	}
	if d := time.Since(started); d > 2*time.Second {
		t.Fatalf("the loop ran %s", d)
	}
	if _, err := RunScript(wf, "grow", data("a", `"`+strings.Repeat("y", MaxScriptText)+`"`)); !errors.As(err, &se) || !se.Limit {
		t.Fatalf("RunScript over the text bound: %v", err)
	}
}
