package bpmn

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/effektif-serverless/caseflow/shared/workflow"
)

// Export writes a workflow as BPMN 2.0 XML (UTF-8): the process with
// isExecutable="true", each activity as its BPMN element with incoming and
// outgoing references and the Effektif extensions for what plain BPMN
// cannot hold, conditions as e:condition and as a JUEL conditionExpression
// (for other tools), boundary timers as boundaryEvents, and BPMN DI from
// the Diagram, completed by an automatic layout for what it lacks (all of
// it when there is none). XML kept by Import (the BPMN fields and the
// bpmnDefinitions property) is written back around the model: other
// processes, collaboration, lanes, vendor extensions, other diagrams.
//
// Ids that are not XML names are written with a leading "_" and invalid
// characters replaced; missing ids are generated. Export returns an error
// for a nil workflow, an activity type that has no BPMN form, a condition
// type that is not an XML name, or kept XML or a diagram that is not valid
// JSON of its form.
func Export(w *workflow.Workflow) ([]byte, error) {
	if w == nil {
		return nil, errors.New("bpmn: no workflow to export")
	}
	x := &exporter{w: w, ids: map[string]string{}, used: map[string]bool{}}
	return x.run()
}

type exporter struct {
	w     *workflow.Workflow
	defs  *node             // the definitions element being written
	scope *nsScope          // kept fragments resolve in this scope
	ids   map[string]string // model id -> XML id
	used  map[string]bool   // XML ids handed out
	n     int               // for generated ids
}

func (x *exporter) run() ([]byte, error) {
	w := x.w
	defs, err := kept(w.Properties[PropertyDefinitions], baseScope, PropertyDefinitions)
	if err != nil {
		return nil, err
	}
	if defs == nil || !defs.is(nsModel, "definitions") {
		defs = newNode(nsModel, "definitions").set("", "id", "Definitions_1").set("", "targetNamespace", nsE).
			set("", "exporter", "caseflow").set("", "exporterVersion", "1")
	}
	defs.front("id", "name", "targetNamespace")
	x.defs = defs
	x.scope = fragmentScope(defs.Decls)
	x.reserve(w.Activities, w.Transitions)
	proc, oldID, err := x.process()
	if err != nil {
		return nil, err
	}
	newID := proc.attr("", "id")
	place(defs, proc, "process")
	if oldID != "" && oldID != newID {
		renameRefs(defs, oldID, newID)
	}
	declareStandard(defs)
	exists := map[string]bool{}
	defs.walk(func(n *node) {
		if id := n.attr("", "id"); id != "" {
			exists[id] = true
		}
	})
	d, err := readDiagramJSON(w.Diagram)
	if err != nil {
		return nil, err
	}
	ref := func(id string) string {
		if id == oldID && oldID != "" {
			return newID
		}
		return x.ref(id)
	}
	if d != nil || len(w.Activities) > 0 {
		place(defs, writeDiagram(completeDiagram(d, w), exists, ref, newID), "diagram")
	}
	defs.Kids = slices.DeleteFunc(defs.Kids, func(k *node) bool { return k.is(nsE, "diagram") || k.is(nsE, "process") })
	for _, k := range defs.Kids {
		if k.is(nsBPMNDI, "BPMNDiagram") {
			for _, plane := range k.Kids {
				plane.Kids = filterDI(plane.Kids, func(id string) bool { return exists[id] })
			}
		}
	}
	return writeDocument(defs, nil), nil
}

// reserve records the ids of the model, so that generated ones avoid them.
func (x *exporter) reserve(acts []workflow.Activity, trans []workflow.Transition) {
	for i := range acts {
		x.used[acts[i].ID] = true
		for _, id := range attachedIDs(&acts[i]) {
			x.used[id] = true
		}
		x.reserve(acts[i].Activities, acts[i].Transitions)
	}
	for _, t := range trans {
		x.used[t.ID] = true
	}
}

