// Package mailintake files incoming mail: it parses the raw message, finds
// the organization and target from the recipient address, checks the
// sender, and hands the mail to casework.FileMail. It serves both the
// SES-triggered function (the message stored in S3 by the receipt rule)
// and the POST /mail/incoming webhook.
//
// Addresses, for the configured mail domain:
//
//	<org>@<domain>           a new task in the organization (from members)
//	<org>+<id>@<domain>      <id> is an editor workflow: starts it with the mail as trigger data, a new case
//	                         (anyone may start a workflow with an email trigger; others take members' mail)
//	                         <id> is a case: the mail is added to it, with its attachments
//	                         <id> is a task: the mail is added to the task (and its case)
//
// Mail for another domain, an unknown organization or target, or from a
// sender who may not use the address is recorded as rejected (a record per
// message and recipient, kept 30 days, which a redelivery finds), never
// retried. Mail that SES judged spam or a virus (verdict FAIL) is dropped.
//
// The sender is the member its From address names only when that address
// is verified: over SES by the SPF, DKIM and DMARC verdicts (see
// Authentication.Verifies); over the webhook by the signature, whose holder
// of the shared secret vouches for the sender (its own mail server checked
// it). Mail from an unverified sender is an unknown sender's, whoever its
// From names: it may only start workflows with an email trigger.
//
// A message has at most MaxRecipients distinct recipients of the mail
// domain; one with more is refused as a whole (the webhook answers 400,
// the SES intake records one rejection and files nothing), so a message
// costs bounded work.
package mailintake

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"

	"github.com/effektif-serverless/caseflow/shared/casework"
	"github.com/effektif-serverless/caseflow/shared/failure"
	"github.com/effektif-serverless/caseflow/shared/identity"
	"github.com/effektif-serverless/caseflow/shared/ids"
	"github.com/effektif-serverless/caseflow/shared/mailparse"
)

// MaxAttachments bounds the attachments kept of one mail (the rest are
// dropped and logged): they are filed in one transaction.
const MaxAttachments = 40

// MaxRecipients bounds the distinct recipients of one message that are
// filed: each costs a filing (a transaction and its attachments' objects).
const MaxRecipients = 10

// Service files incoming mail.
type Service struct {
	Casework *casework.Service
	Identity *identity.Service
	// Domain is the mail domain of the organizations' addresses.
	Domain string
}

// Delivery is one received message for its recipients.
type Delivery struct {
	// ID identifies the delivery (the SES message id); with the recipient
	// it makes filing idempotent.
	ID         string
	Raw        []byte
	Recipients []string
	// Source is where the raw message is kept (its S3 key).
	Source    string
	SpamFail  bool
	VirusFail bool
	// Authentication is what SES found out about the sender; nil when the
	// delivery's poster vouches for the From address (the signed webhook).
	Authentication *Authentication
}

// Status of one recipient's outcome.
const (
	Filed    = "filed"
	Rejected = "rejected"
	Dropped  = "dropped"
)

// Outcome is what became of a delivery for one recipient.
type Outcome struct {
	Recipient string                `json:"recipient"`
	Status    string                `json:"status"`
	Reason    string                `json:"reason,omitempty"`
	Filed     *casework.MailOutcome `json:"filed,omitempty"`
}

// Route is a recipient address taken apart.
type Route struct {
	OrganizationKey string
	// Target is the part after "+", "" for none.
	Target string
}

// ParseRecipient reads "<org>[+<target>]@<domain>" (case-insensitive);
// ok is false for another domain or a malformed address.
func ParseRecipient(address, domain string) (Route, bool) {
	local, dom, found := strings.Cut(strings.ToLower(strings.TrimSpace(address)), "@")
	if !found || dom != strings.ToLower(domain) || local == "" {
		return Route{}, false
	}
	key, target, _ := strings.Cut(local, "+")
	if key == "" || strings.ContainsAny(key, " <>\"") {
		return Route{}, false
	}
	return Route{OrganizationKey: key, Target: target}, true
}

