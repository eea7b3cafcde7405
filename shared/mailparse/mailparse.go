// Package mailparse turns a raw RFC 5322 message (as stored in S3 by an SES
// receipt rule, or posted to the inbound webhook) into the fields of an
// Effektif Email and the Files of its attachments.
//
// The MIME work (multipart trees, quoted-printable and base64, charsets,
// RFC 2047 encoded words) is done by github.com/jhillyerd/enmime/v2; this
// package adds tolerant address parsing, bounded and sanitized headers,
// attachment naming, forwarded messages as attachments and a text preview.
//
// Security: Message.HTML is the sender's HTML as received. It is not
// sanitized. Whoever displays it must sanitize it first (or serve it from a
// sandboxed origin); never insert it into a page as is.
package mailparse

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"net/mail"
	"slices"
	"strings"
	"time"

	"github.com/jhillyerd/enmime/v2"
)

// MaxSize is the largest raw message Parse accepts: SES receipt rules reject
// larger messages, so anything bigger did not come from SES.
const MaxSize = 40 << 20

// Bounds on what a message may make us keep.
const (
	// MaxHeaders is the number of header fields (values, not names) kept in Message.Headers.
	MaxHeaders = 200
	// MaxHeaderValue is the size in bytes of a header value; longer values are cut.
	MaxHeaderValue = 8 << 10
	// MaxFileName is the size in bytes of an attachment's file name.
	MaxFileName = 200
	// PreviewLength is the size in characters (runes) of Message.Preview.
	PreviewLength = 200

	maxAddresses     = 1000 // per address header
	maxWarnings      = 100
	maxMultipartNest = 100 // multipart containers in one message
	maxHeaderKey     = 256
)

// Errors returned by Parse. Everything else is reported in Message.Warnings.
var (
	ErrEmpty     = errors.New("mailparse: empty message")
	ErrTooLarge  = fmt.Errorf("mailparse: message larger than %d bytes", MaxSize)
	ErrNoHeaders = errors.New("mailparse: message has no headers")
)

// Address is one mailbox of an address header.
type Address struct {
	Name  string // display name, decoded; may be empty
	Email string // addr-spec as written (not lower-cased)
}

// String formats the address for logs and headers, e.g. `"Doe, Jane" <jane@example.com>`.
func (a Address) String() string {
	return (&mail.Address{Name: a.Name, Address: a.Email}).String()
}

// Message is a parsed mail message. All strings are valid UTF-8.
type Message struct {
	MessageID  string   // the Message-ID header, without <>
	InReplyTo  string   // the first message id of In-Reply-To, without <>
	References []string // the message ids of References, without <>, oldest first
	Subject    string   // decoded

	From    []Address
	To      []Address
	Cc      []Address
	Bcc     []Address
	ReplyTo []Address

	// Date is the Date header; zero when missing or malformed. Its location is
	// the offset written in the header.
	Date time.Time

	// Headers holds the top-level header fields, RFC 2047 decoded, keyed by
	// canonical name (textproto.CanonicalMIMEHeaderKey, e.g. "Message-Id").
	// Bounded: at most MaxHeaders values, each at most MaxHeaderValue bytes;
	// control characters (CR, LF, NUL...) are replaced by spaces.
	Headers map[string][]string

	// Text is the text/plain body, decoded and converted to UTF-8, with LF line
	// endings. When the message has only HTML, it is a text rendering of it.
	Text string
	// HTML is the text/html body in UTF-8, with LF line endings.
	// It is NOT sanitized: sanitize it before displaying it anywhere.
	HTML string
	// Preview is the start of Text with whitespace collapsed, at most
	// PreviewLength characters (ending in "…" when cut).
	Preview string

	// Attachments holds every attachment and every inline part (inline
	// images), in the order they appear in the message. A forwarded message
	// (message/rfc822) is one attachment; its body is not part of Text/HTML.
	Attachments []Attachment

	// Warnings lists recoverable defects (enmime's errors and ours), for logs.
	Warnings []string
}

