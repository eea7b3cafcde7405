package store

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"time"

	"github.com/guregu/dynamo/v2"

	"github.com/effektif-serverless/caseflow/shared/failure"
	"github.com/effektif-serverless/caseflow/shared/identity"
)

// Keys of the passkey items (identity.PasskeyStore):
//
//	USER#<userId>                PASSKEY#<credHash>  a user's credential (identity.PasskeyCredential)
//	PASSKEY#<credHash>           PASSKEY             the credential's owner (userId): unique credential ids,
//	                                                 and the look-up of a discoverable login
//	PASSKEYCHALLENGE#<challenge> USED                a spent challenge (TTL: the token's expiry)
//
// credHash is the unpadded base64url SHA-256 of the raw credential id, so
// that a key part stays short whatever the id's length (up to 1023 bytes);
// the id itself is an attribute of the credential item. The user item's
// PasskeyCount counts the user's credentials, written in the same
// transaction as they are.

type passkeyItem struct {
	key
	identity.PasskeyCredential
}

type passkeyOwnerItem struct {
	key
	UserID string `dynamo:"userId"`
}

type usedChallengeItem struct {
	key
}

func credentialHash(id []byte) string {
	h := sha256.Sum256(id)
	return base64.RawURLEncoding.EncodeToString(h[:])
}

func passkeyKey(userID string, id []byte) key {
	return key{PK: "USER#" + userID, SK: "PASSKEY#" + credentialHash(id)}
}

func passkeyOwnerKey(id []byte) key {
	return key{PK: "PASSKEY#" + credentialHash(id), SK: "PASSKEY"}
}

// ConsumePasskeyChallenge is one put on condition that the challenge's
// item does not exist.
func (s *DB) ConsumePasskeyChallenge(ctx context.Context, challenge string, expires time.Time) error {
	k := key{PK: "PASSKEYCHALLENGE#" + challenge, SK: "USED", ExpiresAt: expires}
	err := s.table.Put(usedChallengeItem{key: k}).If(notExists).Run(ctx)
	if dynamo.IsCondCheckFailed(err) {
		return identity.ErrChallengeUsed
	}
	if err != nil {
		return failure.Wrap(err, "spend passkey challenge")
	}
	return nil
}

// Positions of the conditional items in AddPasskey's transaction.
const (
	addPasskeyItem = iota
	addPasskeyOwner
	addPasskeyCount
)

// AddPasskey writes the credential, its owner item and the user's count in
// one transaction; see identity.PasskeyStore.
func (s *DB) AddPasskey(ctx context.Context, c identity.PasskeyCredential, max int) error {
	uk := userKey(c.UserID)
	err := s.db.WriteTx().
		Put(s.table.Put(passkeyItem{key: passkeyKey(c.UserID, c.ID), PasskeyCredential: c}).If(notExists)).
		Put(s.table.Put(passkeyOwnerItem{key: passkeyOwnerKey(c.ID), UserID: c.UserID}).If(notExists)).
		Update(s.table.Update(hashKey, uk.PK).Range(rangeKey, uk.SK).Add("PasskeyCount", 1).Add("Version", 1).
			If("attribute_exists(pk) AND (attribute_not_exists('PasskeyCount') OR 'PasskeyCount' < ?)", max)).
		Run(ctx)
	switch failedCondition(err) {
	case -1:
		return txOutcome(err, "user's passkeys", "store passkey")
	case addPasskeyItem, addPasskeyOwner:
		return identity.ErrPasskeyTaken
	case addPasskeyCount:
		return identity.ErrTooManyPasskeys
	default:
		return failure.Wrap(err, "store passkey")
	}
}

// PasskeysOfUser is one strongly consistent Query of the user's
// credential items (a passkey registered a moment ago signs in).
func (s *DB) PasskeysOfUser(ctx context.Context, userID string, limit int) ([]identity.PasskeyCredential, error) {
	var items []passkeyItem
	err := s.table.Get(hashKey, "USER#"+userID).Range(rangeKey, dynamo.BeginsWith, "PASSKEY#").
		Consistent(true).Limit(limit).All(ctx, &items)
	if err != nil {
		return nil, failure.Wrap(err, "list passkeys")
	}
	out := make([]identity.PasskeyCredential, len(items))
	for i, it := range items {
		out[i] = it.PasskeyCredential
	}
	return out, nil
}

// PasskeyOwner reads the credential's owner item.
func (s *DB) PasskeyOwner(ctx context.Context, credentialID []byte) (string, error) {
	var it passkeyOwnerItem
	k := passkeyOwnerKey(credentialID)
	if err := notFound(s.get(ctx, k.PK, k.SK, &it), "passkey"); err != nil {
		return "", err
	}
	return it.UserID, nil
}

// DeletePasskey deletes the credential and its owner item and counts the
// user's passkeys down, in one transaction.
func (s *DB) DeletePasskey(ctx context.Context, userID string, credentialID []byte) error {
	pk, ok, uk := passkeyKey(userID, credentialID), passkeyOwnerKey(credentialID), userKey(userID)
	err := s.db.WriteTx().
		Delete(s.table.Delete(hashKey, pk.PK).Range(rangeKey, pk.SK).If("attribute_exists(pk)")).
		Delete(s.table.Delete(hashKey, ok.PK).Range(rangeKey, ok.SK).If("attribute_not_exists(pk) OR 'userId' = ?", userID)).
		Update(s.table.Update(hashKey, uk.PK).Range(rangeKey, uk.SK).Add("PasskeyCount", -1).Add("Version", 1).
			If("attribute_exists(pk) AND 'PasskeyCount' > ?", 0)).
		Run(ctx)
	switch failedCondition(err) {
	case -1:
		return txOutcome(err, "user's passkeys", "delete passkey")
	case 0:
		return failure.New(failure.NotFound, "no such passkey")
	default:
		return failure.New(failure.Conflict, "the passkey's items disagree; it was not deleted")
	}
}

// RecordPasskeyUse is one update on condition of the stored counter (a
// counter of zero may be stored as no attribute).
func (s *DB) RecordPasskeyUse(ctx context.Context, c identity.PasskeyCredential, previous uint32) error {
	k := passkeyKey(c.UserID, c.ID)
	cond := "attribute_exists(pk) AND 'SignCount' = ?"
	if previous == 0 {
		cond = "attribute_exists(pk) AND (attribute_not_exists('SignCount') OR 'SignCount' = ?)"
	}
	err := s.table.Update(hashKey, k.PK).Range(rangeKey, k.SK).
		Set("SignCount", c.SignCount).Set("Flags", c.Flags).Set("LastUsed", c.LastUsed).
		If(cond, previous).Run(ctx)
	if dynamo.IsCondCheckFailed(err) {
		var it passkeyItem
		if errors.Is(s.get(ctx, k.PK, k.SK, &it), dynamo.ErrNotFound) {
			return failure.New(failure.NotFound, "no such passkey")
		}
		return failure.Race("passkey's signature counter")
	}
	if err != nil {
		return failure.Wrap(err, "record passkey use")
	}
	return nil
}
