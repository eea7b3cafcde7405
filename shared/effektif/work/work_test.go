package work

import (
	"encoding/json"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestWriteListCutsBySize(t *testing.T) {
	big := strings.Repeat("x", ListBudget/3)
	items := []string{big, big, big, big}
	rec := httptest.NewRecorder()
	if err := writeList(rec, items, after(10)); err != nil {
		t.Fatal(err)
	}
	var got []string
	if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || rec.Header().Get(HeaderTruncated) != "2" || rec.Header().Get(HeaderNextOffset) != "12" || rec.Body.Len() > ListBudget {
		t.Fatalf("%d items, %d bytes, headers %v", len(got), rec.Body.Len(), rec.Header())
	}
	// One item over the budget is answered alone, so a list always moves on.
	rec = httptest.NewRecorder()
	if err := writeList(rec, []string{strings.Repeat("y", ListBudget+10), "z"}, nil); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil || len(got) != 1 || rec.Header().Get(HeaderTruncated) != "1" || rec.Header().Get(HeaderNextOffset) != "" {
		t.Fatalf("one large item: %d items, headers %v", len(got), rec.Header())
	}
	// A list within the budget carries no header.
	rec = httptest.NewRecorder()
	if err := writeList(rec, []string{"a", "b"}, after(0)); err != nil || rec.Header().Get(HeaderTruncated) != "" || strings.TrimSpace(rec.Body.String()) != `["a","b"]` {
		t.Fatalf("small list: %s %v", rec.Body, rec.Header())
	}
	budget := 12 // "12345" and a comma take 8, "6" and a comma 4
	if kept, _ := fitting([]string{"12345", "6", "7"}, &budget, false); len(kept) != 2 || budget != 0 {
		t.Fatalf("fitting: %d kept, budget %d", len(kept), budget)
	}
}
