package identity

import (
	"context"

	"github.com/effektif-serverless/caseflow/shared/failure"
)

// The role model. A membership has one Role (RoleAdmin administers the
// organization and its members, RoleMember does not) and two flags:
// Operator (a member who runs what others build: the dialects that know
// the notion show it, the core grants nothing more with it) and Disabled
// (every tenant route refuses the member with Forbidden; their identity,
// sessions and other memberships stay). Organization.AdminIDs mirrors the
// enabled admins (a disabled admin is not one) and is written in the same
// transaction as a role, so a change of who is an enabled admin always
// changes the organization's version. User.SystemAdmin
// is the instance-wide super admin. An organization always keeps one
// enabled admin.

// errMembershipDisabled answers a disabled member on a tenant route.
var errMembershipDisabled = failure.New(failure.Forbidden, "your membership of this organization is disabled")

// errLastAdmin refuses what would leave an organization without an
// enabled admin.
var errLastAdmin = failure.New(failure.Conflict, "the last admin of the organization cannot be demoted, disabled or removed")

// RoleChange is a change of a membership's role; nil leaves a part.
type RoleChange struct {
	Admin    *bool
	Operator *bool
	Disabled *bool
}

// ChangeRole changes the role and flags of the member with the username.
// Permission: admins. The last enabled admin cannot be demoted or disabled
// (Conflict; nothing changes). Errors: as Tenant; Forbidden for a
// non-admin; NotFound for an unknown username; Conflict.
func (s *Service) ChangeRole(ctx context.Context, a Access, username string, c RoleChange) error {
	org, err := a.admin("change a member's role")
	if err != nil {
		return err
	}
	for attempt := 0; attempt < 3; attempt++ {
		m, err := s.memberNamed(ctx, org, username)
		if err != nil {
			return err
		}
		err = s.changeRole(ctx, org, m.Membership, c)
		if err == nil || !failure.As(err).Retry {
			return err
		}
		if a, err = s.refresh(ctx, a); err != nil {
			return err
		}
		org = a.Organization
	}
	return failure.Race("organization")
}

func (s *Service) changeRole(ctx context.Context, org Organization, m Membership, c RoleChange) error {
	org, m, adminsChanged, err := applyRole(org, m, c)
	if err != nil {
		return err
	}
	return s.Store.UpdateRole(ctx, org, m, adminsChanged)
}

// applyRole applies a role change to a membership and the organization's
// AdminIDs, the enabled admins (counting its version up when they
// change). Errors:
// errLastAdmin when the last enabled admin would be demoted or disabled.
func applyRole(org Organization, m Membership, c RoleChange) (Organization, Membership, bool, error) {
	wasAdmin := m.IsAdmin() && !m.Disabled
	if c.Admin != nil {
		m.Role = RoleMember
		if *c.Admin {
			m.Role = RoleAdmin
		}
	}
	if c.Operator != nil {
		m.Operator = *c.Operator
	}
	if c.Disabled != nil {
		m.Disabled = *c.Disabled
	}
	isAdmin := m.IsAdmin() && !m.Disabled
	if wasAdmin && !isAdmin && len(without(org.AdminIDs, m.UserID)) == 0 {
		return org, m, false, errLastAdmin
	}
	admins := without(org.AdminIDs, m.UserID)
	if isAdmin {
		admins = append(admins, m.UserID)
	}
	changed := len(admins) != len(org.AdminIDs)
	if changed {
		org.AdminIDs = admins
		org.Version++
	}
	return org, m, changed, nil
}
