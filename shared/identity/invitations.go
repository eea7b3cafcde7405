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
	// StatusTime is when the event behind Status happened (the send, or
	// the time of SES's notification): an older notification never
	// overwrites a newer status.
	StatusTime time.Time `dynamo:"-"`
	// Admin, Operator and Username are the membership the invitee gets on
	// accepting (AcceptInvitation); Username may be empty (then chosen or
	// derived then).
	Admin    bool
	Operator bool
	Username string
	Sends    []time.Time
	Created  time.Time
	Expires  time.Time
	Version  int
}

// NewMember is who an admin adds to an organization (POST /users).
type NewMember struct {
	Email     string
	FirstName string
	LastName  string
	// Admin, Operator and Username are the membership offered (see
	// Invitation); Username may be empty.
	Admin    bool
	Operator bool
	Username string
}

// AddMember invites an address into the organization: the address gets
// a mail with a single-use code, valid InvitationTTL, that joins the
// organization; an address without an account registers with it (choosing
// a password), one with an account joins with it as it is. Until the
// invitation is accepted the organization sees nothing of the account, and
// the answer (the invitation) is the same whether or not the address has
// one: an admin manages memberships, never another person's identity.
// The membership offered (NewMember.Admin, Operator, Username) is the
// invitee's on acceptance; a username is checked at once (Invalid for a bad
// shape, ErrUsernameTaken when a member holds it) and again on acceptance.
// An expired invitation of the address is replaced. Permission: admins.
// Errors: as Tenant; Forbidden; Invalid (a bad address or name, an
// address that is a member already, or invited already: resend instead);
// Conflict.
func (s *Service) AddMember(ctx context.Context, a Access, n NewMember) (*Invitation, error) {
	org, m := a.Organization, a.Membership
	if !m.IsAdmin() {
		return nil, failure.New(failure.Forbidden, "only an admin may add users")
	}
	if err := ValidateEmail(FieldEmail, n.Email); err != nil {
		return nil, err
	}
	for _, f := range []struct{ name, value string }{{"firstName", n.FirstName}, {"lastName", n.LastName}} {
		if err := ValidateName(f.name, f.value); err != nil {
			return nil, err
		}
	}
	if n.Username != "" {
		if err := s.freeUsername(ctx, org, n.Username); err != nil {
			return nil, err
		}
	}
	email := strings.TrimSpace(n.Email)
	userID, err := s.Store.UserIDByEmail(ctx, NormalizeEmail(email))
	if failure.Is(err, failure.NotFound) {
		// The same reads either way: a fresh id is nobody's membership.
		userID = ids.New()
	} else if err != nil {
		return nil, err
	}
	members, err := s.Store.MembersAmong(ctx, org.ID, []string{userID})
	if err != nil {
		return nil, err
	}
	if members[userID] {
		return nil, failure.Field(FieldEmail, "%s is already a member", email)
	}
	return s.invite(ctx, org, a.UserID, n, email)
}

// invite stores the invitation and its registration, then mails the code.
func (s *Service) invite(ctx context.Context, org Organization, callerID string, n NewMember, email string) (*Invitation, error) {
	code, err := secret.NewCode()
	if err != nil {
		return nil, failure.Wrap(err, "make invitation code")
	}
	now := s.now()
	inv := Invitation{OrganizationID: org.ID, Email: email, InvitedBy: callerID, FirstName: n.FirstName, LastName: n.LastName,
		Admin: n.Admin, Operator: n.Operator, Username: n.Username, CodeHash: secret.TokenHash(code), Status: InvitationSent, Created: now, Expires: now.Add(InvitationTTL), Version: 1}
	reg := s.invitationRegistration(org, inv)
	err = s.Store.CreateInvitation(ctx, inv, reg)
	if failure.Is(err, failure.Invalid) && s.dropExpiredInvitation(ctx, org, email) {
		err = s.Store.CreateInvitation(ctx, inv, reg)
	}
	if err != nil {
		return nil, err
	}
	return s.sendInvitation(ctx, org, inv, code)
}

