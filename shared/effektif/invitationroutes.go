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

// InvitationRoutes registers POST /users (an invitation, whether or not the
// address has an account: the answer is the Invitation either way), the invitation
// routes of the Effektif Organization group, and GET /invitations (not in
// the document: the open invitations with their delivery status).
func InvitationRoutes(rt *httpapi.Router, svc *identity.Service) {
	rt.Handle("POST "+BasePath+"/{organizationKey}/users", tenant(svc, func(w http.ResponseWriter, r *http.Request, a identity.Access) error {
		var in struct {
			EmailAddress string `json:"emailAddress"`
			FirstName    string `json:"firstName"`
			LastName     string `json:"lastName"`
		}
		if err := httpapi.DecodeJSON(r, httpapi.MaxJSONBody, &in); err != nil {
			return err
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
