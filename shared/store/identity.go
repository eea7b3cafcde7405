package store

import (
	"context"
	"errors"

	"github.com/guregu/dynamo/v2"

	"github.com/effektif-serverless/caseflow/shared/failure"
	"github.com/effektif-serverless/caseflow/shared/identity"
	"github.com/effektif-serverless/caseflow/shared/store/internal/onetable"
)

var _ identity.Store = (*DB)(nil)

type userItem struct {
	key
	EmailLower string `dynamo:"emailLower"`
	identity.User
}

type emailItem struct {
	key
	UserID string `dynamo:"userId"`
}

type orgItem struct {
	key
	identity.Organization
}

type orgKeyItem struct {
	key
	OrganizationID string `dynamo:"organizationId"`
}

// orgNameItem is an organization's name claim (Organization.NameClaim).
type orgNameItem struct {
	key
	OrganizationID string `dynamo:"organizationId"`
}

type memberItem struct {
	key
	identity.Membership
}

type registrationItem struct {
	key
	identity.Registration
}

type sessionItem struct {
	key
	identity.Session
}

func userKey(id string) key               { return key{PK: "USER#" + id, SK: "PROFILE"} }
func emailKey(normalized string) key      { return key{PK: "EMAIL#" + normalized, SK: "EMAIL"} }
func orgKey(id string) key                { return key{PK: "ORG#" + id, SK: "PROFILE"} }
func orgKeyKey(k string) key              { return key{PK: "ORGKEY#" + k, SK: "ORGKEY"} }
func orgNameKey(claim string) key         { return key{PK: "ORGNAME#" + claim, SK: "ORGNAME"} }
func registrationKey(codeHash string) key { return onetable.RegistrationKey(codeHash) }
func sessionKey(tokenHash string) key     { return key{PK: "TOKEN#" + tokenHash, SK: "TOKEN"} }
func memberKey(orgID, userID string) key {
	return key{PK: "ORG#" + orgID, SK: "MEMBER#" + userID, GSI1PK: "USER#" + userID, GSI1SK: "MEMBER#" + orgID}
}

func newUserItem(u identity.User) userItem {
	k := userKey(u.ID)
	k.GSI1PK, k.GSI1SK = usersIndexKey, userIndexSK(u.Email)
	return userItem{key: k, EmailLower: identity.NormalizeEmail(u.Email), User: u}
}

func newMemberItem(m identity.Membership) memberItem {
	return memberItem{key: memberKey(m.OrganizationID, m.UserID), Membership: m}
}

func newSessionItem(s identity.Session) sessionItem {
	k := sessionKey(s.TokenHash)
	k.GSI1PK, k.GSI1SK, k.ExpiresAt = "USER#"+s.UserID, "TOKEN#"+s.Created.Format("2006-01-02T15:04:05.000Z07:00"), s.Expires
	return sessionItem{key: k, Session: s}
}

// PutRegistration stores a pending registration; it expires through TTL.
func (s *DB) PutRegistration(ctx context.Context, r identity.Registration) error {
	k := registrationKey(r.CodeHash)
	k.ExpiresAt = r.Expires
	if err := s.table.Put(registrationItem{key: k, Registration: r}).If(notExists).Run(ctx); err != nil {
		return failure.Wrap(err, "store registration")
	}
	return nil
}

// GetRegistration returns the registration stored under a code hash.
func (s *DB) GetRegistration(ctx context.Context, codeHash string) (identity.Registration, error) {
	var it registrationItem
	err := s.get(ctx, "REG#"+codeHash, "REG", &it)
	return it.Registration, notFound(err, "registration")
}

// Positions of the conditional items in the activation transaction, used to
// tell which condition failed.
const (
	activateRegistration = iota
	activateEmail
	activateOrgKey
)

