package engine

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/effektif-serverless/caseflow/shared/workflow"
)

// Issue is a problem Validate found. Errors block publishing and
// starting; warnings are advice.
type Issue struct {
	// ActivityID is the activity the issue is in, if any.
	ActivityID string `json:"activityId,omitempty"`
	// ElementID is the transition, variable, timer or form field, if any.
	ElementID string `json:"elementId,omitempty"`
	// Type is a stable code, one of the Issue* constants.
	Type     string `json:"type"`
	Message  string `json:"message"`
	Severity string `json:"severity"`
}

// Issue severities.
const (
	SeverityError   = "error"
	SeverityWarning = "warning"
)

// Issue types.
const (
	IssueNoWorkflow          = "noWorkflow"
	IssueMissingID           = "missingId"
	IssueDuplicateID         = "duplicateId"
	IssueUnknownActivityType = "unknownActivityType"
	IssueBadTransition       = "badTransition"
	IssueNoStartActivity     = "noStartActivity"
	IssueNoActivities        = "noActivities"
	IssueBadDefaultFlow      = "badDefaultTransition"
	IssueNoWayOut            = "noWayOut"
	IssueOpenChoice          = "openChoice"
	IssueUnknownVariable     = "unknownVariable"
	IssueBadDataType         = "badDataType"
	IssueBadValue            = "badValue"
	IssueBadBinding          = "badBinding"
	IssueBadCondition        = "badCondition"
	IssueBadTime             = "badRelativeTime"
	IssueBadTimer            = "badTimer"
	IssueBadScript           = "badScript"
	IssueMissingConfig       = "missingConfiguration"
	IssueBadMultiInstance    = "badMultiInstance"
	IssueBadForm             = "badForm"
	IssueBadTrigger          = "badTrigger"
	IssueBadEvent            = "badEvent"
	IssueBadLoop             = "badLoop"
)

func (is Issue) String() string {
	where := ""
	switch {
	case is.ActivityID != "" && is.ElementID != "":
		where = is.ActivityID + "/" + is.ElementID + ": "
	case is.ActivityID != "":
		where = is.ActivityID + ": "
	case is.ElementID != "":
		where = is.ElementID + ": "
	}
	return where + is.Message
}

// fixedTime is a base for checking that a RelativeTime resolves.
var fixedTime = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)

func hasErrors(issues []Issue) bool {
	for _, is := range issues {
		if is.Severity == SeverityError {
			return true
		}
	}
	return false
}

// knownTypes are the data type names CoerceValue knows.
var knownTypes = map[string]bool{
	workflow.TypeText: true, workflow.TypeNumber: true, workflow.TypeBoolean: true,
	workflow.TypeDate: true, workflow.TypeChoice: true, workflow.TypeUser: true,
	workflow.TypeGroup: true, workflow.TypeFile: true, workflow.TypeEmailAddress: true,
	workflow.TypeLink: true, workflow.TypeList: true, workflow.TypeMoney: true,
	workflow.TypeObject: true, workflow.TypeAny: true, "emailId": true,
}

// runnableTypes are the activity types the engine runs.
var runnableTypes = map[string]bool{
	workflow.StartEvent: true, workflow.EndEvent: true, workflow.NoneTask: true,
	workflow.UserTask: true, workflow.EmailTask: true, workflow.ServiceTask: true,
	workflow.ScriptTask: true, workflow.ReceiveTask: true, workflow.TimerEvent: true,
	workflow.ExclusiveGateway: true, workflow.ParallelGateway: true,
	workflow.InclusiveGateway: true, workflow.CallActivity: true,
	workflow.SubProcessEmbedded: true, workflow.ThrowEvent: true,
	workflow.CatchEvent: true, workflow.EventBasedGateway: true,
}

// eventTypes are the Event types each activity type may have.
var eventTypes = map[string][]string{
	workflow.StartEvent: {workflow.EventMessage, workflow.EventSignal, workflow.EventTimer, workflow.EventError,
		workflow.EventEscalation, workflow.EventConditional, workflow.EventCompensation},
	workflow.EndEvent: {workflow.EventMessage, workflow.EventSignal, workflow.EventError, workflow.EventEscalation,
		workflow.EventCompensation},
	workflow.ThrowEvent: {workflow.EventMessage, workflow.EventSignal, workflow.EventEscalation, workflow.EventCompensation,
		workflow.EventLink},
	workflow.CatchEvent:  {workflow.EventMessage, workflow.EventSignal, workflow.EventConditional, workflow.EventLink},
	workflow.ReceiveTask: {workflow.EventMessage},
}

