package identitytest

import (
	"fmt"
	"time"

	"github.com/effektif-serverless/caseflow/shared/failure"
	"github.com/effektif-serverless/caseflow/shared/identity"
	"github.com/effektif-serverless/caseflow/shared/ids"
)

// The cases of the contract, by group of methods.
var contractCases = []contractCase{
	{"Registrations", registrations},
	{"Activate", activate},
	{"ActivateInvited", activateInvited},
	{"Users", users},
	{"UpdateUser", updateUser},
	{"UsersPage", usersPage},
	{"Sessions", sessions},
	{"APITokens", apiTokens},
	{"Organizations", organizations},
	{"DeleteOrganization", deleteOrganization},
	{"Memberships", memberships},
	{"RemoveMembership", removeMembership},
	{"LeaveGroups", leaveGroups},
	{"UpdateRole", updateRole},
	{"Usernames", usernames},
	{"Groups", groups},
	{"GroupTransactionLimit", groupTransactionLimit},
	{"Invitations", invitations},
	{"InvitationStatus", invitationStatus},
	{"AcceptInvitation", acceptInvitation},
	{"JoinByInvitation", joinByInvitation},
	{"Licenses", licenses},
	{"ChangeMember", changeMember},
	{"ChangeMemberConditions", changeMemberConditions},
	{"FullGroup", fullGroup},
	{"OneTimeTokens", oneTimeTokens},
	{"TakeOneTime", takeOneTime},
	{"Reserve", reserve},
	{"ReserveConcurrently", reserveConcurrently},
	{"Numbers", numbers},
	{"ClaimNumberConcurrently", claimNumberConcurrently},
	{"ExpiredItemsStayUntilTTL", expiredItems},
}

func registrations(c *check) {
	r := c.registration()
	c.ok(c.s.PutRegistration(c.ctx, r), "put registration")
	got, err := c.s.GetRegistration(c.ctx, r.CodeHash)
	c.ok(err, "get registration")
	c.equal(got, r, "the registration read back")
	second := c.registration()
	second.CodeHash = r.CodeHash
	c.fails(c.s.PutRegistration(c.ctx, second), failure.Internal, false, "a second registration of one code hash")
	if got, _ := c.s.GetRegistration(c.ctx, r.CodeHash); got.ID != r.ID {
		c.Fatalf("the first registration was replaced by %s", got.ID)
	}
	_, err = c.s.GetRegistration(c.ctx, "h"+ids.New())
	c.fails(err, failure.NotFound, false, "an unknown registration")
}

// activation is a new registration's activation, with the registration
// stored.
func (c *check) activation() identity.Activation {
	c.Helper()
	r := c.registration()
	c.ok(c.s.PutRegistration(c.ctx, r), "put registration")
	u := identity.User{ID: ids.New(), Email: r.Email, FirstName: r.FirstName, PasswordHash: "$argon2id$x", Created: c.now, Version: 1}
	id := ids.New()
	o := identity.Organization{ID: id, Key: "a" + id, Name: "Org", CreatedBy: u.ID, AdminIDs: []string{u.ID}, Created: c.now, Version: 1}
	return identity.Activation{Registration: r, User: u, Organization: o,
		Membership: identity.Membership{OrganizationID: o.ID, OrganizationKey: o.Key, UserID: u.ID, Role: identity.RoleAdmin, Joined: c.now},
		Session:    c.session(u.ID, c.now)}
}

