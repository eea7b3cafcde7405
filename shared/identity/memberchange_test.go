package identity_test

import (
	"github.com/effektif-serverless/caseflow/shared/secret/password"

	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/effektif-serverless/caseflow/shared/failure"
	"github.com/effektif-serverless/caseflow/shared/identity"
	"github.com/effektif-serverless/caseflow/shared/ids"
	"github.com/effektif-serverless/caseflow/shared/secret"
)

// team is an organization (Acme) with its admin, two members (mia, bob),
// the groups alpha, beta and gamma, and one seat each of the free and
// team license types.
type team struct {
	*world
	o                identity.Organization
	admin, mia, bob  identity.User
	alpha, beta, gam identity.Group
}

func newTeam(t *testing.T) *team {
	t.Helper()
	w := newWorld(t)
	tm := &team{world: w}
	tm.o, tm.admin = w.org("Acme")
	tm.mia = w.member(tm.o, tm.admin, "mia@example.com")
	tm.bob = w.member(tm.o, tm.admin, "bob@example.com")
	for _, g := range []struct {
		name string
		dst  *identity.Group
	}{{"beta", &tm.beta}, {"alpha", &tm.alpha}, {"gamma", &tm.gam}} {
		var err error
		*g.dst, err = w.svc.CreateGroup(w.ctx, tm.in(tm.admin.ID, tm.o.Key), identity.GroupChanges{Name: ptr(g.name)})
		w.ok(err, "create group "+g.name)
	}
	_, err := w.svc.Self(w.ctx, tm.in(tm.admin.ID, tm.o.Key)) // the admin's username is derived on first read
	w.ok(err, "read the admin")
	for _, typ := range []string{"free", "team"} {
		_, err := w.svc.Purchase(w.ctx, tm.in(tm.admin.ID, tm.o.Key), identity.PurchaseOrder{LicenseType: typ, Count: 1})
		w.ok(err, "buy a "+typ+" seat")
	}
	return tm
}

func (tm *team) change(caller, target identity.User, c identity.MemberChange) (identity.MemberView, error) {
	a, err := tm.svc.Resolve(tm.ctx, identity.Caller{UserID: caller.ID}, tm.o.Key)
	if err != nil {
		return identity.MemberView{}, err
	}
	return tm.svc.ChangeMember(tm.ctx, a, target.ID, c)
}

// changeOK makes a change that must succeed and answers the view.
func (tm *team) changeOK(caller, target identity.User, c identity.MemberChange) identity.MemberView {
	tm.t.Helper()
	v, err := tm.change(caller, target, c)
	tm.ok(err, "change member")
	return v
}

// refused checks that a change fails with code and writes nothing.
func (tm *team) refused(caller, target identity.User, c identity.MemberChange, code failure.Code) {
	tm.t.Helper()
	before := tm.store.Writes()
	_, err := tm.change(caller, target, c)
	tm.fails(err, code, "the refused change")
	if after := tm.store.Writes(); after != before {
		tm.t.Fatalf("a refused change wrote %d times", after-before)
	}
}

func groupNames(v identity.MemberView) string {
	main := "-"
	if v.MainGroup != nil {
		main = v.MainGroup.Name
	}
	var others []string
	for _, g := range v.OtherGroups {
		others = append(others, g.Name)
	}
	return main + " + [" + strings.Join(others, " ") + "]"
}

func seatsOf(v identity.MemberView) string {
	var out []string
	for _, p := range v.Seats {
		out = append(out, fmt.Sprintf("%s %d/%d held=%v", p.Type, p.Used, p.Total, p.Held))
	}
	return strings.Join(out, ", ")
}