// boundaryTypes are the Event types of boundary events.
var boundaryTypes = []string{workflow.EventMessage, workflow.EventSignal, workflow.EventTimer, workflow.EventError,
	workflow.EventEscalation, workflow.EventConditional, workflow.EventCompensation}

// Validate checks a workflow before it is published or started: missing
// and duplicate ids, activity types the engine cannot run, transitions
// from or to unknown activities or across scopes, scopes without a start
// activity, a defaultTransitionId that is not an outgoing transition, bad
// data types and default values, constant values that do not fit their
// type, unknown condition types, bad relative times and timers, script
// syntax errors, service tasks without service and action keys, bad
// multi-instance, loop and form definitions, events of the wrong type for
// their activity, event sub-processes without an event start,
// compensation handlers that are not marked forCompensation (errors); and
// expressions over undeclared variables, email tasks without recipients,
// exclusive gateways that can find no way out, call activities without a
// sub-workflow, multi-instance or loops where they are ignored or run
// once, timers without a time and conditional events without a condition
// (they never fire), link throws without a catch, event-based gateways
// followed by other than catch events (warnings). Issues come in workflow
// order; nil means none.
func Validate(wf *workflow.Workflow) []Issue {
	if wf == nil {
		return []Issue{{Type: IssueNoWorkflow, Message: "no workflow", Severity: SeverityError}}
	}
	return validate(compile(wf))
}

func validate(g *graph) []Issue {
	wf := g.wf
	v := &validator{g: g, known: map[string]bool{}, activities: map[string]bool{}, transitions: map[string]bool{}}
	v.collectKnown(wf)
	v.variables("", wf.Variables, map[string]bool{})
	v.scope("", wf.Activities, wf.Transitions)
	if len(wf.Activities) == 0 {
		v.warn("", IssueNoActivities, "the workflow has no activities; its instances end at once")
	}
	v.trigger(wf.Trigger)
	if len(wf.Timers) > 0 {
		v.warn("timers", IssueBadTimer, "workflow-level timers are not run; attach timers to activities")
	}
	return v.issues
}

type validator struct {
	g           *graph
	issues      []Issue
	known       map[string]bool // variable ids that can exist at run time
	activities  map[string]bool
	transitions map[string]bool
	act         string // the activity being checked
}

func (v *validator) add(sev, elem, typ, format string, args ...any) {
	v.issues = append(v.issues, Issue{ActivityID: v.act, ElementID: elem, Type: typ, Message: fmt.Sprintf(format, args...), Severity: sev})
}

func (v *validator) err(elem, typ, format string, args ...any) {
	v.add(SeverityError, elem, typ, format, args...)
}

func (v *validator) warn(elem, typ, format string, args ...any) {
	v.add(SeverityWarning, elem, typ, format, args...)
}

// collectKnown gathers every variable id that can exist: declared ones,
// trigger outputs, output bindings and script assignments.
func (v *validator) collectKnown(wf *workflow.Workflow) {
	for id := range v.g.vars {
		v.known[id] = true
	}
	if wf.Trigger != nil {
		for _, id := range wf.Trigger.Outputs {
			v.known[id] = true
		}
		if wf.Trigger.Type == workflow.EmailTrigger {
			v.known[wf.Trigger.EmailIDVariableID] = true
			v.known["emailId"] = true
		}
	}
	for _, n := range v.g.nodes {
		for _, id := range n.act.OutputBindings {
			v.known[id] = true
		}
		if s := n.act.Script; s != nil {
			stmts, _ := parseScript(s.Script)
			for _, st := range stmts {
				if st.target != "" {
					v.known[(&scriptEnv{mappings: s.Mappings}).variableID(st.target)] = true
				}
			}
		}
	}
}

func (v *validator) variables(owner string, vars []workflow.Variable, seen map[string]bool) {
	v.act = owner
	for _, d := range vars {
		switch {
		case d.ID == "":
			v.err("", IssueMissingID, "a variable has no id")
			continue
		case seen[d.ID]:
			v.err(d.ID, IssueDuplicateID, "variable id %q is declared twice", d.ID)
		}
		seen[d.ID] = true
		if v.dataType(d.ID, d.Type) && len(d.DefaultValue) > 0 {
			if _, err := CoerceValue(d.Type, d.DefaultValue); err != nil {
				v.err(d.ID, IssueBadValue, "default value of %q: %v", d.ID, err)
			}
		}
	}
}

