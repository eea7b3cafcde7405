package engine

import (
	"maps"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/effektif-serverless/caseflow/shared/workflow"
)

// graph is a workflow indexed for execution. It is built once per
// Compiled (for each operation of the plain API) and only read afterwards,
// except for the reachability sets computed on first use under mu, so
// concurrent operations may share it.
type graph struct {
	mu sync.Mutex // guards node.reach

	wf    *workflow.Workflow
	nodes map[string]*node
	// edges by transition id.
	edges map[string]*edge
	// vars are all declared variables (workflow, embedded subprocesses and
	// multi-instance element variables) by id; the first declaration wins.
	vars map[string]*workflow.Variable
	root *scopeDef
	// conditional says whether any conditional event exists (they are
	// evaluated whenever a run settles).
	conditional bool
	// forms are the fields of the user tasks' forms and the trigger's
	// form (see formFields).
	forms map[*workflow.Form][]formField
	// nodeArena and edgeArena hold the nodes and edges, allocated at once.
	nodeArena []node
	edgeArena []edge
}

// alloc places v in the arena while it has room (growing it would move
// the values already pointed to), else on its own.
func alloc[T any](arena *[]T, v T) *T {
	if len(*arena) == cap(*arena) {
		return &v
	}
	*arena = append(*arena, v)
	return &(*arena)[len(*arena)-1]
}

// count totals the activities, transitions and variables nested in
// activities (multi-instance element variables included).
func count(acts []workflow.Activity) (nActs, nTrans, nVars int) {
	for i := range acts {
		a, t, v := count(acts[i].Activities)
		nActs += a + len(acts[i].Activities)
		nTrans += t + len(acts[i].Transitions)
		nVars += v + len(acts[i].Variables)
		if acts[i].MultiInstance != nil {
			nVars++
		}
	}
	return
}

// scopeDef is the workflow or an embedded subprocess.
type scopeDef struct {
	owner *node // nil for the workflow
	nodes []*node
	// starts are the nodes without incoming transitions, except event
	// sub-processes, compensation handlers and link catch events.
	starts []*node
	vars   []workflow.Variable
	// esps are the event sub-processes of the scope.
	esps []*node
	// links are the link catch events by normalized name (the first of
	// each name).
	links map[string]*node
}

type node struct {
	act   *workflow.Activity
	scope *scopeDef
	// in and out are the transitions of the node's scope to and from it.
	in, out   []*edge
	nIn, nOut int // their lengths, while compiling
	// extraIn are the activities whose boundary events or link throws
	// lead here (reachability for inclusive joins).
	extraIn []*node
	// boundary are the boundary timers and events, timers first.
	boundary []*boundary
	inner    *scopeDef // embedded subprocess
	reach    map[*node]bool
	// canCompensate: completed instances are recorded for compensation.
	canCompensate bool
	// inputKeys and outputKeys are the keys of the activity's input and
	// output bindings, in order.
	inputKeys, outputKeys []string
}

// boundary is a boundary timer or boundary event of an activity.
type boundary struct {
	id              string
	ev              workflow.Event // Type EventTimer for timers
	nonInterrupting bool
	to              []string
	handler         string // compensation handler activity id
}

// interrupting reports whether the event cancels its activity when it
// fires (an error always does).
func (b *boundary) interrupting() bool {
	return !b.nonInterrupting || b.ev.Type == workflow.EventError
}

type edge struct {
	t        *workflow.Transition
	key      string
	from, to *node
}

