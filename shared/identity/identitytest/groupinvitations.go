package identitytest

import (
	"context"
	"slices"
	"sort"

	"github.com/effektif-serverless/caseflow/shared/failure"
	"github.com/effektif-serverless/caseflow/shared/identity"
)

// The group invitations of the fake, as shared/store keeps them: the
// invitation under its organization, a global look-up of its id (ids are
// unique across organizations), and a look-up of each send's token hash,
// which stays after the invitation closes (until TTL) and goes when a
// later send replaces it or the invitation is deleted. Lists answer in
// the store's sort key order: created time, then id.

type groupInvsOf struct {
	invs   map[pair]identity.GroupInvitation // (organization, id)
	byID   map[string]string                 // id -> organization
	tokens map[string]pair                   // token hash -> (organization, id)
}

func (s *Store) groupInvPart() *groupInvsOf {
	if s.groupInvs == nil {
		s.groupInvs = &groupInvsOf{invs: map[pair]identity.GroupInvitation{}, byID: map[string]string{}, tokens: map[string]pair{}}
	}
	return s.groupInvs
}

func copyGroupInvitation(inv identity.GroupInvitation) identity.GroupInvitation {
	inv.GroupIDs, inv.ClientRoleIDs = list(inv.GroupIDs), list(inv.ClientRoleIDs)
	return inv
}

// CreateGroupInvitation claims the id and stores the invitation.
func (s *Store) CreateGroupInvitation(_ context.Context, inv identity.GroupInvitation) error {
	defer s.lock()()
	part := s.groupInvPart()
	if _, taken := part.byID[inv.ID]; taken {
		return identity.ErrGroupInvitationExists
	}
	part.byID[inv.ID] = inv.OrganizationID
	part.invs[pair{inv.OrganizationID, inv.ID}] = copyGroupInvitation(inv)
	if inv.TokenHash != "" {
		part.tokens[inv.TokenHash] = pair{inv.OrganizationID, inv.ID}
	}
	return s.wrote()
}

// GetGroupInvitation reads one invitation.
func (s *Store) GetGroupInvitation(_ context.Context, organizationID, id string) (identity.GroupInvitation, error) {
	defer s.lock()()
	inv, ok := s.groupInvPart().invs[pair{organizationID, id}]
	if !ok {
		return identity.GroupInvitation{}, notFound("group invitation")
	}
	return copyGroupInvitation(inv), nil
}

// GroupInvitationOrganization reads the id's look-up.
func (s *Store) GroupInvitationOrganization(_ context.Context, id string) (string, error) {
	defer s.lock()()
	org, ok := s.groupInvPart().byID[id]
	if !ok {
		return "", notFound("group invitation")
	}
	return org, nil
}

// GroupInvitationByToken reads the token's look-up, then the invitation.
func (s *Store) GroupInvitationByToken(_ context.Context, tokenHash string) (identity.GroupInvitation, error) {
	defer s.lock()()
	part := s.groupInvPart()
	k, ok := part.tokens[tokenHash]
	if !ok {
		return identity.GroupInvitation{}, notFound("group invitation")
	}
	inv, ok := part.invs[k]
	if !ok {
		return identity.GroupInvitation{}, notFound("group invitation")
	}
	return copyGroupInvitation(inv), nil
}

// groupInvHolds reports whether the stored invitation is still previous.
func (p *groupInvsOf) holds(previous identity.GroupInvitation) bool {
	cur, ok := p.invs[pair{previous.OrganizationID, previous.ID}]
	return ok && cur.Version == previous.Version && cur.State == previous.State
}

// put stores inv and moves the token look-up when the hash changed.
func (p *groupInvsOf) put(inv, previous identity.GroupInvitation) {
	k := pair{inv.OrganizationID, inv.ID}
	p.invs[k] = copyGroupInvitation(inv)
	if inv.TokenHash != previous.TokenHash {
		if previous.TokenHash != "" {
			delete(p.tokens, previous.TokenHash)
		}
		if inv.TokenHash != "" {
			p.tokens[inv.TokenHash] = k
		}
	}
}

// SaveGroupInvitation stores inv on condition of previous.
func (s *Store) SaveGroupInvitation(_ context.Context, inv, previous identity.GroupInvitation) error {
	defer s.lock()()
	part := s.groupInvPart()
	if !part.holds(previous) {
		return failure.Race("invitation")
	}
	part.put(inv, previous)
	return s.wrote()
}

