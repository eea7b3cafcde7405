package bpmn

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"

	"github.com/effektif-serverless/caseflow/shared/workflow"
)

// The workflow's Diagram is the JSON form of one BPMN DI diagram (Effektif's
// diagram model):
//
//	{"id": BPMNDiagram id, "name": its name,
//	 "canvas": {"id": BPMNPlane id, "elementId": the plane's bpmnElement,
//	            "children": [{"id": BPMNShape id, "elementId": bpmnElement,
//	                          "bounds": {"upperLeft": {"x","y"}, "lowerRight": {"x","y"}},
//	                          "horizontal", "expanded", "markerVisible", "labelBounds"}]},
//	 "edges": [{"id": BPMNEdge id, "transitionId" (a sequence flow) or "elementId" (any
//	            other edge: message flows, associations), "fromId", "toId" (source and
//	            target shapes, when given), "dockers": [{"x","y"}], "labelBounds"}]}
//
// Import takes the BPMNDiagram with the most shapes of imported activities
// (the first of those) with all its shapes and edges, including those of
// pools, lanes, data objects and other processes; other diagrams stay in
// the kept definitions. Shapes and edges of elements that do not exist are
// dropped, in every diagram. Label styles and vendor attributes of the DI
// elements are not kept. Coordinates are rounded to 6 decimals.

type diagramJSON struct {
	ID      string     `json:"id,omitempty"`
	Name    string     `json:"name,omitempty"`
	Canvas  *shapeJSON `json:"canvas,omitempty"`
	Edges   []edgeJSON `json:"edges,omitempty"`
	Version int64      `json:"version,omitempty"`
}

type shapeJSON struct {
	ID            string      `json:"id,omitempty"`
	Bounds        *boundsJSON `json:"bounds,omitempty"`
	Children      []shapeJSON `json:"children,omitempty"`
	ElementID     string      `json:"elementId,omitempty"`
	BPMNElement   string      `json:"bpmnElement,omitempty"` // older name of elementId, read only
	Horizontal    *bool       `json:"horizontal,omitempty"`
	Expanded      *bool       `json:"expanded,omitempty"`
	MarkerVisible *bool       `json:"markerVisible,omitempty"`
	Label         *boundsJSON `json:"labelBounds,omitempty"`
}

type boundsJSON struct {
	UpperLeft  pointJSON `json:"upperLeft"`
	LowerRight pointJSON `json:"lowerRight"`
}

type pointJSON struct {
	X float64 `json:"x"`
	Y float64 `json:"y"`
}

type edgeJSON struct {
	ID           string      `json:"id,omitempty"`
	TransitionID string      `json:"transitionId,omitempty"`
	ElementID    string      `json:"elementId,omitempty"`
	FromID       string      `json:"fromId,omitempty"`
	ToID         string      `json:"toId,omitempty"`
	Dockers      []pointJSON `json:"dockers,omitempty"`
	Label        *boundsJSON `json:"labelBounds,omitempty"`
}

func round6(f float64) float64 { return math.Round(f*1e6) / 1e6 }

// modelIDs collects the ids of activities and their boundary timers and
// events, and of transitions, in all scopes.
func modelIDs(acts []workflow.Activity, trans []workflow.Transition, nodes, flows map[string]bool) {
	for i := range acts {
		nodes[acts[i].ID] = true
		for _, id := range attachedIDs(&acts[i]) {
			nodes[id] = true
		}
		modelIDs(acts[i].Activities, acts[i].Transitions, nodes, flows)
	}
	for _, t := range trans {
		flows[t.ID] = true
	}
}