// Ingest files a delivery for each of its recipients. Only infrastructure
// failures are errors (the caller retries the delivery, which is safe);
// everything about the mail itself is an Outcome.
func (s *Service) Ingest(ctx context.Context, d Delivery) ([]Outcome, error) {
	d.Recipients = Distinct(d.Recipients)
	if len(d.Recipients) > MaxRecipients {
		return s.rejectAll(ctx, d, fmt.Sprintf("the message has %d recipients; at most %d are taken", len(d.Recipients), MaxRecipients))
	}
	if d.SpamFail || d.VirusFail {
		slog.WarnContext(ctx, "mail dropped by its SES verdict", "deliveryId", d.ID, "spam", d.SpamFail, "virus", d.VirusFail)
		return outcomes(d.Recipients, Dropped, "SES judged the message spam or a virus"), nil
	}
	msg, err := mailparse.Parse(d.Raw)
	if err != nil {
		slog.WarnContext(ctx, "mail rejected: unreadable", "deliveryId", d.ID, "error", err.Error())
		return outcomes(d.Recipients, Rejected, "the message cannot be read: "+err.Error()), nil
	}
	for _, w := range msg.Warnings {
		slog.InfoContext(ctx, "mail defect", "deliveryId", d.ID, "defect", w)
	}
	verified := d.Authentication == nil || d.Authentication.Verifies(d.Raw, msg.From)
	if !verified {
		slog.InfoContext(ctx, "mail from an unverified sender", "deliveryId", d.ID,
			"spf", d.Authentication.SPF, "dkim", d.Authentication.DKIM, "dmarc", d.Authentication.DMARC)
	}
	var out []Outcome
	for _, rcpt := range d.Recipients {
		o, err := s.fileFor(ctx, d, msg, rcpt, verified)
		if err != nil {
			return out, err
		}
		slog.InfoContext(ctx, "mail processed", "deliveryId", d.ID, "status", o.Status, "reason", o.Reason)
		out = append(out, o)
	}
	return out, nil
}

// rejectAll records one rejection for the whole delivery (a redelivery
// writes nothing more) and answers it for every recipient.
func (s *Service) rejectAll(ctx context.Context, d Delivery, reason string) ([]Outcome, error) {
	slog.WarnContext(ctx, "mail rejected", "deliveryId", d.ID, "reason", reason)
	err := s.Casework.Store.Commit(ctx, casework.Changes{Once: []casework.OnceMark{{Key: "rejected/" + d.ID, Result: reason}}})
	if err != nil && !errors.Is(err, casework.ErrDone) {
		return nil, err
	}
	return outcomes(d.Recipients, Rejected, reason), nil
}

// Distinct is addresses without empty ones and repetitions (compared
// case-insensitively, the first spelling kept), in their order.
func Distinct(addresses []string) []string {
	var out []string
	seen := make(map[string]bool, len(addresses))
	for _, a := range addresses {
		a = strings.TrimSpace(a)
		if k := strings.ToLower(a); a != "" && !seen[k] {
			seen[k] = true
			out = append(out, a)
		}
	}
	return out
}

func outcomes(recipients []string, status, reason string) []Outcome {
	out := make([]Outcome, len(recipients))
	for i, r := range recipients {
		out[i] = Outcome{Recipient: r, Status: status, Reason: reason}
	}
	return out
}

