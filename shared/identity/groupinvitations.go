package identity

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/effektif-serverless/caseflow/shared/failure"
	"github.com/effektif-serverless/caseflow/shared/ids"
	"github.com/effektif-serverless/caseflow/shared/mail"
	"github.com/effektif-serverless/caseflow/shared/secret"
)

// Group invitations (10Duke's OrganizationGroupInvitation) invite an
// address into one or more groups of an organization. Unlike the
// member invitations of invitations.go (one per address, deleted when
// used) they are records with a history: each has an id and a state,
// open → accepted | declined | revoked, and every change of state happens
// once, on condition of the state read (a second accept, a decline after
// a revoke, are refused).
//
// An open invitation carries no usable token until SendGroupInvitation
// mails one: each send makes a new single-use token (the older one stops
// working), kept only as its hash and valid GroupInvitationTTL. The token
// proves that whoever holds it read the invited mailbox; it is not a
// credential for an account:
//
//   - Accepting needs a signed-in caller whose address is the invited one
//     (compared normalized). An existing account joins only when its
//     holder accepts (issue 8); an address without an account registers
//     first (the registration's mailed code proves the address), then
//     accepts. A forwarded link is useless to anyone else.
//   - Declining needs the token alone (the invited mailbox may decline
//     without an account); a signed-in caller must have the invited
//     address.
//
// Accepting makes the caller a member of the organization (role member,
// a derived username) when they are not one yet, and adds them to the
// invitation's groups that still exist, in the same transaction as the
// change of state. ClientRoleIDs are recorded and answered: they name
// roles of client applications that the core does not have, and grant
// nothing.

// States of a group invitation.
const (
	GroupInvitationOpen     = "open"
	GroupInvitationAccepted = "accepted"
	GroupInvitationDeclined = "declined"
	GroupInvitationRevoked  = "revoked"
)

// GroupInvitationStates are the states, in their order of listing.
var GroupInvitationStates = []string{GroupInvitationOpen, GroupInvitationAccepted, GroupInvitationDeclined, GroupInvitationRevoked}

// Delivery of a group invitation's latest send: requested when the mail
// went out (or was held back by the recipient's mail limit, which answers
// as if sent), failed when SES refused it.
const (
	GroupDeliveryRequested = "deliveryRequested"
	GroupDeliveryFailed    = "deliveryFailed"
)

// Limits of group invitations.
const (
	GroupInvitationTTL           = 14 * 24 * time.Hour
	MaxGroupInvitationGroups     = 20
	MaxGroupInvitationClientRole = 20
	MaxGroupInvitationScopeText  = 2000
	MaxWelcomeURLTemplate        = 2000
	MaxListedGroupInvitations    = 200
)

// WelcomeKeyPlaceholder is where a member welcome URL template takes the
// invitation token.
const WelcomeKeyPlaceholder = "${key}"

// GroupInvitation is an invitation of an address into groups of an
// organization. TokenHash is the hash of the latest send's token ("" before
// the first send); TokenExpires its end.
type GroupInvitation struct {
	ID             string
	OrganizationID string
	Email          string
	RecipientName  string
	InviterName    string
	// InvitedBy is the admin who created it.
	InvitedBy string
	// ScopeInformation is a free text from the inviter to the invitee.
	ScopeInformation string
	GroupIDs         []string
	ClientRoleIDs    []string
	State            string
	Delivery         string
	DeliveryError    string
	TokenHash        string `json:"-"`
	TokenExpires     time.Time
	Sends            int
	Created          time.Time
	SentAt           time.Time
	AcceptedAt       time.Time
	DeclinedAt       time.Time
	RevokedAt        time.Time
	// AcceptedBy is the user who accepted.
	AcceptedBy string
	// WelcomeTemplate is the member welcome URL template of the latest
	// send or link (with WelcomeKeyPlaceholder), answered in its place of
	// the token; "" before the first.
	WelcomeTemplate string `dynamo:",omitempty"`
	Version         int
}