// diagram imports the DI for w and leaves a placeholder where it was.
func (im *importer) diagram(w *workflow.Workflow) json.RawMessage {
	nodes, flows := map[string]bool{}, map[string]bool{}
	modelIDs(w.Activities, w.Transitions, nodes, flows)
	var best *node
	bestCount := 0
	for _, d := range im.root.Kids {
		if !d.is(nsBPMNDI, "BPMNDiagram") {
			continue
		}
		count := 0
		for _, plane := range d.Kids {
			plane.Kids = filterDI(plane.Kids, func(id string) bool { return im.byID[id] != nil })
			for _, s := range plane.Kids {
				if s.is(nsBPMNDI, "BPMNShape") && nodes[s.attr("", "bpmnElement")] {
					count++
				}
			}
		}
		if count > bestCount {
			best, bestCount = d, count
		}
	}
	var dj *diagramJSON
	if best == nil && len(w.Activities) == 0 {
		return nil
	}
	if best != nil {
		dj = readDiagram(best, flows)
		replaceKid(im.root, best, el("diagram"))
	} else {
		place(im.root, el("diagram"), "") // where export will put the layout
	}
	data, _ := json.Marshal(completeDiagram(dj, w))
	return data
}

// filterDI drops the DI shapes and edges of kids whose element does not
// exist.
func filterDI(kids []*node, exists func(string) bool) []*node {
	out := kids[:0:0]
	for _, k := range kids {
		if (k.is(nsBPMNDI, "BPMNShape") || k.is(nsBPMNDI, "BPMNEdge")) && !exists(k.attr("", "bpmnElement")) {
			continue
		}
		out = append(out, k)
	}
	return out
}

func readDiagram(d *node, flows map[string]bool) *diagramJSON {
	dj := &diagramJSON{ID: d.attr("", "id"), Name: d.attr("", "name"), Canvas: &shapeJSON{}}
	plane := d.child(nsBPMNDI, "BPMNPlane")
	if plane == nil {
		return dj
	}
	dj.Canvas.ID, dj.Canvas.ElementID = plane.attr("", "id"), plane.attr("", "bpmnElement")
	for _, k := range plane.Kids {
		switch {
		case k.is(nsBPMNDI, "BPMNShape"):
			ref := k.attr("", "bpmnElement")
			dj.Canvas.Children = append(dj.Canvas.Children, shapeJSON{
				ID: orDefault(k.attr("", "id"), "shape-"+ref), ElementID: ref,
				Bounds:     readBounds(k.child(nsDC, "Bounds")),
				Horizontal: boolPtr(k.attr("", "isHorizontal")), Expanded: boolPtr(k.attr("", "isExpanded")),
				MarkerVisible: boolPtr(k.attr("", "isMarkerVisible")),
				Label:         readLabel(k),
			})
		case k.is(nsBPMNDI, "BPMNEdge"):
			ref := k.attr("", "bpmnElement")
			e := edgeJSON{ID: orDefault(k.attr("", "id"), "edge-"+ref), FromID: k.attr("", "sourceElement"), ToID: k.attr("", "targetElement"), Label: readLabel(k)}
			if flows[ref] {
				e.TransitionID = ref
			} else {
				e.ElementID = ref
			}
			for _, wp := range k.Kids {
				x, okX := parseFinite(wp.attr("", "x"))
				y, okY := parseFinite(wp.attr("", "y"))
				if wp.is(nsDI, "waypoint") && okX && okY {
					e.Dockers = append(e.Dockers, pointJSON{round6(x), round6(y)})
				}
			}
			dj.Edges = append(dj.Edges, e)
		}
	}
	return dj
}

func boolPtr(s string) *bool {
	switch s {
	case "true", "1":
		v := true
		return &v
	case "false", "0":
		v := false
		return &v
	}
	return nil
}

func readBounds(b *node) *boundsJSON {
	if b == nil {
		return nil
	}
	var v [4]float64
	for i, a := range []string{"x", "y", "width", "height"} {
		f, ok := parseFinite(b.attr("", a))
		if !ok {
			return nil
		}
		v[i] = f
	}
	return &boundsJSON{
		UpperLeft:  pointJSON{round6(v[0]), round6(v[1])},
		LowerRight: pointJSON{round6(v[0] + v[2]), round6(v[1] + v[3])},
	}
}

func readLabel(k *node) *boundsJSON {
	if l := k.child(nsBPMNDI, "BPMNLabel"); l != nil {
		return readBounds(l.child(nsDC, "Bounds"))
	}
	return nil
}

