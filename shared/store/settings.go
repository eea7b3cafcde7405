package store

import (
	"context"
	"errors"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/guregu/dynamo/v2"

	"github.com/effektif-serverless/caseflow/shared/failure"
	"github.com/effektif-serverless/caseflow/shared/identity"
)

// Keys of users' settings, in the user's partition:
//
//	USER#<userId>  SETTING#<scope>\x1f<key>  a setting (Scope, Key, Value, Created, Updated, Version)
//	USER#<userId>  SETTINGS                  the user's totals: Count of settings, Bytes of their values
//
// Scopes and keys hold no control characters (identity.CheckSettingScope),
// so the unit separator U+001F parts them unambiguously, and it sorts
// before every character they may hold: the settings of one scope are one
// range of sort keys (begins_with SETTING#<scope>\x1f). A scope of 64 and
// a key of 128 characters (at most 4 bytes each) stay under DynamoDB's
// 1024 bytes of sort key.
//
// Every write of a setting changes the totals in the same transaction,
// on condition that they stay within identity.MaxSettingsPerUser and
// identity.MaxSettingsBytes, so the limits hold under concurrent writes
// and a user's listing is one bounded Query.

const (
	settingPrefix   = "SETTING#"
	settingSplit    = "\x1f"
	settingTotalsSK = "SETTINGS"
)

type settingItem struct {
	key
	identity.UserSetting
}

func settingKey(userID, scope, k string) key {
	return key{PK: "USER#" + userID, SK: settingPrefix + scope + settingSplit + k}
}

func settingTotalsKey(userID string) key { return key{PK: "USER#" + userID, SK: settingTotalsSK} }

func settings(items []settingItem) []identity.UserSetting {
	out := make([]identity.UserSetting, len(items))
	for i, it := range items {
		out[i] = it.UserSetting
	}
	return out
}

// SettingKeys lists the scopes and keys of up to limit settings of the
// user: one Query of the setting range, projected to Scope and Key.
func (s *DB) SettingKeys(ctx context.Context, userID string, limit int) ([]identity.UserSetting, error) {
	var items []settingItem
	q := s.table.Get(hashKey, "USER#"+userID).Range(rangeKey, dynamo.BeginsWith, settingPrefix).Project("Scope", "Key")
	if err := pageInto(ctx, q, 0, limit, &items); err != nil {
		return nil, failure.Wrap(err, "list settings")
	}
	return settings(items), nil
}

// ScopeSettings lists up to limit settings of the user in the scope, with
// their values: one Query of the scope's range.
func (s *DB) ScopeSettings(ctx context.Context, userID, scope string, limit int) ([]identity.UserSetting, error) {
	var items []settingItem
	q := s.table.Get(hashKey, "USER#"+userID).Range(rangeKey, dynamo.BeginsWith, settingPrefix+scope+settingSplit)
	if err := pageInto(ctx, q, 0, limit, &items); err != nil {
		return nil, failure.Wrap(err, "list settings")
	}
	return settings(items), nil
}

// GetSetting reads one setting.
func (s *DB) GetSetting(ctx context.Context, userID, scope, k string) (identity.UserSetting, error) {
	var it settingItem
	sk := settingKey(userID, scope, k)
	err := notFound(s.get(ctx, sk.PK, sk.SK, &it), "setting")
	return it.UserSetting, err
}

// PutSetting stores the setting (new, or on condition of the previous
// version) and changes the user's totals on condition of the limits, in
// one transaction; see identity.SettingStore.
func (s *DB) PutSetting(ctx context.Context, userID string, st identity.UserSetting, previous *identity.UserSetting) error {
	sk := settingKey(userID, st.Scope, st.Key)
	put := s.table.Put(settingItem{key: sk, UserSetting: st})
	count, size := 1, len(st.Value)
	if previous == nil {
		put.If(notExists)
	} else {
		put.If("'Version' = ?", previous.Version)
		count, size = 0, len(st.Value)-len(previous.Value)
	}
	tk := settingTotalsKey(userID)
	totals := s.table.Update(hashKey, tk.PK).Range(rangeKey, tk.SK).Add("Count", count).Add("Bytes", size)
	if count > 0 {
		totals.If("attribute_not_exists('Count') OR 'Count' < ?", identity.MaxSettingsPerUser)
	}
	if size > 0 {
		totals.If("attribute_not_exists('Bytes') OR 'Bytes' <= ?", identity.MaxSettingsBytes-size)
	}
	err := s.db.WriteTx().Put(put).Update(totals).Run(ctx)
	switch failedCondition(err) {
	case 0:
		return failure.Race("setting")
	case 1:
		return identity.ErrSettingsFull
	}
	return settingWriteError(err, "store setting")
}

// DeleteSetting deletes the setting on condition of its version and takes
// it out of the user's totals, in one transaction.
func (s *DB) DeleteSetting(ctx context.Context, userID string, st identity.UserSetting) error {
	sk, tk := settingKey(userID, st.Scope, st.Key), settingTotalsKey(userID)
	err := s.db.WriteTx().
		Delete(s.table.Delete(hashKey, sk.PK).Range(rangeKey, sk.SK).If("'Version' = ?", st.Version)).
		Update(s.table.Update(hashKey, tk.PK).Range(rangeKey, tk.SK).Add("Count", -1).Add("Bytes", -len(st.Value))).
		Run(ctx)
	if failedCondition(err) == 0 {
		return failure.Race("setting")
	}
	return settingWriteError(err, "delete setting")
}

// settingWriteError maps a transaction another one got in the way of (a
// TransactionConflict) to a retryable Conflict.
func settingWriteError(err error, what string) error {
	var canceled *types.TransactionCanceledException
	if errors.As(err, &canceled) {
		return failure.Race("setting")
	}
	if err != nil {
		return failure.Wrap(err, "%s", what)
	}
	return nil
}
