package effektif

import (
	"net/http"

	"github.com/effektif-serverless/caseflow/shared/httpapi"
	"github.com/effektif-serverless/caseflow/shared/identity"
)

// ServiceLogin is a sign-in with an external OpenID Connect provider: the
// start answers stateReference and authenticationUrl (where the browser is
// sent), the finish answers token and redirectTo.
type ServiceLogin struct {
	StateReference    string `json:"stateReference,omitempty"`
	AuthenticationURL string `json:"authenticationUrl,omitempty"`
	Token             string `json:"token,omitempty"`
	RedirectTo        string `json:"redirectTo,omitempty"`
	Hostname          string `json:"hostname,omitempty"`
}

// ProviderLoginRoutes registers the public routes of the sign-in with an
// external provider: POST /login/{providerKey} starts it, PUT
// /login/{providerKey}?code=&state=&error=&error_description= finishes it
// with what the provider redirected back with.
func ProviderLoginRoutes(rt *httpapi.Router, svc *identity.Service) {
	rt.Handle("POST "+BasePath+"/login/{providerKey}", func(w http.ResponseWriter, r *http.Request) error {
		var req ServiceLogin
		if err := httpapi.DecodeOptionalJSON(r, httpapi.MaxJSONBody, &req); err != nil {
			return err
		}
		state, authURL, err := svc.BeginProviderLogin(r.Context(), r.PathValue("providerKey"), req.RedirectTo)
		if err != nil {
			return err
		}
		return httpapi.WriteJSON(w, http.StatusOK, ServiceLogin{StateReference: state, AuthenticationURL: authURL})
	})
	rt.Handle("PUT "+BasePath+"/login/{providerKey}", func(w http.ResponseWriter, r *http.Request) error {
		// The body is optional; the parameters come from the provider's redirect.
		var req ServiceLogin
		if err := httpapi.DecodeOptionalJSON(r, httpapi.MaxJSONBody, &req); err != nil {
			return err
		}
		q := r.URL.Query()
		state := q.Get("state")
		if state == "" {
			state = req.StateReference
		}
		login, redirectTo, err := svc.FinishProviderLogin(r.Context(), r.PathValue("providerKey"),
			q.Get("code"), state, q.Get("error"), q.Get("error_description"))
		if err != nil {
			return err
		}
		return httpapi.WriteJSON(w, http.StatusOK, ServiceLogin{Token: login.Token, RedirectTo: redirectTo})
	})
}
