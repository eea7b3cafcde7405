package identity_test

import (
	"slices"
	"testing"

	"github.com/effektif-serverless/caseflow/shared/failure"
	"github.com/effektif-serverless/caseflow/shared/identity"
)

func roleIDs(rs []identity.OrgRole) []string {
	var out []string
	for _, r := range rs {
		out = append(out, r.ID)
	}
	return out
}

func TestOrgRolesBuiltInAndPermissions(t *testing.T) {
	w := newWorld(t)
	o, admin := w.org("Roles")
	member := w.member(o, admin, "m@example.com")
	asAdmin, asMember := w.in(admin.ID, o.Key), w.in(member.ID, o.Key)
	roles, err := w.svc.OrgRoles(w.ctx, asMember)
	w.ok(err, "a member lists")
	if !slices.Equal(roleIDs(roles), []string{identity.OrgRoleAdmin, identity.OrgRoleMember}) || !roles[0].BuiltIn ||
		!slices.Equal(roles[0].Permissions, identity.AdminPermissions) {
		t.Fatalf("built-in roles: %+v", roles)
	}
	_, err = w.svc.CreateOrgRole(w.ctx, asMember, identity.NewOrgRole{Name: "X"})
	w.fails(err, failure.Forbidden, "a member creates")
	for what, n := range map[string]identity.NewOrgRole{
		"no name":            {},
		"the built-in name":  {Name: "Admin"},
		"a bad permission":   {Name: "A", Permissions: []string{"has space"}},
		"a bad id":           {ID: "nope", Name: "A"},
		"control characters": {Name: "A\x01"},
	} {
		_, err := w.svc.CreateOrgRole(w.ctx, asAdmin, n)
		w.fails(err, failure.Invalid, what)
	}
	r, err := w.svc.CreateOrgRole(w.ctx, asAdmin, identity.NewOrgRole{Name: "Auditor", Description: "reads the books", Permissions: []string{"audit:read", "audit:read", "books/*"}})
	w.ok(err, "create")
	if len(r.Permissions) != 2 || r.BuiltIn {
		t.Fatalf("created: %+v", r)
	}
	_, err = w.svc.CreateOrgRole(w.ctx, asAdmin, identity.NewOrgRole{Name: "auditor"})
	if err != identity.ErrOrgRoleNameTaken {
		t.Fatalf("a taken name: %v", err)
	}
	got, err := w.svc.OrgRole(w.ctx, asMember, r.ID)
	w.ok(err, "a member reads")
	if got.Name != "Auditor" {
		t.Fatalf("read: %+v", got)
	}
	_, err = w.svc.UpdateOrgRole(w.ctx, asMember, r.ID, identity.OrgRoleChanges{Name: ptr("Y")})
	w.fails(err, failure.Forbidden, "a member updates")
	_, err = w.svc.UpdateOrgRole(w.ctx, asAdmin, identity.OrgRoleAdmin, identity.OrgRoleChanges{Name: ptr("Boss")})
	w.fails(err, failure.Forbidden, "update a built-in role")
	w.fails(w.svc.DeleteOrgRole(w.ctx, asAdmin, identity.OrgRoleMember), failure.Forbidden, "delete a built-in role")
	up, err := w.svc.UpdateOrgRole(w.ctx, asAdmin, r.ID, identity.OrgRoleChanges{Name: ptr("Reviewer"), Permissions: &[]string{}})
	w.ok(err, "update")
	if up.Name != "Reviewer" || len(up.Permissions) != 0 || up.Version != 2 {
		t.Fatalf("updated: %+v", up)
	}
	// Another organization sees none of it.
	other, otherAdmin := w.org("Elsewhere")
	_, err = w.svc.OrgRole(w.ctx, w.in(otherAdmin.ID, other.Key), r.ID)
	w.fails(err, failure.NotFound, "another organization reads")
	w.fails(w.svc.DeleteOrgRole(w.ctx, w.in(otherAdmin.ID, other.Key), r.ID), failure.NotFound, "another organization deletes")
	// A custom role grants nothing: its holder is no admin.
	w.ok(w.svc.AssignOrgRoles(w.ctx, asAdmin, member.ID, []string{r.ID}), "assign")
	_, err = w.svc.CreateOrgRole(w.ctx, w.in(member.ID, o.Key), identity.NewOrgRole{Name: "Z", Permissions: []string{"roles.write"}})
	w.fails(err, failure.Forbidden, "the holder of a custom role creates")
	w.fails(w.svc.DeleteOrgRole(w.ctx, asMember, r.ID), failure.Forbidden, "a member deletes")
	w.ok(w.svc.DeleteOrgRole(w.ctx, asAdmin, r.ID), "delete a held role")
	mine, err := w.svc.MemberOrgRoles(w.ctx, asMember, member.ID)
	w.ok(err, "my roles")
	if !slices.Equal(roleIDs(mine), []string{identity.OrgRoleMember}) {
		t.Fatalf("roles after the delete: %+v", mine)
	}
}

