package identity

import (
	"bytes"
	"context"
	"encoding/json"
	"sort"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/effektif-serverless/caseflow/shared/failure"
)

// A user's settings are the user's own key/value store: JSON values filed
// under a scope and a key, global across the user's organizations (they
// belong to the identity, not to a membership). Only the user reads and
// writes them: every operation takes the caller's id and acts on that
// user's settings alone.
//
// Decisions where the documents are silent:
//   - Scopes and keys are taken exactly as given (not trimmed, no Unicode
//     normalization, case-sensitive): 1 to MaxSettingScope and 1 to
//     MaxSettingKey characters of valid UTF-8 without control characters
//     (Invalid otherwise, for reads too).
//   - A value is any JSON value (null included). It is stored compacted
//     (insignificant whitespace removed, everything else as sent) and its
//     compacted size is what MaxSettingValue bounds (TooLarge beyond).
//   - A user holds at most MaxSettingsPerUser settings whose values add
//     up to at most MaxSettingsBytes, so that a listing or a scope answers
//     in one bounded read and fits in a Lambda response. A put beyond
//     either is ErrSettingsFull (Conflict: the request is fine, the user's
//     store is full); replacing or deleting settings makes room.
//   - A scope without settings reads as an empty map, not NotFound; a
//     missing single setting is NotFound.

// Limits of settings: scopes and keys in characters, values in bytes of
// their compact JSON.
const (
	MaxSettingScope    = 64
	MaxSettingKey      = 128
	MaxSettingValue    = 65536
	MaxSettingsPerUser = 200
	MaxSettingsBytes   = 1 << 20
)

// Canonical field names of settings in errors.
const (
	FieldSettingScope = "scope"
	FieldSettingKey   = "key"
	FieldSettingValue = "value"
)

// UserSetting is one setting of a user. Version counts its writes (the
// store replaces it on condition of it).
type UserSetting struct {
	Scope, Key string
	Value      json.RawMessage
	Created    time.Time
	Updated    time.Time
	Version    int
}

// SettingScope is a scope of a user's settings with its keys, in order.
type SettingScope struct {
	Scope string
	Keys  []string
}

// ErrSettingsFull is the failure of a put that would take a user over
// MaxSettingsPerUser settings or MaxSettingsBytes of values.
var ErrSettingsFull = failure.New(failure.Conflict,
	"a user holds at most %d settings with at most %d bytes of values in all; delete settings to make room",
	MaxSettingsPerUser, MaxSettingsBytes)

// SettingStore is the part of Store that keeps users' settings.
// Implementations return *failure.Error values like Store's.
type SettingStore interface {
	// SettingKeys lists the scopes and keys (no values) of up to limit
	// settings of the user: one bounded Query.
	SettingKeys(ctx context.Context, userID string, limit int) ([]UserSetting, error)
	// ScopeSettings lists up to limit settings of the user in the scope,
	// with their values: one bounded Query.
	ScopeSettings(ctx context.Context, userID, scope string, limit int) ([]UserSetting, error)
	// GetSetting reads one setting; NotFound when it is missing.
	GetSetting(ctx context.Context, userID, scope, key string) (UserSetting, error)
	// PutSetting stores st, new when previous is nil (on condition that
	// it does not exist) or else replacing previous (on condition of its
	// version), and counts the change in the user's totals on condition
	// that they stay within MaxSettingsPerUser and MaxSettingsBytes,
	// together. Errors: a retryable Conflict when the setting changed
	// meanwhile; ErrSettingsFull when a total would go over its limit.
	PutSetting(ctx context.Context, userID string, st UserSetting, previous *UserSetting) error
	// DeleteSetting deletes st on condition of its version and takes it
	// out of the user's totals, together (a retryable Conflict when it
	// changed or is gone).
	DeleteSetting(ctx context.Context, userID string, st UserSetting) error
}

// settingAttempts bounds the retries of a settings write that lost a race.
const settingAttempts = 5

func checkSettingPart(field, value string, max int) error {
	if !utf8.ValidString(value) {
		return failure.Field(field, "%s is not valid UTF-8", field)
	}
	n := utf8.RuneCountInString(value)
	if n == 0 {
		return failure.Field(field, "%s is required", field)
	}
	if n > max {
		return failure.Field(field, "%s is longer than %d characters", field, max)
	}
	for _, r := range value {
		if unicode.IsControl(r) {
			return failure.Field(field, "%s contains control characters", field)
		}
	}
	return nil
}

// CheckSettingScope checks the shape of a settings scope.
func CheckSettingScope(scope string) error {
	return checkSettingPart(FieldSettingScope, scope, MaxSettingScope)
}

// CheckSettingKey checks the shape of a setting's key.
func CheckSettingKey(key string) error {
	return checkSettingPart(FieldSettingKey, key, MaxSettingKey)
}

// compactSettingValue checks a value and answers its stored form: valid
// JSON in valid UTF-8 (Invalid), compacted, at most MaxSettingValue bytes
// (TooLarge).
func compactSettingValue(value json.RawMessage) (json.RawMessage, error) {
	if !utf8.Valid(value) || !json.Valid(value) {
		return nil, failure.Field(FieldSettingValue, "value is not valid JSON")
	}
	var b bytes.Buffer
	b.Grow(len(value))
	if err := json.Compact(&b, value); err != nil {
		return nil, failure.Field(FieldSettingValue, "value is not valid JSON")
	}
	if b.Len() > MaxSettingValue {
		return nil, &failure.Error{Code: failure.TooLarge, Field: FieldSettingValue,
			Message: "value is larger than 65536 bytes as JSON"}
	}
	return b.Bytes(), nil
}

