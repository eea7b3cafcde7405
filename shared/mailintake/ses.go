package mailintake

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/aws/aws-lambda-go/events"
)

// RawReader reads the raw messages the SES receipt rule stored.
type RawReader interface {
	Get(ctx context.Context, key string, limit int64) ([]byte, error)
}

// SESHandler returns the handler of the SES-triggered intake function. The
// receipt rule first stores the message in S3 under prefix+messageId (the
// SES event carries no body), then invokes the function. A failure to read
// or file is returned as an error, so Lambda retries the event; filing is
// idempotent by SES message id and recipient.
func SESHandler(s *Service, raw RawReader, prefix string) func(context.Context, events.SimpleEmailEvent) ([]Outcome, error) {
	return func(ctx context.Context, ev events.SimpleEmailEvent) ([]Outcome, error) {
		var all []Outcome
		for _, rec := range ev.Records {
			mail, receipt := rec.SES.Mail, rec.SES.Receipt
			d := Delivery{
				ID: mail.MessageID, Recipients: receipt.Recipients, Source: prefix + mail.MessageID,
				SpamFail: receipt.SpamVerdict.Status == "FAIL", VirusFail: receipt.VirusVerdict.Status == "FAIL",
			}
			if mail.MessageID == "" {
				slog.WarnContext(ctx, "SES record without a message id skipped")
				continue
			}
			if !d.SpamFail && !d.VirusFail {
				data, err := raw.Get(ctx, d.Source, MaxMessageSize)
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

// MaxMessageSize is SES's limit of a received message.
const MaxMessageSize = 40 << 20
