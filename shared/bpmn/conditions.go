package bpmn

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"unicode"

	"github.com/effektif-serverless/caseflow/shared/workflow"
)

// Conditions of sequence flows. The exact form is Effektif's e:condition
// element; a plain-text conditionExpression is converted when it is a
// simple comparison (see parseCondition); export writes both.
//
// e:condition holds one condition element named after its type:
//
//	<e:equals><e:left expression="amount"/><e:right value="100" type="number"/></e:equals>
//	<e:isTrue expression="approved"/>  (hasValue, hasNoValue, isTrue, isFalse: the left binding on the element)
//	<e:and>C C …</e:and> <e:or>C …</e:or> <e:not>C</e:not>
//
// Other types keep nested conditions in <e:conditions> and <e:condition>
// wrappers.

// condition helper elements, which are not conditions themselves.
var condHelpers = map[string]bool{"left": true, "right": true, "conditions": true, "condition": true, "type": true, "metadata": true}

func singleBinding(t string) bool {
	switch t {
	case workflow.CondHasValue, workflow.CondHasNoValue, workflow.CondIsTrue, workflow.CondIsFalse:
		return true
	}
	return false
}

func hasBinding(n *node) bool {
	for _, a := range []string{"value", "expression", "template", "type"} {
		if n.hasAttr("", a) {
			return true
		}
	}
	return n.child(nsE, "type") != nil
}

// readCondition reads a condition element.
func readCondition(n *node) *workflow.Condition {
	c := &workflow.Condition{Type: n.Name.Local}
	if l := n.child(nsE, "left"); l != nil {
		c.Left = readBinding(l)
	} else if singleBinding(c.Type) && hasBinding(n) {
		c.Left = readBinding(n)
	}
	c.Right = readBinding(n.child(nsE, "right"))
	for _, k := range n.Kids {
		switch {
		case k.Name.Space != nsE:
		case k.Name.Local == "conditions":
			for _, kk := range k.Kids {
				if kk.Name.Space == nsE {
					c.Conditions = append(c.Conditions, *readCondition(kk))
				}
			}
		case k.Name.Local == "condition":
			if first := firstIn(k, nsE); first != nil {
				c.Condition = readCondition(first)
			}
		case condHelpers[k.Name.Local]:
		case c.Type == workflow.CondNot && c.Condition == nil:
			c.Condition = readCondition(k)
		default:
			c.Conditions = append(c.Conditions, *readCondition(k))
		}
	}
	return c
}

func firstIn(n *node, space string) *node {
	for _, k := range n.Kids {
		if k.Name.Space == space {
			return k
		}
	}
	return nil
}

// writeCondition is the inverse of readCondition.
func writeCondition(c *workflow.Condition) (*node, error) {
	if !isNCName(c.Type) || condHelpers[c.Type] {
		return nil, fmt.Errorf("bpmn: condition type %q is not a valid element name", c.Type)
	}
	n := el(c.Type)
	if singleBinding(c.Type) && c.Left != nil {
		bindingAttrs(n, c.Left)
	} else {
		n.add(writeBinding("left", c.Left))
	}
	n.add(writeBinding("right", c.Right))
	direct := c.Type == workflow.CondAnd || c.Type == workflow.CondOr
	if c.Condition != nil {
		k, err := writeCondition(c.Condition)
		if err != nil {
			return nil, err
		}
		if c.Type == workflow.CondNot {
			n.add(k)
		} else {
			n.add(el("condition").add(k))
		}
	}
	wrap := n
	if !direct && len(c.Conditions) > 0 {
		wrap = el("conditions")
		n.add(wrap)
	}
	for i := range c.Conditions {
		k, err := writeCondition(&c.Conditions[i])
		if err != nil {
			return nil, err
		}
		wrap.add(k)
	}
	return n, nil
}

