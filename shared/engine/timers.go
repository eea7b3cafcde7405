package engine

import (
	"math"
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

// armBoundaryTimers schedules the boundary timers of an activity that
// started waiting (a fixed dueDate, or a due RelativeTime).
func (r *run) armBoundaryTimers(ai *ActivityInstance, n *node) {
	for _, t := range n.act.Timers {
		if t.DueDate != nil {
			r.schedule(ai, t.ID, t.DueDate.UTC().Truncate(time.Millisecond))
		} else if due, ok := r.resolveTime(ai, t.Due); ok {
			r.schedule(ai, t.ID, due)
		}
	}
}

func (r *run) schedule(ai *ActivityInstance, timerID string, due time.Time) {
	ti := &TimerInstance{ID: r.newID(), ActivityInstanceID: ai.ID, TimerID: timerID, DueDate: Time{due}}
	r.inst.TimerInstances = append(r.inst.TimerInstances, ti)
	r.fx.Timers = append(r.fx.Timers, *ti)
	if r.newTimers == nil {
		r.newTimers = map[string]bool{}
	}
	r.newTimers[ti.ID] = true
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
	ai := r.inst.ActivityInstance(ti.ActivityInstanceID)
	if ai == nil || !ai.Open() {
		return ErrUnknownTimer
	}
	n := r.g.nodes[ai.ActivityID]
	if n == nil {
		return ErrWorkflowMismatch
	}
	// The fired timer is gone, not canceled.
	r.inst.TimerInstances = removeTimer(r.inst.TimerInstances, ti)
	if ti.TimerID == "" {
		r.onwards(ai)
		return nil
	}
	var def *workflow.Timer
	for i := range n.act.Timers {
		if n.act.Timers[i].ID == ti.TimerID {
			def = &n.act.Timers[i]
		}
	}
	if def == nil {
		return ErrWorkflowMismatch
	}
	if !def.NonInterrupting {
		r.cancel(ai)
	}
	for _, id := range def.ToTransitionIDs {
		if e := r.g.edges[id]; e != nil && e.to != nil && e.to.scope == n.scope {
			r.create(ai.parent, e.to, e.key)
		}
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
