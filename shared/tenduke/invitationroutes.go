package tenduke

import (
	"context"
	"net/http"

	"github.com/effektif-serverless/caseflow/shared/failure"
	"github.com/effektif-serverless/caseflow/shared/httpapi"
	"github.com/effektif-serverless/caseflow/shared/identity"
)

// createInvitation makes the invitation of a body (the document's model;
// its read-only fields are ignored): the caller resolved in its
// organization (an organization they are not in is NotFound), the
// template checked before anything is written.
func createInvitation(ctx context.Context, svc *identity.Service, c identity.Caller, b OrganizationGroupInvitation) (identity.Access, identity.GroupInvitation, error) {
	id, err := newID(b.ID)
	if err != nil {
		return identity.Access{}, identity.GroupInvitation{}, err
	}
	orgID, err := uuidToCore("organizationId", b.OrganizationID)
	if err != nil {
		return identity.Access{}, identity.GroupInvitation{}, err
	}
	a, err := svc.ResolveID(ctx, c, orgID)
	if err != nil {
		return identity.Access{}, identity.GroupInvitation{}, err
	}
	if !a.IsAdmin() {
		return identity.Access{}, identity.GroupInvitation{}, failure.New(failure.Forbidden, "only an admin may invite into groups")
	}
	if err := identity.CheckWelcomeURLTemplate(b.MemberWelcomeURL); err != nil {
		return identity.Access{}, identity.GroupInvitation{}, failure.Field("memberWelcomeUrl", "%s", failure.As(err).Message)
	}
	groups := make([]string, len(b.GroupIDs))
	for i, u := range b.GroupIDs {
		if groups[i], err = uuidToCore("groupIds", u); err != nil {
			return identity.Access{}, identity.GroupInvitation{}, failure.Field("groupIds", "no group %s in this organization", clip(u))
		}
	}
	inv, err := svc.CreateGroupInvitation(ctx, a, identity.NewGroupInvitation{ID: id, Email: b.Email, RecipientName: b.RecipientName,
		InviterName: b.InviterName, ScopeInformation: b.InvitationScopeInformation, GroupIDs: groups, ClientRoleIDs: b.ClientRoleIDs})
	return a, inv, err
}

// invitationAccess resolves the caller in the organization of the
// invitation with the id. Errors: NotFound (also for an organization the
// caller is not in).
func invitationAccess(ctx context.Context, svc *identity.Service, c identity.Caller, id string) (identity.Access, error) {
	orgID, err := svc.GroupInvitationOrganization(ctx, id)
	if err != nil {
		return identity.Access{}, err
	}
	return svc.ResolveID(ctx, c, orgID)
}

// closing answers the failures of accept and decline: a link or an id
// that is no open invitation's is bad invitation data (400).
func closing(err error) error {
	if failure.Is(err, failure.NotFound) {
		return failure.Field("memberWelcomeUrl", "no open invitation has this id and link")
	}
	return err
}

// invitationLists are the lists by their path and core states: every
// state for GET /organization-group-invitations, one for the others.
var invitationLists = []struct {
	suffix string
	states []string
}{
	{"", identity.GroupInvitationStates},
	{"/accepted", []string{identity.GroupInvitationAccepted}},
	{"/declined", []string{identity.GroupInvitationDeclined}},
	{"/revoked", []string{identity.GroupInvitationRevoked}},
}

