package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"

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
	if ct := r.Header.Get("Content-Type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || !(mt == "application/json" || strings.HasSuffix(mt, "+json") || mt == "text/plain") {
			return failure.New(failure.Unsupported, "the body must be JSON (Content-Type: application/json), not %q", ct)
		}
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, limit+1))
	if err != nil {
		return failure.New(failure.Invalid, "the body could not be read")
	}
	if int64(len(body)) > limit {
		return failure.New(failure.TooLarge, "the body is larger than %d bytes", limit)
	}
	if optional && len(bytes.TrimSpace(body)) == 0 {
		return nil
	}
	return Unmarshal(body, dst)
}

// Unmarshal decodes one JSON value from body into dst, with DecodeJSON's errors.
func Unmarshal(body []byte, dst any) error {
	if len(bytes.TrimSpace(body)) == 0 {
		return failure.New(failure.Invalid, "the body is empty; a JSON object is required")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(dst); err != nil {
		return jsonFailure(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return failure.New(failure.Invalid, "the body has data after the JSON value")
	}
	return nil
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
