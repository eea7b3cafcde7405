package tenduke

import (
	"net/http"

	"github.com/effektif-serverless/caseflow/shared/failure"
	"github.com/effektif-serverless/caseflow/shared/httpapi"
	"github.com/effektif-serverless/caseflow/shared/identity"
)

// organizationBody is an Organization as a create or replace body.
type organizationBody struct {
	ID          string  `json:"id"`
	Name        *string `json:"name"`
	Description *string `json:"description"`
	Type        *string `json:"type"`
}

// newOrganization reads a create body. Errors: Invalid (id, name).
func (b organizationBody) newOrganization() (identity.NewOrganization, error) {
	id, err := newID(b.ID)
	if err != nil {
		return identity.NewOrganization{}, err
	}
	if b.Name == nil {
		return identity.NewOrganization{}, failure.Field("name", "name is required")
	}
	n := identity.NewOrganization{ID: id, Name: *b.Name, UniqueName: true}
	if b.Description != nil {
		n.Description = *b.Description
	}
	if b.Type != nil {
		n.Type = *b.Type
	}
	return n, nil
}

// OrganizationRoutes registers the organization operations (1-4, 6, 15,
// 16, 20).
func OrganizationRoutes(rt *httpapi.Router, svc *identity.Service) {
	rt.Handle("GET "+BasePath+"/organizations", authenticated(func(w http.ResponseWriter, r *http.Request, c identity.Caller) error {
		l, err := readListing(r, organizationFields...)
		if err != nil {
			return err
		}
		as, err := svc.Accesses(r.Context(), c)
		if err != nil {
			return err
		}
		return writeList(w, apply(l, mapped(as, accessOrganization), organizationField, organizationText))
	}))
	// Create: the caller is the new organization's admin; names are
	// unique among the organizations named through this API.
	rt.Handle("POST "+BasePath+"/organizations", authenticated(func(w http.ResponseWriter, r *http.Request, c identity.Caller) error {
		var b organizationBody
		if err := decode(r, &b); err != nil {
			return err
		}
		n, err := b.newOrganization()
		if err != nil {
			return err
		}
		d, err := svc.CreateOrganization(r.Context(), c.UserID, n)
		if err != nil {
			return err
		}
		return httpapi.WriteJSON(w, http.StatusCreated, organizationOf(d.Organization))
	}))
	rt.Handle("PUT "+BasePath+"/organizations", authenticated(func(w http.ResponseWriter, r *http.Request, c identity.Caller) error {
		var b organizationBody
		if err := decode(r, &b); err != nil {
			return err
		}
		id, err := bodyID(b.ID)
		if err != nil {
			return err
		}
		if b.Name == nil {
			return failure.Field("name", "name is required")
		}
		a, err := svc.ResolveID(r.Context(), c, id)
		if err != nil {
			return err
		}
		d, err := svc.UpdateOrganization(r.Context(), a, identity.OrganizationChanges{Name: b.Name, Description: b.Description, Type: b.Type, UniqueName: true})
		if err != nil {
			return err
		}
		return httpapi.WriteJSON(w, http.StatusOK, organizationOf(d.Organization))
	}))
	rt.Handle("POST "+BasePath+"/organizations/organization-setup", authenticated(func(w http.ResponseWriter, r *http.Request, c identity.Caller) error {
		admin := r.URL.Query().Get("initialAdminId")
		adminID, err := uuidToCore("initialAdminId", admin)
		if err != nil {
			return failure.Field("initialAdminId", "initialAdminId must be the UUID of a user you administer")
		}
		var b organizationBody
		if err := decode(r, &b); err != nil {
			return err
		}
		n, err := b.newOrganization()
		if err != nil {
			return err
		}
		d, _, err := svc.SetUpOrganization(r.Context(), c.UserID, n, adminID)
		if err != nil {
			return err
		}
		return httpapi.WriteJSON(w, http.StatusCreated, organizationOf(d.Organization))
	}))
	org := BasePath + "/organizations/{organizationId}"
	rt.Handle("GET "+org, inOrganization(svc, func(w http.ResponseWriter, r *http.Request, a identity.Access) error {
		return httpapi.WriteJSON(w, http.StatusOK, organizationOf(a.Organization))
	}))
	rt.Handle("DELETE "+org, inOrganization(svc, func(w http.ResponseWriter, r *http.Request, a identity.Access) error {
		if err := svc.DeleteOrganization(r.Context(), a); err != nil {
			return err
		}
		return noBody(w, http.StatusNoContent)
	}))
	rt.Handle("GET "+org+"/users", inOrganization(svc, func(w http.ResponseWriter, r *http.Request, a identity.Access) error {
		l, err := readListing(r, userFields...)
		if err != nil {
			return err
		}
		members, err := svc.Members(r.Context(), a, identity.MemberQuery{PageSize: MaxListedMembers})
		if err != nil {
			return err
		}
		return writeList(w, apply(l, mapped(members, memberUser), userField, userText))
	}))
	rt.Handle("GET "+org+"/users/{userId}", inOrganization(svc, func(w http.ResponseWriter, r *http.Request, a identity.Access) error {
		id, err := pathID(r, "userId")
		if err != nil {
			return err
		}
		m, err := svc.Member(r.Context(), a, id)
		if err != nil {
			return err
		}
		return httpapi.WriteJSON(w, http.StatusOK, userOf(m.User))
	}))
}

// MaxListedMembers bounds the members a list reads from one organization
// (the core's page); paging and sorting apply to them.
const MaxListedMembers = 500
