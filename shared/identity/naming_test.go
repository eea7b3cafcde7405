package identity_test

import (
	"context"
	"math"
	"sync"
	"testing"

	"github.com/effektif-serverless/caseflow/shared/failure"
	"github.com/effektif-serverless/caseflow/shared/identity"
	"github.com/effektif-serverless/caseflow/shared/identity/identitytest"
	"github.com/effektif-serverless/caseflow/shared/ids"
)

// TestDerivedUsernames: a member without a username gets the first free
// derived one (the address's local part, then _2, _3...) when first read
// by name, and keeps it.
func TestDerivedUsernames(t *testing.T) {
	w := newWorld(t)
	admin := w.account("Mia.Miller@one.example")
	d, err := w.svc.CreateOrganization(w.ctx, admin.ID, identity.NewOrganization{Name: "Names"})
	w.ok(err, "create organization")
	o := d.Organization
	first := w.member(o, admin, "mia.miller@two.example")    // named on acceptance
	second := w.member(o, admin, "MIA.MILLER@three.example") // likewise, after a collision
	for _, tc := range []struct {
		user identity.User
		want string
	}{{first, "mia_miller"}, {second, "mia_miller_2"}, {admin, "mia_miller_3"}, {admin, "mia_miller_3"}} {
		if got := w.username(o, tc.user); got != tc.want {
			t.Errorf("username of %s: %q, want %q", tc.user.Email, got, tc.want)
		}
	}
	named, err := w.svc.MemberNamed(w.ctx, w.in(first.ID, o.Key), "Mia_Miller_3")
	w.ok(err, "a member by name (case aside)")
	if named.ID != admin.ID {
		t.Errorf("mia_miller_3 names %s", named.Email)
	}
	for _, bad := range []string{"nobody", "not a name", ""} {
		_, err := w.svc.MemberNamed(w.ctx, w.in(first.ID, o.Key), bad)
		w.fails(err, failure.NotFound, "the member named "+bad)
	}
	all, err := w.svc.NamedMembers(w.ctx, w.in(admin.ID, o.Key))
	w.ok(err, "named members")
	if len(all) != 3 {
		t.Fatalf("named members: %d", len(all))
	}
}

// TestChosenUsernames: a username offered with an invitation is checked
// when inviting and on acceptance; one chosen on acceptance wins.
func TestChosenUsernames(t *testing.T) {
	w := newWorld(t)
	o, admin := w.org("Chosen")
	w.join(o, admin, identity.NewMember{Email: "boss@example.com", Username: "Boss"})
	for _, tc := range []struct {
		name     string
		username string
		want     failure.Code
	}{
		{"a taken username (case aside)", "boss", failure.Conflict},
		{"a bad shape", "9lives", failure.Invalid},
		{"too long", "a234567890123456789012345678901234567890123456789012", failure.Invalid},
	} {
		_, err := w.svc.AddMember(w.ctx, w.in(admin.ID, o.Key), identity.NewMember{Email: "x" + ids.New() + "@example.com", Username: tc.username})
		w.fails(err, tc.want, tc.name)
	}

	// Offered free, taken before the acceptance: the acceptance fails and
	// the invitation stays.
	late := w.account("late@example.com")
	_, err := w.svc.AddMember(w.ctx, w.in(admin.ID, o.Key), identity.NewMember{Email: late.Email, Username: "Ranger"})
	w.ok(err, "invite with a username")
	w.join(o, admin, identity.NewMember{Email: "ranger@example.com"}) // derives "ranger"
	w.fails(w.svc.AcceptInvitation(w.ctx, late.ID, o.Key, ""), failure.Conflict, "accept with the offered username taken")
	w.fails(w.svc.AcceptInvitation(w.ctx, late.ID, o.Key, "bad name"), failure.Invalid, "accept with a malformed username")
	w.ok(w.svc.AcceptInvitation(w.ctx, late.ID, o.Key, "Latecomer"), "accept with a chosen username")
	if got := w.username(o, late); got != "Latecomer" {
		t.Errorf("the chosen username: %q", got)
	}
}

// nameRace names the membership (as a concurrent request would) just
// before the first ClaimUsername.
type nameRace struct {
	*identitytest.Store
	once sync.Once
	name string
}

func (r *nameRace) ClaimUsername(ctx context.Context, m identity.Membership, username string) error {
	r.once.Do(func() {
		if err := r.Store.ClaimUsername(ctx, m, r.name); err != nil {
			panic(err)
		}
	})
	return r.Store.ClaimUsername(ctx, m, username)
}

// TestUsernameNamedMeanwhile: when another request named the member
// first, its name is read back and kept.
func TestUsernameNamedMeanwhile(t *testing.T) {
	w := newWorld(t)
	o, admin := w.org("Racing")
	w.svc.Store = &nameRace{Store: w.store, name: "first_come"}
	if got := w.username(o, admin); got != "first_come" {
		t.Fatalf("username %q, want the one named meanwhile", got)
	}
	owner, err := w.store.UsernameOwner(w.ctx, o.ID, "first_come")
	w.ok(err, "the owner")
	if owner != admin.ID {
		t.Fatalf("owner %s", owner)
	}
}

