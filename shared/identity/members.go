package identity

import (
	"context"
	"encoding/json"
	"strings"
	"time"

	"github.com/effektif-serverless/caseflow/shared/failure"
	"github.com/effektif-serverless/caseflow/shared/ids"
)

// MaxPreferences bounds a user's preferences document.
const MaxPreferences = 16 * 1024

// MemberQuery selects members for Members: EmailAddress and Name are
// case-insensitive substrings, and Text one of the address or the full
// name; Offset and PageSize page the result.
type MemberQuery struct {
	EmailAddress string
	Name         string
	Text         string
	Offset       int
	PageSize     int
}

// Members lists an organization's members (at most 500 per page), with
// the filters applied; preferences only the reader's own. Permission:
// members.
func (s *Service) Members(ctx context.Context, a Access, q MemberQuery) ([]Member, error) {
	org := a.Organization
	if q.PageSize <= 0 || q.PageSize > 500 {
		q.PageSize = 500
	}
	if q.Offset < 0 {
		q.Offset = 0
	}
	memberships, err := s.Store.Memberships(ctx, org.ID, MaxListedMembers)
	if err != nil {
		return nil, err
	}
	ids := make([]string, len(memberships))
	byUser := map[string]Membership{}
	for i, m := range memberships {
		ids[i] = m.UserID
		byUser[m.UserID] = m
	}
	users, err := s.Users(ctx, ids)
	if err != nil {
		return nil, err
	}
	email, name, text := strings.ToLower(q.EmailAddress), strings.ToLower(q.Name), strings.ToLower(q.Text)
	var out []Member
	for _, id := range ids {
		u, ok := users[id]
		if !ok {
			continue
		}
		full := strings.ToLower(u.FirstName + " " + u.LastName)
		if email != "" && !strings.Contains(strings.ToLower(u.Email), email) || name != "" && !strings.Contains(full, name) ||
			text != "" && !strings.Contains(full, text) && !strings.Contains(strings.ToLower(u.Email), text) {
			continue
		}
		if id != a.UserID {
			u.Preferences = nil // the owner's only
		}
		out = append(out, Member{User: u, Membership: byUser[id], OrganizationIDs: []string{org.ID}})
	}
	if q.Offset >= len(out) {
		return []Member{}, nil
	}
	out = out[q.Offset:]
	if len(out) > q.PageSize {
		out = out[:q.PageSize]
	}
	return out, nil
}

// UserChanges are the fields of a user that may change; nil leaves a field.
// SessionToken is the caller's token: a password change ends every other
// session of the user and keeps this one.
type UserChanges struct {
	FirstName, LastName, Phone, Color, Country, Language, TimeZone *string
	Email                                                          *string
	Password                                                       *string
	SessionToken                                                   string
	// ValidFrom and ValidUntil set the identity's validity window (a
	// zero time opens that end; see User.ValidFrom).
	ValidFrom, ValidUntil *time.Time
	// Profile sets attributes of the user's Profile; a null value removes
	// one, the others stay.
	Profile map[string]json.RawMessage
}

// MaxProfile bounds a user's Profile, as JSON.
const MaxProfile = 16 * 1024

// mergeProfile applies changes to a profile document. Errors: Invalid for
// a stored document that is no object; TooLarge beyond MaxProfile.
func mergeProfile(profile []byte, changes map[string]json.RawMessage) ([]byte, error) {
	doc := map[string]json.RawMessage{}
	if len(profile) > 0 {
		if err := json.Unmarshal(profile, &doc); err != nil {
			return nil, failure.Wrap(err, "read the profile")
		}
	}
	for k, v := range changes {
		if len(v) == 0 || string(v) == "null" {
			delete(doc, k)
			continue
		}
		doc[k] = v
	}
	out, err := json.Marshal(doc)
	if err != nil {
		return nil, failure.Field("profile", "the profile is not valid JSON")
	}
	if len(out) > MaxProfile {
		return nil, failure.New(failure.TooLarge, "the profile is larger than %d bytes", MaxProfile)
	}
	return out, nil
}