// NewGroupInvitation is what an admin asks for. ID may be given (an id of
// ids.New's shape, unique across all organizations); else one is made.
type NewGroupInvitation struct {
	ID               string
	Email            string
	RecipientName    string
	InviterName      string
	ScopeInformation string
	GroupIDs         []string
	ClientRoleIDs    []string
}

// GroupInvitationAcceptance is what GroupInvitationStore.AcceptGroupInvitation
// writes together: the invitation in its new state (on condition of
// Previous: version and state), the membership (new, with its username,
// when NewMember; else the existing one, on condition it exists, gains
// AddedGroups), and each added group gains the member.
type GroupInvitationAcceptance struct {
	Invitation  GroupInvitation
	Previous    GroupInvitation
	Membership  Membership
	NewMember   bool
	AddedGroups []string
}

// GroupInvitationStore keeps group invitations. Implementations return
// *failure.Error values like Store's; a lost race is a retryable
// Conflict (failure.Race).
type GroupInvitationStore interface {
	// CreateGroupInvitation stores a new invitation:
	// ErrGroupInvitationExists when its id is taken (in any organization).
	CreateGroupInvitation(ctx context.Context, inv GroupInvitation) error
	// GetGroupInvitation reads one invitation of the organization
	// (NotFound).
	GetGroupInvitation(ctx context.Context, organizationID, id string) (GroupInvitation, error)
	// GroupInvitationOrganization answers the organization of an
	// invitation id (NotFound).
	GroupInvitationOrganization(ctx context.Context, id string) (string, error)
	// GroupInvitationByToken reads the invitation a token hash was made
	// for (NotFound when no send made it, or the invitation is gone); the
	// caller checks that it is still the invitation's TokenHash.
	GroupInvitationByToken(ctx context.Context, tokenHash string) (GroupInvitation, error)
	// SaveGroupInvitation stores inv on condition that the stored one is
	// still previous (version and state); when the token hash changed, the
	// previous token's look-up is deleted and the new one stored, together.
	SaveGroupInvitation(ctx context.Context, inv, previous GroupInvitation) error
	// AcceptGroupInvitation writes an acceptance in one transaction:
	// ErrUsernameTaken when the new member's username is taken, else a
	// retryable Conflict when any condition fails.
	AcceptGroupInvitation(ctx context.Context, w GroupInvitationAcceptance) error
	// DeleteGroupInvitation deletes the invitation (on its version) with
	// its look-ups.
	DeleteGroupInvitation(ctx context.Context, inv GroupInvitation) error
	// GroupInvitationsOf lists invitations of the organization in the
	// state, oldest first, skipping offset and at most limit: one Query.
	GroupInvitationsOf(ctx context.Context, organizationID, state string, offset, limit int) ([]GroupInvitation, error)
	// GroupInvitationsTo lists invitations to the normalized address in
	// the state, in every organization, oldest first: one Query.
	GroupInvitationsTo(ctx context.Context, normalizedEmail, state string, offset, limit int) ([]GroupInvitation, error)
}

// Errors of group invitations.
var (
	ErrGroupInvitationExists = &failure.Error{Code: failure.Invalid, Field: "id", Message: "an invitation with this id exists already"}
	errGroupInvitationClosed = failure.New(failure.Gone, "the invitation has been accepted, declined or revoked, or its link has expired")
	errNoGroupInvitation     = failure.New(failure.NotFound, "no such invitation")
	errNotInvitee            = failure.New(failure.Forbidden, "the invitation is for another address: sign in with the invited address")
)