// Attachment is a non-body part of the message.
type Attachment struct {
	// FileName is the sanitized base name: no directories, no control or
	// bidi characters, at most MaxFileName bytes, never empty. Parts without
	// a name get "attachment-<n><ext>", n counting from 1 in Attachments;
	// forwarded messages are named after their subject, with ".eml".
	FileName string
	// ContentType is the media type without parameters, lower case,
	// e.g. "image/png"; "application/octet-stream" when the part has none.
	ContentType string
	// ContentID is the Content-ID without <>, as referenced by cid: URLs in
	// the HTML; empty when the part has none.
	ContentID string
	// Inline is true for parts shown within the body (Content-Disposition
	// inline, or no disposition and a Content-ID), false for attachments.
	Inline bool
	// Data is the decoded content (base64 and quoted-printable removed;
	// text/* parts converted to UTF-8 when their charset is known).
	Data []byte
}

var parser = enmime.NewParser(
	// Keep the rest of the message when one part's header cannot be read.
	enmime.SkipMalformedParts(true),
	// "multipart/mixed" without a boundary: read the body as one part instead of failing.
	enmime.MultipartWOBoundaryAsSinglePart(true),
	// Keep what decodes of a text part with broken base64.
	enmime.SetReadPartErrorPolicy(enmime.AllowCorruptTextPartErrorPolicy),
	enmime.MaxStoredPartErrors(20),
)

// Parse reads a raw MIME message. It never panics; it returns an error only
// when nothing usable can be read (empty input, no headers at all, over
// MaxSize); recoverable defects are collected in Message.Warnings.
func Parse(raw []byte) (msg *Message, err error) {
	defer func() {
		if r := recover(); r != nil {
			msg, err = nil, fmt.Errorf("mailparse: cannot parse message: %v", r)
		}
	}()
	return parse(raw)
}

func parse(raw []byte) (*Message, error) {
	if len(raw) > MaxSize {
		return nil, ErrTooLarge
	}
	raw = skipMboxFromLine(raw)
	if len(bytes.TrimSpace(raw)) == 0 {
		return nil, ErrEmpty
	}

	m := &Message{}
	var env *enmime.Envelope
	if n := countMultipartBoundaries(raw); n > maxMultipartNest {
		m.warn("message has %d multipart boundaries (limit %d): MIME structure not parsed", n, maxMultipartNest)
	} else {
		var err error
		env, err = parser.ReadEnvelope(bytes.NewReader(raw))
		if err != nil {
			m.warn("MIME structure not parsed: %v", err)
			env = nil
		}
	}

	var header map[string][]string
	if env != nil && env.Root != nil {
		header = env.Root.Header
	} else {
		// Fallback: the header block as far as it reads, the rest as text.
		h, err := enmime.ReadHeader(bufio.NewReader(bytes.NewReader(raw)), discard{})
		if err != nil {
			m.warn("header: %v", err)
		}
		header = h
	}
	if len(header) == 0 {
		return nil, ErrNoHeaders
	}

	m.readHeaders(header)
	if env != nil {
		m.readEnvelope(env)
	} else {
		m.Text = cleanText(string(bodyOf(raw)))
	}
	m.Preview = preview(m.Text)
	return m, nil
}

// readHeaders fills the header derived fields.
func (m *Message) readHeaders(h map[string][]string) {
	get := func(key string) string {
		if v := h[key]; len(v) > 0 {
			return v[0]
		}
		return ""
	}
	m.Headers = m.boundedHeaders(h)
	m.Subject = cleanHeader(decodeWords(get("Subject")))
	m.MessageID = firstID(get("Message-Id"))
	m.InReplyTo = firstID(get("In-Reply-To"))
	m.References = ids(strings.Join(h["References"], " "))

	m.From = m.addresses("From", h["From"])
	m.To = m.addresses("To", h["To"])
	m.Cc = m.addresses("Cc", h["Cc"])
	m.Bcc = m.addresses("Bcc", h["Bcc"])
	m.ReplyTo = m.addresses("Reply-To", h["Reply-To"])

	if d := strings.TrimSpace(get("Date")); d != "" {
		t, err := mail.ParseDate(d)
		if err != nil {
			m.warn("Date: cannot parse %q", bound(d, 100))
		} else {
			m.Date = t
		}
	}
}

