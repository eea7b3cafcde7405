package engine

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/effektif-serverless/caseflow/shared/workflow"
)

// The script language of script tasks is deliberately tiny and safe: no
// loops, no calls, no access to anything but the instance's variables.
//
//	script     = { line "\n" }
//	line       = "" | comment | assignment | expression
//	comment    = ("#" | "//") any text
//	assignment = name "=" expression        writes variable name
//	expression = term { ("+" | "-") term }
//	term       = unary { ("*" | "/") unary }
//	unary      = "-" unary | primary
//	primary    = number | string | "true" | "false" | "null"
//	           | path | "(" expression ")"
//	path       = name { "." name }           a variable, then object fields
//	name       = (letter | "_" | "$") { letter | digit | "_" | "$" }
//	string     = '"' ... '"' | "'" ... "'"   with \" \' \\ \n \t escapes
//
// "+" concatenates when either side is a text (null counts as ""), and
// otherwise adds numbers; "-", "*" and "/" take numbers only; dividing by
// zero is an error. A path whose variable or field does not exist is null.
// The script's mappings rename names to variable ids (scriptName ->
// variableId). Assigned values are visible to later lines and are written
// to the variables when the script ends, each checked against the
// variable's declared type. The value of the last line is the result.

type sexpr interface{}

type (
	sLit   struct{ v any }
	sRef   struct{ path []string }
	sNeg   struct{ x sexpr }
	sBinOp struct {
		op   byte
		l, r sexpr
	}
)

type stmt struct {
	line   int
	target string // "" for an expression line
	x      sexpr
}

// parseScript parses a script; errors are *ScriptError with the line.
func parseScript(src string) ([]stmt, error) {
	var out []stmt
	for i, text := range strings.Split(src, "\n") {
		text = strings.TrimSpace(strings.TrimSuffix(text, "\r"))
		if text == "" || strings.HasPrefix(text, "#") || strings.HasPrefix(text, "//") {
			continue
		}
		toks, err := tokenize(text)
		if err != nil {
			return nil, &ScriptError{Line: i + 1, Message: err.Error()}
		}
		st := stmt{line: i + 1}
		if len(toks) >= 2 && toks[0].kind == tName && toks[1].kind == '=' {
			if strings.Contains(toks[0].text, ".") {
				return nil, &ScriptError{Line: i + 1, Message: "only a variable can be assigned, not a field"}
			}
			st.target = toks[0].text
			toks = toks[2:]
		}
		p := &parser{toks: toks}
		if st.x, err = p.expr(); err == nil && p.pos < len(p.toks) {
			err = fmt.Errorf("unexpected %q", p.toks[p.pos].text)
		}
		if err != nil {
			return nil, &ScriptError{Line: i + 1, Message: err.Error()}
		}
		out = append(out, st)
	}
	return out, nil
}

const (
	tNum    = 'n'
	tStr    = 's'
	tName   = 'a'
	tEnd    = 0
	maxLine = 4096
)

type token struct {
	kind byte
	text string
	v    any
}

func tokenize(s string) ([]token, error) {
	if len(s) > maxLine {
		return nil, fmt.Errorf("line longer than %d characters", maxLine)
	}
	var toks []token
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == ' ' || c == '\t':
			i++
		case strings.IndexByte("+-*/()=", c) >= 0:
			toks = append(toks, token{kind: c, text: string(c)})
			i++
		case c >= '0' && c <= '9' || c == '.' && i+1 < len(s) && s[i+1] >= '0' && s[i+1] <= '9':
			j := i
			for j < len(s) && (s[j] >= '0' && s[j] <= '9' || s[j] == '.' ||
				(s[j] == 'e' || s[j] == 'E') && j+1 < len(s) ||
				(s[j] == '+' || s[j] == '-') && (s[j-1] == 'e' || s[j-1] == 'E')) {
				j++
			}
			f, err := strconv.ParseFloat(s[i:j], 64)
			if err != nil || math.IsInf(f, 0) {
				return nil, fmt.Errorf("bad number %q", s[i:j])
			}
			toks = append(toks, token{kind: tNum, text: s[i:j], v: f})
			i = j
		case c == '"' || c == '\'':
			str, n, err := scanString(s[i:])
			if err != nil {
				return nil, err
			}
			toks = append(toks, token{kind: tStr, text: s[i : i+n], v: str})
			i += n
		case isNameStart(c):
			j := i
			for j < len(s) && (isNameStart(s[j]) || s[j] >= '0' && s[j] <= '9' || s[j] == '.') {
				j++
			}
			toks = append(toks, token{kind: tName, text: s[i:j]})
			i = j
		default:
			return nil, fmt.Errorf("unexpected character %q", c)
		}
	}
	return toks, nil
}

