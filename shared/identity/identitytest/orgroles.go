package identitytest

import (
	"context"
	"sort"
	"strings"

	"github.com/effektif-serverless/caseflow/shared/failure"
	"github.com/effektif-serverless/caseflow/shared/identity"
)

// The organization roles of the fake, as shared/store keeps them: a role
// under its organization with a claim of its lower-case name, and grants
// under (organization, user, role), counted on the role (Holders) in the
// same transaction. Lists answer in sort key order: roles by id, a
// member's grants by role id, a role's holders by user id.

type orgRolesOf struct {
	roles  map[pair]identity.OrgRole // (organization, id)
	names  map[pair]string           // (organization, lower-case name) -> id
	grants map[grantKey]identity.OrgRoleGrant
}

type grantKey struct{ org, user, role string }

func grantOf(g identity.OrgRoleGrant) grantKey { return grantKey{g.OrganizationID, g.UserID, g.RoleID} }

func (s *Store) orgRolePart() *orgRolesOf {
	if s.orgRoles == nil {
		s.orgRoles = &orgRolesOf{roles: map[pair]identity.OrgRole{}, names: map[pair]string{}, grants: map[grantKey]identity.OrgRoleGrant{}}
	}
	return s.orgRoles
}

func copyOrgRole(r identity.OrgRole) identity.OrgRole {
	r.Permissions = list(r.Permissions)
	r.BuiltIn = false
	return r
}

func roleNameOf(orgID, name string) pair { return pair{orgID, strings.ToLower(name)} }

// CreateOrgRole stores a new role and claims its name.
func (s *Store) CreateOrgRole(_ context.Context, r identity.OrgRole) error {
	defer s.lock()()
	part := s.orgRolePart()
	if _, ok := part.roles[pair{r.OrganizationID, r.ID}]; ok {
		return identity.ErrOrgRoleExists
	}
	if _, ok := part.names[roleNameOf(r.OrganizationID, r.Name)]; ok {
		return identity.ErrOrgRoleNameTaken
	}
	part.roles[pair{r.OrganizationID, r.ID}] = copyOrgRole(r)
	part.names[roleNameOf(r.OrganizationID, r.Name)] = r.ID
	return s.wrote()
}

// GetOrgRole reads one role.
func (s *Store) GetOrgRole(_ context.Context, organizationID, id string) (identity.OrgRole, error) {
	defer s.lock()()
	r, ok := s.orgRolePart().roles[pair{organizationID, id}]
	if !ok {
		return identity.OrgRole{}, notFound("role")
	}
	return copyOrgRole(r), nil
}

