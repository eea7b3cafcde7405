// Package engine runs Effektif workflows (package workflow) in memory. It
// does no I/O: every operation is a pure function of the workflow, the
// instance state, the input, the clock and the id generator, returning the
// new instance state and the Effects the application must carry out. The
// application loads a workflow version and an instance, calls one
// operation, and persists the new state with the effects in one write
// conditional on Instance.Version.
//
// # Operations
//
//   - Engine.Start creates an instance and runs it until every path waits
//     or ends.
//   - Engine.Message ends a waiting activity instance (user task completed,
//     service action ended, called sub-instance ended, message received)
//     and runs on.
//   - Engine.FireTimer fires a due timer (a timer event, a boundary timer
//     on a waiting activity, the timer start event of an event
//     sub-process); a repeating one is scheduled again.
//   - Engine.Trigger delivers a message or signal by name to everything
//     in the instance that waits for it (Instance.Subscriptions lists
//     what that is).
//   - Engine.Fail ends a waiting activity with a BPMN error (a worker's
//     business error, a called instance's uncaught error); Engine.Escalate
//     throws an escalation from one.
//   - Engine.Cancel ends the instance with endState "canceled".
//
// Every operation is atomic: it works on a copy and only replaces the
// instance when it succeeds, so after an error the instance is unchanged.
// With a fixed Engine.Now and Engine.NewID the same inputs give the same
// instance JSON.
//
// Helpers: Validate (static checks before publishing), CoerceValue (type
// checks of values), ResolveTime (RelativeTime), RunScript (the
// "activities/{id}/test" endpoint), StartForm and Instance.FormInstance
// (forms with current values), Instance.SetCalledWorkflowInstance,
// Instance.Subscriptions (the messages and signals an instance waits for).
//
// # Execution
//
// Reaching an activity creates an activity instance and queues it; the
// queue is worked first in, first out. By activity type:
//
//   - startEvent, task and unknown-but-valid types pass through: the
//     instance ends and every outgoing transition whose condition holds is
//     taken (an implicit parallel split).
//   - endEvent passes through; with terminate it cancels everything else in
//     its scope, which then completes (the workflow instance ends, or the
//     embedded subprocess goes on); with an Event it throws it like a
//     throwEvent.
//   - throwEvent throws its Event and goes on: a signal reaches every
//     receiver of the instance at once (and Effects.Signals names it for
//     other instances); an escalation and an (end event's) error go
//     outward to the first catcher: boundary events of the enclosing
//     subprocesses (or of the failing activity, for Fail and Escalate) and
//     event sub-processes of the enclosing scopes; an uncaught error ends
//     the path (Camunda's default), or, in an instance started by a call
//     activity, the instance (EndError) with the caller notified; an
//     uncaught escalation goes to the caller (Effects.Escalations) or
//     nowhere. A link jumps to the catchEvent with the same link name
//     (white space normalized) in its scope. A compensation waits while
//     the compensation handlers of the completed activities of its scope
//     (or of its activityId) run one after the other, the last completed
//     first: the handler named by an activity's compensation boundary
//     event, the compensation event sub-process of a subprocess, or, for a
//     subprocess without either, the compensation of its own activities. A
//     throw inside an event sub-process compensates the scope of the event
//     sub-process. Handlers (forCompensation) run as children of the throw
//     event, seeing its variables.
//   - catchEvent waits: for a signal or message (Trigger), for its
//     condition to hold (conditional events are evaluated whenever a run
//     settles, so after every change), or, for a link, not at all.
//   - eventBasedGateway reaches all its targets at once (catch events);
//     the first of them to go on cancels the others.
//   - userTask waits and emits a TaskRequest; serviceTask waits and emits a
//     ServiceActionRequest; call waits and emits a SubWorkflowRequest
//     (without a sub-workflow it only waits); receiveTask waits (for
//     Message, or Trigger with its Event's message name); timerEvent waits
//     and schedules a timer at its due time (without a due time it never
//     fires); email emits an EmailRequest and goes on; scriptTask runs its
//     script (see script.go for the language) and goes on.
//   - exclusiveGateway takes the first transition whose condition holds
//     (list order, the default skipped), else the default, else the only
//     transition, else the first unconditioned one that does not lead back
//     to the gateway (else the first unconditioned one), else none (the
//     path ends).
//   - parallelGateway and inclusiveGateway join, then split. A token
//     arriving on one of several incoming transitions ends as "joining";
//     a parallel join fires when a token is waiting on every incoming
//     transition, or when nothing else in its scope is open any more (the
//     Effektif rule); an inclusive join fires when no open activity
//     instance of its scope can still reach it. One token per incoming
//     transition is consumed per firing, so loops work round by round.
//     A parallel split takes every outgoing transition whose condition
//     holds; an inclusive split every non-default one whose condition
//     holds, else the default.
//   - subProcessEmbedded is a nested scope with its own variables; it
//     completes when none of its activity instances is open. An event
//     sub-process (triggeredByEvent) is no start activity: while its scope
//     runs, the event of one of its start events starts it (a timer start
//     is scheduled when the scope starts); an interrupting one first
//     cancels everything else in the scope, after which no other starts
//     there; a non-interrupting one runs beside it, and the scope
//     completes when both are done.
//   - multiInstance (on tasks, calls and subprocesses) creates one element
//     instance per value (without value bindings, cardinality elements 0,
//     1, ...; without either, one), with the element variable set locally;
//     the activity goes on when all elements ended (sequential: one after
//     the other) or the completion condition holds.
//   - loop (a standard loop) runs the activity again while its condition
//     holds after an iteration (testBefore: before each), at most maximum
//     times; without a condition once.
//   - Boundary timers (Activity.Timers) and boundary events
//     (Activity.BoundaryEvents) are armed while the activity waits (or its
//     scope or multi-instance elements run): timers are scheduled then and
//     dropped when it ends; messages and signals reach them through
//     Trigger, errors and escalations through throws, conditions when they
//     become true (a non-interrupting one again only after being false).
//     Firing one takes its toTransitionIds, which an activity never takes
//     on a normal end, and cancels the activity unless it is
//     non-interrupting (an error always interrupts). A repeating timer
//     (repetitions) fires that many times, due apart. Compensation
//     boundary events never fire: they name the activity's handler.
//
// A scope (the workflow or an embedded subprocess) completes when none of
// its activity instances is open. One operation may create at most
// maxSteps activity instances (ErrRunaway otherwise).
//
// # Values
//
// Variables are typed by their declarations; every write goes through
// CoerceValue and an error leaves everything unchanged. Values for
// undeclared variables are stored with the type of their TypedValue
// wrapper or an inferred type. Bindings resolve a constant value, a dot
// path expression ("var.field"; unknown variables and fields are null) or a
// {{expression}} template. Conditions are described at holds.
//
// # HTTP mapping of errors
//
//	ErrUnknownActivityInstance, ErrUnknownTimer, ErrUnknownActivity  404
//	ErrNoReceiver (for a signal: nothing to do)                        404
//	ErrNotWaiting, ErrTimerNotDue, ErrEnded                           409
//	*ValueError                                                        400
//	*InvalidWorkflowError, *ScriptError, ErrRunaway                    422
//	ErrWorkflowMismatch                                                500
//
// # Not supported
//
// Workflow-level timers, repeats of intermediate timer events,
// RelativeTime "next", reminders and escalations of user tasks, JavaScript
// in script tasks and BPMN conditionExpressions, message correlation by
// key (Trigger matches names), signals across instances (the application
// broadcasts them), compensation handlers seeing the variables of the
// compensated scope (Validate reports what it can).
package engine
