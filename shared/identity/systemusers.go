package identity

import (
	"context"
	"strings"

	"github.com/effektif-serverless/caseflow/shared/ids"
)

// System users: an organization's admin makes an account for an
// integration (Effektif's NewUser with systemUser), which logs in with
// its password as every user does and is a member of the organization
// from the start, without an invitation. Membership.SystemUser marks it;
// the organization lists its system users (OrganizationDetail.SystemUsers).

// NewSystemUser is the account an admin makes for an integration: the
// address and the password are required, the names optional.
type NewSystemUser struct {
	Email, Password, FirstName, LastName, Color string
}

// AddSystemUser makes a system user of a.Organization: a new identity
// with the given password and a plain member (RoleMember, Membership.
// SystemUser set) of the organization, written in one transaction; no
// invitation is made and no mail sent. The account is its own from the
// start (no User.RegisteredBy): the admin who chose its password keeps no
// hold on the identity, and the integration changes its password as any
// user does (a login, then PUT of its user). The membership is managed as
// any member's (roles, groups, licenses, removal). The address is unique
// across all identities, compared case-insensitively: an address with an
// account cannot become a system user (invite it instead). Permission:
// admins. Errors: as Tenant; Forbidden; Invalid (a bad address, a missing
// or too short password, a bad name or color); Conflict (ErrEmailTaken).
func (s *Service) AddSystemUser(ctx context.Context, a Access, n NewSystemUser) (Member, error) {
	org, err := a.admin("make system users")
	if err != nil {
		return Member{}, err
	}
	if err := ValidateEmail(FieldEmail, n.Email); err != nil {
		return Member{}, err
	}
	first, last := strings.TrimSpace(n.FirstName), strings.TrimSpace(n.LastName)
	for _, f := range []struct{ name, value string }{{"firstName", first}, {"lastName", last}, {"color", n.Color}} {
		if err := ValidateName(f.name, f.value); err != nil {
			return Member{}, err
		}
	}
	hash, err := s.newPasswordHash(n.Password)
	if err != nil {
		return Member{}, err
	}
	now := s.now()
	u := User{ID: ids.New(), Email: strings.TrimSpace(n.Email), FirstName: first, LastName: last, Color: n.Color,
		PasswordHash: hash, Created: now, Version: 1}
	m := Membership{OrganizationID: org.ID, OrganizationKey: org.Key, UserID: u.ID, Role: RoleMember, Joined: now, SystemUser: true}
	if err := s.Store.CreateMember(ctx, u, m); err != nil {
		return Member{}, err
	}
	u.PasswordHash = ""
	return Member{User: u, Membership: m, OrganizationIDs: []string{org.ID}}, nil
}
