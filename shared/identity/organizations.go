package identity

import (
	"cmp"
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/effektif-serverless/caseflow/shared/failure"
)

// MaxListedMembers bounds the member ids returned with an organization; the
// users list (paged) is the way to see all members of a large organization.
const MaxListedMembers = 1000

// errNoOrganization is the answer for an unknown key and for an organization
// the caller is not a member of alike, so keys of other tenants are not
// revealed.
var errNoOrganization = failure.New(failure.NotFound, "no such organization")

// Tenant resolves an organization key for a caller: the organization and the
// caller's membership in it. Every tenant-scoped operation starts here.
// Errors: NotFound for an unknown or disabled organization and for one the
// caller is not a member of; Forbidden for a disabled membership (after the
// NotFound checks, so a non-member learns nothing).
func (s *Service) Tenant(ctx context.Context, callerID, key string) (Organization, Membership, error) {
	if key == "" || len(key) > MaxOrganizationKeyLength+30 {
		return Organization{}, Membership{}, errNoOrganization
	}
	org, member, err := s.Store.OrganizationAccess(ctx, key, callerID)
	if failure.Is(err, failure.NotFound) || err == nil && (member == nil || org.Disabled) {
		return Organization{}, Membership{}, errNoOrganization
	}
	if err != nil {
		return Organization{}, Membership{}, err
	}
	if member.Disabled {
		return Organization{}, Membership{}, errMembershipDisabled
	}
	return org, *member, nil
}

// OrganizationDetail is an organization as its members see it.
//
// It holds only what its reader may see: the directory settings
// (Directory, never with the bind password) and the open invitations
// for admins only; the organization's stored settings (LdapConnector) are
// never handed out.
type OrganizationDetail struct {
	Organization
	// Caller is the reading user's membership.
	Caller    Membership
	MemberIDs []string
	// Admins are the enabled admins as members (their groups; no
	// preferences).
	Admins []Member
	// SystemUsers are the members that are system users (AddSystemUser),
	// as members, among the first MaxListedMembers members.
	SystemUsers []Member
	// Invitations are the open invitations' addresses, for admins only.
	Invitations []string
	// Directory is the LDAP directory settings without the bind password,
	// for admins only; nil without settings.
	Directory *LDAPConnector
}

// Organization returns the organization with its members and admins.
// Permission: any member. Errors: as Tenant.
func (s *Service) Organization(ctx context.Context, a Access) (OrganizationDetail, error) {
	org, member := a.Organization, a.Membership
	return s.detail(ctx, org, member)
}

// CallerOrganization is Organization for the caller in the organization
// with the key, with the tenant check made here: the organization's
// memberships are read at once with it (ResolveReadingAhead) and used only
// once the check passed. Permission and errors: as Resolve, then
// Organization.
func (s *Service) CallerOrganization(ctx context.Context, c Caller, orgKey string) (Access, OrganizationDetail, error) {
	var memberships []Membership
	var readErr error
	a, ahead, err := s.ResolveReadingAhead(ctx, c, orgKey, func(orgID string) {
		memberships, readErr = s.Store.Memberships(ctx, orgID, MaxListedMembers)
	})
	if err != nil {
		return Access{}, OrganizationDetail{}, err
	}
	if !ahead {
		d, err := s.Organization(ctx, a)
		return a, d, err
	}
	if readErr != nil {
		return Access{}, OrganizationDetail{}, readErr
	}
	d, err := s.detailOf(ctx, a.Organization, a.Membership, memberships)
	return a, d, err
}

// detail reads the organization's memberships, then detailOf.
func (s *Service) detail(ctx context.Context, org Organization, member Membership) (OrganizationDetail, error) {
	memberships, err := s.Store.Memberships(ctx, org.ID, MaxListedMembers)
	if err != nil {
		return OrganizationDetail{}, err
	}
	return s.detailOf(ctx, org, member, memberships)
}

