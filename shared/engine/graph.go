package engine

import (
	"slices"
	"strconv"

	"github.com/effektif-serverless/caseflow/shared/workflow"
)

// graph is a workflow indexed for execution. It is built for each
// operation (workflows come fresh from the store on every call) and only
// read afterwards.
type graph struct {
	wf    *workflow.Workflow
	nodes map[string]*node
	// edges by transition id.
	edges map[string]*edge
	// vars are all declared variables (workflow, embedded subprocesses and
	// multi-instance element variables) by id; the first declaration wins.
	vars map[string]*workflow.Variable
	root *scopeDef
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
	owner  *node // nil for the workflow
	nodes  []*node
	starts []*node
	vars   []workflow.Variable
}

type node struct {
	act   *workflow.Activity
	scope *scopeDef
	// in and out are the transitions of the node's scope to and from it.
	in, out   []*edge
	nIn, nOut int // their lengths, while compiling
	// timerIn are the activities whose boundary timers lead here
	// (reachability for inclusive joins).
	timerIn []*node
	inner   *scopeDef // embedded subprocess
	reach   map[*node]bool
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
	// Boundary-timer transitions are taken only when their timer fires,
	// never when the activity ends normally.
	for _, n := range g.root.all() {
		for _, t := range n.act.Timers {
			for _, id := range t.ToTransitionIDs {
				e := g.edges[id]
				if e == nil || e.to == nil {
					continue
				}
				if e.from == n {
					n.out = slices.DeleteFunc(n.out, func(x *edge) bool { return x == e })
				}
				e.to.timerIn = append(e.to.timerIn, n)
			}
		}
	}
	return g
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
		if len(n.in) == 0 {
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
// without passing through n, following transitions and boundary-timer
// transitions. Computed once per node.
func (n *node) reachers() map[*node]bool {
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
		preds = append(preds, cur.timerIn...)
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
