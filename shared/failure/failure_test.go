package failure

import (
	"fmt"
	"testing"
)

// TestMessagesAreFormatted: New and Field give fmt.Sprintf's message,
// with and without arguments, also for a format with verbs and no
// arguments.
func TestMessagesAreFormatted(t *testing.T) {
	for _, c := range []struct {
		format string
		args   []any
	}{
		{"no such organization", nil},
		{"", nil},
		{"100%% sure", nil},
		{"a %d", nil},
		{"the file is larger than %d bytes", []any{64}},
		{"%s and %q", []any{"a", "b"}},
	} {
		want := fmt.Sprintf(c.format, c.args...)
		if got := New(NotFound, c.format, c.args...).Message; got != want {
			t.Errorf("New(%q, %v).Message = %q, want %q", c.format, c.args, got, want)
		}
		if got := Field("f", c.format, c.args...).Message; got != want {
			t.Errorf("Field(%q, %v).Message = %q, want %q", c.format, c.args, got, want)
		}
	}
}
