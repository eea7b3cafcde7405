package onetable

import (
	"encoding/json"
	"strings"
	"testing"
)

// blobDoc is a task-sized document.
type blobDoc struct {
	ID, Name, Description string
	CandidateIDs          []string
	Properties            map[string]string
}

func sampleDoc() blobDoc {
	return blobDoc{ID: "6b0f94915ddd1a28f6f57f4c", Name: "Review the request", Description: strings.Repeat("words of a description ", 20),
		CandidateIDs: []string{"6b0f94915ddd1a28f6f57f4d", "6b0f94915ddd1a28f6f57f4e"}, Properties: map[string]string{"priority": "high", "topic": "printer"}}
}

// BenchmarkUnpackJSON reads a stored document; BenchmarkUnpackFloor is
// the floor measured in the same run: json.Unmarshal of the same document
// uncompressed. Their ratio is the price of the compression.
func BenchmarkUnpackJSON(b *testing.B) {
	data, err := PackJSON(sampleDoc(), "doc")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		var d blobDoc
		if err := UnpackJSON(data, &d, "doc"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkUnpackFloor(b *testing.B) {
	raw, _ := json.Marshal(sampleDoc())
	b.ReportAllocs()
	for b.Loop() {
		var d blobDoc
		if err := json.Unmarshal(raw, &d); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkPackJSON(b *testing.B) {
	d := sampleDoc()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := PackJSON(d, "doc"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkPackFloor(b *testing.B) {
	d := sampleDoc()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := json.Marshal(d); err != nil {
			b.Fatal(err)
		}
	}
}
