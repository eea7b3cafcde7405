package identitytest

import (
	"context"
	"slices"
	"sort"

	"github.com/effektif-serverless/caseflow/shared/failure"
	"github.com/effektif-serverless/caseflow/shared/identity"
)

// The settings and navigations of the fake, as shared/store keeps them:
// a user's settings in sort-key order (scope, then key), with the user's
// totals (count, bytes of the values) changed in the same transaction on
// condition of the limits; navigations written once, on condition that
// the id is free.

// settingsOf is the fake's part for settings and navigations; Store
// holds it lazily, so NewStore stays as it is.
type settingsOf struct {
	settings    map[string]map[pair]identity.UserSetting // user -> (scope, key)
	totals      map[string][2]int                        // user -> count, bytes
	navigations map[string]identity.Navigation
}

func (s *Store) settingPart() *settingsOf {
	if s.extra == nil {
		s.extra = &settingsOf{settings: map[string]map[pair]identity.UserSetting{}, totals: map[string][2]int{},
			navigations: map[string]identity.Navigation{}}
	}
	return s.extra
}

func copySetting(st identity.UserSetting) identity.UserSetting {
	st.Value = slices.Clone(st.Value)
	return st
}

// sortedSettings answers the user's settings that match, in sort-key
// order, at most limit.
func (s *Store) sortedSettings(userID string, match func(identity.UserSetting) bool, limit int) []identity.UserSetting {
	var out []identity.UserSetting
	for _, st := range s.settingPart().settings[userID] {
		if match(st) {
			out = append(out, copySetting(st))
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Scope != out[j].Scope {
			return out[i].Scope+"\x1f" < out[j].Scope+"\x1f"
		}
		return out[i].Key < out[j].Key
	})
	if limit > 0 && len(out) > limit {
		out = out[:limit]
	}
	return out
}

// SettingKeys lists the scopes and keys (no values) of the user's settings.
func (s *Store) SettingKeys(_ context.Context, userID string, limit int) ([]identity.UserSetting, error) {
	defer s.lock()()
	out := s.sortedSettings(userID, func(identity.UserSetting) bool { return true }, limit)
	for i := range out {
		out[i] = identity.UserSetting{Scope: out[i].Scope, Key: out[i].Key}
	}
	return out, nil
}

// ScopeSettings lists the user's settings in the scope, with values.
func (s *Store) ScopeSettings(_ context.Context, userID, scope string, limit int) ([]identity.UserSetting, error) {
	defer s.lock()()
	return s.sortedSettings(userID, func(st identity.UserSetting) bool { return st.Scope == scope }, limit), nil
}

// GetSetting reads one setting.
func (s *Store) GetSetting(_ context.Context, userID, scope, key string) (identity.UserSetting, error) {
	defer s.lock()()
	st, ok := s.settingPart().settings[userID][pair{scope, key}]
	if !ok {
		return identity.UserSetting{}, notFound("setting")
	}
	return copySetting(st), nil
}

// PutSetting stores st (new, or on the previous version) and counts it in
// the user's totals on condition of the limits, together.
func (s *Store) PutSetting(_ context.Context, userID string, st identity.UserSetting, previous *identity.UserSetting) error {
	defer s.lock()()
	part := s.settingPart()
	k := pair{st.Scope, st.Key}
	stored, exists := part.settings[userID][k]
	count, size := 1, len(st.Value)
	if previous == nil {
		if exists {
			return failure.Race("setting")
		}
	} else {
		if !exists || stored.Version != previous.Version {
			return failure.Race("setting")
		}
		count, size = 0, len(st.Value)-len(previous.Value)
	}
	t := part.totals[userID]
	if count > 0 && t[0] >= identity.MaxSettingsPerUser || size > 0 && t[1] > identity.MaxSettingsBytes-size {
		return identity.ErrSettingsFull
	}
	if part.settings[userID] == nil {
		part.settings[userID] = map[pair]identity.UserSetting{}
	}
	part.settings[userID][k] = copySetting(st)
	part.totals[userID] = [2]int{t[0] + count, t[1] + size}
	return s.wrote()
}

// DeleteSetting deletes st on its version and takes it out of the totals.
func (s *Store) DeleteSetting(_ context.Context, userID string, st identity.UserSetting) error {
	defer s.lock()()
	part := s.settingPart()
	k := pair{st.Scope, st.Key}
	stored, exists := part.settings[userID][k]
	if !exists || stored.Version != st.Version {
		return failure.Race("setting")
	}
	delete(part.settings[userID], k)
	t := part.totals[userID]
	part.totals[userID] = [2]int{t[0] - 1, t[1] - len(stored.Value)}
	return s.wrote()
}

// PutNavigation stores n on condition that its id is free.
func (s *Store) PutNavigation(_ context.Context, n identity.Navigation) error {
	defer s.lock()()
	part := s.settingPart()
	if _, ok := part.navigations[n.ID]; ok {
		return identity.ErrNavigationExists
	}
	n.Configuration = slices.Clone(n.Configuration)
	part.navigations[n.ID] = n
	return s.wrote()
}

// GetNavigation reads a navigation.
func (s *Store) GetNavigation(_ context.Context, id string) (identity.Navigation, error) {
	defer s.lock()()
	n, ok := s.settingPart().navigations[id]
	if !ok {
		return identity.Navigation{}, notFound("navigation")
	}
	n.Configuration = slices.Clone(n.Configuration)
	return n, nil
}
