package identitytest

import (
	"github.com/effektif-serverless/caseflow/shared/failure"
	"github.com/effektif-serverless/caseflow/shared/identity"
	"github.com/effektif-serverless/caseflow/shared/ids"
)

// The organizations' ids, name claims and the organization setup.

func init() {
	contractCases = append(contractCases,
		contractCase{"OrganizationNameClaim", organizationNameClaim},
		contractCase{"OrganizationIDTaken", organizationIDTaken},
		contractCase{"RenameOrganization", renameOrganization},
		contractCase{"DeleteOrganizationClaim", deleteOrganizationClaim},
		contractCase{"SetUpOrganization", setUpOrganization},
	)
}

// newOrg is a new organization (not stored) with the claim ("" for none)
// and its admin's membership, the admin a new user.
func (c *check) newOrg(claim string) (identity.Organization, identity.Membership) {
	c.Helper()
	admin := c.user()
	id := ids.New()
	o := identity.Organization{ID: id, Key: "n" + id, Name: "Org " + id, Description: "made here", Type: "company", NameClaim: claim,
		CreatedBy: admin.ID, AdminIDs: []string{admin.ID}, Created: c.now, Version: 1}
	m := identity.Membership{OrganizationID: o.ID, OrganizationKey: o.Key, UserID: admin.ID, Role: identity.RoleAdmin, Joined: c.now}
	return o, m
}

// claimedOrg stores a new organization holding the claim.
func (c *check) claimedOrg(claim string) (identity.Organization, identity.Membership) {
	c.Helper()
	o, m := c.newOrg(claim)
	c.ok(c.s.CreateOrganization(c.ctx, o, m), "create an organization claiming %q", claim)
	return o, m
}

// noOrg checks that nothing of the organization o was written: neither
// it, nor its key (an organization is created under it afterwards), nor
// its admin's membership.
func (c *check) noOrg(o identity.Organization, m identity.Membership) {
	c.Helper()
	orgs, err := c.s.GetOrganizations(c.ctx, []string{o.ID})
	c.ok(err, "get organizations")
	if len(orgs) != 0 {
		c.Fatalf("the refused organization was written: %+v", orgs)
	}
	c.noMember(o.ID, m.UserID)
	free, fm := c.newOrg("")
	free.Key, fm.OrganizationKey = o.Key, o.Key
	c.ok(c.s.CreateOrganization(c.ctx, free, fm), "an organization under the refused one's key")
}

// claimFree checks that the claim is free, by taking it.
func (c *check) claimFree(claim, what string) {
	c.Helper()
	o, m := c.newOrg(claim)
	c.ok(c.s.CreateOrganization(c.ctx, o, m), "%s: claim %q", what, claim)
}

// claimTaken checks that the claim is held, by trying to take it.
func (c *check) claimTaken(claim, what string) {
	c.Helper()
	o, m := c.newOrg(claim)
	c.is(c.s.CreateOrganization(c.ctx, o, m), identity.ErrOrganizationNameTaken, "%s: claim %q", what, claim)
	c.noOrg(o, m)
}

func organizationNameClaim(c *check) {
	claim := "acme " + ids.New()
	o, m := c.claimedOrg(claim)
	c.equal(c.getOrg(o.ID), o, "the organization with description, type and claim")
	c.equal(c.membership(o.ID, m.UserID), m, "the admin's membership")

	dup, dm := c.newOrg(claim)
	err := c.s.CreateOrganization(c.ctx, dup, dm)
	c.is(err, identity.ErrOrganizationNameTaken, "a taken claim")
	c.equal(failure.As(err).Field, "name", "the field of a taken claim")
	c.noOrg(dup, dm)

	// An organization without a claim is not compared.
	same, sm := c.newOrg("")
	same.Name = o.Name
	c.ok(c.s.CreateOrganization(c.ctx, same, sm), "an organization of the same name without a claim")
	// A taken key is told first, and writes nothing either.
	both, bm := c.newOrg(claim)
	both.Key, bm.OrganizationKey = o.Key, o.Key
	c.is(c.s.CreateOrganization(c.ctx, both, bm), identity.ErrOrganizationKeyTaken, "a taken key and a taken claim")
	c.noMember(both.ID, bm.UserID)
	c.claimTaken(claim, "after the refusals")
}

func organizationIDTaken(c *check) {
	o, _ := c.claimedOrg("")
	dup, dm := c.newOrg("idclaim " + ids.New())
	dup.ID, dm.OrganizationID = o.ID, o.ID
	c.is(c.s.CreateOrganization(c.ctx, dup, dm), identity.ErrOrganizationIDTaken, "a taken id")
	c.equal(c.getOrg(o.ID), o, "the organization of the id, unchanged")
	c.noMember(o.ID, dm.UserID)
	c.claimFree(dup.NameClaim, "the refused organization's claim")
	free, fm := c.newOrg("")
	free.Key, fm.OrganizationKey = dup.Key, dup.Key
	c.ok(c.s.CreateOrganization(c.ctx, free, fm), "an organization under the refused one's key")

	// A deleted organization's id stays taken while its data is purged
	// (the purge does not run here).
	gone, _ := c.claimedOrg("")
	c.ok(c.s.DeleteOrganization(c.ctx, gone), "delete an organization")
	again, am := c.newOrg("")
	again.ID, am.OrganizationID = gone.ID, gone.ID
	c.is(c.s.CreateOrganization(c.ctx, again, am), identity.ErrOrganizationIDTaken, "a deleted organization's id")
	c.noOrg(again, am)
}

