package tenduke

import (
	"github.com/effektif-serverless/caseflow/shared/identity"
)

// Organization is the document's Organization.
type Organization struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
	Type        string `json:"type,omitempty"`
}

func organizationOf(o identity.Organization) Organization {
	return Organization{ID: uuidOf(o.ID), Name: o.Name, Description: o.Description, Type: o.Type}
}

// accessOrganization is the Organization of an access.
func accessOrganization(a identity.Access) Organization { return organizationOf(a.Organization) }

// organizationField is an Organization's value of a sortable field.
func organizationField(o Organization, field string) string {
	switch field {
	case "description":
		return o.Description
	case "type":
		return o.Type
	case "id":
		return o.ID
	}
	return o.Name
}

func organizationText(o Organization) []string { return []string{o.Name} }

// organizationFields are the fields an organization list sorts by.
var organizationFields = []string{"name", "description", "type", "id"}

// User is the document's User.
type User struct {
	ID         string `json:"id"`
	FirstName  string `json:"firstName"`
	LastName   string `json:"lastName"`
	Email      string `json:"email"`
	ValidFrom  string `json:"validFrom,omitempty"`
	ValidUntil string `json:"validUntil,omitempty"`
}

func userOf(u identity.User) User {
	return User{ID: uuidOf(u.ID), FirstName: u.FirstName, LastName: u.LastName, Email: u.Email,
		ValidFrom: isoTime(u.ValidFrom), ValidUntil: isoTime(u.ValidUntil)}
}

// memberUser is the User of a member.
func memberUser(m identity.Member) User { return userOf(m.User) }

func userField(u User, field string) string {
	switch field {
	case "firstName":
		return u.FirstName
	case "lastName":
		return u.LastName
	case "id":
		return u.ID
	case "validFrom":
		return u.ValidFrom
	case "validUntil":
		return u.ValidUntil
	}
	return u.Email
}

func userText(u User) []string { return []string{u.FirstName, u.LastName, u.Email} }

// userFields are the fields a user list sorts by.
var userFields = []string{"email", "firstName", "lastName", "id", "validFrom", "validUntil"}

// UserInfo is the document's UserInfo: the User with the profile the
// core keeps (phone, country as the address's).
type UserInfo struct {
	User
	PhoneNumber       string   `json:"phoneNumber,omitempty"`
	PreferredUsername string   `json:"preferredUsername,omitempty"`
	Address           *Address `json:"address,omitempty"`
}

// Address is the document's Address; only the country is kept.
type Address struct {
	ID      string `json:"id"`
	Country string `json:"country,omitempty"`
}

func userInfoOf(u identity.User) UserInfo {
	info := UserInfo{User: userOf(u), PhoneNumber: u.Phone, PreferredUsername: u.Email}
	if u.Country != "" {
		info.Address = &Address{ID: uuidOf(u.ID), Country: u.Country}
	}
	return info
}

func userInfoField(u UserInfo, field string) string { return userField(u.User, field) }
func userInfoText(u UserInfo) []string              { return userText(u.User) }

// OrganizationGroup is the document's OrganizationGroup.
type OrganizationGroup struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
	Type        string `json:"type,omitempty"`
}

func groupOf(g identity.Group) OrganizationGroup {
	return OrganizationGroup{ID: uuidOf(g.ID), Name: g.Name, Description: g.Description, Type: g.Type}
}

func groupField(g OrganizationGroup, field string) string {
	switch field {
	case "description":
		return g.Description
	case "type":
		return g.Type
	case "id":
		return g.ID
	}
	return g.Name
}

func groupText(g OrganizationGroup) []string { return []string{g.Name} }

var groupFields = []string{"name", "description", "type", "id"}

// OrganizationRole is the document's OrganizationRole, with the
// permissions the core keeps.
type OrganizationRole struct {
	ID          string   `json:"id"`
	Name        string   `json:"name"`
	Description string   `json:"description,omitempty"`
	Permissions []string `json:"permissions"`
}

func roleField(r OrganizationRole, field string) string {
	switch field {
	case "description":
		return r.Description
	case "id":
		return r.ID
	}
	return r.Name
}

func roleText(r OrganizationRole) []string { return []string{r.Name} }

