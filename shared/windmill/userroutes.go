package windmill

import (
	"net/http"
	"strconv"

	"github.com/effektif-serverless/caseflow/shared/failure"
	"github.com/effektif-serverless/caseflow/shared/httpapi"
	"github.com/effektif-serverless/caseflow/shared/identity"
)

// UserRoutes registers the caller's global routes under /users: email and
// whoami, password, API tokens, the invites to the caller, and the super
// admin operations.
func UserRoutes(rt *httpapi.Router, svc *identity.Service) {
	rt.Handle("GET "+BasePath+"/users/email", authenticated(func(w http.ResponseWriter, r *http.Request, callerID string) error {
		u, err := svc.Me(r.Context(), callerID)
		if err != nil {
			return err
		}
		return httpapi.WriteText(w, http.StatusOK, u.Email)
	}))
	rt.Handle("GET "+BasePath+"/users/whoami", authenticated(func(w http.ResponseWriter, r *http.Request, callerID string) error {
		u, err := svc.Me(r.Context(), callerID)
		if err != nil {
			return err
		}
		return httpapi.WriteJSON(w, http.StatusOK, globalUserOf(u))
	}))
	rt.Handle("POST "+BasePath+"/users/setpassword", authenticated(func(w http.ResponseWriter, r *http.Request, callerID string) error {
		var req passwordRequest
		if err := httpapi.DecodeJSON(r, httpapi.MaxJSONBody, &req); err != nil {
			return err
		}
		if err := required("password", req.Password); err != nil {
			return err
		}
		if err := svc.SetPassword(r.Context(), callerID, *req.Password, callerToken(r)); err != nil {
			return err
		}
		return httpapi.WriteText(w, http.StatusOK, "password set")
	}))
	tokenRoutes(rt, svc)
	inviteeRoutes(rt, svc)
	superAdminRoutes(rt, svc)
}

func tokenRoutes(rt *httpapi.Router, svc *identity.Service) {
	rt.Handle("POST "+BasePath+"/users/tokens/create", authenticated(func(w http.ResponseWriter, r *http.Request, callerID string) error {
		var req newToken
		if err := httpapi.DecodeJSON(r, httpapi.MaxJSONBody, &req); err != nil {
			return err
		}
		expires, err := parseExpiration(req.Expiration)
		if err != nil {
			return err
		}
		if req.Scopes != nil && len(*req.Scopes) > 0 {
			return failure.Field("scopes", "scoped tokens are not supported: a token has its holder's access, bound to a workspace (workspace_id) or read-only (read_only)")
		}
		n := identity.NewAPIToken{Expires: expires}
		if req.Label != nil {
			n.Label = *req.Label
		}
		if req.WorkspaceID != nil {
			n.OrganizationKey = *req.WorkspaceID
		}
		if req.ReadOnly != nil {
			n.ReadOnly = *req.ReadOnly
		}
		token, err := svc.CreateAPIToken(r.Context(), httpapi.CallerOf(r), n)
		if err != nil {
			return err
		}
		return httpapi.WriteText(w, http.StatusCreated, token)
	}))
	// exclude_ephemeral, page and per_page are accepted: every listed
	// token is a named one, and a user holds at most
	// identity.MaxAPITokens, all on one page.
	rt.Handle("GET "+BasePath+"/users/tokens/list", authenticated(func(w http.ResponseWriter, r *http.Request, callerID string) error {
		u, err := svc.Me(r.Context(), callerID)
		if err != nil {
			return err
		}
		tokens, err := svc.APITokens(r.Context(), callerID)
		if err != nil {
			return err
		}
		out := make([]TruncatedToken, len(tokens))
		for i, t := range tokens {
			out[i] = tokenOf(t, u.Email)
		}
		return httpapi.WriteJSON(w, http.StatusOK, out)
	}))
	rt.Handle("DELETE "+BasePath+"/users/tokens/delete/{token_prefix}", authenticated(func(w http.ResponseWriter, r *http.Request, callerID string) error {
		if err := svc.DeleteAPIToken(r.Context(), callerID, r.PathValue("token_prefix")); err != nil {
			return err
		}
		return httpapi.WriteText(w, http.StatusOK, "token deleted")
	}))
}