// detailOf is the organization's detail for the member, of its
// memberships: it reads (for an admin) the open invitations and the admins
// and system users at once.
func (s *Service) detailOf(ctx context.Context, org Organization, member Membership, memberships []Membership) (OrganizationDetail, error) {
	var invs []Invitation
	var invsErr error
	var wg sync.WaitGroup
	if member.IsAdmin() {
		wg.Add(1)
		go func() {
			defer wg.Done()
			invs, invsErr = s.Store.Invitations(ctx, org.ID, MaxInvitationsOut)
		}()
	}
	memberIDs := make([]string, len(memberships))
	var systemIDs []string
	for i, m := range memberships {
		memberIDs[i] = m.UserID
		if m.SystemUser {
			systemIDs = append(systemIDs, m.UserID)
		}
	}
	byID, err := s.membersIn(ctx, org.ID, append(slices.Clone(org.AdminIDs), systemIDs...))
	wg.Wait()
	if err := cmp.Or(err, invsErr); err != nil {
		return OrganizationDetail{}, err
	}
	d := OrganizationDetail{Organization: org, Caller: member, MemberIDs: memberIDs}
	for _, id := range org.AdminIDs {
		if m, ok := byID[id]; ok {
			d.Admins = append(d.Admins, m)
		}
	}
	for _, id := range systemIDs {
		if m, ok := byID[id]; ok {
			d.SystemUsers = append(d.SystemUsers, m)
		}
	}
	d.Organization.LdapConnector = nil
	if c, ok := org.LDAPConnector(); ok && member.IsAdmin() {
		redacted := c.Redacted()
		d.Directory = &redacted
	}
	for _, inv := range invs {
		d.Invitations = append(d.Invitations, inv.Email)
	}
	return d, nil
}

// OrganizationChanges are the fields of an organization its admins may
// change; nil leaves a field as it is. The key, id, creator and admins are not
// changed this way.
type OrganizationChanges struct {
	Name          *string
	CustomCSS     *string
	TimeZone      *string
	LdapConnector *LDAPConnector
	// Description and Type are bounded and checked as NewOrganization's
	// (trimmed).
	Description *string
	Type        *string
	// UniqueName makes a new name claimed (NewOrganization.UniqueName) by
	// an organization that holds no claim yet. An organization that holds
	// one moves it to its new name whether or not this is set.
	UniqueName bool
}

// MaxCustomCSSLength bounds an organization's custom style sheet.
const MaxCustomCSSLength = 64 * 1024

func (c OrganizationChanges) validate() error {
	if c.Name != nil {
		if *c.Name == "" {
			return failure.Field("name", "name must not be empty")
		}
		if err := ValidateName("name", *c.Name); err != nil {
			return err
		}
	}
	var description, typ string
	if c.Description != nil {
		description = strings.TrimSpace(*c.Description)
	}
	if c.Type != nil {
		typ = strings.TrimSpace(*c.Type)
	}
	if err := checkOrganizationTexts(description, typ); err != nil {
		return err
	}
	if c.CustomCSS != nil && len(*c.CustomCSS) > MaxCustomCSSLength {
		return failure.Field("customCSS", "customCSS is longer than %d bytes", MaxCustomCSSLength)
	}
	if c.TimeZone != nil && *c.TimeZone != "" {
		if _, err := time.LoadLocation(*c.TimeZone); err != nil {
			return failure.Field("timeZone", "timeZone %q is not a known IANA time zone", *c.TimeZone)
		}
	}
	return nil
}

// maxUpdateAttempts bounds the retries of an update that lost a race.
const maxUpdateAttempts = 3

