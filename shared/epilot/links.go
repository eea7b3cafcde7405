package epilot

import (
	"net/url"
	"strings"
)

// MailLinks are the links of the identity mails sent through the epilot
// API. Its routes take the codes as ?token= query parameters: activation
// and invitations (activateUser), address changes (verifyEmail), password
// resets (resetPassword, with the address).
type MailLinks struct {
	// BaseURL is the deployment's public base URL (PublicBaseUrl).
	BaseURL string
}

func (l MailLinks) public(op, code string) string {
	return strings.TrimRight(l.BaseURL, "/") + "/v2/users/public/" + op + "?token=" + url.QueryEscape(code)
}

// Activation links activateUser, which also takes a signup's code.
func (l MailLinks) Activation(code string) string { return l.public("activate", code) }

// Invitation links checkToken, which shows who invites; activateUser
// (or rejectInvite) takes the same token.
func (l MailLinks) Invitation(code string) string { return l.public("checkToken", code) }

// PasswordReset names the token resetPassword takes.
func (l MailLinks) PasswordReset(code string) string { return l.public("resetPassword", code) }

// AddressConfirmation links verifyEmail.
func (l MailLinks) AddressConfirmation(code string) string { return l.public("verifyEmail", code) }

// SignIn is the deployment's base URL.
func (l MailLinks) SignIn() string { return strings.TrimRight(l.BaseURL, "/") }
