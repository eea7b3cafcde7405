package work

import (
	"encoding/base64"
	"mime"
	"net/http"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/effektif-serverless/caseflow/shared/casework"
	"github.com/effektif-serverless/caseflow/shared/effektif"
	"github.com/effektif-serverless/caseflow/shared/failure"
	"github.com/effektif-serverless/caseflow/shared/httpapi"
	"github.com/effektif-serverless/caseflow/shared/identity"
)

// File is the Effektif File model.
type File struct {
	ID                    string    `json:"id"`
	Name                  string    `json:"name"`
	ContentType           string    `json:"contentType"`
	SizeInBytes           int64     `json:"sizeInBytes"`
	Created               time.Time `json:"created"`
	OrganizationID        string    `json:"organizationId"`
	OwnerID               string    `json:"ownerId,omitempty"`
	CaseID                string    `json:"caseId,omitempty"`
	MailID                string    `json:"mailId,omitempty"`
	UserID                string    `json:"userId,omitempty"`
	PictureRegistrationID string    `json:"pictureRegistrationId,omitempty"`
}

func fileOf(f casework.File) File {
	return File{ID: f.ID, Name: f.Name, ContentType: f.ContentType, SizeInBytes: f.Size, Created: f.Created,
		OrganizationID: f.OrganizationID, OwnerID: f.OwnerID, CaseID: f.CaseID, MailID: f.MailID, UserID: f.UserID}
}

// CacheMaxAge is how long clients may cache a file download (files never
// change; a new upload is a new file).
const CacheMaxAge = 24 * time.Hour

// FileRoutes registers the routes of the Effektif File group.
func FileRoutes(rt *httpapi.Router, svc *casework.Service) {
	h := fileHandlers{svc: svc}
	base := effektif.BasePath + "/{organizationKey}/files"
	rt.Handle("POST "+base, tenant(svc.Identity, h.upload(false)))
	rt.Handle("POST "+effektif.BasePath+"/{organizationKey}/filesiframe", tenant(svc.Identity, h.upload(true)))
	rt.Handle("GET "+base+"/{fileId}", tenant(svc.Identity, h.get))
	rt.Handle("GET "+base+"/{fileId}/stream", tenant(svc.Identity, h.stream))
	rt.Handle("DELETE "+base+"/{fileId}", tenant(svc.Identity, h.delete))
}

// CaseFileRoutes registers the file routes of the Effektif Case group.
func CaseFileRoutes(rt *httpapi.Router, svc *casework.Service) {
	h := fileHandlers{svc: svc}
	base := effektif.BasePath + "/{organizationKey}/cases/{caseId}"
	rt.Handle("POST "+base+"/files", tenant(svc.Identity, h.upload(false)))
	rt.Handle("POST "+base+"/iframe/files", tenant(svc.Identity, h.upload(true)))
	rt.Handle("POST "+base+"/files/{fileId}", tenant(svc.Identity, h.attach))
}

type fileHandlers struct {
	svc *casework.Service
}

// upload stores the posted file (into the path's case, if any). The
// iframe variant answers an HTML document carrying the JSON result (or
// error) in a textarea, as legacy iframe uploads read it.
func (h fileHandlers) upload(iframe bool) func(w http.ResponseWriter, r *http.Request, a identity.Access) error {
	return func(w http.ResponseWriter, r *http.Request, a identity.Access) error {
		f, err := h.doUpload(r, a)
		if !iframe {
			if err != nil {
				return err
			}
			return httpapi.WriteJSON(w, http.StatusOK, fileOf(f))
		}
		status, body := http.StatusOK, any(nil)
		if err != nil {
			fe := failure.As(err)
			if fe.Code == failure.Internal {
				return err
			}
			status, body = fe.Status(), effektif.Error{Message: fe.Message, Code: string(fe.Code), Field: fe.Field}
		} else {
			body = fileOf(f)
		}
		return effektif.WriteIframe(w, status, body)
	}
}

func (h fileHandlers) doUpload(r *http.Request, a identity.Access) (casework.File, error) {
	u, err := effektif.ReadUpload(r, h.svc.MaxUploadSize())
	if err != nil {
		return casework.File{}, err
	}
	return h.svc.UploadFile(r.Context(), a, casework.Upload{Name: u.Name, ContentType: u.ContentType, Data: u.Data, CaseID: r.PathValue("caseId")})
}

func (h fileHandlers) get(w http.ResponseWriter, r *http.Request, a identity.Access) error {
	f, err := h.svc.FileInfo(r.Context(), a, r.PathValue("fileId"))
	if err != nil {
		return err
	}
	return httpapi.WriteJSON(w, http.StatusOK, fileOf(f))
}

// inlineDisposition is "inline; filename=..." with the name encoded by
// RFC 2231/5987 rules (filename*=utf-8”...) when it is not plain ASCII,
// so no name can break out of the header.
func inlineDisposition(name string) string {
	if d := mime.FormatMediaType("inline", map[string]string{"filename": name}); d != "" {
		return d
	}
	return "inline"
}

// stream answers the file's bytes, or a redirect to a presigned URL for a
// file too large for a Lambda response.
func (h fileHandlers) stream(w http.ResponseWriter, r *http.Request, a identity.Access) error {
	disposition := func(f casework.File) string { return inlineDisposition(f.Name) }
	c, err := h.svc.OpenFile(r.Context(), a, r.PathValue("fileId"), disposition, lambdaBodySize)
	if err != nil {
		return err
	}
	f := c.File
	if c.URL != "" {
		w.Header().Set("Cache-Control", "no-store")
		http.Redirect(w, r, c.URL, http.StatusFound)
		return nil
	}
	w.Header().Set("Content-Type", f.ContentType)
	w.Header().Set("Content-Disposition", disposition(f))
	w.Header().Set("Cache-Control", "private, max-age="+strconv.Itoa(int(CacheMaxAge.Seconds())))
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(http.StatusOK)
	_, err = w.Write(c.Data)
	return err
}

// lambdaBodySize is how many bytes a response body takes in the Lambda
// response that carries it: the HTTP API adapter passes a body of valid
// UTF-8 as a JSON string (encoding/json without HTML escaping: a control
// character takes six bytes, as do U+2028 and U+2029; \b, \f, \n, \r,
// \t, a quote or a backslash two) and any other body base64-encoded, in
// quotes too.
func lambdaBodySize(body []byte) int64 {
	if !utf8.Valid(body) {
		return int64(2 + base64.StdEncoding.EncodedLen(len(body))) // in quotes
	}
	n := int64(2) // the quotes
	for i := 0; i < len(body); i++ {
		switch c := body[i]; {
		case c == '\b' || c == '\f' || c == '\n' || c == '\r' || c == '\t' || c == '"' || c == '\\':
			n += 2
		case c < 0x20:
			n += 6
		case c == 0xe2 && i+2 < len(body) && body[i+1] == 0x80 && (body[i+2] == 0xa8 || body[i+2] == 0xa9):
			n += 6 // U+2028, U+2029: \u2028, \u2029
			i += 2
		default:
			n++
		}
	}
	return n
}

func (h fileHandlers) delete(w http.ResponseWriter, r *http.Request, a identity.Access) error {
	if err := h.svc.DeleteFile(r.Context(), a, r.PathValue("fileId")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (h fileHandlers) attach(w http.ResponseWriter, r *http.Request, a identity.Access) error {
	f, err := h.svc.AttachFile(r.Context(), a, r.PathValue("caseId"), r.PathValue("fileId"))
	if err != nil {
		return err
	}
	return httpapi.WriteJSON(w, http.StatusOK, fileOf(f))
}