// importantHeaders are kept first when a message has more than MaxHeaders fields.
var importantHeaders = []string{
	"From", "Sender", "To", "Cc", "Bcc", "Reply-To", "Subject", "Date",
	"Message-Id", "In-Reply-To", "References", "Return-Path", "Delivered-To",
	"Mime-Version", "Content-Type", "Auto-Submitted", "Precedence", "List-Id",
	"X-Ses-Spam-Verdict", "X-Ses-Virus-Verdict", "Authentication-Results",
}

// boundedHeaders decodes and sanitizes the header fields, keeping at most
// MaxHeaders values: the important ones first, then the others by name.
func (m *Message) boundedHeaders(h map[string][]string) map[string][]string {
	keys := make([]string, 0, len(h))
	for k := range h {
		if !slices.Contains(importantHeaders, k) {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	keys = append(slices.Clone(importantHeaders), keys...)

	out := make(map[string][]string)
	kept, dropped, cut := 0, 0, 0
	for _, k := range keys {
		for _, v := range h[k] {
			if kept >= MaxHeaders || len(k) > maxHeaderKey {
				dropped++
				continue
			}
			d := cleanHeader(decodeWords(v))
			if len(d) > MaxHeaderValue {
				d = bound(d, MaxHeaderValue)
				cut++
			}
			out[k] = append(out[k], d)
			kept++
		}
	}
	if dropped > 0 {
		m.warn("headers: %d fields dropped (limit %d, names up to %d bytes)", dropped, MaxHeaders, maxHeaderKey)
	}
	if cut > 0 {
		m.warn("headers: %d values cut to %d bytes", cut, MaxHeaderValue)
	}
	return out
}

// readEnvelope fills the body and attachment fields from enmime's result.
func (m *Message) readEnvelope(env *enmime.Envelope) {
	m.Text = cleanText(env.Text)
	m.HTML = cleanText(env.HTML)

	for _, e := range env.Errors {
		// enmime always notes an HTML-only message; that is not a defect.
		if e.Name == enmime.ErrorPlainTextFromHTML && !e.Severe {
			continue
		}
		m.warn("%s", e.Error())
	}

	for i, p := range attachmentParts(env) {
		m.Attachments = append(m.Attachments, m.attachment(p, i+1))
	}
}

// attachmentParts returns the leaf parts that are not the body enmime chose,
// in document order.
func attachmentParts(env *enmime.Envelope) []*enmime.Part {
	root := env.Root
	if root.FirstChild == nil {
		// Single part message: enmime put it either in the body or here.
		var parts []*enmime.Part
		parts = append(parts, env.Attachments...)
		parts = append(parts, env.Inlines...)
		return parts
	}

	// The same choice of body parts as enmime's parseMultiPartBody.
	body := map[*enmime.Part]bool{}
	isText := func(p *enmime.Part) bool { return p.ContentType == "text/plain" && p.Disposition != "attachment" }
	if root.ContentType == "multipart/alternative" {
		if p := root.BreadthMatchFirst(isText); p != nil {
			body[p] = true
		}
	} else {
		for _, p := range root.DepthMatchAll(isText) {
			body[p] = true
		}
	}
	if p := root.DepthMatchFirst(func(p *enmime.Part) bool {
		return p.ContentType == "text/html" && p.Disposition != "attachment"
	}); p != nil {
		body[p] = true
	}

	return root.DepthMatchAll(func(p *enmime.Part) bool {
		return p.FirstChild == nil && !strings.HasPrefix(p.ContentType, "multipart/") && !body[p]
	})
}

// attachment converts a part; n is its 1-based position in Message.Attachments.
func (m *Message) attachment(p *enmime.Part, n int) Attachment {
	a := Attachment{
		ContentType: strings.ToLower(p.ContentType),
		ContentID:   firstID(p.Header.Get("Content-Id")),
		Data:        p.Content,
	}
	if a.ContentType == "" || !strings.Contains(a.ContentType, "/") {
		a.ContentType = "application/octet-stream"
	}
	if a.Data == nil {
		a.Data = []byte{}
	}
	disposition := strings.ToLower(p.Disposition)
	a.Inline = disposition == "inline" || (disposition == "" && a.ContentID != "")

	a.FileName = sanitizeFileName(p.FileName)
	if a.ContentType == "message/rfc822" || a.ContentType == "message/global" {
		if s := subjectFileName(forwardedSubject(p.Content)); s != "" {
			a.FileName = s + ".eml"
		}
	}
	if a.FileName == "" {
		a.FileName = fmt.Sprintf("attachment-%d%s", n, extension(a.ContentType))
	}
	return a
}

// forwardedSubject returns the decoded subject of an attached message.
func forwardedSubject(raw []byte) string {
	h, _ := enmime.ReadHeader(bufio.NewReader(bytes.NewReader(raw)), discard{})
	return cleanHeader(decodeWords(h.Get("Subject")))
}

// warn adds a warning, up to maxWarnings.
func (m *Message) warn(format string, args ...any) {
	switch {
	case len(m.Warnings) < maxWarnings:
		m.Warnings = append(m.Warnings, bound(cleanHeader(fmt.Sprintf(format, args...)), 1000))
	case len(m.Warnings) == maxWarnings:
		m.Warnings = append(m.Warnings, "more warnings dropped")
	}
}

// discard ignores header parse problems (already reported by enmime for the
// message itself).
type discard struct{}

func (discard) AddError(string, string, ...any)   {}
func (discard) AddWarning(string, string, ...any) {}

// skipMboxFromLine drops an mbox "From " separator line some tools prepend.
func skipMboxFromLine(raw []byte) []byte {
	if !bytes.HasPrefix(raw, []byte("From ")) {
		return raw
	}
	if i := bytes.IndexByte(raw, '\n'); i >= 0 {
		return raw[i+1:]
	}
	return raw
}

// countMultipartBoundaries counts boundary parameters ("boundary=", any
// case, spaces allowed before "="): enmime reads nested multiparts
// recursively, byte by byte per level, so deeply nested input could take
// minutes; real mail has a handful.
func countMultipartBoundaries(raw []byte) int {
	n := 0
	for len(raw) > 0 {
		j := indexFold(raw, "boundary")
		if j < 0 {
			break
		}
		raw = raw[j+len("boundary"):]
		rest := bytes.TrimLeft(raw, " \t")
		if len(rest) > 0 && rest[0] == '=' {
			n++
		}
	}
	return n
}

// indexFold is bytes.Index ignoring ASCII case, for a lower-case needle.
func indexFold(s []byte, needle string) int {
	for i := 0; i+len(needle) <= len(s); i++ {
		if s[i]|0x20 == needle[0] && bytes.EqualFold(s[i:i+len(needle)], []byte(needle)) {
			return i
		}
	}
	return -1
}

// bodyOf returns what follows the header block (after the first empty line).
func bodyOf(raw []byte) []byte {
	for i := 0; i < len(raw); i++ {
		if raw[i] != '\n' {
			continue
		}
		rest := raw[i+1:]
		if bytes.HasPrefix(rest, []byte("\n")) {
			return rest[1:]
		}
		if bytes.HasPrefix(rest, []byte("\r\n")) {
			return rest[2:]
		}
	}
	return nil
}