// TestChangeMemberPermissions: a member reads and changes themself, an
// admin any member; names and password are the user's own, role, groups
// and seats the admins'; a refused request writes nothing.
func TestChangeMemberPermissions(t *testing.T) {
	type who int
	const (
		admin who = iota
		mia
		bob
	)
	for _, tc := range []struct {
		name           string
		caller, target who
		c              identity.MemberChange
		groups         func(*team) []string // OtherGroupIDs, when set
		want           failure.Code         // "" for success
	}{
		{name: "a member reads themself", caller: mia, target: mia, c: identity.MemberChange{}},
		{name: "an admin reads a member", caller: admin, target: mia, c: identity.MemberChange{}},
		{name: "a member reads another", caller: mia, target: bob, c: identity.MemberChange{}, want: failure.Forbidden},
		{name: "a member renames themself", caller: mia, target: mia, c: identity.MemberChange{FirstName: ptr("Mia"), LastName: ptr("Miller")}},
		{name: "an admin renames a member", caller: admin, target: mia, c: identity.MemberChange{FirstName: ptr("Mary")}, want: failure.Forbidden},
		{name: "an admin sends a member's names back unchanged", caller: admin, target: mia, c: identity.MemberChange{FirstName: ptr("mia"), LastName: ptr("")}},
		{name: "an admin sets a member's password", caller: admin, target: mia, c: identity.MemberChange{Password: ptr("a long password")}, want: failure.Forbidden},
		{name: "a member promotes themself", caller: mia, target: mia, c: identity.MemberChange{Role: &identity.RoleChange{Admin: ptr(true)}}, want: failure.Forbidden},
		{name: "a member sends their role back unchanged", caller: mia, target: mia, c: identity.MemberChange{Role: &identity.RoleChange{Admin: ptr(false), Disabled: ptr(false)}}},
		{name: "a member sends back no groups", caller: mia, target: mia, c: identity.MemberChange{OtherGroupIDs: &[]string{}}},
		{name: "a member joins a group", caller: mia, target: mia, groups: func(tm *team) []string { return []string{tm.beta.ID} }, want: failure.Forbidden},
		{name: "an admin puts a member in groups", caller: admin, target: mia, groups: func(tm *team) []string { return []string{tm.beta.ID, tm.alpha.ID} }},
		{name: "a member renames themself and takes a seat", caller: mia, target: mia, c: identity.MemberChange{FirstName: ptr("Mia"), Seats: []identity.SeatChange{{Type: "team", Held: true}}}, want: failure.Forbidden},
		{name: "an admin makes a member an operator", caller: admin, target: mia, c: identity.MemberChange{Role: &identity.RoleChange{Operator: ptr(true)}}},
		{name: "a weak password", caller: mia, target: mia, c: identity.MemberChange{Password: ptr("short")}, want: failure.Invalid},
		{name: "a name with a control character", caller: mia, target: mia, c: identity.MemberChange{FirstName: ptr("Mia\x01")}, want: failure.Invalid},
		{name: "an unknown license type", caller: admin, target: mia, c: identity.MemberChange{Seats: []identity.SeatChange{{Type: "gold", Held: true}}}, want: failure.Invalid},
		{name: "a license type named twice", caller: admin, target: mia, c: identity.MemberChange{Seats: []identity.SeatChange{{Type: "team", Held: true}, {Type: "team"}}}, want: failure.Invalid},
		{name: "an unknown group", caller: admin, target: mia, c: identity.MemberChange{MainGroupID: ptr(ids.New())}, want: failure.Invalid},
		{name: "a malformed group id", caller: admin, target: mia, c: identity.MemberChange{OtherGroupIDs: &[]string{"x"}}, want: failure.Invalid},
		{name: "too many groups", caller: admin, target: mia, c: identity.MemberChange{OtherGroupIDs: ptr(make([]string, identity.MaxGroupsPerMember+1))}, want: failure.Invalid},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tm := newTeam(t)
			users := map[who]identity.User{admin: tm.admin, mia: tm.mia, bob: tm.bob}
			caller, target := users[tc.caller], users[tc.target]
			if tc.groups != nil {
				tc.c.OtherGroupIDs = ptr(tc.groups(tm))
			}
			if tc.want != "" {
				tm.refused(caller, target, tc.c, tc.want)
				return
			}
			v := tm.changeOK(caller, target, tc.c)
			if v.ID != target.ID || v.CallerIsAdmin != (tc.caller == admin) {
				t.Errorf("view of %s, callerIsAdmin %v", v.ID, v.CallerIsAdmin)
			}
			if tc.c.FirstName != nil && v.FirstName != *tc.c.FirstName {
				t.Errorf("first name %q, want %q", v.FirstName, *tc.c.FirstName)
			}
		})
	}
}

