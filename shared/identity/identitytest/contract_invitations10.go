package identitytest

import (
	"time"

	"github.com/effektif-serverless/caseflow/shared/failure"
	"github.com/effektif-serverless/caseflow/shared/identity"
	"github.com/effektif-serverless/caseflow/shared/ids"
)

// groupInvitation makes an open invitation of a new address into the
// groups (not stored).
func (c *check) groupInvitation(o identity.Organization, groupIDs ...string) identity.GroupInvitation {
	return identity.GroupInvitation{ID: ids.New(), OrganizationID: o.ID, Email: c.email(), RecipientName: "Ada",
		InviterName: "Bob", InvitedBy: o.CreatedBy, GroupIDs: groupIDs, ClientRoleIDs: []string{"viewer"},
		State: identity.GroupInvitationOpen, Created: c.now, Version: 1}
}

// sent is inv after a send with the token hash.
func sent(inv identity.GroupInvitation, hash string, at time.Time) identity.GroupInvitation {
	inv.TokenHash, inv.TokenExpires, inv.SentAt, inv.Delivery = hash, at.Add(identity.GroupInvitationTTL), at, identity.GroupDeliveryRequested
	inv.Sends++
	inv.Version++
	return inv
}

func (c *check) listOf(o identity.Organization, state string) []identity.GroupInvitation {
	c.Helper()
	l, err := c.s.GroupInvitationsOf(c.ctx, o.ID, state, 0, 50)
	c.ok(err, "list %s invitations", state)
	return l
}