// Activate writes the activation in one transaction; see identity.Store.
func (s *DB) Activate(ctx context.Context, a identity.Activation) error {
	regKey := registrationKey(a.Registration.CodeHash)
	tx := s.db.WriteTx().
		Delete(s.table.Delete(hashKey, regKey.PK).Range(rangeKey, regKey.SK).If("attribute_exists(pk)")).
		Put(s.table.Put(emailItem{key: emailKey(identity.NormalizeEmail(a.User.Email)), UserID: a.User.ID}).If(notExists))
	if a.Registration.InvitedTo == "" {
		tx.Put(s.table.Put(orgKeyItem{key: orgKeyKey(a.Organization.Key), OrganizationID: a.Organization.ID}).If(notExists)).
			Put(s.table.Put(orgItem{key: orgKey(a.Organization.ID), Organization: a.Organization}).If(notExists))
	} else {
		ik := invitationKey(a.Registration.InvitedTo, a.User.Email)
		tx.Delete(s.table.Delete(hashKey, ik.PK).Range(rangeKey, ik.SK))
	}
	tx.Put(s.table.Put(newUserItem(a.User)).If(notExists)).
		Put(s.table.Put(newMemberItem(a.Membership))).
		Put(s.table.Put(newSessionItem(a.Session)))
	err := tx.Run(ctx)
	switch failedCondition(err) {
	case -1:
		if err != nil {
			return failure.Wrap(err, "activate registration")
		}
		return nil
	case activateRegistration:
		return identity.ErrRegistrationUsed
	case activateEmail:
		return identity.ErrEmailTaken
	case activateOrgKey:
		if a.Registration.InvitedTo != "" {
			return failure.New(failure.Conflict, "the registration conflicts with existing data")
		}
		return identity.ErrOrganizationKeyTaken
	default:
		return failure.New(failure.Conflict, "the registration conflicts with existing data")
	}
}

// UserIDByEmail returns the id of the user with the (normalized) address.
func (s *DB) UserIDByEmail(ctx context.Context, normalizedEmail string) (string, error) {
	var it emailItem
	k := emailKey(normalizedEmail)
	err := s.get(ctx, k.PK, k.SK, &it)
	return it.UserID, notFound(err, "user")
}

// GetUser returns a user by id.
func (s *DB) GetUser(ctx context.Context, id string) (identity.User, error) {
	var it userItem
	k := userKey(id)
	err := s.get(ctx, k.PK, k.SK, &it)
	return it.User, notFound(err, "user")
}

// GetUsers returns the users with the given ids that exist, in one batch read
// per hundred ids, in no particular order.
func (s *DB) GetUsers(ctx context.Context, ids []string) ([]identity.User, error) {
	var items []userItem
	if err := s.batchGet(ctx, ids, userKey, &items); err != nil {
		return nil, failure.Wrap(err, "read users")
	}
	users := make([]identity.User, len(items))
	for i, it := range items {
		users[i] = it.User
	}
	return users, nil
}

// GetOrganizations returns the organizations with the given ids that exist.
func (s *DB) GetOrganizations(ctx context.Context, ids []string) ([]identity.Organization, error) {
	var items []orgItem
	if err := s.batchGet(ctx, ids, orgKey, &items); err != nil {
		return nil, failure.Wrap(err, "read organizations")
	}
	orgs := make([]identity.Organization, len(items))
	for i, it := range items {
		orgs[i] = it.Organization
	}
	return orgs, nil
}

// PutSession stores a session; it expires through TTL.
func (s *DB) PutSession(ctx context.Context, sess identity.Session) error {
	if err := s.table.Put(newSessionItem(sess)).If(notExists).Run(ctx); err != nil {
		return failure.Wrap(err, "store session")
	}
	return nil
}

// GetSession returns the session stored under a token hash.
func (s *DB) GetSession(ctx context.Context, tokenHash string) (identity.Session, error) {
	var it sessionItem
	k := sessionKey(tokenHash)
	err := s.get(ctx, k.PK, k.SK, &it)
	return it.Session, notFound(err, "session")
}

// DeleteSession deletes a session.
func (s *DB) DeleteSession(ctx context.Context, tokenHash string) error {
	k := sessionKey(tokenHash)
	if err := s.table.Delete(hashKey, k.PK).Range(rangeKey, k.SK).Run(ctx); err != nil {
		return failure.Wrap(err, "delete session")
	}
	return nil
}

