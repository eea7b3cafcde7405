package engine

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"net/mail"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/effektif-serverless/caseflow/shared/workflow"
)

// CoerceValue checks that raw is a value of data type t and returns it in
// canonical JSON. A nil t, the type "any" and an unknown-free "object"
// accept any JSON of the right shape. JSON null (or an empty raw) means "no
// value" and is accepted by every type: it returns (nil, nil).
//
// Rules per type name:
//   - text: a string.
//   - number: a JSON number, or a string holding one ("3.5" becomes 3.5).
//   - boolean: true or false, or the strings "true"/"false".
//   - date: an ISO 8601 string ("2015-06-01T12:00:00Z", with or without
//     zone, seconds or fraction; "2015-06-01"; for kind "time" also
//     "15:04"), or a number of milliseconds since 1970. Date-times are
//     written back in UTC with milliseconds ("2015-06-01T12:00:00.000Z");
//     a bare date stays a bare date for kind "date", a bare time stays as
//     it is for kind "time".
//   - choice: a string that is the id of one of the type's options (any
//     non-empty string when the type lists no options).
//   - userId, groupId, fileId, emailId: a non-empty string.
//   - emailAddress: a string net/mail can parse ("a@example.com" or
//     "Ann <a@example.com>").
//   - link: an absolute http or https URL with a host.
//   - list: an array whose elements each pass elementType (any element
//     type when it is missing).
//   - money: an object {"amount": number, "currency": "EUR"}; amount is
//     required, currency, when given, is three letters (written in upper
//     case).
//   - object: a JSON object.
//
// Errors are *ValueError values whose Message names what is wrong; their
// Field is empty (the engine fills it in when it knows the variable or form
// field).
func CoerceValue(t *workflow.DataType, raw json.RawMessage) (json.RawMessage, error) {
	v, err := decode(raw)
	if err != nil {
		return nil, err
	}
	c, err := coerce(t, v)
	if err != nil {
		return nil, err
	}
	return encode(c), nil
}

// decode parses raw JSON into Go values (numbers are float64). Empty input
// is null.
func decode(raw json.RawMessage) (any, error) {
	if len(raw) == 0 {
		return nil, nil
	}
	if v, ok := decodeLiteral(raw); ok {
		return v, nil
	}
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		return nil, &ValueError{Message: "not valid JSON: " + err.Error()}
	}
	return v, nil
}

// decodeLiteral decodes the literals most values are (true, false, null,
// a string without escapes, an integer) as json.Unmarshal does, without
// its costs; ok is false for anything else (which may still be valid
// JSON).
func decodeLiteral(raw []byte) (v any, ok bool) {
	switch string(raw) {
	case "true":
		return true, true
	case "false":
		return false, true
	case "null":
		return nil, true
	}
	if s, ok := plainString(raw); ok {
		return s, true
	}
	if isPlainInteger(raw) {
		f, err := strconv.ParseFloat(string(raw), 64)
		return f, err == nil
	}
	return nil, false
}

// plainString returns the text of a JSON string literal without escapes,
// control characters or invalid UTF-8 (which json.Unmarshal would
// replace), with nothing around it.
func plainString(raw []byte) (string, bool) {
	if len(raw) < 2 || raw[0] != '"' || raw[len(raw)-1] != '"' {
		return "", false
	}
	body := raw[1 : len(raw)-1]
	for _, c := range body {
		if c < 0x20 || c == '"' || c == '\\' {
			return "", false
		}
	}
	if !utf8.Valid(body) {
		return "", false
	}
	return string(body), true
}

// isPlainInteger reports whether raw is a JSON integer without exponent
// or fraction: an optional minus, then 0 or digits not starting with 0.
func isPlainInteger(raw []byte) bool {
	digits := raw
	if len(digits) > 0 && digits[0] == '-' {
		digits = digits[1:]
	}
	if len(digits) == 0 || len(digits) > 15 || digits[0] == '0' && len(digits) > 1 {
		return false
	}
	for _, c := range digits {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// decodeQuiet decodes stored JSON that is known to be valid; bad JSON reads
// as null.
func decodeQuiet(raw json.RawMessage) any {
	v, _ := decode(raw)
	return v
}

// encode writes a decoded value back as JSON, without HTML escaping. nil
// gives nil (no value).
func encode(v any) json.RawMessage {
	switch x := v.(type) {
	case nil:
		return nil
	case bool:
		if x {
			return json.RawMessage("true")
		}
		return json.RawMessage("false")
	case string:
		if isPlainASCII(x) {
			b := make([]byte, 0, len(x)+2)
			b = append(b, '"')
			b = append(b, x...)
			return append(b, '"')
		}
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		// Only NaN or infinities can fail here; they have no JSON form.
		return nil
	}
	return bytes.TrimRight(b.Bytes(), "\n")
}

// isPlainASCII reports whether a string's JSON form is the string in
// quotes: printable ASCII without '"' and '\\'.
func isPlainASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c > 0x7e || c == '"' || c == '\\' {
			return false
		}
	}
	return true
}

