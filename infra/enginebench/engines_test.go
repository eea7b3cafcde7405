package main

import (
	"slices"
	"testing"
)

// TestBothRunToTheEnd checks that each engine runs an instance of the
// process to its end along the approved path, many times over (state left
// behind by one instance must not change the next).
func TestBothRunToTheEnd(t *testing.T) {
	for name, mk := range map[string]func() (instanceRunner, error){"ours": ours, "lib-bpmn-engine": peer} {
		r, err := mk()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		for i := 0; i < 50; i++ {
			path, err := r()
			if err != nil {
				t.Fatalf("%s, instance %d: %v", name, i, err)
			}
			if !slices.Equal(path, wantPath) {
				t.Fatalf("%s, instance %d: path %v, want %v", name, i, path, wantPath)
			}
		}
	}
}

func benchmark(b *testing.B, mk func() (instanceRunner, error)) {
	r, err := mk()
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := r(); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "instances/s")
}

// BenchmarkOurs is one instance on our engine (see ours).
func BenchmarkOurs(b *testing.B) { benchmark(b, ours) }

// BenchmarkPeer is one instance on lib-bpmn-engine (see peer).
func BenchmarkPeer(b *testing.B) { benchmark(b, peer) }