// sessionPage bounds one Query of a user's sessions.
const sessionPage = 100

// DeleteSessionsOfUser pages through the user's sessions on GSI1 (a
// bounded Query per page) and deletes them in batches, keeping keepHash.
func (s *DB) DeleteSessionsOfUser(ctx context.Context, userID, keepHash string) (int, error) {
	deleted := 0
	q := s.table.Get("gsi1pk", "USER#"+userID).Index(gsi1).Range("gsi1sk", dynamo.BeginsWith, "TOKEN#").
		Project(hashKey, rangeKey).SearchLimit(sessionPage)
	it := q.Iter()
	var batch []dynamo.Keyed
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		if _, err := s.table.Batch(hashKey, rangeKey).Write().Delete(batch...).Run(ctx); err != nil {
			return failure.Wrap(err, "delete sessions")
		}
		deleted += len(batch)
		batch = batch[:0]
		return nil
	}
	var k key
	for it.Next(ctx, &k) {
		if k.PK == sessionKey(keepHash).PK {
			continue
		}
		batch = append(batch, dynamo.Keys{k.PK, k.SK})
		if len(batch) == 25 {
			if err := flush(); err != nil {
				return deleted, err
			}
		}
		k = key{}
	}
	if err := it.Err(); err != nil {
		return deleted, failure.Wrap(err, "list sessions")
	}
	return deleted, flush()
}

// KnownOrganizationID is the cached key -> id look-up of OrganizationAccess.
func (s *DB) KnownOrganizationID(key string) (string, bool) { return s.orgIDs.get(key) }

// OrganizationAccess resolves the key (from the container's cache when it
// can), then reads the organization and the user's membership together: one
// call, or two on a cache miss.
func (s *DB) OrganizationAccess(ctx context.Context, k, userID string) (identity.Organization, *identity.Membership, error) {
	org, member, err := s.organizationAccess(ctx, k, userID, true)
	if failure.Is(err, failure.NotFound) {
		// A cached key may name an organization deleted since (its key
		// reused): look again without the cache.
		return s.organizationAccess(ctx, k, userID, false)
	}
	return org, member, err
}

func (s *DB) organizationAccess(ctx context.Context, k, userID string, useCache bool) (identity.Organization, *identity.Membership, error) {
	orgID, cached := s.orgIDs.get(k)
	if !useCache || !cached {
		var pointer orgKeyItem
		kk := orgKeyKey(k)
		if err := notFound(s.get(ctx, kk.PK, kk.SK, &pointer), "organization"); err != nil {
			return identity.Organization{}, nil, err
		}
		orgID = pointer.OrganizationID
	}
	var org orgItem
	var member memberItem
	ok, mk := orgKey(orgID), memberKey(orgID, userID)
	err := s.db.GetTx().
		GetOne(s.table.Get(hashKey, ok.PK).Range(rangeKey, dynamo.Equal, ok.SK), &org).
		GetOne(s.table.Get(hashKey, mk.PK).Range(rangeKey, dynamo.Equal, mk.SK), &member).
		Run(ctx)
	if err := notFound(err, "organization"); err != nil {
		return identity.Organization{}, nil, err
	}
	if org.ID == "" || org.Key != k {
		s.orgIDs.drop(k)
		return identity.Organization{}, nil, failure.New(failure.NotFound, "no such organization")
	}
	s.orgIDs.put(k, orgID)
	if member.UserID == "" {
		return org.Organization, nil, nil
	}
	return org.Organization, &member.Membership, nil
}

