// Package workflow is the Effektif workflow model: workflows made of
// activities joined by transitions, with typed variables, a trigger and
// forms. Its JSON is the Effektif engine's: polymorphic objects are tagged by
// "type" (data types by "name"), null fields are left out, and keys a type
// does not know are kept in Properties and written back at the top level.
//
// The engine (package engine) runs these workflows; package bpmn reads and
// writes them as BPMN 2.0 XML.
package workflow

import (
	"encoding/json"
	"time"
)

// Workflow is the Effektif AbstractWorkflow: the definition shared by editor
// drafts (EditorWorkflow) and published versions (ExecutableWorkflow).
type Workflow struct {
	ID          string       `json:"id,omitempty"`
	Name        string       `json:"name,omitempty"`
	Description string       `json:"description,omitempty"`
	Activities  []Activity   `json:"activities,omitempty"`
	Transitions []Transition `json:"transitions,omitempty"`
	Variables   []Variable   `json:"variables,omitempty"`
	Timers      []Timer      `json:"timers,omitempty"`
	Trigger     *Trigger     `json:"trigger,omitempty"`
	EnableCases bool         `json:"enableCases,omitempty"`
	// Diagram is the layout (nodes and edges), kept as it came.
	Diagram json.RawMessage `json:"diagram,omitempty"`
	// BPMN is what a BPMN import did not map, as an XmlElement tree, so an
	// export can write it back.
	BPMN json.RawMessage `json:"bpmn,omitempty"`
	// Properties holds the keys this model does not know, inlined in JSON.
	Properties map[string]json.RawMessage `json:"-"`
}

// Activity types this engine runs. The values are the Effektif "type"
// discriminators; the comments name the BPMN elements they map to.
const (
	StartEvent         = "startEvent"         // startEvent (none, message or timer definition)
	EndEvent           = "endEvent"           // endEvent (none, terminate with Terminate set)
	NoneTask           = "task"               // task, manualTask: passes straight through
	UserTask           = "userTask"           // userTask: creates a task and waits for its completion
	EmailTask          = "email"              // serviceTask e:type="email", sendTask: sends a mail through SES
	ServiceTask        = "serviceTask"        // serviceTask: an action instance done by an external worker
	ScriptTask         = "scriptTask"         // scriptTask: evaluates variable assignments
	ReceiveTask        = "receiveTask"        // receiveTask, intermediateCatchEvent (message): waits for a message
	TimerEvent         = "timerEvent"         // intermediateCatchEvent with timerEventDefinition: waits until due
	ExclusiveGateway   = "exclusiveGateway"   // exclusiveGateway: first true condition, else the default flow
	ParallelGateway    = "parallelGateway"    // parallelGateway: split to all, join waits for all incoming
	InclusiveGateway   = "inclusiveGateway"   // inclusiveGateway: every true condition; join waits for active paths
	CallActivity       = "call"               // callActivity: starts a sub-workflow, waits for its end
	SubProcessEmbedded = "subProcessEmbedded" // subProcess: a nested scope (triggeredByEvent: an event sub-process)
	ThrowEvent         = "throwEvent"         // intermediateThrowEvent (signal, escalation, compensation, link): throws its Event and goes on
	CatchEvent         = "catchEvent"         // intermediateCatchEvent (signal, conditional, link): waits for its Event
	EventBasedGateway  = "eventBasedGateway"  // eventBasedGateway: the catch events after it wait together; the first to fire wins
)

// Event types (the Event and BoundaryEvent "type"): what an event
// catches or throws.
const (
	EventMessage      = "message"      // a message by name, delivered to the instance
	EventSignal       = "signal"       // a signal by name, broadcast to every receiver
	EventTimer        = "timer"        // a due time
	EventError        = "error"        // an error by code, thrown by an error end event or a failing activity
	EventEscalation   = "escalation"   // an escalation by code, thrown by an escalation event
	EventConditional  = "conditional"  // a condition over variables becoming true
	EventCompensation = "compensation" // compensation of completed activities
	EventLink         = "link"         // a jump from a link throw to the link catch of the same name
)

// Event says what an event catches or throws: the Event of a catch, throw,
// end or receive activity, of the start event of an event sub-process, or
// of a boundary event.
type Event struct {
	Type string `json:"type"`
	// Name is the message or signal name, the error or escalation code, or
	// the link name. A catching error or escalation event without a name
	// catches every code.
	Name string `json:"name,omitempty"`
	// Condition is what a conditional event waits for: it fires when the
	// condition becomes true (a missing condition never does).
	Condition *Condition `json:"condition,omitempty"`
	// ActivityID is the activity a compensation throw compensates; empty:
	// every completed activity of its scope.
	ActivityID string `json:"activityId,omitempty"`
	// Due and DueDate are a timer's time; Repetitions how often it fires.
	Due         *RelativeTime `json:"due,omitempty"`
	DueDate     *time.Time    `json:"dueDate,omitempty"`
	Repetitions int           `json:"repetitions,omitempty"`
}

