package superoffice

import (
	"bytes"
	"context"
	"net/http"
	"strings"

	"github.com/effektif-serverless/caseflow/shared/failure"
	"github.com/effektif-serverless/caseflow/shared/httpapi"
	"github.com/effektif-serverless/caseflow/shared/identity"
)

// UserPath is the User agent's route: the tenant, then the REST path.
const UserPath = "/{tenant}/api/v1/User/{id}"

// errNoEntity is SuperOffice's answer to a PUT without a User.
var errNoEntity = failure.New(failure.Invalid, "Entity to save is not in request body")

// Routes registers PUT /{tenant}/api/v1/User/{id}: the one operation of
// the User agent, "Updates the existing User" (see the package doc for
// the rules, permissions and errors).
func Routes(rt *httpapi.Router, svc *identity.Service) {
	rt.Handle("PUT "+UserPath, httpapi.Tenant(svc, tenant, func(w http.ResponseWriter, r *http.Request, a identity.Access) error {
		sel, err := parseSelect(r.URL.Query()["$select"])
		if err != nil {
			return err
		}
		body, err := httpapi.ReadJSONBody(r, httpapi.MaxJSONBody)
		if err != nil {
			return err
		}
		if t := bytes.TrimSpace(body); len(t) == 0 || string(t) == "null" {
			return errNoEntity
		}
		var e userEntity
		if err := httpapi.Unmarshal(body, &e); err != nil {
			return err
		}
		u := userUpdate{svc: svc, access: a, userID: r.PathValue("id")}
		v, numbers, err := u.apply(r.Context(), e, httpapi.Token(r))
		if err != nil {
			return err
		}
		answer := userAnswer(v, numbers.associate, numbers.groups)
		if sel != nil {
			for k := range answer {
				if !sel[strings.ToLower(k)] {
					delete(answer, k)
				}
			}
		}
		return httpapi.WriteJSON(w, http.StatusOK, answer)
	}))
}

// tenant is the organization key of a request.
func tenant(r *http.Request) string { return r.PathValue("tenant") }

// userFields are the User's top-level names, lower-cased, for $select.
var userFields = func() map[string]bool {
	fields := map[string]bool{}
	for k := range userAnswer(identity.MemberView{}, 0, nil) {
		fields[strings.ToLower(k)] = true
	}
	return fields
}()

// parseSelect reads $select: comma-separated top-level names of the User,
// case-insensitive (nil, all fields, when empty or absent). Errors:
// Invalid for an unknown name.
func parseSelect(values []string) (map[string]bool, error) {
	sel := map[string]bool{}
	for _, v := range values {
		for _, name := range strings.Split(v, ",") {
			name = strings.ToLower(strings.TrimSpace(name))
			if name == "" {
				continue
			}
			if !userFields[name] {
				return nil, failure.Field("$select", "$select names no field of the User: %.60q", name)
			}
			sel[name] = true
		}
	}
	if len(sel) == 0 {
		return nil, nil
	}
	return sel, nil
}

// userUpdate maps one User entity onto the member change of the core.
type userUpdate struct {
	svc    *identity.Service
	access identity.Access
	userID string
	// groups are the organization's groups, read once when a group is
	// named by its Value.
	groups []identity.Group
}

// answerNumbers are the numbers the answer shows.
type answerNumbers struct {
	associate int32
	groups    map[string]int32
}

// apply checks the entity, makes the change and answers the member.
func (u *userUpdate) apply(ctx context.Context, e userEntity, token string) (identity.MemberView, answerNumbers, error) {
	c, err := u.change(ctx, e, token)
	if err != nil {
		return identity.MemberView{}, answerNumbers{}, err
	}
	if e.AssociateId != nil && *e.AssociateId != 0 {
		// Read first (the read checks access and membership), then compare.
		if _, err := u.svc.ChangeMember(ctx, u.access, u.userID, identity.MemberChange{}); err != nil {
			return identity.MemberView{}, answerNumbers{}, err
		}
		n, err := u.svc.Numbers(ctx, identity.UserNumbers, []string{u.userID})
		if err != nil {
			return identity.MemberView{}, answerNumbers{}, err
		}
		if n[u.userID] != *e.AssociateId {
			return identity.MemberView{}, answerNumbers{}, failure.Field("AssociateId", "AssociateId %d is not the id of this user", *e.AssociateId)
		}
	}
	v, err := u.svc.ChangeMember(ctx, u.access, u.userID, c)
	if err != nil {
		return identity.MemberView{}, answerNumbers{}, err
	}
	groupIDs := []string{}
	if v.MainGroup != nil {
		groupIDs = append(groupIDs, v.MainGroup.ID)
	}
	for _, g := range v.OtherGroups {
		groupIDs = append(groupIDs, g.ID)
	}
	groups, err := u.svc.Numbers(ctx, identity.GroupNumbers, groupIDs)
	if err != nil {
		return identity.MemberView{}, answerNumbers{}, err
	}
	users, err := u.svc.Numbers(ctx, identity.UserNumbers, []string{v.ID})
	if err != nil {
		return identity.MemberView{}, answerNumbers{}, err
	}
	return v, answerNumbers{associate: users[v.ID], groups: groups}, nil
}

