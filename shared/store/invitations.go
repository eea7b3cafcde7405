package store

import (
	"context"
	"errors"
	"time"

	"github.com/guregu/dynamo/v2"

	"github.com/effektif-serverless/caseflow/shared/failure"
	"github.com/effektif-serverless/caseflow/shared/identity"
)

// Keys of invitation items:
//
//	ORG#<orgId>       INVITE#<email>   an invitation (TTL at its expiry); GSI1 INVITEE#<email> / ORG#<orgId>
//	SESMSG#<id>       SESMSG           the invitation an SES message id belongs to (TTL)

type invitationItem struct {
	key
	identity.Invitation
	// StatusAt is Invitation.StatusTime as a string that sorts in time order.
	StatusAt string `dynamo:"statusAt"`
}

func (it invitationItem) invitation() identity.Invitation {
	inv := it.Invitation
	inv.StatusTime = parseTime(it.StatusAt)
	return inv
}

func invitationKey(orgID, email string) key {
	return key{PK: "ORG#" + orgID, SK: "INVITE#" + identity.NormalizeEmail(email)}
}

type sesMessageItem struct {
	key
	OrganizationID, Email string
}

func newInvitationItem(inv identity.Invitation) invitationItem {
	k := invitationKey(inv.OrganizationID, inv.Email)
	k.ExpiresAt = inv.Expires
	k.GSI1PK, k.GSI1SK = inviteeKey(inv.Email), "ORG#"+inv.OrganizationID
	return invitationItem{key: k, Invitation: inv, StatusAt: timeString(inv.StatusTime)}
}

func newRegistrationItem(r identity.Registration) registrationItem {
	k := registrationKey(r.CodeHash)
	k.ExpiresAt = r.Expires
	return registrationItem{key: k, Registration: r}
}

// AddMembership adds a member on condition that they are not one.
func (s *DB) AddMembership(ctx context.Context, m identity.Membership) error {
	err := s.table.Put(newMemberItem(m)).If(notExists).Run(ctx)
	if dynamo.IsCondCheckFailed(err) {
		return failure.Field(identity.FieldEmail, "the user is already a member")
	}
	if err != nil {
		return failure.Wrap(err, "add member")
	}
	return nil
}

// CreateInvitation stores invitation and registration together.
func (s *DB) CreateInvitation(ctx context.Context, inv identity.Invitation, reg identity.Registration) error {
	err := s.db.WriteTx().
		Put(s.table.Put(newInvitationItem(inv)).If(notExists)).
		Put(s.table.Put(newRegistrationItem(reg)).If(notExists)).
		Run(ctx)
	if failedCondition(err) == 0 {
		return failure.Field(identity.FieldEmail, "%s is invited already; resend the invitation instead", inv.Email)
	}
	if err != nil {
		return failure.Wrap(err, "store invitation")
	}
	return nil
}

// InvitationSent stores the invitation and its SES message look-up.
func (s *DB) InvitationSent(ctx context.Context, inv identity.Invitation) error {
	msg := sesMessageItem{key: key{PK: "SESMSG#" + inv.SESMessageID, SK: "SESMSG", ExpiresAt: inv.Expires}, OrganizationID: inv.OrganizationID, Email: inv.Email}
	err := s.db.WriteTx().
		Put(s.table.Put(newInvitationItem(inv)).If("'Version' = ?", inv.Version-1)).
		Put(s.table.Put(msg)).
		Run(ctx)
	return versionConflict(err, "invitation")
}

// RenewInvitation swaps the registration and stores the invitation together.
func (s *DB) RenewInvitation(ctx context.Context, inv identity.Invitation, oldHash string, reg identity.Registration) error {
	old := registrationKey(oldHash)
	err := s.db.WriteTx().
		Delete(s.table.Delete(hashKey, old.PK).Range(rangeKey, old.SK)).
		Put(s.table.Put(newRegistrationItem(reg)).If(notExists)).
		Put(s.table.Put(newInvitationItem(inv)).If("'Version' = ?", inv.Version-1)).
		Run(ctx)
	return versionConflict(err, "invitation")
}