// CreateGroupInvitation stores an open invitation of the address into the
// organization's groups; nothing is mailed (SendGroupInvitation does).
// The groups must be groups of the organization (one to
// MaxGroupInvitationGroups). Permission: admins. Errors: Forbidden;
// Invalid (address, names, texts, ids, an unknown group, a taken id:
// ErrGroupInvitationExists).
func (s *Service) CreateGroupInvitation(ctx context.Context, a Access, n NewGroupInvitation) (GroupInvitation, error) {
	org, err := a.admin("invite into groups")
	if err != nil {
		return GroupInvitation{}, err
	}
	if err := ValidateEmail(FieldEmail, n.Email); err != nil {
		return GroupInvitation{}, err
	}
	for _, f := range []struct{ name, value string }{{"recipientName", n.RecipientName}, {"inviterName", n.InviterName}} {
		if err := ValidateName(f.name, f.value); err != nil {
			return GroupInvitation{}, err
		}
	}
	if err := checkScopeText(n.ScopeInformation); err != nil {
		return GroupInvitation{}, err
	}
	id := n.ID
	if id == "" {
		id = ids.New()
	} else if err := ids.Check("id", id); err != nil {
		return GroupInvitation{}, err
	}
	groupIDs := set(n.GroupIDs)
	if len(groupIDs) > MaxGroupInvitationGroups {
		return GroupInvitation{}, failure.Field("groupIds", "groupIds names at most %d groups", MaxGroupInvitationGroups)
	}
	if err := ids.CheckAll("groupIds", groupIDs); err != nil {
		return GroupInvitation{}, err
	}
	for _, g := range groupIDs {
		if _, err := s.Store.GetGroup(ctx, org.ID, g); failure.Is(err, failure.NotFound) {
			return GroupInvitation{}, failure.Field("groupIds", "no group %s in this organization", g)
		} else if err != nil {
			return GroupInvitation{}, err
		}
	}
	roles := set(n.ClientRoleIDs)
	if len(roles) > MaxGroupInvitationClientRole {
		return GroupInvitation{}, failure.Field("clientRoleIds", "at most %d client roles", MaxGroupInvitationClientRole)
	}
	for i, r := range roles {
		if err := ValidateName(fmt.Sprintf("clientRoleIds[%d]", i), r); err != nil || r == "" {
			return GroupInvitation{}, failure.Field("clientRoleIds", "clientRoleIds[%d] is not a valid id", i)
		}
	}
	inv := GroupInvitation{ID: id, OrganizationID: org.ID, Email: strings.TrimSpace(n.Email), RecipientName: n.RecipientName,
		InviterName: n.InviterName, InvitedBy: a.UserID, ScopeInformation: n.ScopeInformation, GroupIDs: groupIDs,
		ClientRoleIDs: roles, State: GroupInvitationOpen, Created: s.now(), Version: 1}
	if err := s.Store.CreateGroupInvitation(ctx, inv); err != nil {
		return GroupInvitation{}, err
	}
	return inv, nil
}

func checkScopeText(text string) error {
	if len(text) > MaxGroupInvitationScopeText {
		return failure.Field("invitationScopeInformation", "invitationScopeInformation is longer than %d bytes", MaxGroupInvitationScopeText)
	}
	for _, r := range text {
		if r < 0x20 && r != '\n' || r == 0x7f || r == '\ufffd' {
			return failure.Field("invitationScopeInformation", "invitationScopeInformation contains control characters or invalid UTF-8")
		}
	}
	return nil
}

// set is a sorted list without duplicates.
func set(l []string) []string {
	out := slices.Clone(l)
	slices.Sort(out)
	return slices.Compact(out)
}

// CheckWelcomeURLTemplate checks a member welcome URL template, where
// the caller's application takes the invitee. The rule, against
// phishing with the deployment's mail sender: an absolute https URL
// (http only to a loopback host, for development), no user info (no
// "https://ours.example@evil.example/"), a host name that is a DNS
// name or loopback (no other IP literals), and WelcomeKeyPlaceholder exactly
// once, in the path, query or fragment (never in the scheme, host or
// port, so the token cannot choose where the link goes). The mail names
// the link's host and the organization that chose it; any https host
// the organization's admin names is accepted (the core has no list of
// the organizations' applications), so the admin is accountable, and is
// recorded as the invitation's creator. Errors: Invalid naming
// memberWelcomeUrl.
func CheckWelcomeURLTemplate(template string) error {
	const field = "memberWelcomeUrl"
	bad := func(why string) error { return failure.Field(field, "memberWelcomeUrl %s", why) }
	if len(template) > MaxWelcomeURLTemplate {
		return bad(fmt.Sprintf("is longer than %d bytes", MaxWelcomeURLTemplate))
	}
	if strings.Count(template, WelcomeKeyPlaceholder) != 1 {
		return bad("must contain ${key} exactly once")
	}
	for _, r := range template {
		if r <= 0x20 || r == 0x7f || r > 0x7e {
			return bad("must be an ASCII URL without spaces or control characters")
		}
	}
	u, err := url.Parse(strings.Replace(template, WelcomeKeyPlaceholder, "KEY", 1))
	if err != nil || !u.IsAbs() || u.Opaque != "" {
		return bad("must be an absolute URL")
	}
	if u.User != nil {
		return bad("must not contain user info")
	}
	host := u.Hostname()
	if host == "" || strings.Contains(host, "KEY") || strings.Contains(u.Port(), "KEY") || strings.Contains(u.Scheme, "KEY") {
		return bad("must have a host, and ${key} only in its path, query or fragment")
	}
	loopback := host == "localhost"
	if ip := net.ParseIP(host); ip != nil {
		if !ip.IsLoopback() {
			return bad("must name its host by a DNS name")
		}
		loopback = true
	}
	switch {
	case u.Scheme == "https":
	case u.Scheme == "http" && loopback:
	default:
		return bad("must be an https URL")
	}
	return nil
}

