// Package effektif is the Effektif REST API v1 dialect: its JSON models, its
// routes under /api/v1 and its error shape, mapped onto the domain core.
// This package serves the identity groups (users, organizations, groups,
// invitations, licenses, LDAP, pictures); package work serves the
// casework groups on the same models, error shape and conventions.
// Decisions where the API document is silent are written next to the code
// they shape and listed in the README.
package effektif

import (
	"slices"
	"time"

	"github.com/effektif-serverless/caseflow/shared/identity"
)

// BasePath is where the Effektif API is mounted.
const BasePath = "/api/v1"

// User is the Effektif User model. It has no password field: passwords are
// write-only, accepted in requests and never answered.
type User struct {
	ID              string         `json:"id"`
	Admin           bool           `json:"admin"`
	Color           string         `json:"color,omitempty"`
	Country         string         `json:"country,omitempty"`
	Created         time.Time      `json:"created,omitzero"`
	Disabled        bool           `json:"disabled"`
	External        bool           `json:"external"`
	FirstName       string         `json:"firstName,omitempty"`
	LastName        string         `json:"lastName,omitempty"`
	EmailAddress    string         `json:"emailAddress"`
	Phone           string         `json:"phone,omitempty"`
	GroupIDs        []string       `json:"groupIds"`
	OrganizationIDs []string       `json:"organizationIds"`
	Preferences     map[string]any `json:"preferences,omitempty"`
	SystemAdmin     bool           `json:"systemAdmin"`
	SystemUser      bool           `json:"systemUser"`
	// Licenses and Organizations are answered on a user read as a
	// resource (GET /users/{id}, GET /users, PUT /users/{id}, the user of
	// a LoginResponse): the licenses the user holds in the organizations
	// of organizationIds (each with its organization embedded, without
	// its user, who is this one) and those organizations. Users embedded
	// in other models (admins, assignees, a license's user, an order's
	// orderer) carry neither: each would embed organizations and licenses
	// again.
	Licenses      []License      `json:"licenses,omitzero"`
	Organizations []Organization `json:"organizations,omitzero"`
}

// Organization is the Effektif Organization model. Admin tells whether the
// reading user is an admin of it.
type Organization struct {
	ID                string   `json:"id"`
	Key               string   `json:"key"`
	Name              string   `json:"name"`
	CreatedBy         string   `json:"createdBy,omitempty"`
	CustomCSS         string   `json:"customCSS,omitempty"`
	Disabled          bool     `json:"disabled"`
	LicenseProfileIDs []string `json:"licenseProfileIds"`
	LicenseRequired   bool     `json:"licenseRequired"`
	LicenseType       string   `json:"licenseType,omitempty"`
	Admin             bool     `json:"admin"`
	AdminIDs          []string `json:"adminIds"`
	Admins            []User   `json:"admins,omitempty"`
	MemberIDs         []string `json:"memberIds,omitempty"`
	SystemUserIDs     []string `json:"systemUserIds"`
	SystemUsers       []User   `json:"systemUsers,omitempty"`
	Invitations       []string `json:"invitations"`
	TimeZone          string   `json:"timeZone,omitempty"`
	// LdapConnector is shown to admins only, without its bind password.
	LdapConnector *identity.LDAPConnector `json:"ldapConnector,omitempty"`
}

// LoginResponse answers a login, an activation and a password reset.
type LoginResponse struct {
	Token         string         `json:"token"`
	User          User           `json:"user"`
	Organizations []Organization `json:"organizations"`
}

// LoginRequest is a password login, or a login with an existing token.
// Hostname, path and organizationKey are accepted and not used: they tell the
// real service where the client came from, which changes nothing here.
type LoginRequest struct {
	EmailAddress    string `json:"emailAddress"`
	Password        string `json:"password"`
	Token           string `json:"token"`
	Hostname        string `json:"hostname"`
	Path            string `json:"path"`
	OrganizationKey string `json:"organizationKey"`
}