// dataType checks a data type; it reports whether the type is usable.
func (v *validator) dataType(elem string, t *workflow.DataType) bool {
	if t == nil {
		return true
	}
	if !knownTypes[t.Name] {
		v.err(elem, IssueBadDataType, "unknown data type %q", t.Name)
		return false
	}
	ok := true
	switch t.Name {
	case workflow.TypeList:
		ok = v.dataType(elem, t.ElementType)
	case workflow.TypeChoice:
		ids := map[string]bool{}
		for _, o := range t.Options {
			if o.ID == "" || ids[o.ID] {
				v.err(elem, IssueBadDataType, "choice options need distinct, non-empty ids (%q)", o.ID)
				ok = false
			}
			ids[o.ID] = true
		}
	case workflow.TypeDate:
		if t.Kind != "" && t.Kind != "datetime" && t.Kind != "date" && t.Kind != "time" {
			v.err(elem, IssueBadDataType, "unknown date kind %q (datetime, date or time)", t.Kind)
		}
	}
	return ok
}

func (v *validator) scope(owner string, acts []workflow.Activity, trans []workflow.Transition) {
	boundary := map[string]bool{}
	for _, a := range acts {
		for _, t := range a.Timers {
			for _, id := range t.ToTransitionIDs {
				boundary[id] = true
			}
		}
		for _, b := range a.BoundaryEvents {
			for _, id := range b.ToTransitionIDs {
				boundary[id] = true
			}
		}
	}
	for i := range acts {
		v.activity(&acts[i])
	}
	v.act = owner
	s := v.g.root
	if owner != "" {
		s = v.g.nodes[owner].inner
	}
	inScope := func(id string) bool {
		n := v.g.nodes[id]
		return n != nil && n.scope == s
	}
	for _, t := range trans {
		if t.ID != "" {
			if v.transitions[t.ID] {
				v.err(t.ID, IssueDuplicateID, "transition id %q is used twice", t.ID)
			}
			v.transitions[t.ID] = true
		}
		name := t.ID
		if name == "" {
			name = t.From + "->" + t.To
		}
		if !inScope(t.To) {
			v.err(name, IssueBadTransition, "transition %s leads to %q, which is not an activity of the same scope", name, t.To)
		}
		if !inScope(t.From) && !(boundary[t.ID] && t.ID != "") {
			v.err(name, IssueBadTransition, "transition %s starts at %q, which is not an activity of the same scope", name, t.From)
		}
		v.condition(name, t.Condition)
	}
	started := 0 // activities that flow can reach from a start
	for i := range acts {
		if !notStarted(&acts[i]) {
			started++
		}
	}
	if started > 0 && len(s.starts) == 0 {
		v.err("", IssueNoStartActivity, "no start activity: every activity has an incoming transition")
	}
}

