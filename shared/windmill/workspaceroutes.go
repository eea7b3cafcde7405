package windmill

import (
	"net/http"

	"github.com/effektif-serverless/caseflow/shared/httpapi"
	"github.com/effektif-serverless/caseflow/shared/identity"
)

// WorkspaceRoutes registers the routes under /w/{workspace}: the
// workspace's users, their roles, invitations and leaving.
func WorkspaceRoutes(rt *httpapi.Router, svc *identity.Service) {
	w := BasePath + "/w/{workspace}"
	rt.Handle("GET "+w+"/users/whoami", inWorkspace(svc, func(w http.ResponseWriter, r *http.Request, a identity.Access) error {
		m, err := svc.Self(r.Context(), a)
		if err != nil {
			return err
		}
		return httpapi.WriteJSON(w, http.StatusOK, userOf(m))
	}))
	// whois and getUser (UserService and AdminService) answer the same.
	named := inWorkspace(svc, func(w http.ResponseWriter, r *http.Request, a identity.Access) error {
		m, err := svc.MemberNamed(r.Context(), a, r.PathValue("username"))
		if err != nil {
			return err
		}
		return httpapi.WriteJSON(w, http.StatusOK, userOf(m))
	})
	rt.Handle("GET "+w+"/users/whois/{username}", named)
	rt.Handle("GET "+w+"/users/get/{username}", named)
	rt.Handle("GET "+w+"/users/list", inWorkspace(svc, func(w http.ResponseWriter, r *http.Request, a identity.Access) error {
		members, err := svc.NamedMembers(r.Context(), a)
		if err != nil {
			return err
		}
		out := make([]User, len(members))
		for i, m := range members {
			out[i] = userOf(m)
		}
		return httpapi.WriteJSON(w, http.StatusOK, out)
	}))
	rt.Handle("GET "+w+"/users/list_usernames", inWorkspace(svc, func(w http.ResponseWriter, r *http.Request, a identity.Access) error {
		members, err := svc.NamedMembers(r.Context(), a)
		if err != nil {
			return err
		}
		out := make([]string, len(members))
		for i, m := range members {
			out[i] = m.Membership.Username
		}
		return httpapi.WriteJSON(w, http.StatusOK, out)
	}))
	rt.Handle("POST "+w+"/users/update/{username}", inWorkspace(svc, func(w http.ResponseWriter, r *http.Request, a identity.Access) error {
		var req editWorkspaceUser
		if err := httpapi.DecodeJSON(r, httpapi.MaxJSONBody, &req); err != nil {
			return err
		}
		err := svc.ChangeRole(r.Context(), a, r.PathValue("username"),
			identity.RoleChange{Admin: req.IsAdmin, Operator: req.Operator, Disabled: req.Disabled})
		if err != nil {
			return err
		}
		return httpapi.WriteText(w, http.StatusOK, "user updated")
	}))
	rt.Handle("DELETE "+w+"/users/delete/{username}", inWorkspace(svc, func(w http.ResponseWriter, r *http.Request, a identity.Access) error {
		if err := svc.RemoveMemberNamed(r.Context(), a, r.PathValue("username")); err != nil {
			return err
		}
		return httpapi.WriteText(w, http.StatusOK, "user deleted")
	}))
	leave := inWorkspace(svc, func(w http.ResponseWriter, r *http.Request, a identity.Access) error {
		if err := svc.Leave(r.Context(), a, a.UserID, ""); err != nil {
			return err
		}
		return httpapi.WriteText(w, http.StatusOK, "left workspace")
	})
	rt.Handle("POST "+w+"/workspaces/leave", leave)
	rt.Handle("POST "+w+"/users/leave_workspace", leave)
	// Adding an address is an invitation (the core's rule): addUser, the
	// document's users/add and inviteUser (which takes no username) all
	// invite.
	rt.Handle("POST "+w+"/workspaces/add_user", invite(svc, true))
	rt.Handle("POST "+w+"/users/add", invite(svc, true))
	rt.Handle("POST "+w+"/workspaces/invite_user", invite(svc, false))
}

func invite(svc *identity.Service, withUsername bool) httpapi.HandlerFunc {
	return inWorkspace(svc, func(w http.ResponseWriter, r *http.Request, a identity.Access) error {
		var req newUser
		if err := httpapi.DecodeJSON(r, httpapi.MaxJSONBody, &req); err != nil {
			return err
		}
		n := identity.NewMember{Email: req.Email, Admin: req.IsAdmin, Operator: req.Operator}
		if withUsername {
			n.Username = req.Username
		}
		if _, err := svc.AddMember(r.Context(), a, n); err != nil {
			return err
		}
		return httpapi.WriteText(w, http.StatusCreated, "user invited")
	})
}