// SendGroupInvitation mails the open invitation with a new single-use
// token, valid GroupInvitationTTL, placed where the template has
// WelcomeKeyPlaceholder (CheckWelcomeURLTemplate states the rule of
// templates); the token of an earlier send stops working. The recipient's
// mail limit holds mail back answering as if sent. It answers the
// invitation with its delivery (GroupDeliveryRequested, or
// GroupDeliveryFailed with the error when SES refused: the new token is
// kept, so a later send replaces it). Permission: admins. Errors:
// Forbidden; NotFound; Invalid (the template); Gone (not open).
func (s *Service) SendGroupInvitation(ctx context.Context, a Access, id, memberWelcomeURLTemplate string) (GroupInvitation, error) {
	org := a.Organization
	inv, link, err := s.newGroupInvitationToken(ctx, a, id, memberWelcomeURLTemplate, true)
	if err != nil {
		return GroupInvitation{}, err
	}
	u, _ := url.Parse(link)
	_, _, sendErr := s.sendLimited(ctx, mail.Message{To: inv.Email, Subject: "You are invited to " + mailSafe(org.Name),
		Text: groupInvitationText(org, inv, link, u.Hostname())}, "group invitation")
	if sendErr == nil {
		return inv, nil
	}
	if !failure.Is(sendErr, failure.Unavailable) {
		return GroupInvitation{}, sendErr
	}
	failed := inv
	failed.Delivery, failed.DeliveryError = GroupDeliveryFailed, failure.As(sendErr).Message
	failed.Version++
	if err := s.Store.SaveGroupInvitation(ctx, failed, inv); err != nil {
		return GroupInvitation{}, err
	}
	return failed, nil
}

// GroupInvitationLink makes the open invitation a new single-use token,
// valid GroupInvitationTTL, as SendGroupInvitation does, but mails
// nothing: it answers the link (the template with the token in its
// place) for the caller to deliver (10Duke's create without send). The
// token of an earlier send or link stops working. Permission: admins.
// Errors: as SendGroupInvitation.
func (s *Service) GroupInvitationLink(ctx context.Context, a Access, id, memberWelcomeURLTemplate string) (GroupInvitation, string, error) {
	return s.newGroupInvitationToken(ctx, a, id, memberWelcomeURLTemplate, false)
}