// ref returns the XML id of a model id ("" stays "").
func (x *exporter) ref(id string) string {
	if id == "" {
		return ""
	}
	if v, ok := x.ids[id]; ok {
		return v
	}
	v := id
	if !isNCName(id) {
		var b strings.Builder
		b.WriteByte('_')
		for i, r := range id {
			if isNameChar(r) || isNameStart(r) || (i == 0 && r >= '0' && r <= '9') {
				b.WriteRune(r)
			} else {
				b.WriteByte('_')
			}
		}
		v = b.String()
		for x.used[v] {
			v += "_"
		}
		x.used[v] = true
	}
	x.ids[id] = v
	return v
}

// idOr returns the XML id of id, or a generated one when it is empty.
func (x *exporter) idOr(id, prefix string) string {
	if id != "" {
		return x.ref(id)
	}
	for {
		x.n++
		v := prefix + "_" + strconv.Itoa(x.n)
		if !x.used[v] {
			x.used[v] = true
			return v
		}
	}
}

// place puts n where the placeholder e:local is in defs, else before the
// first diagram (or at the end), and removes other placeholders. With local
// "" it only inserts.
func place(defs, n *node, local string) {
	for i, k := range defs.Kids {
		if local != "" && k.is(nsE, local) {
			defs.Kids[i] = n
			defs.Kids = slices.DeleteFunc(defs.Kids, func(k *node) bool { return k.is(nsE, local) })
			return
		}
	}
	i := slices.IndexFunc(defs.Kids, func(k *node) bool {
		return k.is(nsBPMNDI, "BPMNDiagram") || k.is(nsModel, "relationship")
	})
	if i < 0 {
		i = len(defs.Kids)
	}
	defs.Kids = slices.Insert(defs.Kids, i, n)
}

// renameRefs points processRef and bpmnElement references to the renamed
// process.
func renameRefs(n *node, old, new string) {
	n.walk(func(k *node) {
		for i, a := range k.Attrs {
			if a.Name.Space == "" && (a.Name.Local == "processRef" || a.Name.Local == "bpmnElement") && a.Value == old {
				k.Attrs[i].Value = new
			}
		}
	})
}

// standardDecls are the namespaces export declares on the definitions
// element when it has no prefix for them.
var standardDecls = []decl{{"", nsModel}, {"bpmndi", nsBPMNDI}, {"dc", nsDC}, {"di", nsDI}, {"xsi", nsXSI}, {"e", nsE}}

// declareStandard declares on defs the namespaces export writes, reusing
// prefixes the document already has.
func declareStandard(defs *node) {
	s := &nsScope{decls: defs.Decls}
	for _, d := range standardDecls {
		allowDefault := d.URI == nsModel
		if _, ok := s.prefixFor(d.URI, d.Prefix, allowDefault); !ok {
			if _, taken := s.lookup(""); allowDefault && taken {
				s.declare(d.URI, "bpmn", false)
			} else {
				s.declare(d.URI, d.Prefix, allowDefault)
			}
		}
	}
	defs.Decls = s.decls
}

// Ranks of BPMN child elements, in the order the BPMN schema wants them.
var (
	flowGroup     = "startEvent endEvent intermediateThrowEvent intermediateCatchEvent implicitThrowEvent boundaryEvent task manualTask userTask sendTask serviceTask businessRuleTask scriptTask receiveTask callActivity subProcess adHocSubProcess transaction exclusiveGateway parallelGateway inclusiveGateway complexGateway eventBasedGateway callChoreography choreographyTask subChoreography sequenceFlow dataObject dataObjectReference dataStoreReference"
	roleGroup     = "resourceRole performer humanPerformer potentialOwner"
	artifactGroup = "textAnnotation association group"
	processRanks  = ranks("documentation", "extensionElements", "auditing", "monitoring", "property", "laneSet", flowGroup, artifactGroup, roleGroup, "correlationSubscription", "supports")
	activityRanks = ranks("documentation", "extensionElements", "auditing", "monitoring", "categoryValueRef", "incoming", "outgoing",
		"ioSpecification", "property", "dataInputAssociation", "dataOutputAssociation", roleGroup,
		"multiInstanceLoopCharacteristics standardLoopCharacteristics", "laneSet", flowGroup, artifactGroup, "rendering script")
	eventRanks = ranks("documentation", "extensionElements", "auditing", "monitoring", "categoryValueRef", "incoming", "outgoing",
		"property", "dataInput dataOutput", "dataInputAssociation dataOutputAssociation", "inputSet outputSet",
		"cancelEventDefinition compensateEventDefinition conditionalEventDefinition errorEventDefinition escalationEventDefinition linkEventDefinition messageEventDefinition signalEventDefinition terminateEventDefinition timerEventDefinition",
		"eventDefinitionRef")
	flowRanks = ranks("documentation", "extensionElements", "auditing", "monitoring", "categoryValueRef", "conditionExpression")
)

