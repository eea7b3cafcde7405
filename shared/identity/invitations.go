package identity

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/effektif-serverless/caseflow/shared/failure"
	"github.com/effektif-serverless/caseflow/shared/ids"
	"github.com/effektif-serverless/caseflow/shared/mail"
	"github.com/effektif-serverless/caseflow/shared/secret"
)

// Delivery states of an invitation mail, as SES reports them.
const (
	InvitationSent       = "sent"
	InvitationDelivered  = "delivered"
	InvitationBounced    = "bounced"
	InvitationComplained = "complained"
)

// Limits of invitations.
const (
	InvitationTTL     = 14 * 24 * time.Hour
	ResendInterval    = time.Minute
	MaxSendsPerDay    = 5
	MaxInvitationsOut = 500
)

// Invitation is an address invited into an organization: the registration
// its mail's code activates joins the organization. Status follows the mail
// (sent, then delivered, bounced or complained).
type Invitation struct {
	OrganizationID string
	Email          string
	InvitedBy      string
	FirstName      string
	LastName       string
	CodeHash       string
	Status         string
	Detail         string
	SESMessageID   string
	Sends          []time.Time
	Created        time.Time
	Expires        time.Time
	Version        int
}

// NewMember is who an admin adds to an organization (POST /users).
type NewMember struct {
	Email     string
	FirstName string
	LastName  string
}

// AddMember adds an address to the organization: a user who has an
// account becomes a member at once (and is told by mail); anyone else gets
// an invitation mail with a single-use code that registers and joins.
// Permission: admins. Errors: as Tenant; Forbidden; Invalid; Conflict
// (already a member, or already invited: resend instead).
func (s *Service) AddMember(ctx context.Context, callerID, orgKey string, n NewMember) (*Member, *Invitation, error) {
	org, m, err := s.Tenant(ctx, callerID, orgKey)
	if err != nil {
		return nil, nil, err
	}
	if !m.IsAdmin() {
		return nil, nil, failure.New(failure.Forbidden, "only an admin may add users")
	}
	if err := ValidateEmail("emailAddress", n.Email); err != nil {
		return nil, nil, err
	}
	for _, f := range []struct{ name, value string }{{"firstName", n.FirstName}, {"lastName", n.LastName}} {
		if err := ValidateName(f.name, f.value); err != nil {
			return nil, nil, err
		}
	}
	email := strings.TrimSpace(n.Email)
	userID, err := s.Store.UserIDByEmail(ctx, NormalizeEmail(email))
	if err == nil {
		member, err := s.addExisting(ctx, org, userID, email)
		return member, nil, err
	}
	if !failure.Is(err, failure.NotFound) {
		return nil, nil, err
	}
	inv, err := s.invite(ctx, org, callerID, n, email)
	return nil, inv, err
}

func (s *Service) addExisting(ctx context.Context, org Organization, userID, email string) (*Member, error) {
	user, existing, err := s.Store.UserInOrganization(ctx, org.ID, userID)
	if err != nil {
		return nil, err
	}
	if existing != nil {
		return nil, failure.Field("emailAddress", "%s is already a member", email)
	}
	member := Membership{OrganizationID: org.ID, OrganizationKey: org.Key, UserID: userID, Role: RoleMember, Joined: s.now()}
	if err := s.Store.AddMembership(ctx, member); err != nil {
		return nil, err
	}
	_, err = s.Mail.Send(ctx, mail.Message{To: user.Email, Subject: "You were added to " + org.Name,
		Text: fmt.Sprintf("You are now a member of %s. Sign in as usual to see it: %s\n", org.Name, strings.TrimRight(s.BaseURL, "/"))})
	if err != nil {
		return nil, &failure.Error{Code: failure.Unavailable, Message: "the user was added, but the mail could not be sent", Cause: err}
	}
	return &Member{User: user, Membership: member, OrganizationIDs: []string{org.ID}}, nil
}

// invite stores the invitation and its registration, then mails the code.
func (s *Service) invite(ctx context.Context, org Organization, callerID string, n NewMember, email string) (*Invitation, error) {
	code, err := secret.NewCode()
	if err != nil {
		return nil, failure.Wrap(err, "make invitation code")
	}
	now := s.now()
	inv := Invitation{OrganizationID: org.ID, Email: email, InvitedBy: callerID, FirstName: n.FirstName, LastName: n.LastName,
		CodeHash: secret.TokenHash(code), Status: InvitationSent, Created: now, Expires: now.Add(InvitationTTL), Version: 1}
	reg := s.invitationRegistration(org, inv)
	if err := s.Store.CreateInvitation(ctx, inv, reg); err != nil {
		return nil, err
	}
	return s.sendInvitation(ctx, org, inv, code)
}

func (s *Service) invitationRegistration(org Organization, inv Invitation) Registration {
	return Registration{ID: ids.New(), CodeHash: inv.CodeHash, Email: inv.Email, FirstName: inv.FirstName, LastName: inv.LastName,
		OrganizationName: org.Name, Created: inv.Created, Expires: inv.Expires, InvitedTo: org.ID, InvitedToKey: org.Key}
}

