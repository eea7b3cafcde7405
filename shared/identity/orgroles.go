package identity

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/effektif-serverless/caseflow/shared/failure"
	"github.com/effektif-serverless/caseflow/shared/ids"
)

// Organization roles with permissions (10Duke's OrganizationRole) on the
// core's role model (roles.go). Every organization has two built-in
// roles, which exist implicitly (nothing is stored for them) and cannot
// be changed or deleted:
//
//   - OrgRoleAdmin ("admin") is the core's RoleAdmin: its permissions
//     (AdminPermissions) name the rights the core gives admins. Assigning
//     it makes the member an admin; removing it demotes them, and the
//     last enabled admin cannot lose it (the last-admin rule).
//   - OrgRoleMember ("member") is held by every member (MemberPermissions
//     name what the core lets members do); it can be neither assigned
//     nor removed apart from the membership.
//
// Custom roles are the organization's admins' own: a name unique in the
// organization (case-insensitive; not the built-in names), a description
// and permissions, strings the core records and answers but does not
// interpret. A custom role grants nothing the core knows: an application
// that reads a member's roles may act on their permissions; the core's
// own checks look at the built-in role only. Roles belong to one
// organization (10Duke's global roles have no organization field; the
// dialect resolves the caller's organization).
//
// A custom role's grants are counted on the role (Holders) in the
// transaction that grants or removes it, so deleting a role deletes its
// grants with it, on condition that none was added meanwhile. A grant
// records when the membership it was made for began: a member who leaves
// and joins again holds none of the grants of the earlier membership.

// The built-in roles.
const (
	OrgRoleAdmin  = "admin"
	OrgRoleMember = "member"
)

// AdminPermissions and MemberPermissions are the permissions of the
// built-in roles: the names of the rights the core grants.
var (
	AdminPermissions = []string{
		"organization.read", "organization.write", "members.read", "members.write", "groups.read", "groups.write",
		"invitations.read", "invitations.write", "roles.read", "roles.write", "licenses.read", "licenses.write",
	}
	MemberPermissions = []string{"organization.read", "members.read", "groups.read", "roles.read"}
)

// Limits of organization roles.
const (
	MaxOrgRoles          = 200
	MaxRolePermissions   = 100
	MaxPermissionLength  = 128
	MaxRolesPerMember    = 40
	MaxRoleHoldersDelete = 90
	MaxRoleDescription   = 2000
)

// OrgRole is a role of an organization. BuiltIn marks the implicit
// admin and member roles; Holders counts a custom role's grants.
type OrgRole struct {
	ID             string
	OrganizationID string
	Name           string
	Description    string
	Permissions    []string
	BuiltIn        bool `dynamo:"-"`
	Holders        int
	Created        time.Time
	Updated        time.Time
	Version        int
}

// NewOrgRole is a custom role an admin creates; ID may be given (of
// ids.New's shape, unique in the organization).
type NewOrgRole struct {
	ID          string
	Name        string
	Description string
	Permissions []string
}

// OrgRoleChanges changes a custom role; nil leaves a part.
type OrgRoleChanges struct {
	Name        *string
	Description *string
	Permissions *[]string
}

// OrgRoleGrant is a custom role held by a member. MemberJoined is the
// Joined of the membership it was granted to.
type OrgRoleGrant struct {
	OrganizationID string
	UserID         string
	RoleID         string
	MemberJoined   time.Time
	Granted        time.Time
}

