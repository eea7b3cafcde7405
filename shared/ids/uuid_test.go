package ids

import (
	"strings"
	"testing"
)

func TestUUIDForm(t *testing.T) {
	id := "5f1e2d3c4b5a69788796a5b4"
	u, ok := ToUUID(id)
	if !ok || u != "5f1e2d3c-4b5a-8069-8078-8796a5b40000" {
		t.Fatalf("ToUUID(%s) = %q", id, u)
	}
	if back, ok := FromUUID(strings.ToUpper(u)); !ok || back != id {
		t.Fatalf("FromUUID(%q) = %q %v", u, back, ok)
	}
	for _, bad := range []string{"", "not-a-uuid", "123e4567-e89b-12d3-a456-426614174000", strings.Repeat("0", 36), "5f1e2d3c4b5a806980788796a5b40000", "5f1e2d3c-4b5a-8069-8078-8796a5b4c3d2"} {
		if got, ok := FromUUID(bad); ok {
			t.Errorf("FromUUID(%q) = %q", bad, got)
		}
	}
	if _, ok := ToUUID("xyz"); ok {
		t.Error("ToUUID of a malformed id")
	}
	if a, b := mustUUID(t, New()), mustUUID(t, New()); a == b {
		t.Error("two ids, one UUID")
	}
}

func mustUUID(t *testing.T, id string) string {
	t.Helper()
	u, ok := ToUUID(id)
	if !ok {
		t.Fatalf("ToUUID(%s)", id)
	}
	return u
}

func FuzzUUIDForm(f *testing.F) {
	f.Add("5f1e2d3c4b5a69788796a5b4")
	f.Add("5f1e2d3c-4b5a-8069-8078-8796a5b4c3d2")
	f.Fuzz(func(t *testing.T, s string) {
		if u, ok := ToUUID(s); ok {
			if back, ok := FromUUID(u); !ok || back != strings.ToLower(s) {
				t.Fatalf("%q -> %q -> %q", s, u, back)
			}
		}
		if id, ok := FromUUID(s); ok {
			if u, ok := ToUUID(id); !ok || u != strings.ToLower(s) {
				t.Fatalf("%q -> %q -> %q", s, id, u)
			}
		}
	})
}

func TestTaggedUUID(t *testing.T) {
	id := New()
	u, ok := ToTaggedUUID(id, 2)
	if !ok {
		t.Fatal("no tagged form")
	}
	if back, tag, ok := FromTaggedUUID(u); !ok || back != id || tag != 2 {
		t.Errorf("FromTaggedUUID(%s) = %s %d %v", u, back, tag, ok)
	}
	if _, ok := FromUUID(u); ok {
		t.Errorf("a tagged UUID read as an id's UUID form")
	}
	plain, _ := ToUUID(id)
	if back, tag, ok := FromTaggedUUID(plain); !ok || back != id || tag != 0 {
		t.Errorf("the plain form: %s %d %v", back, tag, ok)
	}
}