// AcceptGroupInvitation writes the acceptance, all or nothing, checking
// in the order of the store's transaction: the invitation, the
// membership, its username, the groups.
func (s *Store) AcceptGroupInvitation(_ context.Context, w identity.GroupInvitationAcceptance) error {
	defer s.lock()()
	part := s.groupInvPart()
	m := w.Membership
	orgID := m.OrganizationID
	var tx transaction
	tx.add("groupinv", w.Invitation.OrganizationID, w.Invitation.ID)
	tx.add("member", orgID, m.UserID)
	if w.NewMember {
		tx.add("username", orgID, m.Username)
	}
	for _, g := range w.AddedGroups {
		tx.add("group", orgID, g)
	}
	if err := tx.check(); err != nil {
		return err
	}
	if !part.holds(w.Previous) {
		return failure.Race("invitation")
	}
	mk := memberOf(m)
	cur, isMember := s.members[mk]
	if w.NewMember == isMember {
		return failure.Race("member")
	}
	uk := usernameOf(orgID, m.Username)
	if w.NewMember {
		if _, taken := s.usernames[uk]; taken {
			return identity.ErrUsernameTaken
		}
	} else if len(set(append(slices.Clone(cur.GroupIDs), w.AddedGroups...))) > identity.MaxGroupsPerMember {
		return failure.Race("member")
	}
	for _, g := range w.AddedGroups {
		group, ok := s.groups[pair{orgID, g}]
		if !ok || len(group.UserIDs) >= identity.MaxGroupMembers {
			return failure.Race("group")
		}
	}
	part.put(w.Invitation, w.Previous)
	if w.NewMember {
		nm := copyMembership(m)
		nm.GroupIDs = set(w.AddedGroups)
		s.members[mk] = nm
		s.usernames[uk] = m.UserID
	} else {
		cur.GroupIDs = set(append(slices.Clone(cur.GroupIDs), w.AddedGroups...))
		s.members[mk] = cur
	}
	for _, g := range w.AddedGroups {
		group := s.groups[pair{orgID, g}]
		group.UserIDs = withItem(group.UserIDs, m.UserID)
		group.Version++
		s.groups[pair{orgID, g}] = group
	}
	return s.wrote()
}

// DeleteGroupInvitation deletes the invitation on its version, with its
// look-ups.
func (s *Store) DeleteGroupInvitation(_ context.Context, inv identity.GroupInvitation) error {
	defer s.lock()()
	part := s.groupInvPart()
	k := pair{inv.OrganizationID, inv.ID}
	cur, ok := part.invs[k]
	if !ok || cur.Version != inv.Version {
		return failure.Race("invitation")
	}
	delete(part.invs, k)
	delete(part.byID, inv.ID)
	if cur.TokenHash != "" {
		delete(part.tokens, cur.TokenHash)
	}
	return s.wrote()
}

// GroupInvitationsOf lists the organization's invitations in the state.
func (s *Store) GroupInvitationsOf(_ context.Context, organizationID, state string, offset, limit int) ([]identity.GroupInvitation, error) {
	defer s.lock()()
	return s.groupInvPart().list(func(inv identity.GroupInvitation) bool {
		return inv.OrganizationID == organizationID && inv.State == state
	}, offset, limit), nil
}

// GroupInvitationsTo lists the invitations to the address in the state.
func (s *Store) GroupInvitationsTo(_ context.Context, normalizedEmail, state string, offset, limit int) ([]identity.GroupInvitation, error) {
	defer s.lock()()
	return s.groupInvPart().list(func(inv identity.GroupInvitation) bool {
		return normalize(inv.Email) == normalizedEmail && inv.State == state
	}, offset, limit), nil
}

func (p *groupInvsOf) list(keep func(identity.GroupInvitation) bool, offset, limit int) []identity.GroupInvitation {
	var out []identity.GroupInvitation
	for _, inv := range p.invs {
		if keep(inv) {
			out = append(out, copyGroupInvitation(inv))
		}
	}
	sort.Slice(out, func(i, j int) bool {
		ti, tj := timeString(out[i].Created), timeString(out[j].Created)
		return ti < tj || ti == tj && out[i].ID < out[j].ID
	})
	if offset >= len(out) {
		return nil
	}
	out = out[offset:]
	if len(out) > limit {
		out = out[:limit]
	}
	return out
}
