package engine

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/effektif-serverless/caseflow/shared/workflow"
)

func dt(t testing.TB, src string) *workflow.DataType {
	t.Helper()
	if src == "" {
		return nil
	}
	var d workflow.DataType
	if err := json.Unmarshal([]byte(src), &d); err != nil {
		t.Fatal(err)
	}
	return &d
}

func TestCoerceValue(t *testing.T) {
	cases := []struct {
		typ, in, want, err string
	}{
		{`{"name":"text"}`, `"hi"`, `"hi"`, ""},
		{`{"name":"text"}`, `3`, "", "text expected, got number 3"},
		{`{"name":"text"}`, `null`, "", ""},
		{`{"name":"number"}`, `3.50`, `3.5`, ""},
		{`{"name":"number"}`, `"42"`, `42`, ""},
		{`{"name":"number"}`, `"4x"`, "", `number expected, got text "4x"`},
		{`{"name":"number"}`, `true`, "", "number expected, got boolean true"},
		{`{"name":"boolean"}`, `false`, `false`, ""},
		{`{"name":"boolean"}`, `"true"`, `true`, ""},
		{`{"name":"boolean"}`, `"yes"`, "", "boolean expected"},
		{`{"name":"date"}`, `"2015-06-01T14:00:00+02:00"`, `"2015-06-01T12:00:00.000Z"`, ""},
		{`{"name":"date"}`, `"2015-06-01T12:00:00.123456Z"`, `"2015-06-01T12:00:00.123Z"`, ""},
		{`{"name":"date"}`, `"2015-06-01T12:00"`, `"2015-06-01T12:00:00.000Z"`, ""},
		{`{"name":"date"}`, `"2015-06-01"`, `"2015-06-01T00:00:00.000Z"`, ""},
		{`{"name":"date","kind":"date"}`, `"2015-06-01"`, `"2015-06-01"`, ""},
		{`{"name":"date","kind":"time"}`, `"09:30"`, `"09:30"`, ""},
		{`{"name":"date"}`, `"09:30"`, "", "time of day"},
		{`{"name":"date"}`, `1433160000000`, `"2015-06-01T12:00:00.000Z"`, ""},
		{`{"name":"date"}`, `"next tuesday"`, "", "date expected (ISO 8601"},
		{`{"name":"choice","options":[{"id":"a"},{"id":"b"}]}`, `"b"`, `"b"`, ""},
		{`{"name":"choice","options":[{"id":"a"},{"id":"b"}]}`, `"c"`, "", `"c" is not an option (options: "a", "b")`},
		{`{"name":"decision"}`, `"anything"`, `"anything"`, ""},
		{`{"name":"userId"}`, `" u1 "`, `"u1"`, ""},
		{`{"name":"user"}`, `""`, "", "userId expected (a non-empty id string)"},
		{`{"name":"groupId"}`, `5`, "", "groupId expected"},
		{`{"name":"fileId"}`, `"f"`, `"f"`, ""},
		{`{"name":"emailAddress"}`, `"ann@example.com"`, `"ann@example.com"`, ""},
		{`{"name":"emailAddress"}`, `"Ann <ann@example.com>"`, `"Ann <ann@example.com>"`, ""},
		{`{"name":"emailAddress"}`, `"ann.example.com"`, "", "not a valid email address"},
		{`{"name":"link"}`, `"https://x.org/a?b=1"`, `"https://x.org/a?b=1"`, ""},
		{`{"name":"link"}`, `"ftp://x.org"`, "", "not an absolute http(s) URL"},
		{`{"name":"link"}`, `"/relative"`, "", "not an absolute http(s) URL"},
		{`{"name":"list","elementType":{"name":"number"}}`, `[1,"2"]`, `[1,2]`, ""},
		{`{"name":"list","elementType":{"name":"number"}}`, `[1,"x"]`, "", `element 1: number expected, got text "x"`},
		{`{"name":"list"}`, `[1,"x",null]`, `[1,"x",null]`, ""},
		{`{"name":"list"}`, `"x"`, "", "list expected"},
		{`{"name":"money"}`, `{"amount":"12.5","currency":"eur"}`, `{"amount":12.5,"currency":"EUR"}`, ""},
		{`{"name":"money"}`, `{"amount":1,"currency":"euro"}`, "", "three-letter code"},
		{`{"name":"money"}`, `{"currency":"EUR"}`, "", "amount must be a number"},
		{`{"name":"money"}`, `{"amount":1,"cents":3}`, "", `unknown field "cents"`},
		{`{"name":"object"}`, `{"a":[1,{"b":"<"}]}`, `{"a":[1,{"b":"<"}]}`, ""},
		{`{"name":"object"}`, `[1]`, "", "object expected"},
		{`{"name":"any"}`, `[1]`, `[1]`, ""},
		{``, `{"x":1}`, `{"x":1}`, ""},
		{`{"name":"rocket"}`, `1`, "", `unknown data type "rocket"`},
		{`{"name":"text"}`, `{bad`, "", "not valid JSON"},
	}
	for _, c := range cases {
		got, err := CoerceValue(dt(t, c.typ), json.RawMessage(c.in))
		if c.err != "" {
			var ve *ValueError
			if !errors.As(err, &ve) || !strings.Contains(err.Error(), c.err) {
				t.Errorf("%s %s: want error %q, got %v (%s)", c.typ, c.in, c.err, err, got)
			}
			continue
		}
		if err != nil || string(got) != c.want {
			t.Errorf("%s %s: got %s, %v; want %s", c.typ, c.in, got, err, c.want)
		}
	}
}

