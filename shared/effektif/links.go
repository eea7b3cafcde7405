package effektif

import (
	"strings"

	"github.com/effektif-serverless/caseflow/shared/effektif/pages"
)

// MailLinks are the links of the identity mails sent through the Effektif
// API: pages for a person (shared/effektif/pages) that post the code to
// the registration routes (registration and invitation codes) and to
// `/users/confirm` (reset codes). An address change is confirmed with
// POST /users/email/confirm, which has no page to link to: its mail
// carries the code alone.
type MailLinks struct {
	// BaseURL is the deployment's public base URL (PublicBaseUrl).
	BaseURL string
}

// Activation links the page that activates a registration.
func (l MailLinks) Activation(code string) string { return pages.ActivationLink(l.SignIn(), code) }

// Invitation links the same page: it accepts an invitation's registration.
func (l MailLinks) Invitation(code string) string { return pages.ActivationLink(l.SignIn(), code) }

// PasswordReset links the page that sets a new password with a reset code.
func (l MailLinks) PasswordReset(code string) string { return pages.ResetLink(l.SignIn(), code) }

// AddressConfirmation has no page in the Effektif API.
func (l MailLinks) AddressConfirmation(string) string { return "" }

// SignIn is the deployment's base URL.
func (l MailLinks) SignIn() string { return strings.TrimRight(l.BaseURL, "/") }

// ReservedKeys are the literal first segments of the Effektif API's paths
// after BasePath, where other routes take an organization key
// (/users/login next to /{organizationKey}/users): no organization may
// take them as its key. A test checks them against template.yaml.
var ReservedKeys = []string{"about", "login", "mail", "oauth_callback", "registrations", "systemconfiguration", "users"}
