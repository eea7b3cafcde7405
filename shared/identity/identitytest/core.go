package identitytest

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/effektif-serverless/caseflow/shared/failure"
	"github.com/effektif-serverless/caseflow/shared/identity"
)

// The methods of identity.Store itself: registrations, users, sessions,
// organizations, memberships, invitations, licenses, groups, one-time
// tokens and throttles.

func normalize(email string) string { return identity.NormalizeEmail(email) }

func memberOf(m identity.Membership) pair { return pair{m.OrganizationID, m.UserID} }

func invitationOf(orgID, email string) pair { return pair{orgID, normalize(email)} }

// PutRegistration stores a registration on condition that its code hash
// is new.
func (s *Store) PutRegistration(_ context.Context, r identity.Registration) error {
	defer s.lock()()
	if _, ok := s.registrations[r.CodeHash]; ok {
		return conditionFailed("store registration")
	}
	s.registrations[r.CodeHash] = r
	return s.wrote()
}

// GetRegistration reads a registration (expired ones too, until swept).
func (s *Store) GetRegistration(_ context.Context, codeHash string) (identity.Registration, error) {
	defer s.lock()()
	r, ok := s.registrations[codeHash]
	if !ok {
		return identity.Registration{}, notFound("registration")
	}
	return r, nil
}

var errRegistrationConflict = failure.New(failure.Conflict, "the registration conflicts with existing data")

// Activate checks, in the store's order, the registration, the address,
// the organization key and id (when not an invitation's) and the user id,
// then writes them all; the membership and session are put whatever was
// there.
func (s *Store) Activate(_ context.Context, a identity.Activation) error {
	defer s.lock()()
	email := normalize(a.User.Email)
	invited := a.Registration.InvitedTo != ""
	if _, ok := s.registrations[a.Registration.CodeHash]; !ok {
		return identity.ErrRegistrationUsed
	}
	if _, ok := s.emails[email]; ok {
		return identity.ErrEmailTaken
	}
	if !invited {
		if _, ok := s.orgKeys[a.Organization.Key]; ok {
			return identity.ErrOrganizationKeyTaken
		}
		if _, ok := s.orgs[a.Organization.ID]; ok {
			return errRegistrationConflict
		}
	}
	if _, ok := s.users[a.User.ID]; ok {
		return errRegistrationConflict
	}
	delete(s.registrations, a.Registration.CodeHash)
	s.emails[email] = a.User.ID
	if invited {
		delete(s.invitations, invitationOf(a.Registration.InvitedTo, a.User.Email))
	} else {
		s.orgKeys[a.Organization.Key] = a.Organization.ID
		s.orgs[a.Organization.ID] = copyOrg(a.Organization)
	}
	s.users[a.User.ID] = copyUser(a.User)
	s.members[memberOf(a.Membership)] = copyMembership(a.Membership)
	s.sessions[a.Session.TokenHash] = session{Session: a.Session}
	return s.wrote()
}

// UserIDByEmail reads the owner of a (normalized) address.
func (s *Store) UserIDByEmail(_ context.Context, normalizedEmail string) (string, error) {
	defer s.lock()()
	id, ok := s.emails[normalizedEmail]
	if !ok {
		return "", notFound("user")
	}
	return id, nil
}

// GetUser reads a user.
func (s *Store) GetUser(_ context.Context, id string) (identity.User, error) {
	defer s.lock()()
	u, ok := s.users[id]
	if !ok {
		return identity.User{}, notFound("user")
	}
	return copyUser(u), nil
}

// GetUsers reads the users with the ids that exist (empty and repeated
// ids skipped).
func (s *Store) GetUsers(_ context.Context, ids []string) ([]identity.User, error) {
	defer s.lock()()
	out := []identity.User{}
	for _, id := range distinct(ids) {
		if u, ok := s.users[id]; ok {
			out = append(out, copyUser(u))
		}
	}
	return out, nil
}

// PutSession stores a session on condition that its token hash is new.
func (s *Store) PutSession(_ context.Context, x identity.Session) error {
	defer s.lock()()
	if _, ok := s.sessions[x.TokenHash]; ok {
		return conditionFailed("store session")
	}
	s.sessions[x.TokenHash] = session{Session: x}
	return s.wrote()
}

