package identity

import (
	"context"
	"sort"

	"github.com/effektif-serverless/caseflow/shared/failure"
	"github.com/effektif-serverless/caseflow/shared/ids"
)

// A member of an organization is an identity (names, password: the
// user's own) and a membership (role, groups, a license seat: the
// organization's admins'). ChangeMember changes any of these parts in one
// request, as the dialects whose user entity carries them all need it
// (SuperOffice's User): every part is checked first and the change is
// written in one transaction, so a refused request changes nothing.

// MaxGroupsPerMember bounds the groups a change gives a member (a member
// change, or a group change that adds them: checkJoiners), and
// MaxGroupChanges the groups one change adds or removes (each is an item
// of the change's transaction).
const (
	MaxGroupsPerMember = 50
	MaxGroupChanges    = 80
)

// FieldGroups is the canonical name of a member's groups in errors.
const FieldGroups = "groups"

// MemberChange is a change of a member; nil leaves a part, and a value
// equal to the stored one is no change (so a reader may send back what it
// read with one part changed).
//
// The main group: a member's groups are a main one and the others.
// MainGroupID replaces the main group (the old main is left, unless it is
// among the others); OtherGroupIDs replaces the others (the main group is
// not one of them). Without a stored main group the main is the member's
// group whose name sorts first.
type MemberChange struct {
	FirstName, LastName *string
	// Password is a new password; SessionToken, the caller's, is the one
	// session of the user that stays when it changes.
	Password     *string
	SessionToken string
	Role         *RoleChange
	MainGroupID  *string
	// OtherGroupIDs replaces the groups other than the main one.
	OtherGroupIDs *[]string
	// Seats take (Held) or release a seat of a license type; releases
	// come before takes.
	Seats []SeatChange
}

// SeatChange takes or releases the member's seat of a license type.
type SeatChange struct {
	Type string
	Held bool
}

// SeatPool is a license type the organization has seats of, as one
// member sees it: the unexpired seats, how many are used and free, and
// whether the member holds one.
type SeatPool struct {
	Type              string
	Total, Used, Free int
	Held              bool
}

// MemberView is a member with their groups and license seats.
type MemberView struct {
	Member
	// MainGroup is the member's main group (nil without groups);
	// OtherGroups are the others, by name.
	MainGroup   *Group
	OtherGroups []Group
	// Seats are the organization's license types with seats, in the
	// catalogue's order.
	Seats []SeatPool
	// CallerIsAdmin tells whether the reader may change the membership.
	CallerIsAdmin bool
}

// MemberWrite is what Store.ChangeMember writes together: the user on its
// version (when User is set), the membership's role (RoleChanged), its
// main group (MainGroupChanged) and its groups (GroupsChanged, on
// condition that they are still PreviousGroupIDs, with the added and
// removed groups' member lists), the organization on its version
// (AdminsChanged), and the released and taken licenses on their versions
// with the member's one-license claim.
type MemberWrite struct {
	Organization     Organization
	AdminsChanged    bool
	Membership       Membership
	RoleChanged      bool
	MainGroupChanged bool
	GroupsChanged    bool
	PreviousGroupIDs []string
	AddedGroups      []string
	RemovedGroups    []string
	User             *User
	Released, Taken  *License
}

// MemberStore writes a member change. Implementations return
// *failure.Error values like Store's.
type MemberStore interface {
	// ChangeMember writes w in one transaction: a retryable Conflict when
	// any condition fails (a version, the groups read, a group that is
	// full or gone, a license taken meanwhile).
	ChangeMember(ctx context.Context, w MemberWrite) error
	// Groups lists up to limit groups of the organization: one bounded
	// Query.
	Groups(ctx context.Context, organizationID string, limit int) ([]Group, error)
}

// MaxListedGroups bounds the groups Groups answers.
const MaxListedGroups = 1000

// Groups lists the organization's groups (at most MaxListedGroups), by
// name. Permission: members. Errors: as Tenant.
func (s *Service) Groups(ctx context.Context, a Access) ([]Group, error) {
	org := a.Organization
	gs, err := s.Store.Groups(ctx, org.ID, MaxListedGroups)
	if err != nil {
		return nil, err
	}
	sortGroups(gs)
	return gs, nil
}

