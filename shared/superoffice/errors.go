package superoffice

import (
	"net/http"

	"github.com/effektif-serverless/caseflow/shared/failure"
	"github.com/effektif-serverless/caseflow/shared/httpapi"
)

// NewRouter returns a router that renders errors in the SuperOffice shape.
func NewRouter() *httpapi.Router {
	return httpapi.NewRouter(renderError)
}

// apiError is the body of an error answer.
type apiError struct {
	Error     string
	ErrorType string
	Message   string
}

// renderError answers a failure with the status of its code and the
// message in Error and Message; ErrorType is the core's failure code.
func renderError(w http.ResponseWriter, _ *http.Request, err *failure.Error) {
	httpapi.SetErrorHeaders(w, err, "superoffice")
	_ = httpapi.WriteJSON(w, err.Status(), apiError{Error: err.Message, ErrorType: string(err.Code), Message: err.Message})
}
