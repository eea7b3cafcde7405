package httpapi

import (
	"net/http/httptest"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/effektif-serverless/caseflow/shared/failure"
)

type sample struct {
	Name  string   `json:"name"`
	Count int      `json:"count"`
	Flag  bool     `json:"flag"`
	Tags  []string `json:"tags"`
}

func TestDecodeJSONErrors(t *testing.T) {
	cases := []struct {
		body, contentType string
		code              failure.Code
		field, mention    string
	}{
		{`{"name":"a"}`, "application/json", "", "", ""},
		{`{"name":"a","unknown":1}`, "", "", "", ""},
		{``, "application/json", failure.Invalid, "", "empty"},
		{`   `, "application/json", failure.Invalid, "", "empty"},
		{`{"name":`, "application/json", failure.Invalid, "", "ends too early"},
		{`{"name" "a"}`, "application/json", failure.Invalid, "", "byte"},
		{`{"count":"three"}`, "application/json", failure.Invalid, "count", "a number"},
		{`{"flag":"yes"}`, "application/json", failure.Invalid, "flag", "a boolean"},
		{`{"tags":"x"}`, "application/json", failure.Invalid, "tags", "an array"},
		{`[1,2]`, "application/json", failure.Invalid, "", "an object"},
		{`{"name":"a"} {"name":"b"}`, "application/json", failure.Invalid, "", "after the JSON value"},
		{`<xml/>`, "application/xml", failure.Unsupported, "", "JSON"},
		{"{\"name\":\"caf\xe9\"}", "application/json", failure.Invalid, "", "UTF-8"},
		{"{\"name\":\"\xff\xfe\"}", "application/json", failure.Invalid, "", "UTF-8"},
		{`{"name":"a\u0000b"}`, "application/json", failure.Invalid, "name", "NUL"},
		{`{"tags":["ok","\u0000"]}`, "application/json", failure.Invalid, "tags[1]", "NUL"},
		{`{"x":{"y":[{"z":"\u0000"}]}}`, "application/json", failure.Invalid, "x.y[0].z", "NUL"},
		{`{"x":{"a\u0000":1}}`, "application/json", failure.Invalid, "x", "NUL"},
		{`{"count":1,"name":"\\u0000"}`, "application/json", "", "", ""},
		{`{"name":"caf\u00e9 \u2603"}`, "application/json", "", "", ""},
		{`{"name":"` + strings.Repeat("x", 200) + `"}`, "application/json", failure.TooLarge, "", "larger"},
	}
	for _, c := range cases {
		r := httptest.NewRequest("POST", "/", strings.NewReader(c.body))
		if c.contentType != "" {
			r.Header.Set("Content-Type", c.contentType)
		}
		var s sample
		err := DecodeJSON(r, 100, &s)
		if c.code == "" {
			if err != nil {
				t.Errorf("%q: unexpected error %v", c.body, err)
			}
			continue
		}
		f := failure.As(err)
		if f.Code != c.code || f.Field != c.field || !strings.Contains(f.Message, c.mention) {
			t.Errorf("%q: got %+v, want code %s field %q mentioning %q", c.body, f, c.code, c.field, c.mention)
		}
		if f.Status() < 400 || f.Status() >= 500 {
			t.Errorf("%q: status %d is not a 4xx", c.body, f.Status())
		}
	}
}

func TestDecodeOptionalJSON(t *testing.T) {
	s := sample{Name: "kept"}
	if err := DecodeOptionalJSON(httptest.NewRequest("POST", "/", strings.NewReader("")), 100, &s); err != nil || s.Name != "kept" {
		t.Fatalf("empty optional body: %v %+v", err, s)
	}
}

func TestBearerToken(t *testing.T) {
	for in, want := range map[string]string{"abc": "abc", "Bearer abc": "abc", "bearer  abc ": "abc", " abc ": "abc", "": ""} {
		if got := BearerToken(in); got != want {
			t.Errorf("BearerToken(%q) = %q, want %q", in, got, want)
		}
	}
}

// FuzzUnmarshal checks that no body makes decoding panic or answer anything
// but nil or a 4xx failure, and that what it accepts is valid UTF-8 and
// decodes to strings without NUL characters.
func FuzzUnmarshal(f *testing.F) {
	for _, s := range []string{`{}`, `{"name":"x","count":1,"flag":true,"tags":["a"]}`, `{"count":1e999}`, `[`, `"\ud800"`, `null`, `{"tags":[null]}`,
		`{"name":"\u0000"}`, `{"tags":["a","b\u0000"]}`, "{\"name\":\"\xc3\x28\"}", `{"name":"\\u0000"}`, `{"\u0000":{"name":1}}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var s sample
		err := Unmarshal(body, &s)
		if err != nil {
			if st := failure.As(err).Status(); st < 400 || st >= 500 {
				t.Fatalf("body %q: status %d", body, st)
			}
			return
		}
		if !utf8.Valid(body) {
			t.Fatalf("body %q is not UTF-8 but was accepted", body)
		}
		for _, v := range append([]string{s.Name}, s.Tags...) {
			if strings.ContainsRune(v, 0) {
				t.Fatalf("body %q was accepted with a NUL in %q", body, v)
			}
		}
	})
}

func TestQueryHelpers(t *testing.T) {
	r := httptest.NewRequest("GET", "/x?a=1,2&a=+3+&a=&b=true&c=maybe&offset=5&pagesize=-1&limit=7", nil)
	r.Header.Set("offset", "9")
	if got := strings.Join(ListParam(r, "a"), "|"); got != "1|2|3" {
		t.Errorf("ListParam: %q", got)
	}
	if b, err := BoolParam(r, "b"); err != nil || b == nil || !*b {
		t.Errorf("BoolParam b: %v %v", b, err)
	}
	if b, err := BoolParam(r, "none"); err != nil || b != nil {
		t.Errorf("BoolParam none: %v %v", b, err)
	}
	if _, err := BoolParam(r, "c"); failure.As(err).Field != "c" {
		t.Errorf("BoolParam c: %v", err)
	}
	if _, err := (Paging{Offset: "offset", Size: "pagesize"}).Read(r); failure.As(err).Field != "pagesize" {
		t.Errorf("a negative page size: %v", err)
	}
	if p, err := (Paging{Offset: "offset", Size: "limit"}).Read(r); err != nil || p != (Page{Offset: 5, Size: 7}) {
		t.Errorf("query paging: %v %v", p, err)
	}
	if p, err := (Paging{Offset: "offset", Size: "limit", InHeaders: true}).Read(r); err != nil || p != (Page{Offset: 9}) {
		t.Errorf("header paging: %v %v", p, err)
	}
}