func TestUnwrapTypedValues(t *testing.T) {
	for _, c := range []struct{ in, val, typ string }{
		{`{"value":3,"type":{"name":"number"}}`, `3`, "number"},
		{`{"value":"x"}`, `"x"`, ""},
		{`{"value":"x","other":1}`, `{"value":"x","other":1}`, ""},
		{`{"amount":1}`, `{"amount":1}`, ""},
		{`[1]`, `[1]`, ""},
	} {
		val, typ, err := unwrap(json.RawMessage(c.in))
		name := ""
		if typ != nil {
			name = typ.Name
		}
		if err != nil || string(val) != c.val || name != c.typ {
			t.Errorf("%s: got %s %q %v", c.in, val, name, err)
		}
	}
}

func TestTimeJSON(t *testing.T) {
	var x struct {
		A Time `json:"a"`
		B Time `json:"b,omitzero"`
	}
	x.A = Time{time.Date(2020, 1, 2, 3, 4, 5, 6e6, time.FixedZone("x", 3600))}
	b, _ := json.Marshal(x)
	if string(b) != `{"a":"2020-01-02T02:04:05.006Z"}` {
		t.Fatalf("%s", b)
	}
	if err := json.Unmarshal([]byte(`{"a":"2020-01-02T02:04:05Z","b":null}`), &x); err != nil || x.A.Second() != 5 || !x.B.IsZero() {
		t.Fatalf("%v %v", err, x)
	}
}

func ip(i int) *int { return &i }