// Activity is one node of a workflow. It is a tagged union: Type says which
// of the type-specific fields apply; the others are left empty.
type Activity struct {
	Type        string `json:"type"`
	ID          string `json:"id"`
	Name        string `json:"name,omitempty"`
	Description string `json:"description,omitempty"`
	// DefaultTransitionID is the flow an exclusive or inclusive gateway
	// takes when no condition holds.
	DefaultTransitionID string         `json:"defaultTransitionId,omitempty"`
	MultiInstance       *MultiInstance `json:"multiInstance,omitempty"`

	// Nested scope (subProcessEmbedded).
	Activities  []Activity   `json:"activities,omitempty"`
	Transitions []Transition `json:"transitions,omitempty"`
	Variables   []Variable   `json:"variables,omitempty"`
	// Timers are boundary timers attached to this activity.
	Timers []Timer `json:"timers,omitempty"`
	// BoundaryEvents are the other events attached to this activity
	// (message, signal, error, escalation, conditional, compensation).
	BoundaryEvents []BoundaryEvent `json:"boundaryEvents,omitempty"`
	// Loop repeats the activity while its condition holds (a BPMN standard
	// loop).
	Loop *Loop `json:"loop,omitempty"`
	// ForCompensation marks a compensation handler: it runs only when the
	// activity whose compensation boundary event names it is compensated.
	ForCompensation bool `json:"forCompensation,omitempty"`

	// Events: what a startEvent (of an event sub-process), endEvent,
	// throwEvent, catchEvent or receiveTask (message) catches or throws.
	Event *Event `json:"event,omitempty"`
	// startEvent of an event sub-process: run beside the scope instead of
	// interrupting it.
	NonInterrupting bool `json:"nonInterrupting,omitempty"`
	// subProcessEmbedded: an event sub-process, started by the event of one
	// of its start events while its scope runs, never by a transition.
	TriggeredByEvent bool `json:"triggeredByEvent,omitempty"`

	// userTask
	TaskName          string          `json:"taskName,omitempty"`
	AssigneeID        *Binding        `json:"assigneeId,omitempty"`
	CandidateIDs      []Binding       `json:"candidateIds,omitempty"`
	CandidateGroupIDs []Binding       `json:"candidateGroupIds,omitempty"`
	Form              *Form           `json:"form,omitempty"`
	DueDate           *RelativeTime   `json:"duedate,omitempty"`
	Access            json.RawMessage `json:"access,omitempty"`

	// email
	FromEmailAddress  *Binding  `json:"fromEmailAddress,omitempty"`
	ToEmailAddresses  []Binding `json:"toEmailAddresses,omitempty"`
	ToUserIDs         []Binding `json:"toUserIds,omitempty"`
	ToGroupIDs        []Binding `json:"toGroupIds,omitempty"`
	CcEmailAddresses  []Binding `json:"ccEmailAddresses,omitempty"`
	CcUserIDs         []Binding `json:"ccUserIds,omitempty"`
	CcGroupIDs        []Binding `json:"ccGroupIds,omitempty"`
	BccEmailAddresses []Binding `json:"bccEmailAddresses,omitempty"`
	BccUserIDs        []Binding `json:"bccUserIds,omitempty"`
	BccGroupIDs       []Binding `json:"bccGroupIds,omitempty"`
	Subject           string    `json:"subject,omitempty"`
	BodyText          string    `json:"bodyText,omitempty"`
	BodyHTML          string    `json:"bodyHtml,omitempty"`
	AttachmentFileIDs []Binding `json:"attachmentFileIds,omitempty"`

	// serviceTask: the external worker locks and ends an ActionInstance of
	// this service and action, configured by Configuration; InputBindings
	// become its inputValues, its outputValues are written through
	// OutputBindings.
	ServiceKey    string                     `json:"serviceKey,omitempty"`
	ActionKey     string                     `json:"actionKey,omitempty"`
	Configuration map[string]json.RawMessage `json:"configuration,omitempty"`

	// scriptTask
	Script *Script `json:"script,omitempty"`

	// timerEvent: when it is due, relative to the moment it is reached.
	Due *RelativeTime `json:"due,omitempty"`

	// call: the sub-workflow by its published version or by its source
	// (the editor workflow id, whose published version runs).
	SubWorkflowID     string `json:"subWorkflowId,omitempty"`
	SubWorkflowSource string `json:"subWorkflowSource,omitempty"`

	// call and serviceTask: values passed in (key -> binding) and results
	// written back (result key -> variable id).
	InputBindings  map[string]Binding `json:"inputBindings,omitempty"`
	OutputBindings map[string]string  `json:"outputBindings,omitempty"`

	// endEvent: end the whole instance, not just this path.
	Terminate bool `json:"terminate,omitempty"`

	// BPMN keeps the element's unmapped XML (an XmlElement tree).
	BPMN       json.RawMessage            `json:"bpmn,omitempty"`
	Properties map[string]json.RawMessage `json:"-"`
}

