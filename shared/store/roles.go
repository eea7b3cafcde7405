package store

import (
	"context"
	"strings"

	"github.com/effektif-serverless/caseflow/shared/failure"
	"github.com/effektif-serverless/caseflow/shared/identity"
)

// Keys of the role model and usernames:
//
//	ORG#<orgId>   USERNAME#<lower-case name>   a member's username -> user id

type usernameItem struct {
	key
	UserID string `dynamo:"userId"`
}

func usernameKey(orgID, username string) key {
	return key{PK: "ORG#" + orgID, SK: "USERNAME#" + strings.ToLower(username)}
}

// UpdateRole sets the membership's role and flags (an update, so its
// groups and username stay as they are) and, when the admins changed, the
// organization on its version, together.
func (s *DB) UpdateRole(ctx context.Context, o identity.Organization, m identity.Membership, adminsChanged bool) error {
	mk := memberKey(m.OrganizationID, m.UserID)
	tx := s.db.WriteTx().Update(s.table.Update(hashKey, mk.PK).Range(rangeKey, mk.SK).
		Set("Role", m.Role).Set("Operator", m.Operator).Set("Disabled", m.Disabled).If("attribute_exists(pk)"))
	if adminsChanged {
		tx.Put(s.table.Put(orgItem{key: orgKey(o.ID), Organization: o}).If("'Version' = ?", o.Version-1))
	}
	err := tx.Run(ctx)
	switch failedCondition(err) {
	case -1:
	case 0:
		return failure.New(failure.NotFound, "no such user in this organization")
	default:
		return failure.Race("organization")
	}
	return versionConflict(err, "membership")
}

// UsernameOwner reads the username item.
func (s *DB) UsernameOwner(ctx context.Context, orgID, username string) (string, error) {
	var it usernameItem
	k := usernameKey(orgID, username)
	err := notFound(s.get(ctx, k.PK, k.SK, &it), "username")
	return it.UserID, err
}

// ClaimUsername writes the username item on condition that it is free and
// the membership's username on condition that it has none, together.
func (s *DB) ClaimUsername(ctx context.Context, m identity.Membership, username string) error {
	mk := memberKey(m.OrganizationID, m.UserID)
	err := s.db.WriteTx().
		Put(s.table.Put(usernameItem{key: usernameKey(m.OrganizationID, username), UserID: m.UserID}).If(notExists)).
		Update(s.table.Update(hashKey, mk.PK).Range(rangeKey, mk.SK).Set("Username", username).
			If("attribute_exists(pk) AND (attribute_not_exists('Username') OR 'Username' = ?)", "")).
		Run(ctx)
	switch failedCondition(err) {
	case -1:
	case 0:
		return identity.ErrUsernameTaken
	default:
		return failure.Race("membership")
	}
	if err != nil {
		return failure.Wrap(err, "claim username")
	}
	return nil
}

// GroupsByID is one BatchGetItem of the organization's group items.
func (s *DB) GroupsByID(ctx context.Context, orgID string, ids []string) ([]identity.Group, error) {
	var items []groupItem
	if err := s.batchGet(ctx, ids, func(id string) key { return groupKey(orgID, id) }, &items); err != nil {
		return nil, failure.Wrap(err, "read groups")
	}
	out := make([]identity.Group, 0, len(items))
	for _, it := range items {
		if it.OrganizationID == orgID {
			out = append(out, it.Group)
		}
	}
	return out, nil
}
