package store

import (
	"context"
	"strings"

	"github.com/guregu/dynamo/v2"

	"github.com/effektif-serverless/caseflow/shared/failure"
	"github.com/effektif-serverless/caseflow/shared/identity"
)

// Keys of organization roles (identity.OrgRoleStore), in the
// organization's partition (so they go with its purge):
//
//	ORG#<orgId>  OROLE#<roleId>                  a custom role (Holders counts its grants)
//	ORG#<orgId>  OROLENAME#<lower-case name>     the role's unique name -> role id
//	ORG#<orgId>  OROLEGRANT#<userId>#<roleId>    a grant; GSI1 OROLEHOLDERS#<orgId>#<roleId> / <userId>
//
// A member's grants are one Query of OROLEGRANT#<userId>#, a role's
// holders one Query on GSI1. A grant and the count on its role are
// written in one transaction, so deleting a role on condition of its
// Holders deletes every grant of it (a role's update changes only its
// texts, never Holders). Built-in roles are not stored.

type orgRoleItem struct {
	key
	identity.OrgRole
}

type orgRoleNameItem struct {
	key
	RoleID string `dynamo:"roleId"`
}

type orgRoleGrantItem struct {
	key
	identity.OrgRoleGrant
}

func orgRoleKey(orgID, id string) key { return key{PK: "ORG#" + orgID, SK: "OROLE#" + id} }

func orgRoleNameKey(orgID, name string) key {
	return key{PK: "ORG#" + orgID, SK: "OROLENAME#" + strings.ToLower(name)}
}

func orgRoleGrantKey(g identity.OrgRoleGrant) key {
	return key{PK: "ORG#" + g.OrganizationID, SK: "OROLEGRANT#" + g.UserID + "#" + g.RoleID,
		GSI1PK: "OROLEHOLDERS#" + g.OrganizationID + "#" + g.RoleID, GSI1SK: g.UserID}
}

// CreateOrgRole writes the role and its name, both new, together.
func (s *DB) CreateOrgRole(ctx context.Context, r identity.OrgRole) error {
	r.BuiltIn = false
	err := s.db.WriteTx().
		Put(s.table.Put(orgRoleItem{key: orgRoleKey(r.OrganizationID, r.ID), OrgRole: r}).If(notExists)).
		Put(s.table.Put(orgRoleNameItem{key: orgRoleNameKey(r.OrganizationID, r.Name), RoleID: r.ID}).If(notExists)).
		Run(ctx)
	switch failedCondition(err) {
	case -1:
		return roleWriteError(err, "create role")
	case 0:
		return identity.ErrOrgRoleExists
	default:
		return identity.ErrOrgRoleNameTaken
	}
}

// GetOrgRole reads one role.
func (s *DB) GetOrgRole(ctx context.Context, organizationID, id string) (identity.OrgRole, error) {
	var it orgRoleItem
	k := orgRoleKey(organizationID, id)
	err := notFound(s.get(ctx, k.PK, k.SK, &it), "role")
	return it.OrgRole, err
}

// OrgRoles is one Query of the OROLE# range.
func (s *DB) OrgRoles(ctx context.Context, organizationID string, limit int) ([]identity.OrgRole, error) {
	var items []orgRoleItem
	q := s.table.Get(hashKey, "ORG#"+organizationID).Range(rangeKey, dynamo.BeginsWith, "OROLE#")
	if err := pageInto(ctx, q, 0, limit, &items); err != nil {
		return nil, failure.Wrap(err, "list roles")
	}
	out := make([]identity.OrgRole, len(items))
	for i, it := range items {
		out[i] = it.OrgRole
	}
	return out, nil
}

// UpdateOrgRole updates the role's texts on its version and moves the
// name's claim when it changed, together.
func (s *DB) UpdateOrgRole(ctx context.Context, r identity.OrgRole, oldName string) error {
	k := orgRoleKey(r.OrganizationID, r.ID)
	u := s.table.Update(hashKey, k.PK).Range(rangeKey, k.SK).
		Set("Name", r.Name).Set("Updated", r.Updated).Set("Version", r.Version).If("'Version' = ?", r.Version-1)
	if r.Description == "" {
		u.Remove("Description")
	} else {
		u.Set("Description", r.Description)
	}
	if len(r.Permissions) == 0 {
		u.Remove("Permissions")
	} else {
		u.Set("Permissions", r.Permissions)
	}
	tx := s.db.WriteTx().Update(u)
	if !strings.EqualFold(oldName, r.Name) {
		ok := orgRoleNameKey(r.OrganizationID, oldName)
		tx.Delete(s.table.Delete(hashKey, ok.PK).Range(rangeKey, ok.SK)).
			Put(s.table.Put(orgRoleNameItem{key: orgRoleNameKey(r.OrganizationID, r.Name), RoleID: r.ID}).If(notExists))
	}
	err := tx.Run(ctx)
	switch failedCondition(err) {
	case -1:
		return roleWriteError(err, "update role")
	case 0:
		return failure.Race("role")
	default:
		return identity.ErrOrgRoleNameTaken
	}
}

