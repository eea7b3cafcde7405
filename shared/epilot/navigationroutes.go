package epilot

import (
	"encoding/json"
	"net/http"

	"github.com/effektif-serverless/caseflow/shared/failure"
	"github.com/effektif-serverless/caseflow/shared/httpapi"
	"github.com/effektif-serverless/caseflow/shared/identity"
)

// Navigation is a navigation as answered: its content-hash id, its name
// and its configuration (normalized).
type Navigation struct {
	ID            string          `json:"id"`
	Name          string          `json:"name"`
	Configuration json.RawMessage `json:"configuration"`
}

// NavigationRoutes registers the navigations: immutable, global across
// organizations, named by the hash of their content (identity
// navigations.go), for any signed-in user.
func NavigationRoutes(rt *httpapi.Router, svc *identity.Service) {
	rt.Handle("POST /v2/user/navigations", httpapi.Authenticated(func(w http.ResponseWriter, r *http.Request, callerID string) error {
		var in struct {
			Name          *string         `json:"name"`
			Configuration json.RawMessage `json:"configuration"`
		}
		if err := decodeObject(r, httpapi.MaxJSONBody, &in); err != nil {
			return err
		}
		if in.Name == nil {
			return failure.Field("name", "name is required")
		}
		n, err := svc.CreateNavigation(r.Context(), callerID, *in.Name, in.Configuration)
		if err != nil {
			return err
		}
		return httpapi.WriteJSON(w, http.StatusCreated, Navigation{ID: n.ID, Name: n.Name, Configuration: n.Configuration})
	}))
	rt.Handle("GET /v2/user/navigations/{id}", httpapi.Authenticated(func(w http.ResponseWriter, r *http.Request, callerID string) error {
		n, err := svc.Navigation(r.Context(), callerID, r.PathValue("id"))
		if err != nil {
			return err
		}
		return httpapi.WriteJSON(w, http.StatusOK, Navigation{ID: n.ID, Name: n.Name, Configuration: n.Configuration})
	}))
}
