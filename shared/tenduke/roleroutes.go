package tenduke

import (
	"context"
	"net/http"

	"github.com/effektif-serverless/caseflow/shared/failure"
	"github.com/effektif-serverless/caseflow/shared/httpapi"
	"github.com/effektif-serverless/caseflow/shared/identity"
	"github.com/effektif-serverless/caseflow/shared/ids"
)

// Roles are the core's organization roles (identity.OrgRole). A custom
// role's UUID is its id's form; the built-in admin and member roles of an
// organization, which have no id of their own, are the organization id's
// form tagged 1 and 2 (ids.ToTaggedUUID): each organization lists its
// own two.
var builtInTags = map[string]uint16{identity.OrgRoleAdmin: 1, identity.OrgRoleMember: 2}

// roleUUID is a role's UUID.
func roleUUID(r identity.OrgRole) string {
	if tag, ok := builtInTags[r.ID]; ok && r.BuiltIn {
		u, _ := ids.ToTaggedUUID(r.OrganizationID, tag)
		return u
	}
	return uuidOf(r.ID)
}

func roleOf(r identity.OrgRole) OrganizationRole {
	return OrganizationRole{ID: roleUUID(r), Name: r.Name, Description: r.Description, Permissions: append([]string{}, r.Permissions...)}
}

// roleRef is a role named by a UUID: the organization of a built-in one
// ("" for a custom one, found among the caller's organizations) and the
// core's role id.
type roleRef struct {
	organizationID, id string
}

// parseRole reads a role UUID. Errors: Invalid for no UUID; NotFound for
// a UUID no role can have.
func parseRole(field, u string) (roleRef, error) {
	if !isUUID(u) {
		return roleRef{}, failure.Field(field, "%s must be a UUID", field)
	}
	id, tag, ok := ids.FromTaggedUUID(u)
	switch {
	case ok && tag == 0:
		return roleRef{id: id}, nil
	case ok && tag == builtInTags[identity.OrgRoleAdmin]:
		return roleRef{organizationID: id, id: identity.OrgRoleAdmin}, nil
	case ok && tag == builtInTags[identity.OrgRoleMember]:
		return roleRef{organizationID: id, id: identity.OrgRoleMember}, nil
	}
	return roleRef{}, failure.New(failure.NotFound, "no such role")
}

// builtIn reports whether the reference is an organization's built-in
// role.
func (ref roleRef) builtIn() bool { return ref.organizationID != "" }

// findRole resolves a role reference among the caller's organizations:
// the caller's access there and the role. Errors: NotFound.
func findRole(ctx context.Context, svc *identity.Service, c identity.Caller, ref roleRef) (identity.Access, identity.OrgRole, error) {
	if ref.builtIn() {
		a, err := svc.ResolveID(ctx, c, ref.organizationID)
		if err != nil {
			return identity.Access{}, identity.OrgRole{}, failure.New(failure.NotFound, "no such role")
		}
		r, err := svc.OrgRole(ctx, a, ref.id)
		return a, r, err
	}
	as, err := svc.Accesses(ctx, c)
	if err != nil {
		return identity.Access{}, identity.OrgRole{}, err
	}
	for _, a := range as {
		r, err := svc.OrgRole(ctx, a, ref.id)
		if err == nil {
			return a, r, nil
		}
		if !failure.Is(err, failure.NotFound) {
			return identity.Access{}, identity.OrgRole{}, err
		}
	}
	return identity.Access{}, identity.OrgRole{}, failure.New(failure.NotFound, "no such role")
}

// errBuiltInRole refuses a change of a built-in role.
var errBuiltInRole = failure.New(failure.Invalid, "the built-in roles admin and member cannot be changed or deleted")

// roleBody is an OrganizationRole as a create or replace body.
type roleBody struct {
	ID          string    `json:"id"`
	Name        *string   `json:"name"`
	Description *string   `json:"description"`
	Permissions *[]string `json:"permissions"`
}

