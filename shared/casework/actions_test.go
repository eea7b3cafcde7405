package casework

import (
	"testing"
	"time"

	"github.com/effektif-serverless/caseflow/shared/failure"
	"github.com/effektif-serverless/caseflow/shared/identity"
)

// The rules of locking and ending action instances, pinned where they
// live; the e2e test TestExternalWorkersLockAndEndActionInstances runs
// them against the store.

var t0 = time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)

func TestLockRequestDefaultsAndBounds(t *testing.T) {
	r, err := LockRequest{}.normalize("u1", t0)
	if err != nil || r.WorkerID != "u1" || r.Max != 1 || r.Duration != DefaultLockDuration {
		t.Fatalf("defaults: %+v %v", r, err)
	}
	r, err = LockRequest{Until: t0.Add(90*time.Second + 500*time.Millisecond)}.normalize("u1", t0)
	if err != nil || r.Duration != 90*time.Second {
		t.Fatalf("until: %+v %v", r, err)
	}
	r, err = LockRequest{Duration: time.Minute, Until: t0.Add(time.Hour)}.normalize("u1", t0)
	if err != nil || r.Duration != time.Minute {
		t.Fatalf("a duration wins over until: %+v %v", r, err)
	}
	for name, c := range map[string]struct {
		r     LockRequest
		field string
	}{
		"too many":        {LockRequest{Max: MaxLockInstances + 1}, "maxInstances"},
		"negative":        {LockRequest{Max: -1}, "maxInstances"},
		"too short":       {LockRequest{Duration: time.Millisecond}, "lockDurationSeconds"},
		"too long":        {LockRequest{Duration: MaxLockDuration + time.Second}, "lockDurationSeconds"},
		"until the past":  {LockRequest{Until: t0.Add(-time.Minute)}, "lock"},
		"long worker id":  {LockRequest{WorkerID: string(make([]byte, maxServiceKey+1))}, "workerId"},
		"until too far":   {LockRequest{Until: t0.Add(MaxLockDuration + time.Hour)}, "lockDurationSeconds"},
		"until this tick": {LockRequest{Until: t0.Add(time.Millisecond)}, "lock"},
	} {
		_, err := c.r.normalize("u1", t0)
		if f := failure.As(err); err == nil || f.Code != failure.Invalid || f.Field != c.field {
			t.Errorf("%s: %v, want Invalid on %s", name, err, c.field)
		}
	}
}

func TestActionLockHolders(t *testing.T) {
	open := ActionInstance{}
	held := ActionInstance{WorkerID: "w1", Lock: t0.Add(time.Minute)}
	expired := ActionInstance{WorkerID: "w1", Lock: t0}
	incident := ActionInstance{Incident: true}
	for name, c := range map[string]struct {
		a                ActionInstance
		lockable, w1, w2 bool
	}{
		"open":     {open, true, false, false},
		"held":     {held, false, true, false},
		"expired":  {expired, true, false, false},
		"incident": {incident, false, false, false},
	} {
		if got := c.a.lockable(t0); got != c.lockable {
			t.Errorf("%s: lockable %v", name, got)
		}
		if got := c.a.heldBy("w1", t0); got != c.w1 {
			t.Errorf("%s: held by w1 %v", name, got)
		}
		if got := c.a.heldBy("w2", t0); got != c.w2 {
			t.Errorf("%s: held by w2 %v", name, got)
		}
	}
}

func TestFailureEndsReleaseUntilNoRetriesAreLeft(t *testing.T) {
	a := ActionInstance{ID: "a", WorkerID: "w1", Lock: t0.Add(time.Minute), Retries: DefaultActionRetries, Version: 2}
	for i := DefaultActionRetries - 1; i > 0; i-- {
		a = a.failed(ActionEnd{ErrorMessage: "down", RetryTimeout: time.Minute}, t0)
		if a.Incident || a.Retries != i || a.WorkerID != "" || !a.Lock.IsZero() || !a.Available.Equal(t0.Add(time.Minute)) || a.ErrorMessage != "down" {
			t.Fatalf("failure with %d retries left: %+v", i, a)
		}
		if !a.lockable(t0) {
			t.Fatalf("a released instance is lockable")
		}
		a.WorkerID, a.Lock = "w1", t0.Add(time.Minute)
	}
	a = a.failed(ActionEnd{ErrorMessage: "still down"}, t0)
	if !a.Incident || a.Retries != 0 || a.lockable(t0) || a.Version != 2+DefaultActionRetries {
		t.Fatalf("the last failure: %+v, want an incident", a)
	}

	// The worker may say how many retries are left (Camunda's retries).
	five, zero := 5, 0
	if b := (ActionInstance{Retries: 1}).failed(ActionEnd{ErrorMessage: "x", Retries: &five}, t0); b.Incident || b.Retries != 5 {
		t.Fatalf("retries 5: %+v", b)
	}
	if b := (ActionInstance{Retries: 3}).failed(ActionEnd{ErrorMessage: "x", Retries: &zero}, t0); !b.Incident {
		t.Fatalf("retries 0: %+v, want an incident", b)
	}
}

func TestOnlyAdminsWorkActions(t *testing.T) {
	admin := identity.Access{Membership: identity.Membership{UserID: "a", Role: identity.RoleAdmin}}
	member := identity.Access{Membership: identity.Membership{UserID: "m", Role: identity.RoleMember}}
	if err := workerAccess(admin); err != nil {
		t.Fatal(err)
	}
	if err := workerAccess(member); !failure.Is(err, failure.Forbidden) {
		t.Fatalf("member: %v, want Forbidden", err)
	}
}