// UserInOrganization reads a user and their membership in one call.
func (s *DB) UserInOrganization(ctx context.Context, orgID, userID string) (identity.User, *identity.Membership, error) {
	var user userItem
	var member memberItem
	uk, mk := userKey(userID), memberKey(orgID, userID)
	err := s.db.GetTx().
		GetOne(s.table.Get(hashKey, uk.PK).Range(rangeKey, dynamo.Equal, uk.SK), &user).
		GetOne(s.table.Get(hashKey, mk.PK).Range(rangeKey, dynamo.Equal, mk.SK), &member).
		Run(ctx)
	if err := notFound(err, "user"); err != nil {
		return identity.User{}, nil, err
	}
	if user.ID == "" {
		return identity.User{}, nil, failure.New(failure.NotFound, "no such user")
	}
	if member.UserID == "" {
		return user.User, nil, nil
	}
	return user.User, &member.Membership, nil
}

// maxMemberships bounds the organizations listed for one user.
const maxMemberships = 500

// MembershipsOfUser lists a user's memberships: one Query on GSI1.
func (s *DB) MembershipsOfUser(ctx context.Context, userID string) ([]identity.Membership, error) {
	var items []memberItem
	err := s.table.Get("gsi1pk", "USER#"+userID).Index(gsi1).
		Range("gsi1sk", dynamo.BeginsWith, "MEMBER#").Limit(maxMemberships).All(ctx, &items)
	if err != nil {
		return nil, failure.Wrap(err, "list memberships")
	}
	out := make([]identity.Membership, len(items))
	for i, it := range items {
		out[i] = it.Membership
	}
	return out, nil
}

// MemberIDs lists up to limit member ids of an organization: one Query.
func (s *DB) MemberIDs(ctx context.Context, orgID string, limit int) ([]string, error) {
	var items []memberItem
	err := s.table.Get(hashKey, "ORG#"+orgID).Range(rangeKey, dynamo.BeginsWith, "MEMBER#").
		Project("UserID").Limit(limit).All(ctx, &items)
	if err != nil {
		return nil, failure.Wrap(err, "list members")
	}
	out := make([]string, len(items))
	for i, it := range items {
		out[i] = it.UserID
	}
	return out, nil
}

// UpdateOrganization replaces the organization if its stored version is
// o.Version-1; otherwise it returns a Conflict.
func (s *DB) UpdateOrganization(ctx context.Context, o identity.Organization) error {
	err := s.table.Put(orgItem{key: orgKey(o.ID), Organization: o}).
		If("attribute_exists(pk) AND 'Version' = ?", o.Version-1).Run(ctx)
	if dynamo.IsCondCheckFailed(err) {
		return failure.Race("organization")
	}
	if err != nil {
		return failure.Wrap(err, "update organization %s", o.ID)
	}
	return nil
}

// PutMembership adds a user to an organization with a role (or changes the
// role). The organization's AdminIDs are maintained by the caller.
func (s *DB) PutMembership(ctx context.Context, m identity.Membership) error {
	if err := s.table.Put(newMemberItem(m)).Run(ctx); err != nil {
		return failure.Wrap(err, "store membership")
	}
	return nil
}

// MembersAmong reads the memberships of the users in one batch read.
func (s *DB) MembersAmong(ctx context.Context, orgID string, userIDs []string) (map[string]bool, error) {
	ms, err := s.MembershipsAmong(ctx, orgID, userIDs)
	if err != nil {
		return nil, err
	}
	out := make(map[string]bool, len(ms))
	for _, m := range ms {
		out[m.UserID] = true
	}
	return out, nil
}

// MembershipsAmong reads the memberships of the users in one batch read.
func (s *DB) MembershipsAmong(ctx context.Context, orgID string, userIDs []string) ([]identity.Membership, error) {
	var items []memberItem
	if err := s.batchGet(ctx, userIDs, func(id string) key { return memberKey(orgID, id) }, &items); err != nil {
		return nil, failure.Wrap(err, "read memberships")
	}
	out := make([]identity.Membership, len(items))
	for i, it := range items {
		out[i] = it.Membership
	}
	return out, nil
}