// DeleteOrgRole deletes the role on its version and Holders, its name
// and its grants, together.
func (s *DB) DeleteOrgRole(ctx context.Context, r identity.OrgRole, grants []identity.OrgRoleGrant) error {
	k, nk := orgRoleKey(r.OrganizationID, r.ID), orgRoleNameKey(r.OrganizationID, r.Name)
	del := s.table.Delete(hashKey, k.PK).Range(rangeKey, k.SK)
	if len(grants) == 0 {
		del.If("'Version' = ? AND (attribute_not_exists('Holders') OR 'Holders' = ?)", r.Version, 0)
	} else {
		del.If("'Version' = ? AND 'Holders' = ?", r.Version, len(grants))
	}
	tx := s.db.WriteTx().Delete(del).Delete(s.table.Delete(hashKey, nk.PK).Range(rangeKey, nk.SK))
	for _, g := range grants {
		gk := orgRoleGrantKey(g)
		tx.Delete(s.table.Delete(hashKey, gk.PK).Range(rangeKey, gk.SK))
	}
	return roleWriteError(tx.Run(ctx), "delete role")
}

// OrgRoleHolders is one Query of the role's grants on GSI1.
func (s *DB) OrgRoleHolders(ctx context.Context, organizationID, roleID string, limit int) ([]identity.OrgRoleGrant, error) {
	var items []orgRoleGrantItem
	q := s.table.Get("gsi1pk", "OROLEHOLDERS#"+organizationID+"#"+roleID).Index(gsi1)
	if err := pageInto(ctx, q, 0, limit, &items); err != nil {
		return nil, failure.Wrap(err, "list a role's holders")
	}
	return grants(items), nil
}

// MemberOrgRoleGrants is one Query of the user's OROLEGRANT# range.
func (s *DB) MemberOrgRoleGrants(ctx context.Context, organizationID, userID string, limit int) ([]identity.OrgRoleGrant, error) {
	var items []orgRoleGrantItem
	q := s.table.Get(hashKey, "ORG#"+organizationID).Range(rangeKey, dynamo.BeginsWith, "OROLEGRANT#"+userID+"#")
	if err := pageInto(ctx, q, 0, limit, &items); err != nil {
		return nil, failure.Wrap(err, "list a member's roles")
	}
	return grants(items), nil
}

func grants(items []orgRoleGrantItem) []identity.OrgRoleGrant {
	out := make([]identity.OrgRoleGrant, len(items))
	for i, it := range items {
		out[i] = it.OrgRoleGrant
	}
	return out
}

// GrantOrgRoles writes the grants in one transaction: the membership is
// checked, each added grant is new and counted on its existing role, each
// renewed grant replaces the one of an earlier membership.
func (s *DB) GrantOrgRoles(ctx context.Context, m identity.Membership, added, renewed, previous []identity.OrgRoleGrant) error {
	mk := memberKey(m.OrganizationID, m.UserID)
	tx := s.db.WriteTx().Check(s.table.Check(hashKey, mk.PK).Range(rangeKey, mk.SK).IfExists())
	for _, g := range added {
		rk := orgRoleKey(g.OrganizationID, g.RoleID)
		tx.Put(s.table.Put(orgRoleGrantItem{key: orgRoleGrantKey(g), OrgRoleGrant: g}).If(notExists)).
			Update(s.table.Update(hashKey, rk.PK).Range(rangeKey, rk.SK).Add("Holders", 1).If("attribute_exists(pk)"))
	}
	for i, g := range renewed {
		if i >= len(previous) {
			return failure.New(failure.Internal, "a renewed grant without its previous one")
		}
		tx.Put(s.table.Put(orgRoleGrantItem{key: orgRoleGrantKey(g), OrgRoleGrant: g}).If("'MemberJoined' = ?", previous[i].MemberJoined))
	}
	return roleWriteError(tx.Run(ctx), "grant roles")
}

// RevokeOrgRole deletes the grant and counts it off its role, together.
func (s *DB) RevokeOrgRole(ctx context.Context, g identity.OrgRoleGrant) error {
	gk, rk := orgRoleGrantKey(g), orgRoleKey(g.OrganizationID, g.RoleID)
	err := s.db.WriteTx().
		Delete(s.table.Delete(hashKey, gk.PK).Range(rangeKey, gk.SK).If("attribute_exists(pk)")).
		Update(s.table.Update(hashKey, rk.PK).Range(rangeKey, rk.SK).Add("Holders", -1).If("attribute_exists(pk)")).
		Run(ctx)
	return roleWriteError(err, "remove role")
}

// roleWriteError maps a canceled transaction to a retryable Conflict.
func roleWriteError(err error, what string) error {
	if err == nil {
		return nil
	}
	if failedCondition(err) >= 0 || dynamo.IsCondCheckFailed(err) {
		return failure.Race("role")
	}
	return groupInvWriteError(err, what)
}
