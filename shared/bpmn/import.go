package bpmn

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/effektif-serverless/caseflow/shared/workflow"
)

// DefaultServiceKey is the service key of an imported service task whose
// document names no service (no e:serviceKey, camunda:topic,
// zeebe:taskDefinition or e:type). Its action key defaults to the
// activity id.
const DefaultServiceKey = "bpmn"

// PropertyDefinitions is the workflow property (inlined in the workflow's
// JSON) holding the imported document's definitions element without the
// imported process and diagram, so that export can restore the rest:
// other processes, collaboration, messages, other diagrams, root
// attributes and namespaces.
const PropertyDefinitions = "bpmnDefinitions"

// Import parses BPMN 2.0 XML into a workflow; see the package
// documentation for what is read and how. It returns a *FormatError for
// input that is not a readable BPMN document and an *UnsupportedError
// listing every element the engine cannot run. It does not panic.
func Import(data []byte) (*workflow.Workflow, error) {
	w, _, err := ImportWithWarnings(data)
	return w, err
}

// ImportWithWarnings is Import that also returns what was mapped with a
// loss: condition expressions the engine cannot evaluate, timers without a
// time, sequence flows whose ends do not exist, and so on.
func ImportWithWarnings(data []byte) (w *workflow.Workflow, warnings []Warning, err error) {
	return ImportEncoded(data, nil)
}

// ImportEncoded is ImportWithWarnings that also reads documents in the
// encodings cs knows (Import and ImportWithWarnings read UTF-8, US-ASCII
// and UTF-16 only; a document that declares another encoding is a
// *FormatError).
func ImportEncoded(data []byte, cs Charsets) (w *workflow.Workflow, warnings []Warning, err error) {
	defer func() {
		if r := recover(); r != nil {
			w, warnings, err = nil, nil, &FormatError{Msg: fmt.Sprintf("internal error reading this document: %v", r)}
		}
	}()
	root, err := parseXML(data, cs)
	if err != nil {
		return nil, nil, err
	}
	root.Decls = withoutStandard(root.Decls)
	if !root.is(nsModel, "definitions") {
		return nil, nil, &FormatError{Line: root.Line, Msg: fmt.Sprintf("the root element is <%s> (namespace %q), not a BPMN 2.0 <definitions>", root.Name.Local, root.Name.Space)}
	}
	candidates := processOrder(root)
	if len(candidates) == 0 {
		return nil, nil, &FormatError{Line: root.Line, Msg: "the document has no process"}
	}
	var first error
	var skipped []Warning
	for _, i := range candidates {
		im := newImporter(root.clone())
		w, err = im.run(im.root.Kids[i])
		var ue *UnsupportedError
		if !errors.As(err, &ue) {
			return w, append(skipped, im.warnings...), err
		}
		if first == nil {
			first = err
		}
		p := root.Kids[i]
		skipped = append(skipped, Warning{ID: p.attr("", "id"), Message: fmt.Sprintf("process %q was not imported: %v", p.attr("", "id"), err)})
	}
	return nil, nil, first
}

func newImporter(root *node) *importer {
	im := &importer{root: root, scope: fragmentScope(root.Decls), byID: map[string]*node{}, flowIDs: map[string]bool{}, skipped: map[string]bool{}}
	root.walk(func(n *node) {
		if id := n.attr("", "id"); id != "" && im.byID[id] == nil {
			im.byID[id] = n
		}
	})
	return im
}

// withoutStandard drops from the root's declarations those Export adds
// again (standardDecls), so that a round trip keeps them as they were.
func withoutStandard(decls []decl) []decl {
	count := map[string]int{}
	for _, d := range decls {
		count[d.URI]++
	}
	return slices.DeleteFunc(slices.Clone(decls), func(d decl) bool {
		return count[d.URI] == 1 && slices.Contains(standardDecls, d)
	})
}

type importer struct {
	root        *node
	process     *node            // the process being imported
	startForm   *workflow.Form   // a camunda:formData of the process's start event
	scope       *nsScope         // kept fragments resolve in this scope
	byID        map[string]*node // every element with an id (its first occurrence)
	flowIDs     map[string]bool  // ids of the imported flow elements, against duplicates
	skipped     map[string]bool  // ids of unsupported elements
	unsupported []Element
	fatal       error
	warnings    []Warning
}

