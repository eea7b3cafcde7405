package bpmn

import (
	"fmt"
	"strings"
)

// FormatError reports input that is not a BPMN 2.0 document this package
// can read: malformed XML, an unknown encoding, a DOCTYPE declaring
// entities, input over MaxSize or nested deeper than MaxDepth, a document
// whose root is not a BPMN definitions element or that has no process, or
// a broken reference (duplicate id, boundary event attached to nothing).
// Line and Column locate the problem in the input when known (1-based;
// 0 when unknown).
type FormatError struct {
	Line, Column int
	Msg          string
	Err          error // the underlying error, if any
}

func (e *FormatError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("bpmn: line %d, column %d: %s", e.Line, e.Column, e.Msg)
	}
	return "bpmn: " + e.Msg
}

// Unwrap returns the underlying error, if any.
func (e *FormatError) Unwrap() error { return e.Err }

// Element names one BPMN element of an imported document.
type Element struct {
	// ID is the element's id attribute (or, for an element without an id,
	// the id of the nearest enclosing element that has one).
	ID string `json:"id"`
	// Type is the BPMN element name, followed by what makes it
	// unsupported after a slash when that is not the element itself:
	// "complexGateway", "boundaryEvent/messageEventDefinition",
	// "subProcess/triggeredByEvent",
	// "task/standardLoopCharacteristics".
	Type string `json:"type"`
	Name string `json:"name,omitempty"`
}

func (e Element) String() string {
	s := e.Type + " " + fmt.Sprintf("%q", e.ID)
	if e.Name != "" {
		s += fmt.Sprintf(" (%s)", e.Name)
	}
	return s
}

// UnsupportedError lists every element of a well-formed BPMN document that
// the engine cannot run (see the package documentation for the list). The
// REST layer answers it with a 4xx status naming the elements.
type UnsupportedError struct {
	Elements []Element
}

func (e *UnsupportedError) Error() string {
	parts := make([]string, len(e.Elements))
	for i, el := range e.Elements {
		parts[i] = el.String()
	}
	return "bpmn: unsupported elements: " + strings.Join(parts, ", ")
}

// Warning is something an import mapped with a loss a user should know
// about, such as a condition expression the engine cannot evaluate.
type Warning struct {
	// ID is the id of the element concerned.
	ID      string `json:"id"`
	Message string `json:"message"`
}
