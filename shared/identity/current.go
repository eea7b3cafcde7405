package identity

import (
	"context"
	"sort"
	"time"

	"github.com/effektif-serverless/caseflow/shared/failure"
	"github.com/effektif-serverless/caseflow/shared/ids"
	"github.com/effektif-serverless/caseflow/shared/secret"
)

// The current organization. Some dialects name no tenant in their paths
// (epilot): a request acts in the caller's current organization, which
// is the one the caller's token is bound to (SwitchOrganization makes such
// tokens), else the caller's primary organization: the one they joined
// first (for the user who registered, the organization they created).

// errNoCurrentOrganization answers a caller who belongs to no organization.
var errNoCurrentOrganization = failure.New(failure.NotFound, "the user belongs to no organization")

// Organizations answers the caller's organizations with the memberships,
// the primary one first, then by the time they joined. Errors:
// Unauthenticated without a caller.
func (s *Service) Organizations(ctx context.Context, userID string) ([]Membership, []Organization, error) {
	if userID == "" {
		return nil, nil, failure.New(failure.Unauthenticated, "sign in first")
	}
	ms, orgs, err := s.organizationsOf(ctx, userID)
	if err != nil {
		return nil, nil, err
	}
	byID := map[string]Organization{}
	for _, o := range orgs {
		byID[o.ID] = o
	}
	live := ms[:0]
	for _, m := range ms {
		if o, ok := byID[m.OrganizationID]; ok && !o.Disabled {
			live = append(live, m)
		}
	}
	// A membership without a join time (written by a migration or a
	// tool) sorts after the dated ones.
	sort.SliceStable(live, func(i, j int) bool {
		ti, tj := live[i].Joined, live[j].Joined
		if ti.IsZero() != tj.IsZero() {
			return tj.IsZero()
		}
		if !ti.Equal(tj) {
			return ti.Before(tj)
		}
		return live[i].OrganizationID < live[j].OrganizationID
	})
	out := make([]Organization, len(live))
	for i, m := range live {
		out[i] = byID[m.OrganizationID]
	}
	return live, out, nil
}

// ResolveCurrent resolves the caller in their current organization (see
// above). Errors: Unauthenticated without a caller; NotFound for a caller
// in no organization, or whose bound organization is gone; as Resolve.
func (s *Service) ResolveCurrent(ctx context.Context, c Caller) (Access, error) {
	if c.UserID == "" {
		return Access{}, failure.New(failure.Unauthenticated, "a valid token is required")
	}
	ms, orgs, err := s.Organizations(ctx, c.UserID)
	if err != nil {
		return Access{}, err
	}
	for i, m := range ms {
		if c.OrganizationID == "" || m.OrganizationID == c.OrganizationID {
			return s.Resolve(ctx, c, orgs[i].Key)
		}
	}
	return Access{}, errNoCurrentOrganization
}

// Accesses resolves the caller in each of their organizations at once
// (one read of their memberships): for the dialects whose routes name no
// organization and that answer across the caller's organizations
// (10Duke's users and roles). A token bound to an organization resolves
// there only; disabled memberships and disabled organizations are left
// out, as Resolve refuses them. Errors: Unauthenticated without a caller.
func (s *Service) Accesses(ctx context.Context, c Caller) ([]Access, error) {
	if c.UserID == "" {
		return nil, failure.New(failure.Unauthenticated, "a valid token is required")
	}
	ms, orgs, err := s.Organizations(ctx, c.UserID)
	if err != nil {
		return nil, err
	}
	byID := make(map[string]Organization, len(orgs))
	for _, o := range orgs {
		byID[o.ID] = o
	}
	var out []Access
	for _, m := range ms {
		o, ok := byID[m.OrganizationID]
		if !ok || m.Disabled || c.OrganizationID != "" && c.OrganizationID != m.OrganizationID {
			continue
		}
		out = append(out, Access{Caller: c, Organization: o, Membership: m})
	}
	return out, nil
}

// ResolveID resolves the caller in the organization with the id. Errors:
// as Resolve (NotFound for an organization the caller is no member of).
func (s *Service) ResolveID(ctx context.Context, c Caller, organizationID string) (Access, error) {
	if c.UserID == "" {
		return Access{}, failure.New(failure.Unauthenticated, "a valid token is required")
	}
	if !ids.Valid(organizationID) {
		return Access{}, errNoOrganization
	}
	orgs, err := s.Store.GetOrganizations(ctx, []string{organizationID})
	if err != nil {
		return Access{}, err
	}
	if len(orgs) != 1 {
		return Access{}, errNoOrganization
	}
	return s.Resolve(ctx, c, orgs[0].Key)
}

// SwitchOrganization starts a login session of the caller bound to one of
// their organizations and answers its token (shown once): a bearer on
// every API that acts in that organization only. Permission: a member of
// it, with a login session or a token that is not bound elsewhere.
// Errors: as ResolveID.
func (s *Service) SwitchOrganization(ctx context.Context, c Caller, organizationID string) (string, error) {
	if c.TokenKind == TokenLogin {
		// A login session bound by an earlier switch is the user's own
		// sign-in: it switches on to any of their organizations. An API
		// token bound to one never widens.
		c.OrganizationID = ""
	}
	a, err := s.ResolveID(ctx, c, organizationID)
	if err != nil {
		return "", err
	}
	token, session, err := s.newSession(c.UserID)
	if err != nil {
		return "", err
	}
	session.OrganizationID, session.OrganizationKey = a.Organization.ID, a.Organization.Key
	session.ReadOnly = c.ReadOnly
	if err := s.Store.PutSession(ctx, session); err != nil {
		return "", err
	}
	return token, nil
}

