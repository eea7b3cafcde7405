package lambdaemu

import (
	"encoding/json"
	"errors"
	"fmt"
)

// MaxPayload is Lambda's limit for a synchronous invocation's request and
// response payloads: 6 MB.
const MaxPayload = 6 * 1024 * 1024

// ErrRequestTooLarge is returned for an event over MaxPayload, which Lambda
// refuses without running the function.
var ErrRequestTooLarge = errors.New("lambdaemu: request payload is larger than 6 MB")

// ErrClosed is returned by Invoke once the emulator is closed.
var ErrClosed = errors.New("lambdaemu: emulator closed")

// Error types the emulator reports itself, as Lambda does.
const (
	TypeTimeout          = "Sandbox.Timedout"
	TypeExit             = "Runtime.ExitError"
	TypeInit             = "Runtime.InitError"
	TypeResponseTooLarge = "Function.ResponseSizeTooLarge"
	TypeUnhandled        = "Unhandled"
)

// FunctionError is an invocation that failed in the function: its handler
// returned an error or panicked, the process crashed or failed to start,
// the function timed out, or its response was too large.
type FunctionError struct {
	Function string
	// Type is the errorType: the runtime's (such as *errors.errorString),
	// or one of the Type constants.
	Type    string
	Message string
	// Payload is the error document Lambda's Invoke would return:
	// {"errorMessage": ..., "errorType": ...}, as the runtime sent it.
	Payload []byte
}

// Error implements error.
func (e *FunctionError) Error() string {
	return fmt.Sprintf("function %s: %s: %s", e.Function, e.Type, e.Message)
}

// Timeout reports whether the function ran out of time.
func (e *FunctionError) Timeout() bool { return e.Type == TypeTimeout }

// newFunctionError makes an error of the emulator's own, with its payload.
func newFunctionError(function, typ, message string) *FunctionError {
	payload, _ := json.Marshal(map[string]string{"errorType": typ, "errorMessage": message})
	return &FunctionError{Function: function, Type: typ, Message: message, Payload: payload}
}

// runtimeError makes the error a runtime posted to /invocation/{id}/error
// or /init/error: a JSON document with errorMessage and errorType, and the
// Lambda-Runtime-Function-Error-Type header.
func runtimeError(function string, body []byte, headerType string) *FunctionError {
	var doc struct {
		ErrorMessage string `json:"errorMessage"`
		ErrorType    string `json:"errorType"`
	}
	if json.Unmarshal(body, &doc) != nil || doc.ErrorType == "" && doc.ErrorMessage == "" {
		typ := headerType
		if typ == "" {
			typ = TypeUnhandled
		}
		return newFunctionError(function, typ, string(body))
	}
	if doc.ErrorType == "" {
		doc.ErrorType = headerType
	}
	return &FunctionError{Function: function, Type: doc.ErrorType, Message: doc.ErrorMessage, Payload: body}
}