// newGroupInvitationToken stores a new token of the open invitation (a
// send when mailed) and answers the link that carries it. The token is
// stored before any mail goes: a mail never carries a token that does
// not work.
func (s *Service) newGroupInvitationToken(ctx context.Context, a Access, id, memberWelcomeURLTemplate string, mailed bool) (GroupInvitation, string, error) {
	if a.IsAdmin() {
		if err := CheckWelcomeURLTemplate(memberWelcomeURLTemplate); err != nil {
			return GroupInvitation{}, "", err
		}
	}
	prev, err := s.openGroupInvitation(ctx, a, id, "send invitations")
	if err != nil {
		return GroupInvitation{}, "", err
	}
	token, err := secret.NewCode()
	if err != nil {
		return GroupInvitation{}, "", failure.Wrap(err, "make invitation token")
	}
	now := s.now()
	inv := prev
	inv.TokenHash, inv.TokenExpires = secret.TokenHash(token), now.Add(GroupInvitationTTL)
	inv.WelcomeTemplate = memberWelcomeURLTemplate
	if mailed {
		inv.SentAt, inv.Delivery, inv.DeliveryError = now, GroupDeliveryRequested, ""
		inv.Sends++
	}
	inv.Version++
	if err := s.Store.SaveGroupInvitation(ctx, inv, prev); err != nil {
		return GroupInvitation{}, "", err
	}
	return inv, strings.Replace(memberWelcomeURLTemplate, WelcomeKeyPlaceholder, url.QueryEscape(token), 1), nil
}

func groupInvitationText(org Organization, inv GroupInvitation, link, host string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "You are invited to join groups of the organization %q", mailSafe(org.Name))
	if inv.InviterName != "" {
		fmt.Fprintf(&b, " by %s", mailSafe(inv.InviterName))
	}
	b.WriteString(".\n\n")
	if inv.ScopeInformation != "" {
		fmt.Fprintf(&b, "Their note (not checked by us):\n\n%s\n\n", mailSafe(inv.ScopeInformation))
	}
	fmt.Fprintf(&b, "To accept or decline, open this link within %d days:\n\n%s\n\n", int(GroupInvitationTTL.Hours()/24), link)
	fmt.Fprintf(&b, "The link leads to %s, which the organization chose. Accepting needs your account with this address; "+
		"nobody else can use the link. If you do not want to join, ignore this mail.\n", host)
	return b.String()
}

// GroupInvitation reads an invitation of the organization. Permission:
// admins. Errors: Forbidden; NotFound.
func (s *Service) GroupInvitation(ctx context.Context, a Access, id string) (GroupInvitation, error) {
	org, err := a.admin("see invitations")
	if err != nil {
		return GroupInvitation{}, err
	}
	return s.groupInvitation(ctx, org.ID, id)
}

func (s *Service) groupInvitation(ctx context.Context, orgID, id string) (GroupInvitation, error) {
	if !ids.Valid(id) {
		return GroupInvitation{}, errNoGroupInvitation
	}
	inv, err := s.Store.GetGroupInvitation(ctx, orgID, id)
	if failure.Is(err, failure.NotFound) {
		return GroupInvitation{}, errNoGroupInvitation
	}
	return inv, err
}

// GroupInvitationOrganization answers the id of the organization an
// invitation belongs to, for the dialects whose routes name the
// invitation alone; the caller then resolves their Access there (which
// refuses a non-member). Errors: NotFound.
func (s *Service) GroupInvitationOrganization(ctx context.Context, id string) (string, error) {
	if !ids.Valid(id) {
		return "", errNoGroupInvitation
	}
	orgID, err := s.Store.GroupInvitationOrganization(ctx, id)
	if failure.Is(err, failure.NotFound) {
		return "", errNoGroupInvitation
	}
	return orgID, err
}

// GroupInvitations lists the organization's invitations in the state
// (one of GroupInvitationStates), oldest first, skipping offset and at
// most limit (1 to MaxListedGroupInvitations; 0 means the maximum).
// Permission: admins. Errors: Forbidden; Invalid (state, paging).
func (s *Service) GroupInvitations(ctx context.Context, a Access, state string, offset, limit int) ([]GroupInvitation, error) {
	org, err := a.admin("see invitations")
	if err != nil {
		return nil, err
	}
	if limit, err = groupInvitationPage(state, offset, limit); err != nil {
		return nil, err
	}
	return s.Store.GroupInvitationsOf(ctx, org.ID, state, offset, limit)
}

// GroupInvitationsToMe lists the invitations to the caller's address in
// the state, in every organization, paged as GroupInvitations.
// Permission: the signed-in user. Errors: Unauthenticated; Invalid.
func (s *Service) GroupInvitationsToMe(ctx context.Context, callerID, state string, offset, limit int) ([]GroupInvitation, error) {
	user, err := s.caller(ctx, callerID)
	if err != nil {
		return nil, err
	}
	if limit, err = groupInvitationPage(state, offset, limit); err != nil {
		return nil, err
	}
	return s.Store.GroupInvitationsTo(ctx, NormalizeEmail(user.Email), state, offset, limit)
}

