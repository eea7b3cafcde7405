package effektif

import (
	"encoding/json"
	"net/http"
	"runtime/debug"

	"github.com/effektif-serverless/caseflow/shared/failure"
	"github.com/effektif-serverless/caseflow/shared/httpapi"
	"github.com/effektif-serverless/caseflow/shared/identity"
)

// NewRouter returns a router that renders errors in the Effektif shape.
func NewRouter() *httpapi.Router {
	return httpapi.NewRouter(renderError)
}

func renderError(w http.ResponseWriter, _ *http.Request, err *failure.Error) {
	httpapi.SetErrorHeaders(w, err, "effektif")
	_ = httpapi.WriteJSON(w, err.Status(), Error{Message: err.Message, Code: string(err.Code), Field: wireField(err.Field), Details: err.Details})
}

// wireField is the Effektif name of a canonical field the core names.
func wireField(canonical string) string {
	if canonical == identity.FieldEmail {
		return "emailAddress"
	}
	return canonical
}

// UserRoutes registers the routes of the Effektif User group served so far.
func UserRoutes(rt *httpapi.Router, svc *identity.Service) {
	rt.Handle("POST "+BasePath+"/registrations", func(w http.ResponseWriter, r *http.Request) error {
		var req RegistrationRequest
		if err := httpapi.DecodeJSON(r, httpapi.MaxJSONBody, &req); err != nil {
			return err
		}
		if err := svc.Register(r.Context(), req.core()); err != nil {
			return err
		}
		return httpapi.WriteJSON(w, http.StatusOK, struct{}{})
	})
	rt.Handle("GET "+BasePath+"/registrations/{code}", func(w http.ResponseWriter, r *http.Request) error {
		code := r.PathValue("code")
		reg, inviting, err := svc.PendingRegistration(r.Context(), code)
		if err != nil {
			return err
		}
		org := Organization{Name: reg.OrganizationName, AdminIDs: []string{}, LicenseProfileIDs: []string{}, SystemUserIDs: []string{}, Invitations: []string{}}
		if inviting != nil {
			org.ID, org.Key = inviting.ID, inviting.Key
		}
		return httpapi.WriteJSON(w, http.StatusOK, Registration{
			ID: reg.ID, Code: code, Created: reg.Created, Edition: reg.Edition, Newsletter: reg.Newsletter,
			Organization: org, OrganizationID: org.ID,
			User: User{EmailAddress: reg.Email, FirstName: reg.FirstName, LastName: reg.LastName, Phone: reg.Phone,
				Color: reg.Color, Country: reg.Country, GroupIDs: []string{}, OrganizationIDs: []string{}},
		})
	})
	rt.Handle("POST "+BasePath+"/registrations/{code}/activate", func(w http.ResponseWriter, r *http.Request) error {
		// The body is optional: everything may have been given at registration.
		var req RegistrationRequest
		if err := httpapi.DecodeOptionalJSON(r, httpapi.MaxJSONBody, &req); err != nil {
			return err
		}
		login, err := svc.Activate(r.Context(), r.PathValue("code"), req.core())
		if err != nil {
			return err
		}
		return httpapi.WriteJSON(w, http.StatusOK, loginResponseOf(login))
	})
	rt.Handle("POST "+BasePath+"/users/login", func(w http.ResponseWriter, r *http.Request) error {
		var req LoginRequest
		if err := httpapi.DecodeJSON(r, httpapi.MaxJSONBody, &req); err != nil {
			return err
		}
		var login identity.Login
		var err error
		if req.Password == "" && req.Token != "" {
			login, err = svc.LoginWithToken(r.Context(), req.Token)
		} else {
			login, err = svc.Login(r.Context(), req.EmailAddress, req.Password)
		}
		if err != nil {
			return err
		}
		return httpapi.WriteJSON(w, http.StatusOK, loginResponseOf(login))
	})
	rt.Handle("POST "+BasePath+"/users/reset", func(w http.ResponseWriter, r *http.Request) error {
		var req struct {
			EmailAddress string `json:"emailAddress"`
		}
		if err := httpapi.DecodeJSON(r, httpapi.MaxJSONBody, &req); err != nil {
			return err
		}
		if err := svc.RequestPasswordReset(r.Context(), req.EmailAddress); err != nil {
			return err
		}
		return httpapi.WriteJSON(w, http.StatusOK, struct{}{})
	})
	rt.Handle("POST "+BasePath+"/users/confirm", func(w http.ResponseWriter, r *http.Request) error {
		var req struct {
			Code     string `json:"code"`
			Password string `json:"password"`
		}
		if err := httpapi.DecodeJSON(r, httpapi.MaxJSONBody, &req); err != nil {
			return err
		}
		login, err := svc.ConfirmPasswordReset(r.Context(), req.Code, req.Password)
		if err != nil {
			return err
		}
		return httpapi.WriteJSON(w, http.StatusOK, loginResponseOf(login))
	})
	// Not in the document: a new address is confirmed with the code
	// mailed to it (PUT /{org}/users/{id} with a new emailAddress asks for
	// it). Public: the code proves the mailbox. Answers the user as they
	// are now.
	rt.Handle("POST "+BasePath+"/users/email/confirm", func(w http.ResponseWriter, r *http.Request) error {
		var req struct {
			Code string `json:"code"`
		}
		if err := httpapi.DecodeJSON(r, httpapi.MaxJSONBody, &req); err != nil {
			return err
		}
		u, err := svc.ConfirmEmailChange(r.Context(), req.Code)
		if err != nil {
			return err
		}
		return httpapi.WriteJSON(w, http.StatusOK, UserOf(u, []string{}, false))
	})
	rt.Handle("POST "+BasePath+"/{organizationKey}/users/{userId}/handover", tenant(svc, func(w http.ResponseWriter, r *http.Request, a identity.Access) error {
		var req HandoverLogin
		if err := httpapi.DecodeOptionalJSON(r, httpapi.MaxJSONBody, &req); err != nil {
			return err
		}
		h, err := svc.CreateHandover(r.Context(), a, r.PathValue("userId"), req.RedirectTo)
		if err != nil {
			return err
		}
		return httpapi.WriteJSON(w, http.StatusOK, HandoverLogin{Reference: h.Reference, RedirectTo: h.RedirectTo, OrganizationKey: h.OrganizationKey})
	}))
	rt.Handle("POST "+BasePath+"/users/login/handover", func(w http.ResponseWriter, r *http.Request) error {
		var req HandoverLogin
		if err := httpapi.DecodeJSON(r, httpapi.MaxJSONBody, &req); err != nil {
			return err
		}
		login, h, err := svc.RedeemHandover(r.Context(), req.Reference)
		if err != nil {
			return err
		}
		return httpapi.WriteJSON(w, http.StatusOK, HandoverLogin{Token: login.Token, RedirectTo: h.RedirectTo, OrganizationKey: h.OrganizationKey})
	})
	rt.Handle("GET "+BasePath+"/about", httpapi.Authenticated(func(w http.ResponseWriter, r *http.Request, _ string) error {
		return httpapi.WriteJSON(w, http.StatusOK, about())
	}))
	rt.Handle("GET "+BasePath+"/{organizationKey}/users/{userId}", tenant(svc, func(w http.ResponseWriter, r *http.Request, a identity.Access) error {
		m, err := svc.Member(r.Context(), a, r.PathValue("userId"))
		if err != nil {
			return err
		}
		ds, err := svc.MemberDetails(r.Context(), a, []identity.Member{m})
		if err != nil {
			return err
		}
		u := UserDetailOf(ds[0], a.UserID)
		u.Preferences = preferencesOf(m.Preferences) // the core sets them for their owner only
		return httpapi.WriteJSON(w, http.StatusOK, u)
	}))
	rt.Handle("GET "+BasePath+"/{organizationKey}/users", tenant(svc, func(w http.ResponseWriter, r *http.Request, a identity.Access) error {
		p, err := Pagination.Read(r)
		if err != nil {
			return err
		}
		q := r.URL.Query()
		members, err := svc.Members(r.Context(), a, identity.MemberQuery{
			EmailAddress: q.Get("emailAddress"), Name: q.Get("name"), Offset: p.Offset, PageSize: p.Size,
		})
		if err != nil {
			return err
		}
		ds, err := svc.MemberDetails(r.Context(), a, members)
		if err != nil {
			return err
		}
		out := make([]User, len(ds))
		for i, d := range ds {
			out[i] = UserDetailOf(d, a.UserID)
		}
		return httpapi.WriteJSON(w, http.StatusOK, out)
	}))
	rt.Handle("PUT "+BasePath+"/{organizationKey}/users/{userId}", tenant(svc, func(w http.ResponseWriter, r *http.Request, a identity.Access) error {
		var in userInput
		if err := httpapi.DecodeJSON(r, httpapi.MaxJSONBody, &in); err != nil {
			return err
		}
		m, err := svc.UpdateUser(r.Context(), a, r.PathValue("userId"), identity.UserChanges{
			FirstName: in.FirstName, LastName: in.LastName, Phone: in.Phone, Color: in.Color, Country: in.Country,
			Language: in.Language, TimeZone: in.TimeZone, Email: in.EmailAddress, Password: in.Password,
			SessionToken: httpapi.Token(r),
		})
		if err != nil {
			return err
		}
		ds, err := svc.MemberDetails(r.Context(), a, []identity.Member{m})
		if err != nil {
			return err
		}
		return httpapi.WriteJSON(w, http.StatusOK, UserDetailOf(ds[0], a.UserID))
	}))
	// The document names this path's variable workspaceKey; it is the
	// organization key like everywhere else.
	rt.Handle("PUT "+BasePath+"/{organizationKey}/users/{userId}/preferences", tenant(svc, func(w http.ResponseWriter, r *http.Request, a identity.Access) error {
		var prefs json.RawMessage
		if err := httpapi.DecodeJSON(r, identity.MaxPreferences+1, &prefs); err != nil {
			return err
		}
		if err := svc.SetPreferences(r.Context(), a, r.PathValue("userId"), prefs); err != nil {
			return err
		}
		w.WriteHeader(http.StatusNoContent)
		return nil
	}))
	rt.Handle("POST "+BasePath+"/{organizationKey}/users/{userId}/leave", tenant(svc, func(w http.ResponseWriter, r *http.Request, a identity.Access) error {
		var in struct {
			OrganizationID string `json:"organizationId"`
		}
		if err := httpapi.DecodeOptionalJSON(r, httpapi.MaxJSONBody, &in); err != nil {
			return err
		}
		if err := svc.Leave(r.Context(), a, r.PathValue("userId"), in.OrganizationID); err != nil {
			return err
		}
		w.WriteHeader(http.StatusNoContent)
		return nil
	}))
}

