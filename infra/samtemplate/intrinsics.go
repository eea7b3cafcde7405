package samtemplate

import (
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// maxDepth bounds the nesting of intrinsic functions, which also catches
// reference cycles such as a table whose TableName refers to itself.
const maxDepth = 64

// noValue is what !Ref AWS::NoValue resolves to: the enclosing key or list
// element is dropped.
type noValueType struct{}

var noValue = noValueType{}

// errTooDeep is returned, unwrapped, when maxDepth is exceeded.
var errTooDeep = errors.New("intrinsic functions nested too deeply (a reference cycle?)")

// wrap adds context to err, except to errTooDeep, which would repeat the
// same context maxDepth times.
func wrap(err error, context string) error {
	if err == errTooDeep {
		return err
	}
	return fmt.Errorf("%s: %w", context, err)
}

// Resolve evaluates the CloudFormation intrinsic functions in v (a value as
// found in Event.Properties: long-form intrinsics, plain maps, lists and
// scalars) against the local environment: !Ref of a parameter gives its
// override or default, of a table or bucket its local name, of a function its
// name; !GetAtt X.Arn gives a plausible local ARN; !Sub, !Join, !Select,
// !Split, !If, !FindInMap, !Base64 and !GetAZs work as in CloudFormation.
func (t *Template) Resolve(v any) (any, error) {
	r, err := t.resolve(v, 0)
	if r == noValue {
		return nil, err
	}
	return r, err
}

func (t *Template) resolve(v any, depth int) (any, error) {
	if depth > maxDepth {
		return nil, errTooDeep
	}
	switch x := v.(type) {
	case map[string]any:
		if name, arg, ok := intrinsic(x); ok {
			r, err := t.call(name, arg, depth+1)
			if err != nil {
				return nil, wrap(err, name)
			}
			return r, nil
		}
		out := make(map[string]any, len(x))
		for k, e := range x {
			r, err := t.resolve(e, depth+1)
			if err != nil {
				return nil, wrap(err, k)
			}
			if r != noValue {
				out[k] = r
			}
		}
		return out, nil
	case []any:
		out := make([]any, 0, len(x))
		for i, e := range x {
			r, err := t.resolve(e, depth+1)
			if err != nil {
				return nil, wrap(err, fmt.Sprintf("[%d]", i))
			}
			if r != noValue {
				out = append(out, r)
			}
		}
		return out, nil
	}
	return v, nil
}

// intrinsic reports whether m is a long-form intrinsic function call.
func intrinsic(m map[string]any) (name string, arg any, ok bool) {
	if len(m) != 1 {
		return "", nil, false
	}
	for k, v := range m {
		if k == "Ref" || strings.HasPrefix(k, "Fn::") {
			return k, v, true
		}
	}
	return "", nil, false
}

func (t *Template) call(name string, arg any, depth int) (any, error) {
	switch name {
	case "Ref":
		id, ok := arg.(string)
		if !ok {
			return nil, fmt.Errorf("want a logical ID, got %v", arg)
		}
		return t.ref(id, depth)
	case "Fn::GetAtt":
		return t.callGetAtt(arg, depth)
	case "Fn::Sub":
		return t.sub(arg, depth)
	case "Fn::If":
		return t.callIf(arg, depth)
	case "Fn::GetAZs":
		return []any{t.region + "a", t.region + "b", t.region + "c"}, nil
	}
	// The remaining functions take fully resolved arguments.
	arg, err := t.resolve(arg, depth)
	if err != nil {
		return nil, err
	}
	switch name {
	case "Fn::Join":
		return join(arg)
	case "Fn::Select":
		return selectElem(arg)
	case "Fn::Split":
		return split(arg)
	case "Fn::Base64":
		s, err := scalarString(arg)
		return base64.StdEncoding.EncodeToString([]byte(s)), err
	case "Fn::FindInMap":
		return t.findInMap(arg)
	}
	return nil, fmt.Errorf("%s is not supported locally", name)
}

// ref resolves !Ref name: a parameter, a pseudo parameter or a resource.
func (t *Template) ref(name string, depth int) (any, error) {
	if v, ok := t.params[name]; ok {
		return v, nil
	}
	if _, ok := t.paramDefs[name]; ok {
		return nil, fmt.Errorf("parameter %s has no default and no override", name)
	}
	switch name {
	case "AWS::Region":
		return t.region, nil
	case "AWS::AccountId":
		return t.accountID, nil
	case "AWS::StackName":
		return t.stackName, nil
	case "AWS::StackId":
		return fmt.Sprintf("arn:aws:cloudformation:%s:%s:stack/%s/00000000-0000-0000-0000-000000000000", t.region, t.accountID, t.stackName), nil
	case "AWS::Partition":
		return "aws", nil
	case "AWS::URLSuffix":
		return "amazonaws.com", nil
	case "AWS::NotificationARNs":
		return []any{}, nil
	case "AWS::NoValue":
		return noValue, nil
	}
	if _, ok := t.resources[name]; ok {
		return t.refValue(name, depth)
	}
	return nil, fmt.Errorf("unknown parameter or resource %q", name)
}

func (t *Template) callGetAtt(arg any, depth int) (any, error) {
	arg, err := t.resolve(arg, depth)
	if err != nil {
		return nil, err
	}
	var id, attr string
	switch a := arg.(type) {
	case string:
		id, attr, _ = strings.Cut(a, ".")
	case []any:
		if len(a) == 2 {
			id, _ = a[0].(string)
			attr, _ = a[1].(string)
		}
	}
	if id == "" || attr == "" {
		return nil, fmt.Errorf("want [LogicalId, Attribute], got %v", arg)
	}
	return t.getAtt(id, attr, depth)
}

// sub implements Fn::Sub in both forms: "string" and ["string", {vars}].
func (t *Template) sub(arg any, depth int) (any, error) {
	var tmpl string
	vars := map[string]any{}
	switch a := arg.(type) {
	case string:
		tmpl = a
	case []any:
		if len(a) == 0 || len(a) > 2 {
			return nil, fmt.Errorf("want a string or [string, variables], got %v", arg)
		}
		s, ok := a[0].(string)
		if !ok {
			return nil, fmt.Errorf("want a string, got %v", a[0])
		}
		tmpl = s
		if len(a) == 2 {
			r, err := t.resolve(a[1], depth)
			if err != nil {
				return nil, err
			}
			m, ok := r.(map[string]any)
			if !ok {
				return nil, fmt.Errorf("want a map of variables, got %v", a[1])
			}
			vars = m
		}
	default:
		return nil, fmt.Errorf("want a string or [string, variables], got %v", arg)
	}
	var b strings.Builder
	for {
		i := strings.Index(tmpl, "${")
		if i < 0 {
			b.WriteString(tmpl)
			return b.String(), nil
		}
		b.WriteString(tmpl[:i])
		rest := tmpl[i+2:]
		j := strings.IndexByte(rest, '}')
		if j < 0 {
			return nil, fmt.Errorf("unterminated ${ in %q", arg)
		}
		name := strings.TrimSpace(rest[:j])
		tmpl = rest[j+1:]
		if lit, ok := strings.CutPrefix(name, "!"); ok {
			b.WriteString("${" + lit + "}")
			continue
		}
		val, err := t.subVariable(name, vars, depth)
		if err != nil {
			return nil, err
		}
		b.WriteString(val)
	}
}

func (t *Template) subVariable(name string, vars map[string]any, depth int) (string, error) {
	var v any
	var err error
	if value, ok := vars[name]; ok {
		v = value
	} else if id, attr, ok := strings.Cut(name, "."); ok {
		v, err = t.getAtt(id, attr, depth)
	} else {
		v, err = t.ref(name, depth)
	}
	if err != nil {
		return "", fmt.Errorf("${%s}: %w", name, err)
	}
	return scalarString(v)
}

func (t *Template) callIf(arg any, depth int) (any, error) {
	a, ok := arg.([]any)
	if !ok || len(a) != 3 {
		return nil, fmt.Errorf("want [Condition, ValueIfTrue, ValueIfFalse], got %v", arg)
	}
	name, ok := a[0].(string)
	if !ok {
		return nil, fmt.Errorf("want a condition name, got %v", a[0])
	}
	yes, err := t.condition(name, depth)
	if err != nil {
		return nil, err
	}
	if yes {
		return t.resolve(a[1], depth)
	}
	return t.resolve(a[2], depth)
}

// condition evaluates the template condition called name.
func (t *Template) condition(name string, depth int) (bool, error) {
	c, ok := t.conditions[name]
	if !ok {
		return false, fmt.Errorf("unknown condition %q", name)
	}
	yes, err := t.evalCondition(c, depth+1)
	if err != nil {
		return false, fmt.Errorf("condition %s: %w", name, err)
	}
	return yes, nil
}

// evalCondition evaluates Fn::Equals, Fn::Not, Fn::And, Fn::Or and Condition.
func (t *Template) evalCondition(v any, depth int) (bool, error) {
	if depth > maxDepth {
		return false, errors.New("conditions nested too deeply (a cycle?)")
	}
	if b, ok := v.(bool); ok {
		return b, nil
	}
	m, ok := v.(map[string]any)
	if !ok || len(m) != 1 {
		return false, fmt.Errorf("not a condition: %v", v)
	}
	for name, arg := range m {
		if name == "Condition" {
			s, _ := arg.(string)
			return t.condition(s, depth)
		}
		args, ok := arg.([]any)
		if !ok {
			return false, fmt.Errorf("%s: want a list, got %v", name, arg)
		}
		switch name {
		case "Fn::Equals":
			return t.equals(args, depth)
		case "Fn::Not":
			if len(args) != 1 {
				return false, fmt.Errorf("Fn::Not: want one condition, got %d", len(args))
			}
			yes, err := t.evalCondition(args[0], depth+1)
			return !yes, err
		case "Fn::And", "Fn::Or":
			want := name == "Fn::Or" // the value that decides the result early
			for _, c := range args {
				yes, err := t.evalCondition(c, depth+1)
				if err != nil || yes == want {
					return yes, err
				}
			}
			return !want, nil
		}
		return false, fmt.Errorf("%s is not a condition function", name)
	}
	panic("unreachable")
}

func (t *Template) equals(args []any, depth int) (bool, error) {
	if len(args) != 2 {
		return false, fmt.Errorf("Fn::Equals: want two values, got %d", len(args))
	}
	var s [2]string
	for i, a := range args {
		r, err := t.resolve(a, depth+1)
		if err != nil {
			return false, err
		}
		if s[i], err = scalarString(r); err != nil {
			return false, err
		}
	}
	return s[0] == s[1], nil
}

func (t *Template) findInMap(arg any) (any, error) {
	a, ok := arg.([]any)
	if !ok || len(a) != 3 {
		return nil, fmt.Errorf("want [MapName, TopLevelKey, SecondLevelKey], got %v", arg)
	}
	v := any(t.mappings)
	for _, k := range a {
		key, err := scalarString(k)
		if err != nil {
			return nil, err
		}
		m, _ := v.(map[string]any)
		if v, ok = m[key]; !ok {
			return nil, fmt.Errorf("no key %q in mapping %v", key, a)
		}
	}
	return v, nil
}

func join(arg any) (any, error) {
	a, ok := arg.([]any)
	if !ok || len(a) != 2 {
		return nil, fmt.Errorf("want [delimiter, [values]], got %v", arg)
	}
	delim, ok := a[0].(string)
	list, ok2 := a[1].([]any)
	if !ok || !ok2 {
		return nil, fmt.Errorf("want [delimiter, [values]], got %v", arg)
	}
	parts := make([]string, len(list))
	for i, e := range list {
		s, err := scalarString(e)
		if err != nil {
			return nil, err
		}
		parts[i] = s
	}
	return strings.Join(parts, delim), nil
}

func selectElem(arg any) (any, error) {
	a, ok := arg.([]any)
	if !ok || len(a) != 2 {
		return nil, fmt.Errorf("want [index, [values]], got %v", arg)
	}
	is, err := scalarString(a[0])
	if err != nil {
		return nil, err
	}
	i, err := strconv.Atoi(is)
	list, ok := a[1].([]any)
	if err != nil || !ok || i < 0 || i >= len(list) {
		return nil, fmt.Errorf("want [index, [values]] with the index in range, got %v", arg)
	}
	return list[i], nil
}

func split(arg any) (any, error) {
	a, ok := arg.([]any)
	if !ok || len(a) != 2 {
		return nil, fmt.Errorf("want [delimiter, string], got %v", arg)
	}
	delim, ok := a[0].(string)
	s, ok2 := a[1].(string)
	if !ok || !ok2 {
		return nil, fmt.Errorf("want [delimiter, string], got %v", arg)
	}
	var out []any
	for _, p := range strings.Split(s, delim) {
		out = append(out, p)
	}
	return out, nil
}

// scalarString renders a resolved scalar as CloudFormation would in a string.
func scalarString(v any) (string, error) {
	switch x := v.(type) {
	case string:
		return x, nil
	case int:
		return strconv.Itoa(x), nil
	case int64:
		return strconv.FormatInt(x, 10), nil
	case uint64:
		return strconv.FormatUint(x, 10), nil
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64), nil
	case bool:
		return strconv.FormatBool(x), nil
	}
	return "", fmt.Errorf("want a string, got %v", v)
}