func (im *importer) unsupport(id, typ, name string) {
	im.unsupported = append(im.unsupported, Element{ID: id, Type: typ, Name: name})
	im.skipped[id] = true
}

func (im *importer) warn(id, format string, args ...any) {
	im.warnings = append(im.warnings, Warning{ID: id, Message: fmt.Sprintf(format, args...)})
}

func (im *importer) fail(n *node, format string, args ...any) {
	if im.fatal == nil {
		im.fatal = &FormatError{Line: n.Line, Msg: fmt.Sprintf(format, args...)}
	}
}

// run imports process proc, a child of the root.
func (im *importer) run(proc *node) (*workflow.Workflow, error) {
	root := im.root
	w := &workflow.Workflow{ID: proc.attr("", "id"), Name: proc.take("", "name")}
	if w.Name == "" {
		w.Name = im.participantName(w.ID)
	}
	proc.take("", "isExecutable")
	w.Description = readDocumentation(proc)
	im.process = proc
	w.Activities, w.Transitions = im.flowScope(proc, false)
	if im.fatal != nil {
		return nil, im.fatal
	}
	if len(im.unsupported) > 0 {
		return nil, &UnsupportedError{Elements: im.unsupported}
	}
	for _, v := range proc.takeExt(nsE, "variable") {
		w.Variables = append(w.Variables, readVariable(v))
	}
	w.Trigger = readTrigger(proc.takeExt1(nsE, "trigger"))
	if w.Trigger == nil && im.startForm != nil {
		// A Camunda start form is the workflow's start form.
		w.Trigger = &workflow.Trigger{Type: workflow.FormTrigger, Form: im.startForm}
	}
	if ec := proc.takeExt1(nsE, "enableCases"); ec != nil {
		w.EnableCases = boolAttr(ec, "value")
	}
	for _, t := range proc.takeExt(nsE, "timer") {
		w.Timers = append(w.Timers, readTimer(t))
	}
	w.Properties = readProps(extGroup(proc, "property"), "property")
	proc.dropEmptyExt()
	w.BPMN = keep(proc, im.scope)
	w.Diagram = im.diagram(w)
	replaceKid(root, proc, el("process"))
	if w.Properties == nil {
		w.Properties = map[string]json.RawMessage{}
	}
	w.Properties[PropertyDefinitions] = keep(root, baseScope)
	return w, nil
}

func replaceKid(parent, old, new *node) {
	for i, k := range parent.Kids {
		if k == old {
			parent.Kids[i] = new
			return
		}
	}
}

// extGroup removes n's e:local extension elements and returns them as the
// children of a new node, for the readers that read children.
func extGroup(n *node, local string) *node {
	return &node{Kids: n.takeExt(nsE, local)}
}

// processOrder returns the indexes of the root's processes in the order
// Import tries them: first the one with the most flow nodes (among equals
// an executable one, then the first; modelers mark the first pool
// executable by default, so the flag alone says little). When that one is
// not executable, the executable processes with flow nodes follow (most
// nodes first): a descriptive pool beside the engine's process must not
// block it.
func processOrder(root *node) []int {
	type cand struct {
		i, score int
		exec     bool
	}
	var cands []cand
	for i, p := range root.Kids {
		if !p.is(nsModel, "process") {
			continue
		}
		c := cand{i: i, score: 2 * countFlowNodes(p), exec: p.attr("", "isExecutable") == "true"}
		if c.exec {
			c.score++
		}
		cands = append(cands, c)
	}
	if len(cands) == 0 {
		return nil
	}
	slices.SortStableFunc(cands, func(a, b cand) int { return b.score - a.score })
	order := []int{cands[0].i}
	for _, c := range cands[1:] {
		if !cands[0].exec && c.exec && c.score > 2 {
			order = append(order, c.i)
		}
	}
	return order
}

func countFlowNodes(scope *node) int {
	n := 0
	for _, k := range scope.Kids {
		if k.Name.Space == nsModel && (flowNodes[k.Name.Local] || k.Name.Local == "boundaryEvent") {
			n++
			n += countFlowNodes(k)
		}
	}
	return n
}

