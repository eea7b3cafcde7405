// Package failure defines the one error type that the domain core returns for
// every failure a caller can act on. Each dialect renders it in its own shape;
// the code decides the HTTP status.
package failure

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
)

// Code classifies a failure. Its value is stable and may appear in responses.
type Code string

// The codes, each with the HTTP status it maps to.
const (
	Invalid         Code = "invalid"          // 400: the request is malformed or breaks a rule
	Unauthenticated Code = "unauthenticated"  // 401: no valid credentials
	Forbidden       Code = "forbidden"        // 403: authenticated but not allowed
	NotFound        Code = "not_found"        // 404: no such resource (or not visible to the caller)
	Conflict        Code = "conflict"         // 409: a uniqueness or version conflict
	Gone            Code = "gone"             // 410: the resource existed and has expired or been used
	TooLarge        Code = "too_large"        // 413: the body is over the limit
	Unsupported     Code = "unsupported_type" // 415: the content type is not accepted
	Unprocessable   Code = "unprocessable"    // 422: well-formed, but cannot be carried out (a workflow that cannot run)
	TooManyRequests Code = "too_many"         // 429: throttled
	Internal        Code = "internal"         // 500: a fault of ours; the message is never shown
	Unavailable     Code = "unavailable"      // 502: a dependency could not be reached
)

// Error is a failure with a code, a message safe to show to the caller and,
// when one input is to blame, the name of that field.
type Error struct {
	Code    Code
	Message string
	Field   string
	// Cause is the underlying error; it is logged, never shown.
	Cause error
	// Details are structured facts about the failure that callers may
	// act on (such as the elements a BPMN import could not take); shown.
	Details any
	// Retry marks a Conflict that lost a race (a version condition
	// failed): the operation may succeed when run again on fresh data.
	Retry bool
}

func (e *Error) Error() string {
	if e.Cause != nil {
		return fmt.Sprintf("%s: %s: %v", e.Code, e.Message, e.Cause)
	}
	return fmt.Sprintf("%s: %s", e.Code, e.Message)
}

func (e *Error) Unwrap() error { return e.Cause }

// Status is the HTTP status for the error's code.
func (e *Error) Status() int {
	switch e.Code {
	case Invalid:
		return http.StatusBadRequest
	case Unauthenticated:
		return http.StatusUnauthorized
	case Forbidden:
		return http.StatusForbidden
	case NotFound:
		return http.StatusNotFound
	case Conflict:
		return http.StatusConflict
	case Gone:
		return http.StatusGone
	case TooLarge:
		return http.StatusRequestEntityTooLarge
	case Unsupported:
		return http.StatusUnsupportedMediaType
	case Unprocessable:
		return http.StatusUnprocessableEntity
	case TooManyRequests:
		return http.StatusTooManyRequests
	case Unavailable:
		return http.StatusBadGateway
	default:
		return http.StatusInternalServerError
	}
}

// New returns an Error with a formatted message.
func New(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: message(format, args...)}
}

// Field returns an Invalid error that blames one input field.
func Field(field, format string, args ...any) *Error {
	return &Error{Code: Invalid, Field: field, Message: message(format, args...)}
}

// message is fmt.Sprintf(format, args...), without fmt for a format that
// has no verb and no arguments: the package-level errors of every package
// are made at a function's init, where fmt costs a cold start.
func message(format string, args ...any) string {
	if len(args) == 0 && !strings.Contains(format, "%") {
		return format
	}
	return fmt.Sprintf(format, args...)
}

// Race returns the Conflict of an update that lost a race to another.
func Race(what string) *Error {
	return &Error{Code: Conflict, Message: "the " + what + " was changed concurrently; try again", Retry: true}
}

// Wrap returns an Internal error around cause, with a message for the log.
func Wrap(cause error, format string, args ...any) *Error {
	return &Error{Code: Internal, Message: fmt.Sprintf(format, args...), Cause: cause}
}

// As returns err as an *Error. Any other error becomes an Internal one that
// hides its text from callers.
func As(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return &Error{Code: Internal, Message: "internal error", Cause: err}
}

// Is reports whether err is an *Error with the given code.
func Is(err error, code Code) bool {
	var e *Error
	return errors.As(err, &e) && e.Code == code
}
