package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/effektif-serverless/caseflow/shared/failure"
)

// MaxJSONBody is the default limit on a JSON request body.
const MaxJSONBody = 1 << 20

// DecodeJSON reads the request body, at most limit bytes, as one JSON value
// into dst. Every kind of bad input is an Invalid, TooLarge or Unsupported
// failure that says what is wrong: a non-JSON content type, an empty body,
// malformed JSON (with its byte offset), a value of the wrong type (with the
// field's name), trailing data. Unknown fields are ignored, as clients of the
// documented APIs send fields this service does not use.
func DecodeJSON(r *http.Request, limit int64, dst any) error {
	return decodeJSON(r, limit, dst, false)
}

// DecodeOptionalJSON is DecodeJSON for a body that may be left out: an empty
// body leaves dst as it is.
func DecodeOptionalJSON(r *http.Request, limit int64, dst any) error {
	return decodeJSON(r, limit, dst, true)
}

func decodeJSON(r *http.Request, limit int64, dst any, optional bool) error {
	body, err := ReadJSONBody(r, limit)
	if err != nil {
		return err
	}
	if optional && len(bytes.TrimSpace(body)) == 0 {
		return nil
	}
	return Unmarshal(body, dst)
}

// ReadJSONBody reads the request body, at most limit bytes, for a dialect
// that decodes it itself (Unmarshal): Unsupported for a content type that
// is not JSON (none is taken as JSON), TooLarge over the limit.
func ReadJSONBody(r *http.Request, limit int64) ([]byte, error) {
	if ct := r.Header.Get("Content-Type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || !(mt == "application/json" || strings.HasSuffix(mt, "+json") || mt == "text/plain") {
			return nil, failure.New(failure.Unsupported, "the body must be JSON (Content-Type: application/json), not %q", ct)
		}
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, limit+1))
	if err != nil {
		return nil, failure.New(failure.Invalid, "the body could not be read")
	}
	if int64(len(body)) > limit {
		return nil, failure.New(failure.TooLarge, "the body is larger than %d bytes", limit)
	}
	return body, nil
}

// Unmarshal decodes one JSON value from body into dst, with DecodeJSON's
// errors. Text is taken as it was sent or not at all: a body that is not
// valid UTF-8 is Invalid (encoding/json would silently replace the bad bytes
// with U+FFFD), and so is a NUL character (\u0000) in any string or key,
// naming the field that holds it ("a.b[2].c").
func Unmarshal(body []byte, dst any) error {
	if len(bytes.TrimSpace(body)) == 0 {
		return failure.New(failure.Invalid, "the body is empty; a JSON object is required")
	}
	if !utf8.Valid(body) {
		return failure.New(failure.Invalid, "the body is not valid UTF-8")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(dst); err != nil {
		return jsonFailure(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return failure.New(failure.Invalid, "the body has data after the JSON value")
	}
	// A NUL can only be written as an escape (a raw control character is
	// malformed JSON), so most bodies are spared the second pass.
	if bytes.Contains(body, []byte(`\u0000`)) {
		if field, found := nulField(body); found {
			if field == "" {
				return failure.New(failure.Invalid, "the body holds a NUL character (\\u0000)")
			}
			return failure.Field(field, "%s holds a NUL character (\\u0000)", field)
		}
	}
	return nil
}

// jsonFrame is an open object or array on the way to a token.
type jsonFrame struct {
	object    bool
	key       string // the current member's name, in an object
	expectKey bool   // in an object: the next string is a member name
	index     int    // the current element's index, in an array
}

// nulField walks the tokens of a well-formed JSON body and returns the
// path of the first string or member name that holds a NUL character.
func nulField(body []byte) (string, bool) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var stack []jsonFrame
	// path names the value the innermost depth containers lead to.
	path := func(depth int) string {
		var b strings.Builder
		for _, f := range stack[:depth] {
			if f.object {
				b.WriteString("." + f.key)
			} else {
				b.WriteString("[" + strconv.Itoa(f.index) + "]")
			}
		}
		return strings.TrimPrefix(b.String(), ".")
	}
	// next moves the innermost container past the value just read.
	next := func() {
		if n := len(stack); n > 0 {
			if stack[n-1].object {
				stack[n-1].expectKey = true
			} else {
				stack[n-1].index++
			}
		}
	}
	for {
		tok, err := dec.Token()
		if err != nil {
			return "", false
		}
		switch v := tok.(type) {
		case json.Delim:
			switch v {
			case '{':
				stack = append(stack, jsonFrame{object: true, expectKey: true})
			case '[':
				stack = append(stack, jsonFrame{})
			default:
				stack = stack[:len(stack)-1]
				next()
			}
		case string:
			if n := len(stack); n > 0 && stack[n-1].object && stack[n-1].expectKey {
				if strings.ContainsRune(v, 0) {
					return path(n - 1), true // the object whose member name it is
				}
				stack[n-1].key, stack[n-1].expectKey = v, false
				continue
			}
			if strings.ContainsRune(v, 0) {
				return path(len(stack)), true
			}
			next()
		default:
			next()
		}
	}
}

func jsonFailure(err error) error {
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syntax):
		return failure.New(failure.Invalid, "malformed JSON at byte %d: %v", syntax.Offset, syntax)
	case errors.As(err, &typ):
		field := typ.Field
		if field == "" {
			return failure.New(failure.Invalid, "the body must be a JSON %s, not %s", describe(typ.Type.Kind().String()), typ.Value)
		}
		return failure.Field(field, "%s must be %s, not %s", field, describe(typ.Type.Kind().String()), typ.Value)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return failure.New(failure.Invalid, "the JSON body ends too early")
	default:
		return failure.New(failure.Invalid, "the body is not valid JSON: %v", err)
	}
}

func describe(kind string) string {
	switch kind {
	case "struct", "map":
		return "an object"
	case "slice", "array":
		return "an array"
	case "bool":
		return "a boolean"
	case "string":
		return "a string"
	case "int", "int64", "int32", "float64", "float32", "uint", "uint64":
		return "a number"
	default:
		return fmt.Sprintf("a %s", kind)
	}
}
