package store

import (
	"context"

	"github.com/guregu/dynamo/v2"

	"github.com/effektif-serverless/caseflow/shared/failure"
	"github.com/effektif-serverless/caseflow/shared/identity"
)

// Keys of the recovery email items (identity.RecoveryStore):
//
//	USER#<userId>  RECOVERY#<id>              a user's recovery email (identity.RecoveryEmail)
//	USER#<userId>  RECOVERYADDR#<address>     the claim of a normalized address among the
//	                                          user's recovery emails (-> id)
//	USER#<userId>  RECOVERIES                 the count of the user's recovery emails
//
// The three are written in one transaction. The list is one bounded Query
// of begins_with RECOVERY# (neither RECOVERYADDR# nor RECOVERIES begins
// so); no Scan. The validation keys are one-time tokens (OTT#recovery#…,
// signin.go), deleted in one transaction with the validated email.

type recoveryItem struct {
	key
	identity.RecoveryEmail
}

type recoveryClaimItem struct {
	key
	ID string `dynamo:"recoveryEmailId"`
}

func recoveryKey(userID, id string) key { return key{PK: "USER#" + userID, SK: "RECOVERY#" + id} }

func recoveryClaimKey(userID, address string) key {
	return key{PK: "USER#" + userID, SK: "RECOVERYADDR#" + identity.NormalizeEmail(address)}
}

func recoveryCountKey(userID string) key { return key{PK: "USER#" + userID, SK: "RECOVERIES"} }

// AddRecoveryEmail writes the email, its claim and the count in one
// transaction.
func (s *DB) AddRecoveryEmail(ctx context.Context, e identity.RecoveryEmail, max int) error {
	ck := recoveryCountKey(e.UserID)
	err := s.db.WriteTx().
		Put(s.table.Put(recoveryItem{key: recoveryKey(e.UserID, e.ID), RecoveryEmail: e}).If(notExists)).
		Put(s.table.Put(recoveryClaimItem{key: recoveryClaimKey(e.UserID, e.Address), ID: e.ID}).If(notExists)).
		Update(s.table.Update(hashKey, ck.PK).Range(rangeKey, ck.SK).Add("Count", 1).
			If("attribute_not_exists(pk) OR 'Count' < ?", max)).
		Run(ctx)
	switch failedCondition(err) {
	case -1:
		return txOutcome(err, "recovery email", "store recovery email")
	case 0:
		return identity.ErrRecoveryIDTaken
	case 1:
		return identity.ErrRecoveryEmailTaken
	default:
		return identity.ErrTooManyRecoveryEmails
	}
}

// RecoveryEmailsOfUser is one strongly consistent, bounded Query.
func (s *DB) RecoveryEmailsOfUser(ctx context.Context, userID string, limit int) ([]identity.RecoveryEmail, error) {
	var items []recoveryItem
	err := s.table.Get(hashKey, "USER#"+userID).Range(rangeKey, dynamo.BeginsWith, "RECOVERY#").
		Consistent(true).Limit(limit).All(ctx, &items)
	if err != nil {
		return nil, failure.Wrap(err, "list recovery emails")
	}
	out := make([]identity.RecoveryEmail, len(items))
	for i, it := range items {
		out[i] = it.RecoveryEmail
	}
	return out, nil
}

// GetRecoveryEmail reads one (strongly consistent).
func (s *DB) GetRecoveryEmail(ctx context.Context, userID, id string) (identity.RecoveryEmail, error) {
	var it recoveryItem
	k := recoveryKey(userID, id)
	err := s.table.Get(hashKey, k.PK).Range(rangeKey, dynamo.Equal, k.SK).Consistent(true).One(ctx, &it)
	return it.RecoveryEmail, notFound(err, "recovery email")
}

// UpdateRecoveryEmail puts e on its version, moving the claim when the
// address changed, in one transaction.
func (s *DB) UpdateRecoveryEmail(ctx context.Context, e identity.RecoveryEmail, oldAddress string) error {
	put := s.table.Put(recoveryItem{key: recoveryKey(e.UserID, e.ID), RecoveryEmail: e}).If("'Version' = ?", e.Version-1)
	if oldAddress == "" {
		err := put.Run(ctx)
		if dynamo.IsCondCheckFailed(err) {
			return failure.Race("recovery email")
		}
		if err != nil {
			return failure.Wrap(err, "store recovery email")
		}
		return nil
	}
	old := recoveryClaimKey(e.UserID, oldAddress)
	err := s.db.WriteTx().
		Put(put).
		Put(s.table.Put(recoveryClaimItem{key: recoveryClaimKey(e.UserID, e.Address), ID: e.ID}).If(notExists)).
		Delete(s.table.Delete(hashKey, old.PK).Range(rangeKey, old.SK)).
		Run(ctx)
	switch failedCondition(err) {
	case -1:
		return txOutcome(err, "recovery email", "store recovery email")
	case 0:
		return failure.Race("recovery email")
	default:
		return identity.ErrRecoveryEmailTaken
	}
}

// DeleteRecoveryEmail deletes the email (on existence), its claim and
// one count, in one transaction.
func (s *DB) DeleteRecoveryEmail(ctx context.Context, e identity.RecoveryEmail) error {
	k, claim, ck := recoveryKey(e.UserID, e.ID), recoveryClaimKey(e.UserID, e.Address), recoveryCountKey(e.UserID)
	err := s.db.WriteTx().
		Delete(s.table.Delete(hashKey, k.PK).Range(rangeKey, k.SK).If("attribute_exists(pk) AND 'Address' = ?", e.Address)).
		Delete(s.table.Delete(hashKey, claim.PK).Range(rangeKey, claim.SK)).
		Update(s.table.Update(hashKey, ck.PK).Range(rangeKey, ck.SK).Add("Count", -1).If("'Count' > ?", 0)).
		Run(ctx)
	switch failedCondition(err) {
	case -1:
		return txOutcome(err, "recovery email", "delete recovery email")
	case 0:
		return failure.New(failure.NotFound, "no such recovery email")
	default:
		return failure.New(failure.Conflict, "the recovery email's count disagrees; it was not deleted")
	}
}

// TakeRecoveryKey deletes the key and puts e on its version, in one
// transaction.
func (s *DB) TakeRecoveryKey(ctx context.Context, t identity.OneTime, e identity.RecoveryEmail) error {
	ok := oneTimeKey(t.Kind, t.CodeHash)
	err := s.db.WriteTx().
		Delete(s.table.Delete(hashKey, ok.PK).Range(rangeKey, ok.SK).If("attribute_exists(pk)")).
		Put(s.table.Put(recoveryItem{key: recoveryKey(e.UserID, e.ID), RecoveryEmail: e}).If("'Version' = ?", e.Version-1)).
		Run(ctx)
	switch failedCondition(err) {
	case -1:
		return txOutcome(err, "recovery email", "validate recovery email")
	case 0:
		return failure.Race(t.Kind + " token")
	default:
		return failure.Race("recovery email")
	}
}
