package identitytest

import (
	"sync"
	"time"

	"github.com/effektif-serverless/caseflow/shared/failure"
	"github.com/effektif-serverless/caseflow/shared/identity"
	"github.com/effektif-serverless/caseflow/shared/ids"
)

func invitations(c *check) {
	o, _ := c.org()
	o2, _ := c.org()
	email := c.email()
	inv, reg := c.invitation(o, email)
	got, err := c.s.GetInvitation(c.ctx, o.ID, lower(email))
	c.ok(err, "the invitation (address case aside)")
	c.equal(got, inv, "the invitation read back")
	r, err := c.s.GetRegistration(c.ctx, reg.CodeHash)
	c.ok(err, "the invitation's registration")
	c.equal(r, reg, "the invitation's registration")

	again := inv
	again.CodeHash = "i" + ids.New()
	againReg := reg
	againReg.CodeHash = again.CodeHash
	err = c.s.CreateInvitation(c.ctx, again, againReg)
	c.fails(err, failure.Invalid, false, "a second invitation of one address")
	c.equal(failure.As(err).Field, identity.FieldEmail, "the field of a second invitation")
	_, err = c.s.GetRegistration(c.ctx, againReg.CodeHash)
	c.fails(err, failure.NotFound, false, "the refused invitation's registration")

	inv2, _ := c.invitation(o2, email)
	other, _ := c.invitation(o, c.email())
	list, err := c.s.Invitations(c.ctx, o.ID, 10)
	c.ok(err, "list invitations")
	c.equal(len(list), 2, "the organization's invitations")
	if identity.NormalizeEmail(list[0].Email) > identity.NormalizeEmail(list[1].Email) {
		c.Fatalf("invitations not in address order: %s, %s", list[0].Email, list[1].Email)
	}
	list, _ = c.s.Invitations(c.ctx, o.ID, 1)
	c.equal(len(list), 1, "invitations listed with limit 1")
	to, err := c.s.InvitationsTo(c.ctx, identity.NormalizeEmail(email), 10)
	c.ok(err, "invitations to an address")
	want := []string{inv.OrganizationID, inv2.OrganizationID}
	c.equal([]string{to[0].OrganizationID, to[1].OrganizationID}, sortedIDs(want...), "invitations to an address, by organization id")

	sent := inv
	sent.SESMessageID, sent.StatusTime = "m"+ids.New(), c.now
	c.fails(c.s.InvitationSent(c.ctx, sent), failure.Conflict, true, "a send recorded on the stored version")
	sent.Version = 2
	c.ok(c.s.InvitationSent(c.ctx, sent), "a send on the next version")
	got, _ = c.s.GetInvitation(c.ctx, o.ID, email)
	c.equal(got, sent, "the invitation after the send")

	renewed := sent
	renewed.CodeHash, renewed.Version = "i"+ids.New(), 2
	newReg := reg
	newReg.CodeHash = renewed.CodeHash
	c.fails(c.s.RenewInvitation(c.ctx, renewed, reg.CodeHash, newReg), failure.Conflict, true, "a renewal on a stale version")
	_, err = c.s.GetRegistration(c.ctx, newReg.CodeHash)
	c.fails(err, failure.NotFound, false, "the refused renewal's registration")
	renewed.Version = 3
	c.ok(c.s.RenewInvitation(c.ctx, renewed, reg.CodeHash, newReg), "renew")
	_, err = c.s.GetRegistration(c.ctx, reg.CodeHash)
	c.fails(err, failure.NotFound, false, "the replaced registration")
	if _, err := c.s.GetRegistration(c.ctx, newReg.CodeHash); err != nil {
		c.Fatalf("the new registration: %v", err)
	}

	c.ok(c.s.DeleteInvitation(c.ctx, other), "delete an invitation")
	_, err = c.s.GetInvitation(c.ctx, o.ID, other.Email)
	c.fails(err, failure.NotFound, false, "a deleted invitation")
	_, err = c.s.GetRegistration(c.ctx, other.CodeHash)
	c.fails(err, failure.NotFound, false, "a deleted invitation's registration")
	c.ok(c.s.DeleteInvitation(c.ctx, other), "delete a deleted invitation")
}