func activate(c *check) {
	a := c.activation()
	c.ok(c.s.Activate(c.ctx, a), "activate")
	_, err := c.s.GetRegistration(c.ctx, a.Registration.CodeHash)
	c.fails(err, failure.NotFound, false, "the activated registration")
	id, err := c.s.UserIDByEmail(c.ctx, identity.NormalizeEmail(a.User.Email))
	c.ok(err, "the address's user")
	c.equal(id, a.User.ID, "the address's user")
	c.equal(c.getUser(a.User.ID), a.User, "the user")
	org, m, err := c.s.OrganizationAccess(c.ctx, a.Organization.Key, a.User.ID)
	c.ok(err, "the organization")
	c.equal(org, a.Organization, "the organization")
	c.equal(m, &a.Membership, "the admin's membership")
	sess, err := c.s.GetSession(c.ctx, a.Session.TokenHash)
	c.ok(err, "the session")
	c.equal(sess, a.Session, "the session")

	c.is(c.s.Activate(c.ctx, a), identity.ErrRegistrationUsed, "the same registration again")

	sameAddress := c.activation()
	sameAddress.User.Email = lower(a.User.Email)
	c.is(c.s.Activate(c.ctx, sameAddress), identity.ErrEmailTaken, "an address with an account")
	if _, err := c.s.GetRegistration(c.ctx, sameAddress.Registration.CodeHash); err != nil {
		c.Fatalf("a refused activation consumed its registration: %v", err)
	}
	if _, _, err := c.s.OrganizationAccess(c.ctx, sameAddress.Organization.Key, sameAddress.User.ID); !failure.Is(err, failure.NotFound) {
		c.Fatalf("a refused activation wrote its organization key: %v", err)
	}

	sameKey := c.activation()
	sameKey.Organization.Key = a.Organization.Key
	c.is(c.s.Activate(c.ctx, sameKey), identity.ErrOrganizationKeyTaken, "a taken organization key")
	if _, err := c.s.UserIDByEmail(c.ctx, identity.NormalizeEmail(sameKey.User.Email)); !failure.Is(err, failure.NotFound) {
		c.Fatalf("a refused activation claimed its address: %v", err)
	}
	if _, err := c.s.GetUser(c.ctx, sameKey.User.ID); !failure.Is(err, failure.NotFound) {
		c.Fatalf("a refused activation wrote its user: %v", err)
	}
}

func activateInvited(c *check) {
	o, _ := c.org()
	email := c.email()
	_, reg := c.invitation(o, email)
	u := identity.User{ID: ids.New(), Email: email, PasswordHash: "$argon2id$x", Created: c.now, Version: 1}
	m := identity.Membership{OrganizationID: o.ID, OrganizationKey: o.Key, UserID: u.ID, Role: identity.RoleMember, Joined: c.now}
	c.ok(c.s.Activate(c.ctx, identity.Activation{Registration: reg, User: u, Membership: m, Session: c.session(u.ID, c.now)}), "activate an invitation")
	c.equal(c.membership(o.ID, u.ID), m, "the new member's membership")
	c.equal(c.getOrg(o.ID), o, "the organization (not written)")
	_, err := c.s.GetInvitation(c.ctx, o.ID, email)
	c.fails(err, failure.NotFound, false, "the activated invitation")
	_, err = c.s.GetRegistration(c.ctx, reg.CodeHash)
	c.fails(err, failure.NotFound, false, "the invitation's registration")
}

func users(c *check) {
	u := c.user()
	c.equal(c.getUser(u.ID), u, "the user read back")
	again := c.newUser()
	again.Email = lower(u.Email)
	c.is(c.s.CreateUser(c.ctx, again), identity.ErrEmailTaken, "a second user of one address (case aside)")
	_, err := c.s.GetUser(c.ctx, again.ID)
	c.fails(err, failure.NotFound, false, "the refused user")
	_, err = c.s.UserIDByEmail(c.ctx, identity.NormalizeEmail(c.email()))
	c.fails(err, failure.NotFound, false, "an address without an account")

	v := c.user()
	got, err := c.s.GetUsers(c.ctx, []string{u.ID, "", v.ID, u.ID, ids.New()})
	c.ok(err, "get users")
	c.equal(userIDs(got), []string{u.ID, v.ID}, "the users that exist, once each")
	got, err = c.s.GetUsers(c.ctx, nil)
	c.ok(err, "get no users")
	c.equal(len(got), 0, "no ids, no users")
}

