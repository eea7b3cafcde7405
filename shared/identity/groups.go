package identity

import (
	"context"
	"math/rand/v2"
	"net/url"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/effektif-serverless/caseflow/shared/failure"
	"github.com/effektif-serverless/caseflow/shared/ids"
)

// MaxGroupMembers bounds a group: its members' memberships change in the
// same transaction as the group.
const MaxGroupMembers = 90

// Group is a named set of an organization's members.
type Group struct {
	ID             string
	OrganizationID string
	Name           string
	LdapDN         string
	// UserIDs is a string set in the table, so a member who leaves is
	// removed from it in the same transaction.
	UserIDs []string `dynamo:",set"`
	// Abbreviation is a short label (at most MaxGroupAbbreviation
	// characters) and Image a picture or a gradient avatar.
	Abbreviation string
	Image        GroupImage
	// Description (at most MaxGroupDescription characters) and Type (at
	// most MaxGroupType, a free label such as 10Duke's "employees") are
	// the group's own texts (SetUpOrganization's group has Type
	// "employees").
	Description string `dynamo:",omitempty"`
	Type        string `dynamo:",omitempty"`
	// Created and Updated are the times of the creation and of the last
	// edit (UpdateGroup; an assignment does not count); CreatedBy is the
	// creator's user id. Groups made before these were kept have none.
	Created   time.Time
	Updated   time.Time
	CreatedBy string
	// AssigneeID is the member last given work by round robin
	// (AdvanceAssignment; "" before the first), AssigneeIndex their
	// position in the members sorted by id at that time. The assignee may
	// have left the group since: see CurrentAssignee.
	AssigneeID    string
	AssigneeIndex int
	Version       int
}

// GroupImage is a group's picture: URLs of the image and its thumbnails,
// or the colors of a generated gradient avatar, or both.
type GroupImage struct {
	Original, Thumbnail32, Thumbnail64 string
	GradientColors                     []string `dynamo:",omitempty"`
}

// Limits of a group's label and image. The abbreviation follows the
// epilot schema (maxLength 2), the gradient its two colors (base and
// accent, #rrggbb).
const (
	MaxGroupAbbreviation = 2
	MaxGroupImageURL     = 2048
	GroupGradientColors  = 2
	MaxGroupDescription  = 1000
	MaxGroupType         = 100
)

// Canonical field names of a group's label and image in errors.
const (
	FieldGroupAbbreviation = "abbreviation"
	FieldGroupImage        = "image"
	FieldGroupDescription  = "description"
	FieldGroupType         = "type"
	FieldGroupID           = "id"
	FieldGroupName         = "name"
)

// ErrGroupIDTaken is the answer of Store.SaveGroup for a new group whose
// id names a group of the organization already.
var ErrGroupIDTaken = &failure.Error{Code: failure.Conflict, Field: FieldGroupID, Message: "a group with this id already exists"}

// GroupChanges are what a group's editor sets; nil leaves a field.
// Image replaces the whole image (a zero GroupImage removes it).
type GroupChanges struct {
	Name         *string
	LdapDN       *string
	UserIDs      *[]string
	Abbreviation *string
	Image        *GroupImage
	Description  *string
	Type         *string
	// ID is the id of a new group (CreateGroup only; UpdateGroup ignores
	// it): "" for a fresh one, else it must be ids.Valid.
	ID string
	// UniqueName makes CreateGroup and UpdateGroup refuse a name that
	// another group of the organization has, compared case-insensitively
	// (10Duke's rule; the other dialects allow twins).
	UniqueName bool
}

// SortedMembers answers the group's member ids in id order, the order of
// round-robin assignment.
func (g Group) SortedMembers() []string {
	ids := append([]string(nil), g.UserIDs...)
	sort.Strings(ids)
	return ids
}

