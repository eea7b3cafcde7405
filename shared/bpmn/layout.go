package bpmn

import (
	"encoding/json"
	"math"

	"github.com/effektif-serverless/caseflow/shared/workflow"
)

// Automatic layout, for activities, timers and transitions a diagram has
// no shape or edge for (all of them when there is no diagram): activities
// are placed left to right in columns by their distance from the start
// (longest path, ignoring loops), one above the other within a column;
// embedded sub-processes are expanded around their own layout; boundary
// timers and events sit on the lower edge of their activity; edges run from the right
// side of the source to the left side of the target with right angles.
// What the layout places goes below the shapes the diagram already has.

const (
	gapX, gapY = 60.0, 40.0
	margin     = 50.0
	pad        = 30.0
)

func shapeSize(a *workflow.Activity) (w, h float64) {
	switch a.Type {
	case workflow.StartEvent, workflow.EndEvent, workflow.TimerEvent, workflow.ThrowEvent, workflow.CatchEvent:
		return 36, 36
	case workflow.ExclusiveGateway, workflow.ParallelGateway, workflow.InclusiveGateway, workflow.EventBasedGateway:
		return 50, 50
	}
	if a.Type == workflow.ReceiveTask || a.Type == workflow.NoneTask {
		var base struct{ Name string }
		if len(a.BPMN) > 0 && json.Unmarshal(a.BPMN, &base) == nil && isEventElement(localName(base.Name)) {
			return 36, 36
		}
	}
	return 100, 80
}

func localName(q string) string {
	for i := len(q) - 1; i >= 0; i-- {
		if q[i] == ':' {
			return q[i+1:]
		}
	}
	return q
}

func isEventElement(local string) bool {
	switch local {
	case "startEvent", "endEvent", "intermediateCatchEvent", "intermediateThrowEvent", "boundaryEvent":
		return true
	}
	return false
}

type layout struct {
	pos map[string]boundsJSON // element id -> bounds
}

func box(x, y, w, h float64) boundsJSON {
	return boundsJSON{UpperLeft: pointJSON{round6(x), round6(y)}, LowerRight: pointJSON{round6(x + w), round6(y + h)}}
}

// scope lays out a scope with its upper left corner at (ox, oy) and
// returns its width and height.
func (l *layout) scope(acts []workflow.Activity, trans []workflow.Transition, ox, oy float64) (float64, float64) {
	index := map[string]int{}
	owner := map[string]string{} // boundary timer or event id -> activity id
	for i := range acts {
		index[acts[i].ID] = i
		for _, id := range attachedIDs(&acts[i]) {
			owner[id] = acts[i].ID
		}
	}
	layer := make([]int, len(acts))
	for range acts { // longest path, bounded: loops stop growing after len(acts) rounds
		changed := false
		for _, t := range trans {
			from := t.From
			if o, ok := owner[from]; ok {
				from = o
			}
			f, okF := index[from]
			to, okT := index[t.To]
			if okF && okT && layer[to] < layer[f]+1 && layer[f]+1 < len(acts) {
				layer[to], changed = layer[f]+1, true
			}
		}
		if !changed {
			break
		}
	}
	type sized struct{ w, h float64 }
	sizes := make([]sized, len(acts))
	inner := make([]*layout, len(acts))
	var colW []float64
	for i := range acts {
		a := &acts[i]
		w, h := shapeSize(a)
		if a.Type == workflow.SubProcessEmbedded && len(a.Activities) > 0 {
			inner[i] = &layout{pos: map[string]boundsJSON{}}
			iw, ih := inner[i].scope(a.Activities, a.Transitions, 0, 0)
			w, h = math.Max(w, iw+2*pad), math.Max(h, ih+2*pad)
		}
		sizes[i] = sized{w, h}
		for len(colW) <= layer[i] {
			colW = append(colW, 0)
		}
		colW[layer[i]] = math.Max(colW[layer[i]], w)
	}
	colX := make([]float64, len(colW))
	x := ox
	for c, w := range colW {
		colX[c] = x
		x += w + gapX
	}
	colY := make([]float64, len(colW))
	maxY := oy
	for i := range acts {
		c, s := layer[i], sizes[i]
		slot := math.Max(s.h, 80)
		px := colX[c] + (colW[c]-s.w)/2
		py := oy + colY[c] + (slot-s.h)/2
		colY[c] += slot + gapY
		maxY = math.Max(maxY, oy+colY[c]-gapY)
		l.pos[acts[i].ID] = box(px, py, s.w, s.h)
		if inner[i] != nil {
			for id, b := range inner[i].pos {
				l.pos[id] = box(b.UpperLeft.X+px+pad, b.UpperLeft.Y+py+pad, b.LowerRight.X-b.UpperLeft.X, b.LowerRight.Y-b.UpperLeft.Y)
			}
		}
		for j, id := range attachedIDs(&acts[i]) {
			tx := math.Max(px, px+s.w-46-float64(j)*44)
			l.pos[id] = box(tx, py+s.h-18, 36, 36)
		}
	}
	return x - gapX - ox, maxY - oy
}