// parseCondition converts a plain-text condition to the model. It accepts
// an optional ${…} or #{…} (JUEL) wrapper or a leading = (FEEL), and
// within it: variable paths (a.b), numbers, 'text' or "text", true, false,
// null, and bpmn:getDataObject('name') for the variable name; comparisons
// == = != > >= < <= (and eq ne gt ge lt le); ! not empty; && and || or;
// parentheses. Anything else (function or method
// calls, arithmetic, FEEL's some/every) is not converted.
func parseCondition(text string) (*workflow.Condition, bool) {
	s := strings.TrimSpace(text)
	switch {
	case (strings.HasPrefix(s, "${") || strings.HasPrefix(s, "#{")) && strings.HasSuffix(s, "}"):
		s = s[2 : len(s)-1]
	case strings.HasPrefix(s, "="):
		s = s[1:]
	}
	toks, ok := tokenize(s)
	if !ok {
		return nil, false
	}
	p := &condParser{toks: toks}
	c := p.or()
	if c == nil || p.pos != len(p.toks) {
		return nil, false
	}
	return c, true
}

type tokKind int

const (
	tPath tokKind = iota
	tNumber
	tString
	tOp
)

type token struct {
	kind tokKind
	text string
}

// getDataObjectRE matches the BPMN XPath function that reads a data object,
// bpmn:getDataObject('name'), which stands for the variable name.
var getDataObjectRE = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^(?:[A-Za-z_][\w.-]*:)?getDataObject\(\s*'([^']*)'\s*\)`)
})

var keywordOps = map[string]string{"and": "&&", "or": "||", "not": "!", "eq": "==", "ne": "!=", "gt": ">", "ge": ">=", "lt": "<", "le": "<=", "empty": "empty"}

func tokenize(s string) ([]token, bool) {
	var toks []token
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case c == '\'' || c == '"':
			var b strings.Builder
			j := i + 1
			for ; j < len(s) && s[j] != c; j++ {
				if s[j] == '\\' && j+1 < len(s) {
					j++
				}
				b.WriteByte(s[j])
			}
			if j >= len(s) {
				return nil, false
			}
			toks = append(toks, token{tString, b.String()})
			i = j + 1
		case c >= '0' && c <= '9' || c == '-' && i+1 < len(s) && s[i+1] >= '0' && s[i+1] <= '9':
			j := i + 1
			for j < len(s) && (s[j] >= '0' && s[j] <= '9' || s[j] == '.') {
				j++
			}
			if _, ok := parseFinite(s[i:j]); !ok {
				return nil, false
			}
			toks = append(toks, token{tNumber, s[i:j]})
			i = j
		case getDataObjectRE().MatchString(s[i:]):
			m := getDataObjectRE().FindStringSubmatch(s[i:])
			if !pathRE().MatchString(m[1]) {
				return nil, false
			}
			toks = append(toks, token{tPath, m[1]})
			i += len(m[0])
		case c == '_' || c == '$' || c < 0x80 && unicode.IsLetter(rune(c)):
			j := i
			for j < len(s) && (s[j] == '_' || s[j] == '$' || s[j] == '.' || s[j] < 0x80 && (unicode.IsLetter(rune(s[j])) || unicode.IsDigit(rune(s[j])))) {
				j++
			}
			w := s[i:j]
			if op, ok := keywordOps[w]; ok {
				toks = append(toks, token{tOp, op})
			} else if pathRE().MatchString(w) {
				toks = append(toks, token{tPath, w})
			} else {
				return nil, false
			}
			i = j
		default:
			op := ""
			for _, o := range []string{"&&", "||", "==", "!=", ">=", "<=", ">", "<", "=", "!", "(", ")"} {
				if strings.HasPrefix(s[i:], o) {
					op = o
					break
				}
			}
			if op == "" {
				return nil, false
			}
			if op == "=" {
				toks = append(toks, token{tOp, "=="})
			} else {
				toks = append(toks, token{tOp, op})
			}
			i += len(op)
		}
	}
	return toks, true
}

type condParser struct {
	toks []token
	pos  int
}

func (p *condParser) peekOp(op string) bool {
	return p.pos < len(p.toks) && p.toks[p.pos].kind == tOp && p.toks[p.pos].text == op
}

func (p *condParser) or() *workflow.Condition {
	return p.chain("||", workflow.CondOr, p.and)
}

func (p *condParser) and() *workflow.Condition {
	return p.chain("&&", workflow.CondAnd, p.unary)
}