func invitationStatus(c *check) {
	o, _ := c.org()
	inv, _ := c.invitation(o, c.email())
	first := "m" + ids.New()
	inv.SESMessageID, inv.StatusTime, inv.Version = first, c.now, 2
	c.ok(c.s.InvitationSent(c.ctx, inv), "record the send")
	status := func(id, s string, at time.Time, want bool, what string) {
		c.Helper()
		wrote, err := c.s.RecordInvitationStatus(c.ctx, id, s, "detail "+s, at)
		c.ok(err, "record status (%s)", what)
		if wrote != want {
			c.Fatalf("%s: wrote %v, want %v", what, wrote, want)
		}
	}
	status(first, identity.InvitationDelivered, c.now.Add(time.Second), true, "a delivery after the send")
	got, _ := c.s.GetInvitation(c.ctx, o.ID, inv.Email)
	if got.Status != identity.InvitationDelivered || got.Detail != "detail delivered" || !got.StatusTime.Equal(c.now.Add(time.Second)) || got.Version != 3 {
		c.Fatalf("the invitation after the delivery: %+v", got)
	}
	status(first, identity.InvitationDelivered, c.now.Add(2*time.Second), false, "the same status again")
	status(first, identity.InvitationBounced, c.now.Add(time.Second/2), false, "a notification older than the status")
	status(first, identity.InvitationBounced, c.now.Add(time.Second), false, "a notification as old as the status")
	status(first, identity.InvitationBounced, c.now.Add(3*time.Second), true, "a newer bounce")
	status("m"+ids.New(), identity.InvitationDelivered, c.now.Add(time.Hour), false, "an unknown mail")

	got, _ = c.s.GetInvitation(c.ctx, o.ID, inv.Email)
	second := "m" + ids.New()
	got.SESMessageID, got.Status, got.StatusTime = second, identity.InvitationSent, c.now.Add(4*time.Second)
	got.Version++
	c.ok(c.s.InvitationSent(c.ctx, got), "record a second send")
	status(first, identity.InvitationComplained, c.now.Add(time.Hour), false, "a notification of the earlier mail")
	status(second, identity.InvitationDelivered, c.now.Add(5*time.Second), true, "a notification of the latest mail")
}

func acceptInvitation(c *check) {
	o, admin := c.org()
	u := c.user()
	inv, reg := c.invitation(o, u.Email)
	m := identity.Membership{OrganizationID: o.ID, OrganizationKey: o.Key, UserID: u.ID, Role: identity.RoleMember, Joined: c.now, Username: "Joiner"}

	stale := inv
	stale.CodeHash = "i" + ids.New()
	c.fails(c.s.AcceptInvitation(c.ctx, stale, o, m), failure.NotFound, false, "an invitation replaced since it was read")
	c.noMember(o.ID, u.ID)

	taken := c.user()
	_, tm := c.member(o)
	c.ok(c.s.ClaimUsername(c.ctx, tm, "joiner"), "claim a username")
	c.is(c.s.AcceptInvitation(c.ctx, inv, o, m), identity.ErrUsernameTaken, "a taken username")
	if _, err := c.s.GetInvitation(c.ctx, o.ID, u.Email); err != nil {
		c.Fatalf("the invitation after a refused acceptance: %v", err)
	}
	c.noMember(o.ID, u.ID)

	m.Username = "Joiner_2"
	c.ok(c.s.AcceptInvitation(c.ctx, inv, o, m), "accept")
	c.equal(c.membership(o.ID, u.ID), m, "the new membership")
	owner, err := c.s.UsernameOwner(c.ctx, o.ID, "joiner_2")
	c.ok(err, "the new member's username")
	c.equal(owner, u.ID, "the username's owner")
	_, err = c.s.GetInvitation(c.ctx, o.ID, u.Email)
	c.fails(err, failure.NotFound, false, "the accepted invitation")
	_, err = c.s.GetRegistration(c.ctx, reg.CodeHash)
	c.fails(err, failure.NotFound, false, "the accepted invitation's registration")

	adminUser := c.getUser(admin.UserID)
	own, _ := c.invitation(o, adminUser.Email)
	am := identity.Membership{OrganizationID: o.ID, UserID: admin.UserID, Role: identity.RoleMember, Username: "again"}
	c.fails(c.s.AcceptInvitation(c.ctx, own, o, am), failure.Conflict, false, "an invitation of a member")

	boss, _ := c.invitation(o, taken.Email)
	bm := identity.Membership{OrganizationID: o.ID, UserID: taken.ID, Role: identity.RoleAdmin, Username: "boss"}
	promoted := o
	promoted.AdminIDs = append(promoted.AdminIDs, taken.ID)
	c.fails(c.s.AcceptInvitation(c.ctx, boss, promoted, bm), failure.Conflict, true, "an admin's acceptance on a stale organization")
	c.noMember(o.ID, taken.ID)
	promoted.Version++
	c.ok(c.s.AcceptInvitation(c.ctx, boss, promoted, bm), "an admin's acceptance")
	c.equal(c.getOrg(o.ID), promoted, "the organization with the new admin")
}