// The contract of group invitations (10Duke's OrganizationGroupInvitation).
func init() {
	contractCases = append(contractCases,
		contractCase{"group invitations: created once by id, read, listed by state in the organization and for the address", func(c *check) {
			o, _ := c.org()
			g := c.group(o, "Sales")
			inv := c.groupInvitation(o, g.ID)
			c.ok(c.s.CreateGroupInvitation(c.ctx, inv), "create")
			other, _ := c.org()
			again := inv
			again.OrganizationID = other.ID
			c.is(c.s.CreateGroupInvitation(c.ctx, again), identity.ErrGroupInvitationExists, "the id in another organization")
			got, err := c.s.GetGroupInvitation(c.ctx, o.ID, inv.ID)
			c.ok(err, "read")
			c.equal(got, inv, "read back")
			_, err = c.s.GetGroupInvitation(c.ctx, other.ID, inv.ID)
			c.fails(err, failure.NotFound, false, "read in another organization")
			orgID, err := c.s.GroupInvitationOrganization(c.ctx, inv.ID)
			c.ok(err, "organization of the id")
			c.equal(orgID, o.ID, "organization of the id")
			_, err = c.s.GroupInvitationOrganization(c.ctx, ids.New())
			c.fails(err, failure.NotFound, false, "an unknown id")
			later := c.groupInvitation(o, g.ID)
			later.Created = c.now.Add(time.Second)
			later.Email = inv.Email
			c.ok(c.s.CreateGroupInvitation(c.ctx, later), "create a later one to the same address")
			open := c.listOf(o, identity.GroupInvitationOpen)
			if len(open) != 2 || open[0].ID != inv.ID || open[1].ID != later.ID {
				c.Fatalf("open: %+v", open)
			}
			if page, _ := c.s.GroupInvitationsOf(c.ctx, o.ID, identity.GroupInvitationOpen, 1, 1); len(page) != 1 || page[0].ID != later.ID {
				c.Fatalf("second page: %+v", page)
			}
			if l := c.listOf(o, identity.GroupInvitationRevoked); len(l) != 0 {
				c.Fatalf("revoked: %+v", l)
			}
			if l := c.listOf(other, identity.GroupInvitationOpen); len(l) != 0 {
				c.Fatalf("another organization's: %+v", l)
			}
			to, err := c.s.GroupInvitationsTo(c.ctx, identity.NormalizeEmail(inv.Email), identity.GroupInvitationOpen, 0, 10)
			c.ok(err, "list to the address")
			if len(to) != 2 || to[0].ID != inv.ID {
				c.Fatalf("to the address: %+v", to)
			}
		}},
		contractCase{"group invitations: a send replaces the token; a change of state happens once and moves the lists", func(c *check) {
			o, _ := c.org()
			g := c.group(o, "Ops")
			inv := c.groupInvitation(o, g.ID)
			c.ok(c.s.CreateGroupInvitation(c.ctx, inv), "create")
			_, err := c.s.GroupInvitationByToken(c.ctx, "h1"+ids.New())
			c.fails(err, failure.NotFound, false, "a token never made")
			h1, h2 := "h1"+ids.New(), "h2"+ids.New()
			s1 := sent(inv, h1, c.now)
			c.ok(c.s.SaveGroupInvitation(c.ctx, s1, inv), "first send")
			c.fails(c.s.SaveGroupInvitation(c.ctx, s1, inv), failure.Conflict, true, "the same send on a stale version")
			got, err := c.s.GroupInvitationByToken(c.ctx, h1)
			c.ok(err, "by the first token")
			c.equal(got, s1, "by the first token")
			s2 := sent(s1, h2, c.now.Add(time.Minute))
			c.ok(c.s.SaveGroupInvitation(c.ctx, s2, s1), "second send")
			_, err = c.s.GroupInvitationByToken(c.ctx, h1)
			c.fails(err, failure.NotFound, false, "the replaced token")
			if open := c.listOf(o, identity.GroupInvitationOpen); len(open) != 1 || open[0].Version != s2.Version {
				c.Fatalf("the open list keeps the latest: %+v", open)
			}
			revoked := s2
			revoked.State, revoked.RevokedAt = identity.GroupInvitationRevoked, c.now
			revoked.Version++
			declined := s2
			declined.State, declined.DeclinedAt = identity.GroupInvitationDeclined, c.now
			declined.Version++
			c.ok(c.s.SaveGroupInvitation(c.ctx, revoked, s2), "revoke")
			c.fails(c.s.SaveGroupInvitation(c.ctx, declined, s2), failure.Conflict, true, "decline after the revoke")
			if l := c.listOf(o, identity.GroupInvitationOpen); len(l) != 0 {
				c.Fatalf("open after revoke: %+v", l)
			}
			if l := c.listOf(o, identity.GroupInvitationRevoked); len(l) != 1 || l[0].State != identity.GroupInvitationRevoked {
				c.Fatalf("revoked: %+v", l)
			}
			if l := c.listOf(o, identity.GroupInvitationDeclined); len(l) != 0 {
				c.Fatalf("declined: %+v", l)
			}
			got, err = c.s.GroupInvitationByToken(c.ctx, h2)
			c.ok(err, "the closed invitation's token still finds it")
			if got.State != identity.GroupInvitationRevoked {
				c.Fatalf("state: %+v", got)
			}
			to, _ := c.s.GroupInvitationsTo(c.ctx, identity.NormalizeEmail(inv.Email), identity.GroupInvitationRevoked, 0, 10)
			if len(to) != 1 {
				c.Fatalf("revoked to the address: %+v", to)
			}
			c.fails(c.s.DeleteGroupInvitation(c.ctx, s2), failure.Conflict, true, "delete on a stale version")
			c.ok(c.s.DeleteGroupInvitation(c.ctx, revoked), "delete")
			_, err = c.s.GetGroupInvitation(c.ctx, o.ID, inv.ID)
			c.fails(err, failure.NotFound, false, "read deleted")
			_, err = c.s.GroupInvitationByToken(c.ctx, h2)
			c.fails(err, failure.NotFound, false, "token of the deleted")
			_, err = c.s.GroupInvitationOrganization(c.ctx, inv.ID)
			c.fails(err, failure.NotFound, false, "id of the deleted")
			if l := c.listOf(o, identity.GroupInvitationRevoked); len(l) != 0 {
				c.Fatalf("revoked after delete: %+v", l)
			}
		}},
		contractCase{"group invitations: accepting adds a new member with the groups, or the groups to a member, once", func(c *check) {
			o, _ := c.org()
			g1, g2 := c.group(o, "One"), c.group(o, "Two")
			newcomer := c.user()
			inv := c.groupInvitation(o, g1.ID, g2.ID)
			c.ok(c.s.CreateGroupInvitation(c.ctx, inv), "create")
			s1 := sent(inv, "h"+ids.New(), c.now)
			c.ok(c.s.SaveGroupInvitation(c.ctx, s1, inv), "send")
			accepted := s1
			accepted.State, accepted.AcceptedAt, accepted.AcceptedBy = identity.GroupInvitationAccepted, c.now, newcomer.ID
			accepted.Version++
			m := identity.Membership{OrganizationID: o.ID, OrganizationKey: o.Key, UserID: newcomer.ID, Role: identity.RoleMember, Joined: c.now, Username: "new" + ids.New()[:8]}
			w := identity.GroupInvitationAcceptance{Invitation: accepted, Previous: s1, Membership: m, NewMember: true, AddedGroups: []string{g1.ID, g2.ID}}
			gone := w
			gone.AddedGroups = []string{g1.ID, ids.New()}
			c.fails(c.s.AcceptGroupInvitation(c.ctx, gone), failure.Conflict, true, "a group that does not exist")
			c.noMember(o.ID, newcomer.ID)
			if l := c.listOf(o, identity.GroupInvitationOpen); len(l) != 1 {
				c.Fatalf("a failed accept wrote: %+v", l)
			}
			c.ok(c.s.AcceptGroupInvitation(c.ctx, w), "accept")
			c.fails(c.s.AcceptGroupInvitation(c.ctx, w), failure.Conflict, true, "accept again")
			got := c.membership(o.ID, newcomer.ID)
			c.equal(got.GroupIDs, []string{g1.ID, g2.ID}, "the new member's groups")
			c.equal(got.Username, m.Username, "username")
			c.equal(c.getGroup(o, g1.ID).UserIDs, []string{newcomer.ID}, "group one")
			c.equal(c.getGroup(o, g2.ID).UserIDs, []string{newcomer.ID}, "group two")
			if l := c.listOf(o, identity.GroupInvitationAccepted); len(l) != 1 || l[0].AcceptedBy != newcomer.ID {
				c.Fatalf("accepted: %+v", l)
			}

			// A new member's username is unique in the organization.
			second := c.user()
			inv3 := c.groupInvitation(o, g1.ID)
			c.ok(c.s.CreateGroupInvitation(c.ctx, inv3), "create the third")
			acc3 := inv3
			acc3.State, acc3.AcceptedBy = identity.GroupInvitationAccepted, second.ID
			acc3.Version++
			m3 := m
			m3.UserID = second.ID
			w3 := identity.GroupInvitationAcceptance{Invitation: acc3, Previous: inv3, Membership: m3, NewMember: true, AddedGroups: []string{g1.ID}}
			c.is(c.s.AcceptGroupInvitation(c.ctx, w3), identity.ErrUsernameTaken, "a taken username")
			c.noMember(o.ID, second.ID)
			c.equal(c.getGroup(o, g1.ID).UserIDs, []string{newcomer.ID}, "group one after the refused accept")

			// An existing member gains the groups they lack.
			member, mm := c.member(o)
			g3 := c.group(o, "Three", member.ID)
			inv2 := c.groupInvitation(o, g1.ID, g3.ID)
			c.ok(c.s.CreateGroupInvitation(c.ctx, inv2), "create the second")
			acc2 := inv2
			acc2.State, acc2.AcceptedBy = identity.GroupInvitationAccepted, member.ID
			acc2.Version++
			mm.GroupIDs = []string{g3.ID}
			w2 := identity.GroupInvitationAcceptance{Invitation: acc2, Previous: inv2, Membership: mm, AddedGroups: []string{g1.ID}}
			asNew := w2
			asNew.NewMember, asNew.Membership.Username = true, "x"+ids.New()[:8]
			c.fails(c.s.AcceptGroupInvitation(c.ctx, asNew), failure.Conflict, true, "a new membership for a member")
			c.ok(c.s.AcceptGroupInvitation(c.ctx, w2), "accept as a member")
			c.equal(c.membership(o.ID, member.ID).GroupIDs, []string{g1.ID, g3.ID}, "the member's groups")
			c.equal(c.getGroup(o, g1.ID).UserIDs, []string{newcomer.ID, member.ID}, "group one")
		}},
	)
}