func ranks(groups ...string) map[string]int {
	m := map[string]int{}
	for i, g := range groups {
		for _, name := range strings.Fields(g) {
			m[name] = i
		}
	}
	return m
}

// finish adds the documentation, extension elements and other generated
// children to n and orders its children as the schema wants (stable; a
// child of another namespace stays after its predecessor).
func finish(n *node, doc *node, ext []*node, kids []*node, order map[string]int) {
	if doc != nil {
		n.Kids = append([]*node{doc}, n.Kids...)
	}
	if len(ext) > 0 {
		x := n.ext()
		if x == nil {
			x = newNode(nsModel, "extensionElements")
			n.Kids = append(n.Kids, x)
		}
		x.add(ext...)
	}
	n.add(kids...)
	rank := make(map[*node]int, len(n.Kids))
	prev := 1
	for _, k := range n.Kids {
		if r, ok := order[k.Name.Local]; ok && k.Name.Space == nsModel {
			prev = r
		}
		rank[k] = prev
	}
	slices.SortStableFunc(n.Kids, func(a, b *node) int { return rank[a] - rank[b] })
}

// process builds the process element; oldID is the id it had when
// imported.
func (x *exporter) process() (p *node, oldID string, err error) {
	w := x.w
	if p, err = kept(w.BPMN, x.scope, "workflow bpmn"); err != nil {
		return nil, "", err
	}
	if p == nil || !p.is(nsModel, "process") {
		p = newNode(nsModel, "process")
	}
	oldID = p.attr("", "id")
	id := oldID
	if w.ID != "" {
		id = x.ref(w.ID)
	}
	p.set("", "id", orDefault(id, "Process_1")).set("", "name", w.Name).set("", "isExecutable", "true")
	var ext []*node
	for i := range w.Variables {
		ext = append(ext, writeVariable("variable", &w.Variables[i]))
	}
	ext = append(ext, writeTrigger(w.Trigger))
	if w.EnableCases {
		ext = append(ext, el("enableCases").set("", "value", "true"))
	}
	for i := range w.Timers {
		ext = append(ext, writeTimer(&w.Timers[i]))
	}
	ext = append(ext, writeProps("property", w.Properties, PropertyDefinitions)...)
	if err := x.flowElements(p, w.Activities, w.Transitions); err != nil {
		return nil, "", err
	}
	finish(p, writeDocumentation(w.Description), nonNil(ext), nil, processRanks)
	p.front("id", "name", "isExecutable")
	return p, oldID, nil
}

func nonNil(nodes []*node) []*node {
	return slices.DeleteFunc(nodes, func(n *node) bool { return n == nil })
}

