package identitytest

import (
	"context"
	"slices"
	"strconv"
	"strings"

	"github.com/effektif-serverless/caseflow/shared/failure"
	"github.com/effektif-serverless/caseflow/shared/identity"
)

// The methods of identity.AccountStore, NumberStore and MemberStore.

// apiTokenOrder is the store's GSI sort key of an API token: its creation
// time to the millisecond.
const apiTokenOrder = "2006-01-02T15:04:05.000Z07:00"

// PutAPIToken stores an API token on condition that its hash is new.
func (s *Store) PutAPIToken(_ context.Context, t identity.Session) error {
	defer s.lock()()
	if _, ok := s.sessions[t.TokenHash]; ok {
		return conditionFailed("store API token")
	}
	s.sessions[t.TokenHash] = session{Session: t, api: true}
	return s.wrote()
}

// APITokens lists up to limit of the user's API tokens, oldest first
// (expired ones too, until swept).
func (s *Store) APITokens(_ context.Context, userID string, limit int) ([]identity.Session, error) {
	defer s.lock()()
	xs := sortedBy(s.sessions, func(_ string, x session) bool { return x.api && x.UserID == userID },
		func(hash string, x session) string { return x.Created.Format(apiTokenOrder) + "\x00" + hash }, limit)
	out := make([]identity.Session, len(xs))
	for i, x := range xs {
		out[i] = x.Session
	}
	return out, nil
}

// UpdateRole sets the membership's Role, Operator and Disabled (NotFound
// when it is gone) and, when adminsChanged, stores the organization on
// its version.
func (s *Store) UpdateRole(_ context.Context, o identity.Organization, m identity.Membership, adminsChanged bool) error {
	defer s.lock()()
	cur, ok := s.members[memberOf(m)]
	if !ok {
		return failure.New(failure.NotFound, "no such user in this organization")
	}
	if adminsChanged {
		if stored, ok := s.orgs[o.ID]; !ok || stored.Version != o.Version-1 {
			return failure.Race("organization")
		}
		s.orgs[o.ID] = copyOrg(o)
	}
	cur.Role, cur.Operator, cur.Disabled = m.Role, m.Operator, m.Disabled
	s.members[memberOf(m)] = cur
	return s.wrote()
}

func usernameOf(orgID, username string) pair { return pair{orgID, strings.ToLower(username)} }

// UsernameOwner reads the holder of a username (case-insensitive).
func (s *Store) UsernameOwner(_ context.Context, orgID, username string) (string, error) {
	defer s.lock()()
	id, ok := s.usernames[usernameOf(orgID, username)]
	if !ok {
		return "", notFound("username")
	}
	return id, nil
}

// ClaimUsername writes the username (ErrUsernameTaken when held) and
// gives it to the membership, which must exist without one (a retryable
// Conflict otherwise).
func (s *Store) ClaimUsername(_ context.Context, m identity.Membership, username string) error {
	defer s.lock()()
	k := usernameOf(m.OrganizationID, username)
	if _, ok := s.usernames[k]; ok {
		return identity.ErrUsernameTaken
	}
	cur, ok := s.members[memberOf(m)]
	if !ok || cur.Username != "" {
		return failure.Race("membership")
	}
	s.usernames[k] = m.UserID
	cur.Username = username
	s.members[memberOf(m)] = cur
	return s.wrote()
}

// GroupsByID reads the organization's groups with the ids that exist.
func (s *Store) GroupsByID(_ context.Context, orgID string, ids []string) ([]identity.Group, error) {
	defer s.lock()()
	out := []identity.Group{}
	for _, id := range distinct(ids) {
		if g, ok := s.groups[pair{orgID, id}]; ok {
			out = append(out, copyGroup(g))
		}
	}
	return out, nil
}

// InvitationsTo lists up to limit invitations to the address in every
// organization, by organization id (expired ones too, until swept).
func (s *Store) InvitationsTo(_ context.Context, normalizedEmail string, limit int) ([]identity.Invitation, error) {
	defer s.lock()()
	email := normalize(normalizedEmail)
	return s.sortedInvitations(func(k pair) bool { return k.b == email }, func(k pair) string { return k.a }, limit), nil
}