// Memberships is one Query of the organization's membership items.
func (s *DB) Memberships(ctx context.Context, orgID string, limit int) ([]identity.Membership, error) {
	var items []memberItem
	q := s.table.Get(hashKey, "ORG#"+orgID).Range(rangeKey, dynamo.BeginsWith, "MEMBER#")
	if err := pageInto(ctx, q, 0, limit, &items); err != nil {
		return nil, failure.Wrap(err, "list members")
	}
	out := make([]identity.Membership, len(items))
	for i, it := range items {
		out[i] = it.Membership
	}
	return out, nil
}

// UpdateUser stores the user (and swaps the email-uniqueness items when
// the address changed) in one transaction.
func (s *DB) UpdateUser(ctx context.Context, u identity.User, oldEmail string) error {
	put := s.table.Put(newUserItem(u)).If("'Version' = ?", u.Version-1)
	var err error
	if oldEmail == "" {
		err = put.Run(ctx)
	} else {
		old := emailKey(identity.NormalizeEmail(oldEmail))
		err = s.db.WriteTx().
			Put(s.table.Put(emailItem{key: emailKey(identity.NormalizeEmail(u.Email)), UserID: u.ID}).If(notExists)).
			Delete(s.table.Delete(hashKey, old.PK).Range(rangeKey, old.SK)).
			Put(put).Run(ctx)
		if failedCondition(err) == 0 {
			return identity.ErrEmailTaken
		}
	}
	return versionConflict(err, "user")
}

// RemoveMembership deletes a membership, updates the organization, takes
// the user out of their groups and releases the license seat they hold,
// together.
func (s *DB) RemoveMembership(ctx context.Context, o identity.Organization, m identity.Membership) error {
	// The seat the member holds is released with the membership: read the
	// claim first, then release both on condition that they are unchanged.
	var claim licenseUserItem
	ck := licenseUserKey(m.OrganizationID, m.UserID)
	if err := s.get(ctx, ck.PK, ck.SK, &claim); err != nil && !errors.Is(err, dynamo.ErrNotFound) {
		return failure.Wrap(err, "read the member's license")
	}
	mk := memberKey(m.OrganizationID, m.UserID)
	tx := s.db.WriteTx().
		Delete(s.table.Delete(hashKey, mk.PK).Range(rangeKey, mk.SK).If("attribute_exists(pk)")).
		Put(s.table.Put(orgItem{key: orgKey(o.ID), Organization: o}).If("'Version' = ?", o.Version-1))
	if m.Username != "" {
		uk := usernameKey(m.OrganizationID, m.Username)
		tx.Delete(s.table.Delete(hashKey, uk.PK).Range(rangeKey, uk.SK))
	}
	for _, gid := range m.GroupIDs {
		tx.Update(s.leaveGroup(m, gid))
	}
	if claim.LicenseID != "" {
		lk := licenseKey(m.OrganizationID, claim.LicenseID)
		tx.Delete(s.table.Delete(hashKey, ck.PK).Range(rangeKey, ck.SK).If("'LicenseID' = ?", claim.LicenseID))
		tx.Update(s.table.Update(hashKey, lk.PK).Range(rangeKey, lk.SK).Remove("UserID").Add("Version", 1).If("'UserID' = ?", m.UserID))
	}
	return versionConflict(tx.Run(ctx), "organization")
}

// LeaveGroups takes the member out of the groups in one transaction.
func (s *DB) LeaveGroups(ctx context.Context, m identity.Membership, groupIDs []string) error {
	if len(groupIDs) == 0 {
		return nil
	}
	if len(groupIDs) > identity.MaxLeaveGroups {
		return failure.New(failure.Internal, "one transaction leaves at most %d groups", identity.MaxLeaveGroups)
	}
	mk := memberKey(m.OrganizationID, m.UserID)
	tx := s.db.WriteTx().Update(s.table.Update(hashKey, mk.PK).Range(rangeKey, mk.SK).DeleteStringsFromSet("GroupIDs", groupIDs...).If("attribute_exists(pk)"))
	for _, gid := range groupIDs {
		tx.Update(s.leaveGroup(m, gid))
	}
	return versionConflict(tx.Run(ctx), "organization")
}