// sendInvitation mails the code and records the send (and the SES message
// id, which delivery notifications refer to).
func (s *Service) sendInvitation(ctx context.Context, org Organization, inv Invitation, code string) (*Invitation, error) {
	link := strings.TrimRight(s.BaseURL, "/") + "/api/v1/registrations/" + code
	id, err := s.Mail.Send(ctx, mail.Message{To: inv.Email, Subject: "You are invited to " + org.Name,
		Text: fmt.Sprintf("You are invited to join %s.\n\nYour invitation code is:\n\n    %s\n\n"+
			"Accept it within %d days by choosing a password: %s\n", org.Name, code, int(InvitationTTL.Hours()/24), link)})
	if err != nil {
		return nil, &failure.Error{Code: failure.Unavailable, Message: "the invitation mail could not be sent; resend it later", Cause: err}
	}
	inv.SESMessageID, inv.Status, inv.Detail = id, InvitationSent, ""
	inv.Sends = append(recentSends(inv.Sends, s.now()), s.now())
	inv.Version++
	if err := s.Store.InvitationSent(ctx, inv); err != nil {
		return nil, err
	}
	return &inv, nil
}

// recentSends keeps the sends of the last day.
func recentSends(sends []time.Time, now time.Time) []time.Time {
	var out []time.Time
	for _, t := range sends {
		if now.Sub(t) < 24*time.Hour {
			out = append(out, t)
		}
	}
	return out
}

// Invitations lists the organization's open invitations. Permission: admins.
func (s *Service) Invitations(ctx context.Context, callerID, orgKey string) ([]Invitation, error) {
	org, m, err := s.Tenant(ctx, callerID, orgKey)
	if err != nil {
		return nil, err
	}
	if !m.IsAdmin() {
		return nil, failure.New(failure.Forbidden, "only an admin may see invitations")
	}
	return s.Store.Invitations(ctx, org.ID, MaxInvitationsOut)
}

// ResendInvitation sends the invitation again with a new code (the old one
// stops working). It is rate-limited (TooManyRequests): once per
// ResendInterval, except right after a bounce, and MaxSendsPerDay a day. Permission:
// admins. Errors: as Tenant; Forbidden; NotFound.
func (s *Service) ResendInvitation(ctx context.Context, callerID, orgKey, email string) (*Invitation, error) {
	org, m, err := s.Tenant(ctx, callerID, orgKey)
	if err != nil {
		return nil, err
	}
	if !m.IsAdmin() {
		return nil, failure.New(failure.Forbidden, "only an admin may resend invitations")
	}
	inv, err := s.Store.GetInvitation(ctx, org.ID, email)
	if err != nil {
		return nil, err
	}
	now := s.now()
	sends := recentSends(inv.Sends, now)
	if len(sends) > 0 && inv.Status != InvitationBounced {
		if wait := sends[len(sends)-1].Add(ResendInterval).Sub(now); wait > 0 {
			return nil, throttled(Throttle{Until: now.Add(wait)}, now)
		}
	}
	if len(sends) >= MaxSendsPerDay {
		return nil, throttled(Throttle{Until: sends[0].Add(24 * time.Hour)}, now)
	}
	code, err := secret.NewCode()
	if err != nil {
		return nil, failure.Wrap(err, "make invitation code")
	}
	oldHash := inv.CodeHash
	inv.CodeHash, inv.Expires = secret.TokenHash(code), now.Add(InvitationTTL)
	inv.Version++
	if err := s.Store.RenewInvitation(ctx, inv, oldHash, s.invitationRegistration(org, inv)); err != nil {
		return nil, err
	}
	return s.sendInvitation(ctx, org, inv, code)
}

// DeleteInvitation withdraws an invitation: its code stops working.
// Permission: admins. Errors: as Tenant; Forbidden; NotFound.
func (s *Service) DeleteInvitation(ctx context.Context, callerID, orgKey, email string) error {
	org, m, err := s.Tenant(ctx, callerID, orgKey)
	if err != nil {
		return err
	}
	if !m.IsAdmin() {
		return failure.New(failure.Forbidden, "only an admin may withdraw invitations")
	}
	inv, err := s.Store.GetInvitation(ctx, org.ID, email)
	if err != nil {
		return err
	}
	return s.Store.DeleteInvitation(ctx, inv)
}

// DeliveryEvent is an SES notification about a mail: Type is Delivery,
// Bounce or Complaint (others are ignored).
type DeliveryEvent struct {
	SESMessageID string
	Type         string
	Detail       string
}

// RecordDelivery records what SES reports about an invitation mail. It is
// idempotent: a notification for a mail that is not the invitation's
// latest, or one that changes nothing, writes nothing.
func (s *Service) RecordDelivery(ctx context.Context, e DeliveryEvent) (bool, error) {
	status := map[string]string{"Delivery": InvitationDelivered, "Bounce": InvitationBounced, "Complaint": InvitationComplained}[e.Type]
	if status == "" || e.SESMessageID == "" {
		return false, nil
	}
	return s.Store.RecordInvitationStatus(ctx, e.SESMessageID, status, e.Detail)
}