func compile(wf *workflow.Workflow) *graph {
	acts, trans, vars := count(wf.Activities)
	acts, trans, vars = acts+len(wf.Activities), trans+len(wf.Transitions), vars+len(wf.Variables)
	g := &graph{
		wf:        wf,
		nodes:     make(map[string]*node, acts),
		edges:     make(map[string]*edge, trans),
		vars:      make(map[string]*workflow.Variable, vars),
		nodeArena: make([]node, 0, acts),
		edgeArena: make([]edge, 0, trans),
	}
	g.root = g.scope(nil, wf.Activities, wf.Transitions, wf.Variables)
	// Boundary transitions are taken only when their event fires, never
	// when the activity ends normally.
	for _, n := range g.root.all() {
		for i := range n.act.Timers {
			t := &n.act.Timers[i]
			ev := workflow.Event{Type: workflow.EventTimer, Due: t.Due, DueDate: t.DueDate, Repetitions: t.Repetitions}
			n.boundary = append(n.boundary, &boundary{id: t.ID, ev: ev, nonInterrupting: t.NonInterrupting, to: t.ToTransitionIDs})
		}
		for i := range n.act.BoundaryEvents {
			b := &n.act.BoundaryEvents[i]
			n.boundary = append(n.boundary, &boundary{id: b.ID, ev: b.Event, nonInterrupting: b.NonInterrupting, to: b.ToTransitionIDs, handler: b.HandlerID})
			if b.Event.Type == workflow.EventConditional {
				g.conditional = true
			}
		}
		for _, b := range n.boundary {
			for _, id := range b.to {
				e := g.edges[id]
				if e == nil || e.to == nil {
					continue
				}
				if e.from == n {
					n.out = slices.DeleteFunc(n.out, func(x *edge) bool { return x == e })
				}
				e.to.extraIn = append(e.to.extraIn, n)
			}
		}
		n.canCompensate = n.compensable(g)
		if n.act.Form != nil {
			g.addForm(n.act.Form)
		}
		n.inputKeys = sortedKeys(n.act.InputBindings)
		n.outputKeys = sortedKeys(n.act.OutputBindings)
		if ev := n.act.Event; ev != nil {
			switch {
			case ev.Type == workflow.EventConditional:
				g.conditional = true
			case ev.Type == workflow.EventLink && n.act.Type == workflow.ThrowEvent:
				if c := n.scope.links[linkName(ev.Name)]; c != nil {
					c.extraIn = append(c.extraIn, n)
				}
			}
		}
	}
	if wf.Trigger != nil && wf.Trigger.Form != nil {
		g.addForm(wf.Trigger.Form)
	}
	return g
}

// addForm computes the fields of a form of the workflow.
func (g *graph) addForm(form *workflow.Form) {
	if g.forms == nil {
		g.forms = map[*workflow.Form][]formField{}
	}
	g.forms[form] = fieldsOf(g, form)
}

// sortedKeys are the keys of m in order; nil for an empty map.
func sortedKeys[V any](m map[string]V) []string {
	if len(m) == 0 {
		return nil
	}
	return slices.Sorted(maps.Keys(m))
}

// linkName normalizes a link name: runs of white space are one space,
// none at either end (modelers wrap names in labels).
func linkName(s string) string { return strings.Join(strings.Fields(s), " ") }

// notStarted reports whether an activity without incoming transitions is
// still no start activity: event sub-processes, compensation handlers and
// link catch events are reached otherwise.
func notStarted(a *workflow.Activity) bool {
	return a.TriggeredByEvent && a.Type == workflow.SubProcessEmbedded || a.ForCompensation ||
		a.Type == workflow.CatchEvent && a.Event != nil && a.Event.Type == workflow.EventLink
}

// eventStarts are the start events of an event sub-process that have an
// event.
func (n *node) eventStarts() []*node {
	var out []*node
	if n.inner == nil {
		return nil
	}
	for _, s := range n.inner.nodes {
		if s.act.Type == workflow.StartEvent && s.act.Event != nil {
			out = append(out, s)
		}
	}
	return out
}

// findBoundary returns the boundary timer or event with the given id.
func (n *node) findBoundary(id string) *boundary {
	for _, b := range n.boundary {
		if b.id == id {
			return b
		}
	}
	return nil
}

// compensable reports whether completed instances of n can be
// compensated: it has a compensation boundary event with a handler, or it
// is a subprocess with a compensation event sub-process.
func (n *node) compensable(g *graph) bool {
	if n.compensationHandler(g) != nil {
		return true
	}
	esp, _ := n.compensationESP()
	return esp != nil
}

// compensationHandler is the handler of n's compensation boundary event.
func (n *node) compensationHandler(g *graph) *node {
	for _, b := range n.boundary {
		if b.ev.Type == workflow.EventCompensation && b.handler != "" {
			if h := g.nodes[b.handler]; h != nil {
				return h
			}
		}
	}
	return nil
}

// compensationESP is the start event of n's compensation event
// sub-process, if any.
func (n *node) compensationESP() (esp, start *node) {
	if n.inner == nil {
		return nil, nil
	}
	for _, e := range n.inner.esps {
		for _, s := range e.eventStarts() {
			if s.act.Event.Type == workflow.EventCompensation {
				return e, s
			}
		}
	}
	return nil, nil
}