// Transition is a sequence flow from one activity to another, taken when
// its Condition (if any) holds.
type Transition struct {
	ID          string     `json:"id,omitempty"`
	Name        string     `json:"name,omitempty"`
	Description string     `json:"description,omitempty"`
	From        string     `json:"fromId"`
	To          string     `json:"toId"`
	Condition   *Condition `json:"condition,omitempty"`
	// BPMN keeps the element's unmapped XML.
	BPMN       json.RawMessage            `json:"bpmn,omitempty"`
	Properties map[string]json.RawMessage `json:"-"`
}

// Variable is a typed workflow variable.
type Variable struct {
	ID           string                     `json:"id"`
	Name         string                     `json:"name,omitempty"`
	Description  string                     `json:"description,omitempty"`
	Type         *DataType                  `json:"type,omitempty"`
	DefaultValue json.RawMessage            `json:"defaultValue,omitempty"`
	BPMN         json.RawMessage            `json:"bpmn,omitempty"`
	Properties   map[string]json.RawMessage `json:"-"`
}

// Data type names (the DataType "name" discriminator).
const (
	TypeText         = "text"
	TypeNumber       = "number"
	TypeBoolean      = "boolean"
	TypeDate         = "date"
	TypeChoice       = "choice"
	TypeUser         = "userId"
	TypeGroup        = "groupId"
	TypeFile         = "fileId"
	TypeEmailAddress = "emailAddress"
	TypeLink         = "link"
	TypeList         = "list"
	TypeMoney        = "money"
	TypeObject       = "object"
	TypeAny          = "any"
)

// DataType describes the values of a variable, form field or binding.
// Aliases accepted on input: "user" for userId, "group" for groupId, "file"
// for fileId, "decision" for choice.
type DataType struct {
	Name string `json:"name"`
	// text
	MultiLine bool `json:"multiLine,omitempty"`
	// date: "datetime" (default), "date" or "time"
	Kind string `json:"kind,omitempty"`
	// choice
	Options []Option `json:"options,omitempty"`
	// list
	ElementType *DataType `json:"elementType,omitempty"`
	// userId as a role
	CandidateIDs      []string `json:"candidateIds,omitempty"`
	CandidateGroupIDs []string `json:"candidateGroupIds,omitempty"`
}

// Option is one choice of a choice type.
type Option struct {
	ID   string `json:"id"`
	Name string `json:"name,omitempty"`
}

// Binding gives a value: a constant Value (of Type), an Expression (a dot
// path "variableId.field"), or a Template text with {{expression}} parts.
type Binding struct {
	Value      json.RawMessage            `json:"value,omitempty"`
	Type       *DataType                  `json:"type,omitempty"`
	Expression string                     `json:"expression,omitempty"`
	Template   string                     `json:"template,omitempty"`
	Metadata   map[string]json.RawMessage `json:"metadata,omitempty"`
}

// Condition types (the Condition "type" discriminator).
const (
	CondAnd                   = "and"
	CondOr                    = "or"
	CondNot                   = "not"
	CondEquals                = "equals"
	CondNotEquals             = "notEquals"
	CondEqualsIgnoreCase      = "equalsIgnoreCase"
	CondNotEqualsIgnoreCase   = "notEqualsIgnoreCase"
	CondContains              = "contains"
	CondNotContains           = "notContains"
	CondContainsIgnoreCase    = "containsIgnoreCase"
	CondNotContainsIgnoreCase = "notContainsIgnoreCase"
	CondGreaterThan           = "greaterThan"
	CondGreaterThanOrEqual    = "greaterThanOrEqual"
	CondLessThan              = "lessThan"
	CondLessThanOrEqual       = "lessThanOrEqual"
	CondHasValue              = "hasValue"
	CondHasNoValue            = "hasNoValue"
	CondIsTrue                = "isTrue"
	CondIsFalse               = "isFalse"
	CondUnspecified           = "unspecified" // an editor placeholder: no condition
)

// Condition is a predicate over variables, tagged by Type: and/or over
// Conditions, not over Condition, comparisons of Left with Right, and tests
// of Left alone.
type Condition struct {
	Type       string      `json:"type"`
	Conditions []Condition `json:"conditions,omitempty"`
	Condition  *Condition  `json:"condition,omitempty"`
	Left       *Binding    `json:"left,omitempty"`
	Right      *Binding    `json:"right,omitempty"`
}

