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
//	OTT#<kind>#<codeHash>   OTT        a one-time token (reset, handover), TTL
//	THROTTLE#<email>        THROTTLE   failed logins of an address in the current window, TTL

type oneTimeItem struct {
	key
	identity.OneTime
}

func oneTimeKey(kind, hash string) key { return key{PK: "OTT#" + kind + "#" + hash, SK: "OTT"} }

type throttleItem struct {
	key
	Count int
	Until string
}

func throttleKey(email string) key { return key{PK: "THROTTLE#" + email, SK: "THROTTLE"} }

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

// TakeOneTime deletes the token and stores the user in one transaction.
func (s *DB) TakeOneTime(ctx context.Context, t identity.OneTime, user *identity.User) error {
	k := oneTimeKey(t.Kind, t.CodeHash)
	del := s.table.Delete(hashKey, k.PK).Range(rangeKey, k.SK).If("attribute_exists(pk)")
	var err error
	if user == nil {
		err = del.Run(ctx)
	} else {
		err = s.db.WriteTx().Delete(del).
			Put(s.table.Put(newUserItem(*user)).If("'Version' = ?", user.Version-1)).Run(ctx)
	}
	if dynamo.IsCondCheckFailed(err) {
		return failure.Race(t.Kind + " token")
	}
	if err != nil {
		return failure.Wrap(err, "use %s token", t.Kind)
	}
	return nil
}

// FailedLogins reads an address's failed-login count.
func (s *DB) FailedLogins(ctx context.Context, email string) (identity.Throttle, error) {
	var it throttleItem
	k := throttleKey(email)
	err := s.get(ctx, k.PK, k.SK, &it)
	if errors.Is(err, dynamo.ErrNotFound) {
		return identity.Throttle{}, nil
	}
	if err != nil {
		return identity.Throttle{}, failure.Wrap(err, "read failed logins")
	}
	return identity.Throttle{Count: it.Count, Until: parseTime(it.Until)}, nil
}

// AddFailedLogin adds one to the count with an atomic update; a window
// that ended starts again.
func (s *DB) AddFailedLogin(ctx context.Context, email string, window time.Duration) (identity.Throttle, error) {
	k := throttleKey(email)
	now := time.Now().UTC()
	until := now.Add(window)
	var it throttleItem
	// Within an open window: count one more.
	err := s.table.Update(hashKey, k.PK).Range(rangeKey, k.SK).Add("Count", 1).
		If("attribute_exists(pk) AND 'Until' > ?", timeString(now)).Value(ctx, &it)
	if dynamo.IsCondCheckFailed(err) {
		// No window, or it ended: open a new one.
		it = throttleItem{key: k, Count: 1, Until: timeString(until)}
		it.ExpiresAt = until
		err = s.table.Put(it).Run(ctx)
	}
	if err != nil {
		return identity.Throttle{}, failure.Wrap(err, "count failed login")
	}
	return identity.Throttle{Count: it.Count, Until: parseTime(it.Until)}, nil
}

// ClearFailedLogins forgets an address's failed logins.
func (s *DB) ClearFailedLogins(ctx context.Context, email string) error {
	k := throttleKey(identity.NormalizeEmail(email))
	if err := s.table.Delete(hashKey, k.PK).Range(rangeKey, k.SK).Run(ctx); err != nil {
		return failure.Wrap(err, "clear failed logins")
	}
	return nil
}