// RoleRoutes registers the organization-role operations (63-67) and a
// user's roles (27, 28, 33, 34).
func RoleRoutes(rt *httpapi.Router, svc *identity.Service) {
	roles := BasePath + "/organization-roles"
	rt.Handle("GET "+roles, authenticated(func(w http.ResponseWriter, r *http.Request, c identity.Caller) error {
		l, err := readListing(r, roleFields...)
		if err != nil {
			return err
		}
		as, err := svc.Accesses(r.Context(), c)
		if err != nil {
			return err
		}
		var out []OrganizationRole
		for _, a := range as {
			rs, err := svc.OrgRoles(r.Context(), a)
			if err != nil {
				return err
			}
			for _, role := range rs {
				out = append(out, roleOf(role))
			}
		}
		return writeList(w, apply(l, out, roleField, roleText))
	}))
	rt.Handle("POST "+roles, authenticated(func(w http.ResponseWriter, r *http.Request, c identity.Caller) error {
		var b roleBody
		if err := decode(r, &b); err != nil {
			return err
		}
		id, err := newID(b.ID)
		if err != nil {
			return err
		}
		if b.Name == nil {
			return failure.Field("name", "name is required")
		}
		a, err := home(r.Context(), svc, c)
		if err != nil {
			return err
		}
		n := identity.NewOrgRole{ID: id, Name: *b.Name}
		if b.Description != nil {
			n.Description = *b.Description
		}
		if b.Permissions != nil {
			n.Permissions = *b.Permissions
		}
		role, err := svc.CreateOrgRole(r.Context(), a, n)
		if err != nil {
			return err
		}
		return httpapi.WriteJSON(w, http.StatusCreated, roleOf(role))
	}))
	rt.Handle("PUT "+roles, authenticated(func(w http.ResponseWriter, r *http.Request, c identity.Caller) error {
		var b roleBody
		if err := decode(r, &b); err != nil {
			return err
		}
		ref, err := parseRole("id", b.ID)
		if err != nil {
			return err
		}
		if ref.builtIn() {
			return errBuiltInRole
		}
		a, _, err := findRole(r.Context(), svc, c, ref)
		if err != nil {
			return err
		}
		role, err := svc.UpdateOrgRole(r.Context(), a, ref.id, identity.OrgRoleChanges{Name: b.Name, Description: b.Description, Permissions: b.Permissions})
		if err != nil {
			return err
		}
		return httpapi.WriteJSON(w, http.StatusOK, roleOf(role))
	}))
	role := roles + "/{roleId}"
	rt.Handle("GET "+role, authenticated(func(w http.ResponseWriter, r *http.Request, c identity.Caller) error {
		ref, err := parseRole("roleId", r.PathValue("roleId"))
		if err != nil {
			return err
		}
		_, found, err := findRole(r.Context(), svc, c, ref)
		if err != nil {
			return err
		}
		return httpapi.WriteJSON(w, http.StatusOK, roleOf(found))
	}))
	rt.Handle("DELETE "+role, authenticated(func(w http.ResponseWriter, r *http.Request, c identity.Caller) error {
		ref, err := parseRole("roleId", r.PathValue("roleId"))
		if err != nil {
			return err
		}
		a, _, err := findRole(r.Context(), svc, c, ref)
		if err != nil {
			return err
		}
		if ref.builtIn() {
			return errBuiltInRole
		}
		if err := svc.DeleteOrgRole(r.Context(), a, ref.id); err != nil {
			return err
		}
		return noBody(w, http.StatusNoContent)
	}))

	userRoles := BasePath + "/users/{userId}/organization-roles"
	// Assign: a bare JSON array of role ids, each of an organization the
	// user and the caller share.
	rt.Handle("POST "+userRoles, authenticated(func(w http.ResponseWriter, r *http.Request, c identity.Caller) error {
		uid, err := pathID(r, "userId")
		if err != nil {
			return err
		}
		var list []string
		if err := decode(r, &list); err != nil {
			return err
		}
		if len(list) > identity.MaxRolesPerMember {
			return failure.Field("roleIds", "at most %d roles at once", identity.MaxRolesPerMember)
		}
		refs := make([]roleRef, len(list))
		for i, u := range list {
			if refs[i], err = parseRole("roleIds", u); err != nil {
				return failure.Field("roleIds", "no such role %s", clip(u))
			}
		}
		shared, _, err := sharing(r.Context(), svc, c, uid)
		if err != nil {
			return err
		}
		byOrg := map[string][]string{}
		accesses := map[string]identity.Access{}
		for _, ref := range refs {
			a, role, err := findRole(r.Context(), svc, c, ref)
			if failure.Is(err, failure.NotFound) {
				return failure.Field("roleIds", "no such role in the user's organizations")
			}
			if err != nil {
				return err
			}
			if !sharesOrganization(shared, a.Organization.ID) {
				return failure.Field("roleIds", "the role %s is of an organization the user is not in", roleUUID(role))
			}
			byOrg[a.Organization.ID] = append(byOrg[a.Organization.ID], ref.id)
			accesses[a.Organization.ID] = a
		}
		for orgID, roleIDs := range byOrg {
			if err := svc.AssignOrgRoles(r.Context(), accesses[orgID], uid, roleIDs); err != nil {
				return err
			}
		}
		return noBody(w, http.StatusCreated)
	}))
	// The user's roles in the organizations the caller shares (a JSON
	// array: the document's summary says "List").
	rt.Handle("GET "+userRoles, authenticated(func(w http.ResponseWriter, r *http.Request, c identity.Caller) error {
		uid, err := pathID(r, "userId")
		if err != nil {
			return err
		}
		shared, _, err := sharing(r.Context(), svc, c, uid)
		if err != nil {
			return err
		}
		var out []OrganizationRole
		readable := 0
		for _, a := range shared {
			rs, err := svc.MemberOrgRoles(r.Context(), a, uid)
			if failure.Is(err, failure.Forbidden) {
				continue
			}
			if err != nil {
				return err
			}
			readable++
			for _, role := range rs {
				out = append(out, roleOf(role))
			}
		}
		if readable == 0 {
			return failure.New(failure.Forbidden, "only an admin or the user may read a user's roles")
		}
		return writeList(w, out)
	}))
	userRole := userRoles + "/{roleId}"
	rt.Handle("GET "+userRole, authenticated(func(w http.ResponseWriter, r *http.Request, c identity.Caller) error {
		a, uid, ref, err := userRoleOf(r, svc, c)
		if err != nil {
			return err
		}
		role, err := svc.MemberOrgRole(r.Context(), a, uid, ref.id)
		if err != nil {
			return err
		}
		return httpapi.WriteJSON(w, http.StatusOK, roleOf(role))
	}))
	rt.Handle("DELETE "+userRole, authenticated(func(w http.ResponseWriter, r *http.Request, c identity.Caller) error {
		a, uid, ref, err := userRoleOf(r, svc, c)
		if err != nil {
			return err
		}
		if err := svc.RemoveOrgRole(r.Context(), a, uid, ref.id); err != nil {
			return err
		}
		return noBody(w, http.StatusNoContent)
	}))
}

// userRoleOf reads /users/{userId}/organization-roles/{roleId}: the
// caller's access in the role's organization, the user and the role.
// Errors: NotFound for a role or user the caller may not see.
func userRoleOf(r *http.Request, svc *identity.Service, c identity.Caller) (identity.Access, string, roleRef, error) {
	uid, err := pathID(r, "userId")
	if err != nil {
		return identity.Access{}, "", roleRef{}, err
	}
	ref, err := parseRole("roleId", r.PathValue("roleId"))
	if err != nil {
		return identity.Access{}, "", roleRef{}, err
	}
	a, _, err := findRole(r.Context(), svc, c, ref)
	if err != nil {
		return identity.Access{}, "", roleRef{}, err
	}
	return a, uid, ref, nil
}

// sharesOrganization reports whether one of the accesses is in the
// organization.
func sharesOrganization(as []identity.Access, orgID string) bool {
	for _, a := range as {
		if a.Organization.ID == orgID {
			return true
		}
	}
	return false
}