// GetSession reads a session or API token (expired ones too, until swept).
func (s *Store) GetSession(_ context.Context, tokenHash string) (identity.Session, error) {
	defer s.lock()()
	x, ok := s.sessions[tokenHash]
	if !ok {
		return identity.Session{}, notFound("session")
	}
	return x.Session, nil
}

// DeleteSession deletes a session, if there is one.
func (s *Store) DeleteSession(_ context.Context, tokenHash string) error {
	defer s.lock()()
	delete(s.sessions, tokenHash)
	return s.wrote()
}

// DeleteSessionsOfUser deletes the user's sessions and API tokens but
// keepHash's and counts them.
func (s *Store) DeleteSessionsOfUser(_ context.Context, userID, keepHash string) (int, error) {
	defer s.lock()()
	n := 0
	for hash, x := range s.sessions {
		if x.UserID == userID && hash != keepHash {
			delete(s.sessions, hash)
			n++
		}
	}
	return n, s.wrote()
}

// KnownOrganizationID is the id of the organization with the key (the
// fake knows every one).
func (s *Store) KnownOrganizationID(key string) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	id, ok := s.orgKeys[key]
	return id, ok
}

// OrganizationAccess reads the organization of a key and the user's
// membership in it (nil when none).
func (s *Store) OrganizationAccess(_ context.Context, key, userID string) (identity.Organization, *identity.Membership, error) {
	defer s.lock()()
	id, ok := s.orgKeys[key]
	if !ok {
		return identity.Organization{}, nil, notFound("organization")
	}
	org, ok := s.orgs[id]
	if !ok || org.Key != key {
		return identity.Organization{}, nil, notFound("organization")
	}
	return copyOrg(org), s.membership(id, userID), nil
}

// membership answers a copy of the membership, nil when none.
func (s *Store) membership(orgID, userID string) *identity.Membership {
	m, ok := s.members[pair{orgID, userID}]
	if !ok {
		return nil
	}
	m = copyMembership(m)
	return &m
}

// GetOrganizations reads the organizations with the ids that exist.
func (s *Store) GetOrganizations(_ context.Context, ids []string) ([]identity.Organization, error) {
	defer s.lock()()
	out := []identity.Organization{}
	for _, id := range distinct(ids) {
		if o, ok := s.orgs[id]; ok {
			out = append(out, copyOrg(o))
		}
	}
	return out, nil
}

// maxMemberships is the store's bound on the memberships of one user.
const maxMemberships = 500

// MembershipsOfUser lists the user's memberships by organization id, at
// most 500.
func (s *Store) MembershipsOfUser(_ context.Context, userID string) ([]identity.Membership, error) {
	defer s.lock()()
	return s.sortedMembers(func(m identity.Membership) bool { return m.UserID == userID },
		func(m identity.Membership) string { return m.OrganizationID }, maxMemberships), nil
}

func (s *Store) sortedMembers(keep func(identity.Membership) bool, key func(identity.Membership) string, limit int) []identity.Membership {
	ms := sortedBy(s.members, func(_ pair, m identity.Membership) bool { return keep(m) },
		func(_ pair, m identity.Membership) string { return key(m) }, limit)
	for i := range ms {
		ms[i] = copyMembership(ms[i])
	}
	return ms
}

func (s *Store) orgMembers(orgID string, limit int) []identity.Membership {
	return s.sortedMembers(func(m identity.Membership) bool { return m.OrganizationID == orgID },
		func(m identity.Membership) string { return m.UserID }, limit)
}

// UserInOrganization reads a user (NotFound when none) and their
// membership (nil when none).
func (s *Store) UserInOrganization(_ context.Context, orgID, userID string) (identity.User, *identity.Membership, error) {
	defer s.lock()()
	u, ok := s.users[userID]
	if !ok {
		return identity.User{}, nil, notFound("user")
	}
	return copyUser(u), s.membership(orgID, userID), nil
}

// MembersAmong tells which of the users are members.
func (s *Store) MembersAmong(_ context.Context, orgID string, userIDs []string) (map[string]bool, error) {
	defer s.lock()()
	out := map[string]bool{}
	for _, id := range distinct(userIDs) {
		if _, ok := s.members[pair{orgID, id}]; ok {
			out[id] = true
		}
	}
	return out, nil
}

// MembershipsAmong answers the memberships of those of the users who are
// members, by user id.
func (s *Store) MembershipsAmong(_ context.Context, orgID string, userIDs []string) ([]identity.Membership, error) {
	defer s.lock()()
	var out []identity.Membership
	for _, id := range distinct(userIDs) {
		if m, ok := s.members[pair{orgID, id}]; ok {
			out = append(out, copyMembership(m))
		}
	}
	return out, nil
}

