package epilot

import (
	"net/http"
	"strings"

	"github.com/effektif-serverless/caseflow/shared/failure"
	"github.com/effektif-serverless/caseflow/shared/httpapi"
	"github.com/effektif-serverless/caseflow/shared/identity"
)

// The public routes (template.yaml: Authorizer NONE) never read the
// Authorization header: a configured client sends its bearer anyway, even
// an expired one.

// resetMessage is requestPasswordReset's one answer, for every address.
const resetMessage = "If an account exists, a password reset email has been sent."

// token reads the required ?token of a public route. Errors: Invalid
// when it is missing.
func token(r *http.Request) (string, error) {
	t := r.URL.Query().Get("token")
	if t == "" {
		return "", failure.Field("token", "the token query parameter is required")
	}
	return t, nil
}

// tokenNotFound answers an unknown, used or expired token of a public
// route as epilot does: 404.
func tokenNotFound(err error) error {
	if failure.Is(err, failure.Gone) || failure.Is(err, failure.NotFound) {
		return failure.New(failure.NotFound, "Token not found")
	}
	return err
}

// PublicRoutes registers the public routes of users: signup, invitations
// by their token, password resets, address verification and the login
// parameters.
func PublicRoutes(rt *httpapi.Router, svc *identity.Service) {
	base := "/v2/users/public"
	rt.Handle("POST "+base+"/signup", func(w http.ResponseWriter, r *http.Request) error {
		return signUp(w, r, svc)
	})
	rt.Handle("GET "+base+"/checkToken", func(w http.ResponseWriter, r *http.Request) error {
		code, err := token(r)
		if err != nil {
			return err
		}
		reg, org, existing, err := svc.InvitationByCode(r.Context(), code)
		if err != nil {
			return tokenNotFound(err)
		}
		out := map[string]string{"invitation_org_id": org.ID, "invitation_org_name": org.Name, "invitation_org_logo_url": "",
			"invitation_org_logo_thumbnail_url": "", "invitee_user_id": reg.ID}
		// The account activation makes takes the registration's id; an
		// invitee who has an account: its id, and the organization
		// it signs in to first.
		if existing != "" {
			out["invitee_user_id"] = existing
			if _, orgs, err := svc.Organizations(r.Context(), existing); err == nil && len(orgs) > 0 {
				out["invitee_primary_org_id"] = orgs[0].ID
			}
		}
		return httpapi.WriteJSON(w, http.StatusOK, out)
	})
	rt.Handle("POST "+base+"/activate", func(w http.ResponseWriter, r *http.Request) error {
		code, err := token(r)
		if err != nil {
			return err
		}
		var body struct {
			DisplayName *string `json:"display_name"`
			Password    *string `json:"password"`
		}
		if err := httpapi.DecodeOptionalJSON(r, httpapi.MaxJSONBody, &body); err != nil {
			return err
		}
		req := identity.RegistrationRequest{}
		if body.DisplayName != nil {
			req.FirstName, req.LastName = splitName(*body.DisplayName)
		}
		if body.Password != nil {
			req.Password = *body.Password
		}
		if _, err := svc.Activate(r.Context(), code, req); err != nil {
			return tokenNotFound(err)
		}
		w.WriteHeader(http.StatusOK)
		return nil
	})
	rt.Handle("DELETE "+base+"/reject", func(w http.ResponseWriter, r *http.Request) error {
		code, err := token(r)
		if err != nil {
			return err
		}
		if err := svc.RejectInvitation(r.Context(), code); err != nil {
			return tokenNotFound(err)
		}
		return httpapi.WriteJSON(w, http.StatusOK, map[string]bool{"success": true})
	})
	rt.Handle("POST "+base+"/requestPasswordReset", func(w http.ResponseWriter, r *http.Request) error {
		email, err := emailBody(r)
		if err != nil {
			return err
		}
		if err := svc.RequestPasswordReset(r.Context(), email); err != nil {
			return err
		}
		return httpapi.WriteJSON(w, http.StatusOK, map[string]string{"message": resetMessage})
	})
	rt.Handle("POST "+base+"/resetPassword", func(w http.ResponseWriter, r *http.Request) error {
		var body struct {
			Email, Token, Password *string
		}
		if err := decodeObject(r, httpapi.MaxJSONBody, &body); err != nil {
			return err
		}
		for name, v := range map[string]*string{"email": body.Email, "token": body.Token, "password": body.Password} {
			if v == nil || *v == "" {
				return failure.Field(name, "%s is required", name)
			}
		}
		_, err := svc.ResetPassword(r.Context(), *body.Email, *body.Token, *body.Password)
		switch {
		case failure.Is(err, failure.Gone):
			return httpapi.WriteJSON(w, http.StatusBadRequest, resetRefusal{Error: "INVALID_RESET_LINK", Message: "the reset link is invalid or has expired", Violations: []string{}})
		case failure.Is(err, failure.Invalid):
			msg := failure.As(err).Message
			return httpapi.WriteJSON(w, http.StatusBadRequest, resetRefusal{Error: "PASSWORD_POLICY", Message: msg, Violations: []string{violation(msg)}})
		case err != nil:
			return err
		}
		return httpapi.WriteJSON(w, http.StatusOK, map[string]bool{"success": true})
	})
	rt.Handle("POST "+base+"/verifyEmail", func(w http.ResponseWriter, r *http.Request) error {
		code, err := token(r)
		if err != nil {
			return err
		}
		var body struct {
			Password *string `json:"password"`
		}
		if err := decodeObject(r, httpapi.MaxJSONBody, &body); err != nil {
			return err
		}
		if body.Password == nil || *body.Password == "" {
			return failure.Field("password", "password is required")
		}
		if _, err := svc.ConfirmEmailChangeWithPassword(r.Context(), code, *body.Password); err != nil {
			return tokenNotFound(err)
		}
		return httpapi.WriteJSON(w, http.StatusOK, map[string]bool{"success": true})
	})
	loginParams := func(w http.ResponseWriter, r *http.Request) error {
		orgs, registered, err := svc.LoginOrganizations(r.Context(), r.PathValue("username"))
		if err != nil {
			return err
		}
		return httpapi.WriteJSON(w, http.StatusOK, map[string]any{"login_parameters": loginParameters(orgs, svc.PasskeysEnabled(), registered)})
	}
	rt.Handle("GET "+base+"/username/{username}:getLoginParameters", loginParams)
	rt.Handle("GET /v1/users/username/{username}:getLoginParameters", loginParams)
}