func TestOrgRoleAssignment(t *testing.T) {
	w := newWorld(t)
	o, admin := w.org("Assign")
	member := w.member(o, admin, "m@example.com")
	peer := w.member(o, admin, "p@example.com")
	asAdmin, asMember := w.in(admin.ID, o.Key), w.in(member.ID, o.Key)
	ops, err := w.svc.CreateOrgRole(w.ctx, asAdmin, identity.NewOrgRole{Name: "Ops", Permissions: []string{"deploy"}})
	w.ok(err, "create ops")
	qa, err := w.svc.CreateOrgRole(w.ctx, asAdmin, identity.NewOrgRole{Name: "QA"})
	w.ok(err, "create qa")

	w.fails(w.svc.AssignOrgRoles(w.ctx, asMember, peer.ID, []string{ops.ID}), failure.Forbidden, "a member assigns")
	w.fails(w.svc.AssignOrgRoles(w.ctx, asAdmin, member.ID, []string{ops.ID, "0123456789abcdef0123456789abcdef"}), failure.Invalid, "an unknown role")
	if rs, _ := w.svc.MemberOrgRoles(w.ctx, asAdmin, member.ID); len(rs) != 1 {
		t.Fatalf("a refused assignment wrote: %+v", rs)
	}
	w.fails(w.svc.AssignOrgRoles(w.ctx, asAdmin, w.root.ID, []string{ops.ID}), failure.NotFound, "a non-member")
	w.ok(w.svc.AssignOrgRoles(w.ctx, asAdmin, member.ID, []string{qa.ID, ops.ID, identity.OrgRoleMember}), "assign several")
	w.ok(w.svc.AssignOrgRoles(w.ctx, asAdmin, member.ID, []string{ops.ID}), "assign a held role again")
	rs, err := w.svc.MemberOrgRoles(w.ctx, asMember, member.ID)
	w.ok(err, "the member reads their roles")
	want := []string{identity.OrgRoleMember, ops.ID, qa.ID}
	slices.Sort(want[1:])
	if !slices.Equal(roleIDs(rs), want) {
		t.Fatalf("roles %v, want %v", roleIDs(rs), want)
	}
	_, err = w.svc.MemberOrgRoles(w.ctx, w.in(peer.ID, o.Key), member.ID)
	w.fails(err, failure.Forbidden, "a peer reads another's roles")
	r, err := w.svc.MemberOrgRole(w.ctx, asAdmin, member.ID, ops.ID)
	w.ok(err, "get a held role")
	if !slices.Equal(r.Permissions, []string{"deploy"}) {
		t.Fatalf("held role: %+v", r)
	}
	_, err = w.svc.MemberOrgRole(w.ctx, asAdmin, member.ID, identity.OrgRoleAdmin)
	w.fails(err, failure.NotFound, "the admin role of a member")
	w.ok(w.svc.RemoveOrgRole(w.ctx, asAdmin, member.ID, qa.ID), "remove")
	w.fails(w.svc.RemoveOrgRole(w.ctx, asAdmin, member.ID, qa.ID), failure.NotFound, "remove again")
	w.fails(w.svc.RemoveOrgRole(w.ctx, asAdmin, member.ID, identity.OrgRoleMember), failure.Invalid, "remove the member role")
	w.fails(w.svc.RemoveOrgRole(w.ctx, asMember, member.ID, ops.ID), failure.Forbidden, "a member removes")

	// A member who leaves and joins again holds none of the earlier grants.
	w.ok(w.svc.RemoveMember(w.ctx, asAdmin, member.ID), "remove the member")
	_, err = w.svc.AddMember(w.ctx, asAdmin, identity.NewMember{Email: "m@example.com"})
	w.ok(err, "invite again")
	w.now = w.now.Add(1)
	w.ok(w.svc.AcceptInvitation(w.ctx, member.ID, o.Key, ""), "join again")
	rs, _ = w.svc.MemberOrgRoles(w.ctx, asAdmin, member.ID)
	if !slices.Equal(roleIDs(rs), []string{identity.OrgRoleMember}) {
		t.Fatalf("a rejoined member's roles: %v", roleIDs(rs))
	}
	w.ok(w.svc.AssignOrgRoles(w.ctx, asAdmin, member.ID, []string{ops.ID}), "assign to the rejoined member")
	if rs, _ = w.svc.MemberOrgRoles(w.ctx, asAdmin, member.ID); len(rs) != 2 {
		t.Fatalf("rejoined and assigned: %v", roleIDs(rs))
	}
	w.ok(w.svc.DeleteOrgRole(w.ctx, asAdmin, ops.ID), "delete the role with its grants")
}