func signedIn(callerID string) error {
	if callerID == "" {
		return failure.New(failure.Unauthenticated, "a valid token is required")
	}
	return nil
}

// Settings lists the caller's scopes with their keys, both in order, no
// values (one bounded read). Permission: the user themself. Errors:
// Unauthenticated without a caller.
func (s *Service) Settings(ctx context.Context, callerID string) ([]SettingScope, error) {
	if err := signedIn(callerID); err != nil {
		return nil, err
	}
	list, err := s.Store.SettingKeys(ctx, callerID, MaxSettingsPerUser)
	if err != nil {
		return nil, err
	}
	sort.Slice(list, func(i, j int) bool {
		if list[i].Scope != list[j].Scope {
			return list[i].Scope < list[j].Scope
		}
		return list[i].Key < list[j].Key
	})
	scopes := []SettingScope{}
	for _, st := range list {
		if n := len(scopes); n == 0 || scopes[n-1].Scope != st.Scope {
			scopes = append(scopes, SettingScope{Scope: st.Scope, Keys: []string{}})
		}
		last := &scopes[len(scopes)-1]
		last.Keys = append(last.Keys, st.Key)
	}
	return scopes, nil
}

// SettingsScope answers the caller's settings in a scope, key to value
// (an empty map for a scope without settings). Permission: the user
// themself. Errors: Unauthenticated; Invalid (scope).
func (s *Service) SettingsScope(ctx context.Context, callerID, scope string) (map[string]json.RawMessage, error) {
	if err := signedIn(callerID); err != nil {
		return nil, err
	}
	if err := CheckSettingScope(scope); err != nil {
		return nil, err
	}
	list, err := s.Store.ScopeSettings(ctx, callerID, scope, MaxSettingsPerUser)
	if err != nil {
		return nil, err
	}
	out := make(map[string]json.RawMessage, len(list))
	for _, st := range list {
		out[st.Key] = st.Value
	}
	return out, nil
}

// Setting answers one of the caller's settings. Permission: the user
// themself. Errors: Unauthenticated; Invalid (scope, key); NotFound.
func (s *Service) Setting(ctx context.Context, callerID, scope, key string) (UserSetting, error) {
	if err := s.checkSettingAddress(callerID, scope, key); err != nil {
		return UserSetting{}, err
	}
	return s.Store.GetSetting(ctx, callerID, scope, key)
}

func (s *Service) checkSettingAddress(callerID, scope, key string) error {
	if err := signedIn(callerID); err != nil {
		return err
	}
	if err := CheckSettingScope(scope); err != nil {
		return err
	}
	return CheckSettingKey(key)
}

// PutSetting creates or replaces one of the caller's settings and answers
// it: a replaced setting keeps its Created, Updated is the time of the
// put. Permission: the user themself. Errors: Unauthenticated; Invalid
// (scope, key, a value that is not JSON); TooLarge (a value over
// MaxSettingValue); ErrSettingsFull (Conflict); Conflict when it kept
// changing concurrently.
func (s *Service) PutSetting(ctx context.Context, callerID, scope, key string, value json.RawMessage) (UserSetting, error) {
	if err := s.checkSettingAddress(callerID, scope, key); err != nil {
		return UserSetting{}, err
	}
	stored, err := compactSettingValue(value)
	if err != nil {
		return UserSetting{}, err
	}
	for attempt := 0; attempt < settingAttempts; attempt++ {
		var previous *UserSetting
		old, err := s.Store.GetSetting(ctx, callerID, scope, key)
		switch {
		case err == nil:
			previous = &old
		case !failure.Is(err, failure.NotFound):
			return UserSetting{}, err
		}
		now := s.now()
		st := UserSetting{Scope: scope, Key: key, Value: stored, Created: now, Updated: now, Version: 1}
		if previous != nil {
			st.Created, st.Version = previous.Created, previous.Version+1
		}
		err = s.Store.PutSetting(ctx, callerID, st, previous)
		if err == nil || !failure.As(err).Retry {
			return st, err
		}
	}
	return UserSetting{}, failure.New(failure.Conflict, "the setting was changed concurrently; try again")
}

// DeleteSetting deletes one of the caller's settings. Permission: the
// user themself. Errors: Unauthenticated; Invalid (scope, key); NotFound;
// Conflict when it kept changing concurrently.
func (s *Service) DeleteSetting(ctx context.Context, callerID, scope, key string) error {
	if err := s.checkSettingAddress(callerID, scope, key); err != nil {
		return err
	}
	for attempt := 0; attempt < settingAttempts; attempt++ {
		old, err := s.Store.GetSetting(ctx, callerID, scope, key)
		if err != nil {
			return err
		}
		err = s.Store.DeleteSetting(ctx, callerID, old)
		if err == nil || !failure.As(err).Retry {
			return err
		}
	}
	return failure.New(failure.Conflict, "the setting was changed concurrently; try again")
}
