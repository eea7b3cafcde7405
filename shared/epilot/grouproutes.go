package epilot

import (
	"context"
	"net/http"
	"time"

	"github.com/effektif-serverless/caseflow/shared/failure"
	"github.com/effektif-serverless/caseflow/shared/httpapi"
	"github.com/effektif-serverless/caseflow/shared/identity"
)

// GroupImageURI is a group's image: URLs or two gradient colors.
type GroupImageURI struct {
	Original       *string   `json:"original,omitempty"`
	Thumbnail32    *string   `json:"thumbnail_32,omitempty"`
	Thumbnail64    *string   `json:"thumbnail_64,omitempty"`
	GradientColors *[]string `json:"gradient_colors,omitempty"`
}

// groupRequest is CreateGroupReq and UpdateGroupReq.
type groupRequest struct {
	Name         *string        `json:"name"`
	UserIDs      *[]string      `json:"user_ids"`
	ImageURI     *GroupImageURI `json:"image_uri"`
	Abbreviation *string        `json:"abbreviation"`
}

func (g groupRequest) core() identity.GroupChanges {
	c := identity.GroupChanges{Name: g.Name, UserIDs: g.UserIDs, Abbreviation: g.Abbreviation}
	if i := g.ImageURI; i != nil {
		img := identity.GroupImage{Original: deref(i.Original), Thumbnail32: deref(i.Thumbnail32), Thumbnail64: deref(i.Thumbnail64)}
		if i.GradientColors != nil {
			img.GradientColors = *i.GradientColors
		}
		c.Image = &img
	}
	return c
}

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// groupOf is a core group as epilot's Group: its users in the order the
// round robin goes (by id), as {id} objects or, hydrated, UserV2s; the
// current assignee as a UserV2 with its crt_index.
func groupOf(g identity.Group, users map[string]identity.User, hydrate bool, orgID string) map[string]any {
	members := []any{}
	for _, id := range g.SortedMembers() {
		if u, ok := users[id]; ok && hydrate {
			members = append(members, userV2(identity.Member{User: u}, orgID))
		} else {
			members = append(members, map[string]string{"id": id})
		}
	}
	out := map[string]any{"id": g.ID, "org_id": g.OrganizationID, "name": g.Name, "created_at": stamp(g.Created),
		"updated_at": stamp(g.Updated), "users": members}
	if g.CreatedBy != "" {
		out["created_by"] = g.CreatedBy
	}
	if g.Abbreviation != "" {
		out["abbreviation"] = g.Abbreviation
	}
	if img := g.Image; img.Original != "" || img.Thumbnail32 != "" || img.Thumbnail64 != "" || len(img.GradientColors) > 0 {
		i := GroupImageURI{Original: optional(img.Original), Thumbnail32: optional(img.Thumbnail32), Thumbnail64: optional(img.Thumbnail64)}
		if len(img.GradientColors) > 0 {
			i.GradientColors = &img.GradientColors
		}
		out["image_uri"] = i
	}
	if id, index, ok := g.CurrentAssignee(); ok {
		a := map[string]any{"id": id}
		if u, found := users[id]; found {
			a = userV2(identity.Member{User: u}, orgID)
		}
		a["crt_index"] = index
		out["crt_assignee"] = a
	}
	return out
}

// stamp is a time as epilot answers it (a group made before groups kept
// their times answers the zero instant).
func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// groupUsers reads the users a group answer names: all members when
// hydrated, else the current assignee only.
func groupUsers(ctx context.Context, svc *identity.Service, gs []identity.Group, hydrate bool) (map[string]identity.User, error) {
	var ids []string
	for _, g := range gs {
		if hydrate {
			ids = append(ids, g.UserIDs...)
		} else if id, _, ok := g.CurrentAssignee(); ok {
			ids = append(ids, id)
		}
	}
	if len(ids) == 0 {
		return map[string]identity.User{}, nil
	}
	return svc.Users(ctx, ids)
}

