package effektif

import (
	"bytes"
	"encoding/json"
	"errors"
	"html"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"strconv"

	"github.com/effektif-serverless/caseflow/shared/failure"
	"github.com/effektif-serverless/caseflow/shared/httpapi"
)

// The conventions of the Effektif API that both its identity groups (here)
// and its casework groups (package work) follow.

// Pagination is where Effektif requests carry their page: the offset and
// pagesize query parameters.
var Pagination = httpapi.Paging{Offset: "offset", Size: "pagesize"}

// OrEmpty is s, or an empty list for nil: Effektif answers [] for lists
// without elements, never null.
func OrEmpty(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// Upload is the file of a multipart/form-data upload.
type Upload struct {
	Name        string
	ContentType string
	Data        []byte
}

// ReadUpload reads the one file of a multipart/form-data body: the first
// part with a file name. Errors: Unsupported (not multipart), Invalid (no
// file part, a truncated or malformed body), TooLarge.
func ReadUpload(r *http.Request, limit int64) (Upload, error) {
	mt, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/form-data" || params["boundary"] == "" {
		return Upload{}, failure.New(failure.Unsupported, "the upload must be multipart/form-data with a boundary")
	}
	mr := multipart.NewReader(io.LimitReader(r.Body, limit+64<<10), params["boundary"])
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return Upload{}, failure.Field("file", "the form has no file part")
		}
		if err != nil {
			return Upload{}, failure.New(failure.Invalid, "the multipart body is malformed or truncated: %v", err)
		}
		if part.FileName() == "" {
			continue
		}
		data, err := io.ReadAll(io.LimitReader(part, limit+1))
		if err != nil {
			return Upload{}, failure.New(failure.Invalid, "the multipart body is malformed or truncated: %v", err)
		}
		if int64(len(data)) > limit {
			return Upload{}, failure.New(failure.TooLarge, "the file is larger than %d bytes", limit)
		}
		if _, err := mr.NextPart(); err != nil && !errors.Is(err, io.EOF) {
			return Upload{}, failure.New(failure.Invalid, "the multipart body is malformed or truncated: %v", err)
		}
		contentType := part.Header.Get("Content-Type")
		if _, _, err := mime.ParseMediaType(contentType); err != nil {
			contentType = http.DetectContentType(data)
		}
		return Upload{Name: part.FileName(), ContentType: contentType, Data: data}, nil
	}
}

// WriteIframe answers an HTML document whose textarea holds the JSON.
func WriteIframe(w http.ResponseWriter, status int, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return failure.Wrap(err, "encode response")
	}
	var b bytes.Buffer
	b.WriteString("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"></head><body><textarea data-type=\"application/json\" data-status=\"")
	b.WriteString(strconv.Itoa(status))
	b.WriteString("\">")
	b.WriteString(html.EscapeString(string(data)))
	b.WriteString("</textarea></body></html>\n")
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_, err = w.Write(b.Bytes())
	return err
}