func TestChangeMemberNonMembers(t *testing.T) {
	tm := newTeam(t)
	stranger := tm.account("stranger@example.com")
	tm.refused(tm.admin, stranger, identity.MemberChange{}, failure.NotFound)
	tm.refused(tm.admin, identity.User{ID: "not-an-id"}, identity.MemberChange{}, failure.NotFound)
	_, err := tm.change(stranger, stranger, identity.MemberChange{})
	tm.fails(err, failure.NotFound, "a stranger's request (the organization is not revealed)")
}

// TestChangeMemberSystemAdminNames: a system admin who is an admin of
// the organization may change a member's names.
func TestChangeMemberSystemAdminNames(t *testing.T) {
	tm := newTeam(t)
	_, err := tm.svc.AddMember(tm.ctx, tm.in(tm.admin.ID, tm.o.Key), identity.NewMember{Email: tm.root.Email, Admin: true})
	tm.ok(err, "invite the system admin")
	tm.ok(tm.svc.AcceptInvitation(tm.ctx, tm.root.ID, tm.o.Key, ""), "accept")
	v := tm.changeOK(tm.root, tm.mia, identity.MemberChange{LastName: ptr("Miller")})
	if v.LastName != "Miller" || v.Preferences != nil {
		t.Errorf("the renamed member: %+v", v.User)
	}
}

// TestChangeMemberPassword: a new password ends every other session of
// the user; the caller's stays.
func TestChangeMemberPassword(t *testing.T) {
	tm := newTeam(t)
	for _, token := range []string{"mine", "other", "api"} {
		tm.ok(tm.store.PutSession(tm.ctx, identity.Session{TokenHash: secret.TokenHash(token), UserID: tm.mia.ID, Created: tm.now, Expires: tm.now.Add(time.Hour)}), "put session")
	}
	tm.changeOK(tm.mia, tm.mia, identity.MemberChange{Password: ptr("a new long password"), SessionToken: "mine"})
	if _, err := tm.svc.Authenticate(tm.ctx, "mine"); err != nil {
		t.Errorf("the caller's session ended: %v", err)
	}
	for _, gone := range []string{"other", "api"} {
		if _, err := tm.svc.Authenticate(tm.ctx, gone); !failure.Is(err, failure.Unauthenticated) {
			t.Errorf("session %q after the password change: %v", gone, err)
		}
	}
	u, _ := tm.store.GetUser(tm.ctx, tm.mia.ID)
	if ok, _ := password.Verify(u.PasswordHash, "a new long password"); !ok {
		t.Error("the new password does not verify")
	}
}

// TestChangeMemberLastAdmin: the last enabled admin cannot be demoted or
// disabled (Conflict), and nothing changes.
func TestChangeMemberLastAdmin(t *testing.T) {
	for _, c := range []identity.RoleChange{{Admin: ptr(false)}, {Disabled: ptr(true)}} {
		tm := newTeam(t)
		tm.refused(tm.admin, tm.admin, identity.MemberChange{Role: &c}, failure.Conflict)
		v := tm.changeOK(tm.admin, tm.mia, identity.MemberChange{Role: &identity.RoleChange{Admin: ptr(true)}})
		if v.Membership.Role != identity.RoleAdmin {
			t.Fatalf("the promoted member: %+v", v.Membership)
		}
		if admins := tm.orgNow(tm.o).AdminIDs; len(admins) != 2 {
			t.Fatalf("admins after the promotion: %v", admins)
		}
		tm.changeOK(tm.admin, tm.admin, identity.MemberChange{Role: &c})
		tm.refused(tm.mia, tm.mia, identity.MemberChange{Role: &c}, failure.Conflict)
	}
}

