package epilot

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"strings"

	"github.com/effektif-serverless/caseflow/shared/failure"
	"github.com/effektif-serverless/caseflow/shared/httpapi"
	"github.com/effektif-serverless/caseflow/shared/identity"
)

// paging is epilot's limit/offset paging.
var paging = httpapi.Paging{Offset: "offset", Size: "limit"}

// maxPage bounds a page (and is the page without a limit).
const maxPage = 500

// readPage reads a request's page, its size bounded by maxPage.
func readPage(r *http.Request) (httpapi.Page, error) {
	p, err := paging.Read(r)
	if p.Size == 0 || p.Size > maxPage {
		p.Size = maxPage
	}
	return p, err
}

// UserRoutes registers the users of the caller's current organization
// (v2 and the legacy v1), invitations and the caller's organizations.
func UserRoutes(rt *httpapi.Router, svc *identity.Service) {
	rt.Handle("GET /v2/users/me", current(svc, func(w http.ResponseWriter, r *http.Request, a identity.Access) error {
		m, err := svc.Member(r.Context(), a, a.UserID)
		if err != nil {
			return err
		}
		return httpapi.WriteJSON(w, http.StatusOK, readerUserV2(m, a))
	}))
	rt.Handle("GET /v2/users", current(svc, func(w http.ResponseWriter, r *http.Request, a identity.Access) error {
		page, err := readPage(r)
		if err != nil {
			return err
		}
		ms, err := svc.Members(r.Context(), a, identity.MemberQuery{Text: r.URL.Query().Get("query"), Offset: page.Offset, PageSize: page.Size})
		if err != nil {
			return err
		}
		out := make([]map[string]any, len(ms))
		for i, m := range ms {
			out[i] = userV2(m, a.Organization.ID)
		}
		return httpapi.WriteJSON(w, http.StatusOK, map[string]any{"results": out})
	}))
	rt.Handle("GET /v2/users/{id}", current(svc, func(w http.ResponseWriter, r *http.Request, a identity.Access) error {
		m, err := svc.Member(r.Context(), a, r.PathValue("id"))
		if err != nil {
			return err
		}
		return httpapi.WriteJSON(w, http.StatusOK, readerUserV2(m, a))
	}))
	rt.Handle("PATCH /v2/users/{id}", current(svc, func(w http.ResponseWriter, r *http.Request, a identity.Access) error {
		var body map[string]json.RawMessage
		if err := decodeObject(r, httpapi.MaxJSONBody, &body); err != nil {
			return err
		}
		if body == nil {
			return failure.New(failure.Invalid, "the body must be a UserV2 object")
		}
		c, err := userChanges(body)
		if err != nil {
			return err
		}
		c.SessionToken = httpapi.Token(r)
		id := r.PathValue("id")
		if _, err := svc.UpdateUser(r.Context(), a, id, c); err != nil {
			return err
		}
		m, err := svc.Member(r.Context(), a, id)
		if err != nil {
			return err
		}
		return httpapi.WriteJSON(w, http.StatusOK, readerUserV2(m, a))
	}))
	rt.Handle("DELETE /v2/users/{id}", current(svc, func(w http.ResponseWriter, r *http.Request, a identity.Access) error {
		id := r.PathValue("id")
		m, err := svc.Member(r.Context(), a, id)
		if err != nil {
			return err
		}
		if id == a.UserID {
			err = svc.Leave(r.Context(), a, id, "")
		} else {
			err = svc.RemoveMember(r.Context(), a, id)
		}
		if err != nil {
			return err
		}
		return httpapi.WriteJSON(w, http.StatusOK, userV1(m, a.Organization))
	}))
	rt.Handle("POST /v2/users/switchOrganization", current(svc, func(w http.ResponseWriter, r *http.Request, a identity.Access) error {
		var body struct {
			OrgID *string `json:"org_id"`
		}
		if err := decodeObject(r, httpapi.MaxJSONBody, &body); err != nil {
			return err
		}
		if body.OrgID == nil || *body.OrgID == "" {
			return failure.Field("org_id", "org_id is required")
		}
		token, err := svc.SwitchOrganization(r.Context(), a.Caller, *body.OrgID)
		if err != nil {
			return err
		}
		return httpapi.WriteJSON(w, http.StatusOK, map[string]string{"login_token": token})
	}))
	invitationRoutes(rt, svc)
	legacyUserRoutes(rt, svc)
}

