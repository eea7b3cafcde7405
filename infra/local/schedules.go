package local

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"time"

	"github.com/effektif-serverless/caseflow/infra/samtemplate"
)

// Schedule is a function's Schedule event: EventBridge invokes the
// function every Every with Event (the template's Input, or a Scheduled
// Event naming the rule).
type Schedule struct {
	Function string // logical ID
	Name     string // the event's name
	Every    time.Duration
	Event    []byte
}

var rateExpr = regexp.MustCompile(`^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$`)

// Schedules reads the template's Schedule events. Only rate() expressions
// run locally: a cron() expression, or a malformed one, is an error naming
// the event.
func Schedules(t *samtemplate.Template) ([]Schedule, error) {
	var out []Schedule
	for _, fn := range t.Functions {
		for _, ev := range fn.Events {
			if ev.Type != "Schedule" {
				continue
			}
			props, err := t.Resolve(ev.Properties)
			if err != nil {
				return nil, fmt.Errorf("%s.%s: %w", fn.LogicalID, ev.Name, err)
			}
			p, _ := props.(map[string]any)
			expr, _ := p["Schedule"].(string)
			m := rateExpr.FindStringSubmatch(expr)
			n := 0
			if m != nil {
				n, _ = strconv.Atoi(m[1])
			}
			if n <= 0 {
				return nil, fmt.Errorf("%s.%s: schedule %q is not a rate() the local stack runs", fn.LogicalID, ev.Name, expr)
			}
			unit := map[string]time.Duration{"minute": time.Minute, "minutes": time.Minute, "hour": time.Hour, "hours": time.Hour, "day": 24 * time.Hour, "days": 24 * time.Hour}[m[2]]
			event, _ := json.Marshal(map[string]any{
				"version": "0", "detail-type": "Scheduled Event", "source": "aws.events", "detail": map[string]any{},
				"resources": []string{"arn:aws:events:local:000000000000:rule/" + fn.LogicalID + ev.Name},
			})
			if input, ok := p["Input"].(string); ok && json.Valid([]byte(input)) {
				event = []byte(input)
			}
			out = append(out, Schedule{Function: fn.LogicalID, Name: ev.Name, Every: time.Duration(n) * unit, Event: event})
		}
	}
	return out, nil
}

// RunSchedules invokes every scheduled function of the template at its
// rate, as EventBridge does, until ctx ends; an invocation's failure is
// logged and the schedule goes on. `make run` runs it; the tests invoke
// the scheduled function themselves.
func (s *Stack) RunSchedules(ctx context.Context, log io.Writer) error {
	return s.RunSchedulesEvery(ctx, log, 0)
}

// RunSchedulesEvery is RunSchedules with every schedule at the rate every
// instead of its own (when every > 0): for tests that watch scheduled
// work happen (the rates themselves are tested apart).
func (s *Stack) RunSchedulesEvery(ctx context.Context, log io.Writer, every time.Duration) error {
	schedules, err := Schedules(s.Template)
	if err != nil {
		return err
	}
	if every > 0 {
		for i := range schedules {
			schedules[i].Every = every
		}
	}
	runSchedules(ctx, schedules, s.Invoke, log)
	return nil
}

// runSchedules runs each schedule in its own loop and returns when ctx
// ends and every loop has stopped.
func runSchedules(ctx context.Context, schedules []Schedule, invoke func(context.Context, string, []byte) ([]byte, error), log io.Writer) {
	done := make(chan struct{}, len(schedules))
	for _, sc := range schedules {
		go func() {
			defer func() { done <- struct{}{} }()
			ticker := time.NewTicker(sc.Every)
			defer ticker.Stop()
			for {
				select {
				case <-ctx.Done():
					return
				case <-ticker.C:
					if _, err := invoke(ctx, sc.Function, sc.Event); err != nil && ctx.Err() == nil {
						fmt.Fprintf(log, "[schedule] %s.%s: %v\n", sc.Function, sc.Name, err)
					}
				}
			}
		}()
	}
	for range schedules {
		<-done
	}
}
