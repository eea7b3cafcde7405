package identity

import "context"

// AccountStore is the part of Store behind API tokens, member roles,
// usernames and the invitee's side of invitations. Implementations return
// *failure.Error values like Store's.
type AccountStore interface {
	// PutAPIToken stores an API token (a Session of kind TokenAPI) in the
	// session store, listed under its user; it expires through TTL.
	PutAPIToken(ctx context.Context, t Session) error
	// APITokens lists up to limit API tokens of the user: one bounded
	// Query (expired ones may still be among them until TTL removes them).
	APITokens(ctx context.Context, userID string, limit int) ([]Session, error)
	// UpdateRole stores the membership's Role, Operator and Disabled
	// (never its groups or username), on condition that it exists, and,
	// when adminsChanged, the organization (its AdminIDs) on condition of
	// its version, together.
	UpdateRole(ctx context.Context, o Organization, m Membership, adminsChanged bool) error
	// UsernameOwner answers the id of the member holding the username in
	// the organization (compared case-insensitively); NotFound when none.
	UsernameOwner(ctx context.Context, organizationID, username string) (string, error)
	// ClaimUsername gives a membership that has none the username:
	// ErrUsernameTaken when another member holds it, a retryable Conflict
	// when the membership got one meanwhile or is gone.
	ClaimUsername(ctx context.Context, m Membership, username string) error
	// GroupsByID reads the organization's groups with the ids (the others
	// are left out).
	GroupsByID(ctx context.Context, organizationID string, ids []string) ([]Group, error)
	// InvitationsTo lists up to limit invitations addressed to the
	// (normalized) address, in every organization: one bounded Query.
	InvitationsTo(ctx context.Context, normalizedEmail string, limit int) ([]Invitation, error)
	// AcceptInvitation deletes the invitation (NotFound when it is gone)
	// and its registration, adds the membership (Conflict when a member
	// already) with its username (ErrUsernameTaken) and, when the
	// membership is an admin's, stores the organization's AdminIDs on
	// condition of its version, together.
	AcceptInvitation(ctx context.Context, inv Invitation, o Organization, m Membership) error
	// CreateUser stores a new user and claims its address
	// (ErrEmailTaken), together.
	CreateUser(ctx context.Context, u User) error
	// CreateMember stores a new user, claims its address and adds its
	// membership, together (RegisterMember): ErrEmailTaken when the
	// address has an account, ErrUserIDTaken when the id names a user; a
	// refused call writes nothing.
	CreateMember(ctx context.Context, u User, m Membership) error
	// UsersPage lists up to limit users in address order after the
	// address after ("" for the first page): one bounded Query.
	UsersPage(ctx context.Context, after string, limit int) ([]User, error)
}
