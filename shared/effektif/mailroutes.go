package effektif

import (
	"context"
	"io"
	"net/http"
	"net/mail"
	"strings"
	"time"

	"github.com/effektif-serverless/caseflow/shared/casework"
	"github.com/effektif-serverless/caseflow/shared/failure"
	"github.com/effektif-serverless/caseflow/shared/httpapi"
	"github.com/effektif-serverless/caseflow/shared/mailintake"
)

// Email is the Effektif Email model.
type Email struct {
	ID             string              `json:"id"`
	OrganizationID string              `json:"organizationId"`
	Headers        map[string][]string `json:"headers,omitempty"`
	AttachmentIDs  []string            `json:"attachmentIds"`
	From           []string            `json:"from"`
	FromName       string              `json:"fromName,omitempty"`
	To             []string            `json:"to"`
	Cc             []string            `json:"cc"`
	Bcc            []string            `json:"bcc"`
	ReplyTo        []string            `json:"replyTo"`
	Subject        string              `json:"subject"`
	BodyText       string              `json:"bodyText,omitempty"`
	BodyHTML       string              `json:"bodyHtml,omitempty"`
	Preview        string              `json:"preview,omitempty"`
	Source         string              `json:"source,omitempty"`
	SendDate       *time.Time          `json:"sendDate,omitempty"`
}

func emailOf(e casework.Email) Email {
	return Email{
		ID: e.ID, OrganizationID: e.OrganizationID, Headers: e.Headers, AttachmentIDs: orEmpty(e.AttachmentIDs),
		From: orEmpty(e.From), FromName: e.FromName, To: orEmpty(e.To), Cc: orEmpty(e.Cc), Bcc: orEmpty(e.Bcc),
		ReplyTo: orEmpty(e.ReplyTo), Subject: e.Subject, BodyText: e.BodyText, BodyHTML: e.BodyHTML,
		Preview: e.Preview, Source: e.Source, SendDate: timePtr(e.SendDate),
	}
}

// RawStore keeps raw messages received over the webhook.
type RawStore interface {
	Put(ctx context.Context, key, contentType string, data []byte) error
}

// MaxWebhookMessage bounds a message posted to the webhook (what a Lambda
// request carries, base64-encoded).
const MaxWebhookMessage = 4 << 20

// RecipientsHeader optionally names the envelope recipients of a webhook
// delivery (comma-separated); without it they are the message's To and Cc.
const RecipientsHeader = "X-Caseflow-Recipients"

// MailRoutes registers the Effektif Mail group: POST /mail/incoming, the
// inbound mail webhook. The document marks it public; it is authenticated
// by an HMAC-SHA256 signature of the body under a shared secret
// (mailintake.SignatureHeader), answers 401 without a valid one, and runs
// the same pipeline as the SES intake.
func MailRoutes(rt *httpapi.Router, intake *mailintake.Service, secret []byte, raw RawStore) {
	rt.Handle("POST "+BasePath+"/mail/incoming", func(w http.ResponseWriter, r *http.Request) error {
		body, err := io.ReadAll(io.LimitReader(r.Body, MaxWebhookMessage+1))
		if err != nil {
			return failure.New(failure.Invalid, "the body could not be read")
		}
		if len(body) > MaxWebhookMessage {
			return failure.New(failure.TooLarge, "the message is larger than %d bytes", MaxWebhookMessage)
		}
		if !mailintake.Verify(secret, body, r.Header.Get(mailintake.SignatureHeader)) {
			return failure.New(failure.Unauthenticated, "the %s header does not sign this body", mailintake.SignatureHeader)
		}
		if len(body) == 0 {
			return failure.New(failure.Invalid, "the body is empty; a raw message (message/rfc822) is required")
		}
		d := mailintake.Delivery{ID: mailintake.DeliveryID(body), Raw: body, Recipients: webhookRecipients(r, body)}
		d.Source = "incoming/" + d.ID
		if len(d.Recipients) == 0 {
			return failure.Field(RecipientsHeader, "the message names no recipients")
		}
		if err := raw.Put(r.Context(), d.Source, "message/rfc822", body); err != nil {
			return failure.Wrap(err, "keep the raw message")
		}
		out, err := intake.Ingest(r.Context(), d)
		if err != nil {
			return err
		}
		return httpapi.WriteJSON(w, http.StatusOK, map[string]any{"outcomes": out})
	})
}

// webhookRecipients reads the recipients header, else the message's To and
// Cc headers.
func webhookRecipients(r *http.Request, body []byte) []string {
	var out []string
	if h := r.Header.Get(RecipientsHeader); h != "" {
		for _, a := range strings.Split(h, ",") {
			if a = strings.TrimSpace(a); a != "" {
				out = append(out, a)
			}
		}
		return out
	}
	msg, err := mail.ReadMessage(strings.NewReader(string(body)))
	if err != nil {
		return nil
	}
	for _, h := range []string{"To", "Cc"} {
		list, _ := msg.Header.AddressList(h)
		for _, a := range list {
			out = append(out, a.Address)
		}
	}
	return out
}
