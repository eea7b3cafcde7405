package onetable

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"sync"

	"github.com/effektif-serverless/caseflow/shared/failure"
)

// MaxInlineBlob bounds a compressed JSON document kept inside an item, well
// under DynamoDB's 400 KB item limit.
const MaxInlineBlob = 300 * 1024

// The gzip writers and readers are pooled: a new writer allocates about a
// megabyte of compression state and a reader tens of kilobytes, which
// would dominate the cost of every item written and read.
var (
	writers = sync.Pool{New: func() any {
		zw, _ := gzip.NewWriterLevel(nil, gzip.BestSpeed)
		return zw
	}}
	readers sync.Pool // *gzip.Reader, made by the first UnpackJSON
	buffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}
)

// PackJSON encodes v as gzip-compressed JSON for a binary attribute.
func PackJSON(v any, what string) ([]byte, error) {
	raw, err := json.Marshal(v)
	if err != nil {
		return nil, failure.Wrap(err, "encode %s", what)
	}
	var b bytes.Buffer
	zw := writers.Get().(*gzip.Writer)
	defer writers.Put(zw)
	zw.Reset(&b)
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
	var zr *gzip.Reader
	if pooled, ok := readers.Get().(*gzip.Reader); ok {
		zr = pooled
		if err := zr.Reset(bytes.NewReader(data)); err != nil {
			return failure.Wrap(err, "read %s", what)
		}
	} else {
		fresh, err := gzip.NewReader(bytes.NewReader(data))
		if err != nil {
			return failure.Wrap(err, "read %s", what)
		}
		zr = fresh
	}
	defer readers.Put(zr)
	buf := buffers.Get().(*bytes.Buffer)
	defer buffers.Put(buf)
	buf.Reset()
	if _, err := buf.ReadFrom(zr); err != nil {
		return failure.Wrap(err, "read %s", what)
	}
	if err := json.Unmarshal(buf.Bytes(), v); err != nil {
		return failure.Wrap(err, "decode %s", what)
	}
	return nil
}