func (v *validator) activity(a *workflow.Activity) {
	v.act = a.ID
	switch {
	case a.ID == "":
		v.err("", IssueMissingID, "an activity of type %q has no id", a.Type)
	case v.activities[a.ID]:
		v.err("", IssueDuplicateID, "activity id %q is used twice", a.ID)
	}
	v.activities[a.ID] = true
	if !runnableTypes[a.Type] {
		v.err("", IssueUnknownActivityType, "activity %q has type %q, which the engine cannot run", a.ID, a.Type)
		return
	}
	n := v.g.nodes[a.ID]
	if n == nil || n.act != a {
		return // a duplicate
	}
	if a.DefaultTransitionID != "" && n.defaultEdge() == nil {
		v.err(a.DefaultTransitionID, IssueBadDefaultFlow, "default transition %q is not an outgoing transition of %q", a.DefaultTransitionID, a.ID)
	}
	switch a.Type {
	case workflow.ExclusiveGateway:
		v.exclusive(n)
	case workflow.UserTask:
		v.binding("assigneeId", a.AssigneeID)
		v.bindings("candidateIds", a.CandidateIDs)
		v.bindings("candidateGroupIds", a.CandidateGroupIDs)
		v.form(a.Form)
		v.relativeTime("duedate", a.DueDate, false)
		v.template("taskName", a.TaskName)
	case workflow.EmailTask:
		v.email(a)
	case workflow.ServiceTask:
		if a.ServiceKey == "" || a.ActionKey == "" {
			v.err("", IssueMissingConfig, "a service task needs a serviceKey and an actionKey")
		}
		v.bindingMap(a.InputBindings)
	case workflow.CallActivity:
		if a.SubWorkflowID == "" && a.SubWorkflowSource == "" {
			v.warn("", IssueMissingConfig, "the call activity has no subWorkflowId or subWorkflowSource: it starts nothing and waits until Message ends it")
		}
		v.bindingMap(a.InputBindings)
	case workflow.ScriptTask:
		v.script(a.Script)
	case workflow.TimerEvent:
		if a.Due == nil {
			v.warn("due", IssueBadTime, "the timer event has no due time: it never fires")
		}
		v.relativeTime("due", a.Due, false)
	case workflow.SubProcessEmbedded:
		v.variables(a.ID, a.Variables, map[string]bool{})
		v.scope(a.ID, a.Activities, a.Transitions)
		v.act = a.ID
		if a.TriggeredByEvent {
			v.eventSubProcess(n)
		}
	case workflow.CatchEvent:
		if a.Event == nil {
			v.err("event", IssueBadEvent, "a catch event needs an event")
		}
	case workflow.EventBasedGateway:
		v.eventGateway(n)
	}
	v.event(n)
	for _, t := range a.Timers {
		v.timer(t)
	}
	for i := range a.BoundaryEvents {
		v.boundaryEvent(n, &a.BoundaryEvents[i])
	}
	if a.ForCompensation && len(n.in) > 0 {
		v.warn("", IssueBadEvent, "compensation handler %q has incoming transitions; it runs only by compensation", a.ID)
	}
	v.multiInstance(a)
	v.loop(a)
}

// event checks the Event of an activity.
func (v *validator) event(n *node) {
	a := n.act
	ev := a.Event
	if ev == nil {
		return
	}
	allowed, ok := eventTypes[a.Type]
	if !ok || !slices.Contains(allowed, ev.Type) {
		v.err("event", IssueBadEvent, "a %s cannot have a %q event (%s)", a.Type, ev.Type, strings.Join(allowed, ", "))
		return
	}
	v.eventDetails("event", ev)
	switch {
	case ev.Type == workflow.EventLink && a.Type == workflow.ThrowEvent && n.scope.links[linkName(ev.Name)] == nil:
		v.warn("event", IssueBadEvent, "no link catch event named %q in the same scope: the path ends here", ev.Name)
	case ev.Type == workflow.EventLink && a.Type == workflow.CatchEvent && n.scope.links[linkName(ev.Name)] != n:
		v.warn("event", IssueBadEvent, "another link catch event has the name %q: this one is never reached", ev.Name)
	case ev.Type == workflow.EventCompensation && ev.ActivityID != "":
		if t := v.g.nodes[ev.ActivityID]; t == nil {
			v.err("event", IssueBadEvent, "compensation of unknown activity %q", ev.ActivityID)
		}
	}
	if a.Type == workflow.StartEvent && (n.scope.owner == nil || !n.scope.owner.act.TriggeredByEvent) && ev.Type != workflow.EventMessage &&
		ev.Type != workflow.EventSignal && ev.Type != workflow.EventTimer && ev.Type != workflow.EventConditional {
		v.err("event", IssueBadEvent, "a %s start event belongs in an event sub-process", ev.Type)
	}
}

// eventDetails checks what an event of its type needs: a condition, a
// time, repetitions.
func (v *validator) eventDetails(elem string, ev *workflow.Event) {
	switch ev.Type {
	case workflow.EventConditional:
		if !isCondition(ev.Condition) {
			v.warn(elem, IssueBadEvent, "the conditional event has no condition: it never fires")
		}
		v.condition(elem, ev.Condition)
	case workflow.EventTimer:
		if ev.DueDate == nil && ev.Due == nil {
			v.warn(elem, IssueBadTime, "the timer has no due time: it never fires")
		}
		if ev.DueDate == nil {
			v.relativeTime(elem, ev.Due, false)
		}
	}
	if ev.Repetitions < -1 {
		v.err(elem, IssueBadTimer, "repetitions must be -1 (without end) or more")
	}
}