func TestResolveTime(t *testing.T) {
	base := time.Date(2024, 1, 31, 10, 15, 0, 0, time.UTC)
	berlin, _ := time.LoadLocation("Europe/Berlin")
	cases := []struct {
		rt   workflow.RelativeTime
		loc  *time.Location
		want string
	}{
		{workflow.RelativeTime{Duration: 30, DurationUnit: "minutes"}, nil, "2024-01-31T10:45:00.000Z"},
		{workflow.RelativeTime{Type: "after", Duration: 1.5, DurationUnit: "hours"}, nil, "2024-01-31T11:45:00.000Z"},
		{workflow.RelativeTime{Type: "before", Duration: 2, DurationUnit: "hours"}, nil, "2024-01-31T08:15:00.000Z"},
		{workflow.RelativeTime{Duration: 2, DurationUnit: "days"}, nil, "2024-02-02T23:59:59.999Z"},
		{workflow.RelativeTime{Duration: 1, DurationUnit: "weeks", AtHour: ip(9)}, nil, "2024-02-07T09:00:00.000Z"},
		{workflow.RelativeTime{Duration: 1, DurationUnit: "months", AtHour: ip(8), AtMinute: ip(30)}, nil, "2024-03-02T08:30:00.000Z"},
		{workflow.RelativeTime{Duration: 1, DurationUnit: "years"}, nil, "2025-01-31T23:59:59.999Z"},
		{workflow.RelativeTime{Duration: 1, DurationUnit: "days", AtHour: ip(9)}, berlin, "2024-02-01T08:00:00.000Z"},
	}
	for _, c := range cases {
		got, ok := ResolveTime(&c.rt, base, c.loc)
		if !ok || formatTime(got) != c.want {
			t.Errorf("%+v: got %s %v, want %s", c.rt, formatTime(got), ok, c.want)
		}
	}
	for _, bad := range []workflow.RelativeTime{{Duration: 1, DurationUnit: "fortnights"}, {Type: "next", DurationUnit: "days"}, {}} {
		if _, ok := ResolveTime(&bad, base, nil); ok {
			t.Errorf("%+v should not resolve", bad)
		}
	}
}

func TestRelativeTimeBaseBinding(t *testing.T) {
	h := newHarness(t)
	wf := seq(t, "`variables`:[{`id`:`deadline`,`type`:{`name`:`date`}}]",
		"{`type`:`userTask`,`id`:`u`,`duedate`:{`type`:`before`,`duration`:1,`durationUnit`:`hours`,`base`:{`expression`:`deadline`}}}")
	_, fx := h.start(wf, Trigger{Data: data("deadline", `"2024-05-01T12:00:00Z"`)})
	if d := fx.Tasks[0].DueDate; d == nil || formatTime(*d) != "2024-05-01T11:00:00.000Z" {
		t.Fatalf("due %v", d)
	}
}

// FuzzDecodeEncode checks decode and encode against encoding/json, which
// they shortcut for plain literals: decode must give what json.Unmarshal
// gives (and fail where it fails), and encode must write what a
// json.Encoder without HTML escaping writes (null apart: encode gives nil).
func FuzzDecodeEncode(f *testing.F) {
	for _, s := range []string{
		`true`, `false`, `null`, `nul`, `truex`, ` true`, `""`, `"`, `"""`, `"approve"`, ` "x"`, `"x" `,
		`"a\"b"`, `"a\\b"`, `"\u00e9"`, `"é"`, "\"\xff\"", "\"\x01\"", "\"\x7f\"", "\"\u2028\"", `"<b>&</b>"`,
		`0`, `-0`, `01`, `-`, `--1`, `12`, `-12`, `1.5`, `1e3`, `123456789012345`, `1234567890123456`,
		`12345678901234567890`, `[1,"a"]`, `{"a":1}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		var want any
		wantErr := json.Unmarshal(raw, &want)
		got, err := decode(raw)
		if len(raw) == 0 {
			if got != nil || err != nil {
				t.Fatalf("decode(empty) = %v, %v", got, err)
			}
			return
		}
		if (err != nil) != (wantErr != nil) {
			t.Fatalf("decode(%q): error %v, json.Unmarshal's %v", raw, err, wantErr)
		}
		if err != nil {
			return
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("decode(%q) = %#v, json.Unmarshal gives %#v", raw, got, want)
		}
		var b bytes.Buffer
		enc := json.NewEncoder(&b)
		enc.SetEscapeHTML(false)
		if want == nil || enc.Encode(want) != nil {
			return // null is no value (nil); NaN and infinities have no JSON form
		}
		if out, ref := encode(got), bytes.TrimRight(b.Bytes(), "\n"); !bytes.Equal(out, ref) {
			t.Fatalf("encode(%#v) = %s, json.Encoder writes %s", got, out, ref)
		}
	})
}