// TestChangeMemberMainGroup: the main group and the others.
func TestChangeMemberMainGroup(t *testing.T) {
	tm := newTeam(t)
	a, b, g := tm.alpha.ID, tm.beta.ID, tm.gam.ID
	for _, step := range []struct {
		name string
		c    identity.MemberChange
		want string
	}{
		{"a main group", identity.MemberChange{MainGroupID: &b}, "beta + []"},
		{"other groups beside it", identity.MemberChange{OtherGroupIDs: &[]string{g, a}}, "beta + [alpha gamma]"},
		{"another main: the old one is left", identity.MemberChange{MainGroupID: &g}, "gamma + [alpha]"},
		{"the main named among the others stays main", identity.MemberChange{OtherGroupIDs: &[]string{g, b}}, "gamma + [beta]"},
		{"main and others together: the main is not one of the others", identity.MemberChange{MainGroupID: &a, OtherGroupIDs: &[]string{b, a}}, "alpha + [beta]"},
		{"the old main kept among the others", identity.MemberChange{MainGroupID: &g, OtherGroupIDs: &[]string{a, b}}, "gamma + [alpha beta]"},
		{"no other groups", identity.MemberChange{OtherGroupIDs: &[]string{}}, "gamma + []"},
		{"sent back as read: no change", identity.MemberChange{MainGroupID: &g, OtherGroupIDs: &[]string{}}, "gamma + []"},
	} {
		v := tm.changeOK(tm.admin, tm.mia, step.c)
		if got := groupNames(v); got != step.want {
			t.Fatalf("%s: %s, want %s", step.name, got, step.want)
		}
		read := tm.changeOK(tm.mia, tm.mia, identity.MemberChange{})
		if got := groupNames(read); got != step.want {
			t.Fatalf("%s, read back: %s, want %s", step.name, got, step.want)
		}
		for _, grp := range []identity.Group{tm.alpha, tm.beta, tm.gam} {
			stored, _ := tm.store.GetGroup(tm.ctx, tm.o.ID, grp.ID)
			in := strings.Contains(step.want, grp.Name)
			if has := len(stored.UserIDs) == 1 && stored.UserIDs[0] == tm.mia.ID; has != in {
				t.Fatalf("%s: group %s lists %v (member: %v)", step.name, grp.Name, stored.UserIDs, in)
			}
		}
	}
}

// TestChangeMemberDefaultMainGroup: without a stored main group (or when
// the member left it) the main is the member's group whose name sorts
// first.
func TestChangeMemberDefaultMainGroup(t *testing.T) {
	tm := newTeam(t)
	for _, g := range []identity.Group{tm.gam, tm.beta} {
		_, err := tm.svc.UpdateGroup(tm.ctx, tm.in(tm.admin.ID, tm.o.Key), g.ID, identity.GroupChanges{UserIDs: &[]string{tm.bob.ID}})
		tm.ok(err, "add bob to "+g.Name)
	}
	if got := groupNames(tm.changeOK(tm.bob, tm.bob, identity.MemberChange{})); got != "beta + [gamma]" {
		t.Fatalf("groups without a main: %s", got)
	}
	tm.changeOK(tm.admin, tm.bob, identity.MemberChange{MainGroupID: &tm.gam.ID, OtherGroupIDs: &[]string{tm.beta.ID}})
	_, err := tm.svc.UpdateGroup(tm.ctx, tm.in(tm.admin.ID, tm.o.Key), tm.gam.ID, identity.GroupChanges{UserIDs: &[]string{}})
	tm.ok(err, "take bob out of his main group")
	if got := groupNames(tm.changeOK(tm.bob, tm.bob, identity.MemberChange{})); got != "beta + []" {
		t.Fatalf("groups after leaving the main one: %s", got)
	}
}

func TestChangeMemberGroupLimits(t *testing.T) {
	tm := newTeam(t)
	var many []string
	for i := range identity.MaxGroupsPerMember * 2 {
		g, err := tm.svc.CreateGroup(tm.ctx, tm.in(tm.admin.ID, tm.o.Key), identity.GroupChanges{Name: ptr(fmt.Sprintf("g%03d", i))})
		tm.ok(err, "create group")
		many = append(many, g.ID)
	}
	first, second := many[:identity.MaxGroupsPerMember], many[identity.MaxGroupsPerMember:]
	tm.refused(tm.admin, tm.mia, identity.MemberChange{MainGroupID: &tm.alpha.ID, OtherGroupIDs: &first}, failure.Invalid)
	tm.changeOK(tm.admin, tm.mia, identity.MemberChange{OtherGroupIDs: &first})
	// 50 groups left and 50 joined: more than MaxGroupChanges at once.
	tm.refused(tm.admin, tm.mia, identity.MemberChange{MainGroupID: &second[0], OtherGroupIDs: ptr(second[1:])}, failure.Invalid)

	// A full group takes nobody more.
	full := tm.gam
	var members []string
	for i := range identity.MaxGroupMembers {
		members = append(members, tm.member(tm.o, tm.admin, fmt.Sprintf("m%02d@example.com", i)).ID)
	}
	_, err := tm.svc.UpdateGroup(tm.ctx, tm.in(tm.admin.ID, tm.o.Key), full.ID, identity.GroupChanges{UserIDs: &members})
	tm.ok(err, "fill a group")
	tm.refused(tm.admin, tm.bob, identity.MemberChange{MainGroupID: &full.ID}, failure.Conflict)
}