func joinByInvitation(c *check) {
	o, admin := c.org()
	u := c.user()
	_, reg := c.invitation(o, u.Email)
	m := identity.Membership{OrganizationID: o.ID, OrganizationKey: o.Key, UserID: u.ID, Role: identity.RoleMember, Joined: c.now}
	s := c.session(u.ID, c.now)
	c.ok(c.s.JoinByInvitation(c.ctx, reg, m, s), "join")
	c.equal(c.membership(o.ID, u.ID), m, "the membership")
	if _, err := c.s.GetSession(c.ctx, s.TokenHash); err != nil {
		c.Fatalf("the join's session: %v", err)
	}
	_, err := c.s.GetInvitation(c.ctx, o.ID, u.Email)
	c.fails(err, failure.NotFound, false, "the invitation after the join")
	c.is(c.s.JoinByInvitation(c.ctx, reg, m, c.session(u.ID, c.now)), identity.ErrRegistrationUsed, "the registration again")

	adminUser := c.getUser(admin.UserID)
	_, own := c.invitation(o, adminUser.Email)
	plain := identity.Membership{OrganizationID: o.ID, UserID: admin.UserID, Role: identity.RoleMember}
	c.ok(c.s.JoinByInvitation(c.ctx, own, plain, c.session(admin.UserID, c.now)), "a member's join")
	c.equal(c.membership(o.ID, admin.UserID), admin, "the member's membership, kept as it was")
	_, err = c.s.GetRegistration(c.ctx, own.CodeHash)
	c.fails(err, failure.NotFound, false, "the member's registration after the join")
}

func licenses(c *check) {
	o, _ := c.org()
	ls := c.licenses(o, "team", 2)
	got, err := c.s.Licenses(c.ctx, o.ID, 10)
	c.ok(err, "list licenses")
	c.equal([]string{got[0].ID, got[1].ID}, sortedIDs(ls[0].ID, ls[1].ID), "the licenses, by id")
	c.equal(c.license(o, ls[0].ID), ls[0], "a license read back")
	_, err = c.s.GetLicense(c.ctx, o.ID, ids.New())
	c.fails(err, failure.NotFound, false, "an unknown license")
	order := identity.PurchaseOrder{ID: ids.New(), OrganizationID: o.ID}
	c.fails(c.s.CreateLicenses(c.ctx, order, ls[:1]), failure.Internal, false, "a license stored twice")

	u, _ := c.member(o)
	v, _ := c.member(o)
	l0 := ls[0]
	l0.UserID = u.ID
	c.fails(c.s.AssignLicense(c.ctx, l0, ""), failure.Conflict, true, "an assignment on the stored version")
	l0.Version = 2
	c.ok(c.s.AssignLicense(c.ctx, l0, ""), "assign")
	c.equal(c.license(o, l0.ID), l0, "the assigned license")
	l1 := ls[1]
	l1.UserID, l1.Version = u.ID, 2
	err = c.s.AssignLicense(c.ctx, l1, "")
	c.fails(err, failure.Conflict, false, "a second license of one member")
	c.equal(failure.As(err).Field, "userId", "the field of a second license")
	c.equal(c.license(o, l1.ID).UserID, "", "the refused license's holder")

	held, err := c.s.LicensesOfMembers(c.ctx, []identity.Membership{
		{OrganizationID: o.ID, UserID: u.ID}, {OrganizationID: o.ID, UserID: v.ID}, {OrganizationID: o.ID, UserID: u.ID},
		{OrganizationID: ids.New(), UserID: u.ID}, {OrganizationID: o.ID}, {}})
	c.ok(err, "licenses of members")
	c.equal(held, []identity.License{l0}, "the one license the members hold")
	held, err = c.s.LicensesOfMembers(c.ctx, nil)
	c.ok(err, "licenses of no members")
	c.equal(len(held), 0, "licenses of no members")

	l0.UserID, l0.Version = v.ID, 3
	c.ok(c.s.AssignLicense(c.ctx, l0, u.ID), "move the license")
	held, err = c.s.LicensesOfMembers(c.ctx, []identity.Membership{{OrganizationID: o.ID, UserID: u.ID}, {OrganizationID: o.ID, UserID: v.ID}})
	c.ok(err, "licenses of members after a move")
	c.equal(held, []identity.License{l0}, "the moved license, held by its new holder only")
	c.ok(c.s.AssignLicense(c.ctx, l1, ""), "a license for the member whose license moved")
	l0.UserID, l0.Version = "", 4
	c.ok(c.s.AssignLicense(c.ctx, l0, v.ID), "take the license back")
	l0.UserID, l0.Version = v.ID, 5
	c.ok(c.s.AssignLicense(c.ctx, l0, ""), "assign it again")
}

