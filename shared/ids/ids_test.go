package ids

import (
	"strings"
	"testing"

	"github.com/effektif-serverless/caseflow/shared/failure"
)

func TestCheck(t *testing.T) {
	id := New()
	if !Valid(id) || Check("userId", id) != nil || CheckAll("userIds", []string{id, New()}) != nil {
		t.Fatalf("a new id %q is refused", id)
	}
	for _, bad := range []string{"", "x", strings.Repeat("a", 2048), strings.ToUpper(id[:23]) + "g", id + "0"} {
		err := failure.As(Check("assigneeId", bad))
		if err.Code != failure.Invalid || err.Field != "assigneeId" || len(err.Message) > 100 {
			t.Errorf("Check(%.30q) = %+v", bad, err)
		}
	}
	if f := failure.As(CheckAll("candidateIds", []string{id, "nope"})); f.Field != "candidateIds[1]" {
		t.Errorf("CheckAll names %q", f.Field)
	}
}
