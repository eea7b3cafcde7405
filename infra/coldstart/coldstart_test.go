package main

import (
	"testing"
	"time"
)

func TestParseReport(t *testing.T) {
	log := "[F] START RequestId: a Version: $LATEST\n" +
		"[F] END RequestId: a\n" +
		"[F] REPORT RequestId: a\tDuration: 1.25 ms\tMemory Size: 256 MB\tInit Duration: 4.50 ms\n"
	s, ok := parseReport(log)
	if !ok || s.first != 1250*time.Microsecond || s.init != 4500*time.Microsecond {
		t.Fatalf("parseReport = %+v, %v", s, ok)
	}
	if _, ok := parseReport("[F] REPORT RequestId: b\tDuration: 1.00 ms\tMemory Size: 256 MB\n"); ok {
		t.Fatal("a warm REPORT line (no Init Duration) was taken for a cold start")
	}
}

func TestMedian(t *testing.T) {
	if m := median([]time.Duration{5, 1, 3}); m != 3 {
		t.Fatalf("median = %v", m)
	}
	if m := median([]time.Duration{4, 1, 3, 2}); m != 2 {
		t.Fatalf("median of an even count = %v, want the lower middle", m)
	}
}