// memberSetup is an organization with a member, two groups (the member in
// the second) and unassigned licenses of two types.
type memberSetup struct {
	o      identity.Organization
	admin  identity.Membership
	u      identity.User
	m      identity.Membership
	g1, g2 identity.Group
	free   []identity.License
	team   []identity.License
}

func (c *check) memberSetup() memberSetup {
	c.Helper()
	var x memberSetup
	x.o, x.admin = c.org()
	x.u, _ = c.member(x.o)
	x.g1 = c.group(x.o, "first")
	x.g2 = c.group(x.o, "second", x.u.ID)
	x.m = c.membership(x.o.ID, x.u.ID)
	x.free, x.team = c.licenses(x.o, "free", 2), c.licenses(x.o, "team", 1)
	return x
}

func changeMember(c *check) {
	x := c.memberSetup()
	m := x.m
	m.Role, m.MainGroupID, m.GroupIDs = identity.RoleAdmin, x.g1.ID, []string{x.g1.ID, x.g2.ID}
	org := x.o
	org.AdminIDs, org.Version = append(org.AdminIDs, x.u.ID), 2
	user := x.u
	user.FirstName, user.Version = "Renamed", 2
	taken := x.free[0]
	taken.UserID, taken.Version = x.u.ID, 2
	c.ok(c.s.ChangeMember(c.ctx, identity.MemberWrite{
		Organization: org, AdminsChanged: true, Membership: m, RoleChanged: true, MainGroupChanged: true,
		GroupsChanged: true, PreviousGroupIDs: x.m.GroupIDs, AddedGroups: []string{x.g1.ID},
		User: &user, Taken: &taken,
	}), "change role, groups, names and a seat together")
	c.equal(c.membership(x.o.ID, x.u.ID), m, "the changed membership")
	g1 := c.getGroup(x.o, x.g1.ID)
	c.equal(g1.UserIDs, []string{x.u.ID}, "the added group's members")
	c.equal(g1.Version, x.g1.Version+1, "the added group's version")
	c.equal(c.getOrg(x.o.ID), org, "the organization")
	c.equal(c.getUser(x.u.ID), user, "the user")
	c.equal(c.license(x.o, taken.ID), taken, "the taken license")
	other := x.free[1]
	other.UserID, other.Version = x.u.ID, 2
	c.fails(c.s.AssignLicense(c.ctx, other, ""), failure.Conflict, false, "a license for the member who took a seat")

	// Release the seat and take one of another type, and leave the
	// second group.
	released, next := taken, x.team[0]
	released.UserID, released.Version = "", 3
	next.UserID, next.Version = x.u.ID, 2
	m2 := m
	m2.GroupIDs = []string{x.g1.ID}
	c.ok(c.s.ChangeMember(c.ctx, identity.MemberWrite{
		Organization: org, Membership: m2, GroupsChanged: true, PreviousGroupIDs: m.GroupIDs,
		RemovedGroups: []string{x.g2.ID}, Released: &released, Taken: &next,
	}), "release one seat, take another and leave a group")
	c.equal(c.membership(x.o.ID, x.u.ID).GroupIDs, []string{x.g1.ID}, "the groups after leaving one")
	g2 := c.getGroup(x.o, x.g2.ID)
	c.equal(len(g2.UserIDs), 0, "the left group's members")
	c.equal(g2.Version, x.g2.Version+1, "the left group's version")
	c.equal(c.license(x.o, released.ID).UserID, "", "the released seat")
	c.ok(c.s.AssignLicense(c.ctx, func() identity.License {
		l := c.license(x.o, released.ID)
		l.UserID, l.Version = x.admin.UserID, l.Version+1
		return l
	}(), ""),
		"the released seat for another member")
	other = c.license(x.o, x.free[1].ID)
	other.UserID, other.Version = x.u.ID, other.Version+1
	c.fails(c.s.AssignLicense(c.ctx, other, ""), failure.Conflict, false, "a license for the member holding the new seat")

	release := next
	release.UserID, release.Version = "", 3
	c.ok(c.s.ChangeMember(c.ctx, identity.MemberWrite{Organization: org, Membership: m2, Released: &release}), "release the last seat")
	c.ok(c.s.AssignLicense(c.ctx, other, ""), "a license for the member without a seat")

	c.ok(c.s.ChangeMember(c.ctx, identity.MemberWrite{Organization: org, Membership: m2}), "a change of nothing")
}