// participantName is the name of the pool showing process id.
func (im *importer) participantName(id string) string {
	for _, c := range im.root.Kids {
		if !c.is(nsModel, "collaboration") {
			continue
		}
		for _, p := range c.Kids {
			if p.is(nsModel, "participant") && p.attr("", "processRef") == id {
				return p.attr("", "name")
			}
		}
	}
	return ""
}

// flowNodes are the BPMN flow nodes that may appear in a process, except
// boundaryEvent (see boundary).
var flowNodes = map[string]bool{
	"startEvent": true, "endEvent": true, "intermediateThrowEvent": true, "intermediateCatchEvent": true, "implicitThrowEvent": true,
	"task": true, "manualTask": true, "userTask": true, "sendTask": true, "serviceTask": true, "businessRuleTask": true,
	"scriptTask": true, "receiveTask": true, "callActivity": true, "subProcess": true, "adHocSubProcess": true, "transaction": true,
	"exclusiveGateway": true, "parallelGateway": true, "inclusiveGateway": true, "complexGateway": true, "eventBasedGateway": true,
	"callChoreography": true, "choreographyTask": true, "subChoreography": true,
}

// idOf takes the id of flow node n, or makes one (element name and a
// number) when it has none.
func (im *importer) idOf(n *node) string {
	if id := n.take("", "id"); id != "" {
		return id
	}
	for i := 1; ; i++ {
		id := n.Name.Local + "_" + strconv.Itoa(i)
		if im.byID[id] == nil {
			im.byID[id] = n
			return id
		}
	}
}

// checkID records the id of a flow element and fails on a duplicate.
func (im *importer) checkID(n *node) {
	id := n.attr("", "id")
	if id == "" {
		return
	}
	if im.flowIDs[id] {
		im.fail(n, "duplicate id %q", id)
	}
	im.flowIDs[id] = true
}

// flowScope imports the flow elements of a process or sub-process c (an
// event sub-process when esp) and leaves the other children (lanes, data
// objects, artifacts, …) in c.
func (im *importer) flowScope(c *node, esp bool) ([]workflow.Activity, []workflow.Transition) {
	var acts []workflow.Activity
	index := map[string]int{}
	var flows, boundaries, kept []*node
	for _, k := range c.Kids {
		switch {
		case k.Name.Space != nsModel:
			kept = append(kept, k)
		case k.Name.Local == "sequenceFlow":
			flows = append(flows, k)
		case k.Name.Local == "boundaryEvent":
			boundaries = append(boundaries, k)
		case flowNodes[k.Name.Local]:
			im.checkID(k)
			if c == im.process && k.Name.Local == "startEvent" && im.startForm == nil {
				im.startForm = camundaForm(k)
			}
			if a, ok := im.activity(k, esp); ok {
				index[a.ID] = len(acts)
				acts = append(acts, a)
			}
		default:
			kept = append(kept, k)
		}
	}
	c.Kids = kept
	attached := map[string]attachment{} // boundary event id -> where it went
	for _, b := range boundaries {
		im.checkID(b)
		im.boundary(b, acts, index, attached)
	}
	var trans []workflow.Transition
	for _, f := range flows {
		im.checkID(f)
		src, tgt := f.attr("", "sourceRef"), f.attr("", "targetRef")
		_, srcAct := index[src]
		at, srcBoundary := attached[src]
		_, tgtAct := index[tgt]
		if !srcAct && !srcBoundary || !tgtAct {
			if !im.skipped[src] && !im.skipped[tgt] && !im.badRef(f, src, srcAct || srcBoundary) && !im.badRef(f, tgt, tgtAct) {
				c.Kids = append(c.Kids, f)
			}
			continue
		}
		t := im.transition(f)
		if srcBoundary {
			a := &acts[at.act]
			if at.timer >= 0 {
				a.Timers[at.timer].ToTransitionIDs = append(a.Timers[at.timer].ToTransitionIDs, t.ID)
			} else {
				a.BoundaryEvents[at.event].ToTransitionIDs = append(a.BoundaryEvents[at.event].ToTransitionIDs, t.ID)
			}
		}
		trans = append(trans, t)
	}
	im.compensationHandlers(c, acts, index, attached)
	return acts, trans
}

