package casework

import (
	"context"
	"encoding/base64"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/effektif-serverless/caseflow/shared/failure"
	"github.com/effektif-serverless/caseflow/shared/identity"
	"github.com/effektif-serverless/caseflow/shared/ids"
)

// File is an uploaded file: its bytes are in S3 under a key the server
// chose (FileKey), its metadata here. It may belong to a case, a
// mail or a user (a picture).
type File struct {
	ID             string
	OrganizationID string
	Name           string
	ContentType    string
	Size           int64
	OwnerID        string
	CaseID         string
	MailID         string
	UserID         string
	Created        time.Time
	Version        int
}

// FileKey is the key of an uploaded file's bytes: per organization, by the
// file's id (never by the name a client gave it). The purge of a deleted
// organization removes everything under FileKey(organizationID, "").
func FileKey(organizationID, fileID string) string {
	return "files/" + organizationID + "/" + fileID
}

// EventFileAttached is the case event of a file added to the case.
const EventFileAttached = "fileAttached"

// Objects keeps file bytes.
type Objects interface {
	ObjectReader
	Put(ctx context.Context, key, contentType string, data []byte) error
	Delete(ctx context.Context, key string) error
	// PresignGet returns a short-lived URL that downloads the object
	// inline under the file name.
	PresignGet(ctx context.Context, key, contentType, disposition string, ttl time.Duration) (string, error)
}

// Upload is a file to store.
type Upload struct {
	Name        string
	ContentType string
	Data        []byte
	// CaseID puts the file into a case (which must exist and be open).
	CaseID string
	MailID string
}

// DefaultMaxUpload bounds an uploaded file unless configured otherwise: a
// synchronous Lambda request carries at most 6 MB, base64-encoded.
const DefaultMaxUpload = 4 << 20

// MaxFileName bounds a file's name.
const MaxFileName = 255

// CleanFileName makes a client's file name safe to keep and show: the base
// name only, control characters removed, at most MaxFileName bytes of valid
// UTF-8; "file" when nothing is left.
func CleanFileName(name string) string {
	name = strings.ToValidUTF8(name, "")
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	name = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == utf8.RuneError {
			return -1
		}
		return r
	}, name)
	name = strings.TrimSpace(name)
	for len(name) > MaxFileName {
		_, size := utf8.DecodeLastRuneInString(name)
		name = name[:len(name)-size]
	}
	if name == "" || name == "." || name == ".." {
		return "file"
	}
	return name
}

// UploadFile stores a file: the bytes in S3, then the metadata (with the
// case event, when it goes into a case) in one transaction. If the
// metadata cannot be written, the object is deleted again, so a failed
// upload leaves nothing behind. Permission: members. Errors: TooLarge,
// Invalid (empty file, unknown or closed case).
func (s *Service) UploadFile(ctx context.Context, a identity.Access, u Upload) (File, error) {
	org := a.Organization
	if len(u.Data) == 0 {
		return File{}, failure.Field("file", "the file is empty")
	}
	if max := s.maxUpload(); int64(len(u.Data)) > max {
		return File{}, failure.New(failure.TooLarge, "the file is larger than %d bytes", max)
	}
	f := File{
		ID: ids.New(), OrganizationID: org.ID, Name: CleanFileName(u.Name), ContentType: u.ContentType,
		Size: int64(len(u.Data)), OwnerID: a.UserID, MailID: u.MailID, Created: s.now(), Version: 1,
	}
	if f.ContentType == "" {
		f.ContentType = "application/octet-stream"
	}
	ch := Changes{Files: []FileWrite{{File: f, New: true}}}
	if u.CaseID != "" {
		c, err := s.caseByID(ctx, org.ID, u.CaseID)
		if err != nil {
			return File{}, err
		}
		if c.Closed {
			return File{}, failure.New(failure.Conflict, "the case is closed")
		}
		f.CaseID = c.ID
		ch.Files[0].File = f
		ch.Events = append(ch.Events, s.event(c.ID, EventFileAttached, "attached the file "+quote(f.Name), a.UserID, "", map[string]string{"fileId": f.ID}))
	}
	key := FileKey(org.ID, f.ID)
	if err := s.Files.Put(ctx, key, f.ContentType, u.Data); err != nil {
		return File{}, failure.Wrap(err, "store the file")
	}
	if err := s.Store.Commit(ctx, ch); err != nil {
		if derr := s.Files.Delete(ctx, key); derr != nil {
			return File{}, failure.Wrap(derr, "remove the object of a failed upload")
		}
		return File{}, err
	}
	return f, nil
}

func (s *Service) maxUpload() int64 {
	if s.MaxUpload > 0 {
		return s.MaxUpload
	}
	return DefaultMaxUpload
}

// fileByID reads a file's metadata. Errors: NotFound.
func (s *Service) fileByID(ctx context.Context, orgID, id string) (File, error) {
	if !ids.Valid(id) {
		return File{}, failure.New(failure.NotFound, "no such file")
	}
	return s.Store.GetFile(ctx, orgID, id)
}

