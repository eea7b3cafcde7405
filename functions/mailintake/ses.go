package main

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/aws/aws-lambda-go/events"

	"github.com/effektif-serverless/caseflow/shared/mailintake"
)

// rawReader reads the raw messages the SES receipt rule stored.
type rawReader interface {
	Get(ctx context.Context, key string, limit int64) ([]byte, error)
}

// sesHandler returns the handler of the SES-triggered intake function. The
// receipt rule first stores the message in S3 under prefix+messageId (the
// SES event carries no body), then invokes the function. A failure to read
// or file is returned as an error, so Lambda retries the event; filing is
// idempotent by SES message id and recipient. The sender is a member only
// when SES's verdicts verify the From address (mailintake.Authentication.Verifies).
func sesHandler(s *mailintake.Service, raw rawReader, prefix string) func(context.Context, events.SimpleEmailEvent) ([]mailintake.Outcome, error) {
	return func(ctx context.Context, ev events.SimpleEmailEvent) ([]mailintake.Outcome, error) {
		var all []mailintake.Outcome
		for _, rec := range ev.Records {
			d, ok := delivery(rec, prefix)
			if !ok {
				slog.WarnContext(ctx, "SES record without a message id skipped")
				continue
			}
			if !d.SpamFail && !d.VirusFail && len(d.Recipients) <= mailintake.MaxRecipients {
				data, err := raw.Get(ctx, d.Source, mailintake.MaxMessageSize)
				if err != nil {
					return all, fmt.Errorf("read message %s: %w", d.Source, err)
				}
				d.Raw = data
			}
			out, err := s.Ingest(ctx, d)
			all = append(all, out...)
			if err != nil {
				return all, err
			}
		}
		return all, nil
	}
}

// delivery reads one SES receipt record as the intake's Delivery (without
// its raw message, which the receipt rule stored at Source); false for a
// record without a message id.
func delivery(rec events.SimpleEmailRecord, prefix string) (mailintake.Delivery, bool) {
	mail, receipt := rec.SES.Mail, rec.SES.Receipt
	return mailintake.Delivery{
		ID: mail.MessageID, Recipients: mailintake.Distinct(receipt.Recipients), Source: prefix + mail.MessageID,
		SpamFail: receipt.SpamVerdict.Status == mailintake.VerdictFail, VirusFail: receipt.VirusVerdict.Status == mailintake.VerdictFail,
		Authentication: &mailintake.Authentication{
			SPF: receipt.SPFVerdict.Status, DKIM: receipt.DKIMVerdict.Status, DMARC: receipt.DMARCVerdict.Status,
			EnvelopeFrom: mail.Source,
		},
	}, mail.MessageID != ""
}