// The contract of organization roles (10Duke's OrganizationRole).
func init() {
	contractCases = append(contractCases,
		contractCase{"organization roles: created once by id and name, renamed on version, listed by id", func(c *check) {
			o, _ := c.org()
			r := identity.OrgRole{ID: ids.New(), OrganizationID: o.ID, Name: "Auditor", Description: "Reads", Permissions: []string{"audit.read"}, Created: c.now, Updated: c.now, Version: 1}
			c.ok(c.s.CreateOrgRole(c.ctx, r), "create")
			c.is(c.s.CreateOrgRole(c.ctx, r), identity.ErrOrgRoleExists, "the id again")
			same := r
			same.ID = ids.New()
			same.Name = "AUDITOR"
			c.is(c.s.CreateOrgRole(c.ctx, same), identity.ErrOrgRoleNameTaken, "the name again, in other case")
			other, _ := c.org()
			elsewhere := same
			elsewhere.OrganizationID = other.ID
			c.ok(c.s.CreateOrgRole(c.ctx, elsewhere), "the name in another organization")
			got, err := c.s.GetOrgRole(c.ctx, o.ID, r.ID)
			c.ok(err, "read")
			c.equal(got, r, "read back")
			_, err = c.s.GetOrgRole(c.ctx, other.ID, r.ID)
			c.fails(err, failure.NotFound, false, "read in another organization")
			second := identity.OrgRole{ID: ids.New(), OrganizationID: o.ID, Name: "Writer", Created: c.now, Updated: c.now, Version: 1}
			c.ok(c.s.CreateOrgRole(c.ctx, second), "create another")
			renamed := second
			renamed.Name, renamed.Permissions, renamed.Version = "auditor", []string{"x"}, 2
			c.is(c.s.UpdateOrgRole(c.ctx, renamed, second.Name), identity.ErrOrgRoleNameTaken, "rename to a taken name")
			renamed.Name = "Editor"
			c.ok(c.s.UpdateOrgRole(c.ctx, renamed, second.Name), "rename")
			c.fails(c.s.UpdateOrgRole(c.ctx, renamed, second.Name), failure.Conflict, true, "rename on a stale version")
			freed := identity.OrgRole{ID: ids.New(), OrganizationID: o.ID, Name: "writer", Created: c.now, Updated: c.now, Version: 1}
			c.ok(c.s.CreateOrgRole(c.ctx, freed), "the old name is free")
			roles, err := c.s.OrgRoles(c.ctx, o.ID, 10)
			c.ok(err, "list")
			if len(roles) != 3 {
				c.Fatalf("roles: %+v", roles)
			}
			for i := 1; i < len(roles); i++ {
				if roles[i-1].ID >= roles[i].ID {
					c.Fatalf("not by id: %+v", roles)
				}
			}
			got, _ = c.s.GetOrgRole(c.ctx, o.ID, second.ID)
			if got.Name != "Editor" || len(got.Permissions) != 1 || got.Version != 2 {
				c.Fatalf("renamed: %+v", got)
			}
		}},
		contractCase{"organization roles: grants counted on the role; a role goes with its grants, on its holders", func(c *check) {
			o, _ := c.org()
			u, m := c.member(o)
			v, mv := c.member(o)
			r := identity.OrgRole{ID: ids.New(), OrganizationID: o.ID, Name: "Ops", Created: c.now, Updated: c.now, Version: 1}
			c.ok(c.s.CreateOrgRole(c.ctx, r), "create")
			g := identity.OrgRoleGrant{OrganizationID: o.ID, UserID: u.ID, RoleID: r.ID, MemberJoined: m.Joined, Granted: c.now}
			missing := g
			missing.RoleID = ids.New()
			c.fails(c.s.GrantOrgRoles(c.ctx, m, []identity.OrgRoleGrant{g, missing}, nil, nil), failure.Conflict, true, "a role that does not exist")
			if l, _ := c.s.MemberOrgRoleGrants(c.ctx, o.ID, u.ID, 10); len(l) != 0 {
				c.Fatalf("a failed grant wrote: %+v", l)
			}
			stranger := identity.Membership{OrganizationID: o.ID, UserID: ids.New()}
			c.fails(c.s.GrantOrgRoles(c.ctx, stranger, []identity.OrgRoleGrant{{OrganizationID: o.ID, UserID: stranger.UserID, RoleID: r.ID}}, nil, nil), failure.Conflict, true, "not a member")
			c.ok(c.s.GrantOrgRoles(c.ctx, m, []identity.OrgRoleGrant{g}, nil, nil), "grant")
			c.fails(c.s.GrantOrgRoles(c.ctx, m, []identity.OrgRoleGrant{g}, nil, nil), failure.Conflict, true, "grant again as new")
			gv := identity.OrgRoleGrant{OrganizationID: o.ID, UserID: v.ID, RoleID: r.ID, MemberJoined: mv.Joined, Granted: c.now}
			c.ok(c.s.GrantOrgRoles(c.ctx, mv, []identity.OrgRoleGrant{gv}, nil, nil), "grant to another")
			renewed := g
			renewed.MemberJoined = c.now.Add(time.Hour)
			stale := g
			stale.MemberJoined = c.now.Add(-time.Hour)
			c.fails(c.s.GrantOrgRoles(c.ctx, m, nil, []identity.OrgRoleGrant{renewed}, []identity.OrgRoleGrant{stale}), failure.Conflict, true, "renew over a grant read wrong")
			c.ok(c.s.GrantOrgRoles(c.ctx, m, nil, []identity.OrgRoleGrant{renewed}, []identity.OrgRoleGrant{g}), "renew")
			mine, err := c.s.MemberOrgRoleGrants(c.ctx, o.ID, u.ID, 10)
			c.ok(err, "member's grants")
			if len(mine) != 1 || !mine[0].MemberJoined.Equal(renewed.MemberJoined) {
				c.Fatalf("member's grants: %+v", mine)
			}
			holders, err := c.s.OrgRoleHolders(c.ctx, o.ID, r.ID, 10)
			c.ok(err, "holders")
			if len(holders) != 2 {
				c.Fatalf("holders: %+v", holders)
			}
			cur, _ := c.s.GetOrgRole(c.ctx, o.ID, r.ID)
			if cur.Holders != 2 {
				c.Fatalf("Holders %d", cur.Holders)
			}
			c.fails(c.s.DeleteOrgRole(c.ctx, cur, holders[:1]), failure.Conflict, true, "delete with a grant left out")
			c.ok(c.s.RevokeOrgRole(c.ctx, gv), "revoke")
			c.fails(c.s.RevokeOrgRole(c.ctx, gv), failure.Conflict, true, "revoke again")
			cur, _ = c.s.GetOrgRole(c.ctx, o.ID, r.ID)
			if cur.Holders != 1 {
				c.Fatalf("Holders after revoke %d", cur.Holders)
			}
			holders, _ = c.s.OrgRoleHolders(c.ctx, o.ID, r.ID, 10)
			c.ok(c.s.DeleteOrgRole(c.ctx, cur, holders), "delete")
			_, err = c.s.GetOrgRole(c.ctx, o.ID, r.ID)
			c.fails(err, failure.NotFound, false, "read deleted")
			if l, _ := c.s.MemberOrgRoleGrants(c.ctx, o.ID, u.ID, 10); len(l) != 0 {
				c.Fatalf("grants of a deleted role: %+v", l)
			}
			again := r
			c.ok(c.s.CreateOrgRole(c.ctx, again), "the id and name are free again")
			empty, _ := c.s.GetOrgRole(c.ctx, o.ID, r.ID)
			c.ok(c.s.DeleteOrgRole(c.ctx, empty, nil), "delete a role nobody holds")
		}},
	)
}
