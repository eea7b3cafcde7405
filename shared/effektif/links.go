package effektif

import "strings"

// MailLinks are the links of the identity mails sent through the Effektif
// API: the registration routes take registration and invitation codes,
// `/users/confirm` reset codes. An address change is confirmed with POST
// /users/email/confirm, which has no page to link to: its mail carries the
// code alone.
type MailLinks struct {
	// BaseURL is the deployment's public base URL (PublicBaseUrl).
	BaseURL string
}

func (l MailLinks) base() string { return strings.TrimRight(l.BaseURL, "/") + BasePath }

// Activation links the registration of a code.
func (l MailLinks) Activation(code string) string { return l.base() + "/registrations/" + code }

// Invitation links the registration that accepts an invitation.
func (l MailLinks) Invitation(code string) string { return l.base() + "/registrations/" + code }

// PasswordReset links the confirmation of a reset code.
func (l MailLinks) PasswordReset(code string) string { return l.base() + "/users/confirm?code=" + code }

// AddressConfirmation has no page in the Effektif API.
func (l MailLinks) AddressConfirmation(string) string { return "" }

// SignIn is the deployment's base URL.
func (l MailLinks) SignIn() string { return strings.TrimRight(l.BaseURL, "/") }

// ReservedKeys are the literal first segments of the Effektif API's paths
// after BasePath, where other routes take an organization key
// (/users/login next to /{organizationKey}/users): no organization may
// take them as its key. A test checks them against template.yaml.
var ReservedKeys = []string{"about", "login", "mail", "oauth_callback", "registrations", "systemconfiguration", "users"}