// change maps the entity onto a member change: the Person's names, a
// password credential, the Role, the groups and the license links.
func (u *userUpdate) change(ctx context.Context, e userEntity, token string) (identity.MemberChange, error) {
	c := identity.MemberChange{SessionToken: token}
	if e.Person != nil {
		c.FirstName, c.LastName = e.Person.Firstname, e.Person.Lastname
	}
	password, err := passwordOf(e.Credentials)
	if err != nil {
		return c, err
	}
	c.Password = password
	if e.Role != nil {
		if c.Role, err = roleChange(e.Role); err != nil {
			return c, err
		}
	}
	if e.UserGroup != nil {
		id, err := u.groupID(ctx, *e.UserGroup)
		if err != nil {
			return c, err
		}
		c.MainGroupID = &id
	}
	if e.OtherGroups != nil {
		others := []string{}
		if len(*e.OtherGroups) > identity.MaxGroupsPerMember {
			return c, failure.Field("OtherGroups", "a user is in at most %d groups", identity.MaxGroupsPerMember)
		}
		for _, g := range *e.OtherGroups {
			id, err := u.groupID(ctx, g)
			if err != nil {
				return c, err
			}
			others = append(others, id)
		}
		c.OtherGroupIDs = &others
	}
	c.Seats, err = seatChanges(e.LicenseOwners)
	return c, err
}

// passwordOf is the new password of the credentials: a password
// credential with a value (an empty value is no change). Errors: Invalid
// for another type of credential and for two passwords.
func passwordOf(credentials []credential) (*string, error) {
	var password *string
	for _, cr := range credentials {
		if cr.Type == nil || cr.Type.Type == nil || !strings.EqualFold(*cr.Type.Type, credentialPassword) {
			return nil, failure.Field("Credentials", "only the password credential (Type.Type %q) is supported", credentialPassword)
		}
		if cr.Value == nil || *cr.Value == "" {
			continue
		}
		if password != nil {
			return nil, failure.Field("Credentials", "one password at a time")
		}
		password = cr.Value
	}
	return password, nil
}

// roleChange maps a Role by its Id. Errors: Invalid for an unknown Id.
func roleChange(role *listItem) (*identity.RoleChange, error) {
	yes, no := true, false
	if role.Id == nil {
		return nil, failure.Field("Role", "Role.Id is required: 1 Admin, 2 Member, 3 Operator")
	}
	switch *role.Id {
	case roleAdmin:
		return &identity.RoleChange{Admin: &yes}, nil
	case roleMember:
		return &identity.RoleChange{Admin: &no, Operator: &no}, nil
	case roleOperator:
		return &identity.RoleChange{Admin: &no, Operator: &yes}, nil
	}
	return nil, failure.Field("Role", "no Role has the Id %d: 1 Admin, 2 Member, 3 Operator", *role.Id)
}

// groupID resolves a group item: by its Id when non-zero, else by its
// Value. Errors: Invalid for an unknown or ambiguous group (whether it is
// the tenant's the core checks).
func (u *userUpdate) groupID(ctx context.Context, g userGroup) (string, error) {
	if g.Id != nil && *g.Id != 0 {
		id, err := u.svc.NumberedID(ctx, identity.GroupNumbers, *g.Id)
		if failure.Is(err, failure.NotFound) {
			return "", failure.Field("UserGroup", "no group has the Id %d", *g.Id)
		}
		return id, err
	}
	if g.Value == nil || *g.Value == "" {
		return "", failure.Field("UserGroup", "a group is named by its Id or its Value")
	}
	if u.groups == nil {
		groups, err := u.svc.Groups(ctx, u.access)
		if err != nil {
			return "", err
		}
		u.groups = groups
	}
	found := ""
	for _, group := range u.groups {
		if group.Name != *g.Value {
			continue
		}
		if found != "" {
			return "", failure.Field("UserGroup", "more than one group is named %.100q; name it by its Id", *g.Value)
		}
		found = group.ID
	}
	if found == "" {
		return "", failure.Field("UserGroup", "no group is named %.100q", *g.Value)
	}
	return found, nil
}

// seatChanges maps the license links with an Assigned flag to seat
// changes. Errors: Invalid for an unknown ModuleLicenseId.
func seatChanges(owners []licenseOwner) ([]identity.SeatChange, error) {
	var seats []identity.SeatChange
	for _, o := range owners {
		for _, l := range append(append([]moduleLicenseLink(nil), o.RestrictedModuleLicenses...), o.UnrestrictedModuleLicenses...) {
			typ := ""
			for name, id := range licenseIDs {
				if l.ModuleLicenseId != nil && id == *l.ModuleLicenseId {
					typ = name
				}
			}
			if typ == "" {
				return nil, failure.Field("LicenseOwners", "no module license has the ModuleLicenseId %d", deref(l.ModuleLicenseId))
			}
			if l.Assigned != nil {
				seats = append(seats, identity.SeatChange{Type: typ, Held: *l.Assigned})
			}
		}
	}
	return seats, nil
}

func deref(p *int32) int32 {
	if p == nil {
		return 0
	}
	return *p
}