func updateUser(c *check) {
	u := c.user()
	u.FirstName = "Ann"
	c.fails(c.s.UpdateUser(c.ctx, u, ""), failure.Conflict, true, "an update on the stored version (not the next)")
	u.Version = 2
	c.ok(c.s.UpdateUser(c.ctx, u, ""), "an update on the next version")
	c.equal(c.getUser(u.ID), u, "the updated user")

	ghost := c.newUser()
	ghost.Version = 2
	c.fails(c.s.UpdateUser(c.ctx, ghost, ""), failure.Conflict, true, "an update of a user that is not there")

	old := u.Email
	u.Email, u.Version = c.email(), 3
	c.ok(c.s.UpdateUser(c.ctx, u, old), "an address change")
	_, err := c.s.UserIDByEmail(c.ctx, identity.NormalizeEmail(old))
	c.fails(err, failure.NotFound, false, "the old address after the change")
	id, err := c.s.UserIDByEmail(c.ctx, identity.NormalizeEmail(u.Email))
	c.ok(err, "the new address")
	c.equal(id, u.ID, "the new address's user")

	other := c.user()
	taken := u
	taken.Email, taken.Version = other.Email, 4
	c.is(c.s.UpdateUser(c.ctx, taken, u.Email), identity.ErrEmailTaken, "a change to a taken address")
	c.equal(c.getUser(u.ID), u, "the user after the refused change")
	id, _ = c.s.UserIDByEmail(c.ctx, identity.NormalizeEmail(u.Email))
	c.equal(id, u.ID, "the address after the refused change")

	stale := u
	stale.Email = c.email()
	c.fails(c.s.UpdateUser(c.ctx, stale, u.Email), failure.Conflict, true, "an address change on a stale version")
	_, err = c.s.UserIDByEmail(c.ctx, identity.NormalizeEmail(stale.Email))
	c.fails(err, failure.NotFound, false, "the address of the refused change")
}

func usersPage(c *check) {
	prefix := "p" + ids.New()
	var us []identity.User
	for _, local := range []string{"-b", "-A", "-c"} {
		u := c.newUser()
		u.Email = prefix + local + "@example.com"
		c.ok(c.s.CreateUser(c.ctx, u), "create user")
		us = append(us, u)
	}
	page, err := c.s.UsersPage(c.ctx, prefix, 2)
	c.ok(err, "the first page")
	c.equal(userIDs(page), []string{us[1].ID, us[0].ID}, "the first page, in address order (case aside)")
	page, err = c.s.UsersPage(c.ctx, page[1].Email, 1)
	c.ok(err, "the next page")
	c.equal(userIDs(page), []string{us[2].ID}, "the page after the last address")
}

func sessions(c *check) {
	u, other := c.user(), c.user()
	a, b := c.session(u.ID, c.now), c.session(u.ID, c.now.Add(time.Millisecond))
	for _, s := range []identity.Session{a, b, c.session(other.ID, c.now)} {
		c.ok(c.s.PutSession(c.ctx, s), "put session")
	}
	got, err := c.s.GetSession(c.ctx, a.TokenHash)
	c.ok(err, "get session")
	c.equal(got, a, "the session read back")
	c.fails(c.s.PutSession(c.ctx, a), failure.Internal, false, "a second session of one token hash")
	token := c.session(u.ID, c.now.Add(2*time.Millisecond))
	token.Kind, token.Label, token.Prefix = identity.TokenAPI, "ci", "abcdefghij"
	c.ok(c.s.PutAPIToken(c.ctx, token), "put API token")

	n, err := c.s.DeleteSessionsOfUser(c.ctx, u.ID, a.TokenHash)
	c.ok(err, "delete the user's sessions")
	c.equal(n, 2, "sessions ended (a login and an API token; the kept one not)")
	for _, gone := range []string{b.TokenHash, token.TokenHash} {
		_, err := c.s.GetSession(c.ctx, gone)
		c.fails(err, failure.NotFound, false, "an ended session")
	}
	if _, err := c.s.GetSession(c.ctx, a.TokenHash); err != nil {
		c.Fatalf("the kept session: %v", err)
	}
	n, err = c.s.DeleteSessionsOfUser(c.ctx, other.ID, "")
	c.ok(err, "delete the other user's sessions")
	c.equal(n, 1, "the other user's sessions")

	c.ok(c.s.DeleteSession(c.ctx, a.TokenHash), "delete session")
	_, err = c.s.GetSession(c.ctx, a.TokenHash)
	c.fails(err, failure.NotFound, false, "a deleted session")
	c.ok(c.s.DeleteSession(c.ctx, a.TokenHash), "delete a deleted session")
}