// GroupRoutes registers the groups of the caller's current organization:
// the core's groups, the same in Effektif (groupIds) and every API.
// Members read and advance the round robin; admins write.
func GroupRoutes(rt *httpapi.Router, svc *identity.Service) {
	write := func(w http.ResponseWriter, r *http.Request, a identity.Access, status int, g identity.Group) error {
		hydrate, err := httpapi.BoolParam(r, "hydrate")
		if err != nil {
			return err
		}
		h := hydrate != nil && *hydrate
		users, err := groupUsers(r.Context(), svc, []identity.Group{g}, h)
		if err != nil {
			return err
		}
		return httpapi.WriteJSON(w, status, groupOf(g, users, h, a.Organization.ID))
	}
	rt.Handle("GET /v1/groups", current(svc, func(w http.ResponseWriter, r *http.Request, a identity.Access) error {
		hydrate, err := httpapi.BoolParam(r, "hydrate")
		if err != nil {
			return err
		}
		page, err := paging.Read(r)
		if err != nil {
			return err
		}
		gs, total, err := svc.ListGroups(r.Context(), a, r.URL.Query().Get("query"), page.Size, page.Offset)
		if err != nil {
			return err
		}
		h := hydrate != nil && *hydrate
		users, err := groupUsers(r.Context(), svc, gs, h)
		if err != nil {
			return err
		}
		out := make([]map[string]any, len(gs))
		for i, g := range gs {
			out[i] = groupOf(g, users, h, a.Organization.ID)
		}
		return httpapi.WriteJSON(w, http.StatusOK, map[string]any{"hits": total, "groups": out})
	}))
	rt.Handle("POST /v1/groups", current(svc, func(w http.ResponseWriter, r *http.Request, a identity.Access) error {
		var in groupRequest
		if err := decodeObject(r, httpapi.MaxJSONBody, &in); err != nil {
			return err
		}
		if in.Name == nil {
			return failure.Field("name", "name is required")
		}
		g, err := svc.CreateGroup(r.Context(), a, in.core())
		if err != nil {
			return err
		}
		return write(w, r, a, http.StatusCreated, g)
	}))
	rt.Handle("GET /v1/groups/{id}", current(svc, func(w http.ResponseWriter, r *http.Request, a identity.Access) error {
		g, err := svc.Group(r.Context(), a, r.PathValue("id"))
		if err != nil {
			return groupNotFound(err)
		}
		return write(w, r, a, http.StatusOK, g)
	}))
	// updateGroup answers 201, as the clients' definitions say.
	rt.Handle("PATCH /v1/groups/{id}", current(svc, func(w http.ResponseWriter, r *http.Request, a identity.Access) error {
		var in groupRequest
		if err := decodeObject(r, httpapi.MaxJSONBody, &in); err != nil {
			return err
		}
		g, err := svc.UpdateGroup(r.Context(), a, r.PathValue("id"), in.core())
		if err != nil {
			return groupNotFound(err)
		}
		return write(w, r, a, http.StatusCreated, g)
	}))
	rt.Handle("DELETE /v1/groups/{id}", current(svc, func(w http.ResponseWriter, r *http.Request, a identity.Access) error {
		if err := svc.DeleteGroup(r.Context(), a, r.PathValue("id")); err != nil {
			return groupNotFound(err)
		}
		return httpapi.NoContent(w)
	}))
	// advanceUserAssignment: the client posts no body (an empty form).
	rt.Handle("POST /v1/groups/{id}/user:next", current(svc, func(w http.ResponseWriter, r *http.Request, a identity.Access) error {
		g, err := svc.AdvanceAssignment(r.Context(), a, r.PathValue("id"))
		if failure.Is(err, failure.Unprocessable) {
			return failure.New(failure.Unprocessable, "User Group has no users assigned, thus it cannot advance to next user")
		}
		if err != nil {
			return groupNotFound(err)
		}
		return write(w, r, a, http.StatusOK, g)
	}))
	rt.Handle("GET /v2/users/{id}/groups", current(svc, func(w http.ResponseWriter, r *http.Request, a identity.Access) error {
		gs, err := svc.GroupsOfMember(r.Context(), a, r.PathValue("id"))
		if err != nil {
			return err
		}
		users := map[string]identity.User{}
		out := make([]map[string]any, len(gs))
		for i, g := range gs {
			out[i] = groupOf(g, users, false, a.Organization.ID)
		}
		return httpapi.WriteJSON(w, http.StatusOK, out)
	}))
}

// groupNotFound words the core's NotFound of a group as epilot does.
func groupNotFound(err error) error {
	if failure.Is(err, failure.NotFound) {
		return failure.New(failure.NotFound, "Group not found")
	}
	return err
}
