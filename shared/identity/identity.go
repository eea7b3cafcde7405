// Package identity is the domain core of users, organizations (tenants),
// memberships, registrations and sessions. Every dialect (Effektif, epilot,
// 10Duke, Windmill, SuperOffice) maps its requests onto this one model: an
// organization, a workspace and a tenant are the same Organization; a user is
// one identity with Memberships in organizations.
package identity

import (
	"context"
	"net/mail"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/effektif-serverless/caseflow/shared/failure"
)

// User is one identity. Its email address is unique across the system,
// compared case-insensitively. PasswordHash is the argon2id hash; it never
// leaves the core (dialect mappings copy fields one by one and omit it).
type User struct {
	ID           string
	Email        string
	FirstName    string
	LastName     string
	Phone        string
	Color        string
	Country      string
	Language     string
	TimeZone     string
	PasswordHash string `json:"-"`
	Created      time.Time
	Disabled     bool
	SystemAdmin  bool
	// Preferences is the user's own JSON document.
	Preferences []byte
	// Profile holds the profile attributes some dialects show beyond the
	// core's (epilot's signature, start page, notification settings...):
	// a JSON object of at most MaxProfile bytes, changed by its user only
	// (UserChanges.Profile), shown to the organizations' members.
	Profile []byte `dynamo:",omitempty"`
	// DraftEmail is the address the user asked to change to, until the
	// code mailed to it confirms it or DraftEmailExpires passes (shown to
	// the user only).
	DraftEmail        string    `dynamo:",omitempty"`
	DraftEmailExpires time.Time `dynamo:",omitempty"`
	// PasskeyCount is the number of the user's passkeys, kept by the
	// store together with them (see PasskeyStore and HasPasskeys).
	PasskeyCount int
	// TOTPEnrolled tells that the user has a verified TOTP credential
	// (totp.go), kept by the store together with it: their logins need a
	// passcode too.
	TOTPEnrolled bool `dynamo:",omitempty"`
	// ValidFrom and ValidUntil are the window in which the identity is
	// meant to be valid (zero: open), as 10Duke's users carry it: stored
	// and answered, not yet enforced at login.
	ValidFrom  time.Time `dynamo:",omitempty"`
	ValidUntil time.Time `dynamo:",omitempty"`
	// RegisteredBy is the organization whose admin registered this
	// identity without a password (RegisterMember), "" once the user has
	// claimed it: the first password they set (activation, invitation
	// acceptance, reset, set password) and their first provider or
	// passkey sign-in clear it, in the same write. While it is set, that
	// organization's enabled admins may change the identity's names and
	// validity window (UpdateUser).
	RegisteredBy string `dynamo:",omitempty"`
	Version      int
}

// Organization is a tenant. Key is its unique, immutable, URL-safe name (the
// first path segment of Effektif routes); ID is its opaque identifier.
// AdminIDs mirrors the enabled admins: the members whose role is
// RoleAdmin and whose membership is not disabled (see roles.go).
type Organization struct {
	ID   string
	Key  string
	Name string
	// Description and Type are free texts (10Duke's organization
	// description and type; see NewOrganization for their bounds).
	Description string `dynamo:",omitempty"`
	Type        string `dynamo:",omitempty"`
	// NameClaim is the normalized name (NormalizeOrganizationName) this
	// organization holds the global uniqueness claim on, "" for none
	// (NewOrganization.UniqueName). An organization that holds a claim
	// holds it for its current name: a rename moves it, a deletion
	// releases it, in the transaction of the change.
	NameClaim   string `dynamo:",omitempty"`
	CreatedBy   string
	CustomCSS   string
	LicenseType string
	TimeZone    string
	Disabled    bool
	AdminIDs    []string
	// LdapConnector is the directory settings (LDAPConnector as JSON,
	// bind password included: it is never answered).
	LdapConnector []byte
	Created       time.Time
	Version       int
}

// Role is a member's role in an organization.
type Role string

// The roles. An admin may change the organization and its members.
const (
	RoleAdmin  Role = "admin"
	RoleMember Role = "member"
)

