package identity

// Links are the links that identity mails carry. They come from the
// dialect that started the flow, so that a mail sent through one API
// points to where that API takes the code: set Service.Links in the
// function that serves the dialect (Service.WithLinks for one flow, such
// as a link template sent in a request). A method answers "" when the
// dialect has no page for it; the mail then carries the code alone.
type Links interface {
	// Activation is where a registration's code is activated.
	Activation(code string) string
	// Invitation is where an invitation's code is accepted.
	Invitation(code string) string
	// PasswordReset is where a reset code sets a new password.
	PasswordReset(code string) string
	// AddressConfirmation is where a new address's code is confirmed.
	AddressConfirmation(code string) string
	// SignIn is where a user signs in.
	SignIn() string
}

// noLinks is the Links of a service that no dialect configured.
type noLinks struct{}

func (noLinks) Activation(string) string          { return "" }
func (noLinks) Invitation(string) string          { return "" }
func (noLinks) PasswordReset(string) string       { return "" }
func (noLinks) AddressConfirmation(string) string { return "" }
func (noLinks) SignIn() string                    { return "" }

func (s *Service) links() Links {
	if s.Links == nil {
		return noLinks{}
	}
	return s.Links
}

// WithLinks returns a copy of the service whose mails carry l's links.
func (s *Service) WithLinks(l Links) *Service {
	c := *s
	c.Links = l
	return &c
}

// linkLine is the line of a mail that gives a link, "" for none.
func linkLine(before, link string) string {
	if link == "" {
		return ""
	}
	return before + link + "\n"
}
