package httpapi

import (
	"net/http"
)

// WriteText writes a text/plain answer with the status. Dialects whose
// answers are strings (Windmill's tokens and statuses) answer so whatever
// the request's Accept header says: clients that send Accept:
// application/json on every call still decode text by the Content-Type.
func WriteText(w http.ResponseWriter, status int, text string) error {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_, err := w.Write([]byte(text))
	return err
}

// NoContent answers 204 without a body.
func NoContent(w http.ResponseWriter) error {
	w.WriteHeader(http.StatusNoContent)
	return nil
}