// Form is a form of a user task or a form trigger.
type Form struct {
	Description string      `json:"description,omitempty"`
	Fields      []FormField `json:"fields,omitempty"`
}

// FormField is one field of a form. A field whose Binding is a bare
// variable expression is writable: its submitted value is written to that
// variable.
type FormField struct {
	ID          string                     `json:"id,omitempty"`
	Key         string                     `json:"key,omitempty"`
	Name        string                     `json:"name,omitempty"`
	Description string                     `json:"description,omitempty"`
	Type        *DataType                  `json:"type,omitempty"`
	ReadOnly    bool                       `json:"readOnly,omitempty"`
	Required    bool                       `json:"required,omitempty"`
	Binding     *Binding                   `json:"binding,omitempty"`
	Properties  map[string]json.RawMessage `json:"-"`
}

// Trigger types.
const (
	FormTrigger  = "form"
	EmailTrigger = "email"
)

// Trigger says how instances start: with a start form ("form") or from an
// incoming mail ("email"). Outputs maps trigger data keys to variable ids.
type Trigger struct {
	Type              string            `json:"type"`
	Form              *Form             `json:"form,omitempty"`
	EmailIDVariableID string            `json:"emailIdVariableId,omitempty"`
	Outputs           map[string]string `json:"outputs,omitempty"`
}

// RelativeTime is a moment relative to a base: "after" (or "before") a
// duration, optionally at a time of day. A missing type means "after".
type RelativeTime struct {
	Type         string   `json:"type,omitempty"`
	Duration     float64  `json:"duration,omitempty"`
	DurationUnit string   `json:"durationUnit,omitempty"` // minutes, hours, days, weeks, months, years
	AtHour       *int     `json:"atHour,omitempty"`
	AtMinute     *int     `json:"atMinute,omitempty"`
	Base         *Binding `json:"base,omitempty"`
}

// Timer is a boundary timer on an activity: when it is due, the activity is
// left through ToTransitionIDs (interrupting it unless NonInterrupting).
// Repetitions makes it fire that many times in all (-1: without end), Due
// apart, while the activity waits (an ISO 8601 cycle R3/PT10M); 0 or 1:
// once.
type Timer struct {
	ID              string        `json:"id"`
	Name            string        `json:"name,omitempty"`
	Due             *RelativeTime `json:"due,omitempty"`
	DueDate         *time.Time    `json:"dueDate,omitempty"`
	Repetitions     int           `json:"repetitions,omitempty"`
	ToTransitionIDs []string      `json:"toTransitionIds,omitempty"`
	NonInterrupting bool          `json:"nonInterrupting,omitempty"`
}

// BoundaryEvent is an event attached to an activity: while the activity
// waits (or runs, for a subprocess), the event can fire and leave it
// through ToTransitionIDs, interrupting it unless NonInterrupting (an error
// always interrupts). A compensation boundary event does not fire: it
// names the HandlerID that undoes the activity once it completed.
type BoundaryEvent struct {
	ID              string   `json:"id"`
	Name            string   `json:"name,omitempty"`
	Event           Event    `json:"event"`
	NonInterrupting bool     `json:"nonInterrupting,omitempty"`
	ToTransitionIDs []string `json:"toTransitionIds,omitempty"`
	// HandlerID is the compensation handler activity (forCompensation).
	HandlerID string `json:"handlerId,omitempty"`
	// BPMN keeps the element's unmapped XML.
	BPMN json.RawMessage `json:"bpmn,omitempty"`
}

// MultiInstance runs an activity once per element of Values, each with the
// element in Variable; without Values, Cardinality times (the element is
// the index 0, 1, ...), and without either once. CompletionCondition, when
// it holds after an element ended, ends the activity early.
type MultiInstance struct {
	Variable            Variable   `json:"variable"`
	Values              []Binding  `json:"values,omitempty"`
	Cardinality         *Binding   `json:"cardinality,omitempty"`
	CompletionCondition *Condition `json:"completionCondition,omitempty"`
	Sequential          bool       `json:"sequential,omitempty"`
}

// Loop is a standard loop: the activity runs again while Condition holds
// after an iteration (before each one with TestBefore), at most Maximum
// times when Maximum > 0. Without a condition it runs once.
type Loop struct {
	Condition  *Condition `json:"condition,omitempty"`
	Maximum    int        `json:"maximum,omitempty"`
	TestBefore bool       `json:"testBefore,omitempty"`
}

// Script is a script task's body: assignments "variable = expression", one
// per line (see engine.RunScript for the language).
type Script struct {
	Language string            `json:"language,omitempty"`
	Script   string            `json:"script"`
	Mappings map[string]string `json:"mappings,omitempty"`
}
