package identitytest_test

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/effektif-serverless/caseflow/shared/failure"
	"github.com/effektif-serverless/caseflow/shared/identity"
	"github.com/effektif-serverless/caseflow/shared/identity/identitytest"
)

// TestStoreContract runs the store contract against the fake; the
// DynamoDB store runs it in shared/store.
func TestStoreContract(t *testing.T) {
	identitytest.RunStoreContract(t, func(*testing.T) identity.Store { return identitytest.NewStore() })
}

// TestSweepExpired: SweepExpired deletes what DynamoDB's TTL would, and
// only that.
func TestSweepExpired(t *testing.T) {
	ctx, s := context.Background(), identitytest.NewStore()
	now := time.Date(2030, 1, 1, 12, 0, 0, 0, time.UTC)
	put := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	put(s.PutSession(ctx, identity.Session{TokenHash: "old", UserID: "u", Expires: now.Add(-time.Second)}))
	put(s.PutSession(ctx, identity.Session{TokenHash: "live", UserID: "u", Expires: now.Add(time.Second)}))
	put(s.PutSession(ctx, identity.Session{TokenHash: "forever", UserID: "u"}))
	put(s.PutRegistration(ctx, identity.Registration{CodeHash: "r", Expires: now.Add(-time.Hour)}))
	put(s.PutOneTime(ctx, identity.OneTime{Kind: identity.OneTimeReset, CodeHash: "o", Expires: now.Add(-time.Minute)}))
	if _, ok, _ := s.Reserve(ctx, "LOGIN#x", 1, time.Minute, now.Add(-2*time.Minute)); !ok {
		t.Fatal("reserve")
	}
	if _, err := s.GetSession(ctx, "old"); err != nil {
		t.Fatalf("an expired session before the sweep: %v", err)
	}
	if n := s.SweepExpired(now); n != 4 {
		t.Fatalf("swept %d items, want 4", n)
	}
	for _, gone := range []error{
		func() error { _, err := s.GetSession(ctx, "old"); return err }(),
		func() error { _, err := s.GetRegistration(ctx, "r"); return err }(),
		func() error { _, err := s.GetOneTime(ctx, identity.OneTimeReset, "o"); return err }(),
	} {
		if !failure.Is(gone, failure.NotFound) {
			t.Errorf("after the sweep: %v", gone)
		}
	}
	for _, live := range []string{"live", "forever"} {
		if _, err := s.GetSession(ctx, live); err != nil {
			t.Errorf("session %s after the sweep: %v", live, err)
		}
	}
}

// TestStoreCopies: what goes in and comes out shares no memory with the
// store, as with a database.
func TestStoreCopies(t *testing.T) {
	ctx, s := context.Background(), identitytest.NewStore()
	admins := []string{"a", "b"}
	o := identity.Organization{ID: "o", Key: "k", AdminIDs: admins, Version: 1}
	if err := s.CreateOrganization(ctx, o, identity.Membership{OrganizationID: "o", UserID: "a", GroupIDs: []string{"g2", "g1", "g2"}}); err != nil {
		t.Fatal(err)
	}
	admins[0] = "changed"
	got, m, err := s.OrganizationAccess(ctx, "k", "a")
	if err != nil || got.AdminIDs[0] != "a" {
		t.Fatalf("the stored organization shares the caller's slice: %v, %v", got.AdminIDs, err)
	}
	if !reflect.DeepEqual(m.GroupIDs, []string{"g1", "g2"}) {
		t.Fatalf("a stored string set: %v", m.GroupIDs)
	}
	got.AdminIDs[1] = "changed"
	if again, _, _ := s.OrganizationAccess(ctx, "k", "a"); again.AdminIDs[1] != "b" {
		t.Fatalf("a read shares the store's slice: %v", again.AdminIDs)
	}
}

// TestWrites counts the successful writes only.
func TestWrites(t *testing.T) {
	ctx, s := context.Background(), identitytest.NewStore()
	u := identity.User{ID: "u", Email: "u@example.com", Version: 1}
	if err := s.CreateUser(ctx, u); err != nil || s.Writes() != 1 {
		t.Fatalf("a write: %v, %d", err, s.Writes())
	}
	if err := s.CreateUser(ctx, identity.User{ID: "v", Email: "U@example.com"}); err == nil || s.Writes() != 1 {
		t.Fatalf("a refused write: %v, %d", err, s.Writes())
	}
	if _, err := s.GetUser(ctx, "u"); err != nil || s.Writes() != 1 {
		t.Fatalf("a read: %v, %d", err, s.Writes())
	}
}