// CurrentAssignee answers the member last assigned by round robin and
// their position in SortedMembers, when there is one and they are still a
// member.
func (g Group) CurrentAssignee() (userID string, index int, ok bool) {
	if g.AssigneeID == "" {
		return "", 0, false
	}
	for i, id := range g.SortedMembers() {
		if id == g.AssigneeID {
			return id, i, true
		}
	}
	return "", 0, false
}

// nextAssignee answers the first member whose id sorts after the
// current assignee's (who may have left the group since), wrapping
// around to the first member; the first member when there is no
// assignee. ok is false for a group without members.
func (g Group) nextAssignee() (userID string, index int, ok bool) {
	members := g.SortedMembers()
	if len(members) == 0 {
		return "", 0, false
	}
	if g.AssigneeID != "" {
		i := sort.SearchStrings(members, g.AssigneeID)
		if i < len(members) && members[i] == g.AssigneeID {
			i++
		}
		if i < len(members) {
			return members[i], i, true
		}
	}
	return members[0], 0, true
}

func checkGroupImage(img GroupImage) error {
	for _, u := range []struct{ field, value string }{
		{"original", img.Original}, {"thumbnail32", img.Thumbnail32}, {"thumbnail64", img.Thumbnail64},
	} {
		if u.value == "" {
			continue
		}
		field := FieldGroupImage + "." + u.field
		if len(u.value) > MaxGroupImageURL {
			return failure.Field(field, "%s is longer than %d bytes", field, MaxGroupImageURL)
		}
		parsed, err := url.Parse(u.value)
		if err != nil || (parsed.Scheme != "https" && parsed.Scheme != "http") || parsed.Host == "" ||
			strings.ContainsFunc(u.value, func(r rune) bool { return r <= ' ' || r == 0x7f }) {
			return failure.Field(field, "%s must be an absolute http or https URL", field)
		}
	}
	if len(img.GradientColors) == 0 {
		return nil
	}
	field := FieldGroupImage + ".gradientColors"
	if len(img.GradientColors) != GroupGradientColors {
		return failure.Field(field, "%s must hold %d colors", field, GroupGradientColors)
	}
	for _, c := range img.GradientColors {
		if !hexColor(c) {
			return failure.Field(field, "%s must be colors like #0588f0", field)
		}
	}
	return nil
}

func hexColor(c string) bool {
	if len(c) != 7 || c[0] != '#' {
		return false
	}
	for _, r := range c[1:] {
		if !(r >= '0' && r <= '9' || r >= 'a' && r <= 'f' || r >= 'A' && r <= 'F') {
			return false
		}
	}
	return true
}

func (s *Service) checkGroup(ctx context.Context, orgID string, g *Group, c GroupChanges) error {
	if c.Abbreviation != nil {
		abbreviation := strings.TrimSpace(*c.Abbreviation)
		if err := ValidateName(FieldGroupAbbreviation, abbreviation); err != nil {
			return err
		}
		if utf8.RuneCountInString(abbreviation) > MaxGroupAbbreviation {
			return failure.Field(FieldGroupAbbreviation, "abbreviation is longer than %d characters", MaxGroupAbbreviation)
		}
		g.Abbreviation = abbreviation
	}
	if c.Image != nil {
		if err := checkGroupImage(*c.Image); err != nil {
			return err
		}
		img := *c.Image
		img.GradientColors = append([]string(nil), img.GradientColors...)
		g.Image = img
	}
	if c.Name != nil {
		g.Name = strings.TrimSpace(*c.Name)
	}
	if g.Name == "" {
		return failure.Field("name", "name is required")
	}
	if err := ValidateName("name", g.Name); err != nil {
		return err
	}
	if c.LdapDN != nil {
		if err := ValidateName("ldapDn", *c.LdapDN); err != nil {
			return err
		}
		g.LdapDN = *c.LdapDN
	}
	if c.Description != nil {
		if err := checkGroupText(FieldGroupDescription, *c.Description, MaxGroupDescription, true); err != nil {
			return err
		}
		g.Description = *c.Description
	}
	if c.Type != nil {
		t := strings.TrimSpace(*c.Type)
		if err := checkGroupText(FieldGroupType, t, MaxGroupType, false); err != nil {
			return err
		}
		g.Type = t
	}
	if c.UserIDs != nil {
		unique := []string{}
		for _, id := range *c.UserIDs {
			if !contains(unique, id) {
				unique = append(unique, id)
			}
		}
		if len(unique) > MaxGroupMembers {
			return failure.Field("userIds", "a group has at most %d members", MaxGroupMembers)
		}
		if err := s.checkJoiners(ctx, orgID, g, unique); err != nil {
			return err
		}
		g.UserIDs = unique
	}
	if c.UniqueName {
		return s.uniqueGroupName(ctx, orgID, *g)
	}
	return nil
}