// flowElements adds the activities, their boundary timers and events and
// the transitions of a scope to parent, and the associations of
// compensation boundary events to their handlers.
func (x *exporter) flowElements(parent *node, acts []workflow.Activity, trans []workflow.Transition) error {
	boundaryIDs := make([][]string, len(acts))
	fromBoundary := map[string]string{} // transition id -> XML id of the boundary event it leaves
	for i := range acts {
		a := &acts[i]
		for _, t := range a.Timers {
			id := x.idOr(t.ID, "Timer")
			boundaryIDs[i] = append(boundaryIDs[i], id)
			for _, tr := range t.ToTransitionIDs {
				fromBoundary[tr] = id
			}
		}
		for _, b := range a.BoundaryEvents {
			id := x.idOr(b.ID, "Event")
			boundaryIDs[i] = append(boundaryIDs[i], id)
			for _, tr := range b.ToTransitionIDs {
				fromBoundary[tr] = id
			}
		}
	}
	flowIDs := make([]string, len(trans))
	sources := make([]string, len(trans))
	in, out := map[string][]string{}, map[string][]string{}
	for i, t := range trans {
		flowIDs[i] = x.idOr(t.ID, "Flow")
		sources[i] = x.ref(t.From)
		if b, ok := fromBoundary[t.ID]; ok && t.ID != "" {
			sources[i] = b
		}
		out[sources[i]] = append(out[sources[i]], flowIDs[i])
		in[x.ref(t.To)] = append(in[x.ref(t.To)], flowIDs[i])
	}
	refs := func(local string, ids []string) []*node {
		var nodes []*node
		for _, id := range ids {
			r := newNode(nsModel, local)
			r.Text = id
			nodes = append(nodes, r)
		}
		return nodes
	}
	for i := range acts {
		a := &acts[i]
		id := x.idOr(a.ID, "Activity")
		n, err := x.activity(a, id, append(refs("incoming", in[id]), refs("outgoing", out[id])...))
		if err != nil {
			return err
		}
		parent.add(n)
		for j := range a.Timers {
			parent.add(x.boundary(&a.Timers[j], boundaryIDs[i][j], id, refs("outgoing", out[boundaryIDs[i][j]])))
		}
		for j := range a.BoundaryEvents {
			bid := boundaryIDs[i][len(a.Timers)+j]
			b, err := x.boundaryEvent(&a.BoundaryEvents[j], bid, id, refs("outgoing", out[bid]))
			if err != nil {
				return err
			}
			parent.add(b)
			if h := a.BoundaryEvents[j].HandlerID; h != "" && a.BoundaryEvents[j].Event.Type == workflow.EventCompensation {
				x.association(parent, bid, x.ref(h))
			}
		}
	}
	for i := range trans {
		f, err := x.flow(&trans[i], flowIDs[i], sources[i])
		if err != nil {
			return err
		}
		parent.add(f)
	}
	return nil
}

// association makes sure an association leads from boundary event from
// to handler to: the kept one from it is pointed there, else one is added.
func (x *exporter) association(parent *node, from, to string) {
	for _, k := range parent.Kids {
		if k.is(nsModel, "association") && k.attr("", "sourceRef") == from {
			k.set("", "targetRef", to)
			return
		}
	}
	a := newNode(nsModel, "association").set("", "id", x.idOr("", "Association"))
	parent.add(a.set("", "associationDirection", "One").set("", "sourceRef", from).set("", "targetRef", to))
}

// elementFor chooses the BPMN element of an activity: the kept one when
// the type allows it, else the type's default.
func elementFor(typ string, base *node) (string, bool) {
	allowed, ok := elementsFor[typ]
	if !ok {
		return "", false
	}
	if base != nil && base.Name.Space == nsModel && slices.Contains(allowed, base.Name.Local) {
		return base.Name.Local, true
	}
	return allowed[0], true
}

// Elements that may have a default attribute.
var hasDefaultAttr = map[string]bool{
	"task": true, "manualTask": true, "userTask": true, "sendTask": true, "serviceTask": true, "businessRuleTask": true,
	"scriptTask": true, "receiveTask": true, "callActivity": true, "subProcess": true,
	"exclusiveGateway": true, "inclusiveGateway": true,
}