// AcceptInvitation checks, in the store's order, that the invitation is
// still the one read (its code hash; NotFound otherwise), that the user
// is no member (Conflict), that the username is free (ErrUsernameTaken)
// and, for an admin, the organization's version (retryable Conflict);
// then it deletes the invitation and its registration and writes the
// membership, the username and the organization.
func (s *Store) AcceptInvitation(_ context.Context, inv identity.Invitation, o identity.Organization, m identity.Membership) error {
	defer s.lock()()
	ik := invitationOf(inv.OrganizationID, inv.Email)
	if cur, ok := s.invitations[ik]; !ok || cur.CodeHash != inv.CodeHash {
		return failure.New(failure.NotFound, "no invitation to this organization for your address")
	}
	if _, ok := s.members[memberOf(m)]; ok {
		return failure.New(failure.Conflict, "you are a member of this organization already")
	}
	uk := usernameOf(m.OrganizationID, m.Username)
	if _, ok := s.usernames[uk]; ok {
		return identity.ErrUsernameTaken
	}
	if m.IsAdmin() {
		if cur, ok := s.orgs[o.ID]; !ok || cur.Version != o.Version-1 {
			return failure.Race("organization")
		}
		s.orgs[o.ID] = copyOrg(o)
	}
	delete(s.invitations, ik)
	delete(s.registrations, inv.CodeHash)
	s.members[memberOf(m)] = copyMembership(m)
	s.usernames[uk] = m.UserID
	return s.wrote()
}

// CreateUser claims the address (ErrEmailTaken) and stores the user (new).
func (s *Store) CreateUser(_ context.Context, u identity.User) error {
	defer s.lock()()
	email := normalize(u.Email)
	if _, ok := s.emails[email]; ok {
		return identity.ErrEmailTaken
	}
	if _, ok := s.users[u.ID]; ok {
		return conditionFailed("create user")
	}
	s.emails[email] = u.ID
	s.users[u.ID] = copyUser(u)
	return s.wrote()
}

// CreateMember claims the address (ErrEmailTaken), stores the user (new,
// else ErrUserIDTaken) and adds the membership (new), together.
func (s *Store) CreateMember(_ context.Context, u identity.User, m identity.Membership) error {
	defer s.lock()()
	email := normalize(u.Email)
	if _, ok := s.emails[email]; ok {
		return identity.ErrEmailTaken
	}
	if _, ok := s.users[u.ID]; ok {
		return identity.ErrUserIDTaken
	}
	if _, ok := s.members[memberOf(m)]; ok {
		return failure.New(failure.Conflict, "the membership exists already")
	}
	s.emails[email] = u.ID
	s.users[u.ID] = copyUser(u)
	s.members[memberOf(m)] = copyMembership(m)
	return s.wrote()
}

// UsersPage lists up to limit users whose (normalized) address sorts
// after after's, in address order.
func (s *Store) UsersPage(_ context.Context, after string, limit int) ([]identity.User, error) {
	defer s.lock()()
	from := normalize(after)
	us := sortedBy(s.users, func(_ string, u identity.User) bool { return normalize(u.Email) > from },
		func(_ string, u identity.User) string { return normalize(u.Email) }, limit)
	for i := range us {
		us[i] = copyUser(us[i])
	}
	return us, nil
}

// Numbers reads the numbers the ids have.
func (s *Store) Numbers(_ context.Context, kind identity.NumberKind, ids []string) (map[string]int32, error) {
	defer s.lock()()
	out := map[string]int32{}
	for _, id := range distinct(ids) {
		if n, ok := s.numbers[pair{string(kind), id}]; ok {
			out[id] = n
		}
	}
	return out, nil
}

// NextNumber counts the kind's counter up (from 1).
func (s *Store) NextNumber(_ context.Context, kind identity.NumberKind) (int64, error) {
	defer s.lock()()
	s.counters[kind]++
	return s.counters[kind], s.wrote()
}

func numberKey(kind identity.NumberKind, n int32) pair {
	return pair{string(kind), strconv.Itoa(int(n))}
}

// ClaimNumber writes both directions of a number on condition that
// neither exists (a retryable Conflict).
func (s *Store) ClaimNumber(_ context.Context, kind identity.NumberKind, id string, n int32) error {
	defer s.lock()()
	ik, nk := pair{string(kind), id}, numberKey(kind, n)
	_, idTaken := s.numbers[ik]
	_, nTaken := s.numbered[nk]
	if idTaken || nTaken {
		return failure.Race(string(kind) + " number")
	}
	s.numbers[ik], s.numbered[nk] = n, id
	return s.wrote()
}

// NumberedID reads the id a number names.
func (s *Store) NumberedID(_ context.Context, kind identity.NumberKind, n int32) (string, error) {
	defer s.lock()()
	id, ok := s.numbered[numberKey(kind, n)]
	if !ok {
		return "", notFound(string(kind))
	}
	return id, nil
}