func isNameStart(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' || c == '$'
}

// scanString reads a quoted string at the start of s; n is its length.
func scanString(s string) (string, int, error) {
	q := s[0]
	var b strings.Builder
	for i := 1; i < len(s); i++ {
		c := s[i]
		switch {
		case c == q:
			return b.String(), i + 1, nil
		case c == '\\' && i+1 < len(s):
			i++
			switch s[i] {
			case 'n':
				b.WriteByte('\n')
			case 't':
				b.WriteByte('\t')
			default:
				b.WriteByte(s[i])
			}
		default:
			b.WriteByte(c)
		}
	}
	return "", 0, fmt.Errorf("unterminated string")
}

type parser struct {
	toks []token
	pos  int
}

func (p *parser) peek() byte {
	if p.pos < len(p.toks) {
		return p.toks[p.pos].kind
	}
	return tEnd
}

func (p *parser) expr() (sexpr, error) {
	return p.binary("+-", p.term)
}

func (p *parser) term() (sexpr, error) {
	return p.binary("*/", p.unary)
}

func (p *parser) binary(ops string, next func() (sexpr, error)) (sexpr, error) {
	l, err := next()
	if err != nil {
		return nil, err
	}
	for k := p.peek(); k != tEnd && strings.IndexByte(ops, k) >= 0; k = p.peek() {
		p.pos++
		r, err := next()
		if err != nil {
			return nil, err
		}
		l = sBinOp{op: k, l: l, r: r}
	}
	return l, nil
}

func (p *parser) unary() (sexpr, error) {
	if p.peek() == '-' {
		p.pos++
		x, err := p.unary()
		return sNeg{x}, err
	}
	return p.primary()
}

func (p *parser) primary() (sexpr, error) {
	if p.pos >= len(p.toks) {
		return nil, fmt.Errorf("expression expected")
	}
	t := p.toks[p.pos]
	p.pos++
	switch t.kind {
	case tNum, tStr:
		return sLit{t.v}, nil
	case tName:
		switch t.text {
		case "true":
			return sLit{true}, nil
		case "false":
			return sLit{false}, nil
		case "null":
			return sLit{nil}, nil
		}
		path := strings.Split(t.text, ".")
		for _, part := range path {
			if part == "" {
				return nil, fmt.Errorf("bad name %q", t.text)
			}
		}
		return sRef{path}, nil
	case '(':
		x, err := p.expr()
		if err != nil {
			return nil, err
		}
		if p.peek() != ')' {
			return nil, fmt.Errorf("missing )")
		}
		p.pos++
		return x, nil
	}
	return nil, fmt.Errorf("unexpected %q", t.text)
}

// Bounds of scripts. A script cannot loop, but the lines of a script and
// the script tasks that one operation runs (a workflow loop without a wait
// state runs up to maxSteps activities) can each double a text: so every
// text a script builds is bounded, and so is the work of all scripts of
// one engine operation (or one RunScript): expressions evaluated, bytes of
// text built and time spent. Beyond a bound the script fails with a
// *ScriptError whose Limit is set; the operation fails with it (422), so
// nothing of it is stored.
const (
	// MaxScriptText is the longest text (in bytes) a script may build.
	MaxScriptText = 64 << 10
	// MaxScriptSteps bounds the expressions evaluated per operation.
	MaxScriptSteps = 100_000
	// MaxScriptBytes bounds the bytes of text built per operation.
	MaxScriptBytes = 4 << 20
	// MaxScriptTime bounds the time scripts run per operation.
	MaxScriptTime = time.Second
)

// scriptBudget is what the scripts of one operation may still use.
type scriptBudget struct {
	steps, bytes int
	deadline     time.Time
}