// userChanges maps a UserV2 PATCH body: display_name, email, phone and
// preferred_language onto the identity, the kept attributes (profileKeys)
// onto its Profile; server-owned fields (id, status, tokens, flags,
// dates, draft_email) and unknown ones are ignored. Errors: Invalid for a
// field of the wrong kind.
func userChanges(body map[string]json.RawMessage) (identity.UserChanges, error) {
	c := identity.UserChanges{Profile: map[string]json.RawMessage{}}
	str := func(name string) (*string, error) {
		v, ok := body[name]
		if !ok || string(v) == "null" {
			return nil, nil
		}
		var s string
		if err := json.Unmarshal(v, &s); err == nil {
			return &s, nil
		}
		var n json.Number
		if name == "phone" && json.Unmarshal(v, &n) == nil {
			s := n.String()
			return &s, nil
		}
		return nil, failure.Field(name, "%s must be a string", name)
	}
	name, err := str("display_name")
	if err != nil {
		return c, err
	}
	if name != nil {
		first, last := splitName(*name)
		c.FirstName, c.LastName = &first, &last
	}
	if c.Email, err = str("email"); err != nil {
		return c, err
	}
	if c.Phone, err = str("phone"); err != nil {
		return c, err
	}
	if c.Language, err = str("preferred_language"); err != nil {
		return c, err
	}
	for k, kind := range profileKeys {
		v, ok := body[k]
		if !ok {
			continue
		}
		if string(v) != "null" && jsonKind(v) != kind {
			return c, failure.Field(k, "%s must be a JSON %s", k, kind)
		}
		if k == "properties" && string(v) != "null" {
			if err := checkProperties(v); err != nil {
				return c, err
			}
		}
		if k == "custom_start_page" && string(v) != "null" {
			var page string
			_ = json.Unmarshal(v, &page)
			if !strings.HasPrefix(page, startPagePrefix) {
				return c, failure.Field(k, "custom_start_page is a path of the app, starting %s", startPagePrefix)
			}
		}
		c.Profile[k] = v
	}
	return c, nil
}

// jsonKind names the kind of a JSON value.
func jsonKind(v json.RawMessage) string {
	t := strings.TrimSpace(string(v))
	switch {
	case t == "":
		return ""
	case t[0] == '{':
		return "object"
	case t[0] == '[':
		return "array"
	case t[0] == '"':
		return "string"
	case t == "true" || t == "false":
		return "boolean"
	case t == "null":
		return "null"
	}
	return "number"
}

// invitationID is the id a pending user is shown by: stable for the
// organization and the address, telling nothing of whether the address
// has an account.
func invitationID(orgID, email string) string {
	h := sha256.Sum256([]byte(orgID + "\x00" + identity.NormalizeEmail(email)))
	return hex.EncodeToString(h[:12])
}

// invitation is the body of inviteUser and resendUserInvitation.
type invitation struct {
	Email    *string   `json:"email"`
	Language *string   `json:"language"`
	Roles    *[]string `json:"roles"`
}

func (in invitation) check() error {
	if in.Email == nil || *in.Email == "" {
		return failure.Field("email", "email is required")
	}
	if in.Language != nil && *in.Language != "en" && *in.Language != "de" {
		return failure.Field("language", "language is en or de")
	}
	return nil
}

// adminRole tells whether roles "<orgId>:<role>" make the invitee an
// admin of the organization: owner and admin do, any other role makes a
// member. Errors: Invalid for a role of another organization or not of
// that shape.
func adminRole(roles *[]string, orgID string) (bool, error) {
	if roles == nil {
		return false, nil
	}
	if len(*roles) > 20 {
		return false, failure.Field("roles", "at most 20 roles")
	}
	admin := false
	for _, r := range *roles {
		org, role, ok := strings.Cut(r, ":")
		if !ok || role == "" {
			return false, failure.Field("roles", "a role is <orgId>:<role>, not %.60q", r)
		}
		if org != orgID {
			return false, failure.Field("roles", "the role %.60q is of another organization", r)
		}
		admin = admin || role == "owner" || role == "admin"
	}
	return admin, nil
}