// Membership ties a user to an organization with a role.
type Membership struct {
	OrganizationID  string
	OrganizationKey string
	UserID          string
	Role            Role
	Joined          time.Time
	// GroupIDs are the user's groups in this organization, kept in one
	// transaction with the groups' UserIDs (a string set in the table).
	GroupIDs []string `dynamo:",set"`
	// Username, Operator and Disabled are parts of the role model (see
	// roles.go and usernames.go): the member's name, unique in the
	// organization; an operator flag; a disabled membership refuses every
	// tenant route to its member.
	Username string
	Operator bool
	Disabled bool
	// MainGroupID is the member's main group (see MemberChange); it
	// counts while the member is in it.
	MainGroupID string
	// SystemUser marks the member as an integration's account made by
	// an admin (AddSystemUser), not a person who joined.
	SystemUser bool `dynamo:",omitempty"`
}

// IsAdmin reports whether the member may administer the organization.
func (m Membership) IsAdmin() bool { return m.Role == RoleAdmin }

// Registration is a pending sign-up, addressed by the hash of the code that
// was mailed to the registrant. Activating it creates the user and the
// organization; it can be activated once and expires after RegistrationTTL.
type Registration struct {
	ID               string
	CodeHash         string
	Email            string
	FirstName        string
	LastName         string
	Phone            string
	Color            string
	Country          string
	Language         string
	TimeZone         string
	OrganizationName string
	Edition          string
	Newsletter       bool
	PasswordHash     string `json:"-"`
	Created          time.Time
	Expires          time.Time
	// InvitedTo is set for the registration of an invitation: activating
	// it joins that organization instead of creating one.
	InvitedTo    string
	InvitedToKey string
}

// Session is a login or a named API token (Kind, see apitokens.go). The
// token itself is shown once; only its hash is stored, with the token's
// first APITokenPrefixLength characters for an API token (its listed name).
type Session struct {
	TokenHash string
	UserID    string
	Created   time.Time
	Expires   time.Time
	Kind      TokenKind
	Label     string
	Prefix    string
	// OrganizationID binds the token to one organization ("" for none):
	// it resolves nowhere else (Caller.OrganizationID). OrganizationKey is
	// that organization's key, for display (keys do not change).
	OrganizationID  string `dynamo:",omitempty"`
	OrganizationKey string `dynamo:",omitempty"`
	// ReadOnly tokens only read (Caller.ReadOnly).
	ReadOnly bool `dynamo:",omitempty"`
}

// Caller is who holds the session, as a request names them.
func (s Session) Caller() Caller {
	return Caller{UserID: s.UserID, TokenKind: s.Kind, OrganizationID: s.OrganizationID, ReadOnly: s.ReadOnly}
}

// Lifetimes of the short-lived items.
const (
	SessionTTL      = 14 * 24 * time.Hour
	RegistrationTTL = 7 * 24 * time.Hour
)

// FieldEmail is the canonical name of the address field in the core's
// errors (failure.Error.Field). Every other field the core names is named as
// its concept (password, firstName, organizationName, redirectTo, ...);
// each dialect's renderer renames the ones its wire calls otherwise
// (Effektif: emailAddress).
const FieldEmail = "email"

// Limits on inputs.
const (
	MinPasswordLength = 8
	MaxPasswordLength = 256
	MaxNameLength     = 200
	MaxEmailLength    = 254
)

// NormalizeEmail returns the address in the form used for uniqueness:
// trimmed and lower-cased.
func NormalizeEmail(address string) string {
	return strings.ToLower(strings.TrimSpace(address))
}

// ValidateEmail checks that address is a single plain address (no display
// name) of reasonable length.
func ValidateEmail(field, address string) error {
	address = strings.TrimSpace(address)
	if address == "" {
		return failure.Field(field, "%s is required", field)
	}
	if len(address) > MaxEmailLength {
		return failure.Field(field, "%s is longer than %d characters", field, MaxEmailLength)
	}
	parsed, err := mail.ParseAddress(address)
	if err != nil || parsed.Address != address || parsed.Name != "" {
		return failure.Field(field, "%s is not a valid email address", field)
	}
	return nil
}

// ValidatePassword checks the password policy: at least MinPasswordLength
// characters, at most MaxPasswordLength bytes.
func ValidatePassword(field, password string) error {
	if utf8.RuneCountInString(password) < MinPasswordLength {
		return failure.Field(field, "%s must have at least %d characters", field, MinPasswordLength)
	}
	if len(password) > MaxPasswordLength {
		return failure.Field(field, "%s is longer than %d bytes", field, MaxPasswordLength)
	}
	return nil
}

