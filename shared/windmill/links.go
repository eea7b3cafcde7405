package windmill

import "strings"

// MailLinks are the links of the identity mails sent through the Windmill
// API. Windmill takes invitations in the API itself (list_invites,
// accept_invite, with the invitee signed in), not by a code: an
// invitation's mail links where the invitee signs in, and carries the
// code for the other APIs. The other flows have no Windmill page.
type MailLinks struct {
	// BaseURL is the deployment's public base URL (PublicBaseUrl).
	BaseURL string
}

// Activation has no Windmill page.
func (MailLinks) Activation(string) string { return "" }

// Invitation links the sign-in: the invite is accepted there.
func (l MailLinks) Invitation(string) string { return l.SignIn() }

// PasswordReset has no Windmill page.
func (MailLinks) PasswordReset(string) string { return "" }

// AddressConfirmation has no Windmill page.
func (MailLinks) AddressConfirmation(string) string { return "" }

// SignIn is the deployment's base URL.
func (l MailLinks) SignIn() string { return strings.TrimRight(l.BaseURL, "/") }