// OrgRoleStore keeps custom roles and their grants. Implementations return
// *failure.Error values like Store's; a lost race is a retryable Conflict.
type OrgRoleStore interface {
	// CreateOrgRole stores a new role and claims its name:
	// ErrOrgRoleExists, ErrOrgRoleNameTaken.
	CreateOrgRole(ctx context.Context, r OrgRole) error
	GetOrgRole(ctx context.Context, organizationID, id string) (OrgRole, error)
	// OrgRoles lists up to limit roles of the organization by id: one
	// Query.
	OrgRoles(ctx context.Context, organizationID string, limit int) ([]OrgRole, error)
	// UpdateOrgRole stores r's name, description, permissions and updated
	// time on condition of version r.Version-1 (Holders stay); when
	// oldName differs (case-insensitively) the name's claim moves:
	// ErrOrgRoleNameTaken.
	UpdateOrgRole(ctx context.Context, r OrgRole, oldName string) error
	// DeleteOrgRole deletes the role (on its version, and while its
	// Holders are len(grants)), its name and the grants, together.
	DeleteOrgRole(ctx context.Context, r OrgRole, grants []OrgRoleGrant) error
	// OrgRoleHolders lists up to limit grants of the role: one Query.
	OrgRoleHolders(ctx context.Context, organizationID, roleID string, limit int) ([]OrgRoleGrant, error)
	// MemberOrgRoleGrants lists up to limit grants of the user in the
	// organization (of any membership): one Query.
	MemberOrgRoleGrants(ctx context.Context, organizationID, userID string, limit int) ([]OrgRoleGrant, error)
	// GrantOrgRoles writes, in one transaction, while the membership
	// exists: each grant of added as new (counted on its role, which must
	// exist), and each grant of renewed over a stored grant of an earlier
	// membership (on condition of that grant's MemberJoined, given in
	// renewed's Granted order: previous[i] is renewed[i]'s stored grant).
	GrantOrgRoles(ctx context.Context, m Membership, added, renewed, previous []OrgRoleGrant) error
	// RevokeOrgRole deletes the grant (while it exists) and counts it off
	// its role, together.
	RevokeOrgRole(ctx context.Context, g OrgRoleGrant) error
}

// Errors of organization roles.
var (
	ErrOrgRoleExists    = &failure.Error{Code: failure.Invalid, Field: "id", Message: "a role with this id exists already"}
	ErrOrgRoleNameTaken = &failure.Error{Code: failure.Invalid, Field: "name", Message: "a role with this name exists already"}
	errNoOrgRole        = failure.New(failure.NotFound, "no such role in this organization")
	errBuiltInRole      = failure.New(failure.Forbidden, "the built-in roles admin and member cannot be changed or deleted")
	errNoSuchMember     = failure.New(failure.NotFound, "no such user in this organization")
)

func builtInRole(orgID, id string) (OrgRole, bool) {
	switch id {
	case OrgRoleAdmin:
		return OrgRole{ID: OrgRoleAdmin, OrganizationID: orgID, Name: OrgRoleAdmin, Description: "Administers the organization and its members",
			Permissions: slices.Clone(AdminPermissions), BuiltIn: true}, true
	case OrgRoleMember:
		return OrgRole{ID: OrgRoleMember, OrganizationID: orgID, Name: OrgRoleMember, Description: "A member of the organization",
			Permissions: slices.Clone(MemberPermissions), BuiltIn: true}, true
	}
	return OrgRole{}, false
}

// checkOrgRole checks a custom role's name, description and permissions.
func checkOrgRole(r OrgRole) error {
	if strings.TrimSpace(r.Name) == "" {
		return failure.Field("name", "name is required")
	}
	if err := ValidateName("name", r.Name); err != nil {
		return err
	}
	if n := strings.ToLower(strings.TrimSpace(r.Name)); n == OrgRoleAdmin || n == OrgRoleMember {
		return failure.Field("name", "the name %q is the built-in role's", r.Name)
	}
	if len(r.Description) > MaxRoleDescription {
		return failure.Field("description", "description is longer than %d bytes", MaxRoleDescription)
	}
	if err := checkScopeText(r.Description); err != nil {
		return failure.Field("description", "description contains control characters or invalid UTF-8")
	}
	if len(r.Permissions) > MaxRolePermissions {
		return failure.Field("permissions", "at most %d permissions", MaxRolePermissions)
	}
	for i, p := range r.Permissions {
		if !validPermission(p) {
			return failure.Field("permissions", "permissions[%d] must be 1 to %d letters, digits or . _ : - / *", i, MaxPermissionLength)
		}
	}
	return nil
}

func validPermission(p string) bool {
	if p == "" || len(p) > MaxPermissionLength {
		return false
	}
	for _, r := range p {
		ok := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("._:-/*", r)
		if !ok {
			return false
		}
	}
	return true
}