func apiTokens(c *check) {
	u := c.user()
	var tokens []identity.Session
	for i, ms := range []int{3, 1, 2} {
		t := c.session(u.ID, c.now.Add(time.Duration(ms)*time.Millisecond))
		t.Kind, t.Label, t.Prefix = identity.TokenAPI, fmt.Sprint("token ", i), fmt.Sprintf("prefix%04d", i)
		c.ok(c.s.PutAPIToken(c.ctx, t), "put API token")
		tokens = append(tokens, t)
	}
	c.fails(c.s.PutAPIToken(c.ctx, tokens[0]), failure.Internal, false, "a second API token of one hash")
	c.ok(c.s.PutSession(c.ctx, c.session(u.ID, c.now)), "put a login session")
	got, err := c.s.APITokens(c.ctx, u.ID, 10)
	c.ok(err, "list API tokens")
	c.equal(got, []identity.Session{tokens[1], tokens[2], tokens[0]}, "the API tokens (no logins), oldest first")
	got, err = c.s.APITokens(c.ctx, u.ID, 2)
	c.ok(err, "list API tokens")
	c.equal(len(got), 2, "API tokens listed with limit 2")
	read, err := c.s.GetSession(c.ctx, tokens[0].TokenHash)
	c.ok(err, "an API token read as a session")
	c.equal(read, tokens[0], "the API token read as a session")
}

func organizations(c *check) {
	o, admin := c.org()
	got, m, err := c.s.OrganizationAccess(c.ctx, o.Key, admin.UserID)
	c.ok(err, "organization access")
	c.equal(got, o, "the organization")
	c.equal(m, &admin, "the admin's membership")
	stranger := c.user()
	_, m, err = c.s.OrganizationAccess(c.ctx, o.Key, stranger.ID)
	c.ok(err, "organization access of a stranger")
	if m != nil {
		c.Fatalf("a stranger's membership: %+v", m)
	}
	_, _, err = c.s.OrganizationAccess(c.ctx, "k"+ids.New(), admin.UserID)
	c.fails(err, failure.NotFound, false, "an unknown key")

	dup := o
	dup.ID = ids.New()
	c.is(c.s.CreateOrganization(c.ctx, dup, identity.Membership{OrganizationID: dup.ID, UserID: stranger.ID, Role: identity.RoleAdmin}),
		identity.ErrOrganizationKeyTaken, "a taken key")
	orgs, err := c.s.GetOrganizations(c.ctx, []string{dup.ID, o.ID, "", o.ID, ids.New()})
	c.ok(err, "get organizations")
	c.equal(len(orgs), 1, "organizations read (the refused one is not there)")
	c.noMember(dup.ID, stranger.ID)

	o.Name = "Renamed"
	c.fails(c.s.UpdateOrganization(c.ctx, o), failure.Conflict, true, "an update on the stored version")
	o.Version = 2
	c.ok(c.s.UpdateOrganization(c.ctx, o), "an update on the next version")
	c.equal(c.getOrg(o.ID), o, "the updated organization")
	ghost := o
	ghost.ID = ids.New()
	c.fails(c.s.UpdateOrganization(c.ctx, ghost), failure.Conflict, true, "an update of an organization that is not there")
}

func deleteOrganization(c *check) {
	o, admin := c.org()
	stale := o
	stale.Version = 0
	c.fails(c.s.DeleteOrganization(c.ctx, stale), failure.Conflict, true, "a delete on another version")
	c.ok(c.s.DeleteOrganization(c.ctx, o), "delete on the stored version")
	_, _, err := c.s.OrganizationAccess(c.ctx, o.Key, admin.UserID)
	c.fails(err, failure.NotFound, false, "a deleted organization's key")
	c.fails(c.s.DeleteOrganization(c.ctx, o), failure.Conflict, true, "a deleted organization again")

	next := o
	next.ID = ids.New()
	m := identity.Membership{OrganizationID: next.ID, OrganizationKey: next.Key, UserID: admin.UserID, Role: identity.RoleAdmin}
	c.ok(c.s.CreateOrganization(c.ctx, next, m), "a new organization under the freed key")
	got, _, err := c.s.OrganizationAccess(c.ctx, o.Key, admin.UserID)
	c.ok(err, "the reused key")
	c.equal(got.ID, next.ID, "the organization the reused key names")

	// The memberships outlive the organization until DeleteMemberships.
	_, b := c.member(o)
	c.ok(c.s.DeleteMemberships(c.ctx, o.ID, 1), "delete one membership")
	left, err := c.s.MemberIDs(c.ctx, o.ID, 10)
	c.ok(err, "member ids")
	c.equal(len(left), 1, "memberships left after deleting one")
	c.ok(c.s.DeleteMemberships(c.ctx, o.ID, 10), "delete the rest")
	left, _ = c.s.MemberIDs(c.ctx, o.ID, 10)
	c.equal(len(left), 0, "memberships left")
	c.noMember(o.ID, b.UserID)
	c.equal(c.membership(next.ID, admin.UserID), m, "the membership of the other organization")
}

