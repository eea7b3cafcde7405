package casework

import (
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"time"

	"github.com/effektif-serverless/caseflow/shared/failure"
	"github.com/effektif-serverless/caseflow/shared/mail"
)

// deliver sends queued mails and removes each sent one from the outbox. A
// mail that fails stays there for FlushOutbox.
func (s *Service) deliver(ctx context.Context, mails []OutboxMail) {
	for _, m := range mails {
		if err := s.send(ctx, m); err != nil {
			slog.WarnContext(ctx, "mail not sent; it stays in the outbox", "mailId", m.ID, "error", err.Error())
		}
	}
}

func (s *Service) send(ctx context.Context, m OutboxMail) error {
	if s.Mail == nil {
		return failure.New(failure.Unavailable, "no mail sender configured")
	}
	// SES takes one list of recipients per header; the simple sender
	// takes one To, so each recipient gets the mail addressed to them.
	for _, to := range append(append(append([]string{}, m.To...), m.Cc...), m.Bcc...) {
		if _, err := s.Mail.Send(ctx, mail.Message{To: to, Subject: m.Subject, Text: m.Text, HTML: m.HTML}); err != nil {
			return err
		}
	}
	return s.Store.DeleteMail(ctx, m)
}

// FlushOutbox sends the mails that are older than a minute and still in
// the outbox (their first delivery failed). It returns how many it sent.
func (s *Service) FlushOutbox(ctx context.Context, limit int) (int, error) {
	mails, err := s.Store.PendingMail(ctx, s.now().Add(-time.Minute), limit)
	if err != nil {
		return 0, err
	}
	sent := 0
	for _, m := range mails {
		if err := s.send(ctx, m); err != nil {
			slog.WarnContext(ctx, "mail not sent", "mailId", m.ID, "error", err.Error())
			continue
		}
		sent++
	}
	return sent, nil
}

// FireDueTimers fires up to limit timers that are due, each in its own
// transaction with its instance (a timer that is gone, because it fired
// already or its activity ended, is dropped from the index). It returns how
// many fired. Delivery is at least once and idempotent: a timer that fired
// is no longer in its instance, so a second attempt only drops it.
func (s *Service) FireDueTimers(ctx context.Context, limit int) (int, error) {
	due, err := s.Store.DueTimers(ctx, s.now(), limit)
	if err != nil {
		return 0, err
	}
	fired := 0
	for _, t := range due {
		err := s.retry(func() error {
			p := s.newProgress(ctx, t.OrganizationID, "")
			tr, err := p.track(t.InstanceID)
			if err != nil {
				return err
			}
			eff, err := s.engine().FireTimer(&tr.version.Definition, tr.rec.Instance, t.TimerID)
			if err != nil {
				return engineFailure(err)
			}
			if err := p.apply(tr, eff, 0); err != nil {
				return err
			}
			p.ch.Timers = append(p.ch.Timers, TimerEntry{OrganizationID: t.OrganizationID, InstanceID: t.InstanceID, TimerID: t.TimerID, Due: t.Due, Delete: true})
			return p.commit()
		})
		switch {
		case err == nil:
			fired++
		case failure.Is(err, failure.NotFound):
			drop := t
			drop.Delete = true
			if err := s.Store.Commit(ctx, Changes{Timers: []TimerEntry{drop}}); err != nil {
				return fired, err
			}
		case failure.Is(err, failure.Conflict) && strings.Contains(err.Error(), "not due"):
			// the clock of the index and the engine disagree by a hair: next round
		default:
			slog.ErrorContext(ctx, "timer failed", "instanceId", t.InstanceID, "timerId", t.TimerID, "error", err.Error())
		}
	}
	return fired, nil
}

// Work done per scheduled run, bounded so a run ends well within its timeout.
const (
	timersPerRun = 200
	mailsPerRun  = 100
)

// ScheduledResult reports a scheduled run.
type ScheduledResult struct {
	TimersFired int `json:"timersFired"`
	MailsSent   int `json:"mailsSent"`
}

// ScheduledHandler returns the handler of the scheduled function: it fires
// due timers and flushes the outbox. The event (an EventBridge scheduled
// event) carries nothing it needs.
func ScheduledHandler(s *Service) func(context.Context, json.RawMessage) (ScheduledResult, error) {
	return func(ctx context.Context, _ json.RawMessage) (ScheduledResult, error) {
		var r ScheduledResult
		var err error
		if r.TimersFired, err = s.FireDueTimers(ctx, timersPerRun); err != nil {
			return r, err
		}
		r.MailsSent, err = s.FlushOutbox(ctx, mailsPerRun)
		return r, err
	}
}
