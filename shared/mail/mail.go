// Package mail is the system's outgoing mail as the domain sees it: a
// message and a sender. Package sesmail sends it through Amazon SES.
package mail

import "context"

// Message is one outgoing mail with a plain-text body and an optional HTML one.
type Message struct {
	To      string
	Subject string
	Text    string
	HTML    string
}

// Sender sends mail.
type Sender interface {
	// Send sends the message and returns the provider's message id.
	Send(ctx context.Context, m Message) (string, error)
}