// attachment says where a boundary event went: the activity index and the
// index of its timer or boundary event (the other is -1).
type attachment struct{ act, timer, event int }

// compensationHandlers sets the handler of each compensation boundary
// event from the association that leads from it to a compensation handler
// of the scope (the association stays in the kept XML).
func (im *importer) compensationHandlers(c *node, acts []workflow.Activity, index map[string]int, attached map[string]attachment) {
	for _, k := range c.Kids {
		if !k.is(nsModel, "association") {
			continue
		}
		at, ok := attached[k.attr("", "sourceRef")]
		if !ok || at.event < 0 {
			continue
		}
		b := &acts[at.act].BoundaryEvents[at.event]
		i, isAct := index[k.attr("", "targetRef")]
		if b.Event.Type == workflow.EventCompensation && b.HandlerID == "" && isAct && acts[i].ForCompensation {
			b.HandlerID = acts[i].ID
		}
	}
}

// badRef handles an end of sequence flow f that is not an imported flow
// node: an existing element there is unsupported (true); a missing one
// leaves the flow in the kept XML with a warning (false).
func (im *importer) badRef(f *node, ref string, ok bool) bool {
	if ok {
		return false
	}
	if n := im.byID[ref]; n != nil && ref != "" {
		im.unsupport(ref, n.Name.Local, n.attr("", "name"))
		return true
	}
	im.warn(f.attr("", "id"), "sequence flow %q refers to %q, which is not in the process; it is kept in the BPMN only", f.attr("", "id"), ref)
	return false
}

// eventDefinitions returns the element names of n's event definitions,
// following eventDefinitionRefs.
func (im *importer) eventDefinitions(n *node) []string {
	var defs []string
	for _, k := range n.Kids {
		switch {
		case k.Name.Space != nsModel:
		case strings.HasSuffix(k.Name.Local, "EventDefinition"):
			defs = append(defs, k.Name.Local)
		case k.Name.Local == "eventDefinitionRef":
			ref := strings.TrimSpace(k.Text)
			if _, local, ok := strings.Cut(ref, ":"); ok {
				ref = local
			}
			if d := im.byID[ref]; d != nil {
				defs = append(defs, d.Name.Local)
			}
		}
	}
	return defs
}

// Event definitions each event may have (startEvent: outside event
// sub-processes; endEvent: terminate is read apart).
var allowedDefinitions = map[string][]string{
	"startEvent":             {"messageEventDefinition", "timerEventDefinition", "signalEventDefinition", "conditionalEventDefinition"},
	"endEvent":               {"messageEventDefinition", "signalEventDefinition", "errorEventDefinition", "escalationEventDefinition", "terminateEventDefinition", "compensateEventDefinition"},
	"intermediateThrowEvent": {"messageEventDefinition", "signalEventDefinition", "escalationEventDefinition", "linkEventDefinition", "compensateEventDefinition"},
	"intermediateCatchEvent": {"messageEventDefinition", "timerEventDefinition", "signalEventDefinition", "conditionalEventDefinition", "linkEventDefinition"},
}

// espStartDefinitions are the definitions of event sub-process start
// events.
var espStartDefinitions = []string{"messageEventDefinition", "timerEventDefinition", "signalEventDefinition",
	"conditionalEventDefinition", "errorEventDefinition", "escalationEventDefinition", "compensateEventDefinition"}

// multipleMatters reports whether several event definitions make an event
// unrunnable: not on a start event outside event sub-processes (it only
// describes how instances start), nor on an end event that only sends
// messages or terminates.
func multipleMatters(local string, esp bool, defs []string) bool {
	switch local {
	case "startEvent":
		return esp
	case "endEvent":
		for _, d := range defs {
			if d != "messageEventDefinition" && d != "terminateEventDefinition" {
				return true
			}
		}
		return false
	}
	return isEventElement(local)
}

