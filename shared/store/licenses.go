package store

import (
	"context"
	"strings"

	"github.com/guregu/dynamo/v2"

	"github.com/effektif-serverless/caseflow/shared/failure"
	"github.com/effektif-serverless/caseflow/shared/identity"
)

// Keys of license items:
//
//	ORG#<orgId>  LICENSE#<id>        a license
//	ORG#<orgId>  LICUSER#<userId>    the one license a member holds
//	ORG#<orgId>  PURCHASE#<id>       a purchase order

type licenseItem struct {
	key
	identity.License
}

type licenseUserItem struct {
	key
	LicenseID string
}

type purchaseItem struct {
	key
	identity.PurchaseOrder
}

func licenseKey(orgID, id string) key       { return key{PK: "ORG#" + orgID, SK: "LICENSE#" + id} }
func licenseUserKey(orgID, user string) key { return key{PK: "ORG#" + orgID, SK: "LICUSER#" + user} }

// CreateLicenses writes the order and its licenses in one transaction.
func (s *DB) CreateLicenses(ctx context.Context, o identity.PurchaseOrder, ls []identity.License) error {
	tx := s.db.WriteTx().Put(s.table.Put(purchaseItem{key: key{PK: "ORG#" + o.OrganizationID, SK: "PURCHASE#" + o.ID}, PurchaseOrder: o}))
	for _, l := range ls {
		tx.Put(s.table.Put(licenseItem{key: licenseKey(l.OrganizationID, l.ID), License: l}).If(notExists))
	}
	if err := tx.Run(ctx); err != nil {
		return failure.Wrap(err, "store licenses")
	}
	return nil
}

// Licenses is one Query.
func (s *DB) Licenses(ctx context.Context, orgID string, limit int) ([]identity.License, error) {
	var items []licenseItem
	q := s.table.Get(hashKey, "ORG#"+orgID).Range(rangeKey, dynamo.BeginsWith, "LICENSE#")
	if err := pageInto(ctx, q, 0, limit, &items); err != nil {
		return nil, failure.Wrap(err, "list licenses")
	}
	out := make([]identity.License, len(items))
	for i, it := range items {
		out[i] = it.License
	}
	return out, nil
}

// GetLicense reads a license.
func (s *DB) GetLicense(ctx context.Context, orgID, id string) (identity.License, error) {
	var it licenseItem
	k := licenseKey(orgID, id)
	err := notFound(s.get(ctx, k.PK, k.SK, &it), "license")
	return it.License, err
}

// LicensesOfMembers reads the members' claims in one batch read, then the
// licenses they name in another.
func (s *DB) LicensesOfMembers(ctx context.Context, ms []identity.Membership) ([]identity.License, error) {
	holders := make([]string, 0, len(ms))
	for _, m := range ms {
		if m.OrganizationID != "" && m.UserID != "" {
			holders = append(holders, m.OrganizationID+"\x00"+m.UserID)
		}
	}
	var claims []licenseUserItem
	if err := s.batchGet(ctx, holders, func(h string) key {
		org, user, _ := strings.Cut(h, "\x00")
		return licenseUserKey(org, user)
	}, &claims); err != nil {
		return nil, failure.Wrap(err, "read license holders")
	}
	held := make([]string, 0, len(claims))
	for _, c := range claims {
		held = append(held, strings.TrimPrefix(c.PK, "ORG#")+"\x00"+c.LicenseID)
	}
	var items []licenseItem
	if err := s.batchGet(ctx, held, func(h string) key {
		org, id, _ := strings.Cut(h, "\x00")
		return licenseKey(org, id)
	}, &items); err != nil {
		return nil, failure.Wrap(err, "read licenses")
	}
	out := make([]identity.License, len(items))
	for i, it := range items {
		out[i] = it.License
	}
	return out, nil
}

// AssignLicense moves a license between holders in one transaction.
func (s *DB) AssignLicense(ctx context.Context, l identity.License, previous string) error {
	tx := s.db.WriteTx().Put(s.table.Put(licenseItem{key: licenseKey(l.OrganizationID, l.ID), License: l}).If("'Version' = ?", l.Version-1))
	if previous != "" {
		k := licenseUserKey(l.OrganizationID, previous)
		tx.Delete(s.table.Delete(hashKey, k.PK).Range(rangeKey, k.SK))
	}
	if l.UserID != "" {
		tx.Put(s.table.Put(licenseUserItem{key: licenseUserKey(l.OrganizationID, l.UserID), LicenseID: l.ID}).If(notExists))
	}
	err := tx.Run(ctx)
	n := 1
	if previous != "" {
		n++
	}
	if i := failedCondition(err); i == n {
		return &failure.Error{Code: failure.Conflict, Field: "userId", Message: "the user holds a license of this organization already"}
	}
	return versionConflict(err, "license")
}