func groupInvitationPage(state string, offset, limit int) (int, error) {
	if !slices.Contains(GroupInvitationStates, state) {
		return 0, failure.Field("state", "state must be one of %s", strings.Join(GroupInvitationStates, ", "))
	}
	if limit == 0 {
		limit = MaxListedGroupInvitations
	}
	if offset < 0 || offset > 10000 || limit < 0 || limit > MaxListedGroupInvitations {
		return 0, failure.Field("limit", "offset must be 0 to 10000 and limit 1 to %d", MaxListedGroupInvitations)
	}
	return limit, nil
}

// byToken reads the open invitation whose latest send made the token.
// Errors: NotFound for a token no send made or a later send replaced (its
// look-up is gone); Gone for a closed invitation or an expired token.
func (s *Service) byToken(ctx context.Context, token string) (GroupInvitation, error) {
	if token == "" || len(token) > 200 {
		return GroupInvitation{}, errNoGroupInvitation
	}
	hash := secret.TokenHash(token)
	inv, err := s.Store.GroupInvitationByToken(ctx, hash)
	if failure.Is(err, failure.NotFound) {
		return GroupInvitation{}, errNoGroupInvitation
	}
	if err != nil {
		return GroupInvitation{}, err
	}
	if inv.State != GroupInvitationOpen || inv.TokenHash != hash || !s.now().Before(inv.TokenExpires) {
		return GroupInvitation{}, errGroupInvitationClosed
	}
	return inv, nil
}

// AcceptGroupInvitation accepts the invitation the token was mailed for:
// the caller becomes a member of its organization (role member, a derived
// username) unless they are one, and joins its groups that still exist,
// in one transaction with the change to accepted. Permission: the
// signed-in holder of the invited address (see the package's rule above).
// Errors: Unauthenticated; NotFound (an unknown or replaced token); Gone
// (accepted, declined or revoked, an expired token: a second accept);
// Forbidden (another address; a disabled membership); Conflict (a group
// or the member's groups full).
func (s *Service) AcceptGroupInvitation(ctx context.Context, callerID, token string) (GroupInvitation, error) {
	return s.acceptGroupInvitation(ctx, callerID, token, "")
}

// AcceptGroupInvitationLink is AcceptGroupInvitation for a caller who
// names the invitation and the member welcome URL as they landed on it
// (10Duke's accept): the token is read from the link at the place its
// template (WelcomeTemplate) holds it, and must be this invitation's.
// Errors: as AcceptGroupInvitation; NotFound for a link that is not the
// invitation's.
func (s *Service) AcceptGroupInvitationLink(ctx context.Context, callerID, id, landedURL string) (GroupInvitation, error) {
	token, err := s.welcomeToken(ctx, id, landedURL)
	if err != nil {
		return GroupInvitation{}, err
	}
	return s.acceptGroupInvitation(ctx, callerID, token, id)
}

// DeclineGroupInvitationLink is DeclineGroupInvitation by the invitation
// and its landed link, as AcceptGroupInvitationLink.
func (s *Service) DeclineGroupInvitationLink(ctx context.Context, callerID, id, landedURL string) (GroupInvitation, error) {
	token, err := s.welcomeToken(ctx, id, landedURL)
	if err != nil {
		return GroupInvitation{}, err
	}
	return s.declineGroupInvitation(ctx, callerID, token, id)
}

// errNotTheLink refuses a landed link that is not the invitation's.
var errNotTheLink = failure.New(failure.NotFound, "the link is not this invitation's")