// chain parses next (op next)* into an and/or, flattening nested ones.
func (p *condParser) chain(op, typ string, next func() *workflow.Condition) *workflow.Condition {
	first := next()
	if first == nil || !p.peekOp(op) {
		return first
	}
	c := &workflow.Condition{Type: typ}
	add := func(x *workflow.Condition) {
		if x.Type == typ {
			c.Conditions = append(c.Conditions, x.Conditions...)
		} else {
			c.Conditions = append(c.Conditions, *x)
		}
	}
	add(first)
	for p.peekOp(op) {
		p.pos++
		x := next()
		if x == nil {
			return nil
		}
		add(x)
	}
	return c
}

func (p *condParser) unary() *workflow.Condition {
	switch {
	case p.peekOp("!"):
		p.pos++
		if x := p.unary(); x != nil {
			return negate(x)
		}
		return nil
	case p.peekOp("empty"):
		p.pos++
		if p.pos < len(p.toks) && p.toks[p.pos].kind == tPath {
			p.pos++
			return &workflow.Condition{Type: workflow.CondHasNoValue, Left: &workflow.Binding{Expression: p.toks[p.pos-1].text}}
		}
		return nil
	case p.peekOp("("):
		p.pos++
		x := p.or()
		if x == nil || !p.peekOp(")") {
			return nil
		}
		p.pos++
		return x
	}
	return p.comparison()
}

var negations = map[string]string{
	workflow.CondIsTrue: workflow.CondIsFalse, workflow.CondIsFalse: workflow.CondIsTrue,
	workflow.CondHasValue: workflow.CondHasNoValue, workflow.CondHasNoValue: workflow.CondHasValue,
	workflow.CondEquals: workflow.CondNotEquals, workflow.CondNotEquals: workflow.CondEquals,
}

func negate(c *workflow.Condition) *workflow.Condition {
	if t, ok := negations[c.Type]; ok {
		n := *c
		n.Type = t
		return &n
	}
	return &workflow.Condition{Type: workflow.CondNot, Condition: c}
}

var comparators = map[string]string{
	"==": workflow.CondEquals, "!=": workflow.CondNotEquals,
	">": workflow.CondGreaterThan, ">=": workflow.CondGreaterThanOrEqual,
	"<": workflow.CondLessThan, "<=": workflow.CondLessThanOrEqual,
}

// flipped is the comparator with its sides swapped.
var flipped = map[string]string{"==": "==", "!=": "!=", ">": "<", ">=": "<=", "<": ">", "<=": ">="}

func (p *condParser) operand() (token, bool) {
	if p.pos < len(p.toks) && p.toks[p.pos].kind != tOp {
		p.pos++
		return p.toks[p.pos-1], true
	}
	return token{}, false
}

func (p *condParser) comparison() *workflow.Condition {
	left, ok := p.operand()
	if !ok {
		return nil
	}
	op := ""
	if p.pos < len(p.toks) && p.toks[p.pos].kind == tOp {
		if _, isCmp := comparators[p.toks[p.pos].text]; isCmp {
			op = p.toks[p.pos].text
			p.pos++
		}
	}
	if op == "" {
		switch {
		case isBoolLiteral(left):
			return &workflow.Condition{Type: workflow.CondIsTrue, Left: literal(left)}
		case left.kind == tPath && left.text != "null":
			return &workflow.Condition{Type: workflow.CondIsTrue, Left: &workflow.Binding{Expression: left.text}}
		}
		return nil
	}
	right, ok := p.operand()
	if !ok {
		return nil
	}
	if left.kind != tPath {
		left, right, op = right, left, flipped[op]
	}
	if left.kind != tPath {
		return nil
	}
	l := &workflow.Binding{Expression: left.text}
	switch {
	case right.kind == tPath && right.text == "null":
		switch op {
		case "==":
			return &workflow.Condition{Type: workflow.CondHasNoValue, Left: l}
		case "!=":
			return &workflow.Condition{Type: workflow.CondHasValue, Left: l}
		}
		return nil
	case isBoolLiteral(right) && (op == "==" || op == "!="):
		isTrue := (right.text == "true") == (op == "==")
		if isTrue {
			return &workflow.Condition{Type: workflow.CondIsTrue, Left: l}
		}
		return &workflow.Condition{Type: workflow.CondIsFalse, Left: l}
	case right.kind == tPath && !isBoolLiteral(right):
		return &workflow.Condition{Type: comparators[op], Left: l, Right: &workflow.Binding{Expression: right.text}}
	}
	return &workflow.Condition{Type: comparators[op], Left: l, Right: literal(right)}
}