// changeMemberConditions: every condition of ChangeMember fails with a
// retryable Conflict and nothing of the change is written.
func changeMemberConditions(c *check) {
	x := c.memberSetup()
	promoted := x.m
	promoted.Role = identity.RoleAdmin
	user := x.u
	user.FirstName, user.Version = "Never", 2
	take := func(l identity.License) *identity.License {
		l.UserID, l.Version = x.u.ID, l.Version+1
		return &l
	}
	staleTake := *take(x.free[0])
	staleTake.Version = 1
	newOrg := x.o
	newOrg.AdminIDs = append(newOrg.AdminIDs, x.u.ID)
	notHeld := x.free[1]
	notHeld.Version = 2
	for _, tc := range []struct {
		name string
		w    identity.MemberWrite
	}{
		{"groups changed since read", identity.MemberWrite{Membership: promoted, RoleChanged: true, GroupsChanged: true,
			PreviousGroupIDs: nil, AddedGroups: []string{x.g1.ID}}},
		{"an added group that is gone", identity.MemberWrite{Membership: promoted, RoleChanged: true, GroupsChanged: true,
			PreviousGroupIDs: x.m.GroupIDs, AddedGroups: []string{ids.New()}}},
		{"the organization on a stale version", identity.MemberWrite{Organization: newOrg, AdminsChanged: true, Membership: promoted, RoleChanged: true}},
		{"the user on a stale version", identity.MemberWrite{Membership: promoted, RoleChanged: true, User: &identity.User{ID: x.u.ID, Email: x.u.Email, Version: 3}}},
		{"a license on a stale version", identity.MemberWrite{Membership: promoted, RoleChanged: true, Taken: &staleTake}},
		{"a release of a seat not held", identity.MemberWrite{Membership: promoted, RoleChanged: true, Released: &notHeld}},
		{"a membership that is gone", identity.MemberWrite{Membership: identity.Membership{OrganizationID: x.o.ID, UserID: ids.New()}, User: &user}},
	} {
		c.fails(c.s.ChangeMember(c.ctx, tc.w), failure.Conflict, true, "%s", tc.name)
		c.equal(c.membership(x.o.ID, x.u.ID), x.m, "the membership after %s", tc.name)
		c.equal(c.getUser(x.u.ID), x.u, "the user after %s", tc.name)
		c.equal(c.getOrg(x.o.ID), x.o, "the organization after %s", tc.name)
		c.equal(c.license(x.o, x.free[0].ID), x.free[0], "the license after %s", tc.name)
	}

	c.ok(c.s.ChangeMember(c.ctx, identity.MemberWrite{Membership: x.m, Taken: take(x.free[0])}), "take a seat")
	c.fails(c.s.ChangeMember(c.ctx, identity.MemberWrite{Membership: x.m, Taken: take(x.team[0])}), failure.Conflict, true,
		"a second seat without releasing the first")
	c.equal(c.license(x.o, x.team[0].ID).UserID, "", "the refused second seat")
	c.fails(c.s.ChangeMember(c.ctx, identity.MemberWrite{Membership: x.m, Released: &notHeld}), failure.Conflict, true,
		"a release of another seat than the one held")
	c.fails(c.s.ChangeMember(c.ctx, identity.MemberWrite{Membership: x.m, Released: &notHeld, Taken: take(x.team[0])}), failure.Conflict, true,
		"a move from another seat than the one held")
	c.equal(c.license(x.o, x.team[0].ID).UserID, "", "the refused move's seat")
}