func renameOrganization(c *check) {
	a, b := "alpha "+ids.New(), "beta "+ids.New()
	o, _ := c.claimedOrg(a)
	c.claimedOrg(b)

	// A taken new claim: nothing changes.
	taken := o
	taken.Name, taken.NameClaim, taken.Version = "Beta", b, o.Version+1
	c.is(c.s.RenameOrganization(c.ctx, taken, a), identity.ErrOrganizationNameTaken, "a rename to a taken claim")
	c.equal(c.getOrg(o.ID), o, "the organization after the refused rename")
	c.claimTaken(a, "the old claim after the refused rename")

	// A stale version: nothing changes either.
	stale := o
	stale.NameClaim = "gamma " + ids.New()
	c.fails(c.s.RenameOrganization(c.ctx, stale, a), failure.Conflict, true, "a rename on the stored version")
	c.equal(c.getOrg(o.ID), o, "the organization after the stale rename")
	c.claimFree(stale.NameClaim, "the stale rename's claim")
	c.claimTaken(a, "the old claim after the stale rename")

	// The rename moves the claim.
	renamed := o
	renamed.Name, renamed.NameClaim, renamed.Version = "Delta", "delta "+ids.New(), o.Version+1
	c.ok(c.s.RenameOrganization(c.ctx, renamed, a), "a rename")
	c.equal(c.getOrg(o.ID), renamed, "the renamed organization")
	c.claimTaken(renamed.NameClaim, "the new claim")
	c.claimFree(a, "the old claim")

	// An organization without a claim takes one.
	plain, _ := c.claimedOrg("")
	plain.NameClaim, plain.Version = "epsilon "+ids.New(), plain.Version+1
	c.ok(c.s.RenameOrganization(c.ctx, plain, ""), "a first claim")
	c.equal(c.getOrg(plain.ID), plain, "the organization with its first claim")
	c.claimTaken(plain.NameClaim, "the first claim")

	ghost, _ := c.newOrg("")
	ghost.NameClaim, ghost.Version = "zeta "+ids.New(), 2
	c.fails(c.s.RenameOrganization(c.ctx, ghost, ""), failure.Conflict, true, "a rename of an organization that is not there")
	c.claimFree(ghost.NameClaim, "the claim of the refused ghost")
}

func deleteOrganizationClaim(c *check) {
	claim := "omega " + ids.New()
	o, _ := c.claimedOrg(claim)
	stale := o
	stale.Version = 0
	c.fails(c.s.DeleteOrganization(c.ctx, stale), failure.Conflict, true, "a delete on another version")
	c.claimTaken(claim, "after the refused delete")
	c.ok(c.s.DeleteOrganization(c.ctx, o), "delete")
	c.claimFree(claim, "the deleted organization's claim")
}

func setUpOrganization(c *check) {
	claim := "setup " + ids.New()
	o, m := c.newOrg(claim)
	o.CreatedBy = c.user().ID // the caller, who is no member
	g := identity.Group{ID: ids.New(), OrganizationID: o.ID, Name: o.Name, Type: "employees", UserIDs: []string{m.UserID},
		Created: c.now, Updated: c.now, CreatedBy: o.CreatedBy, Version: 1}
	m.GroupIDs = []string{g.ID}
	c.ok(c.s.SetUpOrganization(c.ctx, o, m, g), "set up an organization")
	c.equal(c.getOrg(o.ID), o, "the organization set up")
	c.equal(c.membership(o.ID, m.UserID), m, "the initial admin's membership, with the group")
	c.equal(c.getGroup(o, g.ID), g, "the group set up")
	c.noMember(o.ID, o.CreatedBy)
	got, member, err := c.s.OrganizationAccess(c.ctx, o.Key, m.UserID)
	c.ok(err, "the set-up organization's key")
	c.equal(got.ID, o.ID, "the organization of the key")
	c.equal(member, &m, "the admin's access")
	c.claimTaken(claim, "the set-up organization's claim")

	// A taken claim: nothing is written, the group neither.
	dup, dm := c.newOrg(claim)
	dg := identity.Group{ID: ids.New(), OrganizationID: dup.ID, Name: dup.Name, Type: "employees", UserIDs: []string{dm.UserID}, Version: 1}
	dm.GroupIDs = []string{dg.ID}
	c.is(c.s.SetUpOrganization(c.ctx, dup, dm, dg), identity.ErrOrganizationNameTaken, "a set-up with a taken claim")
	_, err = c.s.GetGroup(c.ctx, dup.ID, dg.ID)
	c.fails(err, failure.NotFound, false, "the refused set-up's group")
	c.noOrg(dup, dm)

	// A taken key and a taken id, as CreateOrganization.
	k, km := c.newOrg("")
	k.Key, km.OrganizationKey = o.Key, o.Key
	kg := identity.Group{ID: ids.New(), OrganizationID: k.ID, Name: k.Name, UserIDs: []string{km.UserID}, Version: 1}
	km.GroupIDs = []string{kg.ID}
	c.is(c.s.SetUpOrganization(c.ctx, k, km, kg), identity.ErrOrganizationKeyTaken, "a set-up with a taken key")
	_, err = c.s.GetGroup(c.ctx, k.ID, kg.ID)
	c.fails(err, failure.NotFound, false, "the group of the set-up with a taken key")
	i, im := c.newOrg("")
	i.ID, im.OrganizationID = o.ID, o.ID
	ig := identity.Group{ID: ids.New(), OrganizationID: o.ID, Name: i.Name, UserIDs: []string{im.UserID}, Version: 1}
	im.GroupIDs = []string{ig.ID}
	c.is(c.s.SetUpOrganization(c.ctx, i, im, ig), identity.ErrOrganizationIDTaken, "a set-up with a taken id")
	_, err = c.s.GetGroup(c.ctx, o.ID, ig.ID)
	c.fails(err, failure.NotFound, false, "the group of the set-up with a taken id")
	c.noMember(o.ID, im.UserID)
}
