package identity

import (
	"context"
	"strings"
	"sync"
	"time"

	"github.com/effektif-serverless/caseflow/shared/failure"
)

// coreDouble is a Store for the tests of settings, navigations and group
// assignment: it keeps what those call in maps, with the conditions the
// DynamoDB store puts on its writes (versions, absence, the settings
// totals), under one lock. Every other Store method is the nil embedded
// interface's and panics.
type coreDouble struct {
	Store
	mu          sync.Mutex
	settings    map[string]UserSetting // userID \x00 scope \x1f key
	totals      map[string][2]int      // userID -> count, bytes
	navigations map[string]Navigation
	groups      map[string]Group // orgID/groupID
	members     map[string]Membership
	// saves counts SaveGroup calls, lost races included; slowReads
	// makes a group read take a while, so concurrent callers race.
	saves     int
	slowReads bool
}

func newCoreDouble() *coreDouble {
	return &coreDouble{settings: map[string]UserSetting{}, totals: map[string][2]int{},
		navigations: map[string]Navigation{}, groups: map[string]Group{}, members: map[string]Membership{}}
}

func settingAddr(userID, scope, key string) string { return userID + "\x00" + scope + "\x1f" + key }

func (d *coreDouble) SettingKeys(_ context.Context, userID string, limit int) ([]UserSetting, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	var out []UserSetting
	for addr, st := range d.settings {
		if strings.HasPrefix(addr, userID+"\x00") && len(out) < limit {
			out = append(out, UserSetting{Scope: st.Scope, Key: st.Key})
		}
	}
	return out, nil
}

func (d *coreDouble) ScopeSettings(_ context.Context, userID, scope string, limit int) ([]UserSetting, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	var out []UserSetting
	for addr, st := range d.settings {
		if strings.HasPrefix(addr, userID+"\x00"+scope+"\x1f") && len(out) < limit {
			out = append(out, st)
		}
	}
	return out, nil
}

func (d *coreDouble) GetSetting(_ context.Context, userID, scope, key string) (UserSetting, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	st, ok := d.settings[settingAddr(userID, scope, key)]
	if !ok {
		return UserSetting{}, failure.New(failure.NotFound, "no such setting")
	}
	return st, nil
}

func (d *coreDouble) PutSetting(_ context.Context, userID string, st UserSetting, previous *UserSetting) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	addr := settingAddr(userID, st.Scope, st.Key)
	stored, exists := d.settings[addr]
	if previous == nil && exists || previous != nil && (!exists || stored.Version != previous.Version) {
		return failure.Race("setting")
	}
	t := d.totals[userID]
	count, size := 1, len(st.Value)
	if previous != nil {
		count, size = 0, len(st.Value)-len(previous.Value)
	}
	if count > 0 && t[0] >= MaxSettingsPerUser || size > 0 && t[1]+size > MaxSettingsBytes {
		return ErrSettingsFull
	}
	d.totals[userID] = [2]int{t[0] + count, t[1] + size}
	d.settings[addr] = st
	return nil
}

func (d *coreDouble) DeleteSetting(_ context.Context, userID string, st UserSetting) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	addr := settingAddr(userID, st.Scope, st.Key)
	stored, exists := d.settings[addr]
	if !exists || stored.Version != st.Version {
		return failure.Race("setting")
	}
	delete(d.settings, addr)
	t := d.totals[userID]
	d.totals[userID] = [2]int{t[0] - 1, t[1] - len(st.Value)}
	return nil
}

func (d *coreDouble) PutNavigation(_ context.Context, n Navigation) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if _, ok := d.navigations[n.ID]; ok {
		return ErrNavigationExists
	}
	d.navigations[n.ID] = n
	return nil
}

func (d *coreDouble) GetNavigation(_ context.Context, id string) (Navigation, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	n, ok := d.navigations[id]
	if !ok {
		return Navigation{}, failure.New(failure.NotFound, "no such navigation")
	}
	return n, nil
}

func (d *coreDouble) GetGroup(_ context.Context, orgID, id string) (Group, error) {
	if d.slowReads {
		// Let other callers run between this read and the write after.
		defer time.Sleep(time.Millisecond)
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	g, ok := d.groups[orgID+"/"+id]
	if !ok {
		return Group{}, failure.New(failure.NotFound, "no such group")
	}
	g.UserIDs = append([]string(nil), g.UserIDs...)
	return g, nil
}

// SaveGroup stores the group on condition of its version (absence when
// new) and keeps the members' GroupIDs, as the store's transaction does.
func (d *coreDouble) SaveGroup(_ context.Context, g Group, isNew bool, added, removed []string) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.saves++
	k := g.OrganizationID + "/" + g.ID
	stored, exists := d.groups[k]
	if isNew && exists || !isNew && (!exists || stored.Version != g.Version-1) {
		return failure.Race("group")
	}
	for _, id := range added {
		m := d.members[g.OrganizationID+"/"+id]
		m.GroupIDs = append(m.GroupIDs, g.ID)
		d.members[g.OrganizationID+"/"+id] = m
	}
	for _, id := range removed {
		m := d.members[g.OrganizationID+"/"+id]
		var kept []string
		for _, gid := range m.GroupIDs {
			if gid != g.ID {
				kept = append(kept, gid)
			}
		}
		m.GroupIDs = kept
		d.members[g.OrganizationID+"/"+id] = m
	}
	g.UserIDs = append([]string(nil), g.UserIDs...)
	d.groups[k] = g
	return nil
}

func (d *coreDouble) MembersAmong(_ context.Context, orgID string, userIDs []string) (map[string]bool, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	out := map[string]bool{}
	for _, id := range userIDs {
		if _, ok := d.members[orgID+"/"+id]; ok {
			out[id] = true
		}
	}
	return out, nil
}

func (d *coreDouble) MembershipsAmong(_ context.Context, orgID string, userIDs []string) ([]Membership, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	var out []Membership
	for _, id := range userIDs {
		if m, ok := d.members[orgID+"/"+id]; ok {
			out = append(out, m)
		}
	}
	return out, nil
}

func (d *coreDouble) UserInOrganization(_ context.Context, orgID, userID string) (User, *Membership, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	m, ok := d.members[orgID+"/"+userID]
	if !ok {
		return User{ID: userID}, nil, nil
	}
	return User{ID: userID}, &m, nil
}

func (d *coreDouble) Groups(_ context.Context, orgID string, limit int) ([]Group, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	var out []Group
	for k, g := range d.groups {
		if strings.HasPrefix(k, orgID+"/") && len(out) < limit {
			out = append(out, g)
		}
	}
	return out, nil
}

func (d *coreDouble) GroupsByID(_ context.Context, orgID string, ids []string) ([]Group, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	var out []Group
	for _, id := range ids {
		if g, ok := d.groups[orgID+"/"+id]; ok {
			out = append(out, g)
		}
	}
	return out, nil
}