// welcomeToken reads the token out of a landed member welcome URL of the
// invitation, by its template.
func (s *Service) welcomeToken(ctx context.Context, id, landedURL string) (string, error) {
	if !ids.Valid(id) || len(landedURL) > MaxWelcomeURLTemplate+200 {
		return "", errNotTheLink
	}
	orgID, err := s.GroupInvitationOrganization(ctx, id)
	if err != nil {
		return "", errNotTheLink
	}
	inv, err := s.groupInvitation(ctx, orgID, id)
	if err != nil {
		return "", errNotTheLink
	}
	prefix, suffix, ok := strings.Cut(inv.WelcomeTemplate, WelcomeKeyPlaceholder)
	if !ok || len(landedURL) <= len(prefix)+len(suffix) || !strings.HasPrefix(landedURL, prefix) || !strings.HasSuffix(landedURL, suffix) {
		return "", errNotTheLink
	}
	token, err := url.QueryUnescape(landedURL[len(prefix) : len(landedURL)-len(suffix)])
	if err != nil {
		return "", errNotTheLink
	}
	return token, nil
}

// acceptGroupInvitation accepts by the token; wantID, when set, is the
// invitation the token must be of.
func (s *Service) acceptGroupInvitation(ctx context.Context, callerID, token, wantID string) (GroupInvitation, error) {
	user, err := s.caller(ctx, callerID)
	if err != nil {
		return GroupInvitation{}, err
	}
	for attempt := 0; attempt < 5; attempt++ {
		inv, err := s.byToken(ctx, token)
		if err != nil {
			return GroupInvitation{}, err
		}
		if wantID != "" && inv.ID != wantID {
			return GroupInvitation{}, errNotTheLink
		}
		if NormalizeEmail(inv.Email) != NormalizeEmail(user.Email) {
			return GroupInvitation{}, errNotInvitee
		}
		done, err := s.acceptGroups(ctx, user, inv)
		if err == nil || !failure.As(err).Retry {
			return done, err
		}
	}
	return GroupInvitation{}, failure.Race("invitation")
}

func (s *Service) acceptGroups(ctx context.Context, user User, prev GroupInvitation) (GroupInvitation, error) {
	orgs, err := s.Store.GetOrganizations(ctx, []string{prev.OrganizationID})
	if err != nil {
		return GroupInvitation{}, err
	}
	if len(orgs) == 0 || orgs[0].Disabled {
		return GroupInvitation{}, errNoGroupInvitation
	}
	org := orgs[0]
	_, member, err := s.Store.UserInOrganization(ctx, org.ID, user.ID)
	if err != nil {
		return GroupInvitation{}, err
	}
	now := s.now()
	inv := prev
	inv.State, inv.AcceptedAt, inv.AcceptedBy = GroupInvitationAccepted, now, user.ID
	inv.Version++
	w := GroupInvitationAcceptance{Invitation: inv, Previous: prev, NewMember: member == nil}
	if member != nil {
		if member.Disabled {
			return GroupInvitation{}, errMembershipDisabled
		}
		w.Membership = *member
	} else {
		w.Membership = Membership{OrganizationID: org.ID, OrganizationKey: org.Key, UserID: user.ID, Role: RoleMember, Joined: now}
	}
	for _, g := range prev.GroupIDs {
		if slices.Contains(w.Membership.GroupIDs, g) {
			continue
		}
		group, err := s.Store.GetGroup(ctx, org.ID, g)
		if failure.Is(err, failure.NotFound) {
			continue // deleted since the invitation: the others still count
		}
		if err != nil {
			return GroupInvitation{}, err
		}
		if len(group.UserIDs) >= MaxGroupMembers {
			return GroupInvitation{}, failure.New(failure.Conflict, "the group %q is full", group.Name)
		}
		w.AddedGroups = append(w.AddedGroups, g)
	}
	if len(w.Membership.GroupIDs)+len(w.AddedGroups) > MaxGroupsPerMember {
		return GroupInvitation{}, failure.New(failure.Conflict, "a member is in at most %d groups", MaxGroupsPerMember)
	}
	w.Membership.GroupIDs = set(append(slices.Clone(w.Membership.GroupIDs), w.AddedGroups...))
	if !w.NewMember {
		return inv, s.Store.AcceptGroupInvitation(ctx, w)
	}
	for attempt := 1; attempt <= maxUsernameAttempts; attempt++ {
		w.Membership.Username = DeriveUsername(user.Email, attempt)
		err := s.Store.AcceptGroupInvitation(ctx, w)
		if errors.Is(err, ErrUsernameTaken) {
			continue
		}
		return inv, err
	}
	return GroupInvitation{}, failure.New(failure.Conflict, "no free username for this member")
}

