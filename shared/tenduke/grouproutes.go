package tenduke

import (
	"context"
	"net/http"
	"slices"

	"github.com/effektif-serverless/caseflow/shared/failure"
	"github.com/effektif-serverless/caseflow/shared/httpapi"
	"github.com/effektif-serverless/caseflow/shared/identity"
)

// groupBody is an OrganizationGroup as a create or replace body.
type groupBody struct {
	ID          string  `json:"id"`
	Name        *string `json:"name"`
	Description *string `json:"description"`
	Type        *string `json:"type"`
}

// readGroup reads a group body: the core id its id names (idOf: newID
// for a create, bodyID for a replace) and its changes. Errors: as decode
// and idOf; Invalid without a name.
func readGroup(r *http.Request, idOf func(string) (string, error)) (string, identity.GroupChanges, error) {
	var b groupBody
	if err := decode(r, &b); err != nil {
		return "", identity.GroupChanges{}, err
	}
	id, err := idOf(b.ID)
	if err != nil {
		return "", identity.GroupChanges{}, err
	}
	if b.Name == nil {
		return "", identity.GroupChanges{}, failure.Field("name", "name is required")
	}
	return id, identity.GroupChanges{Name: b.Name, Description: b.Description, Type: b.Type, UniqueName: true}, nil
}

// groupMembers are the group's members as Users.
func groupMembers(ctx context.Context, svc *identity.Service, g identity.Group) ([]User, error) {
	users, err := svc.Users(ctx, g.UserIDs)
	if err != nil {
		return nil, err
	}
	out := make([]User, 0, len(users))
	for _, id := range g.UserIDs {
		if u, ok := users[id]; ok {
			out = append(out, userOf(u))
		}
	}
	return out, nil
}

// inGroup wraps a route under …/groups/{groupId}: inOrganization, and the
// core id of the path's group.
func inGroup(svc *identity.Service, h func(w http.ResponseWriter, r *http.Request, a identity.Access, groupID string) error) httpapi.HandlerFunc {
	return inOrganization(svc, func(w http.ResponseWriter, r *http.Request, a identity.Access) error {
		id, err := pathID(r, "groupId")
		if err != nil {
			return err
		}
		return h(w, r, a, id)
	})
}

// groupOfCaller finds a group by its id in the caller's organizations,
// for the routes that name the group without its organization. Errors:
// NotFound.
func groupOfCaller(ctx context.Context, svc *identity.Service, c identity.Caller, id string) (identity.Access, identity.Group, error) {
	as, err := svc.Accesses(ctx, c)
	if err != nil {
		return identity.Access{}, identity.Group{}, err
	}
	for _, a := range as {
		g, err := svc.Group(ctx, a, id)
		if err == nil {
			return a, g, nil
		}
		if !failure.Is(err, failure.NotFound) {
			return identity.Access{}, identity.Group{}, err
		}
	}
	return identity.Access{}, identity.Group{}, failure.New(failure.NotFound, "no such group")
}

