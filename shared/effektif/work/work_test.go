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

// A page cut by size goes on after its last kept item, whatever cursor the
// page itself had; a page within the budget carries its own; the kept
// items come in the order asked for.
func TestWritePageCursors(t *testing.T) {
	big := strings.Repeat("x", ListBudget/3)
	items := []string{"a" + big, "b" + big, "c" + big}
	rec := httptest.NewRecorder()
	after := func(kept int) string { return items[kept-1][:1] }
	if err := writePage(rec, items, "page-next", after, nil); err != nil {
		t.Fatal(err)
	}
	if rec.Header().Get(HeaderNextCursor) != "b" || rec.Header().Get(HeaderTruncated) != "1" {
		t.Fatalf("cut page: headers %v", rec.Header())
	}
	reverse := func(kept int) []int {
		out := make([]int, kept)
		for i := range out {
			out[i] = kept - 1 - i
		}
		return out
	}
	for next, want := range map[string]string{"page-next": "page-next", "": ""} {
		rec = httptest.NewRecorder()
		if err := writePage(rec, []string{"a", "b", "c"}, next, after, reverse); err != nil {
			t.Fatal(err)
		}
		if rec.Header().Get(HeaderNextCursor) != want || rec.Header().Get(HeaderTruncated) != "" || strings.TrimSpace(rec.Body.String()) != `["c","b","a"]` {
			t.Fatalf("whole page (next %q): %s %v", next, rec.Body, rec.Header())
		}
	}
}
