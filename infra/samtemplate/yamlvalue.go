package samtemplate

import (
	"fmt"
	"strings"

	"gopkg.in/yaml.v3"
)

// toValue converts a YAML node into plain Go values: map[string]any, []any,
// string, int, float64, bool and nil. CloudFormation short-form intrinsic tags
// (!Ref X, !GetAtt A.B, !Sub ..., !If [...], ...) become their long forms
// ({"Ref": "X"}, {"Fn::GetAtt": ["A", "B"]}, {"Fn::Sub": ...}, ...), so the
// rest of the package only ever sees one form.
func toValue(n *yaml.Node) (any, error) {
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) == 0 {
			return nil, nil
		}
		return toValue(n.Content[0])
	case yaml.AliasNode:
		return toValue(n.Alias)
	}
	inner, err := untaggedValue(n)
	if err != nil {
		return nil, err
	}
	tag := n.Tag
	if !strings.HasPrefix(tag, "!") || strings.HasPrefix(tag, "!!") {
		return inner, nil
	}
	return longForm(tag[1:], inner, n)
}

// untaggedValue converts n ignoring a custom tag on it.
func untaggedValue(n *yaml.Node) (any, error) {
	switch n.Kind {
	case yaml.MappingNode:
		m := make(map[string]any, len(n.Content)/2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			val, err := toValue(v)
			if err != nil {
				return nil, err
			}
			m[k.Value] = val
		}
		return m, nil
	case yaml.SequenceNode:
		s := make([]any, 0, len(n.Content))
		for _, c := range n.Content {
			val, err := toValue(c)
			if err != nil {
				return nil, err
			}
			s = append(s, val)
		}
		return s, nil
	case yaml.ScalarNode:
		if strings.HasPrefix(n.Tag, "!") && !strings.HasPrefix(n.Tag, "!!") {
			return n.Value, nil // the argument of a short-form intrinsic
		}
		var v any
		if err := n.Decode(&v); err != nil {
			return nil, fmt.Errorf("line %d: %w", n.Line, err)
		}
		return v, nil
	case yaml.AliasNode:
		return toValue(n.Alias)
	}
	return nil, fmt.Errorf("line %d: unexpected YAML node kind %v", n.Line, n.Kind)
}

// longForm turns the short-form intrinsic !name with argument arg into its
// long form.
func longForm(name string, arg any, n *yaml.Node) (any, error) {
	switch name {
	case "Ref", "Condition":
		return map[string]any{name: arg}, nil
	case "GetAtt":
		if s, ok := arg.(string); ok {
			res, attr, found := strings.Cut(s, ".")
			if !found {
				return nil, fmt.Errorf("line %d: !GetAtt %q: want Resource.Attribute", n.Line, s)
			}
			arg = []any{res, attr}
		}
		return map[string]any{"Fn::GetAtt": arg}, nil
	}
	return map[string]any{"Fn::" + name: arg}, nil
}