// TestChangeMemberSeats: seats are released before taken, a member holds
// one at a time, and a type without a free (unexpired) seat is refused.
func TestChangeMemberSeats(t *testing.T) {
	tm := newTeam(t)
	take := func(typ string) []identity.SeatChange { return []identity.SeatChange{{Type: typ, Held: true}} }
	v := tm.changeOK(tm.admin, tm.mia, identity.MemberChange{Seats: take("team")})
	if got := seatsOf(v); got != "free 0/1 held=false, team 1/1 held=true" {
		t.Fatalf("seats after taking one: %s", got)
	}
	tm.refused(tm.admin, tm.bob, identity.MemberChange{Seats: take("team")}, failure.Conflict) // no free seat
	tm.refused(tm.admin, tm.mia, identity.MemberChange{Seats: take("free")}, failure.Conflict) // holds another type

	before := tm.store.Writes()
	v = tm.changeOK(tm.admin, tm.mia, identity.MemberChange{Seats: take("team")})
	if tm.store.Writes() != before || seatsOf(v) != "free 0/1 held=false, team 1/1 held=true" {
		t.Fatalf("taking the seat held wrote or changed: %s", seatsOf(v))
	}
	v = tm.changeOK(tm.admin, tm.mia, identity.MemberChange{Seats: []identity.SeatChange{{Type: "free", Held: true}, {Type: "team"}}})
	if got := seatsOf(v); got != "free 1/1 held=true, team 0/1 held=false" {
		t.Fatalf("seats after moving in one change: %s", got)
	}
	if tm.store.Writes() != before+1 {
		t.Fatalf("the move wrote %d times, want once", tm.store.Writes()-before)
	}
	v = tm.changeOK(tm.admin, tm.bob, identity.MemberChange{Seats: []identity.SeatChange{{Type: "free"}, {Type: "team", Held: true}}})
	if got := seatsOf(v); got != "free 1/1 held=false, team 1/1 held=true" {
		t.Fatalf("bob's seats: %s", got)
	}
	ls, _ := tm.svc.Licenses(tm.ctx, tm.in(tm.admin.ID, tm.o.Key))
	holders := map[string]string{}
	for _, l := range ls {
		holders[l.Type] = l.UserID
	}
	if holders["free"] != tm.mia.ID || holders["team"] != tm.bob.ID {
		t.Fatalf("license holders %v", holders)
	}

	tm.changeOK(tm.admin, tm.mia, identity.MemberChange{Seats: []identity.SeatChange{{Type: "free"}}})
	tm.now = tm.now.Add(identity.LicenseValidity)
	tm.refused(tm.admin, tm.mia, identity.MemberChange{Seats: take("free")}, failure.Conflict) // expired
	if got := seatsOf(tm.changeOK(tm.mia, tm.mia, identity.MemberChange{})); got != "" {
		t.Fatalf("expired seats are shown: %s", got)
	}
}

// TestChangeMemberWhole: one change of role, groups, names and a seat is
// written at once, and the answer shows it.
func TestChangeMemberWhole(t *testing.T) {
	tm := newTeam(t)
	before := tm.store.Writes()
	v := tm.changeOK(tm.admin, tm.admin, identity.MemberChange{
		FirstName: ptr("Ada"), Role: &identity.RoleChange{Operator: ptr(true)},
		MainGroupID: &tm.beta.ID, OtherGroupIDs: &[]string{tm.alpha.ID},
		Seats: []identity.SeatChange{{Type: "team", Held: true}},
	})
	if tm.store.Writes() != before+1 {
		t.Fatalf("the change wrote %d times, want once", tm.store.Writes()-before)
	}
	if v.FirstName != "Ada" || !v.Membership.Operator || groupNames(v) != "beta + [alpha]" || seatsOf(v) != "free 0/1 held=false, team 1/1 held=true" {
		t.Fatalf("the view: %s %v %s %s", v.FirstName, v.Membership.Operator, groupNames(v), seatsOf(v))
	}
}