func sortGroups(gs []Group) {
	sort.Slice(gs, func(i, j int) bool {
		if gs[i].Name != gs[j].Name {
			return gs[i].Name < gs[j].Name
		}
		return gs[i].ID < gs[j].ID
	})
}

var errNoMember = failure.New(failure.NotFound, "no such user in this organization")

// ChangeMember changes a member of the organization and answers the
// member as changed; an empty change reads them. Permissions: a member
// reads and changes themself, an admin any member (Forbidden otherwise,
// even to read); names and password only the user themself (or a system
// admin), role, groups and seats only an admin (Forbidden, and nothing
// changes). A password change ends every other session of the user (the
// caller's own stays) and claims a registered identity (User.RegisteredBy).
// Errors: as Tenant; NotFound for a user who is no
// member; Forbidden; Invalid (names, password policy, unknown groups or
// license types, too many groups); Conflict for the last admin
// (errLastAdmin), a full group, no free seat of the type, or a seat of
// another type held.
func (s *Service) ChangeMember(ctx context.Context, a Access, userID string, c MemberChange) (MemberView, error) {
	for attempt := 0; attempt < 3; attempt++ {
		if attempt > 0 {
			var err error
			if a, err = s.refresh(ctx, a); err != nil {
				return MemberView{}, err
			}
		}
		v, err := s.changeMember(ctx, a, userID, c)
		if err == nil || !failure.As(err).Retry {
			return v, err
		}
	}
	return MemberView{}, failure.Race("member")
}

// memberChangePlan is a checked change, ready to write.
type memberChangePlan struct {
	write           MemberWrite
	passwordChanged bool
	licenses        []License
	groups          map[string]Group
	changed         bool
}

func (s *Service) changeMember(ctx context.Context, a Access, userID string, c MemberChange) (MemberView, error) {
	org, caller := a.Organization, a.Membership
	if userID != a.UserID && !caller.IsAdmin() {
		return MemberView{}, failure.New(failure.Forbidden, "a member reads and changes only themself; an admin manages the other members")
	}
	if !ids.Valid(userID) {
		return MemberView{}, errNoMember
	}
	user, m, err := s.Store.UserInOrganization(ctx, org.ID, userID)
	if failure.Is(err, failure.NotFound) || err == nil && m == nil {
		return MemberView{}, errNoMember
	}
	if err != nil {
		return MemberView{}, err
	}
	p := memberChangePlan{write: MemberWrite{Organization: org, Membership: *m}}
	if err := s.planIdentity(ctx, &p, a.UserID, user, c); err != nil {
		return MemberView{}, err
	}
	admin := func() error {
		if !caller.IsAdmin() {
			return failure.New(failure.Forbidden, "only an admin may change a member's role, groups or licenses")
		}
		p.changed = true
		return nil
	}
	if err := planRole(&p, c.Role, admin); err != nil {
		return MemberView{}, err
	}
	if err := s.planGroups(ctx, &p, c, admin); err != nil {
		return MemberView{}, err
	}
	if err := s.planSeats(ctx, &p, c.Seats, admin); err != nil {
		return MemberView{}, err
	}
	if p.changed {
		if err := s.Store.ChangeMember(ctx, p.write); err != nil {
			return MemberView{}, err
		}
		if p.passwordChanged {
			keep := c.SessionToken
			if userID != a.UserID {
				keep = ""
			}
			if err := s.passwordChanged(ctx, userID, keep); err != nil {
				return MemberView{}, err
			}
		}
	}
	if p.write.User != nil {
		user = *p.write.User
	}
	if userID != a.UserID {
		user.Preferences = nil
	}
	member := Member{User: user, Membership: p.write.Membership, OrganizationIDs: []string{org.ID}}
	if err := s.ensureUsername(ctx, org, &member); err != nil {
		return MemberView{}, err
	}
	return s.memberView(p, member, caller.IsAdmin()), nil
}