func TestOrgRoleAdminIsCoreAdminAndLastAdminRule(t *testing.T) {
	w := newWorld(t)
	o, admin := w.org("Admins")
	member := w.member(o, admin, "m@example.com")
	asAdmin := w.in(admin.ID, o.Key)
	w.fails(w.svc.RemoveOrgRole(w.ctx, asAdmin, admin.ID, identity.OrgRoleAdmin), failure.Conflict, "the last admin removes their admin role")
	if !w.membership(o, admin.ID).IsAdmin() {
		t.Fatal("the last admin lost the role")
	}
	rs, err := w.svc.MemberOrgRoles(w.ctx, asAdmin, admin.ID)
	w.ok(err, "admin's roles")
	if !slices.Equal(roleIDs(rs), []string{identity.OrgRoleAdmin, identity.OrgRoleMember}) {
		t.Fatalf("admin's roles: %v", roleIDs(rs))
	}
	w.ok(w.svc.AssignOrgRoles(w.ctx, asAdmin, member.ID, []string{identity.OrgRoleAdmin}), "make an admin")
	if !w.membership(o, member.ID).IsAdmin() || !slices.Contains(w.orgNow(o).AdminIDs, member.ID) {
		t.Fatal("the admin role did not make a core admin")
	}
	// Now a core admin: may manage roles.
	_, err = w.svc.CreateOrgRole(w.ctx, w.in(member.ID, o.Key), identity.NewOrgRole{Name: "New"})
	w.ok(err, "the new admin creates a role")
	w.ok(w.svc.RemoveOrgRole(w.ctx, w.in(member.ID, o.Key), admin.ID, identity.OrgRoleAdmin), "demote the first admin")
	if w.membership(o, admin.ID).IsAdmin() {
		t.Fatal("still an admin")
	}
	w.fails(w.svc.RemoveOrgRole(w.ctx, w.in(member.ID, o.Key), member.ID, identity.OrgRoleAdmin), failure.Conflict, "the new last admin")
	w.fails(w.svc.RemoveOrgRole(w.ctx, w.in(member.ID, o.Key), admin.ID, identity.OrgRoleAdmin), failure.NotFound, "demote a non-admin")
}
