// Package sesmail sends the domain's mail (package mail) through Amazon
// SES (v2 API).
package sesmail

import (
	"context"
	"fmt"
	"os"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/aws/aws-sdk-go-v2/service/sesv2/types"

	"github.com/effektif-serverless/caseflow/shared/mail"
)

var _ mail.Sender = Sender{}

// Sender sends mail through SES from a fixed, verified sender address.
type Sender struct {
	Client *sesv2.Client
	From   string
	// ConfigurationSet, when set, names the SES configuration set whose
	// event destination publishes delivery, bounce and complaint events.
	ConfigurationSet string
}

// FromEnv is the Sender of the deployment, with an SES client made from
// cfg: MAIL_FROM is the sender address, MAIL_CONFIGURATION_SET the
// configuration set (may be empty).
func FromEnv(cfg aws.Config) Sender {
	return Sender{Client: sesv2.NewFromConfig(cfg), From: os.Getenv("MAIL_FROM"), ConfigurationSet: os.Getenv("MAIL_CONFIGURATION_SET")}
}

// Send sends m as a simple (SES-composed) message.
func (s Sender) Send(ctx context.Context, m mail.Message) (string, error) {
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