// fileFor files the message for one recipient; verified says whether the
// From address is the sender's (else the sender is unknown).
func (s *Service) fileFor(ctx context.Context, d Delivery, msg *mailparse.Message, rcpt string, verified bool) (Outcome, error) {
	once := d.ID + "/" + strings.ToLower(rcpt)
	rejectedKey := "rejected/" + once
	if reason, err := s.Casework.Store.OnceResult(ctx, rejectedKey); err == nil {
		return Outcome{Recipient: rcpt, Status: Rejected, Reason: reason}, nil
	} else if !failure.Is(err, failure.NotFound) {
		return Outcome{}, err
	}
	// A rejection is recorded (once, like a filing), so a redelivery finds it.
	reject := func(format string, args ...any) (Outcome, error) {
		reason := fmt.Sprintf(format, args...)
		err := s.Casework.Store.Commit(ctx, casework.Changes{Once: []casework.OnceMark{{Key: rejectedKey, Result: reason}}})
		if err != nil && !errors.Is(err, casework.ErrDone) {
			return Outcome{}, err
		}
		return Outcome{Recipient: rcpt, Status: Rejected, Reason: reason}, nil
	}
	route, ok := ParseRecipient(rcpt, s.Domain)
	if !ok {
		return reject("not an address of %s", s.Domain)
	}
	if len(msg.From) == 0 {
		return reject("the message has no sender")
	}
	senderID := "" // an unknown sender unless the verified From names a user
	if verified {
		uid, err := s.Identity.Store.UserIDByEmail(ctx, identity.NormalizeEmail(msg.From[0].Email))
		switch {
		case err == nil:
			senderID = uid
		case !failure.Is(err, failure.NotFound):
			return Outcome{}, err
		}
	}
	org, member, err := s.Identity.Store.OrganizationAccess(ctx, route.OrganizationKey, senderID)
	if failure.Is(err, failure.NotFound) || err == nil && org.Disabled {
		return reject("no organization %q", route.OrganizationKey)
	}
	if err != nil {
		return Outcome{}, err
	}
	if member == nil || member.Disabled {
		senderID = "" // a disabled membership sends as anyone else would
	}
	target, err := s.target(ctx, org, route.Target)
	if err != nil {
		if failure.Is(err, failure.NotFound) {
			return reject("no target %q in %s", route.Target, route.OrganizationKey)
		}
		return Outcome{}, err
	}
	mail := inbound(d, msg)
	filed, err := s.Casework.FileMail(ctx, org, senderID, mail, target, once)
	if err != nil {
		if f := failure.As(err); f.Code != failure.Internal && f.Code != failure.Unavailable {
			if f.Code == failure.Forbidden && !verified {
				return reject("the sender's address is not verified by SPF, DKIM or DMARC, so the mail is an unknown sender's: %s", f.Message)
			}
			return reject("%s", f.Message)
		}
		return Outcome{}, err
	}
	return Outcome{Recipient: rcpt, Status: Filed, Filed: &filed}, nil
}

// target finds what the part after "+" names: an editor workflow, a case
// or a task of the organization (by id); none means a new task.
func (s *Service) target(ctx context.Context, org identity.Organization, ref string) (casework.MailTarget, error) {
	if ref == "" {
		return casework.MailTarget{Kind: casework.MailToTask}, nil
	}
	if !ids.Valid(ref) {
		return casework.MailTarget{}, failure.New(failure.NotFound, "no such target")
	}
	store := s.Casework.Store
	if _, err := store.GetEditorWorkflow(ctx, org.ID, ref); err == nil {
		return casework.MailTarget{Kind: casework.MailToWorkflow, ID: ref}, nil
	} else if !failure.Is(err, failure.NotFound) {
		return casework.MailTarget{}, err
	}
	if _, err := store.GetCase(ctx, org.ID, ref); err == nil {
		return casework.MailTarget{Kind: casework.MailToCase, ID: ref}, nil
	} else if !failure.Is(err, failure.NotFound) {
		return casework.MailTarget{}, err
	}
	if _, err := store.GetTask(ctx, org.ID, ref); err == nil {
		return casework.MailTarget{Kind: casework.MailToOpenTask, ID: ref}, nil
	} else if !failure.Is(err, failure.NotFound) {
		return casework.MailTarget{}, err
	}
	return casework.MailTarget{}, failure.New(failure.NotFound, "no such target")
}

// inbound turns a parsed message into the mail casework files.
func inbound(d Delivery, msg *mailparse.Message) casework.InboundMail {
	e := casework.Email{
		MessageID: msg.MessageID, Headers: msg.Headers, From: addresses(msg.From), To: addresses(msg.To),
		Cc: addresses(msg.Cc), Bcc: addresses(msg.Bcc), ReplyTo: addresses(msg.ReplyTo), Subject: msg.Subject,
		BodyText: msg.Text, BodyHTML: msg.HTML, Preview: msg.Preview, SendDate: msg.Date, Source: d.Source,
	}
	if len(msg.From) > 0 {
		e.FromName = msg.From[0].Name
	}
	var atts []casework.Upload
	for i, a := range msg.Attachments {
		if i >= MaxAttachments {
			slog.Warn("attachments dropped", "deliveryId", d.ID, "kept", MaxAttachments, "total", len(msg.Attachments))
			break
		}
		atts = append(atts, casework.Upload{Name: a.FileName, ContentType: a.ContentType, Data: a.Data})
	}
	return casework.InboundMail{Email: e, Attachments: atts}
}

func addresses(as []mailparse.Address) []string {
	out := make([]string, 0, len(as))
	for _, a := range as {
		out = append(out, a.Email)
	}
	return out
}
