package store

import (
	"context"
	"errors"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/guregu/dynamo/v2"

	"github.com/effektif-serverless/caseflow/shared/failure"
	"github.com/effektif-serverless/caseflow/shared/identity"
)

// Groups is one Query of the organization's group items.
func (s *DB) Groups(ctx context.Context, orgID string, limit int) ([]identity.Group, error) {
	var items []groupItem
	q := s.table.Get(hashKey, "ORG#"+orgID).Range(rangeKey, dynamo.BeginsWith, "GROUP#")
	if err := pageInto(ctx, q, 0, limit, &items); err != nil {
		return nil, failure.Wrap(err, "list groups")
	}
	out := make([]identity.Group, len(items))
	for i, it := range items {
		out[i] = it.Group
	}
	return out, nil
}

// ChangeMember writes a member change in one transaction (see
// identity.MemberWrite). The membership's groups are set on condition
// that they are still the ones read (same size, each one there); an added
// group must exist and have room, and its version counts up, as a
// removed group's does.
func (s *DB) ChangeMember(ctx context.Context, w identity.MemberWrite) error {
	m := w.Membership
	orgID := m.OrganizationID
	tx := s.db.WriteTx()
	mk := memberKey(orgID, m.UserID)
	mu := s.table.Update(hashKey, mk.PK).Range(rangeKey, mk.SK).If("attribute_exists(pk)")
	touched := false
	if w.RoleChanged {
		mu.Set("Role", m.Role).Set("Operator", m.Operator).Set("Disabled", m.Disabled)
		touched = true
	}
	if w.MainGroupChanged {
		mu.Set("MainGroupID", m.MainGroupID)
		touched = true
	}
	if w.GroupsChanged {
		mu.SetSet("GroupIDs", m.GroupIDs)
		if len(w.PreviousGroupIDs) == 0 {
			mu.If("attribute_not_exists('GroupIDs') OR size('GroupIDs') = ?", 0)
		} else {
			cond := []string{"size('GroupIDs') = ?"}
			args := []any{len(w.PreviousGroupIDs)}
			for _, id := range w.PreviousGroupIDs {
				cond = append(cond, "contains('GroupIDs', ?)")
				args = append(args, id)
			}
			mu.If(strings.Join(cond, " AND "), args...)
		}
		touched = true
		for _, id := range w.AddedGroups {
			gk := groupKey(orgID, id)
			tx.Update(s.table.Update(hashKey, gk.PK).Range(rangeKey, gk.SK).AddStringsToSet("UserIDs", m.UserID).Add("Version", 1).
				If("attribute_exists(pk) AND (attribute_not_exists('UserIDs') OR size('UserIDs') < ?)", identity.MaxGroupMembers))
		}
		for _, id := range w.RemovedGroups {
			gk := groupKey(orgID, id)
			tx.Update(s.table.Update(hashKey, gk.PK).Range(rangeKey, gk.SK).DeleteStringsFromSet("UserIDs", m.UserID).Add("Version", 1).If("attribute_exists(pk)"))
		}
	}
	if touched {
		tx.Update(mu)
	} else {
		tx.Check(s.table.Check(hashKey, mk.PK).Range(rangeKey, mk.SK).IfExists())
	}
	if w.AdminsChanged {
		o := w.Organization
		tx.Put(s.table.Put(orgItem{key: orgKey(o.ID), Organization: o}).If("'Version' = ?", o.Version-1))
	}
	if w.User != nil {
		tx.Put(s.table.Put(newUserItem(*w.User)).If("'Version' = ?", w.User.Version-1))
	}
	s.seatWrites(tx, orgID, m.UserID, w.Released, w.Taken)
	err := tx.Run(ctx)
	var canceled *types.TransactionCanceledException
	if dynamo.IsCondCheckFailed(err) || errors.As(err, &canceled) {
		return failure.Race("member")
	}
	if err != nil {
		return failure.Wrap(err, "change member")
	}
	return nil
}

// seatWrites adds the released and taken licenses, each on its version,
// and moves the member's one-license claim with them.
func (s *DB) seatWrites(tx *dynamo.WriteTx, orgID, userID string, released, taken *identity.License) {
	for _, l := range []*identity.License{released, taken} {
		if l != nil {
			tx.Put(s.table.Put(licenseItem{key: licenseKey(orgID, l.ID), License: *l}).If("'Version' = ?", l.Version-1))
		}
	}
	claim := licenseUserKey(orgID, userID)
	switch {
	case taken != nil && released != nil:
		tx.Put(s.table.Put(licenseUserItem{key: claim, LicenseID: taken.ID}).If("'LicenseID' = ?", released.ID))
	case taken != nil:
		tx.Put(s.table.Put(licenseUserItem{key: claim, LicenseID: taken.ID}).If(notExists))
	case released != nil:
		tx.Delete(s.table.Delete(hashKey, claim.PK).Range(rangeKey, claim.SK).If("'LicenseID' = ?", released.ID))
	}
}