func (g *graph) scope(owner *node, acts []workflow.Activity, trans []workflow.Transition, vars []workflow.Variable) *scopeDef {
	s := &scopeDef{owner: owner, vars: vars, nodes: make([]*node, 0, len(acts))}
	for i := range vars {
		g.declare(&vars[i])
	}
	for i := range acts {
		a := &acts[i]
		if _, dup := g.nodes[a.ID]; dup {
			continue
		}
		n := alloc(&g.nodeArena, node{act: a, scope: s})
		g.nodes[a.ID] = n
		s.nodes = append(s.nodes, n)
		if a.MultiInstance != nil && a.MultiInstance.Variable.ID != "" {
			g.declare(&a.MultiInstance.Variable)
		}
		if a.Type == workflow.SubProcessEmbedded {
			n.inner = g.scope(n, a.Activities, a.Transitions, a.Variables)
		}
	}
	ownerID := ""
	if owner != nil {
		ownerID = owner.act.ID
	}
	es := make([]*edge, 0, len(trans))
	for i := range trans {
		t := &trans[i]
		if t.ID != "" && g.edges[t.ID] != nil {
			continue
		}
		e := alloc(&g.edgeArena, edge{t: t, key: t.ID})
		if e.key == "" {
			e.key = "~" + ownerID + "~" + strconv.Itoa(i)
		} else {
			g.edges[t.ID] = e
		}
		e.from, e.to = g.nodes[t.From], g.nodes[t.To]
		if e.from != nil && e.from.scope != s {
			e.from = nil
		}
		if e.to != nil && e.to.scope != s {
			e.to = nil
		}
		if e.from != nil {
			e.from.nOut++
		}
		if e.to != nil {
			e.to.nIn++
		}
		es = append(es, e)
	}
	// The in and out lists share one exactly sized array.
	buf := make([]*edge, 2*len(es))
	for _, n := range s.nodes {
		n.out, buf = buf[:0:n.nOut], buf[n.nOut:]
		n.in, buf = buf[:0:n.nIn], buf[n.nIn:]
	}
	for _, e := range es {
		if e.from != nil {
			e.from.out = append(e.from.out, e)
		}
		if e.to != nil {
			e.to.in = append(e.to.in, e)
		}
	}
	for _, n := range s.nodes {
		a := n.act
		switch {
		case a.TriggeredByEvent && a.Type == workflow.SubProcessEmbedded:
			s.esps = append(s.esps, n)
		case a.Type == workflow.CatchEvent && a.Event != nil && a.Event.Type == workflow.EventLink:
			if s.links == nil {
				s.links = map[string]*node{}
			}
			if _, dup := s.links[linkName(a.Event.Name)]; !dup {
				s.links[linkName(a.Event.Name)] = n
			}
		}
		if len(n.in) == 0 && !notStarted(a) {
			s.starts = append(s.starts, n)
		}
	}
	return s
}

// all lists the nodes of a scope and its nested scopes, in order.
func (s *scopeDef) all() []*node {
	var out []*node
	for _, n := range s.nodes {
		out = append(out, n)
		if n.inner != nil {
			out = append(out, n.inner.all()...)
		}
	}
	return out
}

func (g *graph) declare(v *workflow.Variable) {
	if _, ok := g.vars[v.ID]; !ok && v.ID != "" {
		g.vars[v.ID] = v
	}
}

// varType is the declared type of a variable, or nil.
func (g *graph) varType(id string) *workflow.DataType {
	if v := g.vars[id]; v != nil {
		return v.Type
	}
	return nil
}

// reachers returns the nodes of n's scope from which n can be reached
// without passing through n, following transitions, boundary-event
// transitions and link jumps. Computed once per node; the set is only
// read afterwards.
func (g *graph) reachers(n *node) map[*node]bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	if n.reach != nil {
		return n.reach
	}
	seen := map[*node]bool{}
	stack := []*node{n}
	for len(stack) > 0 {
		cur := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		var preds []*node
		for _, e := range cur.in {
			if e.from != nil && e.from.scope == n.scope {
				preds = append(preds, e.from)
			}
		}
		preds = append(preds, cur.extraIn...)
		for _, p := range preds {
			if p != n && !seen[p] {
				seen[p] = true
				stack = append(stack, p)
			}
		}
	}
	n.reach = seen
	return seen
}

// defaultEdge is the out edge named by the activity's defaultTransitionId.
func (n *node) defaultEdge() *edge {
	if n.act.DefaultTransitionID == "" {
		return nil
	}
	for _, e := range n.out {
		if e.t.ID == n.act.DefaultTransitionID {
			return e
		}
	}
	return nil
}