func (x *exporter) activity(a *workflow.Activity, id string, io []*node) (*node, error) {
	base, err := kept(a.BPMN, x.scope, "activity "+a.ID)
	if err != nil {
		return nil, err
	}
	local, ok := elementFor(a.Type, base)
	if !ok {
		return nil, fmt.Errorf("bpmn: activity %q: type %q has no BPMN form", a.ID, a.Type)
	}
	n := base
	if n == nil || n.Name.Space != nsModel || n.Name.Local != local {
		n = newNode(nsModel, local)
	}
	n.set("", "id", id).set("", "name", a.Name)
	if a.ForCompensation {
		n.set("", "isForCompensation", "true")
	}
	if hasDefaultAttr[local] {
		n.set("", "default", x.ref(a.DefaultTransitionID))
	} else {
		n.set(nsE, "defaultTransitionId", x.ref(a.DefaultTransitionID))
	}
	ext := writeProps("property", a.Properties)
	ext = append(ext, writeProps("configuration", a.Configuration)...)
	ext = append(ext, writeInputs(a.InputBindings)...)
	ext = append(ext, writeOutputs(a.OutputBindings)...)
	kids := io
	if mi := a.MultiInstance; mi != nil {
		ext = append(ext, writeMultiInstance(mi))
		kids = append(kids, multiInstanceMarker(mi))
	}
	if lp := a.Loop; lp != nil {
		ext = append(ext, writeLoop(lp))
		kids = append(kids, loopMarker(lp))
	}
	more, err := x.typed(a, n, local)
	if err != nil {
		return nil, err
	}
	ext = append(ext, more...)
	order := activityRanks
	if isEventElement(local) {
		order = eventRanks
	}
	finish(n, writeDocumentation(a.Description), nonNil(ext), kids, order)
	n.front("id", "name")
	return n, nil
}

// typed writes the type-specific parts of a onto n and returns its
// extension elements.
func (x *exporter) typed(a *workflow.Activity, n *node, local string) ([]*node, error) {
	var ext []*node
	ensure := func(def string) *node {
		d := n.child(nsModel, def)
		if d == nil {
			d = newNode(nsModel, def)
			n.add(d)
		}
		return d
	}
	if ev := a.Event; ev != nil && a.Type != workflow.ReceiveTask {
		ext = append(ext, x.eventExt(n, ev)...)
	}
	switch a.Type {
	case workflow.StartEvent:
		if a.NonInterrupting {
			n.set("", "isInterrupting", "false")
		}
	case workflow.EndEvent:
		n.takeAll(nsModel, "terminateEventDefinition")
		if a.Terminate {
			n.add(newNode(nsModel, "terminateEventDefinition"))
		}
	case workflow.UserTask:
		if a.TaskName != "" {
			ext = append(ext, el("taskName").set("", "value", a.TaskName))
		}
		ext = append(ext, writeBinding("assigneeId", a.AssigneeID))
		ext = append(ext, writeBindings("candidateId", a.CandidateIDs)...)
		ext = append(ext, writeBindings("candidateGroupId", a.CandidateGroupIDs)...)
		ext = append(ext, writeForm(a.Form), writeRelativeTime("dueDate", a.DueDate))
		if len(a.Access) > 0 {
			ext = append(ext, el("access").set("", "value", string(compact(a.Access))))
		}
	case workflow.EmailTask:
		n.set(nsE, "type", "email")
		ext = append(ext, writeBinding("fromEmailAddress", a.FromEmailAddress))
		for _, l := range emailLists(a) {
			ext = append(ext, writeBindings(l.local, *l.list)...)
		}
		for _, t := range emailTexts(a) {
			if *t.text != "" {
				k := el(t.local)
				k.Text = *t.text
				ext = append(ext, k)
			}
		}
	case workflow.ServiceTask:
		n.set(nsE, "serviceKey", a.ServiceKey).set(nsE, "actionKey", a.ActionKey)
	case workflow.ScriptTask:
		n.takeAll(nsModel, "script")
		if s := a.Script; s != nil {
			n.set("", "scriptFormat", s.Language)
			k := newNode(nsModel, "script")
			k.Text = s.Script
			n.add(k)
			for _, v := range sortedMapKeys(s.Mappings) {
				ext = append(ext, el("mapping").set("", "scriptVariableName", v).set("", "workflowVariableId", s.Mappings[v]))
			}
		}
	case workflow.ReceiveTask:
		name := ""
		if a.Event != nil {
			name = a.Event.Name
		}
		if local == "intermediateCatchEvent" {
			x.setRef(ensure("messageEventDefinition"), workflow.EventMessage, name)
		} else {
			x.setRef(n, workflow.EventMessage, name)
		}
	case workflow.TimerEvent:
		ext = append(ext, writeTimerTime(ensure("timerEventDefinition"), a.Due, nil, true, 0)...)
	case workflow.CallActivity:
		n.set("", "calledElement", a.SubWorkflowSource).set(nsE, "subWorkflowId", a.SubWorkflowID)
	case workflow.SubProcessEmbedded:
		if a.TriggeredByEvent {
			n.set("", "triggeredByEvent", "true")
		}
		for i := range a.Variables {
			ext = append(ext, writeVariable("variable", &a.Variables[i]))
		}
		if err := x.flowElements(n, a.Activities, a.Transitions); err != nil {
			return nil, err
		}
	}
	return ext, nil
}