// RegistrationRequest is a sign-up, and the body of an activation.
type RegistrationRequest struct {
	EmailAddress     string `json:"emailAddress"`
	Password         string `json:"password"`
	FirstName        string `json:"firstName"`
	LastName         string `json:"lastName"`
	Phone            string `json:"phone"`
	OrganizationName string `json:"organizationName"`
	Color            string `json:"color"`
	Newsletter       bool   `json:"newsletter"`
	Country          string `json:"country"`
	Language         string `json:"language"`
	Edition          string `json:"edition"`
	TimeZone         string `json:"timeZone"`
}

// HandoverLogin is a one-time login: its creation answers the reference,
// its redemption the token (the reference is never answered twice).
type HandoverLogin struct {
	Reference       string `json:"reference,omitempty"`
	Token           string `json:"token,omitempty"`
	RedirectTo      string `json:"redirectTo,omitempty"`
	OrganizationKey string `json:"organizationKey,omitempty"`
}

// Registration is a pending registration as its code's holder sees it.
// For an invitation, organization and organizationId are the inviting
// organization (its id, key and name); for a sign-up, organization carries
// the name the new organization will get, and no id or key (it exists
// from activation on).
type Registration struct {
	ID             string       `json:"id"`
	Code           string       `json:"code"`
	Created        time.Time    `json:"created"`
	Edition        string       `json:"edition,omitempty"`
	Newsletter     bool         `json:"newsletter"`
	Organization   Organization `json:"organization"`
	OrganizationID string       `json:"organizationId,omitempty"`
	User           User         `json:"user"`
}

// OrganizationUpdate is the body of PUT /{organizationKey}: an Organization
// of which only name, customCSS and timeZone are applied (a field left out is
// not changed). The key cannot change: a different key is refused.
type OrganizationUpdate struct {
	Key           *string                 `json:"key"`
	Name          *string                 `json:"name"`
	CustomCSS     *string                 `json:"customCSS"`
	TimeZone      *string                 `json:"timeZone"`
	LdapConnector *identity.LDAPConnector `json:"ldapConnector"`
}

// SystemConfiguration is the public configuration.
type SystemConfiguration struct {
	RegistrationEnabled     bool          `json:"registrationEnabled"`
	AuthenticationProviders []string      `json:"authenticationProviders"`
	LicenseTypes            []LicenseType `json:"licenseTypes"`
}

// LicenseType is one entry of SystemConfiguration.licenseTypes (the document
// leaves the type opaque).
type LicenseType struct {
	Name        string   `json:"name"`
	Description string   `json:"description"`
	Packages    []string `json:"packages"`
}

// About describes the running build.
type About struct {
	Version       string   `json:"version"`
	BuildDate     string   `json:"buildDate"`
	LatestCommits []string `json:"latestCommits"`
}

// Error is the error body of every Effektif route: a message for people, a
// stable code for programs and, for bad input, the field to blame.
type Error struct {
	Message string `json:"message"`
	Code    string `json:"code"`
	Field   string `json:"field,omitempty"`
	// Details carry structured facts, such as the unsupported elements of
	// a BPMN document: [{"id", "type", "name"}].
	Details any `json:"details,omitempty"`
}

// UserOf is the Effektif User of a core user: organizationIDs are the
// organizations it is read through, admin whether it administers the one
// read.
func UserOf(u identity.User, organizationIDs []string, admin bool) User {
	if organizationIDs == nil {
		organizationIDs = []string{}
	}
	return User{
		ID: u.ID, Admin: admin, Color: u.Color, Country: u.Country, Created: u.Created,
		Disabled: u.Disabled, FirstName: u.FirstName, LastName: u.LastName, EmailAddress: u.Email,
		Phone: u.Phone, GroupIDs: []string{}, OrganizationIDs: organizationIDs, SystemAdmin: u.SystemAdmin,
	}
}

// MemberOf is a user as read through one organization: with that
// organization's admin flag and the user's groups in it (a user who is no
// member shows neither).
func MemberOf(m identity.Member) User {
	u := UserOf(m.User, m.OrganizationIDs, m.Membership.IsAdmin())
	u.SystemUser = m.Membership.SystemUser
	if m.Membership.GroupIDs != nil {
		u.GroupIDs = m.Membership.GroupIDs
	}
	return u
}