// OrgRoles lists the organization's roles: the built-in ones, then the
// custom ones by id (at most MaxOrgRoles). Permission: members. Errors:
// as Tenant.
func (s *Service) OrgRoles(ctx context.Context, a Access) ([]OrgRole, error) {
	custom, err := s.Store.OrgRoles(ctx, a.Organization.ID, MaxOrgRoles)
	if err != nil {
		return nil, err
	}
	admin, _ := builtInRole(a.Organization.ID, OrgRoleAdmin)
	member, _ := builtInRole(a.Organization.ID, OrgRoleMember)
	return append([]OrgRole{admin, member}, custom...), nil
}

// OrgRole reads one role. Permission: members. Errors: NotFound.
func (s *Service) OrgRole(ctx context.Context, a Access, id string) (OrgRole, error) {
	return s.orgRole(ctx, a.Organization.ID, id)
}

func (s *Service) orgRole(ctx context.Context, orgID, id string) (OrgRole, error) {
	if r, ok := builtInRole(orgID, id); ok {
		return r, nil
	}
	if !ids.Valid(id) {
		return OrgRole{}, errNoOrgRole
	}
	r, err := s.Store.GetOrgRole(ctx, orgID, id)
	if failure.Is(err, failure.NotFound) {
		return OrgRole{}, errNoOrgRole
	}
	return r, err
}

// CreateOrgRole creates a custom role. The number of roles is checked
// against MaxOrgRoles before the write (two concurrent creations may pass
// it by one). Permission: admins. Errors: Forbidden; Invalid (name,
// description, permissions, id; ErrOrgRoleExists, ErrOrgRoleNameTaken);
// Conflict (MaxOrgRoles reached).
func (s *Service) CreateOrgRole(ctx context.Context, a Access, n NewOrgRole) (OrgRole, error) {
	org, err := a.admin("manage roles")
	if err != nil {
		return OrgRole{}, err
	}
	id := n.ID
	if id == "" {
		id = ids.New()
	} else if err := ids.Check("id", id); err != nil {
		return OrgRole{}, err
	}
	now := s.now()
	r := OrgRole{ID: id, OrganizationID: org.ID, Name: strings.TrimSpace(n.Name), Description: n.Description,
		Permissions: set(n.Permissions), Created: now, Updated: now, Version: 1}
	if err := checkOrgRole(r); err != nil {
		return OrgRole{}, err
	}
	existing, err := s.Store.OrgRoles(ctx, org.ID, MaxOrgRoles)
	if err != nil {
		return OrgRole{}, err
	}
	if len(existing) >= MaxOrgRoles {
		return OrgRole{}, failure.New(failure.Conflict, "an organization has at most %d roles", MaxOrgRoles)
	}
	if err := s.Store.CreateOrgRole(ctx, r); err != nil {
		return OrgRole{}, err
	}
	return r, nil
}

// UpdateOrgRole changes a custom role. Permission: admins. Errors:
// Forbidden (also for a built-in role); NotFound; Invalid; a retryable
// Conflict when it changed meanwhile.
func (s *Service) UpdateOrgRole(ctx context.Context, a Access, id string, c OrgRoleChanges) (OrgRole, error) {
	org, err := a.admin("manage roles")
	if err != nil {
		return OrgRole{}, err
	}
	r, err := s.orgRole(ctx, org.ID, id)
	if err != nil {
		return OrgRole{}, err
	}
	if r.BuiltIn {
		return OrgRole{}, errBuiltInRole
	}
	oldName := r.Name
	if c.Name != nil {
		r.Name = strings.TrimSpace(*c.Name)
	}
	if c.Description != nil {
		r.Description = *c.Description
	}
	if c.Permissions != nil {
		r.Permissions = set(*c.Permissions)
	}
	if err := checkOrgRole(r); err != nil {
		return OrgRole{}, err
	}
	r.Updated = s.now()
	r.Version++
	if err := s.Store.UpdateOrgRole(ctx, r, oldName); err != nil {
		return OrgRole{}, err
	}
	return r, nil
}

