package tenduke

import (
	"net/http"

	"github.com/effektif-serverless/caseflow/shared/failure"
	"github.com/effektif-serverless/caseflow/shared/httpapi"
)

// NewRouter returns a router that renders errors in the 10Duke shape.
func NewRouter() *httpapi.Router {
	return httpapi.NewRouter(renderError)
}

// Error is the body of every refusal (the document gives none): a
// message, the core's failure code and the field at fault, if one is.
type Error struct {
	Message string `json:"message"`
	Code    string `json:"code"`
	Field   string `json:"field,omitempty"`
}

// status is the 10Duke status of a failure: the document uses 400 for
// every refusal of what was sent, so the core's Conflict (uniqueness,
// a lost race), Gone (a closed invitation, a used token) and Unsupported
// (a body that is not JSON) are 400 here; the rest keep their status.
func status(err *failure.Error) int {
	switch err.Code {
	case failure.Conflict, failure.Gone, failure.Unsupported, failure.Unprocessable:
		return http.StatusBadRequest
	}
	return err.Status()
}

// renderError answers a failure as a JSON Error with its status.
func renderError(w http.ResponseWriter, _ *http.Request, err *failure.Error) {
	httpapi.SetErrorHeaders(w, err, "10duke")
	_ = httpapi.WriteJSON(w, status(err), Error{Message: err.Message, Code: string(err.Code), Field: err.Field})
}