// leaveGroup takes the member's user id out of the group, which gains a
// version, on condition that the group exists.
func (s *DB) leaveGroup(m identity.Membership, groupID string) *dynamo.Update {
	gk := groupKey(m.OrganizationID, groupID)
	return s.table.Update(hashKey, gk.PK).Range(rangeKey, gk.SK).DeleteStringsFromSet("UserIDs", m.UserID).Add("Version", 1).If("attribute_exists(pk)")
}

// groupItem is a group: every field of identity.Group is an attribute
// (UserIDs a string set, Image a map, the times RFC 3339 strings), so a
// group stored before a field existed reads it as its zero value.
type groupItem struct {
	key
	identity.Group
}

func groupKey(orgID, id string) key { return key{PK: "ORG#" + orgID, SK: "GROUP#" + id} }

// GetGroup reads a group.
func (s *DB) GetGroup(ctx context.Context, orgID, id string) (identity.Group, error) {
	var it groupItem
	k := groupKey(orgID, id)
	err := notFound(s.get(ctx, k.PK, k.SK, &it), "group")
	return it.Group, err
}

// SaveGroup writes the group and its members' groupIds in one
// transaction; a new group whose id is taken is ErrGroupIDTaken.
func (s *DB) SaveGroup(ctx context.Context, g identity.Group, isNew bool, added, removed []string) error {
	tx := s.db.WriteTx().Put(versioned(s.table.Put(groupItem{key: groupKey(g.OrganizationID, g.ID), Group: g}), isNew, g.Version))
	s.groupMemberships(tx, g, added, removed)
	err := tx.Run(ctx)
	if isNew && failedCondition(err) == 0 {
		return identity.ErrGroupIDTaken
	}
	return versionConflict(err, "group")
}

// groupMemberships adds the group to the added users' memberships and
// removes it from the removed users'.
func (s *DB) groupMemberships(tx *dynamo.WriteTx, g identity.Group, added, removed []string) {
	for _, id := range added {
		k := memberKey(g.OrganizationID, id)
		tx.Update(s.table.Update(hashKey, k.PK).Range(rangeKey, k.SK).AddStringsToSet("GroupIDs", g.ID).If("attribute_exists(pk)"))
	}
	for _, id := range removed {
		k := memberKey(g.OrganizationID, id)
		tx.Update(s.table.Update(hashKey, k.PK).Range(rangeKey, k.SK).DeleteStringsFromSet("GroupIDs", g.ID).If("attribute_exists(pk)"))
	}
}

// DeleteGroup deletes the group and updates its members in one transaction.
func (s *DB) DeleteGroup(ctx context.Context, g identity.Group) error {
	k := groupKey(g.OrganizationID, g.ID)
	tx := s.db.WriteTx().Delete(s.table.Delete(hashKey, k.PK).Range(rangeKey, k.SK).If("'Version' = ?", g.Version))
	s.groupMemberships(tx, g, nil, g.UserIDs)
	return versionConflict(tx.Run(ctx), "group")
}

// Positions of the conditional items in the transaction of
// CreateOrganization and SetUpOrganization (newOrganization).
const (
	newOrgKey = iota
	newOrgItem
	newOrgPurge
	newOrgName
)

// newOrganization is the transaction of a new organization: its key, the
// organization, the check that its id is no deleted organization's being
// purged, its name claim (when it holds one) and the admin membership.
func (s *DB) newOrganization(o identity.Organization, admin identity.Membership) *dynamo.WriteTx {
	tx := s.db.WriteTx().
		Put(s.table.Put(orgKeyItem{key: orgKeyKey(o.Key), OrganizationID: o.ID}).If(notExists)).
		Put(s.table.Put(orgItem{key: orgKey(o.ID), Organization: o}).If(notExists)).
		Check(s.table.Check(hashKey, purgePartition).Range(rangeKey, o.ID).IfNotExists())
	if o.NameClaim != "" {
		tx.Put(s.table.Put(orgNameItem{key: orgNameKey(o.NameClaim), OrganizationID: o.ID}).If(notExists))
	}
	return tx.Put(s.table.Put(newMemberItem(admin)))
}

