// Package mailhook is the Effektif Mail group: POST /mail/incoming, the
// signed inbound mail webhook, onto the mail intake (package mailintake).
// Only the mail function serves it, so only that one links the MIME
// parser with the casework it files into.
package mailhook

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/mail"
	"time"

	"github.com/effektif-serverless/caseflow/shared/effektif"
	"github.com/effektif-serverless/caseflow/shared/failure"
	"github.com/effektif-serverless/caseflow/shared/httpapi"
	"github.com/effektif-serverless/caseflow/shared/mailintake"
)

// RawStore keeps raw messages received over the webhook.
type RawStore interface {
	Put(ctx context.Context, key, contentType string, data []byte) error
}

// MaxWebhookMessage bounds a message posted to the webhook (what a Lambda
// request carries, base64-encoded).
const MaxWebhookMessage = 4 << 20

// Routes registers the Effektif Mail group: POST /mail/incoming, the
// inbound mail webhook. The document marks it public; it is authenticated
// by a signature under a shared secret (mailintake.SignatureHeader: an
// HMAC-SHA256 of the X-Caseflow-Timestamp value, the canonical
// X-Caseflow-Recipients value and the body, each after the other separated
// by "\n") and answers 401 without a valid one or with a timestamp more
// than mailintake.MaxClockSkew from the server's clock; then it runs the
// same pipeline as the SES intake. The signature is the trust in the
// sender: mail posted here is filed as the member its From address names
// (the poster's own mail server is expected to have verified it). The
// recipients are the X-Caseflow-Recipients addresses (all of them), else
// the message's To and Cc addresses of the mail domain; more than
// mailintake.MaxRecipients distinct ones, a malformed element or none
// answer 400 and file nothing. The same body is filed once per recipient,
// however often it is posted (re-signed or not).
func Routes(rt *httpapi.Router, intake *mailintake.Service, secret []byte, raw RawStore) {
	rt.Handle("POST "+effektif.BasePath+"/mail/incoming", func(w http.ResponseWriter, r *http.Request) error {
		body, err := io.ReadAll(io.LimitReader(r.Body, MaxWebhookMessage+1))
		if err != nil {
			return failure.New(failure.Invalid, "the body could not be read")
		}
		if len(body) > MaxWebhookMessage {
			return failure.New(failure.TooLarge, "the message is larger than %d bytes", MaxWebhookMessage)
		}
		values := r.Header.Values(mailintake.RecipientsHeader)
		recipients := ""
		if len(values) > 0 {
			recipients = mailintake.CanonicalRecipients(values)
		}
		err = mailintake.Verify(secret, r.Header.Get(mailintake.TimestampHeader), recipients, body,
			r.Header.Get(mailintake.SignatureHeader), time.Now())
		if err != nil {
			return err
		}
		if len(body) == 0 {
			return failure.New(failure.Invalid, "the body is empty; a raw message (message/rfc822) is required")
		}
		d := mailintake.Delivery{ID: mailintake.DeliveryID(body), Raw: body}
		if len(values) > 0 {
			d.Recipients, err = mailintake.ParseRecipients(recipients)
		} else {
			d.Recipients, err = mailintake.DomainRecipients(messageRecipients(body), intake.Domain)
		}
		if err != nil {
			return err
		}
		if len(d.Recipients) == 0 {
			return failure.Field(mailintake.RecipientsHeader, "the message names no recipients of %s", intake.Domain)
		}
		d.Source = "incoming/" + d.ID
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

// messageRecipients are the addresses of the message's To and Cc headers.
func messageRecipients(body []byte) []string {
	msg, err := mail.ReadMessage(bytes.NewReader(body))
	if err != nil {
		return nil
	}
	var out []string
	for _, h := range []string{"To", "Cc"} {
		list, _ := msg.Header.AddressList(h)
		for _, a := range list {
			out = append(out, a.Address)
		}
	}
	return out
}