// UpdateOrganization applies changes to the organization. The write is
// conditional on the version read, and re-applied on a fresh read when
// another update came first, so no update is lost. When the name changes
// and the organization holds a name claim (Organization.NameClaim) or
// changes.UniqueName is set, the claim moves to the new name in the same
// transaction (the old one released, the new one claimed): an
// organization that holds a claim holds it for its current name.
// Permission: admins of the organization. Errors: as Tenant; Forbidden for a
// member who is not an admin; Invalid for bad changes; Conflict with Field
// "name" when another organization holds the new name's claim (nothing is
// changed); Conflict when the organization keeps changing under the
// update.
func (s *Service) UpdateOrganization(ctx context.Context, a Access, changes OrganizationChanges) (OrganizationDetail, error) {
	if err := changes.validate(); err != nil {
		return OrganizationDetail{}, err
	}
	for attempt := 0; attempt < maxUpdateAttempts; attempt++ {
		if attempt > 0 {
			var err error
			if a, err = s.refresh(ctx, a); err != nil {
				return OrganizationDetail{}, err
			}
		}
		org, member := a.Organization, a.Membership
		if !member.IsAdmin() {
			return OrganizationDetail{}, failure.New(failure.Forbidden, "only an admin of the organization may change it")
		}
		oldClaim := org.NameClaim
		if changes.Name != nil && *changes.Name != org.Name {
			org.Name = *changes.Name
			if oldClaim != "" || changes.UniqueName {
				org.NameClaim = NormalizeOrganizationName(org.Name)
			}
		}
		if changes.Description != nil {
			org.Description = strings.TrimSpace(*changes.Description)
		}
		if changes.Type != nil {
			org.Type = strings.TrimSpace(*changes.Type)
		}
		if changes.CustomCSS != nil {
			org.CustomCSS = *changes.CustomCSS
		}
		if changes.TimeZone != nil {
			org.TimeZone = *changes.TimeZone
		}
		if changes.LdapConnector != nil {
			if err := s.setLDAPConnector(&org, *changes.LdapConnector); err != nil {
				return OrganizationDetail{}, err
			}
		}
		org.Version++
		var err error
		if org.NameClaim != oldClaim {
			err = s.Store.RenameOrganization(ctx, org, oldClaim)
		} else {
			err = s.Store.UpdateOrganization(ctx, org)
		}
		if errors.Is(err, ErrOrganizationNameTaken) {
			return OrganizationDetail{}, errOrganizationNamed(org.Name)
		}
		if failure.Is(err, failure.Conflict) {
			continue
		}
		if err != nil {
			return OrganizationDetail{}, err
		}
		return s.detail(ctx, org, member)
	}
	return OrganizationDetail{}, failure.New(failure.Conflict, "the organization was changed concurrently; try again")
}

// Member is a user as seen from one organization.
type Member struct {
	User
	Membership Membership
	// OrganizationIDs lists the user's organizations visible to the reader:
	// all of them for the user themself, only the shared one for others.
	OrganizationIDs []string
}

// Member returns a member of the organization; their preferences only
// when the reader is the member. Permission: any member of the organization. Errors: as Tenant; NotFound
// when userID is not a member of it.
func (s *Service) Member(ctx context.Context, a Access, userID string) (Member, error) {
	org := a.Organization
	user, membership, err := s.Store.UserInOrganization(ctx, org.ID, userID)
	if failure.Is(err, failure.NotFound) || err == nil && membership == nil {
		return Member{}, failure.New(failure.NotFound, "no such user in this organization")
	}
	if err != nil {
		return Member{}, err
	}
	orgIDs := []string{org.ID}
	if userID != a.UserID {
		user.Preferences = nil // the owner's only
	}
	if userID == a.UserID {
		memberships, err := s.Store.MembershipsOfUser(ctx, userID)
		if err != nil {
			return Member{}, err
		}
		orgIDs = orgIDs[:0]
		for _, m := range memberships {
			orgIDs = append(orgIDs, m.OrganizationID)
		}
	}
	return Member{User: user, Membership: *membership, OrganizationIDs: orgIDs}, nil
}

// MemberDetail is a member with what a full user record shows beyond the
// membership: the licenses the user holds in the organizations of
// OrganizationIDs, and those organizations (without directory settings).
type MemberDetail struct {
	Member
	Licenses      []License
	Organizations []Organization
}

// MemberDetails completes members as Member, Members and UpdateUser answer
// them (so OrganizationIDs name only what the reader may see: all of the
// reader's own organizations, the shared one for others) with the licenses
// each holds in those organizations and the organizations themselves, in
// bounded reads: one batch read of the license claims, one of the
// licenses, and one of the organizations other than a.Organization (only
// the reader's own entry names others). Organizations that are gone are
// left out. Permission: members of a.Organization.
func (s *Service) MemberDetails(ctx context.Context, a Access, members []Member) ([]MemberDetail, error) {
	var holders []Membership
	var others []string
	for _, m := range members {
		for _, id := range m.OrganizationIDs {
			holders = append(holders, Membership{OrganizationID: id, UserID: m.ID})
			if id != a.Organization.ID {
				others = append(others, id)
			}
		}
	}
	licenses, err := s.Store.LicensesOfMembers(ctx, holders)
	if err != nil {
		return nil, err
	}
	orgs := map[string]Organization{a.Organization.ID: a.Organization}
	if len(others) > 0 {
		read, err := s.Store.GetOrganizations(ctx, others)
		if err != nil {
			return nil, err
		}
		for _, o := range read {
			orgs[o.ID] = o
		}
	}
	held := map[string][]License{}
	for _, l := range licenses {
		held[l.UserID] = append(held[l.UserID], l)
	}
	out := make([]MemberDetail, len(members))
	for i, m := range members {
		d := MemberDetail{Member: m, Licenses: []License{}, Organizations: []Organization{}}
		for _, id := range m.OrganizationIDs {
			if o, ok := orgs[id]; ok {
				o.LdapConnector = nil
				d.Organizations = append(d.Organizations, o)
			}
		}
		for _, l := range held[m.ID] {
			if _, ok := orgs[l.OrganizationID]; ok {
				d.Licenses = append(d.Licenses, l)
			}
		}
		out[i] = d
	}
	return out, nil
}