// MemberIDs lists up to limit member ids, by id.
func (s *Store) MemberIDs(_ context.Context, orgID string, limit int) ([]string, error) {
	defer s.lock()()
	ms := s.orgMembers(orgID, limit)
	out := make([]string, len(ms))
	for i, m := range ms {
		out[i] = m.UserID
	}
	return out, nil
}

// Memberships lists up to limit memberships, by user id.
func (s *Store) Memberships(_ context.Context, orgID string, limit int) ([]identity.Membership, error) {
	defer s.lock()()
	return s.orgMembers(orgID, limit), nil
}

// UpdateUser stores the user on its version; with oldEmail, the new
// address is claimed first (ErrEmailTaken) and the old one released.
func (s *Store) UpdateUser(_ context.Context, u identity.User, oldEmail string) error {
	defer s.lock()()
	cur, ok := s.users[u.ID]
	onVersion := ok && cur.Version == u.Version-1
	if oldEmail != "" {
		next, old := normalize(u.Email), normalize(oldEmail)
		if next == old {
			return failure.Wrap(errors.New("ValidationException: two operations on one item"), "update user")
		}
		if _, taken := s.emails[next]; taken {
			return identity.ErrEmailTaken
		}
		if !onVersion {
			return failure.Race("user")
		}
		delete(s.emails, old)
		s.emails[next] = u.ID
	} else if !onVersion {
		return failure.Race("user")
	}
	s.users[u.ID] = copyUser(u)
	return s.wrote()
}

// RemoveMembership deletes the membership (it must exist), stores the
// organization on its version, deletes the membership's username, takes
// the user out of the membership's groups (which must exist) and releases
// the license seat the member holds.
func (s *Store) RemoveMembership(_ context.Context, o identity.Organization, m identity.Membership) error {
	defer s.lock()()
	var tx transaction
	tx.add("member", m.OrganizationID, m.UserID)
	tx.add("org", o.ID)
	if m.Username != "" {
		tx.add("username", m.OrganizationID, strings.ToLower(m.Username))
	}
	for _, gid := range m.GroupIDs {
		tx.add("group", m.OrganizationID, gid)
	}
	claim := pair{m.OrganizationID, m.UserID}
	held, holds := s.claims[claim]
	if holds {
		tx.add("licuser", m.OrganizationID, m.UserID)
		tx.add("license", m.OrganizationID, held)
	}
	if err := tx.check(); err != nil {
		return err
	}
	if _, ok := s.members[memberOf(m)]; !ok {
		return failure.Race("organization")
	}
	if cur, ok := s.orgs[o.ID]; !ok || cur.Version != o.Version-1 {
		return failure.Race("organization")
	}
	for _, gid := range m.GroupIDs {
		if _, ok := s.groups[pair{m.OrganizationID, gid}]; !ok {
			return failure.Race("organization")
		}
	}
	delete(s.members, memberOf(m))
	s.orgs[o.ID] = copyOrg(o)
	if m.Username != "" {
		delete(s.usernames, pair{m.OrganizationID, strings.ToLower(m.Username)})
	}
	for _, gid := range m.GroupIDs {
		s.leaveGroup(m, gid)
	}
	if holds {
		delete(s.claims, claim)
		lk := pair{m.OrganizationID, held}
		if l, ok := s.licenses[lk]; ok && l.UserID == m.UserID {
			l.UserID = ""
			l.Version++
			s.licenses[lk] = l
		}
	}
	return s.wrote()
}

// LeaveGroups takes the member out of the groups (the membership and
// each group must exist), in one transaction.
func (s *Store) LeaveGroups(_ context.Context, m identity.Membership, groupIDs []string) error {
	defer s.lock()()
	if len(groupIDs) == 0 {
		return nil
	}
	if len(groupIDs) > identity.MaxLeaveGroups {
		return failure.New(failure.Internal, "one transaction leaves at most %d groups", identity.MaxLeaveGroups)
	}
	var tx transaction
	tx.add("member", m.OrganizationID, m.UserID)
	for _, gid := range groupIDs {
		tx.add("group", m.OrganizationID, gid)
	}
	if err := tx.check(); err != nil {
		return err
	}
	mk := memberOf(m)
	cur, ok := s.members[mk]
	if !ok {
		return failure.Race("organization")
	}
	for _, gid := range groupIDs {
		if _, ok := s.groups[pair{m.OrganizationID, gid}]; !ok {
			return failure.Race("organization")
		}
	}
	for _, gid := range groupIDs {
		s.leaveGroup(m, gid)
		cur.GroupIDs = withoutItem(cur.GroupIDs, gid)
	}
	s.members[mk] = cur
	return s.wrote()
}