// boundaryEvent checks a boundary event of activity n.
func (v *validator) boundaryEvent(n *node, b *workflow.BoundaryEvent) {
	if b.ID == "" {
		v.err("", IssueMissingID, "a boundary event has no id")
	} else if v.activities[b.ID] {
		v.err(b.ID, IssueDuplicateID, "boundary event id %q is used twice", b.ID)
	}
	v.activities[b.ID] = true
	if !slices.Contains(boundaryTypes, b.Event.Type) {
		v.err(b.ID, IssueBadEvent, "unknown boundary event type %q (%s)", b.Event.Type, strings.Join(boundaryTypes, ", "))
		return
	}
	v.eventDetails(b.ID, &b.Event)
	for _, id := range b.ToTransitionIDs {
		if v.g.edges[id] == nil {
			v.err(b.ID, IssueBadEvent, "boundary event transition %q does not exist", id)
		}
	}
	switch b.Event.Type {
	case workflow.EventCompensation:
		h := v.g.nodes[b.HandlerID]
		switch {
		case b.HandlerID == "":
			v.warn(b.ID, IssueBadEvent, "the compensation boundary event has no handler: nothing compensates the activity")
		case h == nil || !h.act.ForCompensation:
			v.err(b.ID, IssueBadEvent, "compensation handler %q is not an activity marked forCompensation", b.HandlerID)
		case h.scope != n.scope:
			v.err(b.ID, IssueBadEvent, "compensation handler %q is not in the scope of %q", b.HandlerID, n.act.ID)
		}
	case workflow.EventError:
		if b.NonInterrupting {
			v.warn(b.ID, IssueBadEvent, "an error boundary event always interrupts")
		}
	}
}

// eventSubProcess checks an event sub-process: it starts with an event
// and is not reached by transitions.
func (v *validator) eventSubProcess(n *node) {
	if len(n.eventStarts()) == 0 {
		v.err("", IssueBadEvent, "event sub-process %q has no start event with an event", n.act.ID)
	}
	if len(n.in) > 0 {
		v.warn("", IssueBadEvent, "event sub-process %q has incoming transitions; it starts only by its events", n.act.ID)
	}
}

// eventGateway checks that an event-based gateway is followed by catch
// events.
func (v *validator) eventGateway(n *node) {
	for _, e := range n.out {
		if e.to == nil {
			continue
		}
		switch e.to.act.Type {
		case workflow.ReceiveTask, workflow.TimerEvent, workflow.CatchEvent:
		default:
			v.warn(e.key, IssueBadEvent, "event-based gateway %q leads to %q, a %s, not a catch event", n.act.ID, e.to.act.ID, e.to.act.Type)
		}
	}
}

func (v *validator) loop(a *workflow.Activity) {
	lp := a.Loop
	if lp == nil {
		return
	}
	switch {
	case !multiInstanceTypes[a.Type]:
		v.warn("loop", IssueBadLoop, "a loop is ignored on a %s", a.Type)
	case a.MultiInstance != nil:
		v.warn("loop", IssueBadLoop, "the loop is ignored: the activity is multi-instance")
	case !isCondition(lp.Condition):
		v.warn("loop", IssueBadLoop, "the loop has no condition: the activity runs once")
	}
	if lp.Maximum < 0 {
		v.err("loop", IssueBadLoop, "the loop maximum must not be negative")
	}
	v.condition("loop", lp.Condition)
}

func (v *validator) exclusive(n *node) {
	if len(n.out) <= 1 || n.defaultEdge() != nil {
		return
	}
	open := 0
	for _, e := range n.out {
		if !isCondition(e.t.Condition) {
			open++
		}
	}
	if open > 1 {
		v.warn("", IssueOpenChoice, "exclusive gateway %q has %d transitions without a condition and no default: it takes the first that does not lead back to it", n.act.ID, open)
	}
	if open > 0 {
		return
	}
	v.warn("", IssueNoWayOut, "exclusive gateway %q has only conditional transitions and no default: when no condition holds, the path ends there; give it a defaultTransitionId or an unconditional transition", n.act.ID)
}

