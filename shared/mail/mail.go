// Package mail sends the system's outgoing mail through Amazon SES (v2 API).
package mail

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/aws/aws-sdk-go-v2/service/sesv2/types"
)

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

// SES sends mail through SES from a fixed, verified sender address.
type SES struct {
	Client *sesv2.Client
	From   string
	// ConfigurationSet, when set, names the SES configuration set whose
	// event destination publishes delivery, bounce and complaint events.
	ConfigurationSet string
}

// Send sends m as a simple (SES-composed) message.
func (s SES) Send(ctx context.Context, m Message) (string, error) {
	body := &types.Body{Text: &types.Content{Data: aws.String(m.Text), Charset: aws.String("UTF-8")}}
	if m.HTML != "" {
		body.Html = &types.Content{Data: aws.String(m.HTML), Charset: aws.String("UTF-8")}
	}
	in := &sesv2.SendEmailInput{
		FromEmailAddress: aws.String(s.From),
		Destination:      &types.Destination{ToAddresses: []string{m.To}},
		Content: &types.EmailContent{Simple: &types.Message{
			Subject: &types.Content{Data: aws.String(m.Subject), Charset: aws.String("UTF-8")},
			Body:    body,
		}},
	}
	if s.ConfigurationSet != "" {
		in.ConfigurationSetName = aws.String(s.ConfigurationSet)
	}
	out, err := s.Client.SendEmail(ctx, in)
	if err != nil {
		return "", fmt.Errorf("send mail %q: %w", m.Subject, err)
	}
	return aws.ToString(out.MessageId), nil
}