// Groups lists up to limit groups of the organization, by id.
func (s *Store) Groups(_ context.Context, orgID string, limit int) ([]identity.Group, error) {
	defer s.lock()()
	gs := sortedBy(s.groups, func(k pair, _ identity.Group) bool { return k.a == orgID },
		func(k pair, _ identity.Group) string { return k.b }, limit)
	for i := range gs {
		gs[i] = copyGroup(gs[i])
	}
	return gs, nil
}

// ChangeMember checks every condition of the store's transaction (the
// membership exists; its groups are still w.PreviousGroupIDs; an added
// group exists with room, a removed one exists; the organization, the
// user and each license on its version; the member's one-license claim
// as w expects it) and answers a retryable Conflict when one fails, then
// writes w whole.
func (s *Store) ChangeMember(_ context.Context, w identity.MemberWrite) error {
	defer s.lock()()
	m := w.Membership
	orgID := m.OrganizationID
	mk := memberOf(m)
	var tx transaction
	tx.add("member", orgID, m.UserID)
	if w.GroupsChanged {
		for _, id := range slicesConcat(w.AddedGroups, w.RemovedGroups) {
			tx.add("group", orgID, id)
		}
	}
	if w.AdminsChanged {
		tx.add("org", w.Organization.ID)
	}
	if w.User != nil {
		tx.add("user", w.User.ID)
	}
	for _, l := range []*identity.License{w.Released, w.Taken} {
		if l != nil {
			tx.add("license", orgID, l.ID)
		}
	}
	if w.Released != nil || w.Taken != nil {
		tx.add("claim", orgID, m.UserID)
	}
	if err := tx.check(); err != nil {
		return err
	}
	if !s.memberChangeHolds(w) {
		return failure.Race("member")
	}
	cur := s.members[mk]
	if w.RoleChanged {
		cur.Role, cur.Operator, cur.Disabled = m.Role, m.Operator, m.Disabled
	}
	if w.MainGroupChanged {
		cur.MainGroupID = m.MainGroupID
	}
	if w.GroupsChanged {
		cur.GroupIDs = set(m.GroupIDs)
		for _, id := range w.AddedGroups {
			g := s.groups[pair{orgID, id}]
			g.UserIDs = withItem(g.UserIDs, m.UserID)
			g.Version++
			s.groups[pair{orgID, id}] = g
		}
		for _, id := range w.RemovedGroups {
			g := s.groups[pair{orgID, id}]
			g.UserIDs = withoutItem(g.UserIDs, m.UserID)
			g.Version++
			s.groups[pair{orgID, id}] = g
		}
	}
	s.members[mk] = cur
	if w.AdminsChanged {
		s.orgs[w.Organization.ID] = copyOrg(w.Organization)
	}
	if w.User != nil {
		s.users[w.User.ID] = copyUser(*w.User)
	}
	for _, l := range []*identity.License{w.Released, w.Taken} {
		if l != nil {
			s.licenses[pair{orgID, l.ID}] = copyLicense(*l)
		}
	}
	switch {
	case w.Taken != nil:
		s.claims[mk] = w.Taken.ID
	case w.Released != nil:
		delete(s.claims, mk)
	}
	return s.wrote()
}

// memberChangeHolds checks the conditions of ChangeMember's transaction.
func (s *Store) memberChangeHolds(w identity.MemberWrite) bool {
	m := w.Membership
	orgID := m.OrganizationID
	cur, ok := s.members[memberOf(m)]
	if !ok {
		return false
	}
	if w.GroupsChanged {
		if len(cur.GroupIDs) != len(w.PreviousGroupIDs) {
			return false
		}
		for _, id := range w.PreviousGroupIDs {
			if !slices.Contains(cur.GroupIDs, id) {
				return false
			}
		}
		for _, id := range w.AddedGroups {
			if g, ok := s.groups[pair{orgID, id}]; !ok || len(g.UserIDs) >= identity.MaxGroupMembers {
				return false
			}
		}
		for _, id := range w.RemovedGroups {
			if _, ok := s.groups[pair{orgID, id}]; !ok {
				return false
			}
		}
	}
	if w.AdminsChanged {
		if o, ok := s.orgs[w.Organization.ID]; !ok || o.Version != w.Organization.Version-1 {
			return false
		}
	}
	if w.User != nil {
		if u, ok := s.users[w.User.ID]; !ok || u.Version != w.User.Version-1 {
			return false
		}
	}
	for _, l := range []*identity.License{w.Released, w.Taken} {
		if l == nil {
			continue
		}
		if cur, ok := s.licenses[pair{orgID, l.ID}]; !ok || cur.Version != l.Version-1 {
			return false
		}
	}
	claim, claimed := s.claims[memberOf(m)]
	switch {
	case w.Released != nil:
		return claimed && claim == w.Released.ID
	case w.Taken != nil:
		return !claimed
	}
	return true
}
