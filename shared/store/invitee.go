package store

import (
	"context"

	"github.com/effektif-serverless/caseflow/shared/failure"
	"github.com/effektif-serverless/caseflow/shared/identity"
)

// The invitee's side of invitations: an invitation item is also on GSI1
// under INVITEE#<address> / ORG#<orgId>, so the open invitations of one
// address, in every organization, are one Query.

func inviteeKey(email string) string { return "INVITEE#" + identity.NormalizeEmail(email) }

// InvitationsTo is one Query of the invitations to the address on GSI1.
func (s *DB) InvitationsTo(ctx context.Context, normalizedEmail string, limit int) ([]identity.Invitation, error) {
	var items []invitationItem
	err := s.table.Get("gsi1pk", inviteeKey(normalizedEmail)).Index(gsi1).Limit(limit).All(ctx, &items)
	if err != nil {
		return nil, failure.Wrap(err, "list invitations to an address")
	}
	out := make([]identity.Invitation, len(items))
	for i, it := range items {
		out[i] = it.invitation()
	}
	return out, nil
}

// Positions of the conditional items of AcceptInvitation.
const (
	acceptInvitation = 0
	acceptMember     = 2
	acceptUsername   = 3
)

// AcceptInvitation writes the acceptance in one transaction: the
// invitation (still the one read: its code hash) and its registration go,
// the membership and its username come, and the organization's admins
// are stored on its version when the member is an admin.
func (s *DB) AcceptInvitation(ctx context.Context, inv identity.Invitation, o identity.Organization, m identity.Membership) error {
	ik, rk := invitationKey(inv.OrganizationID, inv.Email), registrationKey(inv.CodeHash)
	tx := s.db.WriteTx().
		Delete(s.table.Delete(hashKey, ik.PK).Range(rangeKey, ik.SK).If("attribute_exists(pk) AND 'CodeHash' = ?", inv.CodeHash)).
		Delete(s.table.Delete(hashKey, rk.PK).Range(rangeKey, rk.SK)).
		Put(s.table.Put(newMemberItem(m)).If(notExists)).
		Put(s.table.Put(usernameItem{key: usernameKey(m.OrganizationID, m.Username), UserID: m.UserID}).If(notExists))
	if m.IsAdmin() {
		tx.Put(s.table.Put(orgItem{key: orgKey(o.ID), Organization: o}).If("'Version' = ?", o.Version-1))
	}
	err := tx.Run(ctx)
	switch failedCondition(err) {
	case -1:
		if err != nil {
			return failure.Wrap(err, "accept invitation")
		}
		return nil
	case acceptInvitation:
		return failure.New(failure.NotFound, "no invitation to this organization for your address")
	case acceptMember:
		return failure.New(failure.Conflict, "you are a member of this organization already")
	case acceptUsername:
		return identity.ErrUsernameTaken
	default:
		return failure.Race("organization")
	}
}
