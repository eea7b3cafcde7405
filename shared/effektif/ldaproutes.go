package effektif

import (
	"net/http"

	"github.com/effektif-serverless/caseflow/shared/httpapi"
	"github.com/effektif-serverless/caseflow/shared/identity"
)

// LdapRoutes registers the directory routes of the Effektif Organization
// group. They read the organization's LDAP directory (ldapConnector) and
// answer 502 with the reason when it cannot be reached.
func LdapRoutes(rt *httpapi.Router, svc *identity.Service) {
	base := BasePath + "/{organizationKey}/ldap"
	rt.Handle("GET "+base+"/users", tenant(svc, func(w http.ResponseWriter, r *http.Request, a identity.Access) error {
		users, err := svc.LDAPUsers(r.Context(), a, r.URL.Query().Get("exclude"))
		if err != nil {
			return err
		}
		return httpapi.WriteJSON(w, http.StatusOK, users)
	}))
	rt.Handle("GET "+base+"/groups", tenant(svc, func(w http.ResponseWriter, r *http.Request, a identity.Access) error {
		groups, err := svc.LDAPGroups(r.Context(), a, r.URL.Query().Get("exclude"))
		if err != nil {
			return err
		}
		return httpapi.WriteJSON(w, http.StatusOK, groups)
	}))
	// The document makes the LdapGroup a required body of this GET; the
	// group's dn is read from the body or, for clients that cannot send a
	// body with GET, from the dn query parameter.
	rt.Handle("GET "+base+"/groupMembers", tenant(svc, func(w http.ResponseWriter, r *http.Request, a identity.Access) error {
		var group struct {
			DN string `json:"dn"`
		}
		if err := httpapi.DecodeOptionalJSON(r, httpapi.MaxJSONBody, &group); err != nil {
			return err
		}
		if dn := r.URL.Query().Get("dn"); dn != "" {
			group.DN = dn
		}
		users, err := svc.LDAPGroupMembers(r.Context(), a, group.DN)
		if err != nil {
			return err
		}
		return httpapi.WriteJSON(w, http.StatusOK, users)
	}))
}