// fullGroup: a group of MaxGroupMembers takes no member more.
func fullGroup(c *check) {
	o, _ := c.org()
	members := make([]string, identity.MaxGroupMembers)
	for i := range members {
		u, _ := c.member(o)
		members[i] = u.ID
	}
	g := c.group(o, "full", members...)
	_, m := c.member(o)
	next := m
	next.GroupIDs = []string{g.ID}
	c.fails(c.s.ChangeMember(c.ctx, identity.MemberWrite{Membership: next, GroupsChanged: true, AddedGroups: []string{g.ID}}),
		failure.Conflict, true, "joining a full group")
	c.equal(len(c.getGroup(o, g.ID).UserIDs), identity.MaxGroupMembers, "the full group's members")
	c.equal(len(c.membership(o.ID, m.UserID).GroupIDs), 0, "the refused member's groups")
}

func (c *check) oneTime(kind, userID string) identity.OneTime {
	return identity.OneTime{Kind: kind, CodeHash: "o" + ids.New(), UserID: userID, Data: map[string]string{"redirectTo": "/x"}, Expires: c.now.Add(time.Hour)}
}

func oneTimeTokens(c *check) {
	u := c.user()
	t := c.oneTime(identity.OneTimeHandover, u.ID)
	c.ok(c.s.PutOneTime(c.ctx, t), "put a one-time token")
	got, err := c.s.GetOneTime(c.ctx, t.Kind, t.CodeHash)
	c.ok(err, "get the token")
	c.equal(got, t, "the token read back")
	c.fails(c.s.PutOneTime(c.ctx, t), failure.Internal, false, "a token stored twice")
	_, err = c.s.GetOneTime(c.ctx, identity.OneTimeReset, t.CodeHash)
	c.fails(err, failure.NotFound, false, "the token under another kind")

	slot := identity.NormalizeEmail(u.Email)
	first, second, elsewhere := c.oneTime(identity.OneTimeReset, u.ID), c.oneTime(identity.OneTimeReset, u.ID), c.oneTime(identity.OneTimeReset, u.ID)
	first.Data, second.Data, elsewhere.Data = nil, nil, nil
	c.ok(c.s.ReplaceOneTime(c.ctx, first, slot), "the slot's first token")
	c.ok(c.s.ReplaceOneTime(c.ctx, elsewhere, "another "+ids.New()), "another slot's token")
	c.ok(c.s.ReplaceOneTime(c.ctx, second, slot), "the slot's second token")
	_, err = c.s.GetOneTime(c.ctx, first.Kind, first.CodeHash)
	c.fails(err, failure.NotFound, false, "the replaced token")
	for _, live := range []identity.OneTime{second, elsewhere} {
		got, err := c.s.GetOneTime(c.ctx, live.Kind, live.CodeHash)
		c.ok(err, "a live token")
		c.equal(got, live, "a live token")
	}
	c.fails(c.s.ReplaceOneTime(c.ctx, second, slot), failure.Internal, false, "a token stored twice through its slot")
}

