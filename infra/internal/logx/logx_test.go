package logx

import (
	"bytes"
	"testing"
)

func TestLineWriter(t *testing.T) {
	var buf bytes.Buffer
	lw := NewLineWriter(&buf, "Fn")
	for _, s := range []string{"one\ntw", "o\n", "", "\n", "three\nfour"} {
		if _, err := lw.Write([]byte(s)); err != nil {
			t.Fatal(err)
		}
	}
	if got := buf.String(); got != "[Fn] one\n[Fn] two\n[Fn] three\n" {
		t.Errorf("before Flush: got %q", got)
	}
	if err := lw.Flush(); err != nil {
		t.Fatal(err)
	}
	if got := buf.String(); got != "[Fn] one\n[Fn] two\n[Fn] three\n[Fn] four\n" {
		t.Errorf("after Flush: got %q", got)
	}
	New(&buf, "gateway").Printf("GET / %d", 200)
	if got := buf.String(); !bytes.HasSuffix([]byte(got), []byte("[gateway] GET / 200\n")) {
		t.Errorf("logger: got %q", got)
	}
}