func TestNumbersRules(t *testing.T) {
	w := newWorld(t)
	for _, tc := range []struct {
		name string
		ids  []string
		want failure.Code
	}{
		{"a malformed id", []string{ids.New(), "abc"}, failure.Invalid},
		{"too many ids", make([]string, identity.MaxNumbered+1), failure.Invalid},
	} {
		_, err := w.svc.Numbers(w.ctx, identity.UserNumbers, tc.ids)
		w.fails(err, tc.want, tc.name)
	}
	none, err := w.svc.Numbers(w.ctx, identity.UserNumbers, nil)
	if err != nil || len(none) != 0 {
		t.Fatalf("no ids: %v, %v", none, err)
	}

	a, b, c := ids.New(), ids.New(), ids.New()
	first, err := w.svc.Numbers(w.ctx, identity.UserNumbers, []string{a, b})
	w.ok(err, "number two ids")
	again, err := w.svc.Numbers(w.ctx, identity.UserNumbers, []string{c, b, a})
	w.ok(err, "number them again with a third")
	if first[a] != again[a] || first[b] != again[b] {
		t.Fatalf("numbers changed: %v then %v", first, again)
	}
	seen := map[int32]bool{}
	for _, id := range []string{a, b, c} {
		n := again[id]
		if n <= 0 || seen[n] {
			t.Fatalf("numbers not positive and distinct: %v", again)
		}
		seen[n] = true
		back, err := w.svc.NumberedID(w.ctx, identity.UserNumbers, n)
		if err != nil || back != id {
			t.Fatalf("number %d names %q, %v; want %s", n, back, err, id)
		}
	}
	g, err := w.svc.Numbers(w.ctx, identity.GroupNumbers, []string{a})
	w.ok(err, "a group number")
	if g[a] != 1 {
		t.Fatalf("the first group number: %d (kinds count apart)", g[a])
	}
	for _, n := range []int32{0, -1, 99} {
		_, err := w.svc.NumberedID(w.ctx, identity.UserNumbers, n)
		w.fails(err, failure.NotFound, "a number that names nothing")
	}
}

// TestNumbersConcurrently: callers numbering one id at once all get one
// number.
func TestNumbersConcurrently(t *testing.T) {
	w := newWorld(t)
	id := ids.New()
	const callers = 16
	got := make([]int32, callers)
	var wg sync.WaitGroup
	for i := range callers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			m, err := w.svc.Numbers(w.ctx, identity.UserNumbers, []string{id})
			if err != nil {
				t.Error(err)
			}
			got[i] = m[id]
		}()
	}
	wg.Wait()
	for _, n := range got {
		if n != got[0] || n <= 0 {
			t.Fatalf("numbers given to one id: %v", got)
		}
	}
	if back, _ := w.svc.NumberedID(w.ctx, identity.UserNumbers, got[0]); back != id {
		t.Fatalf("the number names %q", back)
	}
}

// numberRace claims, just before the first ClaimNumber, either the id
// (another request numbered it) or the number (for another id).
type numberRace struct {
	*identitytest.Store
	once     sync.Once
	takeID   bool
	next     int64 // when set, NextNumber answers it
	otherNum int32
}

func (r *numberRace) NextNumber(ctx context.Context, kind identity.NumberKind) (int64, error) {
	if r.next != 0 {
		return r.next, nil
	}
	return r.Store.NextNumber(ctx, kind)
}

func (r *numberRace) ClaimNumber(ctx context.Context, kind identity.NumberKind, id string, n int32) error {
	r.once.Do(func() {
		if r.takeID {
			r.otherNum = n + 100
			_ = r.Store.ClaimNumber(ctx, kind, id, r.otherNum)
		} else {
			_ = r.Store.ClaimNumber(ctx, kind, ids.New(), n)
		}
	})
	return r.Store.ClaimNumber(ctx, kind, id, n)
}

func TestNumberRaces(t *testing.T) {
	w := newWorld(t)
	id := ids.New()
	r := &numberRace{Store: w.store, takeID: true}
	w.svc.Store = r
	got, err := w.svc.Numbers(w.ctx, identity.UserNumbers, []string{id})
	w.ok(err, "number an id numbered meanwhile")
	if got[id] != r.otherNum {
		t.Fatalf("number %d, want the one given meanwhile (%d)", got[id], r.otherNum)
	}

	other := ids.New()
	w.svc.Store = &numberRace{Store: w.store}
	got, err = w.svc.Numbers(w.ctx, identity.UserNumbers, []string{other})
	w.ok(err, "number an id whose number was taken meanwhile")
	if back, _ := w.svc.NumberedID(w.ctx, identity.UserNumbers, got[other]); back != other {
		t.Fatalf("the retried number %d names %q", got[other], back)
	}

	w.svc.Store = &numberRace{Store: w.store, next: math.MaxInt32 + 1}
	_, err = w.svc.Numbers(w.ctx, identity.GroupNumbers, []string{ids.New()})
	w.fails(err, failure.Internal, "numbers used up")
}