func takeOneTime(c *check) {
	u := c.user()
	t := c.oneTime(identity.OneTimeHandover, u.ID)
	c.ok(c.s.PutOneTime(c.ctx, t), "put")
	c.ok(c.s.TakeOneTime(c.ctx, t, nil, ""), "take")
	c.fails(c.s.TakeOneTime(c.ctx, t, nil, ""), failure.Conflict, true, "take twice")

	reset := c.oneTime(identity.OneTimeReset, u.ID)
	c.ok(c.s.PutOneTime(c.ctx, reset), "put")
	changed := u
	changed.PasswordHash = "$argon2id$new"
	c.fails(c.s.TakeOneTime(c.ctx, reset, &changed, ""), failure.Conflict, true, "take with the user on the stored version")
	if _, err := c.s.GetOneTime(c.ctx, reset.Kind, reset.CodeHash); err != nil {
		c.Fatalf("the token after a refused take: %v", err)
	}
	changed.Version = 2
	c.ok(c.s.TakeOneTime(c.ctx, reset, &changed, ""), "take with the user")
	c.equal(c.getUser(u.ID), changed, "the user changed with the take")

	other := c.user()
	move := c.oneTime(identity.OneTimeEmail, u.ID)
	c.ok(c.s.PutOneTime(c.ctx, move), "put")
	to := changed
	to.Email, to.Version = lower(other.Email), 3
	c.is(c.s.TakeOneTime(c.ctx, move, &to, changed.Email), identity.ErrEmailTaken, "an address change to a taken address")
	c.equal(c.getUser(u.ID), changed, "the user after the refused change")
	to.Email = c.email()
	c.ok(c.s.TakeOneTime(c.ctx, move, &to, changed.Email), "an address change")
	_, err := c.s.UserIDByEmail(c.ctx, identity.NormalizeEmail(changed.Email))
	c.fails(err, failure.NotFound, false, "the old address")
	id, err := c.s.UserIDByEmail(c.ctx, identity.NormalizeEmail(to.Email))
	c.ok(err, "the new address")
	c.equal(id, u.ID, "the new address's user")
}

func reserve(c *check) {
	name := "TEST#" + ids.New()
	window := 15 * time.Minute
	until := c.now.Truncate(window).Add(window)
	for i := 1; i <= 3; i++ {
		th, ok, err := c.s.Reserve(c.ctx, name, 3, window, c.now)
		c.ok(err, "reserve")
		if !ok || th.Count != i || !th.Until.Equal(until) {
			c.Fatalf("use %d: %+v, %v; want counted %d until %s", i, th, ok, i, until)
		}
	}
	th, ok, err := c.s.Reserve(c.ctx, name, 3, window, c.now.Add(time.Second))
	c.ok(err, "reserve")
	if ok || th.Count != 3 || !th.Until.Equal(until) {
		c.Fatalf("a use beyond the limit: %+v, %v", th, ok)
	}
	c.ok(c.s.Release(c.ctx, name, th), "release")
	if _, ok, _ := c.s.Reserve(c.ctx, name, 3, window, c.now); !ok {
		c.Fatal("the released use was not given back")
	}
	if _, ok, _ := c.s.Reserve(c.ctx, name, 3, window, c.now); ok {
		c.Fatal("a use beyond the limit after the release")
	}
	th, ok, err = c.s.Reserve(c.ctx, name, 3, window, until)
	c.ok(err, "reserve in the next window")
	if !ok || th.Count != 1 || !th.Until.Equal(until.Add(window)) {
		c.Fatalf("the next window: %+v, %v", th, ok)
	}
	c.ok(c.s.ClearReservations(c.ctx, name, window, c.now), "clear")
	if th, ok, _ := c.s.Reserve(c.ctx, name, 3, window, c.now); !ok || th.Count != 1 {
		c.Fatalf("after the clear: %+v, %v", th, ok)
	}
	c.ok(c.s.Release(c.ctx, "TEST#"+ids.New(), identity.Throttle{Until: until}), "release what was never counted")
}

func reserveConcurrently(c *check) {
	name := "TEST#" + ids.New()
	const callers, limit = 12, 4
	var wg sync.WaitGroup
	var mu sync.Mutex
	counted := 0
	for range callers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, ok, err := c.s.Reserve(c.ctx, name, limit, time.Hour, c.now)
			if err != nil {
				c.Error(err)
			}
			mu.Lock()
			defer mu.Unlock()
			if ok {
				counted++
			}
		}()
	}
	wg.Wait()
	c.equal(counted, limit, "uses counted by concurrent callers")
}