// violation names the password rule a policy message states.
func violation(msg string) string {
	switch {
	case strings.Contains(msg, "at least"):
		return "too_short"
	case strings.Contains(msg, "at most"):
		return "too_long"
	}
	return "invalid"
}

// resetRefusal is resetPassword's 400 body, as the SDK defines it.
type resetRefusal struct {
	Error      string   `json:"error"`
	Message    string   `json:"message"`
	Violations []string `json:"violations"`
}

// partnerSignUp is a sign-up with a partner invitation token: the
// invitation's mailed code proves the address, so the account is made at
// once. It joins the inviting organization (the invitation accepted, so
// that organization is its primary one) and creates the partner's own
// organization, which it owns and the answer names. Errors: NotFound for an unknown, used or expired token; Invalid
// for a token of another address; Conflict when the address has an
// account (it signs in and accepts the invitation instead).
func partnerSignUp(w http.ResponseWriter, r *http.Request, svc *identity.Service, token string, req identity.RegistrationRequest, orgType string) error {
	if err := identity.ValidateName("organization_detail.name", req.OrganizationName); err != nil {
		return err
	}
	if err := identity.ValidatePassword("user_detail.password", req.Password); err != nil {
		return err
	}
	reg, _, existing, err := svc.InvitationByCode(r.Context(), token)
	if err != nil {
		return tokenNotFound(err)
	}
	if identity.NormalizeEmail(reg.Email) != identity.NormalizeEmail(req.Email) {
		return failure.Field("user_detail.email", "the partner invitation is for another address")
	}
	if existing != "" {
		return failure.New(failure.Conflict, "the address has an account: sign in and accept the invitation instead")
	}
	login, err := svc.Activate(r.Context(), token, req)
	if err != nil {
		return tokenNotFound(err)
	}
	d, err := svc.CreateOrganization(r.Context(), login.User.ID, identity.NewOrganization{Name: req.OrganizationName})
	if err != nil {
		return err
	}
	owner := identity.Member{User: login.User, Membership: d.Caller}
	org := Organization{ID: d.ID, Type: orgType, Name: d.Name, PricingTier: req.Edition, Email: req.Email}
	return httpapi.WriteJSON(w, http.StatusOK, map[string]any{"user": userV1(owner, d.Organization), "organization": org})
}