func memberships(c *check) {
	o, admin := c.org()
	o2, _ := c.org()
	u, m := c.member(o)
	c.fails(c.s.AddMembership(c.ctx, m), failure.Invalid, false, "a second membership of one user")
	v, _ := c.member(o)
	m2 := identity.Membership{OrganizationID: o2.ID, OrganizationKey: o2.Key, UserID: u.ID, Role: identity.RoleMember}
	c.ok(c.s.AddMembership(c.ctx, m2), "a membership in another organization")

	all := sortedIDs(admin.UserID, u.ID, v.ID)
	got, err := c.s.MemberIDs(c.ctx, o.ID, 10)
	c.ok(err, "member ids")
	c.equal(got, all, "member ids")
	got, _ = c.s.MemberIDs(c.ctx, o.ID, 2)
	c.equal(len(got), 2, "member ids with limit 2")
	ms, err := c.s.Memberships(c.ctx, o.ID, 10)
	c.ok(err, "memberships")
	c.equal(len(ms), 3, "memberships")
	among, err := c.s.MembersAmong(c.ctx, o.ID, []string{u.ID, ids.New(), "", u.ID})
	c.ok(err, "members among")
	c.equal(among, map[string]bool{u.ID: true}, "members among")
	ms, err = c.s.MembershipsAmong(c.ctx, o.ID, []string{u.ID, ids.New(), "", u.ID})
	c.ok(err, "memberships among")
	c.equal(ms, []identity.Membership{m}, "memberships among")
	of, err := c.s.MembershipsOfUser(c.ctx, u.ID)
	c.ok(err, "memberships of a user")
	want := []identity.Membership{m, m2}
	if o2.ID < o.ID {
		want = []identity.Membership{m2, m}
	}
	c.equal(of, want, "memberships of a user, by organization id")
	stranger := c.user()
	got2, mm, err := c.s.UserInOrganization(c.ctx, o.ID, stranger.ID)
	c.ok(err, "a stranger in the organization")
	if mm != nil || got2.ID != stranger.ID {
		c.Fatalf("a stranger: %+v, %+v", got2, mm)
	}
	_, _, err = c.s.UserInOrganization(c.ctx, o.ID, ids.New())
	c.fails(err, failure.NotFound, false, "an unknown user in the organization")
}

func leaveGroups(c *check) {
	o, _ := c.org()
	u, _ := c.member(o)
	a := c.group(o, "a", u.ID)
	b := c.group(o, "b", u.ID)
	kept := c.group(o, "kept", u.ID)
	m := c.membership(o.ID, u.ID)
	c.ok(c.s.LeaveGroups(c.ctx, m, []string{a.ID, b.ID}), "leave two groups")
	c.equal(c.membership(o.ID, u.ID).GroupIDs, []string{kept.ID}, "the membership's groups after")
	for _, g := range []identity.Group{a, b} {
		got := c.getGroup(o, g.ID)
		c.equal(len(got.UserIDs), 0, "a left group's members")
		c.equal(got.Version, g.Version+1, "a left group's version")
	}
	c.equal(c.getGroup(o, kept.ID).UserIDs, []string{u.ID}, "the kept group's members")
	c.fails(c.s.LeaveGroups(c.ctx, m, []string{kept.ID, ids.New()}), failure.Conflict, true, "leaving a group that does not exist")
	c.equal(c.membership(o.ID, u.ID).GroupIDs, []string{kept.ID}, "the membership after the refused step")
	stranger, _ := c.member(o)
	sm := c.membership(o.ID, stranger.ID)
	sm.UserID = ids.New()
	c.fails(c.s.LeaveGroups(c.ctx, sm, []string{kept.ID}), failure.Conflict, true, "a membership that does not exist")
	c.ok(c.s.LeaveGroups(c.ctx, m, nil), "leaving no group")
}