// leaveGroup takes the member's user id out of the group, which gains a
// version (the caller holds the lock and checked that it exists).
func (s *Store) leaveGroup(m identity.Membership, groupID string) {
	k := pair{m.OrganizationID, groupID}
	g := s.groups[k]
	g.UserIDs = withoutItem(g.UserIDs, m.UserID)
	g.Version++
	s.groups[k] = g
}

// CreateOrganization checks the key (ErrOrganizationKeyTaken), the id
// (new, and no deleted organization's: ErrOrganizationIDTaken) and the
// name claim when there is one (ErrOrganizationNameTaken), then writes
// them, the organization and the admin's membership, together.
func (s *Store) CreateOrganization(_ context.Context, o identity.Organization, admin identity.Membership) error {
	defer s.lock()()
	if err := s.checkNewOrganization(o); err != nil {
		return err
	}
	s.putNewOrganization(o, admin)
	return s.wrote()
}

// SetUpOrganization is CreateOrganization with the group written too
// (new, else the store's unnamed failed condition), together.
func (s *Store) SetUpOrganization(_ context.Context, o identity.Organization, admin identity.Membership, g identity.Group) error {
	defer s.lock()()
	if err := s.checkNewOrganization(o); err != nil {
		return err
	}
	if _, ok := s.groups[pair{g.OrganizationID, g.ID}]; ok {
		return conditionFailed("set up organization")
	}
	s.putNewOrganization(o, admin)
	s.groups[pair{g.OrganizationID, g.ID}] = copyGroup(g)
	return s.wrote()
}

func (s *Store) checkNewOrganization(o identity.Organization) error {
	if _, ok := s.orgKeys[o.Key]; ok {
		return identity.ErrOrganizationKeyTaken
	}
	if _, ok := s.orgs[o.ID]; ok || s.purging[o.ID] {
		return identity.ErrOrganizationIDTaken
	}
	if _, ok := s.orgNames[o.NameClaim]; ok && o.NameClaim != "" {
		return identity.ErrOrganizationNameTaken
	}
	return nil
}

func (s *Store) putNewOrganization(o identity.Organization, admin identity.Membership) {
	s.orgKeys[o.Key] = o.ID
	if o.NameClaim != "" {
		s.orgNames[o.NameClaim] = o.ID
	}
	s.orgs[o.ID] = copyOrg(o)
	s.members[memberOf(admin)] = copyMembership(admin)
}

// DeleteOrganization deletes the organization, on condition that its
// version is o.Version, its key and its name claim, and keeps its id as
// being purged. The rest of its data stays (the store's background purge
// removes it).
func (s *Store) DeleteOrganization(_ context.Context, o identity.Organization) error {
	defer s.lock()()
	if cur, ok := s.orgs[o.ID]; !ok || cur.Version != o.Version {
		return failure.Race("organization")
	}
	delete(s.orgs, o.ID)
	delete(s.orgKeys, o.Key)
	if o.NameClaim != "" {
		delete(s.orgNames, o.NameClaim)
	}
	s.purging[o.ID] = true
	return s.wrote()
}

// DeleteMemberships deletes the first limit memberships (by user id);
// their usernames and group lists stay.
func (s *Store) DeleteMemberships(_ context.Context, orgID string, limit int) error {
	defer s.lock()()
	for _, m := range s.orgMembers(orgID, limit) {
		delete(s.members, memberOf(m))
	}
	return s.wrote()
}

// JoinByInvitation consumes the registration (ErrRegistrationUsed when
// gone) and the invitation, stores the session and adds the membership
// unless the user is a member already (who keeps theirs).
func (s *Store) JoinByInvitation(_ context.Context, reg identity.Registration, m identity.Membership, x identity.Session) error {
	defer s.lock()()
	if _, ok := s.registrations[reg.CodeHash]; !ok {
		return identity.ErrRegistrationUsed
	}
	delete(s.registrations, reg.CodeHash)
	delete(s.invitations, invitationOf(reg.InvitedTo, reg.Email))
	s.sessions[x.TokenHash] = session{Session: x}
	if _, ok := s.members[memberOf(m)]; !ok {
		s.members[memberOf(m)] = copyMembership(m)
	}
	return s.wrote()
}

