package bpmn

import (
	"encoding/json"
	"strconv"
	"strings"

	"github.com/effektif-serverless/caseflow/shared/workflow"
)

// This file maps BPMN event definitions to workflow.Event and back:
//
//	messageEventDefinition messageRef       Event{message, name: the message's name (else its id)}
//	signalEventDefinition signalRef         Event{signal, name: the signal's name (else its id)}
//	errorEventDefinition errorRef           Event{error, name: the error's errorCode (else name, else id)}
//	escalationEventDefinition escalationRef Event{escalation, name: escalationCode (else name, else id)}
//	conditionalEventDefinition condition    Event{conditional, condition: e:condition, else the
//	                                        condition expression parseCondition converts; an empty
//	                                        one is no condition (never fires, a warning); any other
//	                                        makes the element unsupported}
//	linkEventDefinition name                Event{link, name}
//	compensateEventDefinition activityRef   Event{compensation, activityId}
//	timerEventDefinition                    Event{timer, due, dueDate, repetitions} (see timers.go)
//
// A reference to a missing element is its own name. The definition
// element stays in the kept XML with its reference; Export points the
// reference to a root element (an existing one with that name, else a new
// one) when the model's name differs from what it resolves to.

// eventKinds maps event definition elements to Event types and back.
var eventKinds = map[string]string{
	"messageEventDefinition": workflow.EventMessage, "signalEventDefinition": workflow.EventSignal,
	"errorEventDefinition": workflow.EventError, "escalationEventDefinition": workflow.EventEscalation,
	"conditionalEventDefinition": workflow.EventConditional, "linkEventDefinition": workflow.EventLink,
	"compensateEventDefinition": workflow.EventCompensation, "timerEventDefinition": workflow.EventTimer,
}

// definitionOf is the event definition element of an Event type.
func definitionOf(kind string) string {
	for def, k := range eventKinds {
		if k == kind {
			return def
		}
	}
	return ""
}

// refAttrs are the reference attributes of definitions and the root
// element each refers to.
var refAttrs = map[string]struct{ attr, root string }{
	workflow.EventMessage: {"messageRef", "message"}, workflow.EventSignal: {"signalRef", "signal"},
	workflow.EventError: {"errorRef", "error"}, workflow.EventEscalation: {"escalationRef", "escalation"},
}

// rootName is the name an event takes from the root element it refers
// to: a message's or signal's name, an error's or escalation's code, else
// the name, else the id.
func rootName(kind string, n *node) string {
	var first []string
	switch kind {
	case workflow.EventError:
		first = []string{"errorCode", "name"}
	case workflow.EventEscalation:
		first = []string{"escalationCode", "name"}
	default:
		first = []string{"name"}
	}
	for _, a := range first {
		if v := n.attr("", a); v != "" {
			return v
		}
	}
	return n.attr("", "id")
}

// localRef strips a namespace prefix from a QName reference.
func localRef(ref string) string {
	ref = strings.TrimSpace(ref)
	if _, local, ok := strings.Cut(ref, ":"); ok {
		return local
	}
	return ref
}

// refName resolves the reference of definition def of the given kind in
// the elements by id: the root element's name, or the reference itself
// when it names nothing.
func refName(byID func(string) *node, kind string, def *node) string {
	ra, ok := refAttrs[kind]
	if !ok {
		return ""
	}
	ref := localRef(def.attr("", ra.attr))
	if ref == "" {
		return ""
	}
	if r := byID(ref); r != nil && r.is(nsModel, ra.root) {
		return rootName(kind, r)
	}
	return ref
}

// definition returns n's only event definition element (following an
// eventDefinitionRef to a copy of the root definition) and its Event
// type, or ok false when n has none or several.
func (im *importer) definition(n *node) (def *node, kind string, ok bool) {
	count := 0
	for _, k := range n.Kids {
		switch {
		case k.Name.Space != nsModel:
		case eventKinds[k.Name.Local] != "":
			def, kind = k, eventKinds[k.Name.Local]
			count++
		case k.Name.Local == "eventDefinitionRef":
			if d := im.byID[localRef(k.Text)]; d != nil && eventKinds[d.Name.Local] != "" {
				def, kind = d.clone(), eventKinds[d.Name.Local]
				count++
			}
		}
	}
	return def, kind, count == 1
}

// readEvent reads the Event of event element n from its definition def of
// the given kind, taking what it maps from def and n. The problem is an
// Element type suffix when the event cannot run.
func (im *importer) readEvent(n, def *node, kind, id string) (ev *workflow.Event, problem string) {
	ev = &workflow.Event{Type: kind}
	local := def.Name.Local
	switch kind {
	case workflow.EventMessage, workflow.EventSignal, workflow.EventError, workflow.EventEscalation:
		ev.Name = refName(func(id string) *node { return im.byID[id] }, kind, def)
	case workflow.EventLink:
		ev.Name = def.attr("", "name")
	case workflow.EventCompensation:
		ev.ActivityID = localRef(def.take("", "activityRef"))
	case workflow.EventConditional:
		if ec := n.takeExt1(nsE, "condition"); ec != nil {
			if first := firstIn(ec, nsE); first != nil {
				ev.Condition = readCondition(first)
			}
		}
		c := def.child(nsModel, "condition")
		text := ""
		if c != nil {
			text = strings.TrimSpace(c.Text)
		}
		switch {
		case ev.Condition != nil:
			if c != nil {
				def.takeKid(c)
			}
		case text == "":
			im.warn(id, "conditional event %q has no condition; it never fires", id)
		default:
			parsed, ok := parseCondition(text)
			if !ok {
				return nil, local + "/condition"
			}
			ev.Condition = parsed
			def.takeKid(c)
		}
	case workflow.EventTimer:
		ev.Due = readRelativeTime(n.takeExt1(nsE, "due"))
		tt := readTimerTime(def, false)
		switch {
		case tt.problem != "":
			return nil, tt.problem
		case tt.empty && ev.Due == nil:
			im.warn(id, "timer %q has no time; it has no due time until one is set", id)
		}
		ev.DueDate, ev.Repetitions = tt.date, tt.repeat
		if ev.Due == nil {
			ev.Due = tt.due
		}
		readRepetitions(n, &ev.Repetitions)
	}
	return ev, ""
}