func writeBounds(b *boundsJSON) *node {
	if b == nil {
		return nil
	}
	n := newNode(nsDC, "Bounds")
	for _, a := range []struct {
		name string
		v    float64
	}{{"x", b.UpperLeft.X}, {"y", b.UpperLeft.Y}, {"width", round6(b.LowerRight.X - b.UpperLeft.X)}, {"height", round6(b.LowerRight.Y - b.UpperLeft.Y)}} {
		setAlways(n, a.name, formatFloat(a.v))
	}
	return n
}

func writeLabel(b *boundsJSON) *node {
	if b == nil {
		return nil
	}
	return newNode(nsBPMNDI, "BPMNLabel").add(writeBounds(b))
}

func setBoolPtr(n *node, local string, v *bool) {
	if v != nil {
		n.set("", local, strconv.FormatBool(*v))
	}
}

// readDiagramJSON reads the workflow's Diagram.
func readDiagramJSON(data json.RawMessage) (*diagramJSON, error) {
	if len(data) == 0 || string(data) == "null" {
		return nil, nil
	}
	var d diagramJSON
	if err := json.Unmarshal(data, &d); err != nil {
		return nil, fmt.Errorf("bpmn: invalid diagram: %w", err)
	}
	return &d, nil
}

// flatShapes lists the canvas's shapes, children after their parents.
func flatShapes(s *shapeJSON) []*shapeJSON {
	if s == nil {
		return nil
	}
	var out []*shapeJSON
	for i := range s.Children {
		c := &s.Children[i]
		if c.ElementID == "" {
			c.ElementID = c.BPMNElement
		}
		out = append(out, c)
		out = append(out, flatShapes(c)...)
	}
	return out
}

// writeDiagram writes d as a BPMNDiagram: the shapes and edges whose
// element is in exists, references mapped by ref. Shape and edge ids that
// clash with element ids get a "shape-" or "edge-" prefix.
func writeDiagram(d *diagramJSON, exists map[string]bool, ref func(string) string, planeElement string) *node {
	diagram := newNode(nsBPMNDI, "BPMNDiagram").set("", "id", orDefault(d.ID, "BPMNDiagram_1")).set("", "name", d.Name)
	plane := newNode(nsBPMNDI, "BPMNPlane")
	diagram.add(plane)
	canvas := d.Canvas
	if canvas == nil {
		canvas = &shapeJSON{}
	}
	if el := ref(canvas.ElementID); exists[el] {
		planeElement = el
	}
	plane.set("", "id", orDefault(canvas.ID, "BPMNPlane_1")).set("", "bpmnElement", planeElement)
	diID := func(id, prefix, el string) string {
		if id == "" || exists[id] || !isNCName(id) {
			return prefix + el
		}
		return id
	}
	for _, s := range flatShapes(canvas) {
		el := ref(s.ElementID)
		if !exists[el] || s.Bounds == nil {
			continue
		}
		shape := newNode(nsBPMNDI, "BPMNShape").set("", "id", diID(s.ID, "shape-", el)).set("", "bpmnElement", el)
		setBoolPtr(shape, "isHorizontal", s.Horizontal)
		setBoolPtr(shape, "isExpanded", s.Expanded)
		setBoolPtr(shape, "isMarkerVisible", s.MarkerVisible)
		plane.add(shape.add(writeBounds(s.Bounds), writeLabel(s.Label)))
	}
	for _, e := range d.Edges {
		el := ref(e.TransitionID)
		if e.TransitionID == "" {
			el = ref(e.ElementID)
		}
		if !exists[el] || len(e.Dockers) < 2 {
			continue
		}
		edge := newNode(nsBPMNDI, "BPMNEdge").set("", "id", diID(e.ID, "edge-", el)).set("", "bpmnElement", el)
		edge.set("", "sourceElement", e.FromID).set("", "targetElement", e.ToID)
		for _, p := range e.Dockers {
			wp := newNode(nsDI, "waypoint")
			setAlways(wp, "x", formatFloat(p.X))
			setAlways(wp, "y", formatFloat(p.Y))
			edge.add(wp)
		}
		plane.add(edge.add(writeLabel(e.Label)))
	}
	return diagram
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
