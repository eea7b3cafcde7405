package windmill

import (
	"strings"
	"time"

	"github.com/effektif-serverless/caseflow/shared/identity"
)

// Wire types: snake_case, as Windmill's OpenAPI document names them.

// User is a workspace user (whoami, whois, getUser, listUsers).
type User struct {
	Email         string    `json:"email"`
	Username      string    `json:"username"`
	IsAdmin       bool      `json:"is_admin"`
	IsSuperAdmin  bool      `json:"is_super_admin"`
	Name          string    `json:"name"`
	CreatedAt     time.Time `json:"created_at"`
	Operator      bool      `json:"operator"`
	Disabled      bool      `json:"disabled"`
	Groups        []string  `json:"groups"`
	Folders       []string  `json:"folders"`
	FoldersRead   []string  `json:"folders_read"`
	FoldersOwners []string  `json:"folders_owners"`
}

// GlobalUserInfo is an identity across workspaces (globalWhoami,
// listUsersAsSuperAdmin).
type GlobalUserInfo struct {
	Email         string `json:"email"`
	LoginType     string `json:"login_type"`
	SuperAdmin    bool   `json:"super_admin"`
	Verified      bool   `json:"verified"`
	Name          string `json:"name"`
	FirstTimeUser bool   `json:"first_time_user"`
	RoleSource    string `json:"role_source"`
	Disabled      bool   `json:"disabled"`
}

// TruncatedToken is an API token as listed: its prefix, never the token.
type TruncatedToken struct {
	TokenPrefix string    `json:"token_prefix"`
	Label       string    `json:"label"`
	Expiration  time.Time `json:"expiration"`
	CreatedAt   time.Time `json:"created_at"`
	LastUsedAt  time.Time `json:"last_used_at"`
	ReadOnly    bool      `json:"read_only"`
	Email       string    `json:"email,omitempty"`
	WorkspaceID string    `json:"workspace_id,omitempty"`
}

// WorkspaceInvite is an open invitation as its invitee sees it.
type WorkspaceInvite struct {
	WorkspaceID string `json:"workspace_id"`
	Email       string `json:"email"`
	IsAdmin     bool   `json:"is_admin"`
	Operator    bool   `json:"operator"`
}

// fullName is a user's first and last name joined by one space.
func fullName(u identity.User) string {
	return strings.TrimSpace(strings.TrimSpace(u.FirstName) + " " + strings.TrimSpace(u.LastName))
}

// splitName is a name's first word and the rest, for the core's first
// and last name.
func splitName(name string) (first, last string) {
	first, last, _ = strings.Cut(strings.TrimSpace(name), " ")
	return first, strings.TrimSpace(last)
}

func userOf(m identity.NamedMember) User {
	return User{
		Email: m.Email, Username: m.Membership.Username, IsAdmin: m.Membership.IsAdmin(), IsSuperAdmin: m.SystemAdmin,
		Name: fullName(m.User), CreatedAt: m.Membership.Joined, Operator: m.Membership.Operator, Disabled: m.Membership.Disabled,
		Groups: m.GroupNames, Folders: []string{}, FoldersRead: []string{}, FoldersOwners: []string{},
	}
}

// globalUserOf maps an identity. Every account here signs in with a
// password (or a provider sign-in of the same account) and is verified:
// an account exists only once its address was proven (activation,
// invitation) or a system admin made it. first_time_user is not tracked.
func globalUserOf(u identity.User) GlobalUserInfo {
	return GlobalUserInfo{Email: u.Email, LoginType: "password", SuperAdmin: u.SystemAdmin, Verified: true,
		Name: fullName(u), FirstTimeUser: false, RoleSource: "manual", Disabled: u.Disabled}
}

func tokenOf(t identity.Session, email string) TruncatedToken {
	return TruncatedToken{TokenPrefix: t.Prefix, Label: t.Label, Expiration: t.Expires, CreatedAt: t.Created,
		LastUsedAt: t.Created, ReadOnly: t.ReadOnly, Email: email, WorkspaceID: workspaceID(t.OrganizationKey)}
}

func inviteOf(inv identity.InvitationTo) WorkspaceInvite {
	return WorkspaceInvite{WorkspaceID: workspaceID(inv.OrganizationKey), Email: inv.Email, IsAdmin: inv.Admin, Operator: inv.Operator}
}

// Request bodies.

type loginRequest struct {
	Email    *string `json:"email"`
	Password *string `json:"password"`
}

type oauthCallback struct {
	Code  *string `json:"code"`
	State *string `json:"state"`
}

type newToken struct {
	Label       *string   `json:"label"`
	Expiration  *string   `json:"expiration"`
	WorkspaceID *string   `json:"workspace_id"`
	ReadOnly    *bool     `json:"read_only"`
	Scopes      *[]string `json:"scopes"`
}

type passwordRequest struct {
	Password *string `json:"password"`
}

type editWorkspaceUser struct {
	IsAdmin  *bool `json:"is_admin"`
	Operator *bool `json:"operator"`
	Disabled *bool `json:"disabled"`
}

// newUser is the body of addUser, users/add and inviteUser (without a
// username).
type newUser struct {
	Email    string `json:"email"`
	IsAdmin  bool   `json:"is_admin"`
	Operator bool   `json:"operator"`
	Username string `json:"username"`
}

type inviteAnswer struct {
	WorkspaceID *string `json:"workspace_id"`
	Username    string  `json:"username"`
}

type globalNewUser struct {
	Email      string `json:"email"`
	Password   string `json:"password"`
	SuperAdmin bool   `json:"super_admin"`
	Name       string `json:"name"`
	Company    string `json:"company"`
}

type globalUserUpdate struct {
	IsSuperAdmin *bool   `json:"is_super_admin"`
	IsDevops     *bool   `json:"is_devops"`
	Name         *string `json:"name"`
	Disabled     *bool   `json:"disabled"`
}
