package windmill

import (
	"net/http"

	"github.com/effektif-serverless/caseflow/shared/failure"
	"github.com/effektif-serverless/caseflow/shared/httpapi"
)

// NewRouter returns a router that renders errors in the Windmill shape.
func NewRouter() *httpapi.Router {
	return httpapi.NewRouter(renderError)
}

// renderError answers a failure as Windmill does: a short text/plain
// message with the status of its code (failure.Error.Status). The fields
// the core names in messages (email, password, username, label,
// expiration) are Windmill's wire names too, so none is renamed.
func renderError(w http.ResponseWriter, _ *http.Request, err *failure.Error) {
	httpapi.SetErrorHeaders(w, err, "windmill")
	_ = httpapi.WriteText(w, err.Status(), err.Message)
}
