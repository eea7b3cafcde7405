package casework

import (
	"context"
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
			eff, err := s.engine().FireTimerCompiled(s.compiledOf(&tr.version), tr.rec.Instance, t.TimerID)
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

// The purge's work per run (PurgeDeleted), bounded so a scheduled run ends
// well within its timeout.
const (
	// purgeItemsPerRun bounds the DynamoDB items, and purgeObjectsPerRun
	// the S3 objects, that one run removes of deleted organizations.
	purgeItemsPerRun   = 1000
	purgeObjectsPerRun = 500
	purgesPerRun       = 20
)

// Purger removes the data of deleted organizations in bounded steps.
type Purger interface {
	// PendingPurges lists up to limit organizations whose data is still
	// being removed.
	PendingPurges(ctx context.Context, limit int) ([]string, error)
	// PurgeStep removes up to limit items of the organization, calling
	// removeObjects first with the S3 keys the removed items name; done
	// when nothing of the organization is left in the table.
	PurgeStep(ctx context.Context, organizationID string, limit int, removeObjects func(context.Context, []string) error) (removed int, done bool, err error)
	// FinishPurge removes the organization's purge marker.
	FinishPurge(ctx context.Context, organizationID string) error
}

// PrefixDeleter removes stored objects (objects.Bucket).
type PrefixDeleter interface {
	Delete(ctx context.Context, key string) error
	// DeletePrefix removes up to limit objects under prefix and returns
	// how many it removed.
	DeletePrefix(ctx context.Context, prefix string, limit int) (int, error)
}

// PurgeResult reports what a run removed of deleted organizations.
type PurgeResult struct {
	// Organizations whose purge ended in this run.
	Finished int `json:"organizationsPurged"`
	Items    int `json:"itemsPurged"`
	Objects  int `json:"objectsPurged"`
	// Pending is how many organizations still have data left.
	Pending int `json:"purgesPending"`
}

// PurgeDeleted removes the data of deleted organizations, within budgets
// of items and objects per run, oldest marker first: each organization's
// items in the table (p) with the objects they name, then its objects under
// files/<organizationId>/ (files); when a run finds neither left, its
// marker. A run that stops anywhere is resumed by the next; running it when
// nothing is left does nothing.
func (s *Service) PurgeDeleted(ctx context.Context, p Purger, files PrefixDeleter) (PurgeResult, error) {
	var r PurgeResult
	orgs, err := p.PendingPurges(ctx, purgesPerRun)
	if err != nil {
		return r, err
	}
	items, objectBudget := purgeItemsPerRun, purgeObjectsPerRun
	removeObjects := func(ctx context.Context, keys []string) error {
		for _, k := range keys {
			if err := files.Delete(ctx, k); err != nil {
				return err
			}
		}
		r.Objects += len(keys)
		return nil
	}
	for _, orgID := range orgs {
		if items <= 0 || objectBudget <= 0 {
			r.Pending++
			continue
		}
		removed, done, err := p.PurgeStep(ctx, orgID, items, removeObjects)
		if err != nil {
			return r, err
		}
		items -= removed
		r.Items += removed
		n, err := files.DeletePrefix(ctx, FileKey(orgID, ""), objectBudget)
		if err != nil {
			return r, err
		}
		objectBudget -= n
		r.Objects += n
		if !done || n > 0 {
			// the next run looks again and ends it when nothing is left
			r.Pending++
			continue
		}
		if err := p.FinishPurge(ctx, orgID); err != nil {
			return r, err
		}
		r.Finished++
	}
	return r, nil
}