func removeMembership(c *check) {
	o, _ := c.org()
	u, m := c.member(o)
	c.ok(c.s.ClaimUsername(c.ctx, m, "leaver"), "claim username")
	g := c.group(o, "team", u.ID)
	m = c.membership(o.ID, u.ID)

	stale := o
	c.fails(c.s.RemoveMembership(c.ctx, stale, m), failure.Conflict, true, "a removal on a stale organization")
	c.equal(c.membership(o.ID, u.ID), m, "the membership after the refused removal")

	o.Version++
	c.ok(c.s.RemoveMembership(c.ctx, o, m), "remove the membership")
	c.noMember(o.ID, u.ID)
	_, err := c.s.UsernameOwner(c.ctx, o.ID, "leaver")
	c.fails(err, failure.NotFound, false, "the removed member's username")
	got := c.getGroup(o, g.ID)
	c.equal(len(got.UserIDs), 0, "the group's members after the removal")
	c.equal(got.Version, g.Version+1, "the group's version after the removal")
	c.equal(c.getOrg(o.ID).Version, o.Version, "the organization's version")

	o.Version++
	c.fails(c.s.RemoveMembership(c.ctx, o, m), failure.Conflict, true, "the removal of a membership that is gone")

	// The seat a removed member holds is released with the membership.
	holder, hm := c.member(o)
	l := c.licenses(o, "team", 1)[0]
	l.UserID, l.Version = holder.ID, 2
	c.ok(c.s.AssignLicense(c.ctx, l, ""), "assign the seat")
	o = c.getOrg(o.ID)
	o.Version++
	c.ok(c.s.RemoveMembership(c.ctx, o, hm), "remove the seat's holder")
	if got := c.license(o, l.ID); got.UserID != "" || got.Version != 3 {
		c.Fatalf("the removed member's seat: %+v", got)
	}
	next, _ := c.member(o)
	l.UserID, l.Version = next.ID, 4
	c.ok(c.s.AssignLicense(c.ctx, l, ""), "the released seat is assignable again")
}

func updateRole(c *check) {
	o, _ := c.org()
	u, m := c.member(o)
	c.ok(c.s.ClaimUsername(c.ctx, m, "roley"), "claim username")
	g := c.group(o, "g", u.ID)
	change := identity.Membership{OrganizationID: o.ID, UserID: u.ID, Role: identity.RoleMember, Operator: true, Disabled: true}
	c.ok(c.s.UpdateRole(c.ctx, o, change, false), "set the flags")
	got := c.membership(o.ID, u.ID)
	if !got.Operator || !got.Disabled || got.Username != "roley" || len(got.GroupIDs) != 1 || got.GroupIDs[0] != g.ID {
		c.Fatalf("the membership after UpdateRole: %+v (its username and groups must stay)", got)
	}

	change.Role, change.Disabled = identity.RoleAdmin, false
	o.AdminIDs = append(o.AdminIDs, u.ID)
	c.fails(c.s.UpdateRole(c.ctx, o, change, true), failure.Conflict, true, "admins stored on a stale version")
	if c.membership(o.ID, u.ID).Role != identity.RoleMember {
		c.Fatal("the role changed although the organization's condition failed")
	}
	o.Version++
	c.ok(c.s.UpdateRole(c.ctx, o, change, true), "promote with the admins")
	c.equal(c.membership(o.ID, u.ID).Role, identity.RoleAdmin, "the role")
	c.equal(c.getOrg(o.ID), o, "the organization with its admins")

	change.UserID = ids.New()
	c.fails(c.s.UpdateRole(c.ctx, o, change, false), failure.NotFound, false, "the role of a non-member")
}

func usernames(c *check) {
	o, _ := c.org()
	o2, _ := c.org()
	u, m := c.member(o)
	c.ok(c.s.ClaimUsername(c.ctx, m, "Mia_1"), "claim a username")
	owner, err := c.s.UsernameOwner(c.ctx, o.ID, "MIA_1")
	c.ok(err, "the username's owner (case aside)")
	c.equal(owner, u.ID, "the username's owner")
	c.equal(c.membership(o.ID, u.ID).Username, "Mia_1", "the membership's username")
	_, err = c.s.UsernameOwner(c.ctx, o2.ID, "mia_1")
	c.fails(err, failure.NotFound, false, "the username in another organization")

	_, other := c.member(o)
	c.is(c.s.ClaimUsername(c.ctx, other, "mia_1"), identity.ErrUsernameTaken, "a taken username")
	if c.membership(o.ID, other.UserID).Username != "" {
		c.Fatal("the refused claim named the membership")
	}
	c.fails(c.s.ClaimUsername(c.ctx, m, "second"), failure.Conflict, true, "a second username of one membership")
	_, err = c.s.UsernameOwner(c.ctx, o.ID, "second")
	c.fails(err, failure.NotFound, false, "the refused second username")
	stranger := identity.Membership{OrganizationID: o.ID, UserID: ids.New()}
	c.fails(c.s.ClaimUsername(c.ctx, stranger, "ghost"), failure.Conflict, true, "a username of no membership")
	_, err = c.s.UsernameOwner(c.ctx, o.ID, "ghost")
	c.fails(err, failure.NotFound, false, "the refused username of no membership")
}

