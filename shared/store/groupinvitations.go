package store

import (
	"context"
	"errors"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/guregu/dynamo/v2"

	"github.com/effektif-serverless/caseflow/shared/failure"
	"github.com/effektif-serverless/caseflow/shared/identity"
)

// Keys of group invitations (identity.GroupInvitationStore):
//
//	ORG#<orgId>          GINV#<id>                             the invitation; GSI1 GINVITEE#<address> / <state>#<created>#<id>
//	ORG#<orgId>          GINVSTATE#<state>#<created>#<id>      a copy of it, for the organization's list by state
//	GINVID#<id>          GINVID                                the id's organization (ids are unique across organizations)
//	GINVTOKEN#<hash>     GINVTOKEN                             a send's token hash -> the invitation (TTL: the token's end)
//
// The lists by state are one Query each: the organization's on the
// GINVSTATE# range of its partition, the invitee's on GSI1. Every write
// of an invitation is one transaction with its copy (moved when the state
// changes) and, when a send replaced the token, with the token look-ups,
// on condition of the version and state read, so each change of state
// happens once. A token's look-up stays after the invitation closes (the
// core answers Gone for it) until TTL removes it. The items under
// ORG#<orgId> go with the organization's purge; the GINVID# and
// GINVTOKEN# look-ups of a purged organization point to nothing (NotFound).

type groupInvItem struct {
	key
	identity.GroupInvitation
}

type groupInvIDItem struct {
	key
	OrganizationID string `dynamo:"organizationId"`
}

type groupInvTokenItem struct {
	key
	OrganizationID string `dynamo:"organizationId"`
	InvitationID   string `dynamo:"invitationId"`
}

func groupInvSortPart(inv identity.GroupInvitation) string {
	return inv.State + "#" + timeString(inv.Created) + "#" + inv.ID
}

func groupInvKey(orgID, id string) key { return key{PK: "ORG#" + orgID, SK: "GINV#" + id} }

func newGroupInvItem(inv identity.GroupInvitation) groupInvItem {
	k := groupInvKey(inv.OrganizationID, inv.ID)
	k.GSI1PK, k.GSI1SK = groupInviteeKey(inv.Email), groupInvSortPart(inv)
	return groupInvItem{key: k, GroupInvitation: inv}
}

func groupInviteeKey(email string) string { return "GINVITEE#" + identity.NormalizeEmail(email) }

func groupInvStateKey(inv identity.GroupInvitation) key {
	return key{PK: "ORG#" + inv.OrganizationID, SK: "GINVSTATE#" + groupInvSortPart(inv)}
}

func groupInvIDKey(id string) key { return key{PK: "GINVID#" + id, SK: "GINVID"} }

func groupInvTokenKey(hash string) key { return key{PK: "GINVTOKEN#" + hash, SK: "GINVTOKEN"} }

func (s *DB) groupInvTokenPut(inv identity.GroupInvitation) *dynamo.Put {
	k := groupInvTokenKey(inv.TokenHash)
	k.ExpiresAt = inv.TokenExpires
	return s.table.Put(groupInvTokenItem{key: k, OrganizationID: inv.OrganizationID, InvitationID: inv.ID})
}

// CreateGroupInvitation claims the id and writes the invitation and its
// copy, together.
func (s *DB) CreateGroupInvitation(ctx context.Context, inv identity.GroupInvitation) error {
	ik := groupInvIDKey(inv.ID)
	tx := s.db.WriteTx().
		Put(s.table.Put(groupInvIDItem{key: ik, OrganizationID: inv.OrganizationID}).If(notExists)).
		Put(s.table.Put(newGroupInvItem(inv)).If(notExists)).
		Put(s.table.Put(groupInvItem{key: groupInvStateKey(inv), GroupInvitation: inv}))
	if inv.TokenHash != "" {
		tx.Put(s.groupInvTokenPut(inv))
	}
	err := tx.Run(ctx)
	switch failedCondition(err) {
	case -1:
		return groupInvWriteError(err, "create group invitation")
	case 0:
		return identity.ErrGroupInvitationExists
	default:
		return failure.Race("invitation")
	}
}

