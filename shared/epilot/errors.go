package epilot

import (
	"net/http"
	"strings"

	"github.com/effektif-serverless/caseflow/shared/failure"
	"github.com/effektif-serverless/caseflow/shared/httpapi"
	"github.com/effektif-serverless/caseflow/shared/identity"
)

// NewRouter returns a router that renders errors in the epilot shape.
func NewRouter() *httpapi.Router {
	return httpapi.NewRouter(renderError)
}

// Error is the body of an error answer: a message, the core's failure
// code, and the field at fault when there is one (in epilot's snake_case).
type Error struct {
	Message string `json:"message"`
	Code    string `json:"code"`
	Field   string `json:"field,omitempty"`
}

// fieldNames renames the core's canonical fields to epilot's wire names.
var fieldNames = map[string]string{identity.FieldEmail: "email", "firstName": "display_name", "lastName": "display_name", "language": "preferred_language"}

// renderError answers a failure with the status of its code.
func renderError(w http.ResponseWriter, _ *http.Request, err *failure.Error) {
	httpapi.SetErrorHeaders(w, err, "epilot")
	field := err.Field
	if n, ok := fieldNames[field]; ok {
		field = n
	}
	_ = httpapi.WriteJSON(w, err.Status(), Error{Message: err.Message, Code: string(err.Code), Field: field})
}

// decodeObject reads a JSON body, at most limit bytes, into dst: a JSON
// object (null is refused, as every epilot body is an object). Errors: as
// httpapi.DecodeJSON.
func decodeObject(r *http.Request, limit int64, dst any) error {
	return decodeBody(r, limit, dst, false)
}

// decodeOptionalObject is decodeObject for a body that may be left out.
func decodeOptionalObject(r *http.Request, limit int64, dst any) error {
	return decodeBody(r, limit, dst, true)
}

func decodeBody(r *http.Request, limit int64, dst any, optional bool) error {
	body, err := httpapi.ReadJSONBody(r, limit)
	if err != nil {
		return err
	}
	t := strings.TrimSpace(string(body))
	if optional && t == "" {
		return nil
	}
	if t == "null" {
		return failure.New(failure.Invalid, "the body must be a JSON object, not null")
	}
	return httpapi.Unmarshal(body, dst)
}