// checkJoiners checks the members a change gives the group g (whose
// UserIDs are still the ones before): each a member of the organization,
// and each who joins in fewer than MaxGroupsPerMember groups, the bound a
// member change keeps too (one batch read). Errors: Invalid (field
// userIds).
func (s *Service) checkJoiners(ctx context.Context, orgID string, g *Group, userIDs []string) error {
	if len(userIDs) == 0 {
		return nil
	}
	ms, err := s.Store.MembershipsAmong(ctx, orgID, userIDs)
	if err != nil {
		return err
	}
	byUser := make(map[string]Membership, len(ms))
	for _, m := range ms {
		byUser[m.UserID] = m
	}
	for _, id := range userIDs {
		m, ok := byUser[id]
		if !ok {
			return failure.Field("userIds", "user %q is not a member of this organization", id)
		}
		if !contains(g.UserIDs, id) && !contains(m.GroupIDs, g.ID) && len(m.GroupIDs) >= MaxGroupsPerMember {
			return failure.Field("userIds", "user %q is in %d groups already, the most a member may be in", id, MaxGroupsPerMember)
		}
	}
	return nil
}

// checkGroupText checks a group's text: valid UTF-8, at most max
// characters, no control characters (but line breaks and tabs where
// multiline). Errors: Invalid with the field.
func checkGroupText(field, value string, max int, multiline bool) error {
	if !utf8.ValidString(value) {
		return failure.Field(field, "%s is not valid UTF-8", field)
	}
	if utf8.RuneCountInString(value) > max {
		return failure.Field(field, "%s is longer than %d characters", field, max)
	}
	for _, r := range value {
		if (r < 0x20 || r == 0x7f) && !(multiline && (r == '\n' || r == '\r' || r == '\t')) {
			return failure.Field(field, "%s contains control characters", field)
		}
	}
	return nil
}