// GroupRoutes registers the organization-group operations (51-62) and a
// user's groups (44, 48, 49).
func GroupRoutes(rt *httpapi.Router, svc *identity.Service) {
	groups := BasePath + "/organizations/{organizationId}/groups"
	rt.Handle("GET "+groups, inOrganization(svc, func(w http.ResponseWriter, r *http.Request, a identity.Access) error {
		l, err := readListing(r, groupFields...)
		if err != nil {
			return err
		}
		gs, err := svc.Groups(r.Context(), a)
		if err != nil {
			return err
		}
		return writeList(w, apply(l, mapped(gs, groupOf), groupField, groupText))
	}))
	// Create answers no body: the client named the group by its id, or
	// finds it in the Location header.
	rt.Handle("POST "+groups, inOrganization(svc, func(w http.ResponseWriter, r *http.Request, a identity.Access) error {
		id, c, err := readGroup(r, newID)
		if err != nil {
			return err
		}
		c.ID = id
		g, err := svc.CreateGroup(r.Context(), a, c)
		if err != nil {
			return err
		}
		w.Header().Set("Location", BasePath+"/organizations/"+uuidOf(a.Organization.ID)+"/groups/"+uuidOf(g.ID))
		return noBody(w, http.StatusCreated)
	}))
	rt.Handle("PUT "+groups, inOrganization(svc, func(w http.ResponseWriter, r *http.Request, a identity.Access) error {
		id, c, err := readGroup(r, bodyID)
		if err != nil {
			return err
		}
		if _, err := svc.UpdateGroup(r.Context(), a, id, c); err != nil {
			return err
		}
		return noBody(w, http.StatusOK)
	}))
	group := groups + "/{groupId}"
	rt.Handle("GET "+group, inGroup(svc, func(w http.ResponseWriter, r *http.Request, a identity.Access, id string) error {
		g, err := svc.Group(r.Context(), a, id)
		if err != nil {
			return err
		}
		return httpapi.WriteJSON(w, http.StatusOK, groupOf(g))
	}))
	rt.Handle("DELETE "+group, inGroup(svc, func(w http.ResponseWriter, r *http.Request, a identity.Access, id string) error {
		if err := svc.DeleteGroup(r.Context(), a, id); err != nil {
			return err
		}
		return noBody(w, http.StatusNoContent)
	}))
	members := group + "/users"
	rt.Handle("GET "+members, inGroup(svc, func(w http.ResponseWriter, r *http.Request, a identity.Access, id string) error {
		l, err := readListing(r, userFields...)
		if err != nil {
			return err
		}
		g, err := svc.Group(r.Context(), a, id)
		if err != nil {
			return err
		}
		out, err := groupMembers(r.Context(), svc, g)
		if err != nil {
			return err
		}
		return writeList(w, apply(l, out, userField, userText))
	}))
	// The member changes take a bare JSON array of user ids: POST adds,
	// DELETE (a body on a DELETE, as documented) removes, PUT sets.
	change := func(status int, add bool) httpapi.HandlerFunc {
		return inGroup(svc, func(w http.ResponseWriter, r *http.Request, a identity.Access, id string) error {
			users, err := uuidList(r, "userIds", identity.MaxGroupMembers)
			if err != nil {
				return err
			}
			return changeMembers(w, r, svc, a, id, users, status, add)
		})
	}
	rt.Handle("POST "+members, change(http.StatusCreated, true))
	rt.Handle("DELETE "+members, change(http.StatusOK, false))
	rt.Handle("PUT "+members, inGroup(svc, func(w http.ResponseWriter, r *http.Request, a identity.Access, id string) error {
		users, err := uuidList(r, "userIds", identity.MaxGroupMembers)
		if err != nil {
			return err
		}
		if _, err := svc.UpdateGroup(r.Context(), a, id, identity.GroupChanges{UserIDs: &users}); err != nil {
			return err
		}
		return noBody(w, http.StatusOK)
	}))
	member := members + "/{userId}"
	one := func(status int, add bool) httpapi.HandlerFunc {
		return inOrganization(svc, func(w http.ResponseWriter, r *http.Request, a identity.Access) error {
			return changeOne(w, r, svc, a, status, add)
		})
	}
	rt.Handle("POST "+member, one(http.StatusCreated, true))
	rt.Handle("DELETE "+member, one(http.StatusOK, false))
	rt.Handle("GET "+member, inGroup(svc, func(w http.ResponseWriter, r *http.Request, a identity.Access, gid string) error {
		uid, err := pathID(r, "userId")
		if err != nil {
			return err
		}
		g, err := svc.Group(r.Context(), a, gid)
		if err != nil {
			return err
		}
		if !slices.Contains(g.UserIDs, uid) {
			return failure.New(failure.NotFound, "the user is not a member of the group")
		}
		m, err := svc.Member(r.Context(), a, uid)
		if err != nil {
			return err
		}
		return httpapi.WriteJSON(w, http.StatusOK, userOf(m.User))
	}))

	// A user's groups, across the organizations the caller shares.
	userGroups := BasePath + "/users/{userId}/organization-groups"
	rt.Handle("GET "+userGroups, authenticated(func(w http.ResponseWriter, r *http.Request, c identity.Caller) error {
		uid, err := pathID(r, "userId")
		if err != nil {
			return err
		}
		l, err := readListing(r, groupFields...)
		if err != nil {
			return err
		}
		as, _, err := sharing(r.Context(), svc, c, uid)
		if err != nil {
			return err
		}
		var out []OrganizationGroup
		for _, a := range as {
			gs, err := svc.GroupsOfMember(r.Context(), a, uid)
			if err != nil {
				return err
			}
			for _, g := range gs {
				out = append(out, groupOf(g))
			}
		}
		return writeList(w, apply(l, out, groupField, groupText))
	}))
	byUser := func(status int, add bool) httpapi.HandlerFunc {
		return authenticated(func(w http.ResponseWriter, r *http.Request, c identity.Caller) error {
			uid, err := pathID(r, "userId")
			if err != nil {
				return err
			}
			gid, err := pathID(r, "groupId")
			if err != nil {
				return err
			}
			if _, err := visibleUser(r.Context(), svc, c, uid); err != nil {
				return err
			}
			a, _, err := groupOfCaller(r.Context(), svc, c, gid)
			if err != nil {
				return err
			}
			return changeOne(w, r, svc, a, status, add)
		})
	}
	rt.Handle("POST "+userGroups+"/{groupId}", byUser(http.StatusCreated, true))
	rt.Handle("DELETE "+userGroups+"/{groupId}", byUser(http.StatusOK, false))
}

// changeOne adds or removes the path's user in the path's group.
func changeOne(w http.ResponseWriter, r *http.Request, svc *identity.Service, a identity.Access, status int, add bool) error {
	gid, err := pathID(r, "groupId")
	if err != nil {
		return err
	}
	uid, err := pathID(r, "userId")
	if err != nil {
		return err
	}
	return changeMembers(w, r, svc, a, gid, []string{uid}, status, add)
}

// changeMembers adds or removes users of a group and answers the status
// with no body.
func changeMembers(w http.ResponseWriter, r *http.Request, svc *identity.Service, a identity.Access, gid string, users []string, status int, add bool) error {
	var err error
	if add {
		_, err = svc.ChangeGroupMembers(r.Context(), a, gid, users, nil)
	} else {
		_, err = svc.ChangeGroupMembers(r.Context(), a, gid, nil, users)
	}
	if err != nil {
		return err
	}
	return noBody(w, status)
}
