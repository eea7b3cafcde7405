package engine

import (
	"reflect"
	"strings"

	"github.com/effektif-serverless/caseflow/shared/workflow"
)

// holds evaluates a condition:
//
//   - nil and "unspecified" hold (they are no condition); an and/or/not
//     ignores such children, and an and/or with no real child holds.
//   - equals/notEquals: both without value are equal; "" counts as no
//     value; numbers compare as numbers, date strings as times, a number
//     and a text by their text; lists and objects structurally.
//   - equalsIgnoreCase/notEqualsIgnoreCase: texts, case-insensitive.
//   - contains family: a list left contains an element equal to right, a
//     text left contains right as a substring; a missing right holds, a
//     missing left with a right does not.
//   - greaterThan(OrEqual)/lessThan(OrEqual): numbers (or numeric texts),
//     else dates as times; anything else, or a missing side, is false.
//   - hasValue/hasNoValue: left is not null, "" or an empty list.
//   - isTrue: left is true; isFalse: left is not true (a missing boolean
//     is false).
//
// An unknown type is false (Validate reports it).
func holds(vs vars, c *workflow.Condition) bool {
	if !isCondition(c) {
		return true
	}
	switch c.Type {
	case workflow.CondAnd:
		for i := range c.Conditions {
			if !holds(vs, &c.Conditions[i]) {
				return false
			}
		}
		return true
	case workflow.CondOr:
		seen := false
		for i := range c.Conditions {
			if !isCondition(&c.Conditions[i]) {
				continue
			}
			if holds(vs, &c.Conditions[i]) {
				return true
			}
			seen = true
		}
		return !seen
	case workflow.CondNot:
		return !isCondition(c.Condition) || !holds(vs, c.Condition)
	}
	l, _ := evalBinding(vs, c.Left)
	r, _ := evalBinding(vs, c.Right)
	switch c.Type {
	case workflow.CondEquals:
		return equal(l, r)
	case workflow.CondNotEquals:
		return !equal(l, r)
	case workflow.CondEqualsIgnoreCase:
		return equalFold(l, r)
	case workflow.CondNotEqualsIgnoreCase:
		return !equalFold(l, r)
	case workflow.CondContains:
		return containsValue(l, r, false)
	case workflow.CondNotContains:
		return !containsValue(l, r, false)
	case workflow.CondContainsIgnoreCase:
		return containsValue(l, r, true)
	case workflow.CondNotContainsIgnoreCase:
		return !containsValue(l, r, true)
	case workflow.CondGreaterThan:
		c, ok := compare(l, r)
		return ok && c > 0
	case workflow.CondGreaterThanOrEqual:
		c, ok := compare(l, r)
		return ok && c >= 0
	case workflow.CondLessThan:
		c, ok := compare(l, r)
		return ok && c < 0
	case workflow.CondLessThanOrEqual:
		c, ok := compare(l, r)
		return ok && c <= 0
	case workflow.CondHasValue:
		return !isEmpty(l)
	case workflow.CondHasNoValue:
		return isEmpty(l)
	case workflow.CondIsTrue:
		return l == true
	case workflow.CondIsFalse:
		return l != true
	}
	return false
}

// isCondition reports whether c is a real condition (not nil, not an
// "unspecified" placeholder, not typeless).
func isCondition(c *workflow.Condition) bool {
	return c != nil && c.Type != "" && c.Type != workflow.CondUnspecified
}

// conditionTypes are the condition types the engine evaluates, with
// whether they read a right binding.
var conditionTypes = map[string]bool{
	workflow.CondEquals: true, workflow.CondNotEquals: true,
	workflow.CondEqualsIgnoreCase: true, workflow.CondNotEqualsIgnoreCase: true,
	workflow.CondContains: true, workflow.CondNotContains: true,
	workflow.CondContainsIgnoreCase: true, workflow.CondNotContainsIgnoreCase: true,
	workflow.CondGreaterThan: true, workflow.CondGreaterThanOrEqual: true,
	workflow.CondLessThan: true, workflow.CondLessThanOrEqual: true,
	workflow.CondHasValue: false, workflow.CondHasNoValue: false,
	workflow.CondIsTrue: false, workflow.CondIsFalse: false,
}

func equal(l, r any) bool {
	if isEmpty(l) || isEmpty(r) {
		return isEmpty(l) && isEmpty(r)
	}
	switch x := l.(type) {
	case float64:
		if y, ok := r.(float64); ok {
			return x == y
		}
	case string:
		if y, ok := r.(string); ok {
			if x == y {
				return true
			}
			tx, okx := asTime(x)
			ty, oky := asTime(y)
			return okx && oky && tx.Equal(ty)
		}
	case bool:
		if y, ok := r.(bool); ok {
			return x == y
		}
	}
	if isScalar(l) && isScalar(r) {
		return textOf(l) == textOf(r)
	}
	return reflect.DeepEqual(l, r)
}

func isScalar(v any) bool {
	switch v.(type) {
	case string, float64, bool:
		return true
	}
	return false
}

func equalFold(l, r any) bool {
	if isEmpty(l) || isEmpty(r) {
		return isEmpty(l) && isEmpty(r)
	}
	return strings.EqualFold(textOf(l), textOf(r))
}

func containsValue(l, r any, fold bool) bool {
	if isEmpty(r) {
		return true
	}
	if isEmpty(l) {
		return false
	}
	if list, ok := l.([]any); ok {
		for _, e := range list {
			if equal(e, r) || fold && equalFold(e, r) {
				return true
			}
		}
		return false
	}
	ls, rs := textOf(l), textOf(r)
	if fold {
		ls, rs = strings.ToLower(ls), strings.ToLower(rs)
	}
	return strings.Contains(ls, rs)
}

// compare orders two numbers (or numeric texts) or two dates.
func compare(l, r any) (int, bool) {
	_, lnum := l.(float64)
	_, rnum := r.(float64)
	if lnum || rnum {
		x, okx := toNumber(l)
		y, oky := toNumber(r)
		if !okx || !oky {
			return 0, false
		}
		return cmp3(x < y, x > y), true
	}
	if tl, ok := asTime(l); ok {
		if tr, ok := asTime(r); ok {
			return tl.Compare(tr), true
		}
	}
	x, okx := toNumber(l)
	y, oky := toNumber(r)
	if okx && oky {
		return cmp3(x < y, x > y), true
	}
	return 0, false
}

func cmp3(less, greater bool) int {
	switch {
	case less:
		return -1
	case greater:
		return 1
	}
	return 0
}