// coerce checks and normalizes a decoded value for data type t.
func coerce(t *workflow.DataType, v any) (any, error) {
	if v == nil {
		return nil, nil
	}
	name := ""
	if t != nil {
		name = t.Name
	}
	bad := func(format string, args ...any) error {
		return &ValueError{Type: name, Message: fmt.Sprintf(format, args...)}
	}
	switch name {
	case "", workflow.TypeAny:
		return v, nil
	case workflow.TypeText:
		if _, ok := v.(string); ok {
			return v, nil // v itself, not the string boxed again
		}
		return nil, bad("text expected, got %s", describe(v))
	case workflow.TypeNumber:
		if f, ok := toNumber(v); ok {
			return f, nil
		}
		return nil, bad("number expected, got %s", describe(v))
	case workflow.TypeBoolean:
		switch x := v.(type) {
		case bool:
			return x, nil
		case string:
			if b, err := strconv.ParseBool(x); err == nil && (x == "true" || x == "false") {
				return b, nil
			}
		}
		return nil, bad("boolean expected, got %s", describe(v))
	case workflow.TypeDate:
		return coerceDate(t, v, bad)
	case workflow.TypeChoice:
		s, ok := v.(string)
		if !ok || s == "" {
			return nil, bad("choice option id expected, got %s", describe(v))
		}
		if len(t.Options) == 0 {
			return v, nil
		}
		for _, o := range t.Options {
			if o.ID == s {
				return v, nil
			}
		}
		ids := make([]string, len(t.Options))
		for i, o := range t.Options {
			ids[i] = strconv.Quote(o.ID)
		}
		return nil, bad("%q is not an option (options: %s)", s, strings.Join(ids, ", "))
	case workflow.TypeUser, workflow.TypeGroup, workflow.TypeFile, "emailId":
		if s, ok := v.(string); ok && strings.TrimSpace(s) != "" {
			return strings.TrimSpace(s), nil
		}
		return nil, bad("%s expected (a non-empty id string), got %s", name, describe(v))
	case workflow.TypeEmailAddress:
		s, ok := v.(string)
		if !ok {
			return nil, bad("email address expected, got %s", describe(v))
		}
		s = strings.TrimSpace(s)
		if _, err := mail.ParseAddress(s); err != nil {
			return nil, bad("%q is not a valid email address", s)
		}
		return s, nil
	case workflow.TypeLink:
		s, ok := v.(string)
		if !ok {
			return nil, bad("link expected, got %s", describe(v))
		}
		u, err := url.Parse(strings.TrimSpace(s))
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, bad("%q is not an absolute http(s) URL", s)
		}
		return strings.TrimSpace(s), nil
	case workflow.TypeList:
		list, ok := v.([]any)
		if !ok {
			return nil, bad("list expected, got %s", describe(v))
		}
		out := make([]any, len(list))
		for i, e := range list {
			c, err := coerce(t.ElementType, e)
			if err != nil {
				ve := err.(*ValueError)
				return nil, bad("element %d: %s", i, ve.Message)
			}
			out[i] = c
		}
		return out, nil
	case workflow.TypeMoney:
		return coerceMoney(v, bad)
	case workflow.TypeObject:
		if m, ok := v.(map[string]any); ok {
			return m, nil
		}
		return nil, bad("object expected, got %s", describe(v))
	}
	return nil, bad("unknown data type %q", name)
}

func coerceDate(t *workflow.DataType, v any, bad func(string, ...any) error) (any, error) {
	switch x := v.(type) {
	case float64:
		if tm := time.UnixMilli(int64(x)); validYear(tm) {
			return formatTime(tm), nil
		}
	case string:
		tm, layout, ok := parseDate(x)
		if !ok || !validYear(tm) && layout != layoutTime && layout != layoutTimeSec {
			break
		}
		switch {
		case layout == layoutDate && (t.Kind == "date" || t.Kind == "time"):
			return strings.TrimSpace(x), nil
		case layout == layoutTime || layout == layoutTimeSec:
			if t.Kind != "time" {
				return nil, bad("%q is a time of day; a date is expected", x)
			}
			return strings.TrimSpace(x), nil
		}
		return formatTime(tm), nil
	}
	return nil, bad("date expected (ISO 8601, e.g. 2015-06-01T12:00:00.000Z), got %s", describe(v))
}

func coerceMoney(v any, bad func(string, ...any) error) (any, error) {
	m, ok := v.(map[string]any)
	if !ok {
		return nil, bad("money expected ({\"amount\": number, \"currency\": \"EUR\"}), got %s", describe(v))
	}
	amount, ok := toNumber(m["amount"])
	if !ok {
		return nil, bad("money amount must be a number, got %s", describe(m["amount"]))
	}
	out := map[string]any{"amount": amount}
	if c, present := m["currency"]; present && c != nil {
		s, ok := c.(string)
		if !ok || len(s) != 3 || strings.Trim(strings.ToUpper(s), "ABCDEFGHIJKLMNOPQRSTUVWXYZ") != "" {
			return nil, bad("money currency must be a three-letter code, got %s", describe(c))
		}
		out["currency"] = strings.ToUpper(s)
	}
	for k := range m {
		if k != "amount" && k != "currency" {
			return nil, bad("money has an unknown field %q", k)
		}
	}
	return out, nil
}