// UpdateUser changes a user's profile, validity window or password, and
// asks for an address change. A user's identity (names, address,
// password, profile, validity window) is theirs: only the user changes
// it, or a system admin; an organization's admin manages the membership
// only (role, groups, licenses, removal), so an admin's change of another
// member is Forbidden. One exception: an identity registered by the
// organization and not claimed yet (User.RegisteredBy is a.Organization's
// id) is kept by that organization's enabled admins, who may change its
// first and last name and its validity window (nothing else) until the
// user claims it. A new address takes effect only when the code mailed to
// it confirms it (ConfirmEmailChange); until then the old address stays
// the login, and the answer is the same whether or not the new address is
// free. A password change ends every other session of the user at once,
// and claims a registered identity. Errors: as Tenant; NotFound for a
// non-member; Forbidden; Invalid (validUntil before validFrom too).
func (s *Service) UpdateUser(ctx context.Context, a Access, userID string, c UserChanges) (Member, error) {
	org := a.Organization
	user, membership, err := s.Store.UserInOrganization(ctx, org.ID, userID)
	if err != nil || membership == nil {
		return Member{}, failure.New(failure.NotFound, "no such user in this organization")
	}
	if userID != a.UserID && !managesRegistered(a, user, c) {
		caller, err := s.Store.GetUser(ctx, a.UserID)
		if err != nil {
			return Member{}, err
		}
		if !caller.SystemAdmin {
			return Member{}, failure.New(failure.Forbidden, "a user's names, address and password are theirs to change; an admin manages the membership only")
		}
	}
	for _, f := range []struct {
		name  string
		value *string
		dst   *string
	}{
		{"firstName", c.FirstName, &user.FirstName}, {"lastName", c.LastName, &user.LastName}, {"phone", c.Phone, &user.Phone},
		{"color", c.Color, &user.Color}, {"country", c.Country, &user.Country}, {"language", c.Language, &user.Language},
		{"timeZone", c.TimeZone, &user.TimeZone},
	} {
		if f.value == nil {
			continue
		}
		if err := ValidateName(f.name, *f.value); err != nil {
			return Member{}, err
		}
		*f.dst = *f.value
	}
	if c.ValidFrom != nil {
		user.ValidFrom = *c.ValidFrom
	}
	if c.ValidUntil != nil {
		user.ValidUntil = *c.ValidUntil
	}
	if err := checkValidity(user.ValidFrom, user.ValidUntil); err != nil {
		return Member{}, err
	}
	newEmail := ""
	if c.Email != nil && NormalizeEmail(*c.Email) != NormalizeEmail(user.Email) {
		if err := ValidateEmail(FieldEmail, *c.Email); err != nil {
			return Member{}, err
		}
		newEmail = strings.TrimSpace(*c.Email)
	}
	if len(c.Profile) > 0 {
		if user.Profile, err = mergeProfile(user.Profile, c.Profile); err != nil {
			return Member{}, err
		}
	}
	passwordChanged := c.Password != nil && *c.Password != ""
	if passwordChanged {
		if user.PasswordHash, err = s.newPasswordHash(*c.Password); err != nil {
			return Member{}, err
		}
		claim(&user)
	}
	if newEmail != "" {
		user.DraftEmail, user.DraftEmailExpires = newEmail, s.now().Add(EmailChangeTTL)
	}
	user.Version++
	if err := s.Store.UpdateUser(ctx, user, ""); err != nil {
		return Member{}, err
	}
	if passwordChanged {
		keep := c.SessionToken
		if userID != a.UserID {
			keep = ""
		}
		if err := s.passwordChanged(ctx, userID, keep); err != nil {
			return Member{}, err
		}
	}
	if newEmail != "" {
		if err := s.requestEmailChange(ctx, user, newEmail); err != nil {
			return Member{}, err
		}
	}
	return Member{User: user, Membership: *membership, OrganizationIDs: []string{org.ID}}, nil
}