func groups(c *check) {
	o, admin := c.org()
	o2, _ := c.org()
	a, _ := c.member(o)
	b, _ := c.member(o)
	g := c.group(o, "team", a.ID, b.ID)
	c.equal(c.getGroup(o, g.ID), g, "the group read back")
	for _, u := range []string{a.ID, b.ID} {
		c.equal(c.membership(o.ID, u).GroupIDs, []string{g.ID}, "a member's groups")
	}
	c.is(c.s.SaveGroup(c.ctx, g, true, nil, nil), identity.ErrGroupIDTaken, "a new group with a taken id")

	x, _ := c.member(o)
	g.UserIDs, g.Version = []string{b.ID, x.ID}, 2
	c.ok(c.s.SaveGroup(c.ctx, g, false, []string{x.ID}, []string{a.ID}), "change the members")
	c.equal(len(c.membership(o.ID, a.ID).GroupIDs), 0, "the removed member's groups")
	c.equal(c.membership(o.ID, x.ID).GroupIDs, []string{g.ID}, "the added member's groups")
	c.fails(c.s.SaveGroup(c.ctx, g, false, nil, nil), failure.Conflict, true, "a save on a stale version")

	g.Version, g.Name = 3, "renamed"
	stranger := c.user()
	c.fails(c.s.SaveGroup(c.ctx, g, false, []string{stranger.ID}, nil), failure.Conflict, true, "adding a non-member")
	c.equal(c.getGroup(o, g.ID).Name, "team", "the group after the refused save")

	h := c.group(o, "other")
	got, err := c.s.GroupsByID(c.ctx, o.ID, []string{g.ID, ids.New(), h.ID, g.ID})
	c.ok(err, "groups by id")
	c.equal(len(got), 2, "groups by id (known ones, once each)")
	got, err = c.s.GroupsByID(c.ctx, o2.ID, []string{g.ID})
	c.ok(err, "groups by id in another organization")
	c.equal(len(got), 0, "another organization's groups")
	list, err := c.s.Groups(c.ctx, o.ID, 10)
	c.ok(err, "list groups")
	c.equal([]string{list[0].ID, list[1].ID}, sortedIDs(g.ID, h.ID), "the groups, by id")
	list, _ = c.s.Groups(c.ctx, o.ID, 1)
	c.equal(len(list), 1, "groups listed with limit 1")

	stored := c.getGroup(o, g.ID)
	stale := stored
	stale.Version--
	c.fails(c.s.DeleteGroup(c.ctx, stale), failure.Conflict, true, "a delete on another version")
	c.ok(c.s.DeleteGroup(c.ctx, stored), "delete the group")
	_, err = c.s.GetGroup(c.ctx, o.ID, g.ID)
	c.fails(err, failure.NotFound, false, "a deleted group")
	for _, u := range []string{b.ID, x.ID} {
		c.equal(len(c.membership(o.ID, u).GroupIDs), 0, "a member's groups after the delete")
	}
	c.equal(c.membership(o.ID, admin.UserID).Role, identity.RoleAdmin, "the admin")
}

// groupTransactionLimit: a group write is one transaction of the group
// and each member changed, so more than 99 members changed at once is
// refused whole (DynamoDB's 100 items).
func groupTransactionLimit(c *check) {
	o, _ := c.org()
	added := make([]string, 100)
	for i := range added {
		added[i] = ids.New()
	}
	g := identity.Group{ID: ids.New(), OrganizationID: o.ID, Name: "big", UserIDs: added, Version: 1}
	c.fails(c.s.SaveGroup(c.ctx, g, true, added, nil), failure.Internal, false, "a group write of 101 items")
	_, err := c.s.GetGroup(c.ctx, o.ID, g.ID)
	c.fails(err, failure.NotFound, false, "the refused group")
}