// signupPayload is signUpUser's body.
type signupPayload struct {
	OrganizationDetail *struct {
		Type        *string `json:"type"`
		Name        *string `json:"name"`
		PricingTier *string `json:"pricing_tier"`
		Email       *string `json:"email"`
		Phone       *string `json:"phone"`
		Website     *string `json:"website"`
		Privacy     *bool   `json:"is_privacy_policy_checked"`
		Terms       *bool   `json:"is_terms_and_conditions_checked"`
	} `json:"organization_detail"`
	UserDetail *struct {
		FullName *string `json:"full_name"`
		Email    *string `json:"email"`
		Password *string `json:"password"`
	} `json:"user_detail"`
	Language *string `json:"language"`
}

// signUp registers an organization and its first user. As every sign-up
// of the core, it mails a single-use code to the address and creates
// nothing until the code is activated (activateUser takes it): an address
// is never claimed by someone who cannot read its mail, and the answer is
// the same whether or not the address has an account. The answer shows
// what activation will create; the user's id is a pending one.
func signUp(w http.ResponseWriter, r *http.Request, svc *identity.Service) error {
	var p signupPayload
	if err := decodeObject(r, httpapi.MaxJSONBody, &p); err != nil {
		return err
	}
	o, u := p.OrganizationDetail, p.UserDetail
	if o == nil || u == nil {
		return failure.New(failure.Invalid, "organization_detail and user_detail are required")
	}
	for name, v := range map[string]*string{"organization_detail.name": o.Name, "organization_detail.type": o.Type,
		"organization_detail.pricing_tier": o.PricingTier, "organization_detail.email": o.Email,
		"user_detail.full_name": u.FullName, "user_detail.email": u.Email, "user_detail.password": u.Password} {
		if v == nil || strings.TrimSpace(*v) == "" {
			return failure.Field(name, "%s is required", name)
		}
	}
	if *o.Type != "Vendor" && *o.Type != "Partner" {
		return failure.Field("organization_detail.type", "type is Vendor or Partner")
	}
	lang := "en"
	if p.Language != nil {
		if *p.Language != "en" && *p.Language != "de" {
			return failure.Field("language", "language is en or de")
		}
		lang = *p.Language
	}
	first, last := splitName(*u.FullName)
	req := identity.RegistrationRequest{Email: *u.Email, Password: *u.Password, FirstName: first,
		LastName: last, Language: lang, OrganizationName: *o.Name, Edition: *o.PricingTier}
	if token := r.URL.Query().Get("token"); token != "" {
		return partnerSignUp(w, r, svc, token, req, *o.Type)
	}
	if err := svc.Register(r.Context(), req); err != nil {
		return err
	}
	org := Organization{Type: *o.Type, Name: *o.Name, PricingTier: *o.PricingTier, Email: *o.Email}
	if o.Phone != nil {
		org.Phone = *o.Phone
	}
	if o.Website != nil {
		org.Website = *o.Website
	}
	user := UserV1{ID: invitationID("signup", *u.Email), Email: *u.Email, DisplayName: strings.TrimSpace(*u.FullName),
		Name: strings.TrimSpace(*u.FullName), PreferredLanguage: lang, Roles: []string{}, Properties: []byte("[]")}
	return httpapi.WriteJSON(w, http.StatusOK, map[string]any{"user": user, "organization": org})
}

// emailBody reads a body {email}. Errors: Invalid without an address.
func emailBody(r *http.Request) (string, error) {
	var body struct {
		Email *string `json:"email"`
	}
	if err := decodeObject(r, httpapi.MaxJSONBody, &body); err != nil {
		return "", err
	}
	if body.Email == nil || *body.Email == "" {
		return "", failure.Field("email", "email is required")
	}
	return *body.Email, nil
}
