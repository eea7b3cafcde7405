package identity

import (
	"context"
	"errors"
	"regexp"
	"strings"
	"sync"

	"github.com/effektif-serverless/caseflow/shared/failure"
	"github.com/effektif-serverless/caseflow/shared/ids"
)

// keyShape is what an organization key chosen by a client must look like,
// compiled on first use.
var keyShape = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)
})

// NewOrganization is an organization to create: its name and, optionally,
// the key to give it (derived from the name otherwise), its id, its
// description and type, and whether its name is to be unique.
type NewOrganization struct {
	Name     string
	Key      string
	TimeZone string
	// ID is the id to give the organization, "" for a new one: it must
	// be an id (ids.Valid; else Invalid, Field "id") that no organization
	// has, nor a deleted one whose data is still being purged (else
	// Conflict, Field "id").
	ID string
	// Description and Type are free texts, checked as ValidateName checks
	// a name but with their own bounds: at most
	// MaxOrganizationDescriptionLength and MaxOrganizationTypeLength
	// characters (Invalid, Field "description" or "type"). Both are
	// trimmed, as the name is.
	Description string
	Type        string
	// UniqueName claims the normalized name (NormalizeOrganizationName)
	// for the organization globally, in the transaction that creates it:
	// when another organization holds the claim, Conflict with Field
	// "name" and nothing is created. Organizations made without it hold
	// no claim and are not compared.
	UniqueName bool
}

// Bounds of an organization's description and type, in characters.
const (
	MaxOrganizationDescriptionLength = 1000
	MaxOrganizationTypeLength        = 100
)

// SetUpGroupType is the Type of the group SetUpOrganization makes.
const SetUpGroupType = "employees"

// NormalizeOrganizationName is the form of a name its uniqueness claim is
// made on (Organization.NameClaim): trimmed and lower-cased.
func NormalizeOrganizationName(name string) string {
	return strings.ToLower(strings.TrimSpace(name))
}

// checkOrganizationTexts checks an organization's description and type.
func checkOrganizationTexts(description, typ string) error {
	if err := validateTextUpTo("description", description, MaxOrganizationDescriptionLength); err != nil {
		return err
	}
	return validateTextUpTo("type", typ, MaxOrganizationTypeLength)
}

// check trims n's texts and checks them, the key and the id.
func (n *NewOrganization) check(reserved ReservedKeys) error {
	n.Name = strings.TrimSpace(n.Name)
	n.Description = strings.TrimSpace(n.Description)
	n.Type = strings.TrimSpace(n.Type)
	if n.Name == "" {
		return failure.Field("name", "name is required")
	}
	if err := ValidateName("name", n.Name); err != nil {
		return err
	}
	if err := checkOrganizationTexts(n.Description, n.Type); err != nil {
		return err
	}
	if n.ID != "" && !ids.Valid(n.ID) {
		return failure.Field("id", "id %q is not an organization id", n.ID)
	}
	if n.Key != "" && (!keyShape().MatchString(n.Key) || len(n.Key) > MaxOrganizationKeyLength || reserved.Has(n.Key)) {
		return failure.Field("key", "key %q is not a free-form lower-case key of letters, digits and hyphens, or it is reserved", n.Key)
	}
	return nil
}

// errOrganizationNamed is the answer for a name whose claim another
// organization holds.
func errOrganizationNamed(name string) error {
	return &failure.Error{Code: failure.Conflict, Field: "name", Message: "an organization named " + name + " exists"}
}

// CreateOrganization creates an organization with the caller as its admin
// (and its creator). A key the caller chose must be free (Conflict, Field
// "key") and well-formed; a derived one gets a suffix when taken. See
// NewOrganization for the id, the texts and the name's uniqueness claim.
// Errors: Unauthenticated (no caller), Invalid, Conflict.
func (s *Service) CreateOrganization(ctx context.Context, callerID string, n NewOrganization) (OrganizationDetail, error) {
	if callerID == "" {
		return OrganizationDetail{}, failure.New(failure.Unauthenticated, "sign in to create an organization")
	}
	if err := n.check(s.ReservedKeys); err != nil {
		return OrganizationDetail{}, err
	}
	if _, err := s.Store.GetUser(ctx, callerID); err != nil {
		return OrganizationDetail{}, err
	}
	org, m, err := s.createOrganization(ctx, callerID, n, callerID, nil)
	if err != nil {
		return OrganizationDetail{}, err
	}
	return s.detail(ctx, org, m)
}

