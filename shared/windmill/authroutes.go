package windmill

import (
	"net/http"
	"time"

	"github.com/effektif-serverless/caseflow/shared/failure"
	"github.com/effektif-serverless/caseflow/shared/httpapi"
	"github.com/effektif-serverless/caseflow/shared/identity"
)

// authenticated is httpapi.Authenticated: 401 without a live token.
var authenticated = httpapi.Authenticated

// callerToken is the token the request authenticated with: the bearer,
// else the token cookie.
func callerToken(r *http.Request) string {
	if t := httpapi.Token(r); t != "" {
		return t
	}
	return httpapi.CookieValue(r, TokenCookie)
}

// required reports a missing string field of a body as Invalid.
func required(field string, v *string) error {
	if v == nil || *v == "" {
		return failure.Field(field, "%s is required", field)
	}
	return nil
}

// answerLogin answers a new session: the token as text and as the token
// cookie.
func answerLogin(w http.ResponseWriter, r *http.Request, token string) error {
	httpapi.SetSessionCookie(w, r, TokenCookie, token, identity.SessionTTL)
	return httpapi.WriteText(w, http.StatusOK, token)
}

// AuthRoutes registers login, the OAuth callback and logout.
func AuthRoutes(rt *httpapi.Router, svc *identity.Service) {
	// Public: the Authorization header (the client's "Bearer no_token")
	// is ignored.
	rt.Handle("POST "+BasePath+"/auth/login", func(w http.ResponseWriter, r *http.Request) error {
		var req loginRequest
		if err := httpapi.DecodeJSON(r, httpapi.MaxJSONBody, &req); err != nil {
			return err
		}
		if err := required("email", req.Email); err != nil {
			return err
		}
		if err := required("password", req.Password); err != nil {
			return err
		}
		login, err := svc.Login(r.Context(), *req.Email, *req.Password)
		if err != nil {
			return err
		}
		return answerLogin(w, r, login.Token)
	})
	rt.Handle("POST "+BasePath+"/oauth/login_callback/{client_name}", func(w http.ResponseWriter, r *http.Request) error {
		var req oauthCallback
		if err := httpapi.DecodeJSON(r, httpapi.MaxJSONBody, &req); err != nil {
			return err
		}
		if err := required("code", req.Code); err != nil {
			return err
		}
		if err := required("state", req.State); err != nil {
			return err
		}
		login, _, err := svc.FinishProviderLogin(r.Context(), r.PathValue("client_name"), *req.Code, *req.State, "", "")
		if failure.Is(err, failure.Gone) {
			// A state this server did not issue, or one used or expired.
			return failure.New(failure.Unauthenticated, "the sign-in state is unknown, used or expired; start the sign-in again")
		}
		if err != nil {
			return err
		}
		return answerLogin(w, r, login.Token)
	})
	logout := authenticated(func(w http.ResponseWriter, r *http.Request, _ string) error {
		if err := svc.RevokeSession(r.Context(), callerToken(r)); err != nil {
			return err
		}
		httpapi.ClearCookie(w, r, TokenCookie)
		return httpapi.WriteText(w, http.StatusOK, "logged out")
	})
	rt.Handle("POST "+BasePath+"/auth/logout", logout)
	rt.Handle("POST "+BasePath+"/users/logout", logout)
}

// parseExpiration reads an RFC 3339 instant ("" for none).
func parseExpiration(v *string) (time.Time, error) {
	if v == nil || *v == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339Nano, *v)
	if err != nil {
		return time.Time{}, failure.Field("expiration", "expiration must be an RFC 3339 instant")
	}
	return t, nil
}