func (v *validator) email(a *workflow.Activity) {
	groups := [][]workflow.Binding{a.ToEmailAddresses, a.ToUserIDs, a.ToGroupIDs, a.CcEmailAddresses, a.CcUserIDs, a.CcGroupIDs, a.BccEmailAddresses, a.BccUserIDs, a.BccGroupIDs, a.AttachmentFileIDs}
	recipients := 0
	for i, g := range groups {
		v.bindings("recipients", g)
		if i < 9 {
			recipients += len(g)
		}
	}
	if recipients == 0 {
		v.warn("", IssueMissingConfig, "the email task has no recipients")
	}
	v.binding("fromEmailAddress", a.FromEmailAddress)
	v.template("subject", a.Subject)
	v.template("bodyText", a.BodyText)
	v.template("bodyHtml", a.BodyHTML)
}

func (v *validator) bindings(elem string, bs []workflow.Binding) {
	for i := range bs {
		v.binding(elem, &bs[i])
	}
}

func (v *validator) bindingMap(bs map[string]workflow.Binding) {
	for _, k := range slices.Sorted(maps.Keys(bs)) {
		b := bs[k]
		v.binding(k, &b)
	}
}

func (v *validator) binding(elem string, b *workflow.Binding) {
	if b == nil {
		return
	}
	hasValue := len(b.Value) > 0 && string(b.Value) != "null"
	if hasValue && b.Expression != "" {
		v.warn(elem, IssueBadBinding, "a binding has both a value and an expression; the value is used")
	}
	if hasValue && v.dataType(elem, b.Type) {
		if _, err := CoerceValue(b.Type, b.Value); err != nil {
			v.err(elem, IssueBadBinding, "binding value: %v", err)
		}
	}
	if b.Expression != "" {
		v.expression(elem, b.Expression)
	}
	v.template(elem, b.Template)
}

func (v *validator) expression(elem, expr string) {
	root, _, _ := strings.Cut(strings.TrimSpace(expr), ".")
	if root == "" {
		v.err(elem, IssueBadBinding, "empty expression %q", expr)
	} else if !v.known[root] {
		v.warn(elem, IssueUnknownVariable, "expression %q uses variable %q, which is not declared (it reads as no value)", expr, root)
	}
}

func (v *validator) template(elem, tpl string) {
	for _, e := range templateExprs(tpl) {
		v.expression(elem, e)
	}
}

func (v *validator) condition(elem string, c *workflow.Condition) {
	if c == nil || c.Type == workflow.CondUnspecified {
		return
	}
	if c.Type == "" {
		v.warn(elem, IssueBadCondition, "a condition without a type is ignored")
		return
	}
	switch c.Type {
	case workflow.CondAnd, workflow.CondOr:
		for i := range c.Conditions {
			v.condition(elem, &c.Conditions[i])
		}
		return
	case workflow.CondNot:
		if c.Condition == nil {
			v.warn(elem, IssueBadCondition, "a not condition without a condition is always true")
		}
		v.condition(elem, c.Condition)
		return
	}
	needsRight, known := conditionTypes[c.Type]
	switch {
	case !known:
		v.err(elem, IssueBadCondition, "unknown condition type %q", c.Type)
	case c.Left == nil:
		v.err(elem, IssueBadCondition, "condition %q needs a left binding", c.Type)
	case needsRight && c.Right == nil:
		v.warn(elem, IssueBadCondition, "condition %q has no right binding; it compares with no value", c.Type)
	}
	v.binding(elem, c.Left)
	v.binding(elem, c.Right)
}

func (v *validator) relativeTime(elem string, rt *workflow.RelativeTime, required bool) {
	if rt == nil {
		if required {
			v.err(elem, IssueBadTime, "no due time is given")
		}
		return
	}
	if _, ok := ResolveTime(rt, fixedTime, nil); !ok {
		v.err(elem, IssueBadTime, "bad relative time: type %q (after or before), unit %q (minutes, hours, days, weeks, months or years)", rt.Type, rt.DurationUnit)
	}
	if rt.AtHour != nil && (*rt.AtHour < 0 || *rt.AtHour > 23) || rt.AtMinute != nil && (*rt.AtMinute < 0 || *rt.AtMinute > 59) {
		v.err(elem, IssueBadTime, "atHour must be 0-23 and atMinute 0-59")
	}
	v.binding(elem, rt.Base)
}