// createOrganization writes the organization n (checked) made by creatorID
// with adminID as its admin, and the group (when not nil, given its id,
// name and members: the admin) in the same transaction; it tries the
// derived keys until one is free.
func (s *Service) createOrganization(ctx context.Context, creatorID string, n NewOrganization, adminID string, group *Group) (Organization, Membership, error) {
	now := s.now()
	org := Organization{ID: n.ID, Name: n.Name, Description: n.Description, Type: n.Type, CreatedBy: creatorID,
		TimeZone: n.TimeZone, AdminIDs: []string{adminID}, Created: now, Version: 1}
	if org.ID == "" {
		org.ID = ids.New()
	}
	if n.UniqueName {
		org.NameClaim = NormalizeOrganizationName(n.Name)
	}
	for attempt := 1; attempt <= maxKeyAttempts; attempt++ {
		org.Key = n.Key
		if org.Key == "" {
			org.Key = OrganizationKey(n.Name, attempt, s.ReservedKeys)
		}
		m := Membership{OrganizationID: org.ID, OrganizationKey: org.Key, UserID: adminID, Role: RoleAdmin, Joined: now}
		var err error
		if group == nil {
			err = s.Store.CreateOrganization(ctx, org, m)
		} else {
			group.OrganizationID = org.ID
			m.GroupIDs = []string{group.ID}
			err = s.Store.SetUpOrganization(ctx, org, m, *group)
		}
		switch {
		case errors.Is(err, ErrOrganizationKeyTaken):
			if n.Key != "" {
				return Organization{}, Membership{}, &failure.Error{Code: failure.Conflict, Field: "key", Message: "the key " + n.Key + " is taken"}
			}
			continue
		case errors.Is(err, ErrOrganizationIDTaken):
			return Organization{}, Membership{}, &failure.Error{Code: failure.Conflict, Field: "id", Message: "an organization with the id " + org.ID + " exists"}
		case errors.Is(err, ErrOrganizationNameTaken):
			return Organization{}, Membership{}, errOrganizationNamed(n.Name)
		case err != nil:
			return Organization{}, Membership{}, err
		}
		return org, m, nil
	}
	return Organization{}, Membership{}, failure.New(failure.Conflict, "no free organization key for %q", n.Name)
}

// errNoInitialAdmin is SetUpOrganization's answer for an initial admin
// the caller may not name, whether or not the user exists.
var errNoInitialAdmin = failure.Field("initialAdminId", "initialAdminId must be the caller or a member of an organization the caller administers")

// SetUpOrganization is 10Duke's organization setup: it creates the
// organization n (the rules of NewOrganization; its creator is the
// caller) with initialAdminID as its only member, an admin, and a group
// named after it of Type SetUpGroupType holding that member (the
// membership's GroupIDs holds the group), all in one transaction. The
// caller is not made a member (unless they are the initial admin), and
// the detail answered is as the caller sees it: with their membership,
// or a zero Membership when they are none.
// Permission: a signed-in caller; the initial admin is the caller or a
// member of an organization the caller administers (an enabled admin of
// an organization that is not disabled).
// Errors: Unauthenticated (no caller); Invalid with Field
// "initialAdminId" for anyone else, an unknown user or a malformed id
// alike (so the answer tells nothing of other users); Invalid and
// Conflict as CreateOrganization.
func (s *Service) SetUpOrganization(ctx context.Context, callerID string, n NewOrganization, initialAdminID string) (OrganizationDetail, Group, error) {
	if callerID == "" {
		return OrganizationDetail{}, Group{}, failure.New(failure.Unauthenticated, "sign in to set up an organization")
	}
	if !ids.Valid(initialAdminID) {
		return OrganizationDetail{}, Group{}, errNoInitialAdmin
	}
	if err := n.check(s.ReservedKeys); err != nil {
		return OrganizationDetail{}, Group{}, err
	}
	if _, err := s.Store.GetUser(ctx, callerID); err != nil {
		return OrganizationDetail{}, Group{}, err
	}
	if initialAdminID != callerID {
		if err := s.mayNameInitialAdmin(ctx, callerID, initialAdminID); err != nil {
			return OrganizationDetail{}, Group{}, err
		}
	}
	now := s.now()
	g := Group{ID: ids.New(), Name: n.Name, Type: SetUpGroupType, UserIDs: []string{initialAdminID},
		Created: now, Updated: now, CreatedBy: callerID, Version: 1}
	org, m, err := s.createOrganization(ctx, callerID, n, initialAdminID, &g)
	if err != nil {
		return OrganizationDetail{}, Group{}, err
	}
	caller := Membership{}
	if initialAdminID == callerID {
		caller = m
	}
	d, err := s.detail(ctx, org, caller)
	return d, g, err
}

