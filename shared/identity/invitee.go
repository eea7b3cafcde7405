package identity

import (
	"context"
	"errors"

	"github.com/effektif-serverless/caseflow/shared/failure"
)

// MaxInvitationsTo bounds the open invitations listed for one address.
const MaxInvitationsTo = 100

// InvitationTo is an open invitation as its invitee sees it: the
// invitation and the key of the organization it is to.
type InvitationTo struct {
	Invitation
	OrganizationKey string
}

// InvitationsTo lists the open invitations addressed to the caller's
// address, in every organization (at most MaxInvitationsTo). Permission:
// the signed-in invitee. Errors: Unauthenticated without a caller.
func (s *Service) InvitationsTo(ctx context.Context, callerID string) ([]InvitationTo, error) {
	user, err := s.caller(ctx, callerID)
	if err != nil {
		return nil, err
	}
	invs, err := s.Store.InvitationsTo(ctx, NormalizeEmail(user.Email), MaxInvitationsTo)
	if err != nil {
		return nil, err
	}
	orgIDs := make([]string, len(invs))
	for i, inv := range invs {
		orgIDs[i] = inv.OrganizationID
	}
	orgs, err := s.Store.GetOrganizations(ctx, orgIDs)
	if err != nil {
		return nil, err
	}
	keys := map[string]string{}
	for _, o := range orgs {
		if !o.Disabled {
			keys[o.ID] = o.Key
		}
	}
	now := s.now()
	out := []InvitationTo{}
	for _, inv := range invs {
		if key, ok := keys[inv.OrganizationID]; ok && now.Before(inv.Expires) {
			out = append(out, InvitationTo{Invitation: inv, OrganizationKey: key})
		}
	}
	return out, nil
}

var errNoInvitation = failure.New(failure.NotFound, "no invitation to this organization for your address")

// invitationTo finds the open invitation of the caller's address to the
// organization with the key.
func (s *Service) invitationTo(ctx context.Context, callerID, orgKey string) (User, Organization, Invitation, error) {
	user, err := s.caller(ctx, callerID)
	if err != nil {
		return User{}, Organization{}, Invitation{}, err
	}
	if orgKey == "" || len(orgKey) > MaxOrganizationKeyLength+30 {
		return User{}, Organization{}, Invitation{}, errNoInvitation
	}
	org, _, err := s.Store.OrganizationAccess(ctx, orgKey, callerID)
	if failure.Is(err, failure.NotFound) || err == nil && org.Disabled {
		return User{}, Organization{}, Invitation{}, errNoInvitation
	}
	if err != nil {
		return User{}, Organization{}, Invitation{}, err
	}
	inv, err := s.Store.GetInvitation(ctx, org.ID, user.Email)
	if failure.Is(err, failure.NotFound) || err == nil && !s.now().Before(inv.Expires) {
		return User{}, Organization{}, Invitation{}, errNoInvitation
	}
	return user, org, inv, err
}

// AcceptInvitation makes the caller a member of the organization that
// invited their address, with the invitation's role and flags, under
// username when given, else the invitation's, else a derived one; the
// invitation is gone, all in one transaction. Permission: the invitee
// (the signed-in holder of the invited address). Errors: NotFound when
// there is no open invitation; Invalid for a bad username; Conflict when
// the username is taken (the invitation stays) or the caller is a member.
func (s *Service) AcceptInvitation(ctx context.Context, callerID, orgKey, username string) error {
	if username != "" {
		if err := ValidateUsername(username); err != nil {
			return err
		}
	}
	for attempt := 0; attempt < 3; attempt++ {
		user, org, inv, err := s.invitationTo(ctx, callerID, orgKey)
		if err != nil {
			return err
		}
		err = s.accept(ctx, user, org, inv, username)
		if err == nil || !failure.As(err).Retry {
			return err
		}
	}
	return failure.Race("organization")
}

func (s *Service) accept(ctx context.Context, user User, org Organization, inv Invitation, username string) error {
	m := Membership{OrganizationID: org.ID, OrganizationKey: org.Key, UserID: user.ID, Role: RoleMember,
		Joined: s.now(), Operator: inv.Operator}
	if inv.Admin {
		m.Role = RoleAdmin
		org.AdminIDs = append(without(org.AdminIDs, user.ID), user.ID)
		org.Version++
	}
	chosen := username
	if chosen == "" {
		chosen = inv.Username
	}
	for attempt := 1; attempt <= maxUsernameAttempts; attempt++ {
		m.Username = chosen
		if chosen == "" || attempt > 1 {
			m.Username = DeriveUsername(user.Email, attempt)
		}
		err := s.Store.AcceptInvitation(ctx, inv, org, m)
		if errors.Is(err, ErrUsernameTaken) && chosen == "" {
			continue
		}
		return err
	}
	return failure.New(failure.Conflict, "no free username for this member")
}

// DeclineInvitation deletes the open invitation of the caller's address
// to the organization: its code stops working, nothing joins. Permission:
// the invitee. Errors: NotFound when there is no open invitation.
func (s *Service) DeclineInvitation(ctx context.Context, callerID, orgKey string) error {
	_, _, inv, err := s.invitationTo(ctx, callerID, orgKey)
	if err != nil {
		return err
	}
	return s.Store.DeleteInvitation(ctx, inv)
}

// caller reads the signed-in user. Errors: Unauthenticated without one.
func (s *Service) caller(ctx context.Context, callerID string) (User, error) {
	if callerID == "" {
		return User{}, failure.New(failure.Unauthenticated, "sign in first")
	}
	user, err := s.Store.GetUser(ctx, callerID)
	if failure.Is(err, failure.NotFound) {
		return User{}, failure.New(failure.Unauthenticated, "sign in first")
	}
	return user, err
}