// ValidateName checks an optional display text: valid UTF-8, no control
// characters, at most MaxNameLength characters.
func ValidateName(field, value string) error {
	return validateTextUpTo(field, value, MaxNameLength)
}

// validateTextUpTo is ValidateName with another bound: at most max
// characters.
func validateTextUpTo(field, value string, max int) error {
	if !utf8.ValidString(value) {
		return failure.Field(field, "%s is not valid UTF-8", field)
	}
	if utf8.RuneCountInString(value) > max {
		return failure.Field(field, "%s is longer than %d characters", field, max)
	}
	for _, r := range value {
		if r < 0x20 || r == 0x7f {
			return failure.Field(field, "%s contains control characters", field)
		}
	}
	return nil
}

// Store persists the identity model. Implementations enforce uniqueness with
// conditional writes and return *failure.Error values: NotFound for a
// missing item, Conflict for a broken uniqueness or version condition.
type Store interface {
	PutRegistration(ctx context.Context, r Registration) error
	GetRegistration(ctx context.Context, codeHash string) (Registration, error)
	// Activate writes, in one transaction, the user, the organization, the
	// admin membership and the session, and deletes the registration. It
	// returns ErrEmailTaken, ErrOrganizationKeyTaken or ErrRegistrationUsed
	// when the corresponding condition fails.
	Activate(ctx context.Context, a Activation) error
	UserIDByEmail(ctx context.Context, normalizedEmail string) (string, error)
	GetUser(ctx context.Context, id string) (User, error)
	GetUsers(ctx context.Context, ids []string) ([]User, error)
	PutSession(ctx context.Context, s Session) error
	GetSession(ctx context.Context, tokenHash string) (Session, error)
	// OrganizationAccess returns the organization with the given key and the
	// membership of userID in it (nil when userID is not a member).
	OrganizationAccess(ctx context.Context, key, userID string) (Organization, *Membership, error)
	// KnownOrganizationID returns the id of the organization with the key
	// when this container knows it already (no read; false otherwise). It
	// grants nothing: OrganizationAccess still decides.
	KnownOrganizationID(key string) (string, bool)
	GetOrganizations(ctx context.Context, ids []string) ([]Organization, error)
	MembershipsOfUser(ctx context.Context, userID string) ([]Membership, error)
	// UserInOrganization returns the user and their membership in the
	// organization (nil when not a member).
	UserInOrganization(ctx context.Context, organizationID, userID string) (User, *Membership, error)
	// MembersAmong tells which of the user ids are members of the
	// organization.
	MembersAmong(ctx context.Context, organizationID string, userIDs []string) (map[string]bool, error)
	// MembershipsAmong answers the memberships in the organization of
	// those of the user ids that are members (one batch read).
	MembershipsAmong(ctx context.Context, organizationID string, userIDs []string) ([]Membership, error)
	// MemberIDs returns the ids of up to limit members of the organization.
	MemberIDs(ctx context.Context, organizationID string, limit int) ([]string, error)
	// Memberships lists up to limit memberships of an organization.
	Memberships(ctx context.Context, organizationID string, limit int) ([]Membership, error)
	// UpdateUser stores u on condition of its version; when oldEmail is
	// set, the address changed: the new one is claimed (Conflict when
	// taken) and the old one released in the same transaction.
	UpdateUser(ctx context.Context, u User, oldEmail string) error
	// RemoveMembership deletes the membership, stores the organization
	// (its AdminIDs) on condition of its version and releases the license
	// seat the member holds, together.
	RemoveMembership(ctx context.Context, o Organization, m Membership) error
	// LeaveGroups takes the member out of the groups in one transaction
	// (at most MaxLeaveGroups): the membership's GroupIDs lose them and
	// each group its user id and gains a version, on condition that the
	// membership and every group exist (Conflict, Retry, otherwise).
	LeaveGroups(ctx context.Context, m Membership, groupIDs []string) error
	// CreateOrganization writes the organization, its key, its name claim
	// (when o.NameClaim is set) and the admin membership in one
	// transaction. It checks, in this order: the key
	// (ErrOrganizationKeyTaken), the id, which must be neither an
	// organization's nor one of a deleted organization whose data is
	// still being purged (ErrOrganizationIDTaken), the name claim
	// (ErrOrganizationNameTaken); a failed check writes nothing.
	CreateOrganization(ctx context.Context, o Organization, admin Membership) error
	// SetUpOrganization is CreateOrganization (the same checks, in the
	// same order) with the group g written in the same transaction: the
	// admin membership's GroupIDs and g.UserIDs hold each other.
	SetUpOrganization(ctx context.Context, o Organization, admin Membership, g Group) error
	// DeleteOrganization deletes the organization, its key and its name
	// claim (when it holds one) together.
	DeleteOrganization(ctx context.Context, o Organization) error
	// DeleteMemberships deletes up to limit memberships of an organization.
	DeleteMemberships(ctx context.Context, organizationID string, limit int) error
	// JoinByInvitation consumes the invitation's registration (Gone when
	// used) and the invitation, and adds the membership and the session,
	// together.
	JoinByInvitation(ctx context.Context, reg Registration, m Membership, s Session) error
	// AddMembership adds a member (Invalid, naming the email field, if
	// already one).
	AddMembership(ctx context.Context, m Membership) error
	// CreateInvitation stores the invitation (Invalid, naming the email
	// field, when the address is invited already: AddMember's answer) and
	// its registration together.
	CreateInvitation(ctx context.Context, inv Invitation, reg Registration) error
	// InvitationSent stores the invitation after a send (on its version)
	// with a look-up from the SES message id.
	InvitationSent(ctx context.Context, inv Invitation) error
	// RenewInvitation replaces the registration of oldHash with reg and
	// stores inv, together.
	RenewInvitation(ctx context.Context, inv Invitation, oldHash string, reg Registration) error
	GetInvitation(ctx context.Context, organizationID, email string) (Invitation, error)
	Invitations(ctx context.Context, organizationID string, limit int) ([]Invitation, error)
	DeleteInvitation(ctx context.Context, inv Invitation) error
	// RecordInvitationStatus sets the status of the invitation whose
	// latest mail has the SES message id, when it differs and at is later
	// than the status recorded; it reports whether it wrote.
	RecordInvitationStatus(ctx context.Context, sesMessageID, status, detail string, at time.Time) (bool, error)
	// CreateLicenses stores a purchase order with its licenses together.
	CreateLicenses(ctx context.Context, o PurchaseOrder, ls []License) error
	Licenses(ctx context.Context, organizationID string, limit int) ([]License, error)
	GetLicense(ctx context.Context, organizationID, id string) (License, error)
	// LicensesOfMembers answers the licenses the members hold, each in the
	// membership's organization (a member holds at most one there), in
	// two batch reads: the holders' claims, then their licenses. A
	// membership without a license has none in the answer.
	LicensesOfMembers(ctx context.Context, ms []Membership) ([]License, error)
	// AssignLicense stores l (on its version) and moves the one-license-
	// per-user claim from previous to l.UserID, together (Conflict when
	// the new holder holds a license already).
	AssignLicense(ctx context.Context, l License, previous string) error
	GetGroup(ctx context.Context, organizationID, id string) (Group, error)
	// SaveGroup stores g (new, or on condition of its version) and, in the
	// same transaction, adds the group to the memberships of the added
	// users and removes it from those of the removed ones. A new group
	// whose id names one of the organization's is ErrGroupIDTaken; any
	// other failed condition a retryable Conflict.
	SaveGroup(ctx context.Context, g Group, isNew bool, added, removed []string) error
	// DeleteGroup deletes g and removes it from its members' memberships.
	DeleteGroup(ctx context.Context, g Group) error
	PutOneTime(ctx context.Context, t OneTime) error
	// ReplaceOneTime stores t as the one live token of its kind for slot
	// (an address, a user): the token stored before for the slot is
	// deleted in the same transaction, so an older code stops working.
	ReplaceOneTime(ctx context.Context, t OneTime, slot string) error
	GetOneTime(ctx context.Context, kind, codeHash string) (OneTime, error)
	// TakeOneTime deletes the token (Conflict when it is gone already)
	// and, in the same transaction, stores the user when it is not nil (on
	// condition of its version); when oldEmail is set, the user's address
	// changed: the new one is claimed (ErrEmailTaken when taken) and the
	// old one released, together.
	TakeOneTime(ctx context.Context, t OneTime, user *User, oldEmail string) error
	// Reserve counts one use of the limited action name (an address's
	// logins, the mails to an address) in the fixed window of the given
	// length that now falls in, if fewer than limit uses are counted there.
	// It reports false, counting nothing, when the limit is reached; the
	// Throttle tells when the window ends. It holds across concurrent
	// callers: no more than limit uses are ever counted in a window.
	Reserve(ctx context.Context, name string, limit int, window time.Duration, now time.Time) (Throttle, bool, error)
	// Release gives back one use counted in the window of t.
	Release(ctx context.Context, name string, t Throttle) error
	// ClearReservations forgets the uses counted for name in the window
	// now falls in.
	ClearReservations(ctx context.Context, name string, window time.Duration, now time.Time) error
	// DeleteSession ends the session of a token hash (no error when it is
	// gone already).
	DeleteSession(ctx context.Context, tokenHash string) error
	// DeleteSessionsOfUser ends every session of the user except the one
	// of keepHash ("" for none) and reports how many it ended.
	DeleteSessionsOfUser(ctx context.Context, userID, keepHash string) (int, error)
	// UpdateOrganization stores o if the stored version is o.Version-1.
	// Its name claim must be the stored one (RenameOrganization moves it).
	UpdateOrganization(ctx context.Context, o Organization) error
	// RenameOrganization is UpdateOrganization with the name claim moved
	// from oldNameClaim ("" for none) to o.NameClaim, together: the old
	// claim released, the new one claimed (ErrOrganizationNameTaken when
	// another organization holds it; nothing is written then). The two
	// claims differ.
	RenameOrganization(ctx context.Context, o Organization, oldNameClaim string) error
	// AccountStore holds the API tokens, member roles, usernames and the
	// invitee's view of invitations.
	AccountStore
	// NumberStore keeps the numbers dialects name ids by.
	NumberStore
	// MemberStore writes a change of a member as one transaction.
	MemberStore
	// SettingStore keeps users' settings (settings.go).
	SettingStore
	// NavigationStore keeps the global navigations (navigations.go).
	NavigationStore
	// PasskeyStore keeps the users' passkeys and the spent challenges.
	PasskeyStore
	// TOTPStore keeps the users' TOTP credentials (totp.go).
	TOTPStore
	// RecoveryStore keeps the users' recovery addresses (recovery.go).
	RecoveryStore
	// GroupInvitationStore keeps group invitations (groupinvitations.go).
	GroupInvitationStore
	// OrgRoleStore keeps organization roles and their grants (orgroles.go).
	OrgRoleStore
}

