package store

import (
	"context"
	"errors"
	"time"

	"github.com/guregu/dynamo/v2"

	"github.com/effektif-serverless/caseflow/shared/failure"
	"github.com/effektif-serverless/caseflow/shared/identity"
)

// Keys of the sign-in items:
//
//	OTT#<kind>#<codeHash>   OTT        a one-time token (reset, handover, address change), TTL
//	OTTSLOT#<kind>#<slot>   OTTSLOT    the one live token of a kind for an address or user, TTL
//	THROTTLE#<name>         UNTIL#<t>  uses of a limited action in the fixed window ending at t, TTL:
//	                                   LOGIN#<email> password logins, MAIL#<email> mails to an address

type oneTimeItem struct {
	key
	identity.OneTime
}

func oneTimeKey(kind, hash string) key { return key{PK: "OTT#" + kind + "#" + hash, SK: "OTT"} }

type throttleItem struct {
	key
	Count int
}

// throttleKey is the counter of an action's window that ends at until.
func throttleKey(name string, until time.Time) key {
	return key{PK: "THROTTLE#" + name, SK: "UNTIL#" + timeString(until)}
}

// PutOneTime stores a one-time token; it expires through TTL.
func (s *DB) PutOneTime(ctx context.Context, t identity.OneTime) error {
	k := oneTimeKey(t.Kind, t.CodeHash)
	k.ExpiresAt = t.Expires
	if err := s.table.Put(oneTimeItem{key: k, OneTime: t}).If(notExists).Run(ctx); err != nil {
		return failure.Wrap(err, "store %s token", t.Kind)
	}
	return nil
}

// GetOneTime reads a one-time token.
func (s *DB) GetOneTime(ctx context.Context, kind, codeHash string) (identity.OneTime, error) {
	var it oneTimeItem
	k := oneTimeKey(kind, codeHash)
	err := notFound(s.get(ctx, k.PK, k.SK, &it), kind+" token")
	return it.OneTime, err
}

type oneTimeSlotItem struct {
	key
	CodeHash string
}

func oneTimeSlotKey(kind, slot string) key {
	return key{PK: "OTTSLOT#" + kind + "#" + slot, SK: "OTTSLOT"}
}

// ReplaceOneTime stores the token, points the slot at it and deletes the
// token the slot pointed at, in one transaction on condition that the slot
// did not change meanwhile (a concurrent replacement is tried again).
func (s *DB) ReplaceOneTime(ctx context.Context, t identity.OneTime, slot string) error {
	sk := oneTimeSlotKey(t.Kind, slot)
	for attempt := 0; attempt < 3; attempt++ {
		var prev oneTimeSlotItem
		err := s.table.Get(hashKey, sk.PK).Range(rangeKey, dynamo.Equal, sk.SK).Consistent(true).One(ctx, &prev)
		if err != nil && !errors.Is(err, dynamo.ErrNotFound) {
			return failure.Wrap(err, "read %s slot", t.Kind)
		}
		k := oneTimeKey(t.Kind, t.CodeHash)
		k.ExpiresAt = t.Expires
		next := oneTimeSlotItem{key: sk, CodeHash: t.CodeHash}
		next.ExpiresAt = t.Expires
		tx := s.db.WriteTx().Put(s.table.Put(oneTimeItem{key: k, OneTime: t}).If(notExists))
		if prev.CodeHash == "" {
			tx.Put(s.table.Put(next).If(notExists))
		} else {
			old := oneTimeKey(t.Kind, prev.CodeHash)
			tx.Put(s.table.Put(next).If("CodeHash = ?", prev.CodeHash)).
				Delete(s.table.Delete(hashKey, old.PK).Range(rangeKey, old.SK))
		}
		err = tx.Run(ctx)
		if failedCondition(err) == 1 {
			continue
		}
		if err != nil {
			return failure.Wrap(err, "store %s token", t.Kind)
		}
		return nil
	}
	return failure.New(failure.Conflict, "the %s token was replaced concurrently; try again", t.Kind)
}

// TakeOneTime deletes the token and stores the user in one transaction,
// swapping the address items when the address changed.
func (s *DB) TakeOneTime(ctx context.Context, t identity.OneTime, user *identity.User, oldEmail string) error {
	k := oneTimeKey(t.Kind, t.CodeHash)
	del := s.table.Delete(hashKey, k.PK).Range(rangeKey, k.SK).If("attribute_exists(pk)")
	var err error
	switch {
	case user == nil:
		err = del.Run(ctx)
	case oldEmail == "":
		err = s.db.WriteTx().Delete(del).
			Put(s.table.Put(newUserItem(*user)).If("'Version' = ?", user.Version-1)).Run(ctx)
	default:
		old := emailKey(identity.NormalizeEmail(oldEmail))
		err = s.db.WriteTx().Delete(del).
			Put(s.table.Put(newUserItem(*user)).If("'Version' = ?", user.Version-1)).
			Put(s.table.Put(emailItem{key: emailKey(identity.NormalizeEmail(user.Email)), UserID: user.ID}).If(notExists)).
			Delete(s.table.Delete(hashKey, old.PK).Range(rangeKey, old.SK)).Run(ctx)
		if failedCondition(err) == 2 {
			return identity.ErrEmailTaken
		}
	}
	if dynamo.IsCondCheckFailed(err) {
		return failure.Race(t.Kind + " token")
	}
	if err != nil {
		return failure.Wrap(err, "use %s token", t.Kind)
	}
	return nil
}

// Reserve counts one more use of the limited action in the window that
// now falls in (windows are fixed: now truncated to the window's length),
// when fewer than limit uses are counted there: one conditional update
// that creates the window's counter on its first use; see identity.Store.
func (s *DB) Reserve(ctx context.Context, name string, limit int, window time.Duration, now time.Time) (identity.Throttle, bool, error) {
	until := now.Truncate(window).Add(window)
	k := throttleKey(name, until)
	var it throttleItem
	err := s.table.Update(hashKey, k.PK).Range(rangeKey, k.SK).Add("Count", 1).SetIfNotExists("expiresAt", until.Unix()).
		If("attribute_not_exists(pk) OR 'Count' < ?", limit).Value(ctx, &it)
	if dynamo.IsCondCheckFailed(err) {
		return identity.Throttle{Count: limit, Until: until}, false, nil
	}
	if err != nil {
		return identity.Throttle{}, false, failure.Wrap(err, "count %s", name)
	}
	return identity.Throttle{Count: it.Count, Until: until}, true, nil
}

// Release gives back one use that Reserve counted in the window t names.
func (s *DB) Release(ctx context.Context, name string, t identity.Throttle) error {
	k := throttleKey(name, t.Until)
	err := s.table.Update(hashKey, k.PK).Range(rangeKey, k.SK).Add("Count", -1).
		If("attribute_exists(pk) AND 'Count' > ?", 0).Run(ctx)
	if err != nil && !dynamo.IsCondCheckFailed(err) {
		return failure.Wrap(err, "release %s", name)
	}
	return nil
}

// ClearReservations forgets the uses counted in the window now falls in.
func (s *DB) ClearReservations(ctx context.Context, name string, window time.Duration, now time.Time) error {
	k := throttleKey(name, now.Truncate(window).Add(window))
	if err := s.table.Delete(hashKey, k.PK).Range(rangeKey, k.SK).Run(ctx); err != nil {
		return failure.Wrap(err, "clear %s", name)
	}
	return nil
}