// GetGroupInvitation reads one invitation.
func (s *DB) GetGroupInvitation(ctx context.Context, organizationID, id string) (identity.GroupInvitation, error) {
	var it groupInvItem
	k := groupInvKey(organizationID, id)
	err := notFound(s.get(ctx, k.PK, k.SK, &it), "group invitation")
	return it.GroupInvitation, err
}

// GroupInvitationOrganization reads the id's look-up.
func (s *DB) GroupInvitationOrganization(ctx context.Context, id string) (string, error) {
	var it groupInvIDItem
	k := groupInvIDKey(id)
	err := notFound(s.get(ctx, k.PK, k.SK, &it), "group invitation")
	return it.OrganizationID, err
}

// GroupInvitationByToken reads the token's look-up, then the invitation.
func (s *DB) GroupInvitationByToken(ctx context.Context, tokenHash string) (identity.GroupInvitation, error) {
	var it groupInvTokenItem
	k := groupInvTokenKey(tokenHash)
	if err := notFound(s.get(ctx, k.PK, k.SK, &it), "group invitation"); err != nil {
		return identity.GroupInvitation{}, err
	}
	return s.GetGroupInvitation(ctx, it.OrganizationID, it.InvitationID)
}

// groupInvWrites adds to tx the writes of inv over previous: the
// invitation on condition of previous's version and state (the first
// item), its copy (moved when the state changes), and the token look-ups
// when the hash changed.
func (s *DB) groupInvWrites(tx *dynamo.WriteTx, inv, previous identity.GroupInvitation) {
	tx.Put(s.table.Put(newGroupInvItem(inv)).If("'Version' = ? AND 'State' = ?", previous.Version, previous.State))
	if ok, nk := groupInvStateKey(previous), groupInvStateKey(inv); ok != nk {
		tx.Delete(s.table.Delete(hashKey, ok.PK).Range(rangeKey, ok.SK))
	}
	tx.Put(s.table.Put(groupInvItem{key: groupInvStateKey(inv), GroupInvitation: inv}))
	if inv.TokenHash != previous.TokenHash {
		if previous.TokenHash != "" {
			tk := groupInvTokenKey(previous.TokenHash)
			tx.Delete(s.table.Delete(hashKey, tk.PK).Range(rangeKey, tk.SK))
		}
		if inv.TokenHash != "" {
			tx.Put(s.groupInvTokenPut(inv))
		}
	}
}

// SaveGroupInvitation stores inv on condition of previous, in one
// transaction with its copy and token look-ups.
func (s *DB) SaveGroupInvitation(ctx context.Context, inv, previous identity.GroupInvitation) error {
	tx := s.db.WriteTx()
	s.groupInvWrites(tx, inv, previous)
	return groupInvWriteError(tx.Run(ctx), "store group invitation")
}

// AcceptGroupInvitation writes the acceptance in one transaction: the
// invitation (on its version and state), the membership (a new one with
// its username, or the existing one gaining the groups within
// identity.MaxGroupsPerMember), and each added group gaining the member
// (while it exists and has room).
func (s *DB) AcceptGroupInvitation(ctx context.Context, w identity.GroupInvitationAcceptance) error {
	m := w.Membership
	orgID := m.OrganizationID
	tx := s.db.WriteTx()
	s.groupInvWrites(tx, w.Invitation, w.Previous)
	usernameAt := -1
	if w.NewMember {
		nm := m
		nm.GroupIDs = w.AddedGroups
		tx.Put(s.table.Put(newMemberItem(nm)).If(notExists))
		usernameAt = groupInvWriteCount(w.Invitation, w.Previous) + 1
		tx.Put(s.table.Put(usernameItem{key: usernameKey(orgID, m.Username), UserID: m.UserID}).If(notExists))
	} else {
		mk := memberKey(orgID, m.UserID)
		mu := s.table.Update(hashKey, mk.PK).Range(rangeKey, mk.SK)
		if len(w.AddedGroups) > 0 {
			mu.AddStringsToSet("GroupIDs", w.AddedGroups...).
				If("attribute_exists(pk) AND (attribute_not_exists('GroupIDs') OR size('GroupIDs') <= ?)", identity.MaxGroupsPerMember-len(w.AddedGroups))
			tx.Update(mu)
		} else {
			tx.Check(s.table.Check(hashKey, mk.PK).Range(rangeKey, mk.SK).IfExists())
		}
	}
	for _, id := range w.AddedGroups {
		gk := groupKey(orgID, id)
		tx.Update(s.table.Update(hashKey, gk.PK).Range(rangeKey, gk.SK).AddStringsToSet("UserIDs", m.UserID).Add("Version", 1).
			If("attribute_exists(pk) AND (attribute_not_exists('UserIDs') OR size('UserIDs') < ?)", identity.MaxGroupMembers))
	}
	err := tx.Run(ctx)
	if i := failedCondition(err); i >= 0 && i == usernameAt {
		return identity.ErrUsernameTaken
	}
	return groupInvWriteError(err, "accept group invitation")
}