// userInput is the body of PUT /users/{userId}: the User fields a user may
// change; password is write-only.
type userInput struct {
	FirstName    *string `json:"firstName"`
	LastName     *string `json:"lastName"`
	Phone        *string `json:"phone"`
	Color        *string `json:"color"`
	Country      *string `json:"country"`
	Language     *string `json:"language"`
	TimeZone     *string `json:"timeZone"`
	EmailAddress *string `json:"emailAddress"`
	Password     *string `json:"password"`
}

func preferencesOf(raw []byte) map[string]any {
	var m map[string]any
	if len(raw) > 0 && json.Unmarshal(raw, &m) == nil {
		return m
	}
	return nil
}

// OrganizationRoutes registers the routes of the Effektif Organization group
// served so far.
func OrganizationRoutes(rt *httpapi.Router, svc *identity.Service) {
	rt.Handle("GET "+BasePath+"/systemconfiguration", func(w http.ResponseWriter, r *http.Request) error {
		c := svc.SystemConfiguration()
		out := SystemConfiguration{RegistrationEnabled: c.RegistrationEnabled, AuthenticationProviders: c.AuthenticationProviders}
		for _, t := range c.LicenseTypes {
			out.LicenseTypes = append(out.LicenseTypes, LicenseType{Name: t.Name, Description: t.Description, Packages: t.Packages})
		}
		return httpapi.WriteJSON(w, http.StatusOK, out)
	})
	// GET /{organizationKey} is not marked "requires authorization" in the
	// document; it answers members only, so that one tenant's members,
	// admins and settings are never visible to another's.
	// It makes its tenant check itself, at once with its first read
	// (identity.Service.CallerOrganization).
	rt.Handle("GET "+BasePath+"/{organizationKey}", httpapi.Authenticated(func(w http.ResponseWriter, r *http.Request, _ string) error {
		_, d, err := svc.CallerOrganization(r.Context(), httpapi.CallerOf(r), OrganizationKey(r))
		if err != nil {
			return err
		}
		return httpapi.WriteJSON(w, http.StatusOK, organizationDetailOf(d))
	}))
	// POST / creates an organization: the document does not mark it as
	// needing authorization, but the caller becomes its admin, so it does.
	create := httpapi.Authenticated(func(w http.ResponseWriter, r *http.Request, callerID string) error {
		var in struct {
			Name     string `json:"name"`
			Key      string `json:"key"`
			TimeZone string `json:"timeZone"`
		}
		if err := httpapi.DecodeJSON(r, httpapi.MaxJSONBody, &in); err != nil {
			return err
		}
		d, err := svc.CreateOrganization(r.Context(), callerID, identity.NewOrganization{Name: in.Name, Key: in.Key, TimeZone: in.TimeZone})
		if err != nil {
			return err
		}
		return httpapi.WriteJSON(w, http.StatusOK, organizationDetailOf(d))
	})
	rt.Handle("POST "+BasePath+"/{$}", create)
	rt.Handle("POST "+BasePath, create)
	rt.Handle("DELETE "+BasePath+"/{organizationKey}", tenant(svc, func(w http.ResponseWriter, r *http.Request, a identity.Access) error {
		if err := svc.DeleteOrganization(r.Context(), a); err != nil {
			return err
		}
		w.WriteHeader(http.StatusNoContent)
		return nil
	}))
	rt.Handle("GET "+BasePath+"/{organizationKey}/features", tenant(svc, func(w http.ResponseWriter, r *http.Request, a identity.Access) error {
		features, err := svc.Features(r.Context(), a)
		if err != nil {
			return err
		}
		return httpapi.WriteJSON(w, http.StatusOK, features)
	}))
	// GET /{organizationKey}/organizations answers one Organization, as
	// the document gives it (getOrganizations: a name argument, the
	// Organization model as its answer), not a list: without name, the
	// organization of the path (as GET /{organizationKey} answers it); with
	// name, the caller's organization of that name (case-insensitive; the
	// path's when it has it, else the one joined first), 404 when none of
	// the caller's organizations has it. The document does not mark it as
	// needing authorization; it answers members only and looks among the
	// caller's own organizations, so it reveals no other tenant's name. All
	// of a user's organizations are listed by the LoginResponse's
	// organizations and by the user's own User (organizations).
	rt.Handle("GET "+BasePath+"/{organizationKey}/organizations", tenant(svc, func(w http.ResponseWriter, r *http.Request, a identity.Access) error {
		d, err := svc.OrganizationNamed(r.Context(), a, r.URL.Query().Get("name"))
		if err != nil {
			return err
		}
		return httpapi.WriteJSON(w, http.StatusOK, organizationDetailOf(d))
	}))
	rt.Handle("DELETE "+BasePath+"/{organizationKey}/users/{userId}", tenant(svc, func(w http.ResponseWriter, r *http.Request, a identity.Access) error {
		if err := svc.RemoveMember(r.Context(), a, r.PathValue("userId")); err != nil {
			return err
		}
		w.WriteHeader(http.StatusNoContent)
		return nil
	}))
	rt.Handle("PUT "+BasePath+"/{organizationKey}", tenant(svc, func(w http.ResponseWriter, r *http.Request, a identity.Access) error {
		key := r.PathValue("organizationKey")
		var req OrganizationUpdate
		if err := httpapi.DecodeJSON(r, httpapi.MaxJSONBody, &req); err != nil {
			return err
		}
		if req.Key != nil && *req.Key != key {
			return failure.Field("key", "the key of an organization cannot be changed")
		}
		d, err := svc.UpdateOrganization(r.Context(), a, identity.OrganizationChanges{
			Name: req.Name, CustomCSS: req.CustomCSS, TimeZone: req.TimeZone, LdapConnector: req.LdapConnector,
		})
		if err != nil {
			return err
		}
		return httpapi.WriteJSON(w, http.StatusOK, organizationDetailOf(d))
	}))
}

// Version is the product version reported by /about; set at build time with
// -ldflags "-X github.com/effektif-serverless/caseflow/shared/effektif.Version=...".
var Version = "0.1.0"

// about reports the version and, from the Go build information, the commit
// the binary was built from and its date.
func about() About {
	a := About{Version: Version, LatestCommits: []string{}}
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, s := range info.Settings {
			switch s.Key {
			case "vcs.revision":
				a.LatestCommits = append(a.LatestCommits, s.Value)
			case "vcs.time":
				a.BuildDate = s.Value
			}
		}
	}
	return a
}
