package engine

import (
	"math"
	"slices"
	"time"

	"github.com/effektif-serverless/caseflow/shared/workflow"
)

// ResolveTime computes a RelativeTime as Effektif's AfterRelativeTime
// does: the base (the date its base binding gives, else now) plus the
// duration ("before" subtracts it) in minutes, hours, days, weeks, months
// or years (months and years round the duration to whole units; days and
// weeks may be fractional). Then, in loc, the time of day is set to
// atHour:atMinute when atHour is given, or else, for day-or-larger units,
// to the end of that day (23:59:59.999). ok is false for a nil
// RelativeTime, an unknown type or unit.
func ResolveTime(rt *workflow.RelativeTime, base time.Time, loc *time.Location) (time.Time, bool) {
	if rt == nil {
		return time.Time{}, false
	}
	d := rt.Duration
	switch rt.Type {
	case "", "after":
	case "before":
		d = -d
	default:
		return time.Time{}, false
	}
	if loc == nil {
		loc = time.UTC
	}
	t := base.In(loc)
	days := 0.0
	switch rt.DurationUnit {
	case "minutes":
		t = t.Add(time.Duration(d * float64(time.Minute)))
	case "hours":
		t = t.Add(time.Duration(d * float64(time.Hour)))
	case "days":
		days = d
	case "weeks":
		days = 7 * d
	case "months":
		t = t.AddDate(0, int(math.Round(d)), 0)
	case "years":
		t = t.AddDate(int(math.Round(d)), 0, 0)
	default:
		return time.Time{}, false
	}
	if days != 0 {
		whole := math.Trunc(days)
		t = t.AddDate(0, 0, int(whole)).Add(time.Duration((days - whole) * 24 * float64(time.Hour)))
	}
	y, m, day := t.Date()
	switch {
	case rt.AtHour != nil:
		minute := 0
		if rt.AtMinute != nil {
			minute = *rt.AtMinute
		}
		t = time.Date(y, m, day, *rt.AtHour, minute, 0, 0, loc)
	case rt.DurationUnit != "minutes" && rt.DurationUnit != "hours":
		t = time.Date(y, m, day, 23, 59, 59, int(999*time.Millisecond), loc)
	}
	t = t.UTC()
	return t, validYear(t)
}

// validYear reports whether t has a four-digit year, which every date
// written as ISO 8601 must have.
func validYear(t time.Time) bool {
	return t.Year() >= 1 && t.Year() <= 9999
}

// resolveTime resolves a RelativeTime for an activity instance, its base
// binding read in that instance's scope.
func (r *run) resolveTime(ai *ActivityInstance, rt *workflow.RelativeTime) (time.Time, bool) {
	if rt == nil {
		return time.Time{}, false
	}
	base := r.now
	if rt.Base != nil {
		if v, _ := evalBinding(r.vars(ai), rt.Base); v != nil {
			if t, ok := asTime(v); ok {
				base = t
			}
		}
	}
	return ResolveTime(rt, base, r.loc)
}

// armBoundary schedules the boundary timers of an activity that started
// waiting (a fixed dueDate, or a due RelativeTime); its other boundary
// events need no arming.
func (r *run) armBoundary(ai *ActivityInstance, n *node) {
	for _, b := range n.boundary {
		if b.ev.Type == workflow.EventTimer {
			if due, ok := r.timerDue(ai, &b.ev); ok {
				r.schedule(ai.ID, b.id, due, remaining(b.ev.Repetitions))
			}
		}
	}
}

// armScope schedules the timers of the timer start events of a scope's
// event sub-processes (scope nil: the workflow).
func (r *run) armScope(scope *ActivityInstance, sd *scopeDef) {
	for _, esp := range sd.esps {
		for _, s := range esp.eventStarts() {
			if ev := s.act.Event; ev.Type == workflow.EventTimer {
				if due, ok := r.timerDue(scope, ev); ok {
					r.schedule(scopeID(scope), s.act.ID, due, remaining(ev.Repetitions))
				}
			}
		}
	}
}

// timerDue is when a timer event is due: its fixed date, else its
// RelativeTime; ok is false without either.
func (r *run) timerDue(ai *ActivityInstance, ev *workflow.Event) (time.Time, bool) {
	if ev.DueDate != nil {
		return ev.DueDate.UTC().Truncate(time.Millisecond), true
	}
	return r.resolveTime(ai, ev.Due)
}

// remaining is how many more times a timer of that many repetitions fires
// after the first.
func remaining(repetitions int) int {
	switch {
	case repetitions < 0:
		return -1
	case repetitions > 1:
		return repetitions - 1
	}
	return 0
}