// classify returns the activity type of flow node n (in an event
// sub-process when esp), or the reasons it is unsupported (Element types).
func (im *importer) classify(n *node, esp bool) (string, []string) {
	local := n.Name.Local
	defs := im.eventDefinitions(n)
	var problems []string
	allowed, limited := allowedDefinitions[local]
	if local == "startEvent" && esp {
		allowed = espStartDefinitions
	}
	for _, d := range defs {
		if limited && !slices.Contains(allowed, d) {
			problems = append(problems, local+"/"+d)
		}
	}
	if len(defs) > 1 && len(problems) == 0 && multipleMatters(local, esp, defs) {
		for _, d := range defs {
			problems = append(problems, local+"/"+d)
		}
	}
	var typ string
	switch local {
	case "startEvent":
		typ = workflow.StartEvent
		if esp && len(defs) == 0 {
			problems = append(problems, local+"/noEventDefinition")
		}
	case "endEvent":
		typ = workflow.EndEvent
	case "intermediateThrowEvent":
		typ = workflow.NoneTask
		if len(defs) == 1 && defs[0] != "messageEventDefinition" {
			typ = workflow.ThrowEvent
		}
	case "task", "manualTask":
		typ = workflow.NoneTask
	case "intermediateCatchEvent":
		switch {
		case len(defs) == 0:
			return "", []string{local}
		case len(defs) > 1:
		case defs[0] == "messageEventDefinition":
			typ = workflow.ReceiveTask
		case defs[0] == "timerEventDefinition":
			typ = workflow.TimerEvent
		default:
			typ = workflow.CatchEvent
		}
	case "userTask":
		typ = workflow.UserTask
	case "sendTask":
		typ = workflow.EmailTask
		if hasWorker(n) {
			typ = workflow.ServiceTask
		}
	case "serviceTask":
		typ = workflow.ServiceTask
		if n.attr(nsE, "type") == "email" {
			typ = workflow.EmailTask
		}
	case "businessRuleTask":
		typ = workflow.ServiceTask
	case "scriptTask":
		typ = workflow.ScriptTask
	case "receiveTask":
		typ = workflow.ReceiveTask
	case "callActivity":
		typ = workflow.CallActivity
	case "subProcess":
		typ = workflow.SubProcessEmbedded
	case "exclusiveGateway", "parallelGateway", "inclusiveGateway":
		typ = local
	case "eventBasedGateway":
		typ = workflow.EventBasedGateway
		if n.attr("", "instantiate") == "true" {
			problems = append(problems, local+"/instantiate")
		}
		if n.attr("", "eventGatewayType") == "Parallel" {
			problems = append(problems, local+"/eventGatewayType")
		}
	default:
		return "", []string{local}
	}
	if sl := n.child(nsModel, "standardLoopCharacteristics"); sl != nil && (n.ext() == nil || n.ext().child(nsE, "loop") == nil) {
		if lc := sl.child(nsModel, "loopCondition"); lc != nil && strings.TrimSpace(lc.Text) != "" {
			if _, ok := parseCondition(lc.Text); !ok {
				problems = append(problems, local+"/loopCondition")
			}
		}
		if m := sl.attr("", "loopMaximum"); m != "" {
			if v, err := strconv.Atoi(m); err != nil || v < 0 {
				problems = append(problems, local+"/loopMaximum")
			}
		}
	}
	if mi := n.child(nsModel, "multiInstanceLoopCharacteristics"); mi != nil && (n.ext() == nil || n.ext().child(nsE, "multiInstance") == nil) {
		problems = append(problems, multiInstanceProblems(mi, local)...)
	}
	return typ, problems
}

