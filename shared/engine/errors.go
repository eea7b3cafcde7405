package engine

import (
	"errors"
	"fmt"
	"strings"
)

// Errors of the engine operations. Every operation is atomic: when it
// returns an error the instance it was given is unchanged and no effects
// are returned. The comments give the HTTP status the application layer
// should answer.
var (
	// ErrUnknownActivityInstance: Message names an activity instance the
	// workflow instance does not have. 404.
	ErrUnknownActivityInstance = errors.New("engine: unknown activity instance")
	// ErrNotWaiting: Message, Fail or Escalate names an activity instance
	// that has ended or does not wait for a message (a gateway, a timer or
	// catch event, ...). This is
	// what the loser of two concurrent task completions gets when it
	// retries on the new instance state. 409.
	ErrNotWaiting = errors.New("engine: activity instance is not waiting")
	// ErrUnknownTimer: FireTimer names a timer the instance does not have
	// (it fired already or was canceled). The timer scheduler drops it. 404.
	ErrUnknownTimer = errors.New("engine: unknown timer")
	// ErrTimerNotDue: FireTimer was called before the timer's due date. 409.
	ErrTimerNotDue = errors.New("engine: timer is not due yet")
	// ErrEnded: Cancel on an instance that has already ended. 409.
	ErrEnded = errors.New("engine: workflow instance has ended")
	// ErrUnknownActivity: RunScript or FormInstance names an activity the
	// workflow does not have. 404.
	ErrUnknownActivity = errors.New("engine: unknown activity")
	// ErrWorkflowMismatch: the instance refers to activities or timers the
	// given workflow does not define, so the application loaded the wrong
	// workflow version for it. 500.
	ErrWorkflowMismatch = errors.New("engine: instance does not match the workflow")
	// ErrNoReceiver: Trigger found nothing in the instance waiting for
	// that message or signal (also when the instance has ended). 404 for
	// a message; for a broadcast signal it only means "not this one".
	ErrNoReceiver = errors.New("engine: nothing waits for this message or signal")
	// ErrRunaway: one operation executed more than maxSteps activities
	// without reaching a wait state, which means a loop without a user
	// task, message or timer in it. 422.
	ErrRunaway = errors.New("engine: too many steps without a wait state (a loop without a wait?)")
)

// ValueError is a value that does not fit: a variable write with the wrong
// type, a missing required form field, a bad start activity id. 400.
type ValueError struct {
	// Field is what the value was for: a variable id, a form field id,
	// "startActivityIds"; empty when CoerceValue reports it directly.
	Field string `json:"field,omitempty"`
	// Type is the expected data type name, when there is one.
	Type string `json:"type,omitempty"`
	// Message says what is wrong.
	Message string `json:"message"`
}

func (e *ValueError) Error() string {
	if e.Field == "" {
		return e.Message
	}
	return fmt.Sprintf("%s: %s", e.Field, e.Message)
}

// withField returns a copy of the error naming field, when err is a
// *ValueError without a field; other errors are returned as they are.
func withField(err error, field string) error {
	var ve *ValueError
	if errors.As(err, &ve) && ve.Field == "" {
		c := *ve
		c.Field = field
		return &c
	}
	return err
}

// InvalidWorkflowError is returned by Start when Validate finds errors in
// the workflow. Issues holds every issue found (errors and warnings).
// 422 (or 400 when the workflow came in the same request).
type InvalidWorkflowError struct {
	Issues []Issue
}

func (e *InvalidWorkflowError) Error() string {
	var msgs []string
	for _, is := range e.Issues {
		if is.Severity == SeverityError {
			msgs = append(msgs, is.String())
		}
	}
	return "engine: invalid workflow: " + strings.Join(msgs, "; ")
}

// ScriptError is a script task that failed at run time (a division by
// zero, arithmetic on a text, a syntax error in a workflow that was not
// validated). 422.
type ScriptError struct {
	ActivityID string `json:"activityId,omitempty"`
	Line       int    `json:"line,omitempty"`
	Message    string `json:"message"`
	// Limit tells that the script reached one of the script bounds
	// (MaxScriptText, MaxScriptSteps, MaxScriptBytes, MaxScriptTime).
	Limit bool `json:"limit,omitempty"`
}

func (e *ScriptError) Error() string {
	where := "script"
	if e.ActivityID != "" {
		where = "script of " + e.ActivityID
	}
	if e.Line > 0 {
		where += fmt.Sprintf(", line %d", e.Line)
	}
	return where + ": " + e.Message
}
