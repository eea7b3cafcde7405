package effektif

import (
	"net/http"

	"github.com/effektif-serverless/caseflow/shared/httpapi"
	"github.com/effektif-serverless/caseflow/shared/identity"
)

// Group is the Effektif Group model.
type Group struct {
	ID             string   `json:"id"`
	Name           string   `json:"name"`
	LdapDN         string   `json:"ldapDn,omitempty"`
	OrganizationID string   `json:"organizationId"`
	UserIDs        []string `json:"userIds"`
}

// GroupOf is the Effektif Group of a core group.
func GroupOf(g identity.Group) Group {
	return Group{ID: g.ID, Name: g.Name, LdapDN: g.LdapDN, OrganizationID: g.OrganizationID, UserIDs: OrEmpty(g.UserIDs)}
}

type groupInput struct {
	Name    *string   `json:"name"`
	LdapDN  *string   `json:"ldapDn"`
	UserIDs *[]string `json:"userIds"`
}

func (in groupInput) core() identity.GroupChanges {
	return identity.GroupChanges{Name: in.Name, LdapDN: in.LdapDN, UserIDs: in.UserIDs}
}

// GroupRoutes registers the group routes of the Effektif Organization
// group (the document has no route that lists groups: a user's groupIds
// and an organization's members name them).
func GroupRoutes(rt *httpapi.Router, svc *identity.Service) {
	base := BasePath + "/{organizationKey}/groups"
	rt.Handle("POST "+base, tenant(svc, func(w http.ResponseWriter, r *http.Request, a identity.Access) error {
		var in groupInput
		if err := httpapi.DecodeJSON(r, httpapi.MaxJSONBody, &in); err != nil {
			return err
		}
		g, err := svc.CreateGroup(r.Context(), a, in.core())
		if err != nil {
			return err
		}
		return httpapi.WriteJSON(w, http.StatusOK, GroupOf(g))
	}))
	rt.Handle("GET "+base+"/{groupId}", tenant(svc, func(w http.ResponseWriter, r *http.Request, a identity.Access) error {
		g, err := svc.Group(r.Context(), a, r.PathValue("groupId"))
		if err != nil {
			return err
		}
		return httpapi.WriteJSON(w, http.StatusOK, GroupOf(g))
	}))
	rt.Handle("PUT "+base+"/{groupId}", tenant(svc, func(w http.ResponseWriter, r *http.Request, a identity.Access) error {
		var in groupInput
		if err := httpapi.DecodeJSON(r, httpapi.MaxJSONBody, &in); err != nil {
			return err
		}
		g, err := svc.UpdateGroup(r.Context(), a, r.PathValue("groupId"), in.core())
		if err != nil {
			return err
		}
		return httpapi.WriteJSON(w, http.StatusOK, GroupOf(g))
	}))
	rt.Handle("DELETE "+base+"/{groupId}", tenant(svc, func(w http.ResponseWriter, r *http.Request, a identity.Access) error {
		if err := svc.DeleteGroup(r.Context(), a, r.PathValue("groupId")); err != nil {
			return err
		}
		w.WriteHeader(http.StatusNoContent)
		return nil
	}))
}