// Activation is what Store.Activate writes together. For the
// registration of an invitation (Registration.InvitedTo set) the
// organization exists: it is not written, and the invitation is deleted.
type Activation struct {
	Registration Registration
	User         User
	Organization Organization
	Membership   Membership
	Session      Session
}

// Errors of Store.Activate that the service acts on.
var (
	ErrEmailTaken           = &failure.Error{Code: failure.Conflict, Field: FieldEmail, Message: "an account with this email address already exists"}
	ErrOrganizationKeyTaken = failure.New(failure.Conflict, "the organization key is taken")
	// ErrOrganizationIDTaken and ErrOrganizationNameTaken are the errors
	// of Store.CreateOrganization, SetUpOrganization and
	// RenameOrganization for a taken id and a taken name claim.
	ErrOrganizationIDTaken   = &failure.Error{Code: failure.Conflict, Field: "id", Message: "an organization with this id exists"}
	ErrOrganizationNameTaken = &failure.Error{Code: failure.Conflict, Field: "name", Message: "an organization with this name exists"}
	ErrRegistrationUsed      = failure.New(failure.Gone, "the registration has already been activated or has expired")
	// ErrUserIDTaken is the answer of Store.CreateMember for an id that
	// names a user already.
	ErrUserIDTaken = &failure.Error{Code: failure.Conflict, Field: "id", Message: "a user with this id already exists"}
)
