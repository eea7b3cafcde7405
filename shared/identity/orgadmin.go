package identity

import (
	"context"
	"errors"
	"regexp"
	"strings"

	"github.com/effektif-serverless/caseflow/shared/failure"
	"github.com/effektif-serverless/caseflow/shared/ids"
)

// keyShape is what an organization key chosen by a client must look like.
var keyShape = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

// NewOrganization is an organization to create: its name and, optionally,
// the key to give it (derived from the name otherwise).
type NewOrganization struct {
	Name     string
	Key      string
	TimeZone string
}

// CreateOrganization creates an organization with the caller as its admin.
// A key the caller chose must be free (Conflict) and well-formed; a derived
// one gets a suffix when taken. Errors: Unauthenticated (no caller),
// Invalid, Conflict.
func (s *Service) CreateOrganization(ctx context.Context, callerID string, n NewOrganization) (OrganizationDetail, error) {
	if callerID == "" {
		return OrganizationDetail{}, failure.New(failure.Unauthenticated, "sign in to create an organization")
	}
	n.Name = strings.TrimSpace(n.Name)
	if n.Name == "" {
		return OrganizationDetail{}, failure.Field("name", "name is required")
	}
	if err := ValidateName("name", n.Name); err != nil {
		return OrganizationDetail{}, err
	}
	if n.Key != "" && (!keyShape.MatchString(n.Key) || len(n.Key) > MaxOrganizationKeyLength || s.ReservedKeys.Has(n.Key)) {
		return OrganizationDetail{}, failure.Field("key", "key %q is not a free-form lower-case key of letters, digits and hyphens, or it is reserved", n.Key)
	}
	if _, err := s.Store.GetUser(ctx, callerID); err != nil {
		return OrganizationDetail{}, err
	}
	now := s.now()
	org := Organization{ID: ids.New(), Name: n.Name, CreatedBy: callerID, TimeZone: n.TimeZone, AdminIDs: []string{callerID}, Created: now, Version: 1}
	for attempt := 1; attempt <= maxKeyAttempts; attempt++ {
		org.Key = n.Key
		if org.Key == "" {
			org.Key = OrganizationKey(n.Name, attempt, s.ReservedKeys)
		}
		m := Membership{OrganizationID: org.ID, OrganizationKey: org.Key, UserID: callerID, Role: RoleAdmin, Joined: now}
		err := s.Store.CreateOrganization(ctx, org, m)
		if errors.Is(err, ErrOrganizationKeyTaken) {
			if n.Key != "" {
				return OrganizationDetail{}, &failure.Error{Code: failure.Conflict, Field: "key", Message: "the key " + n.Key + " is taken"}
			}
			continue
		}
		if err != nil {
			return OrganizationDetail{}, err
		}
		return s.detail(ctx, org, m)
	}
	return OrganizationDetail{}, failure.New(failure.Conflict, "no free organization key for %q", n.Name)
}

// MaxDeletedMembers bounds the memberships removed with an organization
// in the request; the background purge removes any beyond it.
const MaxDeletedMembers = 5000

// DeleteOrganization deletes an organization: the organization and its key
// go in one transaction (from then on nothing of it is reachable, and the
// key is free again) together with a purge marker, then its memberships.
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

// OrganizationsOf lists the caller's organizations whose name contains
// name (case-insensitive; all when empty). Permission: a member of the
// organization the request is made through.
func (s *Service) OrganizationsOf(ctx context.Context, a Access, name string) ([]Organization, []Membership, error) {
	memberships, orgs, err := s.organizationsOf(ctx, a.UserID)
	if err != nil {
		return nil, nil, err
	}
	name = strings.ToLower(name)
	out := orgs[:0]
	for _, o := range orgs {
		if name == "" || strings.Contains(strings.ToLower(o.Name), name) {
			out = append(out, o)
		}
	}
	return out, memberships, nil
}

// RegistrationPictureKey is the S3 key of the picture uploaded with a
// pending registration (or invitation) whose code has the hash; the purge
// of a deleted organization removes its invitations' pictures.
func RegistrationPictureKey(codeHash string) string { return registrationPictureKey(codeHash) }