// UserDetailOf is the Effektif User of a member read as a resource, with
// their licenses and organizations; readerID is the reading user, whose
// admin flag each organization shows.
func UserDetailOf(d identity.MemberDetail, readerID string) User {
	u := MemberOf(d.Member)
	u.Organizations = make([]Organization, len(d.Organizations))
	byID := make(map[string]Organization, len(d.Organizations))
	for i, o := range d.Organizations {
		u.Organizations[i] = organizationOf(o, slices.Contains(o.AdminIDs, readerID))
		byID[o.ID] = u.Organizations[i]
	}
	u.Licenses = licensesIn(d.Licenses, byID)
	return u
}

// licensesIn is licenses with their organizations embedded (from orgs, by
// id).
func licensesIn(ls []identity.License, orgs map[string]Organization) []License {
	out := make([]License, len(ls))
	for i, l := range ls {
		out[i] = licenseOf(l)
		if o, ok := orgs[l.OrganizationID]; ok {
			out[i].Organization = &o
		}
	}
	return out
}

func organizationOf(o identity.Organization, admin bool) Organization {
	adminIDs := o.AdminIDs
	if adminIDs == nil {
		adminIDs = []string{}
	}
	return Organization{
		ID: o.ID, Key: o.Key, Name: o.Name, CreatedBy: o.CreatedBy, CustomCSS: o.CustomCSS,
		Disabled: o.Disabled, LicenseProfileIDs: []string{}, LicenseType: o.LicenseType, Admin: admin,
		AdminIDs: adminIDs, SystemUserIDs: []string{}, Invitations: []string{}, TimeZone: o.TimeZone,
	}
}

func organizationDetailOf(d identity.OrganizationDetail) Organization {
	o := organizationOf(d.Organization, d.Caller.IsAdmin())
	o.LdapConnector = d.Directory
	o.MemberIDs = d.MemberIDs
	if d.Invitations != nil {
		o.Invitations = d.Invitations
	}
	o.Admins = make([]User, len(d.Admins))
	for i, a := range d.Admins {
		o.Admins[i] = MemberOf(a)
	}
	o.SystemUsers = make([]User, len(d.SystemUsers))
	for i, u := range d.SystemUsers {
		o.SystemUsers[i] = MemberOf(u)
		o.SystemUserIDs = append(o.SystemUserIDs, u.ID)
	}
	return o
}

func loginResponseOf(l identity.Login) LoginResponse {
	orgIDs := make([]string, len(l.Memberships))
	admin := make(map[string]bool, len(l.Memberships))
	for i, m := range l.Memberships {
		orgIDs[i] = m.OrganizationID
		admin[m.OrganizationID] = m.IsAdmin()
	}
	orgs := make([]Organization, len(l.Organizations))
	byID := make(map[string]Organization, len(l.Organizations))
	for i, o := range l.Organizations {
		orgs[i] = organizationOf(o, admin[o.ID])
		byID[o.ID] = orgs[i]
	}
	user := UserOf(l.User, orgIDs, false)
	user.Organizations, user.Licenses = orgs, licensesIn(l.Licenses, byID)
	if m, ok := primaryMembership(l.Memberships); ok {
		user.Admin, user.SystemUser = m.IsAdmin(), m.SystemUser
		user.GroupIDs = OrEmpty(m.GroupIDs)
	}
	return LoginResponse{Token: l.Token, User: user, Organizations: orgs}
}

// primaryMembership is the membership a login's user shows (admin,
// groupIds): of the organization they joined first, their primary one
// (the one epilot acts in by default), as Effektif's User describes one
// organization's member.
func primaryMembership(ms []identity.Membership) (identity.Membership, bool) {
	if len(ms) == 0 {
		return identity.Membership{}, false
	}
	first := ms[0]
	for _, m := range ms[1:] {
		if !m.Joined.IsZero() && (first.Joined.IsZero() || m.Joined.Before(first.Joined)) {
			first = m
		}
	}
	return first, true
}

func (r RegistrationRequest) core() identity.RegistrationRequest {
	return identity.RegistrationRequest{
		Email: r.EmailAddress, Password: r.Password, FirstName: r.FirstName, LastName: r.LastName,
		Phone: r.Phone, Color: r.Color, Country: r.Country, Language: r.Language, TimeZone: r.TimeZone,
		OrganizationName: r.OrganizationName, Edition: r.Edition, Newsletter: r.Newsletter,
	}
}