// LicenseType is a kind of license the system sells or grants.
type LicenseType struct {
	Name        string
	Description string
	Packages    []string
}

// SystemConfiguration is what clients read before sign-in.
type SystemConfiguration struct {
	RegistrationEnabled     bool
	AuthenticationProviders []string
	LicenseTypes            []LicenseType
}

// licenseTypes is the product's license catalogue.
var licenseTypes = []LicenseType{
	{Name: "free", Description: "Free edition: workflows, cases and tasks", Packages: []string{"workflows", "cases", "tasks"}},
	{Name: "team", Description: "Team edition: adds mail intake, files and services", Packages: []string{"workflows", "cases", "tasks", "mail", "files", "services"}},
	{Name: "enterprise", Description: "Enterprise edition: adds LDAP and single sign-on", Packages: []string{"workflows", "cases", "tasks", "mail", "files", "services", "ldap", "sso"}},
}

// SystemConfiguration returns the public configuration.
func (s *Service) SystemConfiguration() SystemConfiguration {
	return SystemConfiguration{
		RegistrationEnabled:     !s.RegistrationDisabled,
		AuthenticationProviders: s.providerKeys(),
		LicenseTypes:            licenseTypes,
	}
}

// MembersByID returns the users with the given ids that exist, as seen
// from the caller's organization (one batch read of the users, one of
// their memberships): a member of it carries their membership (role,
// groups) and the organization's id in OrganizationIDs; a user who is no
// member (a creator who left) carries neither. For the users an answer
// embeds (a task's assignee, a case's participants). Permission: members
// of the organization.
func (s *Service) MembersByID(ctx context.Context, a Access, ids []string) (map[string]Member, error) {
	return s.membersIn(ctx, a.Organization.ID, ids)
}

// membersIn reads users as members of the organization (MembersByID),
// without their preferences (the owner's only): the users and their
// memberships, the two batch reads at once.
func (s *Service) membersIn(ctx context.Context, orgID string, ids []string) (map[string]Member, error) {
	var users map[string]User
	var ms []Membership
	var usersErr, msErr error
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		ms, msErr = s.Store.MembershipsAmong(ctx, orgID, ids)
	}()
	users, usersErr = s.Users(ctx, ids)
	wg.Wait()
	if err := cmp.Or(usersErr, msErr); err != nil {
		return nil, err
	}
	out := make(map[string]Member, len(users))
	for id, u := range users {
		u.Preferences = nil
		out[id] = Member{User: u}
	}
	for _, m := range ms {
		if mem, ok := out[m.UserID]; ok {
			mem.Membership, mem.OrganizationIDs = m, []string{m.OrganizationID}
			out[m.UserID] = mem
		}
	}
	return out, nil
}

// Users returns the users with the given ids that exist, by id (one batch
// read). Empty ids are skipped.
func (s *Service) Users(ctx context.Context, ids []string) (map[string]User, error) {
	users, err := s.Store.GetUsers(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := make(map[string]User, len(users))
	for _, u := range users {
		out[u.ID] = u
	}
	return out, nil
}

// CheckMembers returns an Invalid failure naming field when one of the ids
// is not a member of the organization (one batch read).
func (s *Service) CheckMembers(ctx context.Context, organizationID, field string, userIDs []string) error {
	if len(userIDs) == 0 {
		return nil
	}
	members, err := s.Store.MembersAmong(ctx, organizationID, userIDs)
	if err != nil {
		return err
	}
	for _, id := range userIDs {
		if !members[id] {
			return failure.Field(field, "user %q is not a member of this organization", id)
		}
	}
	return nil
}
