package onetable

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"

	"github.com/effektif-serverless/caseflow/shared/failure"
)

// MaxInlineBlob bounds a compressed JSON document kept inside an item, well
// under DynamoDB's 400 KB item limit.
const MaxInlineBlob = 300 * 1024

// PackJSON encodes v as gzip-compressed JSON for a binary attribute.
// Errors: TooLarge when even compressed it does not fit in an item.
func PackJSON(v any, what string) ([]byte, error) {
	raw, err := json.Marshal(v)
	if err != nil {
		return nil, failure.Wrap(err, "encode %s", what)
	}
	var b bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&b, gzip.BestSpeed)
	if _, err := zw.Write(raw); err != nil {
		return nil, failure.Wrap(err, "compress %s", what)
	}
	if err := zw.Close(); err != nil {
		return nil, failure.Wrap(err, "compress %s", what)
	}
	if b.Len() > MaxInlineBlob {
		return nil, failure.New(failure.TooLarge, "the %s is too large (%d bytes compressed, at most %d)", what, b.Len(), MaxInlineBlob)
	}
	return b.Bytes(), nil
}

// UnpackJSON decodes what PackJSON made.
func UnpackJSON(data []byte, v any, what string) error {
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		return failure.Wrap(err, "read %s", what)
	}
	raw, err := io.ReadAll(zr)
	if err != nil {
		return failure.Wrap(err, "read %s", what)
	}
	if err := json.Unmarshal(raw, v); err != nil {
		return failure.Wrap(err, "decode %s", what)
	}
	return nil
}