// groupInvWriteCount is the number of items groupInvWrites adds.
func groupInvWriteCount(inv, previous identity.GroupInvitation) int {
	n := 2
	if groupInvStateKey(previous) != groupInvStateKey(inv) {
		n++
	}
	if inv.TokenHash != previous.TokenHash {
		if previous.TokenHash != "" {
			n++
		}
		if inv.TokenHash != "" {
			n++
		}
	}
	return n
}

// DeleteGroupInvitation deletes the invitation (on its version), its
// copy, its id look-up and its token look-up, together.
func (s *DB) DeleteGroupInvitation(ctx context.Context, inv identity.GroupInvitation) error {
	k, sk, ik := groupInvKey(inv.OrganizationID, inv.ID), groupInvStateKey(inv), groupInvIDKey(inv.ID)
	tx := s.db.WriteTx().
		Delete(s.table.Delete(hashKey, k.PK).Range(rangeKey, k.SK).If("'Version' = ?", inv.Version)).
		Delete(s.table.Delete(hashKey, sk.PK).Range(rangeKey, sk.SK)).
		Delete(s.table.Delete(hashKey, ik.PK).Range(rangeKey, ik.SK))
	if inv.TokenHash != "" {
		tk := groupInvTokenKey(inv.TokenHash)
		tx.Delete(s.table.Delete(hashKey, tk.PK).Range(rangeKey, tk.SK))
	}
	return groupInvWriteError(tx.Run(ctx), "delete group invitation")
}

// GroupInvitationsOf is one Query of the organization's GINVSTATE#<state>#
// range.
func (s *DB) GroupInvitationsOf(ctx context.Context, organizationID, state string, offset, limit int) ([]identity.GroupInvitation, error) {
	var items []groupInvItem
	q := s.table.Get(hashKey, "ORG#"+organizationID).Range(rangeKey, dynamo.BeginsWith, "GINVSTATE#"+state+"#")
	if err := pageInto(ctx, q, offset, limit, &items); err != nil {
		return nil, failure.Wrap(err, "list group invitations")
	}
	return groupInvitations(items), nil
}

// GroupInvitationsTo is one Query of the address's GSI1 range of the state.
func (s *DB) GroupInvitationsTo(ctx context.Context, normalizedEmail, state string, offset, limit int) ([]identity.GroupInvitation, error) {
	var items []groupInvItem
	q := s.table.Get("gsi1pk", groupInviteeKey(normalizedEmail)).Index(gsi1).Range("gsi1sk", dynamo.BeginsWith, state+"#")
	if err := pageInto(ctx, q, offset, limit, &items); err != nil {
		return nil, failure.Wrap(err, "list group invitations to an address")
	}
	return groupInvitations(items), nil
}

func groupInvitations(items []groupInvItem) []identity.GroupInvitation {
	out := make([]identity.GroupInvitation, len(items))
	for i, it := range items {
		out[i] = it.GroupInvitation
	}
	return out
}

// groupInvWriteError maps a canceled transaction (a failed condition, or
// another transaction in the way) to a retryable Conflict.
func groupInvWriteError(err error, what string) error {
	var canceled *types.TransactionCanceledException
	if dynamo.IsCondCheckFailed(err) || errors.As(err, &canceled) {
		return failure.Race("invitation")
	}
	if err != nil {
		return failure.Wrap(err, "%s", what)
	}
	return nil
}