// planIdentity plans the names and the password: the user's own.
func (s *Service) planIdentity(ctx context.Context, p *memberChangePlan, callerID string, user User, c MemberChange) error {
	changed := user
	for _, f := range []struct {
		name  string
		value *string
		dst   *string
	}{{"firstName", c.FirstName, &changed.FirstName}, {"lastName", c.LastName, &changed.LastName}} {
		if f.value == nil || *f.value == *f.dst {
			continue
		}
		if err := ValidateName(f.name, *f.value); err != nil {
			return err
		}
		*f.dst = *f.value
		p.changed = true
	}
	if c.Password != nil {
		hash, err := s.newPasswordHash(*c.Password)
		if err != nil {
			return err
		}
		changed.PasswordHash = hash
		claim(&changed)
		p.changed, p.passwordChanged = true, true
	}
	if !p.changed {
		return nil
	}
	if user.ID != callerID {
		me, err := s.Store.GetUser(ctx, callerID)
		if err != nil {
			return err
		}
		if !me.SystemAdmin {
			return failure.New(failure.Forbidden, "a user's names and password are theirs to change; an admin manages the membership only")
		}
	}
	changed.Version++
	p.write.User = &changed
	return nil
}

// planRole plans a role change (applyRole): the last enabled admin stays
// one.
func planRole(p *memberChangePlan, c *RoleChange, admin func() error) error {
	if c == nil {
		return nil
	}
	org, m, adminsChanged, err := applyRole(p.write.Organization, p.write.Membership, *c)
	old := p.write.Membership
	if m.Role == old.Role && m.Operator == old.Operator && m.Disabled == old.Disabled {
		return nil
	}
	if err := admin(); err != nil {
		return err
	}
	if err != nil {
		return err
	}
	p.write.Organization, p.write.AdminsChanged = org, adminsChanged
	p.write.Membership, p.write.RoleChanged = m, true
	return nil
}

// mainGroupOf is the member's main group among their groups: the stored
// one while the member is in it, else the one whose name sorts first.
func mainGroupOf(m Membership, groups map[string]Group) string {
	if _, ok := groups[m.MainGroupID]; ok && contains(m.GroupIDs, m.MainGroupID) {
		return m.MainGroupID
	}
	var mine []Group
	for _, id := range m.GroupIDs {
		if g, ok := groups[id]; ok {
			mine = append(mine, g)
		}
	}
	if len(mine) == 0 {
		return ""
	}
	sortGroups(mine)
	return mine[0].ID
}

// planGroups reads the member's groups and the groups named, and plans
// the new main group and others.
func (s *Service) planGroups(ctx context.Context, p *memberChangePlan, c MemberChange, admin func() error) error {
	m := p.write.Membership
	named := append([]string(nil), m.GroupIDs...)
	if c.MainGroupID != nil {
		named = append(named, *c.MainGroupID)
	}
	if c.OtherGroupIDs != nil {
		if len(*c.OtherGroupIDs) > MaxGroupsPerMember {
			return failure.Field(FieldGroups, "a member is in at most %d groups", MaxGroupsPerMember)
		}
		named = append(named, *c.OtherGroupIDs...)
	}
	named = unique(named)
	p.groups = map[string]Group{}
	if len(named) > 0 {
		for _, id := range named {
			if !ids.Valid(id) {
				return failure.Field(FieldGroups, "no such group in this organization")
			}
		}
		gs, err := s.Store.GroupsByID(ctx, m.OrganizationID, named)
		if err != nil {
			return err
		}
		for _, g := range gs {
			p.groups[g.ID] = g
		}
	}
	if c.MainGroupID == nil && c.OtherGroupIDs == nil {
		return nil
	}
	main := mainGroupOf(m, p.groups)
	others := without(m.GroupIDs, main)
	if c.OtherGroupIDs != nil {
		others = unique(*c.OtherGroupIDs)
	}
	newMain := main
	if c.MainGroupID != nil {
		newMain = *c.MainGroupID
	}
	next := without(others, newMain)
	if newMain != "" {
		next = append([]string{newMain}, next...)
	}
	for _, id := range next {
		if _, ok := p.groups[id]; !ok {
			return failure.Field(FieldGroups, "no such group in this organization")
		}
	}
	if len(next) > MaxGroupsPerMember {
		return failure.Field(FieldGroups, "a member is in at most %d groups", MaxGroupsPerMember)
	}
	added, removed := diff(m.GroupIDs, next)
	mainChanged := newMain != main
	if len(added) == 0 && len(removed) == 0 && !mainChanged {
		return nil
	}
	if err := admin(); err != nil {
		return err
	}
	if len(added)+len(removed) > MaxGroupChanges {
		return failure.Field(FieldGroups, "one change adds or removes at most %d groups", MaxGroupChanges)
	}
	for _, id := range added {
		if len(p.groups[id].UserIDs) >= MaxGroupMembers {
			return &failure.Error{Code: failure.Conflict, Field: FieldGroups, Message: "the group " + p.groups[id].Name + " is full"}
		}
	}
	p.write.PreviousGroupIDs = m.GroupIDs
	m.GroupIDs = next
	if mainChanged {
		m.MainGroupID = newMain
		p.write.MainGroupChanged = true
	}
	p.write.Membership = m
	p.write.GroupsChanged = len(added)+len(removed) > 0
	p.write.AddedGroups, p.write.RemovedGroups = added, removed
	return nil
}

