package tenduke

import "strings"

// MailLinks are the links of the core's mails sent through this API. Its
// own mails (group invitations, recovery email validation) carry links
// the caller's templates make; the core's other flows have no 10Duke
// page, and their mails link the sign-in.
type MailLinks struct {
	// BaseURL is the deployment's public base URL (PublicBaseUrl).
	BaseURL string
}

// Activation has no 10Duke page.
func (MailLinks) Activation(string) string { return "" }

// Invitation links the sign-in.
func (l MailLinks) Invitation(string) string { return l.SignIn() }

// PasswordReset has no 10Duke page.
func (MailLinks) PasswordReset(string) string { return "" }

// AddressConfirmation has no 10Duke page.
func (MailLinks) AddressConfirmation(string) string { return "" }

// SignIn is the deployment's base URL.
func (l MailLinks) SignIn() string { return strings.TrimRight(l.BaseURL, "/") }