// DeleteOrgRole deletes a custom role and its grants, together (a role
// held by more than MaxRoleHoldersDelete grants is refused: remove some
// first). Permission: admins. Errors: Forbidden (also for a built-in
// role); NotFound; Conflict.
func (s *Service) DeleteOrgRole(ctx context.Context, a Access, id string) error {
	org, err := a.admin("manage roles")
	if err != nil {
		return err
	}
	for attempt := 0; attempt < 3; attempt++ {
		r, err := s.orgRole(ctx, org.ID, id)
		if err != nil {
			return err
		}
		if r.BuiltIn {
			return errBuiltInRole
		}
		grants, err := s.Store.OrgRoleHolders(ctx, org.ID, id, MaxRoleHoldersDelete+1)
		if err != nil {
			return err
		}
		if len(grants) > MaxRoleHoldersDelete || r.Holders > MaxRoleHoldersDelete {
			return failure.New(failure.Conflict, "the role is held by more than %d members: remove it from some first", MaxRoleHoldersDelete)
		}
		err = s.Store.DeleteOrgRole(ctx, r, grants)
		if err == nil || !failure.As(err).Retry {
			return err
		}
	}
	return failure.Race("role")
}

// memberByID reads the membership of the user id. Errors: NotFound.
func (s *Service) memberByID(ctx context.Context, orgID, userID string) (Membership, error) {
	if !ids.Valid(userID) {
		return Membership{}, errNoSuchMember
	}
	_, m, err := s.Store.UserInOrganization(ctx, orgID, userID)
	if failure.Is(err, failure.NotFound) || err == nil && m == nil {
		return Membership{}, errNoSuchMember
	}
	if err != nil {
		return Membership{}, err
	}
	return *m, nil
}

// currentGrants are the grants of the member's current membership, by
// role id, and the stored grants of earlier memberships.
func (s *Service) currentGrants(ctx context.Context, m Membership) (map[string]OrgRoleGrant, map[string]OrgRoleGrant, error) {
	grants, err := s.Store.MemberOrgRoleGrants(ctx, m.OrganizationID, m.UserID, MaxOrgRoles)
	if err != nil {
		return nil, nil, err
	}
	cur, stale := map[string]OrgRoleGrant{}, map[string]OrgRoleGrant{}
	for _, g := range grants {
		if g.MemberJoined.Equal(m.Joined) {
			cur[g.RoleID] = g
		} else {
			stale[g.RoleID] = g
		}
	}
	return cur, stale, nil
}

// AssignOrgRoles gives the member the roles (ids; those held already stay
// as they are). The built-in admin role makes the member an admin, the
// member role is held already. The custom roles are granted in one
// transaction, then the admin role: each part is idempotent, so a retry
// after a failure completes the assignment. Permission: admins. Errors:
// Forbidden; NotFound (the member); Invalid (an unknown role id, too many
// roles: at most MaxRolesPerMember custom ones); Conflict.
func (s *Service) AssignOrgRoles(ctx context.Context, a Access, userID string, roleIDs []string) error {
	org, err := a.admin("assign roles")
	if err != nil {
		return err
	}
	roleIDs = set(roleIDs)
	if len(roleIDs) > MaxRolesPerMember+2 {
		return failure.Field("roleIds", "at most %d roles", MaxRolesPerMember)
	}
	admin := false
	var custom []string
	for i, id := range roleIDs {
		switch id {
		case OrgRoleAdmin:
			admin = true
		case OrgRoleMember:
		default:
			if _, err := s.orgRole(ctx, org.ID, id); failure.Is(err, failure.NotFound) {
				return failure.Field("roleIds", "roleIds[%d]: no role %q in this organization", i, id)
			} else if err != nil {
				return err
			}
			custom = append(custom, id)
		}
	}
	for attempt := 0; ; attempt++ {
		err := s.grantCustom(ctx, org.ID, userID, custom)
		if err == nil {
			break
		}
		if !failure.As(err).Retry || attempt == 2 {
			return err
		}
	}
	if !admin {
		return nil
	}
	return s.setAdmin(ctx, a, userID, true)
}

func (s *Service) grantCustom(ctx context.Context, orgID, userID string, custom []string) error {
	m, err := s.memberByID(ctx, orgID, userID)
	if err != nil {
		return err
	}
	cur, stale, err := s.currentGrants(ctx, m)
	if err != nil {
		return err
	}
	var added, renewed, previous []OrgRoleGrant
	now := s.now()
	for _, id := range custom {
		if _, held := cur[id]; held {
			continue
		}
		g := OrgRoleGrant{OrganizationID: orgID, UserID: userID, RoleID: id, MemberJoined: m.Joined, Granted: now}
		if old, ok := stale[id]; ok {
			renewed, previous = append(renewed, g), append(previous, old)
		} else {
			added = append(added, g)
		}
	}
	if len(cur)+len(added)+len(renewed) > MaxRolesPerMember {
		return failure.Field("roleIds", "a member holds at most %d custom roles", MaxRolesPerMember)
	}
	if len(added)+len(renewed) == 0 {
		return nil
	}
	return s.Store.GrantOrgRoles(ctx, m, added, renewed, previous)
}

