package effektif

import (
	"net/http"
	"time"

	"github.com/effektif-serverless/caseflow/shared/httpapi"
	"github.com/effektif-serverless/caseflow/shared/identity"
)

// Invitation is an open invitation as admins see it. The document has no
// model for it (Organization.invitations lists the addresses); status is
// the invitation mail's fate as SES reports it: sent, delivered, bounced,
// complained.
type Invitation struct {
	EmailAddress string      `json:"emailAddress"`
	FirstName    string      `json:"firstName,omitempty"`
	LastName     string      `json:"lastName,omitempty"`
	InvitedBy    string      `json:"invitedBy"`
	Status       string      `json:"status"`
	Detail       string      `json:"detail,omitempty"`
	Created      time.Time   `json:"created"`
	Expires      time.Time   `json:"expires"`
	Sent         []time.Time `json:"sent"`
}

func invitationOf(inv identity.Invitation) Invitation {
	sent := inv.Sends
	if sent == nil {
		sent = []time.Time{}
	}
	return Invitation{EmailAddress: inv.Email, FirstName: inv.FirstName, LastName: inv.LastName, InvitedBy: inv.InvitedBy,
		Status: inv.Status, Detail: inv.Detail, Created: inv.Created, Expires: inv.Expires, Sent: sent}
}

// NewUser is the body of POST /{organizationKey}/users. Of the document's
// NewUser, token, external, organizationIds, license and licenseInfo are
// accepted and not used (the organization is the path's; licenses are
// assigned through PUT /licenses/{id}); password and color are read for a
// system user only.
type NewUser struct {
	EmailAddress string `json:"emailAddress"`
	Password     string `json:"password"`
	FirstName    string `json:"firstName"`
	LastName     string `json:"lastName"`
	Color        string `json:"color"`
	SystemUser   bool   `json:"systemUser"`
}

// InvitationRoutes registers POST /users, the invitation routes of the
// Effektif Organization group, and GET /invitations (not in the document:
// the open invitations with their delivery status).
//
// POST /users with systemUser: true makes a system user (the core's
// AddSystemUser): an account for an integration with the given password,
// a member of the organization at once (no invitation, no mail), shown
// in the organization's systemUserIds and systemUsers and with systemUser:
// true; it answers the User (the document gives no answer model). Only
// admins may make one; an address that has an account is 409 (invite it
// instead). Without systemUser it invites the address, whether or not it
// has an account (the answer is the Invitation either way).
func InvitationRoutes(rt *httpapi.Router, svc *identity.Service) {
	rt.Handle("POST "+BasePath+"/{organizationKey}/users", tenant(svc, func(w http.ResponseWriter, r *http.Request, a identity.Access) error {
		var in NewUser
		if err := httpapi.DecodeJSON(r, httpapi.MaxJSONBody, &in); err != nil {
			return err
		}
		if in.SystemUser {
			m, err := svc.AddSystemUser(r.Context(), a, identity.NewSystemUser{
				Email: in.EmailAddress, Password: in.Password, FirstName: in.FirstName, LastName: in.LastName, Color: in.Color,
			})
			if err != nil {
				return err
			}
			ds, err := svc.MemberDetails(r.Context(), a, []identity.Member{m})
			if err != nil {
				return err
			}
			return httpapi.WriteJSON(w, http.StatusOK, UserDetailOf(ds[0], a.UserID))
		}
		inv, err := svc.AddMember(r.Context(), a, identity.NewMember{Email: in.EmailAddress, FirstName: in.FirstName, LastName: in.LastName})
		if err != nil {
			return err
		}
		return httpapi.WriteJSON(w, http.StatusOK, invitationOf(*inv))
	}))
	rt.Handle("GET "+BasePath+"/{organizationKey}/invitations", tenant(svc, func(w http.ResponseWriter, r *http.Request, a identity.Access) error {
		invs, err := svc.Invitations(r.Context(), a)
		if err != nil {
			return err
		}
		out := make([]Invitation, len(invs))
		for i, inv := range invs {
			out[i] = invitationOf(inv)
		}
		return httpapi.WriteJSON(w, http.StatusOK, out)
	}))
	rt.Handle("POST "+BasePath+"/{organizationKey}/invitations/{inviteeMailAddress}/resend", tenant(svc, func(w http.ResponseWriter, r *http.Request, a identity.Access) error {
		inv, err := svc.ResendInvitation(r.Context(), a, r.PathValue("inviteeMailAddress"))
		if err != nil {
			return err
		}
		return httpapi.WriteJSON(w, http.StatusOK, invitationOf(*inv))
	}))
	rt.Handle("DELETE "+BasePath+"/{organizationKey}/invitations/{inviteeMailAddress}", tenant(svc, func(w http.ResponseWriter, r *http.Request, a identity.Access) error {
		if err := svc.DeleteInvitation(r.Context(), a, r.PathValue("inviteeMailAddress")); err != nil {
			return err
		}
		w.WriteHeader(http.StatusNoContent)
		return nil
	}))
}
