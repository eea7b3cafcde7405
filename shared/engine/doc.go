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
//   - Engine.FireTimer fires a due timer (a timer event, or a boundary
//     timer on a waiting activity).
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
// (forms with current values), Instance.SetCalledWorkflowInstance.
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
//     embedded subprocess goes on).
//   - userTask waits and emits a TaskRequest; serviceTask waits and emits a
//     ServiceActionRequest; call waits and emits a SubWorkflowRequest;
//     receiveTask waits; timerEvent waits and schedules a timer at its due
//     time; email emits an EmailRequest and goes on; scriptTask runs its
//     script (see script.go for the language) and goes on.
//   - exclusiveGateway takes the first transition whose condition holds
//     (list order, the default skipped), else the default, else the only
//     transition, else the first unconditioned one, else none (the path
//     ends).
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
//     completes when none of its activity instances is open.
//   - multiInstance (on tasks, calls and subprocesses) creates one element
//     instance per value, with the element variable set locally; the
//     activity goes on when all elements ended (sequential: one after the
//     other).
//   - Boundary timers (Activity.Timers) are scheduled when the activity
//     starts waiting and dropped when it ends; firing one takes its
//     toTransitionIds, which an activity never takes on a normal end, and
//     cancels the activity unless the timer is non-interrupting.
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
//	ErrNotWaiting, ErrTimerNotDue, ErrEnded                           409
//	*ValueError                                                        400
//	*InvalidWorkflowError, *ScriptError, ErrRunaway                    422
//	ErrWorkflowMismatch                                                500
//
// # Not supported
//
// Workflow-level timers, timer repeats, RelativeTime "next", reminders
// and escalations of user tasks, JavaScript in script tasks and BPMN
// conditionExpressions (Validate reports what it can).
package engine