func newScriptBudget() *scriptBudget {
	return &scriptBudget{deadline: time.Now().Add(MaxScriptTime)}
}

// errLimit is the message of a ScriptError for a bound that was reached.
type errLimit string

func (e errLimit) Error() string { return string(e) }

// step spends one evaluation; the clock is read every 256 steps.
func (b *scriptBudget) step() error {
	b.steps++
	if b.steps > MaxScriptSteps {
		return errLimit(fmt.Sprintf("the scripts evaluated more than %d expressions (script limit)", MaxScriptSteps))
	}
	if b.steps%256 == 0 && time.Now().After(b.deadline) {
		return errLimit(fmt.Sprintf("the scripts ran longer than %s (script limit)", MaxScriptTime))
	}
	return nil
}

// text spends the bytes of a text about to be built.
func (b *scriptBudget) text(n int) error {
	if n > MaxScriptText {
		return errLimit(fmt.Sprintf("the text would be %d bytes, more than the %d a script may build (script limit)", n, MaxScriptText))
	}
	b.bytes += n
	if b.bytes > MaxScriptBytes {
		return errLimit(fmt.Sprintf("the scripts built more than %d bytes of text (script limit)", MaxScriptBytes))
	}
	return nil
}

// scriptEnv evaluates a script: locals shadow the variables in vs; names
// go through the mappings.
type scriptEnv struct {
	vs       vars
	mappings map[string]string
	locals   map[string]any
	budget   *scriptBudget
}

func (env *scriptEnv) variableID(name string) string {
	if id, ok := env.mappings[name]; ok && id != "" {
		return id
	}
	return name
}

func (env *scriptEnv) eval(x sexpr) (any, error) {
	if err := env.budget.step(); err != nil {
		return nil, err
	}
	switch x := x.(type) {
	case sLit:
		return x.v, nil
	case sRef:
		v, ok := env.locals[x.path[0]]
		if !ok {
			raw, _, _ := env.vs.lookup(env.variableID(x.path[0]))
			v = decodeQuiet(raw)
		}
		for _, f := range x.path[1:] {
			m, _ := v.(map[string]any)
			v = m[f]
		}
		return v, nil
	case sNeg:
		v, err := env.eval(x.x)
		if err != nil {
			return nil, err
		}
		f, ok := v.(float64)
		if !ok {
			return nil, fmt.Errorf("cannot negate %s", describe(v))
		}
		return -f, nil
	case sBinOp:
		l, err := env.eval(x.l)
		if err != nil {
			return nil, err
		}
		r, err := env.eval(x.r)
		if err != nil {
			return nil, err
		}
		return env.arith(x.op, l, r)
	}
	return nil, fmt.Errorf("bad expression")
}

func (env *scriptEnv) arith(op byte, l, r any) (any, error) {
	_, ls := l.(string)
	_, rs := r.(string)
	if op == '+' && (ls || rs) {
		a, b := textOf(l), textOf(r)
		if err := env.budget.text(len(a) + len(b)); err != nil {
			return nil, err
		}
		return a + b, nil
	}
	x, okx := l.(float64)
	y, oky := r.(float64)
	if !okx || !oky {
		return nil, fmt.Errorf("cannot compute %s %c %s", describe(l), op, describe(r))
	}
	var v float64
	switch op {
	case '+':
		v = x + y
	case '-':
		v = x - y
	case '*':
		v = x * y
	case '/':
		if y == 0 {
			return nil, fmt.Errorf("division by zero")
		}
		v = x / y
	}
	if math.IsInf(v, 0) || math.IsNaN(v) {
		return nil, fmt.Errorf("the result is not a finite number")
	}
	return v, nil
}

// scriptRun is the outcome of executing a script.
type scriptRun struct {
	result any
	log    strings.Builder
	// order lists the assigned variable ids in order of first assignment.
	order  []string
	values map[string]any
}

