package awslocal

import (
	"bufio"
	"bytes"
	"cmp"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"html/template"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"sync"
	"time"
)

// SES is the local SES v2 emulator. It serves the one SES operation the
// functions use, SendEmail (POST /v2/email/outbound-emails, simple content:
// shared/mail/sesmail), records every mail it accepts, and shows them:
//
//   - GET /store answers {"templates": {}, "emails": [Mail...]}, oldest
//     first, as the aws-ses-v2-local emulator did; ?since=<epoch seconds>
//     keeps the mails sent at or after then.
//   - POST /clear-store forgets every mail.
//   - GET / is a page listing the mails, newest first, for a browser.
//   - GET /health-check answers 200.
//
// Every other operation answers 400 BadRequestException, saying that the
// emulator does not serve it. The emulator checks no signature.
type SES struct {
	mu    sync.Mutex
	mails []Mail
	file  *os.File // the mails as JSON lines; nil in memory
	now   func() time.Time
}

// Mail is one mail SendEmail accepted, in the JSON shape of GET /store.
type Mail struct {
	MessageID   string   `json:"messageId"`
	From        string   `json:"from"`
	ReplyTo     []string `json:"replyTo"`
	Destination struct {
		To  []string `json:"to"`
		Cc  []string `json:"cc"`
		Bcc []string `json:"bcc"`
	} `json:"destination"`
	Subject string `json:"subject"`
	Body    struct {
		HTML string `json:"html,omitempty"`
		Text string `json:"text,omitempty"`
	} `json:"body"`
	Attachments []MailAttachment `json:"attachments"`
	Headers     []MailHeader     `json:"headers,omitempty"`
	// ConfigurationSet is the request's ConfigurationSetName.
	ConfigurationSet string `json:"configurationSetName,omitempty"`
	// At is when the mail was sent, in seconds since the epoch.
	At int64 `json:"at"`
}

// MailAttachment is an attachment of a Mail; Content is base64.
type MailAttachment struct {
	Content     string `json:"content"`
	ContentType string `json:"contentType"`
	Filename    string `json:"filename,omitempty"`
	Size        int    `json:"size"`
}

// MailHeader is a header the sender added to a Mail.
type MailHeader struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// maxSESRequest bounds a request body: SES takes messages of up to 40 MB.
const maxSESRequest = 48 << 20

// NewSES returns an SES emulator that keeps its mails in the file at path
// (JSON lines, created with its folder when missing, the mails of earlier
// runs read back), or in memory only when path is empty. Close releases
// the file.
func NewSES(path string) (*SES, error) {
	s := &SES{now: time.Now}
	if path == "" {
		return s, nil
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR|os.O_APPEND, 0o644)
	if err != nil {
		return nil, err
	}
	scan := bufio.NewScanner(f)
	scan.Buffer(nil, 2*maxSESRequest)
	for scan.Scan() {
		var m Mail
		if len(bytes.TrimSpace(scan.Bytes())) == 0 {
			continue
		}
		if err := json.Unmarshal(scan.Bytes(), &m); err != nil {
			continue // a line cut short by a crash: the mail was never answered as sent
		}
		s.mails = append(s.mails, m)
	}
	if err := scan.Err(); err != nil {
		f.Close()
		return nil, fmt.Errorf("read the sent mail in %s: %w", path, err)
	}
	s.file = f
	return s, nil
}

// Close releases the file of the mails, if any.
func (s *SES) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.file == nil {
		return nil
	}
	err := s.file.Close()
	s.file = nil
	return err
}

// Mails returns a copy of the recorded mails, oldest first.
func (s *SES) Mails() []Mail {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.mails)
}

// ServeHTTP serves the routes listed on SES.
func (s *SES) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch {
	case r.Method == http.MethodPost && r.URL.Path == "/v2/email/outbound-emails":
		s.sendEmail(w, r)
	case r.Method == http.MethodGet && r.URL.Path == "/store":
		s.serveStore(w, r)
	case r.Method == http.MethodPost && r.URL.Path == "/clear-store":
		s.clear(w)
	case r.Method == http.MethodGet && r.URL.Path == "/health-check":
		w.WriteHeader(http.StatusOK)
	case r.Method == http.MethodGet && r.URL.Path == "/":
		s.servePage(w)
	default:
		sesError(w, http.StatusBadRequest, "BadRequestException",
			fmt.Sprintf("the local SES emulator serves only SendEmail (POST /v2/email/outbound-emails), not %s %s", r.Method, r.URL.Path))
	}
}