// AddMembership adds a member; one already is refused as the store does
// (an Invalid failure naming the address).
func (s *Store) AddMembership(_ context.Context, m identity.Membership) error {
	defer s.lock()()
	if _, ok := s.members[memberOf(m)]; ok {
		return failure.Field(identity.FieldEmail, "the user is already a member")
	}
	s.members[memberOf(m)] = copyMembership(m)
	return s.wrote()
}

// CreateInvitation stores the invitation (an Invalid failure naming the
// address when it is invited already) and its registration (new).
func (s *Store) CreateInvitation(_ context.Context, inv identity.Invitation, reg identity.Registration) error {
	defer s.lock()()
	k := invitationOf(inv.OrganizationID, inv.Email)
	if _, ok := s.invitations[k]; ok {
		return failure.Field(identity.FieldEmail, "%s is invited already; resend the invitation instead", inv.Email)
	}
	if _, ok := s.registrations[reg.CodeHash]; ok {
		return conditionFailed("store invitation")
	}
	s.invitations[k] = copyInvitation(inv)
	s.registrations[reg.CodeHash] = reg
	return s.wrote()
}

// InvitationSent stores the invitation on its version and the look-up of
// its SES message id.
func (s *Store) InvitationSent(_ context.Context, inv identity.Invitation) error {
	defer s.lock()()
	k := invitationOf(inv.OrganizationID, inv.Email)
	if cur, ok := s.invitations[k]; !ok || cur.Version != inv.Version-1 {
		return failure.Race("invitation")
	}
	s.invitations[k] = copyInvitation(inv)
	s.sesMessages[inv.SESMessageID] = sesMessage{organizationID: inv.OrganizationID, email: inv.Email, expires: inv.Expires}
	return s.wrote()
}

// RenewInvitation deletes the registration of oldHash, stores reg (new)
// and the invitation on its version.
func (s *Store) RenewInvitation(_ context.Context, inv identity.Invitation, oldHash string, reg identity.Registration) error {
	defer s.lock()()
	if reg.CodeHash == oldHash {
		return failure.Wrap(errors.New("ValidationException: two operations on one item"), "update invitation")
	}
	k := invitationOf(inv.OrganizationID, inv.Email)
	if _, ok := s.registrations[reg.CodeHash]; ok {
		return failure.Race("invitation")
	}
	if cur, ok := s.invitations[k]; !ok || cur.Version != inv.Version-1 {
		return failure.Race("invitation")
	}
	delete(s.registrations, oldHash)
	s.registrations[reg.CodeHash] = reg
	s.invitations[k] = copyInvitation(inv)
	return s.wrote()
}

// GetInvitation reads the invitation of an address (compared normalized).
func (s *Store) GetInvitation(_ context.Context, orgID, email string) (identity.Invitation, error) {
	defer s.lock()()
	inv, ok := s.invitations[invitationOf(orgID, email)]
	if !ok {
		return identity.Invitation{}, notFound("invitation")
	}
	return copyInvitation(inv), nil
}

// Invitations lists up to limit invitations of the organization, by
// address.
func (s *Store) Invitations(_ context.Context, orgID string, limit int) ([]identity.Invitation, error) {
	defer s.lock()()
	return s.sortedInvitations(func(k pair) bool { return k.a == orgID }, func(k pair) string { return k.b }, limit), nil
}

func (s *Store) sortedInvitations(keep func(pair) bool, key func(pair) string, limit int) []identity.Invitation {
	invs := sortedBy(s.invitations, func(k pair, _ identity.Invitation) bool { return keep(k) },
		func(k pair, _ identity.Invitation) string { return key(k) }, limit)
	for i := range invs {
		invs[i] = copyInvitation(invs[i])
	}
	return invs
}

// DeleteInvitation deletes the invitation and the registration of its
// code hash, whether or not they are there.
func (s *Store) DeleteInvitation(_ context.Context, inv identity.Invitation) error {
	defer s.lock()()
	delete(s.invitations, invitationOf(inv.OrganizationID, inv.Email))
	delete(s.registrations, inv.CodeHash)
	return s.wrote()
}

