package engine

import "github.com/effektif-serverless/caseflow/shared/workflow"

// exclusiveChoice picks the one transition an exclusive gateway takes:
//  1. the first outgoing transition (list order, the default skipped)
//     with a condition that holds;
//  2. else the default transition (defaultTransitionId);
//  3. else the only outgoing transition;
//  4. else the first outgoing transition without a condition that does
//     not lead back to the gateway, else the first without a condition
//     (several transitions without a condition leave the choice open: a
//     descriptive model; preferring the way forward keeps such a model
//     from looping without end);
//  5. else none: the path ends here.
func (r *run) exclusiveChoice(ai *ActivityInstance, n *node) *edge {
	def := n.defaultEdge()
	vs := r.vars(ai)
	for _, e := range n.out {
		if e != def && isCondition(e.t.Condition) && holds(vs, e.t.Condition) {
			return e
		}
	}
	if def != nil {
		return def
	}
	if len(n.out) == 1 {
		return n.out[0]
	}
	var first *edge
	for _, e := range n.out {
		if isCondition(e.t.Condition) {
			continue
		}
		if first == nil {
			first = e
		}
		if e.to != nil && e.to != n && !r.g.reachers(n)[e.to] {
			return e
		}
	}
	return first
}

// arrive handles a token reaching a parallel or inclusive gateway. With
// at most one incoming transition there is nothing to join and the
// gateway splits at once. Otherwise the arriving instance ends as
// "joining" and the gateway fires when joinReady says so.
func (r *run) arrive(ai *ActivityInstance, n *node) {
	if len(n.in) <= 1 || ai.Incoming == "" {
		r.end(ai, "")
		r.split(ai, n)
		return
	}
	ai.WorkState = wsJoining
	r.end(ai, "")
	if r.joinReady(ai.parent, n) {
		r.fire(ai.parent, n)
	}
}

// split takes a gateway's outgoing transitions. Parallel: every one whose
// condition holds. Inclusive: every non-default one whose condition holds
// (no condition holds trivially), else the default; none: the path ends.
func (r *run) split(ai *ActivityInstance, n *node) {
	vs := r.vars(ai)
	def := n.defaultEdge()
	taken := false
	for _, e := range n.out {
		if n.act.Type == workflow.InclusiveGateway && e == def {
			continue
		}
		if holds(vs, e.t.Condition) {
			r.take(ai, e)
			taken = true
		}
	}
	if !taken && def != nil {
		r.take(ai, def)
	}
}

// joinReady decides whether a join gateway in a scope fires, given the
// joining (arrived) instances of it in that scope:
//   - parallel: a token arrived on every incoming transition, or nothing
//     else in the scope is open any more (the Effektif rule that keeps a
//     join after an exclusive choice from waiting forever);
//   - inclusive: at least one token arrived and no open activity instance
//     of the scope can still reach the gateway.
//
// Arrivals are consumed one per incoming transition per firing, so a
// second token on the same transition (a loop) waits for the next round.
func (r *run) joinReady(scope *ActivityInstance, n *node) bool {
	arrived := map[string]bool{}
	var reach map[*node]bool
	if n.act.Type == workflow.InclusiveGateway {
		reach = r.g.reachers(n)
	}
	othersOpen := false
	for _, ai := range r.scopeOf(scope).ActivityInstances {
		switch {
		case ai.WorkState == wsJoining && ai.ActivityID == n.act.ID:
			arrived[ai.Incoming] = true
		case ai.Open():
			othersOpen = true
			if reach != nil && (ai.ActivityID == n.act.ID || reach[r.g.nodes[ai.ActivityID]]) {
				return false // a token on its way (or queued at the gateway)
			}
		}
	}
	if len(arrived) == 0 {
		return false
	}
	if reach != nil {
		return true
	}
	if !othersOpen {
		return true
	}
	for _, e := range n.in {
		if !arrived[e.key] {
			return false
		}
	}
	return true
}

// fire consumes the earliest arrival on each incoming transition and
// splits from the last of them.
func (r *run) fire(scope *ActivityInstance, n *node) {
	var last *ActivityInstance
	used := map[string]bool{}
	for _, ai := range r.scopeOf(scope).ActivityInstances {
		if ai.WorkState == wsJoining && ai.ActivityID == n.act.ID && !used[ai.Incoming] {
			used[ai.Incoming] = true
			ai.WorkState = ""
			last = ai
		}
	}
	if last != nil {
		r.split(last, n)
	}
}

// settleJoins fires the first join of the scope that is ready, in the
// order of their earliest waiting arrival. It reports whether one fired.
func (r *run) settleJoins(scope *ActivityInstance) bool {
	checked := map[string]bool{}
	for _, ai := range r.scopeOf(scope).ActivityInstances {
		if ai.WorkState != wsJoining || checked[ai.ActivityID] {
			continue
		}
		checked[ai.ActivityID] = true
		n := r.g.nodes[ai.ActivityID]
		if n != nil && r.joinReady(scope, n) {
			r.fire(scope, n)
			return true
		}
	}
	return false
}