// sendEmailInput is the part of SES v2's SendEmail request the emulator
// reads (the JSON names are SES's).
type sendEmailInput struct {
	FromEmailAddress string
	Destination      *struct {
		ToAddresses, CcAddresses, BccAddresses []string
	}
	ReplyToAddresses     []string
	ConfigurationSetName string
	Content              struct {
		Simple *struct {
			Subject *sesContent
			Body    struct {
				Text, Html *sesContent
			}
			Attachments []struct {
				FileName    string
				RawContent  string // base64, as the SDK sends a blob
				ContentType string
			}
			Headers []struct {
				Name, Value string
			}
		}
		Raw      *json.RawMessage
		Template *json.RawMessage
	}
}

type sesContent struct {
	Data    string
	Charset string
}

func (s *SES) sendEmail(w http.ResponseWriter, r *http.Request) {
	var in sendEmailInput
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxSESRequest)).Decode(&in); err != nil {
		sesError(w, http.StatusBadRequest, "BadRequestException", "the request is not SendEmail's JSON: "+err.Error())
		return
	}
	m, problem := s.mailOf(in)
	if problem != "" {
		sesError(w, http.StatusBadRequest, "BadRequestException", problem)
		return
	}
	if err := s.record(m); err != nil {
		sesError(w, http.StatusInternalServerError, "InternalServiceErrorException", "record the mail: "+err.Error())
		return
	}
	writeJSON(w, map[string]string{"MessageId": m.MessageID})
}

// mailOf checks a SendEmail request as SES would and returns its Mail, or
// why SES would refuse it.
func (s *SES) mailOf(in sendEmailInput) (Mail, string) {
	var m Mail
	simple := in.Content.Simple
	switch {
	case in.Content.Raw != nil || in.Content.Template != nil:
		return m, "the local SES emulator accepts only simple content (Content.Simple), not raw or templated mail"
	case simple == nil:
		return m, "Content.Simple is required"
	case in.FromEmailAddress == "":
		return m, "FromEmailAddress is required"
	case in.Destination == nil || len(in.Destination.ToAddresses)+len(in.Destination.CcAddresses)+len(in.Destination.BccAddresses) == 0:
		return m, "the destination has no address"
	case simple.Subject == nil || simple.Subject.Data == "":
		return m, "the subject is required"
	case (simple.Body.Text == nil || simple.Body.Text.Data == "") && (simple.Body.Html == nil || simple.Body.Html.Data == ""):
		return m, "the body needs a text or an HTML part"
	}
	m.MessageID = newMessageID(s.now())
	m.From = in.FromEmailAddress
	m.ReplyTo = orEmpty(in.ReplyToAddresses)
	m.Destination.To = orEmpty(in.Destination.ToAddresses)
	m.Destination.Cc = orEmpty(in.Destination.CcAddresses)
	m.Destination.Bcc = orEmpty(in.Destination.BccAddresses)
	m.Subject = simple.Subject.Data
	if simple.Body.Text != nil {
		m.Body.Text = simple.Body.Text.Data
	}
	if simple.Body.Html != nil {
		m.Body.HTML = simple.Body.Html.Data
	}
	m.Attachments = []MailAttachment{}
	for _, a := range simple.Attachments {
		raw, err := base64.StdEncoding.DecodeString(a.RawContent)
		if err != nil {
			return Mail{}, "the content of attachment " + a.FileName + " is not base64"
		}
		m.Attachments = append(m.Attachments, MailAttachment{
			Content: a.RawContent, ContentType: cmp.Or(a.ContentType, "application/octet-stream"),
			Filename: a.FileName, Size: len(raw),
		})
	}
	for _, h := range simple.Headers {
		m.Headers = append(m.Headers, MailHeader{Name: h.Name, Value: h.Value})
	}
	m.ConfigurationSet = in.ConfigurationSetName
	m.At = s.now().Unix()
	return m, ""
}

// record keeps m, on disk first when the emulator has a file.
func (s *SES) record(m Mail) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.file != nil {
		line, err := json.Marshal(m)
		if err != nil {
			return err
		}
		if _, err := s.file.Write(append(line, '\n')); err != nil {
			return err
		}
	}
	s.mails = append(s.mails, m)
	return nil
}

func (s *SES) serveStore(w http.ResponseWriter, r *http.Request) {
	mails := s.Mails()
	if q := r.URL.Query(); q.Has("since") {
		since, err := strconv.ParseInt(q.Get("since"), 10, 64)
		if err != nil {
			writeJSONStatus(w, http.StatusBadRequest, map[string]string{"message": "since must be an integer: seconds since the epoch"})
			return
		}
		mails = slices.DeleteFunc(mails, func(m Mail) bool { return m.At < since })
	}
	if mails == nil {
		mails = []Mail{}
	}
	writeJSON(w, map[string]any{"templates": map[string]any{}, "emails": mails})
}

