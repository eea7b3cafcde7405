package identity

import (
	"context"
	"regexp"
	"strconv"
	"strings"
	"sync"

	"github.com/effektif-serverless/caseflow/shared/failure"
)

// Usernames name members within an organization: unique there (compared
// case-insensitively, enforced by a conditional write of a uniqueness
// item), shaped like UsernameShape. A member's username is the one chosen
// when the membership was made by accepting an invitation (or the one the
// invitation offered); a membership made otherwise gets one derived from
// the address (DeriveUsername) the first time it is read by name, and it
// stays.

// MaxUsernameLength bounds a username.
const MaxUsernameLength = 50

// FieldUsername is the canonical name of the username field in errors.
const FieldUsername = "username"

// UsernameShape is what a username looks like: a letter, then letters,
// digits and underscores. It is compiled on first use, not at a function's
// init (a cold start pays only for what it runs).
var UsernameShape = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]{0,49}$`)
})

// ErrUsernameTaken is the Conflict of a username another member holds.
var ErrUsernameTaken = &failure.Error{Code: failure.Conflict, Field: FieldUsername, Message: "the username is taken in this organization"}

// maxUsernameAttempts bounds the search for a free derived username.
const maxUsernameAttempts = 20

// ValidateUsername checks a chosen username's shape (Invalid).
func ValidateUsername(username string) error {
	if !UsernameShape().MatchString(username) {
		return failure.Field(FieldUsername, "username must be a letter followed by at most %d letters, digits or underscores", MaxUsernameLength-1)
	}
	return nil
}

// DeriveUsername is the attempt-th candidate username for an address: its
// local part lower-cased, other characters as "_", a leading "u" when it
// does not start with a letter, cut to fit, and "_<attempt>" from the
// second attempt on.
func DeriveUsername(email string, attempt int) string {
	local, _, _ := strings.Cut(NormalizeEmail(email), "@")
	var b strings.Builder
	for _, r := range local {
		if r < 0x80 && (r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_') {
			b.WriteRune(r)
		} else {
			b.WriteByte('_')
		}
	}
	name := b.String()
	if name == "" || name[0] < 'a' || name[0] > 'z' {
		name = "u" + name
	}
	suffix := ""
	if attempt > 1 {
		suffix = "_" + strconv.Itoa(attempt)
	}
	if len(name)+len(suffix) > MaxUsernameLength {
		name = name[:MaxUsernameLength-len(suffix)]
	}
	return name + suffix
}

// NamedMember is a member as a named view shows it: the user, the
// membership (with its username) and the names of the member's groups.
type NamedMember struct {
	Member
	GroupNames []string
}

// Self answers the caller's own membership of the organization, named.
// Permission: members. Errors: as Tenant.
func (s *Service) Self(ctx context.Context, a Access) (NamedMember, error) {
	org, m := a.Organization, a.Membership
	user, err := s.Store.GetUser(ctx, a.UserID)
	if err != nil {
		return NamedMember{}, err
	}
	named, err := s.named(ctx, org, []Member{{User: user, Membership: m, OrganizationIDs: []string{org.ID}}})
	if err != nil {
		return NamedMember{}, err
	}
	return named[0], nil
}

// MemberNamed answers the member with the username. Permission: members.
// Errors: as Tenant; NotFound for an unknown username.
func (s *Service) MemberNamed(ctx context.Context, a Access, username string) (NamedMember, error) {
	org := a.Organization
	m, err := s.memberNamed(ctx, org, username)
	if err != nil {
		return NamedMember{}, err
	}
	named, err := s.named(ctx, org, []Member{m})
	if err != nil {
		return NamedMember{}, err
	}
	return named[0], nil
}

// NamedMembers lists the organization's members (at most
// MaxListedMembers), named. Permission: members. Errors: as Tenant.
func (s *Service) NamedMembers(ctx context.Context, a Access) ([]NamedMember, error) {
	org := a.Organization
	memberships, err := s.Store.Memberships(ctx, org.ID, MaxListedMembers)
	if err != nil {
		return nil, err
	}
	ids := make([]string, len(memberships))
	for i, m := range memberships {
		ids[i] = m.UserID
	}
	users, err := s.Users(ctx, ids)
	if err != nil {
		return nil, err
	}
	members := make([]Member, 0, len(memberships))
	for _, m := range memberships {
		if u, ok := users[m.UserID]; ok {
			members = append(members, Member{User: u, Membership: m, OrganizationIDs: []string{org.ID}})
		}
	}
	return s.named(ctx, org, members)
}

// RemoveMemberNamed takes the member with the username out of the
// organization (their identity and sessions stay). Permission: admins.
// Errors: as Tenant; Forbidden; NotFound; Conflict for the last admin.
func (s *Service) RemoveMemberNamed(ctx context.Context, a Access, username string) error {
	org, err := a.admin("remove users")
	if err != nil {
		return err
	}
	m, err := s.memberNamed(ctx, org, username)
	if err != nil {
		return err
	}
	return s.removeMember(ctx, org, m.Membership)
}

var errNoSuchUsername = failure.New(failure.NotFound, "no such user in this organization")

// memberNamed finds the member holding a username.
func (s *Service) memberNamed(ctx context.Context, org Organization, username string) (Member, error) {
	if !UsernameShape().MatchString(username) {
		return Member{}, errNoSuchUsername
	}
	userID, err := s.Store.UsernameOwner(ctx, org.ID, username)
	if failure.Is(err, failure.NotFound) {
		return Member{}, errNoSuchUsername
	}
	if err != nil {
		return Member{}, err
	}
	user, m, err := s.Store.UserInOrganization(ctx, org.ID, userID)
	if failure.Is(err, failure.NotFound) || err == nil && (m == nil || !strings.EqualFold(m.Username, username)) {
		return Member{}, errNoSuchUsername
	}
	if err != nil {
		return Member{}, err
	}
	return Member{User: user, Membership: *m, OrganizationIDs: []string{org.ID}}, nil
}

// named gives each member its username (deriving one where the
// membership has none) and its group names.
func (s *Service) named(ctx context.Context, org Organization, members []Member) ([]NamedMember, error) {
	var groupIDs []string
	for i := range members {
		if err := s.ensureUsername(ctx, org, &members[i]); err != nil {
			return nil, err
		}
		groupIDs = append(groupIDs, members[i].Membership.GroupIDs...)
	}
	names := map[string]string{}
	if len(groupIDs) > 0 {
		groups, err := s.Store.GroupsByID(ctx, org.ID, groupIDs)
		if err != nil {
			return nil, err
		}
		for _, g := range groups {
			names[g.ID] = g.Name
		}
	}
	out := make([]NamedMember, len(members))
	for i, m := range members {
		out[i] = NamedMember{Member: m, GroupNames: []string{}}
		for _, id := range m.Membership.GroupIDs {
			if n, ok := names[id]; ok {
				out[i].GroupNames = append(out[i].GroupNames, n)
			}
		}
	}
	return out, nil
}

// ensureUsername gives a membership without a username the first free
// derived one; when another request named it meanwhile, that name is
// read back.
func (s *Service) ensureUsername(ctx context.Context, org Organization, m *Member) error {
	if m.Membership.Username != "" {
		return nil
	}
	for attempt := 1; attempt <= maxUsernameAttempts; attempt++ {
		name := DeriveUsername(m.Email, attempt)
		err := s.Store.ClaimUsername(ctx, m.Membership, name)
		if err == nil {
			m.Membership.Username = name
			return nil
		}
		if failure.Is(err, failure.Conflict) && !failure.As(err).Retry {
			continue // taken
		}
		if !failure.As(err).Retry {
			return err
		}
		_, again, err := s.Store.UserInOrganization(ctx, org.ID, m.ID)
		if err != nil {
			return err
		}
		if again == nil || again.Username == "" {
			return failure.New(failure.NotFound, "no such user in this organization")
		}
		m.Membership.Username = again.Username
		return nil
	}
	return failure.New(failure.Conflict, "no free username for this member")
}

// freeUsername checks a chosen username: its shape (Invalid) and that no
// member holds it (ErrUsernameTaken).
func (s *Service) freeUsername(ctx context.Context, org Organization, username string) error {
	if err := ValidateUsername(username); err != nil {
		return err
	}
	owner, err := s.Store.UsernameOwner(ctx, org.ID, username)
	if failure.Is(err, failure.NotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	members, err := s.Store.MembersAmong(ctx, org.ID, []string{owner})
	if err != nil {
		return err
	}
	if members[owner] {
		return ErrUsernameTaken
	}
	return nil
}