// FileInfo returns a file's metadata. Permission: members. Errors: NotFound.
func (s *Service) FileInfo(ctx context.Context, a identity.Access, id string) (File, error) {
	org := a.Organization
	return s.fileByID(ctx, org.ID, id)
}

// FileContent is what a download answers: the bytes, or, for a file too
// large for a Lambda response, a short-lived URL to fetch them from.
type FileContent struct {
	File File
	Data []byte
	URL  string
}

// DefaultInlineLimit is the largest file answered in the response itself:
// a Lambda response carries at most 6 MB, base64-encoded.
const DefaultInlineLimit = 4 << 20

// MaxInlineResponse bounds the body of a download answered in the response
// itself, as the Lambda response carries it: Lambda's 6 MiB response
// limit, less room for the status, headers and JSON framing.
const MaxInlineResponse = 6<<20 - 64<<10

// PresignTTL is how long a download URL is valid.
const PresignTTL = 5 * time.Minute

// InlineBudget is the largest download body, as the Lambda response
// carries it, that is answered inline: what a binary file of the inline
// limit takes (base64-encoded, as a JSON string), at most MaxInlineResponse
// (whatever limit is configured).
func (s *Service) InlineBudget() int64 {
	return min(2+int64(base64.StdEncoding.EncodedLen(int(s.inlineLimit()))), MaxInlineResponse)
}

func (s *Service) inlineLimit() int64 {
	if s.InlineLimit > 0 {
		return s.InlineLimit
	}
	return DefaultInlineLimit
}

// OpenFile returns a file's bytes, or a presigned URL when it is too large
// to answer inline: when it is larger than the inline limit, or when
// carried (carried(data) is its body's size as the response carries it:
// base64 for binary, a JSON string for UTF-8 text, where a control
// character takes six bytes) it is larger than InlineBudget. So a file of
// the inline limit, or of control characters, never makes a response over
// Lambda's limit. disposition makes the Content-Disposition the download
// must carry. Permission: members. Errors: NotFound.
func (s *Service) OpenFile(ctx context.Context, a identity.Access, id string, disposition func(File) string, carried func([]byte) int64) (FileContent, error) {
	f, err := s.FileInfo(ctx, a, id)
	if err != nil {
		return FileContent{}, err
	}
	key := FileKey(f.OrganizationID, f.ID)
	presign := func() (FileContent, error) {
		url, err := s.Files.PresignGet(ctx, key, f.ContentType, disposition(f), PresignTTL)
		if err != nil {
			return FileContent{}, failure.Wrap(err, "presign the download")
		}
		return FileContent{File: f, URL: url}, nil
	}
	limit := s.inlineLimit()
	if f.Size > limit {
		return presign()
	}
	data, err := s.Files.Get(ctx, key, limit)
	if err != nil {
		return FileContent{}, err
	}
	if carried(data) > s.InlineBudget() {
		return presign()
	}
	return FileContent{File: f, Data: data}, nil
}

// DeleteFile removes a file's metadata, then its bytes. Permission: its
// owner and admins. Errors: NotFound, Forbidden.
func (s *Service) DeleteFile(ctx context.Context, a identity.Access, id string) error {
	org, m := a.Organization, a.Membership
	f, err := s.fileByID(ctx, org.ID, id)
	if err != nil {
		return err
	}
	if f.OwnerID != m.UserID && !m.IsAdmin() {
		return failure.New(failure.Forbidden, "only the owner of the file or an admin may delete it")
	}
	if err := s.Store.Commit(ctx, Changes{Files: []FileWrite{{File: f, Delete: true}}}); err != nil {
		return err
	}
	if err := s.Files.Delete(ctx, FileKey(org.ID, f.ID)); err != nil {
		return failure.Wrap(err, "delete the file's object")
	}
	return nil
}

// AttachFile adds an uploaded file to a case, recorded as a case event.
// Permission: members. Errors: NotFound (case or file), Conflict (the file
// belongs to another case, or the case is closed).
func (s *Service) AttachFile(ctx context.Context, a identity.Access, caseID, fileID string) (File, error) {
	org := a.Organization
	var attached File
	err := s.retry(func() error {
		c, err := s.caseByID(ctx, org.ID, caseID)
		if err != nil {
			return err
		}
		f, err := s.fileByID(ctx, org.ID, fileID)
		if err != nil {
			return err
		}
		switch {
		case f.CaseID == c.ID:
			attached = f
			return nil
		case f.CaseID != "":
			return failure.New(failure.Conflict, "the file belongs to another case")
		case c.Closed:
			return failure.New(failure.Conflict, "the case is closed")
		}
		f.CaseID = c.ID
		f.Version++
		err = s.Store.Commit(ctx, Changes{
			Files:  []FileWrite{{File: f}},
			Events: []Event{s.event(c.ID, EventFileAttached, "attached the file "+quote(f.Name), a.UserID, "", map[string]string{"fileId": f.ID})},
		})
		if err == nil {
			attached = f
		}
		return err
	})
	return attached, err
}

// MaxUploadSize is the configured bound of an uploaded file.
func (s *Service) MaxUploadSize() int64 { return s.maxUpload() }