func (s *SES) clear(w http.ResponseWriter) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.file != nil {
		if err := s.file.Truncate(0); err != nil {
			writeJSONStatus(w, http.StatusInternalServerError, map[string]string{"message": err.Error()})
			return
		}
	}
	s.mails = nil
	writeJSON(w, map[string]string{"message": "Store cleared"})
}

// urlInText finds the links of a text body, to make them clickable.
var urlInText = regexp.MustCompile(`https?://[^\s<>"')\]]+`)

// textPart is a piece of a text body: a link or plain text.
type textPart struct {
	Text string
	Link bool
}

func linkify(text string) []textPart {
	var parts []textPart
	last := 0
	for _, loc := range urlInText.FindAllStringIndex(text, -1) {
		if loc[0] > last {
			parts = append(parts, textPart{Text: text[last:loc[0]]})
		}
		parts = append(parts, textPart{Text: text[loc[0]:loc[1]], Link: true})
		last = loc[1]
	}
	if last < len(text) {
		parts = append(parts, textPart{Text: text[last:]})
	}
	return parts
}

var sesPage = template.Must(template.New("page").Funcs(template.FuncMap{
	"linkify": linkify,
	"time":    func(at int64) string { return time.Unix(at, 0).Format("2006-01-02 15:04:05 MST") },
}).Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Sent mail ({{len .}})</title>
<style>
body{font:15px/1.4 system-ui,sans-serif;margin:2em auto;max-width:60em;padding:0 1em;color:#222}
article{border:1px solid #ccc;border-radius:6px;margin:1em 0;padding:.5em 1em}
h2{font-size:1.1em;margin:.3em 0}dl{display:grid;grid-template-columns:max-content auto;gap:0 1em;margin:.3em 0;color:#555}
dd{margin:0}pre{white-space:pre-wrap;background:#f6f6f6;padding:.5em}iframe{width:100%;height:24em;border:1px solid #ddd}
</style></head><body>
<h1>Sent mail</h1>
<p>{{len .}} mail(s), newest first, as the local SES emulator recorded them. The same as JSON: <a href="/store">/store</a>.</p>
{{range .}}<article id="{{.MessageID}}">
<h2>{{.Subject}}</h2>
<dl><dt>sent</dt><dd>{{time .At}}</dd><dt>from</dt><dd>{{.From}}</dd>
{{with .Destination.To}}<dt>to</dt><dd>{{range $i, $a := .}}{{if $i}}, {{end}}{{$a}}{{end}}</dd>{{end}}
{{with .Destination.Cc}}<dt>cc</dt><dd>{{range $i, $a := .}}{{if $i}}, {{end}}{{$a}}{{end}}</dd>{{end}}
{{with .Destination.Bcc}}<dt>bcc</dt><dd>{{range $i, $a := .}}{{if $i}}, {{end}}{{$a}}{{end}}</dd>{{end}}
<dt>message id</dt><dd>{{.MessageID}}</dd></dl>
{{with .Body.Text}}<pre>{{range linkify .}}{{if .Link}}<a href="{{.Text}}">{{.Text}}</a>{{else}}{{.Text}}{{end}}{{end}}</pre>{{end}}
{{with .Body.HTML}}<details><summary>HTML part</summary><iframe sandbox srcdoc="{{.}}"></iframe></details>{{end}}
</article>
{{else}}<p>No mail yet.</p>{{end}}
</body></html>
`))

func (s *SES) servePage(w http.ResponseWriter) {
	mails := s.Mails()
	slices.Reverse(mails)
	var b bytes.Buffer
	if err := sesPage.Execute(&b, mails); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; frame-src 'self'")
	_, _ = w.Write(b.Bytes())
}

// sesError answers an error as SES's REST-JSON protocol does: the type in
// the X-Amzn-ErrorType header (which the SDK maps to its error types) and
// a JSON body with the message.
func sesError(w http.ResponseWriter, status int, typ, message string) {
	w.Header().Set("X-Amzn-ErrorType", typ)
	writeJSONStatus(w, status, map[string]string{"message": message})
}

func writeJSON(w http.ResponseWriter, v any) { writeJSONStatus(w, http.StatusOK, v) }

func writeJSONStatus(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false) // bodies as sent, as the Node emulator answered them: < > & unescaped
	_ = enc.Encode(v)
}

// newMessageID makes an ID in the shape of SES's: a time in milliseconds
// (hex) and random hex, unique across runs that keep their mail.
func newMessageID(at time.Time) string {
	var r [16]byte
	rand.Read(r[:]) // never fails (crypto/rand's promise)
	h := hex.EncodeToString(r[:])
	return fmt.Sprintf("%016x-%s-%s-%s-%s-%s-000000", at.UnixMilli(), h[:8], h[8:12], h[12:16], h[16:20], h[20:])
}

func orEmpty(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