// dropExpiredInvitation deletes the address's invitation to the
// organization when it has expired (DynamoDB's TTL deletes it only some
// time later), so that the address can be invited again; it reports
// whether it did.
func (s *Service) dropExpiredInvitation(ctx context.Context, org Organization, email string) bool {
	old, err := s.Store.GetInvitation(ctx, org.ID, NormalizeEmail(email))
	if err != nil || s.now().Before(old.Expires) {
		return false
	}
	return s.Store.DeleteInvitation(ctx, old) == nil
}

func (s *Service) invitationRegistration(org Organization, inv Invitation) Registration {
	return Registration{ID: ids.New(), CodeHash: inv.CodeHash, Email: inv.Email, FirstName: inv.FirstName, LastName: inv.LastName,
		OrganizationName: org.Name, Created: inv.Created, Expires: inv.Expires, InvitedTo: org.ID, InvitedToKey: org.Key}
}

// sendInvitation mails the code and records the send (and the SES message
// id, which delivery notifications refer to). When the address's mail limit
// holds the mail back, the send is recorded all the same (as if sent).
func (s *Service) sendInvitation(ctx context.Context, org Organization, inv Invitation, code string) (*Invitation, error) {
	name := mailSafe(org.Name)
	id, _, err := s.sendLimited(ctx, mail.Message{To: inv.Email, Subject: "You are invited to " + name,
		Text: fmt.Sprintf("You are invited to join the organization %q.\n\nYour invitation code is:\n\n    %s\n\n"+
			"Accept it within %d days.\n%s\nWith an account already, accepting joins it as it is; "+
			"without one, you choose a password. If you do not want to join, ignore this mail.\n",
			name, code, int(InvitationTTL.Hours()/24), linkLine("", s.links().Invitation(code)))}, "invitation")
	if err != nil {
		return nil, err
	}
	inv.SESMessageID, inv.Status, inv.Detail = id, InvitationSent, ""
	inv.StatusTime = s.now()
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
func (s *Service) Invitations(ctx context.Context, a Access) ([]Invitation, error) {
	org, m := a.Organization, a.Membership
	if !m.IsAdmin() {
		return nil, failure.New(failure.Forbidden, "only an admin may see invitations")
	}
	return s.Store.Invitations(ctx, org.ID, MaxInvitationsOut)
}

// ResendInvitation sends the invitation again with a new code (the old one
// stops working). It is rate-limited (TooManyRequests): once per
// ResendInterval, except right after a bounce, and MaxSendsPerDay a day. Permission:
// admins. Errors: as Tenant; Forbidden; NotFound.
func (s *Service) ResendInvitation(ctx context.Context, a Access, email string) (*Invitation, error) {
	org, m := a.Organization, a.Membership
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
			return nil, throttled(Throttle{Until: now.Add(wait)}, now, "invitation mails to this address (one a minute)")
		}
	}
	if len(sends) >= MaxSendsPerDay {
		return nil, throttled(Throttle{Until: sends[0].Add(24 * time.Hour)}, now, fmt.Sprintf("invitation mails to this address (%d a day)", MaxSendsPerDay))
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
func (s *Service) DeleteInvitation(ctx context.Context, a Access, email string) error {
	org, m := a.Organization, a.Membership
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
// Bounce or Complaint (others are ignored); Time is when it happened, by
// the notification's own account.
type DeliveryEvent struct {
	SESMessageID string
	Type         string
	Detail       string
	Time         time.Time
}

// RecordDelivery records what SES reports about an invitation mail, in the
// order the events happened, not the order they arrive. It is idempotent:
// a notification for a mail that is not the invitation's latest, one older
// than the status recorded (a late Delivery after a Bounce), one without a
// time, or one that changes nothing, writes nothing.
func (s *Service) RecordDelivery(ctx context.Context, e DeliveryEvent) (bool, error) {
	status := map[string]string{"Delivery": InvitationDelivered, "Bounce": InvitationBounced, "Complaint": InvitationComplained}[e.Type]
	if status == "" || e.SESMessageID == "" || e.Time.IsZero() {
		return false, nil
	}
	return s.Store.RecordInvitationStatus(ctx, e.SESMessageID, status, e.Detail, e.Time)
}