// toNumber reads a number or a string holding a finite number.
func toNumber(v any) (float64, bool) {
	switch x := v.(type) {
	case float64:
		return x, true
	case string:
		f, err := strconv.ParseFloat(strings.TrimSpace(x), 64)
		if err == nil && !math.IsNaN(f) && !math.IsInf(f, 0) {
			return f, true
		}
	}
	return 0, false
}

// describe names a value for an error message.
func describe(v any) string {
	switch x := v.(type) {
	case nil:
		return "no value"
	case string:
		if len(x) > 40 {
			x = x[:40] + "…"
		}
		return "text " + strconv.Quote(x)
	case float64:
		return "number " + formatNumber(x)
	case bool:
		return "boolean " + strconv.FormatBool(x)
	case []any:
		return "a list"
	case map[string]any:
		return "an object"
	}
	return fmt.Sprintf("%T", v)
}

// inferType gives the data type of an untyped value: text, number,
// boolean, list (typed by its first element) or object. nil has no type.
func inferType(v any) *workflow.DataType {
	switch x := v.(type) {
	case string:
		return &workflow.DataType{Name: workflow.TypeText}
	case float64:
		return &workflow.DataType{Name: workflow.TypeNumber}
	case bool:
		return &workflow.DataType{Name: workflow.TypeBoolean}
	case []any:
		t := &workflow.DataType{Name: workflow.TypeList}
		if len(x) > 0 {
			t.ElementType = inferType(x[0])
		}
		return t
	case map[string]any:
		return &workflow.DataType{Name: workflow.TypeObject}
	}
	return nil
}

// Date layouts accepted on input, most specific first.
const (
	layoutDate    = "2006-01-02"
	layoutTime    = "15:04"
	layoutTimeSec = "15:04:05"
)

var dateLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05.999999999",
	"2006-01-02T15:04Z07:00",
	"2006-01-02T15:04",
	"2006-01-02 15:04:05Z07:00",
	"2006-01-02 15:04:05",
	layoutDate,
	layoutTimeSec,
	layoutTime,
}

// parseDate reads an ISO 8601 date, date-time or time of day. Times
// without a zone are UTC. It returns the layout that matched.
func parseDate(s string) (time.Time, string, bool) {
	s = strings.TrimSpace(s)
	if len(s) < 5 || len(s) > 40 {
		return time.Time{}, "", false
	}
	for _, layout := range dateLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), layout, true
		}
	}
	return time.Time{}, "", false
}

// asTime reads a date or date-time string (not a bare time of day) or a
// number of milliseconds since 1970, for comparisons and time bases.
func asTime(v any) (time.Time, bool) {
	switch x := v.(type) {
	case string:
		t, layout, ok := parseDate(x)
		return t, ok && layout != layoutTime && layout != layoutTimeSec
	case float64:
		return time.UnixMilli(int64(x)).UTC(), true
	}
	return time.Time{}, false
}

// formatTime writes t as ISO 8601 in UTC with milliseconds.
func formatTime(t time.Time) string {
	return t.UTC().Format("2006-01-02T15:04:05.000Z")
}

func formatNumber(f float64) string {
	return strconv.FormatFloat(f, 'f', -1, 64)
}

// unwrap splits a value that may come as a TypedValue wrapper
// {"value": v, "type": {...}}: an object whose only keys are "value" and
// "type", with "value" present. Anything else is a raw value with no type.
func unwrap(raw json.RawMessage) (json.RawMessage, *workflow.DataType, error) {
	trimmed := bytes.TrimSpace(raw)
	if len(trimmed) == 0 || trimmed[0] != '{' {
		return raw, nil, nil
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(trimmed, &m); err != nil {
		return nil, nil, &ValueError{Message: "not valid JSON: " + err.Error()}
	}
	val, hasValue := m["value"]
	typ, hasType := m["type"]
	if !hasValue || len(m) > 2 || (len(m) == 2 && !hasType) {
		return raw, nil, nil
	}
	if !hasType || string(bytes.TrimSpace(typ)) == "null" {
		return val, nil, nil
	}
	var t workflow.DataType
	if err := json.Unmarshal(typ, &t); err != nil {
		return nil, nil, &ValueError{Message: "bad value type: " + err.Error()}
	}
	return val, &t, nil
}

// wrap writes a value with its type as a TypedValue {"value":…,"type":…}.
func wrap(val json.RawMessage, t *workflow.DataType) json.RawMessage {
	if t == nil {
		return encode(map[string]any{"value": json.RawMessage(val)})
	}
	return encode(map[string]any{"value": json.RawMessage(val), "type": t})
}

// isEmpty reports whether a decoded value counts as "no value": null, an
// empty string or an empty list.
func isEmpty(v any) bool {
	switch x := v.(type) {
	case nil:
		return true
	case string:
		return x == ""
	case []any:
		return len(x) == 0
	}
	return false
}