// uniqueGroupName refuses g's name when another group of the organization
// has it, compared case-insensitively: one bounded Query (the first
// MaxListedGroups groups). It is a read before the write, not a claim: two
// creates or renames racing to one name can both pass. Errors: Conflict
// (field "name").
func (s *Service) uniqueGroupName(ctx context.Context, orgID string, g Group) error {
	gs, err := s.Store.Groups(ctx, orgID, MaxListedGroups)
	if err != nil {
		return err
	}
	for _, other := range gs {
		if other.ID != g.ID && strings.EqualFold(other.Name, g.Name) {
			return &failure.Error{Code: failure.Conflict, Field: FieldGroupName, Message: "a group named " + other.Name + " exists in this organization"}
		}
	}
	return nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// diff returns the ids in b and not in a (added) and in a and not in b (removed).
func diff(a, b []string) (added, removed []string) {
	for _, id := range b {
		if !contains(a, id) {
			added = append(added, id)
		}
	}
	for _, id := range a {
		if !contains(b, id) {
			removed = append(removed, id)
		}
	}
	return added, removed
}

// CreateGroup creates a group, created and updated now by the caller,
// with the id c.ID when set (else a fresh one). Permission: admins.
// Errors: as Tenant; Forbidden; Invalid (no name, members who are not
// members or who would join more than MaxGroupsPerMember groups, an abbreviation longer than MaxGroupAbbreviation characters,
// image URLs that are not absolute http or https URLs of at most
// MaxGroupImageURL bytes, gradient colors that are not
// GroupGradientColors #rrggbb colors, a description or type over
// MaxGroupDescription or MaxGroupType characters, an id that is not
// ids.Valid: field "id"); Conflict (ErrGroupIDTaken for a taken id, by
// the store's conditional create; with c.UniqueName a name another group
// has, field "name").
func (s *Service) CreateGroup(ctx context.Context, a Access, c GroupChanges) (Group, error) {
	org, err := a.admin("manage groups")
	if err != nil {
		return Group{}, err
	}
	id := c.ID
	if id == "" {
		id = ids.New()
	} else if !ids.Valid(id) {
		return Group{}, failure.Field(FieldGroupID, "id is not a valid group id")
	}
	now := s.now()
	g := Group{ID: id, OrganizationID: org.ID, UserIDs: []string{}, Created: now, Updated: now, CreatedBy: a.UserID, Version: 1}
	if err := s.checkGroup(ctx, org.ID, &g, c); err != nil {
		return Group{}, err
	}
	if err := s.Store.SaveGroup(ctx, g, true, g.UserIDs, nil); err != nil {
		return Group{}, err
	}
	return g, nil
}

// Group returns a group. Permission: members. Errors: as Tenant; NotFound.
func (s *Service) Group(ctx context.Context, a Access, id string) (Group, error) {
	org := a.Organization
	return s.groupByID(ctx, org.ID, id)
}

func (s *Service) groupByID(ctx context.Context, orgID, id string) (Group, error) {
	if !ids.Valid(id) {
		return Group{}, failure.New(failure.NotFound, "no such group")
	}
	return s.Store.GetGroup(ctx, orgID, id)
}

// UpdateGroup renames a group or changes its members, abbreviation,
// image, description or type, and sets its Updated (c.ID is ignored;
// with c.UniqueName a name another group has is refused as in
// CreateGroup); the members' groupIds change in the same
// transaction, so one change adds and removes at most MaxGroupMembers
// members together (each is an item of it). Permission: admins. Errors:
// as CreateGroup; NotFound; Invalid (more members added and removed at
// once); Conflict (changed concurrently).
func (s *Service) UpdateGroup(ctx context.Context, a Access, id string, c GroupChanges) (Group, error) {
	org, err := a.admin("manage groups")
	if err != nil {
		return Group{}, err
	}
	for attempt := 0; attempt < 3; attempt++ {
		g, err := s.groupByID(ctx, org.ID, id)
		if err != nil {
			return Group{}, err
		}
		before := g.UserIDs
		if err := s.checkGroup(ctx, org.ID, &g, c); err != nil {
			return Group{}, err
		}
		added, removed := diff(before, g.UserIDs)
		if len(added)+len(removed) > MaxGroupMembers {
			return Group{}, failure.Field("userIds", "one change adds and removes at most %d members together", MaxGroupMembers)
		}
		g.Version++
		g.Updated = s.now()
		err = s.Store.SaveGroup(ctx, g, false, added, removed)
		if err == nil || !failure.As(err).Retry {
			return g, err
		}
	}
	return Group{}, failure.New(failure.Conflict, "the group was changed concurrently; try again")
}

// DeleteGroup deletes a group and takes it out of its members' groupIds.
// Permission: admins. Errors: as Tenant; Forbidden; NotFound.
func (s *Service) DeleteGroup(ctx context.Context, a Access, id string) error {
	org, err := a.admin("manage groups")
	if err != nil {
		return err
	}
	g, err := s.groupByID(ctx, org.ID, id)
	if err != nil {
		return err
	}
	return s.Store.DeleteGroup(ctx, g)
}

// assignmentAttempts bounds the tries of one AdvanceAssignment: each lost
// race means another call advanced, so concurrent calls all get through
// unless more than this many race for one group at once.
const assignmentAttempts = 40

// AdvanceAssignment moves the group's round-robin assignee to the next
// member and answers the group: members in id order (SortedMembers), the
// first one after the current assignee (who may have left the group
// since), wrapping around; the first member on the first call. Each call advances exactly one step, also under concurrent calls
// (a write on condition of the group's version, retried on fresh data
// when another call won). The group's Updated stays (an assignment is no
// edit). Permission: members (assigning work is every member's, as
// workflow tasks are). Errors: as Tenant; NotFound; Unprocessable for a
// group without members; Conflict when it kept losing races.
func (s *Service) AdvanceAssignment(ctx context.Context, a Access, groupID string) (Group, error) {
	org := a.Organization
	for attempt := 0; attempt < assignmentAttempts; attempt++ {
		if attempt > 0 {
			if err := backOff(ctx, attempt); err != nil {
				return Group{}, err
			}
		}
		g, err := s.groupByID(ctx, org.ID, groupID)
		if err != nil {
			return Group{}, err
		}
		next, index, ok := g.nextAssignee()
		if !ok {
			return Group{}, failure.New(failure.Unprocessable, "the group has no members, so there is no next member to assign")
		}
		g.AssigneeID, g.AssigneeIndex = next, index
		g.Version++
		err = s.Store.SaveGroup(ctx, g, false, nil, nil)
		if err == nil {
			return g, nil
		}
		if !failure.As(err).Retry {
			return Group{}, err
		}
	}
	return Group{}, failure.New(failure.Conflict, "the group was changed concurrently; try again")
}

// backOff waits a random while that grows with the attempt (at most
// 40 ms), so racing callers spread out.
func backOff(ctx context.Context, attempt int) error {
	limit := time.Duration(min(attempt, 8)) * 5 * time.Millisecond
	t := time.NewTimer(rand.N(limit) + time.Millisecond)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// GroupsOfMember answers the groups of a member of the organization, by
// name. Permission: members. Errors: as Tenant; NotFound for a user who
// is no member.
func (s *Service) GroupsOfMember(ctx context.Context, a Access, userID string) ([]Group, error) {
	org := a.Organization
	if !ids.Valid(userID) {
		return nil, errNoMember
	}
	_, m, err := s.Store.UserInOrganization(ctx, org.ID, userID)
	if failure.Is(err, failure.NotFound) || err == nil && m == nil {
		return nil, errNoMember
	}
	if err != nil {
		return nil, err
	}
	gs := []Group{}
	if len(m.GroupIDs) > 0 {
		found, err := s.Store.GroupsByID(ctx, org.ID, m.GroupIDs)
		if err != nil {
			return nil, err
		}
		gs = append(gs, found...)
	}
	sortGroups(gs)
	return gs, nil
}

// ListGroups answers a page of the organization's groups by name: those
// whose name contains query (ignoring case and surrounding white space;
// "" for all), skipping offset of them, at most limit (0 for all); total
// is how many match. At most MaxListedGroups groups are read (one bounded
// Query). Permission: members. Errors: as Tenant; Invalid for a negative
// limit or offset.
func (s *Service) ListGroups(ctx context.Context, a Access, query string, limit, offset int) (groups []Group, total int, err error) {
	if limit < 0 {
		return nil, 0, failure.Field("limit", "limit must not be negative")
	}
	if offset < 0 {
		return nil, 0, failure.Field("offset", "offset must not be negative")
	}
	all, err := s.Groups(ctx, a)
	if err != nil {
		return nil, 0, err
	}
	query = strings.ToLower(strings.TrimSpace(query))
	matching := all[:0]
	for _, g := range all {
		if query == "" || strings.Contains(strings.ToLower(g.Name), query) {
			matching = append(matching, g)
		}
	}
	total = len(matching)
	if offset >= total {
		return []Group{}, total, nil
	}
	page := matching[offset:]
	if limit > 0 && limit < len(page) {
		page = page[:limit]
	}
	return page, total, nil
}