func (x *exporter) boundary(t *workflow.Timer, id, attached string, out []*node) *node {
	b := newNode(nsModel, "boundaryEvent").set("", "id", id).set("", "name", t.Name).set("", "attachedToRef", attached)
	if t.NonInterrupting {
		b.set("", "cancelActivity", "false")
	}
	def := newNode(nsModel, "timerEventDefinition")
	ext := writeTimerTime(def, t.Due, t.DueDate, false, t.Repetitions)
	finish(b, nil, ext, append(out, def), eventRanks)
	return b
}

// boundaryEvent writes a boundary event other than a timer, inside what
// Import kept of it.
func (x *exporter) boundaryEvent(be *workflow.BoundaryEvent, id, attached string, out []*node) (*node, error) {
	b, err := kept(be.BPMN, x.scope, "boundary event "+be.ID)
	if err != nil {
		return nil, err
	}
	if b == nil || !b.is(nsModel, "boundaryEvent") {
		b = newNode(nsModel, "boundaryEvent")
	}
	b.set("", "id", id).set("", "name", be.Name).set("", "attachedToRef", attached)
	if be.NonInterrupting {
		b.set("", "cancelActivity", "false")
	}
	ext := x.eventExt(b, &be.Event)
	finish(b, nil, ext, out, eventRanks)
	b.front("id", "name")
	return b, nil
}

func (x *exporter) flow(t *workflow.Transition, id, source string) (*node, error) {
	f, err := kept(t.BPMN, x.scope, "transition "+t.ID)
	if err != nil {
		return nil, err
	}
	if f == nil || !f.is(nsModel, "sequenceFlow") {
		f = newNode(nsModel, "sequenceFlow")
	}
	f.set("", "id", id).set("", "name", t.Name).set("", "sourceRef", source).set("", "targetRef", x.ref(t.To))
	ext := writeProps("property", t.Properties)
	var kids []*node
	keptExpr := f.child(nsModel, "conditionExpression")
	if t.Condition != nil {
		c, err := writeCondition(t.Condition)
		if err != nil {
			return nil, err
		}
		ext = append(ext, el("condition").add(c))
		if t.Condition.Type != workflow.CondUnspecified || keptExpr == nil {
			f.takeAll(nsModel, "conditionExpression")
			if text, ok := renderCondition(t.Condition); ok {
				kids = append(kids, formalExpr("conditionExpression", text))
			}
		}
	} else if keptExpr != nil && strings.TrimSpace(keptExpr.Text) != "" {
		f.takeKid(keptExpr)
	}
	finish(f, writeDocumentation(t.Description), ext, kids, flowRanks)
	f.front("id", "name", "sourceRef", "targetRef")
	return f, nil
}
