package engine

import (
	"strings"
	"testing"

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
		run, err := execScript(&workflow.Script{Script: c.src}, testVars)
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