// InvitationRoutes registers the group invitation operations (5, 7-14,
// 17-19).
func InvitationRoutes(rt *httpapi.Router, svc *identity.Service) {
	invitations := BasePath + "/organization-group-invitations"
	// Create: the answer carries the link with the key once (the caller
	// delivers it); later reads answer the template.
	rt.Handle("POST "+invitations, authenticated(func(w http.ResponseWriter, r *http.Request, c identity.Caller) error {
		var b OrganizationGroupInvitation
		if err := decode(r, &b); err != nil {
			return err
		}
		a, inv, err := createInvitation(r.Context(), svc, c, b)
		if err != nil {
			return err
		}
		inv, link, err := svc.GroupInvitationLink(r.Context(), a, inv.ID, b.MemberWelcomeURL)
		if err != nil {
			return err
		}
		return httpapi.WriteJSON(w, http.StatusCreated, invitationOf(inv, link))
	}))
	rt.Handle("POST "+invitations+"/send", authenticated(func(w http.ResponseWriter, r *http.Request, c identity.Caller) error {
		var b OrganizationGroupInvitation
		if err := decode(r, &b); err != nil {
			return err
		}
		a, inv, err := createInvitation(r.Context(), svc, c, b)
		if err != nil {
			return err
		}
		inv, err = svc.SendGroupInvitation(r.Context(), a, inv.ID, b.MemberWelcomeURL)
		if err != nil {
			return err
		}
		res := SendEmailResult{ID: uuidOf(inv.ID), ResultCode: "success"}
		if inv.Delivery == identity.GroupDeliveryFailed {
			res.ResultCode, res.TechnicalError = "failed", inv.DeliveryError
		}
		return httpapi.WriteJSON(w, http.StatusCreated, res)
	}))
	// Accept and decline: the signed-in invitee sends the invitation with
	// the link as they landed on it.
	byLink := func(act func(ctx context.Context, callerID, id, landed string) (identity.GroupInvitation, error)) httpapi.HandlerFunc {
		return authenticated(func(w http.ResponseWriter, r *http.Request, c identity.Caller) error {
			var b OrganizationGroupInvitation
			if err := decode(r, &b); err != nil {
				return err
			}
			id, err := bodyID(b.ID)
			if err != nil {
				return closing(err)
			}
			inv, err := act(r.Context(), c.UserID, id, b.MemberWelcomeURL)
			if err != nil {
				return closing(err)
			}
			return httpapi.WriteJSON(w, http.StatusCreated, invitationOf(inv, inv.WelcomeTemplate))
		})
	}
	rt.Handle("PUT "+invitations+"/accept", byLink(svc.AcceptGroupInvitationLink))
	rt.Handle("PUT "+invitations+"/decline", byLink(svc.DeclineGroupInvitationLink))
	rt.Handle("PUT "+invitations+"/revoke", authenticated(func(w http.ResponseWriter, r *http.Request, c identity.Caller) error {
		var b OrganizationGroupInvitation
		if err := decode(r, &b); err != nil {
			return err
		}
		id, err := bodyID(b.ID)
		if err != nil {
			return err
		}
		a, err := invitationAccess(r.Context(), svc, c, id)
		if err != nil {
			return err
		}
		inv, err := svc.RevokeGroupInvitation(r.Context(), a, id)
		if err != nil {
			return err
		}
		return httpapi.WriteJSON(w, http.StatusCreated, invitationOf(inv, inv.WelcomeTemplate))
	}))
	rt.Handle("DELETE "+invitations+"/{invitationId}", authenticated(func(w http.ResponseWriter, r *http.Request, c identity.Caller) error {
		id, err := pathID(r, "invitationId")
		if err != nil {
			return err
		}
		a, err := invitationAccess(r.Context(), svc, c, id)
		if err != nil {
			return err
		}
		if err := svc.DeleteGroupInvitation(r.Context(), a, id); err != nil {
			return err
		}
		return noBody(w, http.StatusNoContent)
	}))
	// The lists: the invitations of the organizations the caller
	// administers.
	for _, list := range invitationLists {
		states := list.states
		rt.Handle("GET "+invitations+list.suffix, authenticated(func(w http.ResponseWriter, r *http.Request, c identity.Caller) error {
			l, err := readListing(r, invitationFields...)
			if err != nil {
				return err
			}
			as, err := svc.Accesses(r.Context(), c)
			if err != nil {
				return err
			}
			var out []OrganizationGroupInvitation
			for _, a := range as {
				if !a.IsAdmin() {
					continue
				}
				list, err := listInvitations(r.Context(), svc, a, states...)
				if err != nil {
					return err
				}
				out = append(out, list...)
			}
			return writeList(w, apply(l, out, invitationField, invitationText))
		}))
	}
	org := BasePath + "/organization/{organizationId}/group-invitations"
	rt.Handle("GET "+org+"/open", inOrganization(svc, func(w http.ResponseWriter, r *http.Request, a identity.Access) error {
		l, err := readListing(r, invitationFields...)
		if err != nil {
			return err
		}
		out, err := listInvitations(r.Context(), svc, a, identity.GroupInvitationOpen)
		if err != nil {
			return err
		}
		return writeList(w, apply(l, out, invitationField, invitationText))
	}))
	rt.Handle("GET "+org+"/{invitationId}", inOrganization(svc, func(w http.ResponseWriter, r *http.Request, a identity.Access) error {
		id, err := pathID(r, "invitationId")
		if err != nil {
			return err
		}
		inv, err := svc.GroupInvitation(r.Context(), a, id)
		if err != nil {
			return err
		}
		return httpapi.WriteJSON(w, http.StatusOK, invitationOf(inv, inv.WelcomeTemplate))
	}))
}

// listInvitations lists the organization's invitations in the states
// (each state's list is bounded by the core).
func listInvitations(ctx context.Context, svc *identity.Service, a identity.Access, states ...string) ([]OrganizationGroupInvitation, error) {
	var out []OrganizationGroupInvitation
	for _, state := range states {
		list, err := svc.GroupInvitations(ctx, a, state, 0, 0)
		if err != nil {
			return nil, err
		}
		for _, inv := range list {
			out = append(out, invitationOf(inv, inv.WelcomeTemplate))
		}
	}
	return out, nil
}
