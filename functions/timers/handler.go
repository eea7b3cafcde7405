package main

import (
	"context"
	"encoding/json"

	"github.com/effektif-serverless/caseflow/shared/casework"
)

// Work done per run besides the purge's (casework.PurgeDeleted bounds its
// own), bounded so a run ends well within its timeout.
const (
	timersPerRun = 200
	mailsPerRun  = 100
)

// result reports a scheduled run.
type result struct {
	TimersFired int `json:"timersFired"`
	MailsSent   int `json:"mailsSent"`
	casework.PurgeResult
}

// scheduledHandler returns the function's handler: it fires due timers,
// flushes the outbox and purges deleted organizations (their items through
// p, their objects through files). The event (an EventBridge scheduled
// event) carries nothing it needs.
func scheduledHandler(s *casework.Service, p casework.Purger, files casework.PrefixDeleter) func(context.Context, json.RawMessage) (result, error) {
	return func(ctx context.Context, _ json.RawMessage) (result, error) {
		var r result
		var err error
		if r.TimersFired, err = s.FireDueTimers(ctx, timersPerRun); err != nil {
			return r, err
		}
		if r.MailsSent, err = s.FlushOutbox(ctx, mailsPerRun); err != nil {
			return r, err
		}
		r.PurgeResult, err = s.PurgeDeleted(ctx, p, files)
		return r, err
	}
}