// GetInvitation reads an invitation by address.
func (s *DB) GetInvitation(ctx context.Context, orgID, email string) (identity.Invitation, error) {
	var it invitationItem
	k := invitationKey(orgID, email)
	err := notFound(s.get(ctx, k.PK, k.SK, &it), "invitation")
	return it.invitation(), err
}

// Invitations is one Query of an organization's invitations.
func (s *DB) Invitations(ctx context.Context, orgID string, limit int) ([]identity.Invitation, error) {
	var items []invitationItem
	q := s.table.Get(hashKey, "ORG#"+orgID).Range(rangeKey, dynamo.BeginsWith, "INVITE#")
	if err := pageInto(ctx, q, 0, limit, &items); err != nil {
		return nil, failure.Wrap(err, "list invitations")
	}
	out := make([]identity.Invitation, len(items))
	for i, it := range items {
		out[i] = it.invitation()
	}
	return out, nil
}

// DeleteInvitation deletes the invitation and its registration together.
func (s *DB) DeleteInvitation(ctx context.Context, inv identity.Invitation) error {
	k, r := invitationKey(inv.OrganizationID, inv.Email), registrationKey(inv.CodeHash)
	err := s.db.WriteTx().
		Delete(s.table.Delete(hashKey, k.PK).Range(rangeKey, k.SK)).
		Delete(s.table.Delete(hashKey, r.PK).Range(rangeKey, r.SK)).
		Run(ctx)
	if err != nil {
		return failure.Wrap(err, "delete invitation")
	}
	return nil
}

// RecordInvitationStatus updates the status of the invitation whose latest
// mail is the message, when it differs and the notification is newer than
// the recorded status (statusAt, a fixed-width time string that compares
// in time order): one conditional update.
func (s *DB) RecordInvitationStatus(ctx context.Context, sesMessageID, status, detail string, at time.Time) (bool, error) {
	var msg sesMessageItem
	err := s.get(ctx, "SESMSG#"+sesMessageID, "SESMSG", &msg)
	if errors.Is(err, dynamo.ErrNotFound) {
		return false, nil // not an invitation's mail, or expired
	}
	if err != nil {
		return false, failure.Wrap(err, "read SES message")
	}
	k := invitationKey(msg.OrganizationID, msg.Email)
	err = s.table.Update(hashKey, k.PK).Range(rangeKey, k.SK).
		Set("Status", status).Set("Detail", detail).Set("statusAt", timeString(at)).Add("Version", 1).
		If("attribute_exists(pk) AND 'SESMessageID' = ? AND 'Status' <> ? AND (attribute_not_exists(statusAt) OR statusAt < ?)",
			sesMessageID, status, timeString(at)).Run(ctx)
	if dynamo.IsCondCheckFailed(err) {
		return false, nil
	}
	if err != nil {
		return false, failure.Wrap(err, "record delivery")
	}
	return true, nil
}

// JoinByInvitation writes the acceptance of an invitation by an existing
// account in one transaction. An account that is a member already keeps
// its membership (role and groups) as it is.
func (s *DB) JoinByInvitation(ctx context.Context, reg identity.Registration, m identity.Membership, sess identity.Session) error {
	rk, ik := registrationKey(reg.CodeHash), invitationKey(reg.InvitedTo, reg.Email)
	for _, join := range []bool{true, false} {
		tx := s.db.WriteTx().
			Delete(s.table.Delete(hashKey, rk.PK).Range(rangeKey, rk.SK).If("attribute_exists(pk)")).
			Delete(s.table.Delete(hashKey, ik.PK).Range(rangeKey, ik.SK)).
			Put(s.table.Put(newSessionItem(sess)))
		if join {
			tx.Put(s.table.Put(newMemberItem(m)).If(notExists))
		}
		err := tx.Run(ctx)
		switch failedCondition(err) {
		case 0:
			return identity.ErrRegistrationUsed
		case 3:
			continue // a member already
		}
		if err != nil {
			return failure.Wrap(err, "join by invitation")
		}
		return nil
	}
	return failure.New(failure.Conflict, "the invitation conflicts with existing data")
}