// RecordInvitationStatus sets the status of the invitation whose latest
// mail has the SES message id, when the status differs and at is later
// than the status recorded (compared as the store's time strings).
func (s *Store) RecordInvitationStatus(_ context.Context, sesMessageID, status, detail string, at time.Time) (bool, error) {
	defer s.lock()()
	msg, ok := s.sesMessages[sesMessageID]
	if !ok {
		return false, nil
	}
	k := invitationOf(msg.organizationID, msg.email)
	inv, ok := s.invitations[k]
	if !ok || inv.SESMessageID != sesMessageID || inv.Status == status {
		return false, nil
	}
	if recorded := timeString(inv.StatusTime); recorded != "" && recorded >= timeString(at) {
		return false, nil
	}
	inv.Status, inv.Detail, inv.StatusTime = status, detail, at.UTC()
	inv.Version++
	s.invitations[k] = inv
	return true, s.wrote()
}

// CreateLicenses stores the order and its licenses (each new).
func (s *Store) CreateLicenses(_ context.Context, o identity.PurchaseOrder, ls []identity.License) error {
	defer s.lock()()
	var tx transaction
	tx.add("purchase", o.OrganizationID, o.ID)
	for _, l := range ls {
		tx.add("license", l.OrganizationID, l.ID)
	}
	if err := tx.check(); err != nil {
		return err
	}
	for _, l := range ls {
		if _, ok := s.licenses[pair{l.OrganizationID, l.ID}]; ok {
			return conditionFailed("store licenses")
		}
	}
	o.LicenseIDs, o.GeneratorIDs = list(o.LicenseIDs), list(o.GeneratorIDs)
	s.purchases[pair{o.OrganizationID, o.ID}] = o
	for _, l := range ls {
		s.licenses[pair{l.OrganizationID, l.ID}] = copyLicense(l)
	}
	return s.wrote()
}

// Licenses lists up to limit licenses, by id.
func (s *Store) Licenses(_ context.Context, orgID string, limit int) ([]identity.License, error) {
	defer s.lock()()
	ls := sortedBy(s.licenses, func(k pair, _ identity.License) bool { return k.a == orgID },
		func(k pair, _ identity.License) string { return k.b }, limit)
	for i := range ls {
		ls[i] = copyLicense(ls[i])
	}
	return ls, nil
}

// GetLicense reads a license.
func (s *Store) GetLicense(_ context.Context, orgID, id string) (identity.License, error) {
	defer s.lock()()
	l, ok := s.licenses[pair{orgID, id}]
	if !ok {
		return identity.License{}, notFound("license")
	}
	return copyLicense(l), nil
}

// LicensesOfMembers answers the licenses the members' claims name.
func (s *Store) LicensesOfMembers(_ context.Context, ms []identity.Membership) ([]identity.License, error) {
	defer s.lock()()
	var out []identity.License
	seen := map[pair]bool{}
	for _, m := range ms {
		k := pair{m.OrganizationID, m.UserID}
		id, ok := s.claims[k]
		if !ok || seen[k] {
			continue
		}
		seen[k] = true
		if l, ok := s.licenses[pair{m.OrganizationID, id}]; ok {
			out = append(out, copyLicense(l))
		}
	}
	return out, nil
}

var errHoldsLicense = &failure.Error{Code: failure.Conflict, Field: "userId", Message: "the user holds a license of this organization already"}

// AssignLicense stores l on its version and moves the one-license claim
// from previous to l.UserID (a non-retryable Conflict when the new holder
// holds one).
func (s *Store) AssignLicense(_ context.Context, l identity.License, previous string) error {
	defer s.lock()()
	if previous != "" && previous == l.UserID {
		return failure.Wrap(errors.New("ValidationException: two operations on one item"), "update license")
	}
	k := pair{l.OrganizationID, l.ID}
	if cur, ok := s.licenses[k]; !ok || cur.Version != l.Version-1 {
		return failure.Race("license")
	}
	if _, held := s.claims[pair{l.OrganizationID, l.UserID}]; l.UserID != "" && held {
		return errHoldsLicense
	}
	s.licenses[k] = copyLicense(l)
	if previous != "" {
		delete(s.claims, pair{l.OrganizationID, previous})
	}
	if l.UserID != "" {
		s.claims[pair{l.OrganizationID, l.UserID}] = l.ID
	}
	return s.wrote()
}