// execScript runs a parsed script against vs, spending budget.
func execScript(s *workflow.Script, vs vars, budget *scriptBudget) (*scriptRun, error) {
	stmts, err := parseScript(s.Script)
	if err != nil {
		return nil, err
	}
	env := &scriptEnv{vs: vs, mappings: s.Mappings, locals: map[string]any{}, budget: budget}
	out := &scriptRun{values: map[string]any{}}
	for _, st := range stmts {
		v, err := env.eval(st.x)
		if err != nil {
			_, limit := err.(errLimit)
			return out, &ScriptError{Line: st.line, Message: err.Error(), Limit: limit}
		}
		out.result = v
		if st.target == "" {
			continue
		}
		env.locals[st.target] = v
		id := env.variableID(st.target)
		if _, seen := out.values[id]; !seen {
			out.order = append(out.order, id)
		}
		out.values[id] = v
		fmt.Fprintf(&out.log, "line %d: %s = %s\n", st.line, st.target, encode(v))
	}
	return out, nil
}

// runScript executes a script task and writes the assigned variables.
func (r *run) runScript(ai *ActivityInstance, n *node) error {
	if n.act.Script == nil {
		return nil
	}
	if r.scripts == nil {
		r.scripts = newScriptBudget()
	}
	res, err := execScript(n.act.Script, r.vars(ai), r.scripts)
	if err == nil {
		for _, id := range res.order {
			if err = r.setVar(ai, id, encode(res.values[id]), nil); err != nil {
				err = &ScriptError{Message: err.Error()}
				break
			}
		}
	}
	if se, ok := err.(*ScriptError); ok {
		se.ActivityID = n.act.ID
	}
	return err
}

// ScriptResult is the REST ScriptResult of testing a script task.
type ScriptResult struct {
	// Result is the value of the script's last line.
	Result json.RawMessage `json:"result,omitempty"`
	// Error describes why the script failed, if it did.
	Error string `json:"error,omitempty"`
	// Log has one line per assignment executed.
	Log string `json:"log,omitempty"`
	// VariableUpdates are the values the script assigned, by variable id.
	VariableUpdates map[string]json.RawMessage `json:"variableUpdates,omitempty"`
}

// RunScript runs the script of a script task against the given variable
// values (by variable id, raw or as TypedValue; declared variables not
// given have their default values) without any instance, for the REST
// "activities/{activityId}/test" endpoint. Script problems (syntax,
// arithmetic, a value of the wrong type) are reported in
// ScriptResult.Error. Errors: ErrUnknownActivity, *ValueError when the
// activity is not a script task, and a *ScriptError with Limit set when
// the script reached one of the script bounds (MaxScriptText, ...).
func RunScript(wf *workflow.Workflow, activityID string, vars map[string]json.RawMessage) (*ScriptResult, error) {
	g := compile(wf)
	n := g.nodes[activityID]
	if n == nil {
		return nil, ErrUnknownActivity
	}
	if n.act.Type != workflow.ScriptTask || n.act.Script == nil {
		return nil, &ValueError{Field: "activityId", Message: strconv.Quote(activityID) + " is not a script task"}
	}
	res := &ScriptResult{}
	vs := mapVars{}
	for id, v := range g.vars {
		if val, err := CoerceValue(v.Type, v.DefaultValue); err == nil {
			vs[id] = typedValue{val, v.Type}
		}
	}
	for id, raw := range vars {
		val, hint, err := unwrap(raw)
		t := g.varType(id)
		if t == nil {
			t = hint
		}
		if err == nil {
			val, err = CoerceValue(t, val)
		}
		if err != nil {
			res.Error = withField(err, id).Error()
			return res, nil
		}
		vs[id] = typedValue{val, t}
	}
	run, err := execScript(n.act.Script, vs, newScriptBudget())
	if se, ok := err.(*ScriptError); ok && se.Limit {
		se.ActivityID = activityID
		return nil, se
	}
	if run != nil {
		res.Log = run.log.String()
		res.Result = encode(run.result)
		for _, id := range run.order {
			val, cerr := CoerceValue(g.varType(id), encode(run.values[id]))
			if cerr != nil && err == nil {
				err = withField(cerr, id)
			}
			if res.VariableUpdates == nil {
				res.VariableUpdates = map[string]json.RawMessage{}
			}
			res.VariableUpdates[id] = val
		}
	}
	if err != nil {
		res.Error = err.Error()
	}
	return res, nil
}