func invitationRoutes(rt *httpapi.Router, svc *identity.Service) {
	rt.Handle("POST /v2/users/invite", current(svc, func(w http.ResponseWriter, r *http.Request, a identity.Access) error {
		var in invitation
		if err := decodeObject(r, httpapi.MaxJSONBody, &in); err != nil {
			return err
		}
		if err := in.check(); err != nil {
			return err
		}
		admin, err := adminRole(in.Roles, a.Organization.ID)
		if err != nil {
			return err
		}
		inv, err := svc.AddMember(r.Context(), a, identity.NewMember{Email: *in.Email, Admin: admin})
		if err != nil {
			return err
		}
		return httpapi.WriteJSON(w, http.StatusCreated, pendingUserV2(*inv, a.Organization.ID))
	}))
	rt.Handle("POST /v2/users/invite:resendEmail", current(svc, func(w http.ResponseWriter, r *http.Request, a identity.Access) error {
		var in invitation
		if err := decodeObject(r, httpapi.MaxJSONBody, &in); err != nil {
			return err
		}
		if err := in.check(); err != nil {
			return err
		}
		inv, err := svc.ResendInvitation(r.Context(), a, *in.Email)
		if failure.Is(err, failure.NotFound) {
			return failure.Field("email", "User not found.")
		}
		if err != nil {
			return err
		}
		return httpapi.WriteJSON(w, http.StatusOK, pendingUserV2(*inv, a.Organization.ID))
	}))
	rt.Handle("POST /v2/users:sendPasswordReset", current(svc, func(w http.ResponseWriter, r *http.Request, a identity.Access) error {
		email, err := emailBody(r)
		if err != nil {
			return err
		}
		if err := svc.SendMemberPasswordReset(r.Context(), a, email); err != nil {
			return err
		}
		return httpapi.WriteJSON(w, http.StatusOK, map[string]bool{"success": true})
	}))
}

// legacyUserRoutes registers the v1 users: the legacy User shape, listed
// across the caller's organizations.
func legacyUserRoutes(rt *httpapi.Router, svc *identity.Service) {
	rt.Handle("GET /v1/users/me", current(svc, func(w http.ResponseWriter, r *http.Request, a identity.Access) error {
		m, err := svc.Member(r.Context(), a, a.UserID)
		if err != nil {
			return err
		}
		return httpapi.WriteJSON(w, http.StatusOK, userV1(m, a.Organization))
	}))
	rt.Handle("GET /v1/users/{id}", current(svc, func(w http.ResponseWriter, r *http.Request, a identity.Access) error {
		m, err := svc.Member(r.Context(), a, r.PathValue("id"))
		if err != nil {
			return err
		}
		return httpapi.WriteJSON(w, http.StatusOK, userV1(m, a.Organization))
	}))
	// org_ids comes as org_ids[]=a&org_ids[]=b (what the clients send) or
	// org_ids=a,b; organizations the caller is not in are left out.
	rt.Handle("GET /v1/users", httpapi.Authenticated(func(w http.ResponseWriter, r *http.Request, callerID string) error {
		page, err := readPage(r)
		if err != nil {
			return err
		}
		wanted := map[string]bool{}
		for _, name := range []string{"org_ids", "org_ids[]"} {
			for _, id := range httpapi.ListParam(r, name) {
				wanted[id] = true
			}
		}
		if len(wanted) > 50 {
			return failure.Field("org_ids", "at most 50 organizations")
		}
		caller := httpapi.CallerOf(r)
		_, orgs, err := svc.Organizations(r.Context(), callerID)
		if err != nil {
			return err
		}
		out := []UserV1{}
		for _, o := range orgs {
			if len(wanted) > 0 && !wanted[o.ID] || caller.OrganizationID != "" && caller.OrganizationID != o.ID {
				continue
			}
			a, err := svc.Resolve(r.Context(), caller, o.Key)
			if err != nil {
				continue // disabled there
			}
			ms, err := svc.Members(r.Context(), a, identity.MemberQuery{Text: r.URL.Query().Get("query")})
			if err != nil {
				return err
			}
			for _, m := range ms {
				out = append(out, userV1(m, o))
			}
		}
		if page.Offset >= len(out) {
			out = []UserV1{}
		} else {
			out = out[page.Offset:]
		}
		if len(out) > page.Size {
			out = out[:page.Size]
		}
		return httpapi.WriteJSON(w, http.StatusOK, map[string]any{"users": out})
	}))
}

// checkProperties checks UserV2.properties: at most 100 {name, value}
// string pairs. Errors: Invalid naming the field.
func checkProperties(v json.RawMessage) error {
	var props []struct {
		Name  *string `json:"name"`
		Value *string `json:"value"`
	}
	if err := json.Unmarshal(v, &props); err != nil {
		return failure.Field("properties", "properties are {name, value} pairs of strings")
	}
	if len(props) > 100 {
		return failure.Field("properties", "at most 100 properties")
	}
	for _, p := range props {
		if p.Name == nil || p.Value == nil || *p.Name == "" {
			return failure.Field("properties", "each property has a name and a value, both strings")
		}
	}
	return nil
}