// mayNameInitialAdmin checks that userID is a member of an organization
// callerID administers: errNoInitialAdmin otherwise, an unknown user too.
func (s *Service) mayNameInitialAdmin(ctx context.Context, callerID, userID string) error {
	memberships, orgs, err := s.organizationsOf(ctx, callerID)
	if err != nil {
		return err
	}
	live := map[string]bool{}
	for _, o := range orgs {
		live[o.ID] = !o.Disabled
	}
	administered := map[string]bool{}
	for _, m := range memberships {
		if m.IsAdmin() && !m.Disabled && live[m.OrganizationID] {
			administered[m.OrganizationID] = true
		}
	}
	if len(administered) == 0 {
		return errNoInitialAdmin
	}
	theirs, err := s.Store.MembershipsOfUser(ctx, userID)
	if err != nil {
		return err
	}
	for _, m := range theirs {
		if administered[m.OrganizationID] {
			if _, err := s.Store.GetUser(ctx, userID); failure.Is(err, failure.NotFound) {
				return errNoInitialAdmin
			} else if err != nil {
				return err
			}
			return nil
		}
	}
	return errNoInitialAdmin
}

// MaxDeletedMembers bounds the memberships removed with an organization
// in the request; the background purge removes any beyond it.
const MaxDeletedMembers = 5000

// DeleteOrganization deletes an organization: the organization, its key
// and its name claim (Organization.NameClaim) go in one transaction (from
// then on nothing of it is reachable, and the key and the name are free
// again) together with a purge marker, then its memberships.
// The rest of its data (workflows, cases, tasks, files, mail, groups,
// invitations, licenses, their S3 objects) is removed in the background by
// the scheduled function, in bounded steps, idempotently (see
// workstore.DB.PurgeStep). Permission: admins. Errors: as Tenant; Forbidden.
func (s *Service) DeleteOrganization(ctx context.Context, a Access) error {
	org, m := a.Organization, a.Membership
	if !m.IsAdmin() {
		return failure.New(failure.Forbidden, "only an admin may delete the organization")
	}
	if err := s.Store.DeleteOrganization(ctx, org); err != nil {
		return err
	}
	return s.Store.DeleteMemberships(ctx, org.ID, MaxDeletedMembers)
}

// Features lists what the organization may use: the packages of its
// license type (every package when it has none). Permission: members.
func (s *Service) Features(ctx context.Context, a Access) ([]string, error) {
	org := a.Organization
	types := licenseTypes
	for _, t := range types {
		if t.Name == org.LicenseType {
			return t.Packages, nil
		}
	}
	return types[len(types)-1].Packages, nil
}

// OrganizationNamed answers one of the caller's organizations as its
// members see it: with an empty name, the one the request is made
// through; else the caller's organization whose name is name (trimmed,
// compared case-insensitively), the one the request is made through when
// its name is that, else the one of that name the caller joined first.
// Organizations are looked for among the caller's memberships only (one
// query and one batch read), skipping disabled memberships: no other
// tenant's name is revealed. Permission: a member of the organization the
// request is made through. Errors: as Tenant; NotFound when none of the
// caller's organizations has the name.
func (s *Service) OrganizationNamed(ctx context.Context, a Access, name string) (OrganizationDetail, error) {
	name = strings.TrimSpace(name)
	if name == "" || strings.EqualFold(a.Organization.Name, name) {
		return s.detail(ctx, a.Organization, a.Membership)
	}
	memberships, orgs, err := s.organizationsOf(ctx, a.UserID)
	if err != nil {
		return OrganizationDetail{}, err
	}
	byID := make(map[string]Organization, len(orgs))
	for _, o := range orgs {
		byID[o.ID] = o
	}
	var found *Membership
	for i, m := range memberships {
		o, ok := byID[m.OrganizationID]
		if !ok || m.Disabled || o.Disabled || !strings.EqualFold(o.Name, name) {
			continue
		}
		if found == nil || m.Joined.Before(found.Joined) {
			found = &memberships[i]
		}
	}
	if found == nil {
		return OrganizationDetail{}, failure.New(failure.NotFound, "none of your organizations is named %q", name)
	}
	// organizationsOf drops the directory settings; detail needs them to
	// answer them (redacted) to an admin.
	full, _, err := s.Store.OrganizationAccess(ctx, byID[found.OrganizationID].Key, a.UserID)
	if err != nil {
		return OrganizationDetail{}, err
	}
	return s.detail(ctx, full, *found)
}

// RegistrationPictureKey is the S3 key of the picture uploaded with a
// pending registration (or invitation) whose code has the hash; the purge
// of a deleted organization removes its invitations' pictures.
func RegistrationPictureKey(codeHash string) string { return registrationPictureKey(codeHash) }
