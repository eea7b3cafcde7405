package identity

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/effektif-serverless/caseflow/shared/failure"
)

// roleStore records UpdateRole; any other Store call panics (nil
// embedded interface), so a test fails loudly if the rule reads more.
type roleStore struct {
	Store
	org     Organization
	m       Membership
	changed bool
	calls   int
}

func (s *roleStore) UpdateRole(_ context.Context, o Organization, m Membership, adminsChanged bool) error {
	s.org, s.m, s.changed, s.calls = o, m, adminsChanged, s.calls+1
	return nil
}

func yes() *bool { b := true; return &b }
func no() *bool  { b := false; return &b }

func TestChangeRoleKeepsAnAdmin(t *testing.T) {
	admin := Membership{OrganizationID: "o", UserID: "a", Role: RoleAdmin}
	member := Membership{OrganizationID: "o", UserID: "m", Role: RoleMember}
	sole := Organization{ID: "o", AdminIDs: []string{"a"}, Version: 3}
	two := Organization{ID: "o", AdminIDs: []string{"a", "b"}, Version: 3}
	for _, tc := range []struct {
		name       string
		org        Organization
		m          Membership
		c          RoleChange
		wantErr    failure.Code
		wantAdmins []string
		wantRole   Role
	}{
		{"demote the last admin", sole, admin, RoleChange{Admin: no()}, failure.Conflict, nil, ""},
		{"disable the last admin", sole, admin, RoleChange{Disabled: yes()}, failure.Conflict, nil, ""},
		{"demote one of two", two, admin, RoleChange{Admin: no()}, "", []string{"b"}, RoleMember},
		{"promote a member", sole, member, RoleChange{Admin: yes()}, "", []string{"a", "m"}, RoleAdmin},
		{"operator only", sole, member, RoleChange{Operator: yes()}, "", nil, RoleMember},
		{"the last admin's operator flag", sole, admin, RoleChange{Operator: yes(), Admin: yes()}, "", nil, RoleAdmin},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st := &roleStore{}
			s := &Service{Store: st}
			err := s.changeRole(context.Background(), tc.org, tc.m, tc.c)
			if tc.wantErr != "" {
				if !failure.Is(err, tc.wantErr) || st.calls != 0 {
					t.Fatalf("err %v, %d writes; want %s and nothing written", err, st.calls, tc.wantErr)
				}
				return
			}
			if err != nil || st.calls != 1 {
				t.Fatalf("err %v, %d writes", err, st.calls)
			}
			if st.m.Role != tc.wantRole {
				t.Errorf("role %q, want %q", st.m.Role, tc.wantRole)
			}
			if tc.wantAdmins == nil {
				if st.changed {
					t.Errorf("admins written although unchanged: %v", st.org.AdminIDs)
				}
				return
			}
			if !st.changed || strings.Join(st.org.AdminIDs, ",") != strings.Join(tc.wantAdmins, ",") || st.org.Version != tc.org.Version+1 {
				t.Errorf("admins %v (written %v, version %d), want %v at version %d", st.org.AdminIDs, st.changed, st.org.Version, tc.wantAdmins, tc.org.Version+1)
			}
		})
	}
}

func TestDeriveUsername(t *testing.T) {
	for _, tc := range []struct {
		email   string
		attempt int
		want    string
	}{
		{"Mia.Miller@example.com", 1, "mia_miller"},
		{"mia.miller@example.com", 3, "mia_miller_3"},
		{"9lives+tag@example.com", 1, "u9lives_tag"},
		{"_x@example.com", 1, "u_x"},
		{"ren\u00e9e@example.com", 1, "ren_e"},
		{strings.Repeat("a", 64) + "@example.com", 12, strings.Repeat("a", 47) + "_12"},
	} {
		got := DeriveUsername(tc.email, tc.attempt)
		if got != tc.want {
			t.Errorf("DeriveUsername(%q, %d) = %q, want %q", tc.email, tc.attempt, got, tc.want)
		}
		if ValidateUsername(got) != nil {
			t.Errorf("derived %q is not a valid username", got)
		}
	}
}

func FuzzDeriveUsername(f *testing.F) {
	f.Add("a.b@c.d", 1)
	f.Add("\u00ff\u0000@x", 20)
	f.Fuzz(func(t *testing.T, email string, attempt int) {
		if attempt < 1 || attempt > maxUsernameAttempts {
			return
		}
		if got := DeriveUsername(email, attempt); ValidateUsername(got) != nil {
			t.Fatalf("DeriveUsername(%q, %d) = %q, not a valid username", email, attempt, got)
		}
	})
}

func TestValidateUsername(t *testing.T) {
	for name, ok := range map[string]bool{
		"a": true, "Ada_Lovelace9": true, strings.Repeat("a", 50): true,
		"": false, "9a": false, "_a": false, "bad name": false, "a/b": false, "a-b": false, strings.Repeat("a", 51): false, "\u00e9": false,
	} {
		if got := ValidateUsername(name) == nil; got != ok {
			t.Errorf("ValidateUsername(%q) ok = %v, want %v", name, got, ok)
		}
	}
}

func TestCreateAPITokenRefusesBadExpirations(t *testing.T) {
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	s := &Service{Now: func() time.Time { return now }}
	for _, exp := range []time.Time{now, now.Add(-time.Second), now.Add(MaxAPITokenTTL + time.Second)} {
		if _, err := s.CreateAPIToken(context.Background(), Caller{UserID: "u"}, NewAPIToken{Expires: exp}); !failure.Is(err, failure.Invalid) {
			t.Errorf("expiration %v: %v, want Invalid", exp, err)
		}
	}
	if _, err := s.CreateAPIToken(context.Background(), Caller{UserID: "u"}, NewAPIToken{Label: strings.Repeat("l", MaxNameLength+1)}); !failure.Is(err, failure.Invalid) {
		t.Errorf("a long label: %v, want Invalid", err)
	}
}