// multiInstanceProblems says what of a multiInstanceLoopCharacteristics
// cannot run: a collection that is not a variable path, a loopDataInputRef
// (a data input, which the model does not have), a loopCardinality that
// is not a number or a path, a completion condition parseCondition cannot
// convert.
func multiInstanceProblems(mi *node, local string) []string {
	var problems []string
	_, _, ok := camundaCollection(mi)
	hasCollection := mi.attr(nsCamunda, "collection") != ""
	if x := mi.ext(); x != nil && x.child(nsZeebe, "loopCharacteristics") != nil {
		hasCollection = hasCollection || x.child(nsZeebe, "loopCharacteristics").attr("", "inputCollection") != ""
	}
	switch {
	case hasCollection && !ok:
		problems = append(problems, local+"/multiInstanceLoopCharacteristics")
	case !ok && mi.child(nsModel, "loopDataInputRef") != nil:
		problems = append(problems, local+"/loopDataInputRef")
	}
	if lc := mi.child(nsModel, "loopCardinality"); lc != nil && strings.TrimSpace(lc.Text) != "" {
		if _, ok := readCardinality(lc.Text); !ok {
			problems = append(problems, local+"/loopCardinality")
		}
	}
	if cc := mi.child(nsModel, "completionCondition"); cc != nil && strings.TrimSpace(cc.Text) != "" {
		if _, ok := parseCondition(cc.Text); !ok {
			problems = append(problems, local+"/completionCondition")
		}
	}
	return problems
}

// elementsFor lists the BPMN elements each activity type is written as;
// the first is the default.
var elementsFor = map[string][]string{
	workflow.StartEvent: {"startEvent"}, workflow.EndEvent: {"endEvent"},
	workflow.NoneTask: {"task", "manualTask", "intermediateThrowEvent"}, workflow.UserTask: {"userTask"},
	workflow.EmailTask: {"serviceTask", "sendTask"}, workflow.ServiceTask: {"serviceTask", "businessRuleTask", "sendTask"},
	workflow.ScriptTask: {"scriptTask"}, workflow.ReceiveTask: {"receiveTask", "intermediateCatchEvent"},
	workflow.TimerEvent: {"intermediateCatchEvent"}, workflow.ExclusiveGateway: {"exclusiveGateway"},
	workflow.ParallelGateway: {"parallelGateway"}, workflow.InclusiveGateway: {"inclusiveGateway"},
	workflow.CallActivity: {"callActivity"}, workflow.SubProcessEmbedded: {"subProcess"},
	workflow.ThrowEvent: {"intermediateThrowEvent"}, workflow.CatchEvent: {"intermediateCatchEvent"},
	workflow.EventBasedGateway: {"eventBasedGateway"},
}

// activity imports flow node n (of an event sub-process when esp), or
// records why it is unsupported.
func (im *importer) activity(n *node, esp bool) (workflow.Activity, bool) {
	typ, problems := im.classify(n, esp)
	if len(problems) > 0 {
		for _, p := range problems {
			im.unsupport(n.attr("", "id"), p, n.attr("", "name"))
		}
		return workflow.Activity{}, false
	}
	a := workflow.Activity{Type: typ, ID: im.idOf(n), Name: n.take("", "name")}
	a.Description = readDocumentation(n)
	n.takeAll(nsModel, "incoming")
	n.takeAll(nsModel, "outgoing")
	a.DefaultTransitionID = n.take("", "default")
	if d := n.take(nsE, "defaultTransitionId"); d != "" {
		a.DefaultTransitionID = d
	}
	if n.attr("", "isForCompensation") == "true" {
		n.take("", "isForCompensation")
		a.ForCompensation = true
	}
	a.Properties = readProps(extGroup(n, "property"), "property")
	a.Configuration = readProps(extGroup(n, "configuration"), "configuration")
	a.InputBindings = readInputs(extGroup(n, "input"))
	a.OutputBindings = readOutputs(extGroup(n, "output"))
	multiInstance(n, &a)
	standardLoop(n, &a)
	if !im.events(n, &a, esp) {
		return a, false
	}
	switch typ {
	case workflow.EndEvent:
		a.Terminate = len(n.takeAll(nsModel, "terminateEventDefinition")) > 0
	case workflow.UserTask:
		userTask(n, &a)
	case workflow.EmailTask:
		emailTask(n, &a)
		if why := camundaMail(n, &a); why != "" {
			if len(a.ToEmailAddresses)+len(a.ToUserIDs)+len(a.ToGroupIDs)+len(a.CcEmailAddresses)+len(a.CcUserIDs)+len(a.CcGroupIDs)+
				len(a.BccEmailAddresses)+len(a.BccUserIDs)+len(a.BccGroupIDs) == 0 {
				why += "; it sends no mail until its recipients are set"
			}
			im.warn(a.ID, "send task %q: %s", a.ID, why)
		}
	case workflow.ServiceTask:
		serviceTask(n, &a)
	case workflow.ScriptTask:
		scriptTask(n, &a)
	case workflow.CallActivity:
		callActivity(n, &a)
	case workflow.TimerEvent:
		if !im.timerEvent(n, &a) {
			return a, false
		}
		if def := n.child(nsModel, "timerEventDefinition"); def != nil && def.empty() {
			n.takeKid(def) // export writes one
		}
	case workflow.SubProcessEmbedded:
		if n.attr("", "triggeredByEvent") == "true" {
			n.take("", "triggeredByEvent")
			a.TriggeredByEvent = true
		}
		for _, v := range n.takeExt(nsE, "variable") {
			a.Variables = append(a.Variables, readVariable(v))
		}
		a.Activities, a.Transitions = im.flowScope(n, a.TriggeredByEvent)
	}
	n.dropEmptyExt()
	if !n.empty() || n.Name.Local != elementsFor[typ][0] {
		a.BPMN = keep(n, im.scope)
	}
	return a, true
}