// SetPreferences replaces a user's preferences (any JSON object, at most
// MaxPreferences bytes). Permission: the user themself. Errors: as Tenant;
// Forbidden; Invalid; TooLarge.
func (s *Service) SetPreferences(ctx context.Context, a Access, userID string, prefs json.RawMessage) error {
	if userID != a.UserID {
		return failure.New(failure.Forbidden, "users set only their own preferences")
	}
	if len(prefs) > MaxPreferences {
		return failure.New(failure.TooLarge, "preferences are larger than %d bytes", MaxPreferences)
	}
	var obj map[string]json.RawMessage
	if json.Unmarshal(prefs, &obj) != nil || obj == nil {
		return failure.New(failure.Invalid, "preferences must be a JSON object")
	}
	for attempt := 0; attempt < 3; attempt++ {
		user, err := s.Store.GetUser(ctx, userID)
		if err != nil {
			return err
		}
		user.Preferences = prefs
		user.Version++
		err = s.Store.UpdateUser(ctx, user, "")
		if err == nil || !failure.As(err).Retry {
			return err
		}
	}
	return failure.New(failure.Conflict, "the user was changed concurrently; try again")
}

// Leave takes the caller out of an organization. The last admin cannot
// leave (Conflict): an organization always has an admin. Errors: as
// Tenant; Forbidden for another user; Invalid when organizationId is given
// and is not this organization's.
func (s *Service) Leave(ctx context.Context, a Access, userID, organizationID string) error {
	org, m := a.Organization, a.Membership
	if userID != a.UserID {
		return failure.New(failure.Forbidden, "users leave an organization themselves; admins remove others")
	}
	if organizationID != "" && organizationID != org.ID {
		return failure.Field("organizationId", "organizationId is not this organization's id")
	}
	return s.removeMember(ctx, org, m)
}

// RemoveMember takes a user out of an organization (their account stays).
// Permission: admins. Errors: as Tenant; Forbidden; NotFound for a
// non-member; Conflict for the last admin.
func (s *Service) RemoveMember(ctx context.Context, a Access, userID string) error {
	org, caller := a.Organization, a.Membership
	if !caller.IsAdmin() {
		return failure.New(failure.Forbidden, "only an admin may remove users")
	}
	if !ids.Valid(userID) {
		return failure.New(failure.NotFound, "no such user in this organization")
	}
	_, m, err := s.Store.UserInOrganization(ctx, org.ID, userID)
	if err != nil || m == nil {
		return failure.New(failure.NotFound, "no such user in this organization")
	}
	return s.removeMember(ctx, org, *m)
}

// MaxLeaveGroups bounds the groups of one LeaveGroups transaction (with
// the membership: at most 100 items).
const MaxLeaveGroups = 98

// maxGroupsLeftWithRemoval bounds the groups a member's removal leaves in
// its own transaction (with the membership, the organization, the
// username and a license seat and its claim: at most 100 items).
const maxGroupsLeftWithRemoval = 90

// removeMember removes the membership. A member in more groups than one
// transaction leaves with the membership first leaves the others, in
// steps of one transaction each (Store.LeaveGroups), so that no count of
// groups makes a removal fail; a request that fails between steps leaves
// the member in fewer groups, and asking again goes on.
func (s *Service) removeMember(ctx context.Context, org Organization, m Membership) error {
	if m.IsAdmin() && !m.Disabled && len(without(org.AdminIDs, m.UserID)) == 0 {
		return failure.New(failure.Conflict, "the last admin cannot leave the organization")
	}
	for len(m.GroupIDs) > maxGroupsLeftWithRemoval {
		n := min(len(m.GroupIDs)-maxGroupsLeftWithRemoval, MaxLeaveGroups)
		rest, step := m.GroupIDs[:len(m.GroupIDs)-n], m.GroupIDs[len(m.GroupIDs)-n:]
		if err := s.Store.LeaveGroups(ctx, m, step); err != nil {
			return err
		}
		m.GroupIDs = rest
	}
	org.AdminIDs = without(org.AdminIDs, m.UserID)
	org.Version++
	return s.Store.RemoveMembership(ctx, org, m)
}

func without(list []string, s string) []string {
	out := make([]string, 0, len(list))
	for _, x := range list {
		if x != s {
			out = append(out, x)
		}
	}
	return out
}
