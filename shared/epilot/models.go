package epilot

import (
	"encoding/json"
	"strings"
	"time"

	"github.com/effektif-serverless/caseflow/shared/identity"
)

// The statuses of a UserV2.
const (
	statusActive      = "Active"
	statusPending     = "Pending"
	statusDeactivated = "Deactivated"
)

// startPage is the shape of custom_start_page: a path of the app.
const startPagePrefix = "/app"

// profileKeys are the UserV2 attributes caseflow keeps in the user's
// Profile (identity.User.Profile), with the JSON kinds each takes.
var profileKeys = map[string]string{
	"signature": "string", "is_signature_enabled": "boolean", "custom_start_page": "string",
	"custom_navigation": "string", "override_release_channel": "string", "department": "string",
	"secondary_phone": "string", "feature_preferences": "object", "favorites": "object",
	"email_notification_setting": "object", "in_app_notification_setting": "object",
	"image_uri": "object", "properties": "array", "tags": "array",
}

// displayName is the name a user is shown by: their names, else the
// address.
func displayName(u identity.User) string {
	if n := strings.TrimSpace(u.FirstName + " " + u.LastName); n != "" {
		return n
	}
	return u.Email
}

// splitName is a display name as the core's first and last names: the
// first word, and the rest.
func splitName(name string) (string, string) {
	name = strings.TrimSpace(name)
	first, last, _ := strings.Cut(name, " ")
	return first, strings.TrimSpace(last)
}

func language(u identity.User) string {
	if u.Language != "" {
		return u.Language
	}
	return "en"
}

// profileOf reads the kept attributes of a user's Profile.
func profileOf(u identity.User) map[string]json.RawMessage {
	doc := map[string]json.RawMessage{}
	if len(u.Profile) > 0 {
		_ = json.Unmarshal(u.Profile, &doc)
	}
	for k := range doc {
		if _, ok := profileKeys[k]; !ok {
			delete(doc, k)
		}
	}
	return doc
}

// userV2 is a member as a UserV2: never a hash, a token or a password.
func userV2(m identity.Member, orgID string) map[string]any {
	u := m.User
	status := statusActive
	if m.Membership.Disabled || u.Disabled {
		status = statusDeactivated
	}
	out := map[string]any{}
	for k, v := range profileOf(u) {
		out[k] = v
	}
	joined := m.Membership.Joined
	if joined.IsZero() {
		joined = u.Created
	}
	for k, v := range map[string]any{
		"id": u.ID, "organization_id": orgID, "created_at": u.Created.UTC().Format(time.RFC3339),
		"activated_at": joined.UTC().Format(time.RFC3339), "display_name": displayName(u), "status": status,
		"email": u.Email, "phone": u.Phone, "preferred_language": language(u), "mfa_enabled": false,
		"has_passkeys": u.HasPasskeys(), "phone_verified": false,
	} {
		out[k] = v
	}
	return out
}

// ownUserV2 is userV2 as the user themself reads it: with the address
// they asked to change to (draft_email) until it is confirmed or expires.
func ownUserV2(m identity.Member, orgID string, now time.Time) map[string]any {
	out := userV2(m, orgID)
	if u := m.User; u.DraftEmail != "" && now.Before(u.DraftEmailExpires) {
		out["draft_email"] = u.DraftEmail
		out["draft_email_expires_at"] = u.DraftEmailExpires.UTC().Format(time.RFC3339)
	}
	return out
}

// readerUserV2 is userV2 for the reader: their own with its draft.
func readerUserV2(m identity.Member, a identity.Access) map[string]any {
	if m.ID == a.UserID {
		return ownUserV2(m, a.Organization.ID, time.Now())
	}
	return userV2(m, a.Organization.ID)
}

// pendingUserV2 is an invitation as a UserV2 (status Pending). Its id is
// the invitation's (invitationID): the account the invitee signs in with
// is made, or joined, when they accept.
func pendingUserV2(inv identity.Invitation, orgID string) map[string]any {
	return map[string]any{
		"id": invitationID(inv.OrganizationID, inv.Email), "organization_id": orgID,
		"created_at": inv.Created.UTC().Format(time.RFC3339), "display_name": inv.Email, "status": statusPending,
		"email": inv.Email, "preferred_language": "en", "mfa_enabled": false, "has_passkeys": false, "phone_verified": false,
	}
}

// UserV1 is the legacy User.
type UserV1 struct {
	ID                string           `json:"id"`
	OrganizationID    string           `json:"organization_id"`
	Email             string           `json:"email"`
	DisplayName       string           `json:"display_name"`
	Name              string           `json:"name"`
	PreferredLanguage string           `json:"preferred_language"`
	Signature         *json.RawMessage `json:"signature,omitempty"`
	CustomNavigation  *json.RawMessage `json:"custom_navigation,omitempty"`
	Roles             []string         `json:"roles"`
	ImageURI          *json.RawMessage `json:"image_uri,omitempty"`
	Properties        json.RawMessage  `json:"properties"`
}

// rolesOf names a membership's role as a role id "<orgId>:<role>", the
// form inviteUser takes: an admin is an owner, the others members.
func rolesOf(m identity.Member, org identity.Organization) []string {
	if m.Membership.IsAdmin() {
		return []string{org.ID + ":owner"}
	}
	return []string{org.ID + ":member"}
}

func userV1(m identity.Member, org identity.Organization) UserV1 {
	p := profileOf(m.User)
	v := UserV1{ID: m.ID, OrganizationID: org.ID, Email: m.Email, DisplayName: displayName(m.User), Name: displayName(m.User),
		PreferredLanguage: language(m.User), Roles: rolesOf(m, org), Properties: json.RawMessage("[]")}
	if s, ok := p["signature"]; ok {
		v.Signature = &s
	}
	if n, ok := p["custom_navigation"]; ok {
		v.CustomNavigation = &n
	}
	if i, ok := p["image_uri"]; ok {
		v.ImageURI = &i
	}
	if props, ok := p["properties"]; ok {
		v.Properties = props
	}
	return v
}

// LoginParameters is where a user signs in to one organization.
type LoginParameters struct {
	OrganizationID     string `json:"organization_id"`
	OrganizationName   string `json:"organization_name"`
	OrganizationType   string `json:"organization_type"`
	OrganizationUse    string `json:"organization_use"`
	OAuthResponseType  string `json:"oauth_response_type"`
	PasskeyEnabled     bool   `json:"passkey_enabled"`
	PasskeysRegistered bool   `json:"passkeys_registered"`
}

// loginParameters are where a user signs in: each organization, with
// whether passkeys sign in there (the deployment has them configured)
// and whether the user registered one.
func loginParameters(orgs []identity.Organization, passkeys, registered bool) []LoginParameters {
	out := make([]LoginParameters, len(orgs))
	for i, o := range orgs {
		out[i] = LoginParameters{OrganizationID: o.ID, OrganizationName: o.Name, OrganizationType: "Vendor",
			OrganizationUse: "Production", OAuthResponseType: "token", PasskeyEnabled: passkeys, PasskeysRegistered: registered}
	}
	return out
}

// Organization is an organization as signUpUser answers it.
type Organization struct {
	ID          string `json:"id,omitempty"`
	Type        string `json:"type"`
	Name        string `json:"name"`
	PricingTier string `json:"pricing_tier,omitempty"`
	Email       string `json:"email,omitempty"`
	Phone       string `json:"phone,omitempty"`
	Website     string `json:"website,omitempty"`
}