func (r *run) schedule(activityInstanceID, timerID string, due time.Time, left int) {
	ti := &TimerInstance{ID: r.newID(), ActivityInstanceID: activityInstanceID, TimerID: timerID, DueDate: Time{due}, Remaining: left}
	r.inst.TimerInstances = append(r.inst.TimerInstances, ti)
	r.fx.Timers = append(r.fx.Timers, *ti)
	if r.newTimers == nil {
		r.newTimers = map[string]bool{}
	}
	r.newTimers[ti.ID] = true
}

// reschedule schedules the next occurrence of a repeating timer that
// fired: its RelativeTime after the time it was due.
func (r *run) reschedule(ti *TimerInstance, rt *workflow.RelativeTime) {
	if ti.Remaining == 0 || rt == nil {
		return
	}
	every := *rt
	every.Base = nil
	next, ok := ResolveTime(&every, ti.DueDate.Time, r.loc)
	if !ok || !next.After(ti.DueDate.Time) {
		return
	}
	left := ti.Remaining
	if left > 0 {
		left--
	}
	r.schedule(ti.ActivityInstanceID, ti.TimerID, next, left)
}

// dropTimers removes the timers f selects. Timers scheduled earlier in
// this run are simply unscheduled; older ones are reported canceled.
func (r *run) dropTimers(f func(*TimerInstance) bool) {
	kept := r.inst.TimerInstances[:0]
	for _, ti := range r.inst.TimerInstances {
		switch {
		case !f(ti):
			kept = append(kept, ti)
		case r.newTimers[ti.ID]:
			for i, t := range r.fx.Timers {
				if t.ID == ti.ID {
					r.fx.Timers = append(r.fx.Timers[:i], r.fx.Timers[i+1:]...)
					break
				}
			}
		default:
			r.fx.CanceledTimers = append(r.fx.CanceledTimers, *ti)
		}
	}
	clear(r.inst.TimerInstances[len(kept):])
	r.inst.TimerInstances = kept
	if len(kept) == 0 {
		r.inst.TimerInstances = nil
	}
}

// fireTimer fires a due timer (see Engine.FireTimer).
func (r *run) fireTimer(timerID string) error {
	var ti *TimerInstance
	for _, t := range r.inst.TimerInstances {
		if t.ID == timerID {
			ti = t
		}
	}
	if ti == nil {
		return ErrUnknownTimer
	}
	if r.now.Before(ti.DueDate.Time) {
		return ErrTimerNotDue
	}
	var ai *ActivityInstance
	var n *node
	sd := r.g.root
	if ti.ActivityInstanceID == "" {
		if r.inst.Ended() {
			return ErrUnknownTimer
		}
	} else {
		ai = r.inst.ActivityInstance(ti.ActivityInstanceID)
		if ai == nil || !ai.Open() {
			return ErrUnknownTimer
		}
		if n = r.g.nodes[ai.ActivityID]; n == nil {
			return ErrWorkflowMismatch
		}
		sd = n.inner
	}
	// The fired timer is gone, not canceled.
	r.inst.TimerInstances = removeTimer(r.inst.TimerInstances, ti)
	if ti.TimerID == "" {
		if ai == nil {
			return ErrWorkflowMismatch
		}
		r.onwards(ai)
		return nil
	}
	if n != nil {
		if b := n.findBoundary(ti.TimerID); b != nil && b.ev.Type == workflow.EventTimer {
			r.fireBoundary(ai, b)
			if armed(ai) {
				r.reschedule(ti, b.ev.Due)
			}
			return nil
		}
	}
	// The timer start event of an event sub-process of the scope.
	start := r.g.nodes[ti.TimerID]
	if sd == nil || start == nil || start.scope.owner == nil || !slices.Contains(sd.esps, start.scope.owner) ||
		start.act.Event == nil || start.act.Event.Type != workflow.EventTimer {
		return ErrWorkflowMismatch
	}
	if r.interrupted(ai) {
		return nil
	}
	if _, err := r.triggerESP(ai, start.scope.owner, start); err != nil {
		return err
	}
	if start.act.NonInterrupting {
		r.reschedule(ti, start.act.Event.Due)
	}
	return nil
}

func removeTimer(list []*TimerInstance, ti *TimerInstance) []*TimerInstance {
	out := make([]*TimerInstance, 0, len(list))
	for _, t := range list {
		if t != ti {
			out = append(out, t)
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}