// DeclineGroupInvitation declines the invitation the token was mailed
// for: nothing joins, the token stops working. The token suffices (the
// invited mailbox may decline without an account); a signed-in caller
// (callerID not "") must have the invited address. Errors: NotFound;
// Gone (not open: a second decline); Forbidden (another address).
func (s *Service) DeclineGroupInvitation(ctx context.Context, callerID, token string) (GroupInvitation, error) {
	return s.declineGroupInvitation(ctx, callerID, token, "")
}

func (s *Service) declineGroupInvitation(ctx context.Context, callerID, token, wantID string) (GroupInvitation, error) {
	var user *User
	if callerID != "" {
		u, err := s.caller(ctx, callerID)
		if err != nil {
			return GroupInvitation{}, err
		}
		user = &u
	}
	prev, err := s.byToken(ctx, token)
	if err != nil {
		return GroupInvitation{}, err
	}
	if wantID != "" && prev.ID != wantID {
		return GroupInvitation{}, errNotTheLink
	}
	if user != nil && NormalizeEmail(prev.Email) != NormalizeEmail(user.Email) {
		return GroupInvitation{}, errNotInvitee
	}
	inv := prev
	inv.State, inv.DeclinedAt = GroupInvitationDeclined, s.now()
	inv.Version++
	return inv, s.closeGroupInvitation(ctx, inv, prev)
}

// RevokeGroupInvitation revokes an open invitation: its mailed link stops
// working. Permission: admins. Errors: Forbidden; NotFound; Gone (not
// open).
func (s *Service) RevokeGroupInvitation(ctx context.Context, a Access, id string) (GroupInvitation, error) {
	prev, err := s.openGroupInvitation(ctx, a, id, "revoke invitations")
	if err != nil {
		return GroupInvitation{}, err
	}
	inv := prev
	inv.State, inv.RevokedAt = GroupInvitationRevoked, s.now()
	inv.Version++
	return inv, s.closeGroupInvitation(ctx, inv, prev)
}

// openGroupInvitation reads an open invitation for an admin operation.
// Errors: Forbidden (saying what); NotFound; Gone (not open).
func (s *Service) openGroupInvitation(ctx context.Context, a Access, id, what string) (GroupInvitation, error) {
	org, err := a.admin(what)
	if err != nil {
		return GroupInvitation{}, err
	}
	inv, err := s.groupInvitation(ctx, org.ID, id)
	if err == nil && inv.State != GroupInvitationOpen {
		return GroupInvitation{}, errGroupInvitationClosed
	}
	return inv, err
}

// closeGroupInvitation stores a change of state on condition of the
// state read; losing the race to another change is Gone (the invitation
// is no longer open, or was sent again: the token read is replaced).
func (s *Service) closeGroupInvitation(ctx context.Context, inv, prev GroupInvitation) error {
	err := s.Store.SaveGroupInvitation(ctx, inv, prev)
	if failure.Is(err, failure.Conflict) && failure.As(err).Retry {
		cur, rerr := s.Store.GetGroupInvitation(ctx, prev.OrganizationID, prev.ID)
		if rerr == nil && cur.State == GroupInvitationOpen && cur.TokenHash == prev.TokenHash {
			return err
		}
		return errGroupInvitationClosed
	}
	return err
}

// DeleteGroupInvitation deletes an invitation in any state, with its
// token. Permission: admins. Errors: Forbidden; NotFound; a retryable
// Conflict when it changed meanwhile.
func (s *Service) DeleteGroupInvitation(ctx context.Context, a Access, id string) error {
	org, err := a.admin("delete invitations")
	if err != nil {
		return err
	}
	inv, err := s.groupInvitation(ctx, org.ID, id)
	if err != nil {
		return err
	}
	return s.Store.DeleteGroupInvitation(ctx, inv)
}
