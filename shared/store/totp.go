package store

import (
	"context"

	"github.com/guregu/dynamo/v2"

	"github.com/effektif-serverless/caseflow/shared/failure"
	"github.com/effektif-serverless/caseflow/shared/identity"
)

// Keys of the TOTP items (identity.TOTPStore):
//
//	USER#<userId>  TOTP  a user's TOTP credential (identity.TOTPCredential;
//	                     its secret sealed by the core)
//
// The user item's TOTPEnrolled is written in the same transaction as the
// credential becomes verified or is deleted. Every read and write names
// the key: no Query, no Scan.

type totpItem struct {
	key
	identity.TOTPCredential
}

func totpKey(userID string) key { return key{PK: "USER#" + userID, SK: "TOTP"} }

// PutTOTP is one put on condition that no verified credential is stored.
func (s *DB) PutTOTP(ctx context.Context, c identity.TOTPCredential) error {
	err := s.table.Put(totpItem{key: totpKey(c.UserID), TOTPCredential: c}).
		If("attribute_not_exists(pk) OR 'Verified' <> ?", true).Run(ctx)
	if dynamo.IsCondCheckFailed(err) {
		return identity.ErrTOTPEnrolled
	}
	if err != nil {
		return failure.Wrap(err, "store TOTP credential")
	}
	return nil
}

// GetTOTP reads the credential item (strongly consistent: a credential
// verified a moment ago checks logins).
func (s *DB) GetTOTP(ctx context.Context, userID string) (identity.TOTPCredential, error) {
	var it totpItem
	k := totpKey(userID)
	err := s.table.Get(hashKey, k.PK).Range(rangeKey, dynamo.Equal, k.SK).Consistent(true).One(ctx, &it)
	return it.TOTPCredential, notFound(err, "TOTP credential")
}

// ActivateTOTP puts the verified credential on condition of the stored
// pending one's version and sets the user's flag, in one transaction.
func (s *DB) ActivateTOTP(ctx context.Context, c identity.TOTPCredential) error {
	uk := userKey(c.UserID)
	err := s.db.WriteTx().
		Put(s.table.Put(totpItem{key: totpKey(c.UserID), TOTPCredential: c}).
			If("'Version' = ? AND (attribute_not_exists('Verified') OR 'Verified' = ?)", c.Version-1, false)).
		Update(s.table.Update(hashKey, uk.PK).Range(rangeKey, uk.SK).Set("TOTPEnrolled", true).Add("Version", 1).
			If("attribute_exists(pk)")).
		Run(ctx)
	switch failedCondition(err) {
	case -1:
		return txOutcome(err, "TOTP credential", "verify TOTP credential")
	case 0:
		return failure.Race("TOTP credential")
	default:
		return failure.New(failure.NotFound, "no such user")
	}
}

// UseTOTPStep is one update on condition of a verified credential whose
// last step is below step.
func (s *DB) UseTOTPStep(ctx context.Context, userID string, step int64) error {
	k := totpKey(userID)
	err := s.table.Update(hashKey, k.PK).Range(rangeKey, k.SK).Set("LastStep", step).
		If("'Verified' = ? AND (attribute_not_exists('LastStep') OR 'LastStep' < ?)", true, step).Run(ctx)
	if dynamo.IsCondCheckFailed(err) {
		return identity.ErrTOTPCodeUsed
	}
	if err != nil {
		return failure.Wrap(err, "record TOTP step")
	}
	return nil
}

// DeleteTOTP deletes the credential and clears the user's flag (a change
// of the user: its Version goes up) in one transaction.
func (s *DB) DeleteTOTP(ctx context.Context, userID string) error {
	k, uk := totpKey(userID), userKey(userID)
	err := s.db.WriteTx().
		Delete(s.table.Delete(hashKey, k.PK).Range(rangeKey, k.SK).If("attribute_exists(pk)")).
		Update(s.table.Update(hashKey, uk.PK).Range(rangeKey, uk.SK).Remove("TOTPEnrolled").Add("Version", 1).
			If("attribute_exists(pk)")).
		Run(ctx)
	switch failedCondition(err) {
	case -1:
		return txOutcome(err, "TOTP credential", "delete TOTP credential")
	case 0:
		return failure.New(failure.NotFound, "no TOTP credential")
	default:
		return failure.New(failure.NotFound, "no such user")
	}
}