// GetGroup reads a group.
func (s *Store) GetGroup(_ context.Context, orgID, id string) (identity.Group, error) {
	defer s.lock()()
	g, ok := s.groups[pair{orgID, id}]
	if !ok {
		return identity.Group{}, notFound("group")
	}
	return copyGroup(g), nil
}

// SaveGroup stores g (new, or on its version) and adds it to the added
// users' memberships and takes it from the removed ones' (each must
// exist), together.
func (s *Store) SaveGroup(_ context.Context, g identity.Group, isNew bool, added, removed []string) error {
	defer s.lock()()
	var tx transaction
	tx.add("group", g.OrganizationID, g.ID)
	for _, id := range slicesConcat(added, removed) {
		tx.add("member", g.OrganizationID, id)
	}
	if err := tx.check(); err != nil {
		return err
	}
	k := pair{g.OrganizationID, g.ID}
	cur, exists := s.groups[k]
	if isNew && exists {
		return identity.ErrGroupIDTaken
	}
	if !isNew && (!exists || cur.Version != g.Version-1) {
		return failure.Race("group")
	}
	for _, id := range slicesConcat(added, removed) {
		if _, ok := s.members[pair{g.OrganizationID, id}]; !ok {
			return failure.Race("group")
		}
	}
	s.groups[k] = copyGroup(g)
	s.groupMemberships(g, added, removed)
	return s.wrote()
}

func slicesConcat(a, b []string) []string { return append(append([]string(nil), a...), b...) }

func (s *Store) groupMemberships(g identity.Group, added, removed []string) {
	for _, id := range added {
		k := pair{g.OrganizationID, id}
		m := s.members[k]
		m.GroupIDs = withItem(m.GroupIDs, g.ID)
		s.members[k] = m
	}
	for _, id := range removed {
		k := pair{g.OrganizationID, id}
		m := s.members[k]
		m.GroupIDs = withoutItem(m.GroupIDs, g.ID)
		s.members[k] = m
	}
}

// DeleteGroup deletes g, on condition that its version is g.Version, and
// takes it from its members' memberships (each must exist).
func (s *Store) DeleteGroup(_ context.Context, g identity.Group) error {
	defer s.lock()()
	var tx transaction
	tx.add("group", g.OrganizationID, g.ID)
	for _, id := range g.UserIDs {
		tx.add("member", g.OrganizationID, id)
	}
	if err := tx.check(); err != nil {
		return err
	}
	k := pair{g.OrganizationID, g.ID}
	if cur, ok := s.groups[k]; !ok || cur.Version != g.Version {
		return failure.Race("group")
	}
	for _, id := range g.UserIDs {
		if _, ok := s.members[pair{g.OrganizationID, id}]; !ok {
			return failure.Race("group")
		}
	}
	delete(s.groups, k)
	s.groupMemberships(g, nil, g.UserIDs)
	return s.wrote()
}

// PutOneTime stores a one-time token on condition that it is new.
func (s *Store) PutOneTime(_ context.Context, t identity.OneTime) error {
	defer s.lock()()
	k := pair{t.Kind, t.CodeHash}
	if _, ok := s.oneTimes[k]; ok {
		return conditionFailed("store %s token", t.Kind)
	}
	s.oneTimes[k] = copyOneTime(t)
	return s.wrote()
}

// ReplaceOneTime stores t (new) as the slot's live token and deletes the
// token the slot named before.
func (s *Store) ReplaceOneTime(_ context.Context, t identity.OneTime, slotName string) error {
	defer s.lock()()
	k := pair{t.Kind, t.CodeHash}
	if _, ok := s.oneTimes[k]; ok {
		return conditionFailed("store %s token", t.Kind)
	}
	sk := pair{t.Kind, slotName}
	if prev, ok := s.slots[sk]; ok {
		delete(s.oneTimes, pair{t.Kind, prev.codeHash})
	}
	s.oneTimes[k] = copyOneTime(t)
	s.slots[sk] = slot{codeHash: t.CodeHash, expires: t.Expires}
	return s.wrote()
}

// GetOneTime reads a one-time token (expired ones too, until swept).
func (s *Store) GetOneTime(_ context.Context, kind, codeHash string) (identity.OneTime, error) {
	defer s.lock()()
	t, ok := s.oneTimes[pair{kind, codeHash}]
	if !ok {
		return identity.OneTime{}, notFound(kind + " token")
	}
	return copyOneTime(t), nil
}

