package work

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/awslabs/aws-lambda-go-api-proxy/core"
)

// carriedBody is the body as the Lambda response carries it: through the
// HTTP API adapter's response writer, then JSON-encoded as the Lambda
// runtime encodes the response (no HTML escaping).
func carriedBody(t testing.TB, body []byte) int64 {
	w := core.NewProxyResponseWriterV2()
	w.Header().Set("Content-Type", "application/octet-stream")
	w.WriteHeader(200)
	_, _ = w.Write(body)
	res, err := w.GetProxyResponse()
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(res.Body); err != nil {
		t.Fatal(err)
	}
	return int64(b.Len() - 1) // without Encode's newline
}

func TestLambdaBodySize(t *testing.T) {
	for _, body := range [][]byte{
		nil, []byte("plain"), make([]byte, 1000), []byte("\x01\x1f\b\f\n\r\t\"\\<>&\x7f"),
		[]byte("\u2028\u2029 é ☃ 😀"), {0xff, 0xfe, 0x00}, []byte("\xe2\x80"),
	} {
		if got, want := lambdaBodySize(body), carriedBody(t, body); got != want {
			t.Errorf("%q: %d, the response carries %d", body, got, want)
		}
	}
}

// FuzzLambdaBodySize checks lambdaBodySize against what the adapter and
// the Lambda runtime make of a body.
//
//	go test ./shared/effektif -run '^$' -fuzz FuzzLambdaBodySize -fuzztime 30s
func FuzzLambdaBodySize(f *testing.F) {
	for _, s := range []string{"", "a", "\x00\x01", "\u2028x", "\xe2\x80\xa8", "\xff", "\"\\"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		if got, want := lambdaBodySize(body), carriedBody(t, body); got != want {
			t.Fatalf("%q: %d, the response carries %d", body, got, want)
		}
	})
}