func (v *validator) timer(t workflow.Timer) {
	if t.ID == "" {
		v.err("", IssueMissingID, "a boundary timer has no id")
	}
	if t.DueDate == nil && t.Due == nil {
		v.warn(t.ID, IssueBadTime, "the timer has no due time: it never fires")
	}
	if t.DueDate == nil {
		v.relativeTime(t.ID, t.Due, false)
	}
	if t.Repetitions < -1 {
		v.err(t.ID, IssueBadTimer, "repetitions must be -1 (without end) or more")
	}
	for _, id := range t.ToTransitionIDs {
		if v.g.edges[id] == nil {
			v.err(t.ID, IssueBadTimer, "timer transition %q does not exist", id)
		}
	}
	if len(t.ToTransitionIDs) == 0 && !t.NonInterrupting {
		v.warn(t.ID, IssueBadTimer, "an interrupting timer without transitions ends the path")
	}
}

func (v *validator) script(s *workflow.Script) {
	if s == nil || strings.TrimSpace(s.Script) == "" {
		v.err("script", IssueBadScript, "the script task has no script")
		return
	}
	if s.Language != "" && !strings.EqualFold(s.Language, "caseflow") && !strings.EqualFold(s.Language, "expression") {
		v.warn("script", IssueBadScript, "script language %q is run as the engine's expression language", s.Language)
	}
	stmts, err := parseScript(s.Script)
	if err != nil {
		v.err("script", IssueBadScript, "%v", err)
		return
	}
	env := &scriptEnv{mappings: s.Mappings}
	local := map[string]bool{}
	var refs func(x sexpr)
	refs = func(x sexpr) {
		switch x := x.(type) {
		case sRef:
			if id := env.variableID(x.path[0]); !local[x.path[0]] && !v.known[id] {
				v.warn("script", IssueUnknownVariable, "the script reads %q, which is not declared (it reads as no value)", x.path[0])
			}
		case sNeg:
			refs(x.x)
		case sBinOp:
			refs(x.l)
			refs(x.r)
		}
	}
	for _, st := range stmts {
		refs(st.x)
		if st.target != "" {
			local[st.target] = true
		}
	}
}

func (v *validator) multiInstance(a *workflow.Activity) {
	mi := a.MultiInstance
	if mi == nil {
		return
	}
	if !multiInstanceTypes[a.Type] {
		v.warn("multiInstance", IssueBadMultiInstance, "multiInstance is ignored on a %s", a.Type)
		return
	}
	switch {
	case len(mi.Values) == 0 && mi.Cardinality == nil:
		v.warn("multiInstance", IssueBadMultiInstance, "multiInstance has no values and no cardinality: the activity runs once")
	case len(mi.Values) > 0 && mi.Cardinality != nil:
		v.warn("multiInstance", IssueBadMultiInstance, "multiInstance has values and a cardinality: the cardinality is ignored")
	}
	v.dataType(mi.Variable.ID, mi.Variable.Type)
	v.bindings("multiInstance", mi.Values)
	v.binding("multiInstance", mi.Cardinality)
	v.condition("multiInstance", mi.CompletionCondition)
}

func (v *validator) form(f *workflow.Form) {
	if f == nil {
		return
	}
	ids := map[string]bool{}
	for _, ff := range v.g.formFields(f) {
		if ids[ff.id] {
			v.err(ff.id, IssueBadForm, "form field id %q is used twice", ff.id)
		}
		ids[ff.id] = true
		v.dataType(ff.id, ff.Type)
		v.binding(ff.id, ff.Binding)
		if !ff.ReadOnly && ff.Binding != nil && ff.variable == "" {
			v.warn(ff.id, IssueBadForm, "form field %q is not read-only but its binding is not a bare variable, so it cannot be written", ff.id)
		}
		if ff.Required && ff.variable == "" {
			v.warn(ff.id, IssueBadForm, "form field %q is required but cannot be written", ff.id)
		}
	}
	v.template("form", f.Description)
}

func (v *validator) trigger(t *workflow.Trigger) {
	v.act = ""
	if t == nil {
		return
	}
	switch t.Type {
	case workflow.FormTrigger:
		if t.Form == nil {
			v.warn("trigger", IssueBadTrigger, "a form trigger without a form")
		}
	case workflow.EmailTrigger:
	default:
		v.warn("trigger", IssueBadTrigger, "unknown trigger type %q: data keys are used as variable ids", t.Type)
	}
	v.form(t.Form)
}