// events reads the Event of an event activity: the start event of an event
// sub-process (and whether it interrupts), an end event that throws a
// signal, error, escalation or compensation, a throw or catch event, a
// receive task's message. It reports false when the element is
// unsupported.
func (im *importer) events(n *node, a *workflow.Activity, esp bool) bool {
	switch a.Type {
	case workflow.StartEvent:
		if !esp {
			return true
		}
		if n.attr("", "isInterrupting") == "false" {
			n.take("", "isInterrupting")
			a.NonInterrupting = true
		}
	case workflow.EndEvent, workflow.ThrowEvent, workflow.CatchEvent:
	case workflow.ReceiveTask:
		if n.Name.Local == "receiveTask" {
			if name := refName(func(id string) *node { return im.byID[id] }, workflow.EventMessage, n); name != "" {
				a.Event = &workflow.Event{Type: workflow.EventMessage, Name: name}
			}
			return true
		}
	default:
		return true
	}
	def, kind, ok := im.definition(n)
	if !ok || kind == "" || a.Type == workflow.EndEvent && kind == workflow.EventMessage {
		return true
	}
	if a.Type == workflow.ReceiveTask {
		if name := refName(func(id string) *node { return im.byID[id] }, kind, def); name != "" {
			a.Event = &workflow.Event{Type: kind, Name: name}
		}
		takeEmptyDefinition(n, def)
		return true
	}
	ev, problem := im.readEvent(n, def, kind, a.ID)
	if problem != "" {
		im.unsupport(a.ID, n.Name.Local+"/"+problem, a.Name)
		return false
	}
	a.Event = ev
	takeEmptyDefinition(n, def)
	return true
}

// timerEvent reads the time of a timer catch event.
func (im *importer) timerEvent(n *node, a *workflow.Activity) bool {
	a.Due = readRelativeTime(n.takeExt1(nsE, "due"))
	def := n.child(nsModel, "timerEventDefinition")
	if def == nil {
		return true
	}
	tt := readTimerTime(def, true)
	switch {
	case tt.problem != "":
		im.unsupport(a.ID, "intermediateCatchEvent/"+tt.problem, a.Name)
		return false
	case a.Due == nil && tt.empty:
		im.warn(a.ID, "timer %q has no time; it has no due time until one is set", a.ID)
	case a.Due == nil:
		a.Due = tt.due
	}
	return true
}