func numbers(c *check) {
	kind, other := identity.NumberKind("k"+ids.New()), identity.NumberKind("k"+ids.New())
	for want := int64(1); want <= 2; want++ {
		n, err := c.s.NextNumber(c.ctx, kind)
		c.ok(err, "next number")
		c.equal(n, want, "the counter")
	}
	if n, _ := c.s.NextNumber(c.ctx, other); n != 1 {
		c.Fatalf("another kind's counter: %d", n)
	}
	a, b := ids.New(), ids.New()
	c.ok(c.s.ClaimNumber(c.ctx, kind, a, 1), "claim")
	have, err := c.s.Numbers(c.ctx, kind, []string{a, b, a})
	c.ok(err, "numbers")
	c.equal(have, map[string]int32{a: 1}, "the numbers")
	id, err := c.s.NumberedID(c.ctx, kind, 1)
	c.ok(err, "numbered id")
	c.equal(id, a, "the id of a number")
	c.fails(c.s.ClaimNumber(c.ctx, kind, a, 2), failure.Conflict, true, "a second number of one id")
	_, err = c.s.NumberedID(c.ctx, kind, 2)
	c.fails(err, failure.NotFound, false, "the refused number")
	c.fails(c.s.ClaimNumber(c.ctx, kind, b, 1), failure.Conflict, true, "a taken number")
	if have, _ := c.s.Numbers(c.ctx, kind, []string{b}); len(have) != 0 {
		c.Fatalf("the refused id has a number: %v", have)
	}
	c.ok(c.s.ClaimNumber(c.ctx, other, a, 1), "the same id and number of another kind")
}

func claimNumberConcurrently(c *check) {
	kind, id := identity.NumberKind("k"+ids.New()), ids.New()
	const callers = 8
	var wg sync.WaitGroup
	errs := make([]error, callers)
	for i := range callers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = c.s.ClaimNumber(c.ctx, kind, id, int32(i+1))
		}()
	}
	wg.Wait()
	won := 0
	for i, err := range errs {
		switch {
		case err == nil:
			won++
			if got, _ := c.s.NumberedID(c.ctx, kind, int32(i+1)); got != id {
				c.Fatalf("the winning number names %q", got)
			}
		case !failure.Is(err, failure.Conflict) || !failure.As(err).Retry:
			c.Fatalf("a losing claim: %v", err)
		}
	}
	c.equal(won, 1, "claims that won")
}

// expiredItems: the store does not check expiry; an expired item reads
// back until DynamoDB's TTL deletes it (the core checks every expiry).
func expiredItems(c *check) {
	past := c.now.Add(-48 * time.Hour)
	o, _ := c.org()
	u := c.user()
	reg := c.registration()
	reg.Expires = past
	c.ok(c.s.PutRegistration(c.ctx, reg), "an expired registration")
	sess := c.session(u.ID, past.Add(-time.Hour))
	sess.Expires = past
	c.ok(c.s.PutSession(c.ctx, sess), "an expired session")
	token := c.session(u.ID, past.Add(-time.Hour))
	token.Expires, token.Kind = past, identity.TokenAPI
	c.ok(c.s.PutAPIToken(c.ctx, token), "an expired API token")
	ot := c.oneTime(identity.OneTimeReset, u.ID)
	ot.Expires = past
	c.ok(c.s.PutOneTime(c.ctx, ot), "an expired one-time token")
	inv := identity.Invitation{OrganizationID: o.ID, Email: u.Email, CodeHash: "i" + ids.New(), Created: past.Add(-time.Hour), Expires: past, Version: 1}
	c.ok(c.s.CreateInvitation(c.ctx, inv, identity.Registration{CodeHash: inv.CodeHash, Email: u.Email, Expires: past, InvitedTo: o.ID}), "an expired invitation")

	if _, err := c.s.GetRegistration(c.ctx, reg.CodeHash); err != nil {
		c.Errorf("the expired registration: %v", err)
	}
	if _, err := c.s.GetSession(c.ctx, sess.TokenHash); err != nil {
		c.Errorf("the expired session: %v", err)
	}
	if ts, _ := c.s.APITokens(c.ctx, u.ID, 10); len(ts) != 1 {
		c.Errorf("the expired API token: listed %d", len(ts))
	}
	if _, err := c.s.GetOneTime(c.ctx, ot.Kind, ot.CodeHash); err != nil {
		c.Errorf("the expired one-time token: %v", err)
	}
	if _, err := c.s.GetInvitation(c.ctx, o.ID, u.Email); err != nil {
		c.Errorf("the expired invitation: %v", err)
	}
	if to, _ := c.s.InvitationsTo(c.ctx, identity.NormalizeEmail(u.Email), 10); len(to) != 1 {
		c.Errorf("the expired invitation: listed %d", len(to))
	}
	again := inv
	again.CodeHash = "i" + ids.New()
	c.fails(c.s.CreateInvitation(c.ctx, again, identity.Registration{CodeHash: again.CodeHash, InvitedTo: o.ID}), failure.Invalid, false,
		"a new invitation of an address whose invitation expired (and is not swept yet)")
}