// setAdmin makes the member an admin or not, under the last-admin rule,
// retrying on a fresh read of the organization.
func (s *Service) setAdmin(ctx context.Context, a Access, userID string, admin bool) error {
	for attempt := 0; attempt < 3; attempt++ {
		m, err := s.memberByID(ctx, a.Organization.ID, userID)
		if err != nil {
			return err
		}
		if m.IsAdmin() == admin {
			return nil
		}
		err = s.changeRole(ctx, a.Organization, m, RoleChange{Admin: &admin})
		if err == nil || !failure.As(err).Retry {
			return err
		}
		if a, err = s.refresh(ctx, a); err != nil {
			return err
		}
	}
	return failure.Race("organization")
}

// MemberOrgRoles lists the roles the member holds: the built-in ones
// (admin for an admin, member always), then the custom ones by id.
// Permission: admins, and the member themself. Errors: Forbidden;
// NotFound.
func (s *Service) MemberOrgRoles(ctx context.Context, a Access, userID string) ([]OrgRole, error) {
	if !a.IsAdmin() && userID != a.UserID {
		return nil, failure.New(failure.Forbidden, "only an admin may see another member's roles")
	}
	m, err := s.memberByID(ctx, a.Organization.ID, userID)
	if err != nil {
		return nil, err
	}
	var out []OrgRole
	if m.IsAdmin() {
		r, _ := builtInRole(m.OrganizationID, OrgRoleAdmin)
		out = append(out, r)
	}
	r, _ := builtInRole(m.OrganizationID, OrgRoleMember)
	out = append(out, r)
	cur, _, err := s.currentGrants(ctx, m)
	if err != nil {
		return nil, err
	}
	held := make([]string, 0, len(cur))
	for id := range cur {
		held = append(held, id)
	}
	slices.Sort(held)
	for _, id := range held {
		r, err := s.orgRole(ctx, m.OrganizationID, id)
		if failure.Is(err, failure.NotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, nil
}

// MemberOrgRole reads one role the member holds. Permission: as
// MemberOrgRoles. Errors: Forbidden; NotFound (no such member, or the
// role is not held).
func (s *Service) MemberOrgRole(ctx context.Context, a Access, userID, roleID string) (OrgRole, error) {
	roles, err := s.MemberOrgRoles(ctx, a, userID)
	if err != nil {
		return OrgRole{}, err
	}
	for _, r := range roles {
		if r.ID == roleID {
			return r, nil
		}
	}
	return OrgRole{}, failure.New(failure.NotFound, "the member does not hold the role %q", roleID)
}

// RemoveOrgRole takes a role from the member: the admin role demotes
// them (the last enabled admin keeps it: Conflict); the member role
// cannot be removed apart from the membership (Invalid). Permission:
// admins. Errors: Forbidden; NotFound (no such member, the role not
// held); Invalid; Conflict.
func (s *Service) RemoveOrgRole(ctx context.Context, a Access, userID, roleID string) error {
	if _, err := a.admin("remove roles"); err != nil {
		return err
	}
	switch roleID {
	case OrgRoleMember:
		return failure.Field("roleId", "every member holds the member role: remove the membership instead")
	case OrgRoleAdmin:
		m, err := s.memberByID(ctx, a.Organization.ID, userID)
		if err != nil {
			return err
		}
		if !m.IsAdmin() {
			return failure.New(failure.NotFound, "the member does not hold the role %q", roleID)
		}
		return s.setAdmin(ctx, a, userID, false)
	}
	m, err := s.memberByID(ctx, a.Organization.ID, userID)
	if err != nil {
		return err
	}
	cur, _, err := s.currentGrants(ctx, m)
	if err != nil {
		return err
	}
	g, ok := cur[roleID]
	if !ok {
		return failure.New(failure.NotFound, "the member does not hold the role %q", fmt.Sprint(roleID))
	}
	return s.Store.RevokeOrgRole(ctx, g)
}