var roleFields = []string{"name", "description", "id"}

// OrganizationGroupInvitation is the document's invitation.
type OrganizationGroupInvitation struct {
	ID                         string   `json:"id"`
	OrganizationID             string   `json:"organizationId"`
	Email                      string   `json:"email"`
	RecipientName              string   `json:"recipientName"`
	InviterName                string   `json:"inviterName"`
	MemberWelcomeURL           string   `json:"memberWelcomeUrl"`
	GroupIDs                   []string `json:"groupIds"`
	ClientRoleIDs              []string `json:"clientRoleIds"`
	InvitationScopeInformation string   `json:"invitationScopeInformation,omitempty"`
	InvitationState            string   `json:"invitationState"`
	ClaimedAt                  *int64   `json:"claimedAt,omitempty"`
	DeclinedAt                 *int64   `json:"declinedAt,omitempty"`
	RevokedAt                  *int64   `json:"revokedAt,omitempty"`
}

// invitationState is the document's state of a core invitation: the
// closing state, else its delivery, else "created".
func invitationState(inv identity.GroupInvitation) string {
	switch {
	case inv.State != identity.GroupInvitationOpen:
		return inv.State
	case inv.Delivery != "":
		return inv.Delivery
	}
	return "created"
}

func invitationOf(inv identity.GroupInvitation, welcome string) OrganizationGroupInvitation {
	out := OrganizationGroupInvitation{ID: uuidOf(inv.ID), OrganizationID: uuidOf(inv.OrganizationID), Email: inv.Email,
		RecipientName: inv.RecipientName, InviterName: inv.InviterName, MemberWelcomeURL: welcome,
		GroupIDs: make([]string, 0, len(inv.GroupIDs)), ClientRoleIDs: append([]string{}, inv.ClientRoleIDs...),
		InvitationScopeInformation: inv.ScopeInformation, InvitationState: invitationState(inv),
		ClaimedAt: epochMillis(inv.AcceptedAt), DeclinedAt: epochMillis(inv.DeclinedAt), RevokedAt: epochMillis(inv.RevokedAt)}
	for _, g := range inv.GroupIDs {
		out.GroupIDs = append(out.GroupIDs, uuidOf(g))
	}
	return out
}

func invitationField(i OrganizationGroupInvitation, field string) string {
	switch field {
	case "recipientName":
		return i.RecipientName
	case "invitationState":
		return i.InvitationState
	case "id":
		return i.ID
	}
	return i.Email
}

func invitationText(i OrganizationGroupInvitation) []string {
	return []string{i.Email, i.RecipientName}
}

var invitationFields = []string{"email", "recipientName", "invitationState", "id"}

// SendEmailResult is the answer of the operations that mail.
type SendEmailResult struct {
	ID             string `json:"id"`
	ResultCode     string `json:"resultCode"`
	TechnicalError string `json:"technicalError,omitempty"`
}

// RecoveryEmail is the document's RecoveryEmail.
type RecoveryEmail struct {
	ID          string `json:"id"`
	Value       string `json:"value"`
	ValidatedAt string `json:"validatedAt,omitempty"`
}

func recoveryEmailOf(e identity.RecoveryEmail) RecoveryEmail {
	return RecoveryEmail{ID: uuidOf(e.ID), Value: e.Address, ValidatedAt: isoTime(e.ValidatedAt)}
}

// EmailChallengeToken carries a recovery email's challenge.
type EmailChallengeToken struct {
	Token string `json:"token"`
}

// OtpCredential is the document's TOTP credential.
type OtpCredential struct {
	Verified bool   `json:"verified"`
	Secret   string `json:"secret,omitempty"`
	KeyURI   string `json:"keyUri,omitempty"`
	QRCode   string `json:"qrCode,omitempty"`
}

// AuthenticationResult answers POST /sessions.
type AuthenticationResult struct {
	Challenges []SimpleChallenge `json:"challenges"`
	Token      string            `json:"token,omitempty"`
	// Message says why a login failed or waits (not in the document).
	Message string `json:"message,omitempty"`
}

// SimpleChallenge names what a login still needs.
type SimpleChallenge struct {
	Type string `json:"type"`
}