func unique(list []string) []string {
	out := []string{}
	for _, s := range list {
		if !contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

// planSeats reads the organization's licenses and plans the seat changes:
// releases first, then takes; a member holds one seat at a time.
func (s *Service) planSeats(ctx context.Context, p *memberChangePlan, seats []SeatChange, admin func() error) error {
	userID := p.write.Membership.UserID
	ls, err := s.Store.Licenses(ctx, p.write.Membership.OrganizationID, MaxLicensesListed)
	if err != nil {
		return err
	}
	p.licenses = ls
	seen := map[string]bool{}
	for _, c := range seats {
		if _, ok := licenseType(c.Type); !ok {
			return failure.Field("licenses", "unknown license type %q", c.Type)
		}
		if seen[c.Type] {
			return failure.Field("licenses", "the license type %q is named twice", c.Type)
		}
		seen[c.Type] = true
	}
	held := -1
	for i, l := range ls {
		if l.UserID == userID {
			held = i
		}
	}
	for _, c := range seats {
		if c.Held || held < 0 || ls[held].Type != c.Type {
			continue
		}
		if err := admin(); err != nil {
			return err
		}
		l := ls[held]
		l.UserID, l.Version = "", l.Version+1
		p.write.Released, ls[held] = &l, l
		held = -1
	}
	now := s.now()
	for _, c := range seats {
		if !c.Held || held >= 0 && ls[held].Type == c.Type {
			continue
		}
		if err := admin(); err != nil {
			return err
		}
		if held >= 0 {
			return failure.New(failure.Conflict, "the member holds a seat of the license type %q; release it first", ls[held].Type)
		}
		free := -1
		for i, l := range ls {
			if l.Type == c.Type && l.UserID == "" && now.Before(l.ExpirationDate) && (p.write.Released == nil || l.ID != p.write.Released.ID) {
				free = i
				break
			}
		}
		if free < 0 {
			return failure.New(failure.Conflict, "no seat of the license type %q is free", c.Type)
		}
		l := ls[free]
		l.UserID, l.Version = userID, l.Version+1
		p.write.Taken, ls[free] = &l, l
		held = free
	}
	return nil
}

// memberView answers the member with their groups and seats as planned.
func (s *Service) memberView(p memberChangePlan, member Member, callerIsAdmin bool) MemberView {
	v := MemberView{Member: member, OtherGroups: []Group{}, CallerIsAdmin: callerIsAdmin}
	groups := map[string]Group{}
	for _, id := range member.Membership.GroupIDs {
		if g, ok := p.groups[id]; ok {
			groups[id] = g
		}
	}
	main := mainGroupOf(member.Membership, groups)
	for _, id := range member.Membership.GroupIDs {
		g, ok := groups[id]
		switch {
		case !ok:
		case id == main:
			v.MainGroup = &g
		default:
			v.OtherGroups = append(v.OtherGroups, g)
		}
	}
	sortGroups(v.OtherGroups)
	now := s.now()
	for _, t := range licenseTypes {
		pool := SeatPool{Type: t.Name}
		for _, l := range p.licenses {
			if l.Type != t.Name || !now.Before(l.ExpirationDate) {
				continue
			}
			pool.Total++
			if l.UserID == "" {
				pool.Free++
			} else {
				pool.Used++
			}
			pool.Held = pool.Held || l.UserID == member.ID
		}
		if pool.Total > 0 {
			v.Seats = append(v.Seats, pool)
		}
	}
	return v
}