func inviteeRoutes(rt *httpapi.Router, svc *identity.Service) {
	rt.Handle("GET "+BasePath+"/users/list_invites", authenticated(func(w http.ResponseWriter, r *http.Request, callerID string) error {
		invs, err := svc.InvitationsTo(r.Context(), callerID)
		if err != nil {
			return err
		}
		out := make([]WorkspaceInvite, len(invs))
		for i, inv := range invs {
			out[i] = inviteOf(inv)
		}
		return httpapi.WriteJSON(w, http.StatusOK, out)
	}))
	rt.Handle("POST "+BasePath+"/users/accept_invite", authenticated(func(w http.ResponseWriter, r *http.Request, callerID string) error {
		var req inviteAnswer
		if err := httpapi.DecodeJSON(r, httpapi.MaxJSONBody, &req); err != nil {
			return err
		}
		if err := required("workspace_id", req.WorkspaceID); err != nil {
			return err
		}
		if err := svc.AcceptInvitation(r.Context(), callerID, *req.WorkspaceID, req.Username); err != nil {
			return err
		}
		return httpapi.WriteText(w, http.StatusOK, "invite accepted")
	}))
	rt.Handle("POST "+BasePath+"/users/decline_invite", authenticated(func(w http.ResponseWriter, r *http.Request, callerID string) error {
		var req inviteAnswer
		if err := httpapi.DecodeJSON(r, httpapi.MaxJSONBody, &req); err != nil {
			return err
		}
		if err := required("workspace_id", req.WorkspaceID); err != nil {
			return err
		}
		if err := svc.DeclineInvitation(r.Context(), callerID, *req.WorkspaceID); err != nil {
			return err
		}
		return httpapi.WriteText(w, http.StatusOK, "invite declined")
	}))
}

// superAdminRoutes are the instance-wide operations: the privilege is
// checked before the body and the target are looked at.
func superAdminRoutes(rt *httpapi.Router, svc *identity.Service) {
	rt.Handle("POST "+BasePath+"/users/create", authenticated(func(w http.ResponseWriter, r *http.Request, callerID string) error {
		if err := svc.RequireSystemAdmin(r.Context(), callerID); err != nil {
			return err
		}
		var req globalNewUser
		if err := httpapi.DecodeJSON(r, httpapi.MaxJSONBody, &req); err != nil {
			return err
		}
		first, last := splitName(req.Name)
		if _, err := svc.CreateAccount(r.Context(), callerID, identity.NewAccount{Email: req.Email, Password: req.Password,
			FirstName: first, LastName: last, SystemAdmin: req.SuperAdmin}); err != nil {
			return err
		}
		return httpapi.WriteText(w, http.StatusCreated, "user created")
	}))
	rt.Handle("POST "+BasePath+"/users/update/{email}", authenticated(func(w http.ResponseWriter, r *http.Request, callerID string) error {
		if err := svc.RequireSystemAdmin(r.Context(), callerID); err != nil {
			return err
		}
		var req globalUserUpdate
		if err := httpapi.DecodeJSON(r, httpapi.MaxJSONBody, &req); err != nil {
			return err
		}
		c := identity.AccountChanges{SystemAdmin: req.IsSuperAdmin, Disabled: req.Disabled}
		if req.Name != nil {
			first, last := splitName(*req.Name)
			c.FirstName, c.LastName = &first, &last
		}
		if _, err := svc.UpdateAccount(r.Context(), callerID, r.PathValue("email"), c); err != nil {
			return err
		}
		return httpapi.WriteText(w, http.StatusOK, "user updated")
	}))
	rt.Handle("GET "+BasePath+"/users/list_as_super_admin", authenticated(func(w http.ResponseWriter, r *http.Request, callerID string) error {
		if err := svc.RequireSystemAdmin(r.Context(), callerID); err != nil {
			return err
		}
		q := r.URL.Query()
		page, err := intParam(q.Get("page"), "page")
		if err != nil {
			return err
		}
		perPage, err := intParam(q.Get("per_page"), "per_page")
		if err != nil {
			return err
		}
		users, err := svc.Accounts(r.Context(), callerID, page, perPage)
		if err != nil {
			return err
		}
		activeOnly := q.Get("active_only") == "true"
		out := make([]GlobalUserInfo, 0, len(users))
		for _, u := range users {
			if !activeOnly || !u.Disabled {
				out = append(out, globalUserOf(u))
			}
		}
		return httpapi.WriteJSON(w, http.StatusOK, out)
	}))
}

// intParam reads an optional positive integer query parameter (0 when
// absent).
func intParam(v, name string) (int, error) {
	if v == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > 1_000_000 {
		return 0, failure.Field(name, "%s must be a positive integer", name)
	}
	return n, nil
}
