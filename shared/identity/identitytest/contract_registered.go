package identitytest

import (
	"slices"
	"time"

	"github.com/effektif-serverless/caseflow/shared/failure"
	"github.com/effektif-serverless/caseflow/shared/identity"
	"github.com/effektif-serverless/caseflow/shared/ids"
)

// The contract of registered members (CreateMember) and of groups made
// with a chosen id and their texts.
func init() {
	contractCases = append(contractCases,
		contractCase{"CreateMember: user, address and membership together; a taken address or id writes nothing", createMember},
		contractCase{"Groups with a chosen id: a taken one is ErrGroupIDTaken, nothing written; description and type kept", groupChosenID},
	)
}

func createMember(c *check) {
	o, _ := c.org()
	u := c.newUser()
	u.RegisteredBy = o.ID
	u.ValidFrom, u.ValidUntil = c.now.Add(-time.Hour), c.now.Add(1000*time.Hour+123*time.Millisecond)
	m := identity.Membership{OrganizationID: o.ID, OrganizationKey: o.Key, UserID: u.ID, Role: identity.RoleMember, Joined: c.now, SystemUser: true}
	c.ok(c.s.CreateMember(c.ctx, u, m), "create a member")
	c.equal(c.getUser(u.ID), u, "the registered user read back")
	c.equal(c.membership(o.ID, u.ID), m, "the registered user's membership (its system user mark too)")
	listed, err := c.s.Memberships(c.ctx, o.ID, 10)
	c.ok(err, "list memberships")
	c.equal(slices.ContainsFunc(listed, func(x identity.Membership) bool { return x.UserID == u.ID && x.SystemUser }), true, "the system user mark, listed")
	id, err := c.s.UserIDByEmail(c.ctx, identity.NormalizeEmail(u.Email))
	c.ok(err, "the address's user")
	c.equal(id, u.ID, "the address's user")

	// A taken address (case aside): nothing of the second is written.
	again := c.newUser()
	again.Email = lower(u.Email)
	o2, _ := c.org()
	m2 := identity.Membership{OrganizationID: o2.ID, OrganizationKey: o2.Key, UserID: again.ID, Role: identity.RoleMember, Joined: c.now}
	c.is(c.s.CreateMember(c.ctx, again, m2), identity.ErrEmailTaken, "a member of a taken address")
	_, err = c.s.GetUser(c.ctx, again.ID)
	c.fails(err, failure.NotFound, false, "the user of the refused member")
	members, err := c.s.MembersAmong(c.ctx, o2.ID, []string{again.ID})
	c.ok(err, "members among")
	c.equal(len(members), 0, "the refused member's membership")

	// A taken id: nothing written, the address stays free.
	sameID := c.newUser()
	sameID.ID = u.ID
	m3 := identity.Membership{OrganizationID: o2.ID, OrganizationKey: o2.Key, UserID: u.ID, Role: identity.RoleMember, Joined: c.now}
	c.is(c.s.CreateMember(c.ctx, sameID, m3), identity.ErrUserIDTaken, "a member with a taken id")
	_, err = c.s.UserIDByEmail(c.ctx, identity.NormalizeEmail(sameID.Email))
	c.fails(err, failure.NotFound, false, "the address of the refused member")
	c.noMember(o2.ID, u.ID)
	c.equal(c.getUser(u.ID), u, "the user whose id was asked for again")

	// The window and the mark clear with an update, as every field does.
	u.ValidFrom, u.ValidUntil, u.RegisteredBy, u.Version = time.Time{}, time.Time{}, "", 2
	c.ok(c.s.UpdateUser(c.ctx, u, ""), "clear the window and the mark")
	c.equal(c.getUser(u.ID), u, "the user after the update")
}

func groupChosenID(c *check) {
	o, _ := c.org()
	a, _ := c.member(o)
	g := identity.Group{ID: ids.New(), OrganizationID: o.ID, Name: "Sales", Description: "sellers\nof things", Type: "employees",
		UserIDs: []string{a.ID}, Created: c.now, Version: 1}
	c.ok(c.s.SaveGroup(c.ctx, g, true, g.UserIDs, nil), "create a group with its id")
	c.equal(c.getGroup(o, g.ID), g, "the group read back")

	b, _ := c.member(o)
	taken := identity.Group{ID: g.ID, OrganizationID: o.ID, Name: "Other", UserIDs: []string{b.ID}, Version: 1}
	c.is(c.s.SaveGroup(c.ctx, taken, true, taken.UserIDs, nil), identity.ErrGroupIDTaken, "a new group with a taken id")
	c.equal(c.getGroup(o, g.ID), g, "the group after the refused create")
	c.equal(len(c.membership(o.ID, b.ID).GroupIDs), 0, "the refused group's member's groups")

	// The id is the organization's: another organization may use it.
	o2, _ := c.org()
	elsewhere := identity.Group{ID: g.ID, OrganizationID: o2.ID, Name: "Sales", Version: 1}
	c.ok(c.s.SaveGroup(c.ctx, elsewhere, true, nil, nil), "the same id in another organization")

	g.Description, g.Type, g.Version = "", "", 2
	c.ok(c.s.SaveGroup(c.ctx, g, false, nil, nil), "clear the texts")
	c.equal(c.getGroup(o, g.ID), g, "the group without texts")
}