func isBoolLiteral(t token) bool {
	return t.kind == tPath && (t.text == "true" || t.text == "false")
}

// literal is the binding of a number, string or boolean token.
func literal(t token) *workflow.Binding {
	switch {
	case t.kind == tNumber:
		f, _ := parseFinite(t.text)
		return &workflow.Binding{Value: json.RawMessage(strconv.FormatFloat(f, 'f', -1, 64)), Type: &workflow.DataType{Name: workflow.TypeNumber}}
	case isBoolLiteral(t):
		return &workflow.Binding{Value: json.RawMessage(t.text), Type: &workflow.DataType{Name: workflow.TypeBoolean}}
	}
	v, _ := json.Marshal(t.text)
	return &workflow.Binding{Value: v, Type: &workflow.DataType{Name: workflow.TypeText}}
}

// renderCondition writes c as a JUEL expression ${…} for other tools, or
// reports that it has no such form (unspecified, templates, unknown types).
func renderCondition(c *workflow.Condition) (string, bool) {
	s, ok := juel(c)
	if !ok {
		return "", false
	}
	return "${" + s + "}", true
}

var juelOps = map[string]string{
	workflow.CondEquals: "==", workflow.CondNotEquals: "!=",
	workflow.CondGreaterThan: ">", workflow.CondGreaterThanOrEqual: ">=",
	workflow.CondLessThan: "<", workflow.CondLessThanOrEqual: "<=",
}

var juelMethods = map[string]string{
	workflow.CondContains: "contains", workflow.CondEqualsIgnoreCase: "equalsIgnoreCase",
	workflow.CondContainsIgnoreCase: "toLowerCase().contains", // with a lowered right side below
}

func juel(c *workflow.Condition) (string, bool) {
	if c == nil {
		return "", false
	}
	switch c.Type {
	case workflow.CondAnd, workflow.CondOr:
		sep := " && "
		if c.Type == workflow.CondOr {
			sep = " || "
		}
		var parts []string
		for i := range c.Conditions {
			s, ok := juel(&c.Conditions[i])
			if !ok {
				return "", false
			}
			parts = append(parts, "("+s+")")
		}
		if len(parts) == 0 {
			return "", false
		}
		return strings.Join(parts, sep), true
	case workflow.CondNot:
		s, ok := juel(c.Condition)
		return "!(" + s + ")", ok
	case workflow.CondHasValue, workflow.CondHasNoValue, workflow.CondIsTrue, workflow.CondIsFalse:
		l, ok := juelOperand(c.Left)
		prefix := map[string]string{workflow.CondHasValue: "!empty ", workflow.CondHasNoValue: "empty ", workflow.CondIsTrue: "", workflow.CondIsFalse: "!"}[c.Type]
		return prefix + l, ok
	case workflow.CondNotContains, workflow.CondNotContainsIgnoreCase, workflow.CondNotEqualsIgnoreCase:
		positive := strings.Replace(c.Type, "not", "", 1)
		positive = strings.ToLower(positive[:1]) + positive[1:]
		s, ok := juel(&workflow.Condition{Type: positive, Left: c.Left, Right: c.Right})
		return "!(" + s + ")", ok
	}
	l, okL := juelOperand(c.Left)
	r, okR := juelOperand(c.Right)
	if !okL || !okR {
		return "", false
	}
	if op, ok := juelOps[c.Type]; ok {
		return l + " " + op + " " + r, true
	}
	if m, ok := juelMethods[c.Type]; ok {
		if c.Type == workflow.CondContainsIgnoreCase {
			r += ".toLowerCase()"
		}
		return l + "." + m + "(" + r + ")", true
	}
	return "", false
}

func juelOperand(b *workflow.Binding) (string, bool) {
	switch {
	case b == nil || b.Template != "":
		return "", false
	case b.Expression != "":
		return b.Expression, pathRE().MatchString(b.Expression)
	case len(b.Value) == 0:
		return "null", true
	}
	var s string
	if json.Unmarshal(b.Value, &s) == nil {
		return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(s) + "'", true
	}
	var v any
	if json.Unmarshal(b.Value, &v) != nil {
		return "", false
	}
	switch v.(type) {
	case float64, bool, nil:
		return string(compact(b.Value)), true
	}
	return "", false
}