// completeDiagram adds to d (or a new diagram) shapes for the activities and
// timers and edges for the transitions it lacks.
func completeDiagram(d *diagramJSON, w *workflow.Workflow) *diagramJSON {
	if d == nil {
		d = &diagramJSON{}
	}
	if d.Canvas == nil {
		d.Canvas = &shapeJSON{}
	}
	d.ID = orDefault(d.ID, "BPMNDiagram_1")
	d.Canvas.ID = orDefault(d.Canvas.ID, "BPMNPlane_1")
	d.Canvas.ElementID = orDefault(d.Canvas.ElementID, w.ID)
	have := map[string]boundsJSON{}
	bottom, left := math.Inf(-1), math.Inf(1)
	for _, s := range flatShapes(d.Canvas) {
		if s.Bounds != nil {
			have[s.ElementID] = *s.Bounds
			bottom = math.Max(bottom, s.Bounds.LowerRight.Y)
			left = math.Min(left, s.Bounds.UpperLeft.X)
		}
	}
	ox, oy := margin, margin
	if len(have) > 0 {
		ox, oy = left, bottom+2*gapY
	}
	l := &layout{pos: map[string]boundsJSON{}}
	l.scope(w.Activities, w.Transitions, ox, oy)
	var addShapes func(acts []workflow.Activity)
	addShapes = func(acts []workflow.Activity) {
		for i := range acts {
			a := &acts[i]
			ids := append([]string{a.ID}, attachedIDs(a)...)
			for _, id := range ids {
				if _, ok := have[id]; ok || id == "" {
					continue
				}
				b := l.pos[id]
				s := shapeJSON{ID: "shape-" + id, ElementID: id, Bounds: &b}
				if id == a.ID && a.Type == workflow.SubProcessEmbedded {
					expanded := len(a.Activities) > 0
					s.Expanded = &expanded
				}
				d.Canvas.Children = append(d.Canvas.Children, s)
				have[id] = b
			}
			addShapes(a.Activities)
		}
	}
	addShapes(w.Activities)
	edges := map[string]bool{}
	for _, e := range d.Edges {
		edges[e.TransitionID] = true
	}
	var addEdges func(acts []workflow.Activity, trans []workflow.Transition)
	addEdges = func(acts []workflow.Activity, trans []workflow.Transition) {
		timers := map[string]bool{}
		for i := range acts {
			for _, id := range attachedIDs(&acts[i]) {
				timers[id] = true
			}
			addEdges(acts[i].Activities, acts[i].Transitions)
		}
		for _, t := range trans {
			from, okF := have[t.From]
			to, okT := have[t.To]
			if edges[t.ID] || t.ID == "" || !okF || !okT {
				continue
			}
			d.Edges = append(d.Edges, edgeJSON{ID: "edge-" + t.ID, TransitionID: t.ID, Dockers: route(from, to, timers[t.From])})
			edges[t.ID] = true
		}
	}
	addEdges(w.Activities, w.Transitions)
	return d
}

// route draws an edge from the right side of from (the bottom of a timer)
// to the left side of to, with right angles.
func route(from, to boundsJSON, fromBelow bool) []pointJSON {
	ty := (to.UpperLeft.Y + to.LowerRight.Y) / 2
	end := pointJSON{to.UpperLeft.X, ty}
	if fromBelow {
		start := pointJSON{(from.UpperLeft.X + from.LowerRight.X) / 2, from.LowerRight.Y}
		return []pointJSON{start, {start.X, ty}, end}
	}
	start := pointJSON{from.LowerRight.X, (from.UpperLeft.Y + from.LowerRight.Y) / 2}
	if math.Abs(start.Y-end.Y) < 1 {
		return []pointJSON{start, end}
	}
	mid := round6((start.X + end.X) / 2)
	return []pointJSON{start, {mid, start.Y}, {mid, end.Y}, end}
}