// OrgRoles lists the organization's roles by id.
func (s *Store) OrgRoles(_ context.Context, organizationID string, limit int) ([]identity.OrgRole, error) {
	defer s.lock()()
	var out []identity.OrgRole
	for k, r := range s.orgRolePart().roles {
		if k.a == organizationID {
			out = append(out, copyOrgRole(r))
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	if len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}

// UpdateOrgRole stores the role's texts on its version, moving the name's
// claim when it changed; Holders stay.
func (s *Store) UpdateOrgRole(_ context.Context, r identity.OrgRole, oldName string) error {
	defer s.lock()()
	part := s.orgRolePart()
	k := pair{r.OrganizationID, r.ID}
	cur, ok := part.roles[k]
	if !ok || cur.Version != r.Version-1 {
		return failure.Race("role")
	}
	moved := !strings.EqualFold(oldName, r.Name)
	if moved {
		if _, taken := part.names[roleNameOf(r.OrganizationID, r.Name)]; taken {
			return identity.ErrOrgRoleNameTaken
		}
	}
	cur.Name, cur.Description, cur.Permissions, cur.Updated, cur.Version = r.Name, r.Description, list(r.Permissions), r.Updated, r.Version
	part.roles[k] = cur
	if moved {
		delete(part.names, roleNameOf(r.OrganizationID, oldName))
		part.names[roleNameOf(r.OrganizationID, r.Name)] = r.ID
	}
	return s.wrote()
}

// DeleteOrgRole deletes the role, its name and the grants, on condition
// of its version and Holders.
func (s *Store) DeleteOrgRole(_ context.Context, r identity.OrgRole, grants []identity.OrgRoleGrant) error {
	defer s.lock()()
	part := s.orgRolePart()
	var tx transaction
	tx.add("role", r.OrganizationID, r.ID)
	tx.add("rolename", r.OrganizationID, strings.ToLower(r.Name))
	for _, g := range grants {
		tx.add("grant", g.OrganizationID, g.UserID, g.RoleID)
	}
	if err := tx.check(); err != nil {
		return err
	}
	k := pair{r.OrganizationID, r.ID}
	cur, ok := part.roles[k]
	if !ok || cur.Version != r.Version || cur.Holders != len(grants) {
		return failure.Race("role")
	}
	delete(part.roles, k)
	delete(part.names, roleNameOf(r.OrganizationID, cur.Name))
	for _, g := range grants {
		delete(part.grants, grantOf(g))
	}
	return s.wrote()
}

// OrgRoleHolders lists the role's grants by user id.
func (s *Store) OrgRoleHolders(_ context.Context, organizationID, roleID string, limit int) ([]identity.OrgRoleGrant, error) {
	defer s.lock()()
	return s.orgRolePart().grantList(func(k grantKey) bool { return k.org == organizationID && k.role == roleID },
		func(a, b identity.OrgRoleGrant) bool { return a.UserID < b.UserID }, limit), nil
}

// MemberOrgRoleGrants lists the user's grants by role id.
func (s *Store) MemberOrgRoleGrants(_ context.Context, organizationID, userID string, limit int) ([]identity.OrgRoleGrant, error) {
	defer s.lock()()
	return s.orgRolePart().grantList(func(k grantKey) bool { return k.org == organizationID && k.user == userID },
		func(a, b identity.OrgRoleGrant) bool { return a.RoleID < b.RoleID }, limit), nil
}

func (p *orgRolesOf) grantList(keep func(grantKey) bool, less func(a, b identity.OrgRoleGrant) bool, limit int) []identity.OrgRoleGrant {
	var out []identity.OrgRoleGrant
	for k, g := range p.grants {
		if keep(k) {
			out = append(out, g)
		}
	}
	sort.Slice(out, func(i, j int) bool { return less(out[i], out[j]) })
	if len(out) > limit {
		out = out[:limit]
	}
	return out
}

// GrantOrgRoles writes the grants together, checking in the order of the
// store's transaction: the membership, each added grant and its role,
// each renewed grant.
func (s *Store) GrantOrgRoles(_ context.Context, m identity.Membership, added, renewed, previous []identity.OrgRoleGrant) error {
	defer s.lock()()
	part := s.orgRolePart()
	var tx transaction
	tx.add("member", m.OrganizationID, m.UserID)
	for _, g := range added {
		tx.add("grant", g.OrganizationID, g.UserID, g.RoleID)
		tx.add("role", g.OrganizationID, g.RoleID)
	}
	for _, g := range renewed {
		tx.add("grant", g.OrganizationID, g.UserID, g.RoleID)
	}
	if err := tx.check(); err != nil {
		return err
	}
	if _, ok := s.members[memberOf(m)]; !ok {
		return failure.Race("member")
	}
	for _, g := range added {
		if _, exists := part.grants[grantOf(g)]; exists {
			return failure.Race("role")
		}
		if _, ok := part.roles[pair{g.OrganizationID, g.RoleID}]; !ok {
			return failure.Race("role")
		}
	}
	for i, g := range renewed {
		cur, ok := part.grants[grantOf(g)]
		if !ok || i >= len(previous) || !cur.MemberJoined.Equal(previous[i].MemberJoined) {
			return failure.Race("role")
		}
	}
	for _, g := range added {
		part.grants[grantOf(g)] = g
		r := part.roles[pair{g.OrganizationID, g.RoleID}]
		r.Holders++
		part.roles[pair{g.OrganizationID, g.RoleID}] = r
	}
	for _, g := range renewed {
		part.grants[grantOf(g)] = g
	}
	return s.wrote()
}

// RevokeOrgRole deletes the grant and counts it off its role.
func (s *Store) RevokeOrgRole(_ context.Context, g identity.OrgRoleGrant) error {
	defer s.lock()()
	part := s.orgRolePart()
	if _, ok := part.grants[grantOf(g)]; !ok {
		return failure.Race("role")
	}
	delete(part.grants, grantOf(g))
	k := pair{g.OrganizationID, g.RoleID}
	if r, ok := part.roles[k]; ok {
		r.Holders--
		part.roles[k] = r
	}
	return s.wrote()
}