// TakeOneTime deletes the token (a retryable Conflict when gone) with the
// user on its version, and the address swap when oldEmail is set.
func (s *Store) TakeOneTime(_ context.Context, t identity.OneTime, user *identity.User, oldEmail string) error {
	defer s.lock()()
	k := pair{t.Kind, t.CodeHash}
	if user != nil && oldEmail != "" && normalize(user.Email) == normalize(oldEmail) {
		return failure.Wrap(errors.New("ValidationException: two operations on one item"), "use %s token", t.Kind)
	}
	if _, ok := s.oneTimes[k]; !ok {
		return failure.Race(t.Kind + " token")
	}
	if user != nil {
		if cur, ok := s.users[user.ID]; !ok || cur.Version != user.Version-1 {
			return failure.Race(t.Kind + " token")
		}
		if oldEmail != "" {
			if _, taken := s.emails[normalize(user.Email)]; taken {
				return identity.ErrEmailTaken
			}
		}
	}
	delete(s.oneTimes, k)
	if user != nil {
		s.users[user.ID] = copyUser(*user)
		if oldEmail != "" {
			delete(s.emails, normalize(oldEmail))
			s.emails[normalize(user.Email)] = user.ID
		}
	}
	return s.wrote()
}

// throttleOf is the counter of name's window that ends at until.
func throttleOf(name string, until time.Time) pair { return pair{name, timeString(until)} }

// Reserve counts one use in the fixed window now falls in if fewer than
// limit are counted there; the window's first use is counted whatever
// the limit (the store's condition is "no counter yet, or below limit").
func (s *Store) Reserve(_ context.Context, name string, limit int, window time.Duration, now time.Time) (identity.Throttle, bool, error) {
	defer s.lock()()
	until := now.Truncate(window).Add(window)
	k := throttleOf(name, until)
	c, ok := s.throttles[k]
	if ok && c.count >= limit {
		return identity.Throttle{Count: limit, Until: until}, false, nil
	}
	c.count++
	c.until = until
	s.throttles[k] = c
	return identity.Throttle{Count: c.count, Until: until}, true, s.wrote()
}

// Release gives back one use of t's window, if any is counted.
func (s *Store) Release(_ context.Context, name string, t identity.Throttle) error {
	defer s.lock()()
	k := throttleOf(name, t.Until)
	if c, ok := s.throttles[k]; ok && c.count > 0 {
		c.count--
		s.throttles[k] = c
		return s.wrote()
	}
	return nil
}

// ClearReservations deletes the counter of the window now falls in.
func (s *Store) ClearReservations(_ context.Context, name string, window time.Duration, now time.Time) error {
	defer s.lock()()
	delete(s.throttles, throttleOf(name, now.Truncate(window).Add(window)))
	return s.wrote()
}

// UpdateOrganization stores o if the stored version is o.Version-1.
func (s *Store) UpdateOrganization(_ context.Context, o identity.Organization) error {
	defer s.lock()()
	if cur, ok := s.orgs[o.ID]; !ok || cur.Version != o.Version-1 {
		return failure.Race("organization")
	}
	s.orgs[o.ID] = copyOrg(o)
	return s.wrote()
}

// RenameOrganization checks the new name claim when there is one
// (ErrOrganizationNameTaken), then the version, as UpdateOrganization;
// then it stores o, claims the new name and releases the old one,
// together.
func (s *Store) RenameOrganization(_ context.Context, o identity.Organization, oldNameClaim string) error {
	defer s.lock()()
	var tx transaction
	tx.add("organization", o.ID)
	for _, claim := range []string{o.NameClaim, oldNameClaim} {
		if claim != "" {
			tx.add("name claim", claim)
		}
	}
	if err := tx.check(); err != nil {
		return err
	}
	if _, ok := s.orgNames[o.NameClaim]; ok && o.NameClaim != "" {
		return identity.ErrOrganizationNameTaken
	}
	if cur, ok := s.orgs[o.ID]; !ok || cur.Version != o.Version-1 {
		return failure.Race("organization")
	}
	if oldNameClaim != "" {
		delete(s.orgNames, oldNameClaim)
	}
	if o.NameClaim != "" {
		s.orgNames[o.NameClaim] = o.ID
	}
	s.orgs[o.ID] = copyOrg(o)
	return s.wrote()
}
