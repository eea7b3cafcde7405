package identity

import (
	"testing"
)

var testReserved = NewReservedKeys([]string{"users", "registrations"})

func TestOrganizationKey(t *testing.T) {
	cases := []struct {
		name    string
		attempt int
		want    string
	}{
		{"Acme Corp", 1, "acme-corp"},
		{"  Müller & Söhne GmbH ", 1, "muller-sohne-gmbh"},
		{"users", 1, "org-users"},
		{"Registrations", 1, "org-registrations"},
		{"!!!", 1, "org"},
		{"", 1, "org"},
		{"東京", 1, "org"},
		{"Acme Corp", 3, "acme-corp-3"},
		{"a--b__c", 1, "a-b-c"},
	}
	for _, c := range cases {
		if got := OrganizationKey(c.name, c.attempt, testReserved); got != c.want {
			t.Errorf("OrganizationKey(%q, %d) = %q, want %q", c.name, c.attempt, got, c.want)
		}
	}
}

func FuzzOrganizationKey(f *testing.F) {
	for _, s := range []string{"Acme", "users", "ÄÖÜ ß", "a\x00b", "----", "x y z"} {
		f.Add(s, 1)
	}
	f.Fuzz(func(t *testing.T, name string, attempt int) {
		if attempt < 0 || attempt > 1000 {
			t.Skip()
		}
		key := OrganizationKey(name, attempt, testReserved)
		if !keyShape().MatchString(key) || len(key) > MaxOrganizationKeyLength+5 || testReserved.Has(key) {
			t.Fatalf("OrganizationKey(%q, %d) = %q", name, attempt, key)
		}
	})
}