// takeEmptyDefinition removes def from n when nothing is left of it
// (Export writes it again).
func takeEmptyDefinition(n, def *node) {
	if def != nil && def.empty() {
		n.takeKid(def)
	}
}

// eventExt writes the Event of event element n into its definition (made
// when missing; definitions of other kinds are removed) and returns the
// extension elements it needs.
func (x *exporter) eventExt(n *node, ev *workflow.Event) []*node {
	local := definitionOf(ev.Type)
	if local == "" {
		return nil
	}
	var def *node
	kept := n.Kids[:0:0]
	for _, k := range n.Kids {
		switch {
		case k.Name.Space != nsModel || eventKinds[k.Name.Local] == "" && k.Name.Local != "eventDefinitionRef":
			kept = append(kept, k)
		case k.Name.Local == local && def == nil:
			def = k
			kept = append(kept, k)
		}
	}
	n.Kids = kept
	if def == nil {
		def = newNode(nsModel, local)
		n.add(def)
	}
	var ext []*node
	switch ev.Type {
	case workflow.EventMessage, workflow.EventSignal, workflow.EventError, workflow.EventEscalation:
		x.setRef(def, ev.Type, ev.Name)
	case workflow.EventLink:
		if def.attr("", "name") != ev.Name {
			def.set("", "name", ev.Name)
		}
	case workflow.EventCompensation:
		def.set("", "activityRef", x.ref(ev.ActivityID))
	case workflow.EventConditional:
		if ev.Condition != nil {
			def.takeAll(nsModel, "condition")
			if c, err := writeCondition(ev.Condition); err == nil {
				ext = append(ext, el("condition").add(c))
			}
			text, _ := renderCondition(ev.Condition)
			def.add(formalExpr("condition", text))
		}
	case workflow.EventTimer:
		ext = append(ext, writeTimerTime(def, ev.Due, ev.DueDate, false, ev.Repetitions)...)
	}
	return ext
}

// setRef points the reference of definition def to a root element of its
// kind that resolves to name: the one it names already, else one with
// that name, else a new one.
func (x *exporter) setRef(def *node, kind, name string) {
	ra := refAttrs[kind]
	byID := func(id string) *node {
		for _, k := range x.defs.Kids {
			if k.attr("", "id") == id {
				return k
			}
		}
		return nil
	}
	if refName(byID, kind, def) == name {
		return
	}
	if name == "" {
		def.set("", ra.attr, "")
		return
	}
	for _, k := range x.defs.Kids {
		if k.is(nsModel, ra.root) && rootName(kind, k) == name {
			def.set("", ra.attr, k.attr("", "id"))
			return
		}
	}
	id := x.idOr("", strings.ToUpper(ra.root[:1])+ra.root[1:])
	for byID(id) != nil {
		id = x.idOr("", strings.ToUpper(ra.root[:1])+ra.root[1:])
	}
	r := newNode(nsModel, ra.root).set("", "id", id)
	switch kind {
	case workflow.EventError:
		r.set("", "errorCode", name)
	case workflow.EventEscalation:
		r.set("", "escalationCode", name)
	default:
		r.set("", "name", name)
	}
	i := 0
	for i < len(x.defs.Kids) && !x.defs.Kids[i].is(nsModel, "process") && !x.defs.Kids[i].is(nsE, "process") {
		i++
	}
	x.defs.Kids = append(x.defs.Kids[:i:i], append([]*node{r}, x.defs.Kids[i:]...)...)
	def.set("", ra.attr, id)
}

// readCardinality reads a loopCardinality: a number or a ${path}, #{path}
// or =path expression.
func readCardinality(text string) (*workflow.Binding, bool) {
	text = strings.TrimSpace(text)
	if p, ok := exprPath(text); ok {
		return &workflow.Binding{Expression: p}, true
	}
	if f, err := strconv.ParseFloat(text, 64); err == nil && f >= 0 && f == float64(int64(f)) {
		return &workflow.Binding{Value: json.RawMessage(strconv.FormatInt(int64(f), 10))}, true
	}
	return nil, false
}

// cardinalityText writes a cardinality binding as a loopCardinality.
func cardinalityText(b *workflow.Binding) (string, bool) {
	switch {
	case b.Expression != "" && pathRE().MatchString(b.Expression):
		return "${" + b.Expression + "}", true
	case len(b.Value) > 0:
		var f float64
		if json.Unmarshal(b.Value, &f) == nil {
			return strconv.FormatFloat(f, 'f', -1, 64), true
		}
	}
	return "", false
}

// attachedIDs lists the ids of an activity's boundary timers and events.
func attachedIDs(a *workflow.Activity) []string {
	var ids []string
	for _, t := range a.Timers {
		ids = append(ids, t.ID)
	}
	for _, b := range a.BoundaryEvents {
		ids = append(ids, b.ID)
	}
	return ids
}