// boundary attaches a boundary event to its activity: a timer to its
// Timers, any other to its BoundaryEvents (with the element's unmapped
// XML), or records it as unsupported (no or several definitions, a time
// or condition that cannot run). What else a timer's element holds
// (extension elements, definition ids) is not kept.
func (im *importer) boundary(b *node, acts []workflow.Activity, index map[string]int, attached map[string]attachment) {
	id, name := b.attr("", "id"), b.attr("", "name")
	defs := im.eventDefinitions(b)
	if len(defs) != 1 || defs[0] == "terminateEventDefinition" || defs[0] == "linkEventDefinition" || defs[0] == "cancelEventDefinition" {
		if len(defs) == 0 {
			im.unsupport(id, "boundaryEvent", name)
		}
		for _, d := range defs {
			im.unsupport(id, "boundaryEvent/"+d, name)
		}
		return
	}
	attachedTo := b.attr("", "attachedToRef")
	i, ok := index[attachedTo]
	if !ok {
		if !im.skipped[attachedTo] {
			im.fail(b, "boundary event %q is attached to %q, which is not an activity of its scope", id, attachedTo)
		}
		return
	}
	nonInterrupting := b.attr("", "cancelActivity") == "false"
	if defs[0] != "timerEventDefinition" {
		def, kind, _ := im.definition(b)
		ev, problem := im.readEvent(b, def, kind, id)
		if problem != "" {
			im.unsupport(id, "boundaryEvent/"+problem, name)
			return
		}
		be := workflow.BoundaryEvent{ID: im.idOf(b), Name: b.take("", "name"), Event: *ev, NonInterrupting: nonInterrupting}
		b.take("", "cancelActivity")
		b.take("", "attachedToRef")
		b.takeAll(nsModel, "outgoing")
		takeEmptyDefinition(b, def)
		b.dropEmptyExt()
		if !b.empty() {
			be.BPMN = keep(b, im.scope)
		}
		attached[be.ID] = attachment{act: i, timer: -1, event: len(acts[i].BoundaryEvents)}
		acts[i].BoundaryEvents = append(acts[i].BoundaryEvents, be)
		return
	}
	t := workflow.Timer{ID: im.idOf(b), Name: name, NonInterrupting: nonInterrupting}
	t.Due = readRelativeTime(b.takeExt1(nsE, "due"))
	if def := b.child(nsModel, "timerEventDefinition"); def != nil {
		tt := readTimerTime(def, false)
		switch {
		case tt.problem != "":
			im.unsupport(id, "boundaryEvent/"+tt.problem, name)
			return
		case tt.empty && t.Due == nil:
			im.warn(id, "timer %q has no time; it has no due time until one is set", id)
		}
		t.DueDate, t.Repetitions = tt.date, tt.repeat
		if t.Due == nil {
			t.Due = tt.due
		}
	}
	readRepetitions(b, &t.Repetitions)
	attached[t.ID] = attachment{act: i, timer: len(acts[i].Timers), event: -1}
	acts[i].Timers = append(acts[i].Timers, t)
}

func (im *importer) transition(f *node) workflow.Transition {
	t := workflow.Transition{ID: f.take("", "id"), Name: f.take("", "name"), From: f.take("", "sourceRef"), To: f.take("", "targetRef")}
	t.Description = readDocumentation(f)
	t.Properties = readProps(extGroup(f, "property"), "property")
	t.Condition = im.condition(f, t.ID)
	f.dropEmptyExt()
	if !f.empty() {
		t.BPMN = keep(f, im.scope)
	}
	return t
}

// condition reads a sequence flow's condition: e:condition, else a
// conditionExpression that parseCondition converts. An expression it
// cannot convert stays in the BPMN and makes the condition "unspecified"
// (which the engine ignores), with a warning.
func (im *importer) condition(f *node, id string) *workflow.Condition {
	var c *workflow.Condition
	if ec := f.takeExt1(nsE, "condition"); ec != nil {
		if first := firstIn(ec, nsE); first != nil {
			c = readCondition(first)
		}
	}
	ce := f.child(nsModel, "conditionExpression")
	if ce == nil {
		return c
	}
	if c != nil {
		if c.Type != workflow.CondUnspecified {
			f.takeKid(ce) // written by export from c
		}
		return c
	}
	text := strings.TrimSpace(ce.Text)
	if text == "" {
		return nil
	}
	if parsed, ok := parseCondition(text); ok {
		f.takeKid(ce)
		return parsed
	}
	im.warn(id, "the condition %q of sequence flow %q cannot be evaluated by the engine; it is kept in the BPMN and the flow is treated as unconditional", text, id)
	return &workflow.Condition{Type: workflow.CondUnspecified}
}