// newOrganizationOutcome names the failed condition of newOrganization.
func newOrganizationOutcome(err error, o identity.Organization, what string) error {
	switch i := failedCondition(err); {
	case i == newOrgKey:
		return identity.ErrOrganizationKeyTaken
	case i == newOrgItem || i == newOrgPurge:
		return identity.ErrOrganizationIDTaken
	case i == newOrgName && o.NameClaim != "":
		return identity.ErrOrganizationNameTaken
	}
	return txOutcome(err, "organization", what)
}

// CreateOrganization writes the organization, its key, its name claim and
// the admin membership together; see identity.Store.
func (s *DB) CreateOrganization(ctx context.Context, o identity.Organization, admin identity.Membership) error {
	return newOrganizationOutcome(s.newOrganization(o, admin).Run(ctx), o, "create organization")
}

// SetUpOrganization is CreateOrganization with the group (new) in the
// same transaction; the admin membership carries the group's id.
func (s *DB) SetUpOrganization(ctx context.Context, o identity.Organization, admin identity.Membership, g identity.Group) error {
	tx := s.newOrganization(o, admin).
		Put(s.table.Put(groupItem{key: groupKey(g.OrganizationID, g.ID), Group: g}).If(notExists))
	return newOrganizationOutcome(tx.Run(ctx), o, "set up organization")
}

// RenameOrganization stores the organization on its version and moves its
// name claim, together: the new claim (when set) first, so that a taken
// name is told apart from a lost race.
func (s *DB) RenameOrganization(ctx context.Context, o identity.Organization, oldNameClaim string) error {
	tx := s.db.WriteTx()
	if o.NameClaim != "" {
		tx.Put(s.table.Put(orgNameItem{key: orgNameKey(o.NameClaim), OrganizationID: o.ID}).If(notExists))
	}
	if oldNameClaim != "" {
		ok := orgNameKey(oldNameClaim)
		tx.Delete(s.table.Delete(hashKey, ok.PK).Range(rangeKey, ok.SK))
	}
	tx.Put(s.table.Put(orgItem{key: orgKey(o.ID), Organization: o}).If("attribute_exists(pk) AND 'Version' = ?", o.Version-1))
	err := tx.Run(ctx)
	if o.NameClaim != "" && failedCondition(err) == 0 {
		return identity.ErrOrganizationNameTaken
	}
	return versionConflict(err, "organization")
}

// DeleteOrganization deletes the organization, its key and its name claim
// together, and marks its data for the background purge (purge.go).
func (s *DB) DeleteOrganization(ctx context.Context, o identity.Organization) error {
	ok, kk := orgKey(o.ID), orgKeyKey(o.Key)
	tx := s.db.WriteTx().
		Delete(s.table.Delete(hashKey, ok.PK).Range(rangeKey, ok.SK).If("'Version' = ?", o.Version)).
		Delete(s.table.Delete(hashKey, kk.PK).Range(rangeKey, kk.SK))
	if o.NameClaim != "" {
		nk := orgNameKey(o.NameClaim)
		tx.Delete(s.table.Delete(hashKey, nk.PK).Range(rangeKey, nk.SK))
	}
	err := tx.Put(s.putPurgeMarker(o)).Run(ctx)
	s.orgIDs.drop(o.Key)
	return versionConflict(err, "organization")
}

// DeleteMemberships deletes memberships of an organization in batches.
func (s *DB) DeleteMemberships(ctx context.Context, orgID string, limit int) error {
	members, err := s.Memberships(ctx, orgID, limit)
	if err != nil {
		return err
	}
	keys := make([]dynamo.Keyed, 0, len(members))
	for _, m := range members {
		k := memberKey(orgID, m.UserID)
		keys = append(keys, dynamo.Keys{k.PK, k.SK})
	}
	if len(keys) == 0 {
		return nil
	}
	if _, err := s.table.Batch(hashKey, rangeKey).Write().Delete(keys...).Run(ctx); err != nil {
		return failure.Wrap(err, "delete memberships")
	}
	return nil
}