// LoginOrganizations answers, to anyone, the organizations where the
// address signs in, the primary one first, and whether the account has
// passkeys: none for an unknown or disabled account (the same empty
// answer, so the answer tells no more than a sign-in would).
func (s *Service) LoginOrganizations(ctx context.Context, email string) ([]Organization, bool, error) {
	if ValidateEmail(FieldEmail, email) != nil {
		return []Organization{}, false, nil
	}
	id, err := s.Store.UserIDByEmail(ctx, NormalizeEmail(email))
	if failure.Is(err, failure.NotFound) {
		return []Organization{}, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	user, err := s.Store.GetUser(ctx, id)
	if failure.Is(err, failure.NotFound) || err == nil && user.Disabled {
		return []Organization{}, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	_, orgs, err := s.Organizations(ctx, id)
	return orgs, user.HasPasskeys(), err
}

// InvitationByCode is what an invitation's mailed code shows to whoever
// holds it: the organization, the address, and the id of the account the
// address already has ("" for none). Errors: NotFound for an unknown,
// used or expired code, and for a code that is no invitation's.
func (s *Service) InvitationByCode(ctx context.Context, code string) (Registration, Organization, string, error) {
	reg, err := s.Registration(ctx, code)
	if err != nil {
		return Registration{}, Organization{}, "", err
	}
	if reg.InvitedTo == "" {
		return Registration{}, Organization{}, "", failure.New(failure.NotFound, "no such invitation")
	}
	orgs, err := s.Store.GetOrganizations(ctx, []string{reg.InvitedTo})
	if err != nil {
		return Registration{}, Organization{}, "", err
	}
	if len(orgs) != 1 || orgs[0].Disabled {
		return Registration{}, Organization{}, "", failure.New(failure.NotFound, "no such invitation")
	}
	existing, err := s.Store.UserIDByEmail(ctx, NormalizeEmail(reg.Email))
	if failure.Is(err, failure.NotFound) {
		existing, err = "", nil
	}
	if err != nil {
		return Registration{}, Organization{}, "", err
	}
	orgs[0].LdapConnector = nil
	return reg, orgs[0], existing, nil
}

// RejectInvitation declines the invitation of a mailed code: the code
// stops working and nobody joins. Permission: whoever holds the code.
// Errors: as InvitationByCode.
func (s *Service) RejectInvitation(ctx context.Context, code string) error {
	reg, _, _, err := s.InvitationByCode(ctx, code)
	if err != nil {
		return err
	}
	inv, err := s.Store.GetInvitation(ctx, reg.InvitedTo, NormalizeEmail(reg.Email))
	if failure.Is(err, failure.NotFound) {
		return failure.New(failure.NotFound, "no such invitation")
	}
	if err != nil {
		return err
	}
	if inv.CodeHash != secret.TokenHash(code) {
		return failure.New(failure.NotFound, "no such invitation")
	}
	return s.Store.DeleteInvitation(ctx, inv)
}

// ConfirmEmailChangeWithPassword is ConfirmEmailChange for the dialects
// that also ask for the account's password (epilot's verifyEmail): the
// code is taken only when the password is the user's. Each attempt counts
// as a password login of the account's address (the same throttle as
// Login). Errors: as ConfirmEmailChange; Unauthenticated for a wrong
// password (the code stays usable); TooManyRequests as Login.
func (s *Service) ConfirmEmailChangeWithPassword(ctx context.Context, code, password string) (User, error) {
	if len(password) > MaxPasswordLength {
		return User{}, failure.New(failure.Unauthenticated, "the password is wrong")
	}
	ot, err := s.takeOneTime(ctx, OneTimeEmail, code, func(ot OneTime, u *User) (bool, error) {
		if ot.Data["email"] == "" {
			return false, errBadCode
		}
		now := s.now()
		attempt := loginLimit(NormalizeEmail(u.Email))
		throttle, ok, err := s.Store.Reserve(ctx, attempt, MaxFailedLogins, LoginWindow, now)
		if err != nil {
			return false, err
		}
		if !ok {
			return false, throttled(throttle, now, "failed logins of this address")
		}
		if ok, err := s.passwords().Verify(u.PasswordHash, password); err != nil || !ok || u.PasswordHash == "" {
			return false, failure.New(failure.Unauthenticated, "the password is wrong")
		}
		if err := s.Store.Release(ctx, attempt, throttle); err != nil {
			return false, err
		}
		u.Email = ot.Data["email"]
		u.DraftEmail, u.DraftEmailExpires = "", time.Time{}
		return true, nil
	})
	if err != nil {
		return User{}, err
	}
	return ot.user, nil
}

// SendMemberPasswordReset mails a password reset code to a member of the
// organization, as RequestPasswordReset does (its links the dialect's).
// Permission: an admin of the organization, or the member themself.
// Errors: Invalid for an address that is no member's (the caller may see
// the organization's members anyway); Forbidden.
func (s *Service) SendMemberPasswordReset(ctx context.Context, a Access, email string) error {
	if err := ValidateEmail(FieldEmail, email); err != nil {
		return err
	}
	if !a.IsAdmin() {
		me, err := s.Store.GetUser(ctx, a.UserID)
		if err != nil {
			return err
		}
		if NormalizeEmail(me.Email) != NormalizeEmail(email) {
			return failure.New(failure.Forbidden, "only an admin may reset another member's password")
		}
	}
	notMember := failure.Field(FieldEmail, "no member of this organization has the address")
	id, err := s.Store.UserIDByEmail(ctx, NormalizeEmail(email))
	if failure.Is(err, failure.NotFound) {
		return notMember
	}
	if err != nil {
		return err
	}
	if err := s.CheckMembers(ctx, a.Organization.ID, FieldEmail, []string{id}); err != nil {
		return notMember
	}
	return s.RequestPasswordReset(ctx, email)
}
