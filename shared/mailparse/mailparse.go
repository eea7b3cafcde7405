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

	maxAddresses      = 1000 // per address header
	maxWarnings       = 100
	maxRawText        = 1 << 20 // body kept as text when the MIME structure is not parsed
	maxMultipartDepth = 12      // see checkStructure
	maxParts          = 5000    // see checkStructure
	maxHeaderKey      = 256
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

	// Headers holds the top-level header fields, RFC 2047 decoded for
	// display, keyed by canonical name (textproto.CanonicalMIMEHeaderKey,
	// e.g. "Message-Id"; textproto.MIMEHeader(Headers).Get works). Bounded:
	// at most MaxHeaders values (From, To, Subject... first), each at most
	// MaxHeaderValue bytes; control characters (CR, LF, NUL...) are replaced
	// by spaces. Decoded address headers may not re-parse (an encoded comma
	// in a name): use From, To... for addresses.
	Headers map[string][]string

	// Text is the text/plain body, decoded and converted to UTF-8, with LF
	// line endings; several text/plain parts of a multipart/mixed are joined
	// with "\n--\n" (text parts with a file name are attachments). When the
	// message has only HTML, it is a text rendering of it.
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
	// format characters (bidi overrides, zero-width), at most MaxFileName bytes, never empty. Parts without
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
	if reason := checkStructure(raw); reason != "" {
		m.warn("MIME structure not parsed: %s", reason)
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
		m.readEnvelope(env, raw)
	} else {
		m.rawBody(raw)
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
	m.Subject = bound(cleanHeader(decodeWords(get("Subject"))), MaxHeaderValue)
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
			key := strings.ToValidUTF8(k, "_")
			out[key] = append(out[key], d)
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

// rawBody keeps the body of a message whose MIME structure was not parsed
// as its text, so that a reader still sees something.
func (m *Message) rawBody(raw []byte) {
	body := bodyOf(raw)
	if len(body) > maxRawText {
		body = body[:maxRawText]
		m.warn("raw body cut to %d bytes", maxRawText)
	}
	m.Text = cleanText(string(body))
}

// readEnvelope fills the body and attachment fields from enmime's result.
func (m *Message) readEnvelope(env *enmime.Envelope, raw []byte) {
	htmlOnly := false
	for _, e := range env.Errors {
		// enmime always notes an HTML-only message; that is not a defect.
		if e.Name == enmime.ErrorPlainTextFromHTML && !e.Severe {
			htmlOnly = true
			continue
		}
		m.warn("%s", e.Error())
	}

	root := env.Root
	if root.FirstChild == nil && (root.ContentType == "" || strings.HasPrefix(root.ContentType, "multipart/")) {
		// A multipart whose boundary is missing or never occurs, or an
		// unreadable Content-Type: RFC 2045 makes such a body text/plain.
		m.warn("no MIME parts found: body kept as text")
		m.rawBody(raw)
		return
	}

	var parts []*enmime.Part
	if root.FirstChild == nil {
		// Single part: enmime put it in the body or among attachments and inlines.
		m.Text, m.HTML = env.Text, env.HTML
		parts = append(append(parts, env.Attachments...), env.Inlines...)
	} else {
		var texts []*enmime.Part
		var html *enmime.Part
		texts, html, parts = splitBody(root)
		var b strings.Builder
		for i, p := range texts {
			if i > 0 {
				b.WriteString("\n--\n") // as enmime joins them
			}
			b.Write(p.Content)
		}
		m.Text = b.String()
		if html != nil {
			m.HTML = string(html.Content)
		}
		if m.Text == "" && m.HTML != "" {
			if htmlOnly && env.HTML == m.HTML {
				m.Text = env.Text // enmime's rendering of the same HTML
			} else {
				m.Text = htmlToText(m.HTML)
			}
		}
	}
	m.Text, m.HTML = cleanText(m.Text), cleanText(m.HTML)

	for i, p := range parts {
		m.Attachments = append(m.Attachments, m.attachment(p, i+1))
	}
}

// splitBody chooses the body parts of a multipart message as enmime does
// (the text/plain parts, joined, or the first one of a multipart/alternative;
// the first text/html part), except that a text part with a file name is an
// attachment shown inline (Apple Mail sends small text files so), not body
// text. Every other leaf part is returned in rest, in document order.
func splitBody(root *enmime.Part) (texts []*enmime.Part, html *enmime.Part, rest []*enmime.Part) {
	isBody := func(contentType string) enmime.PartMatcher {
		return func(p *enmime.Part) bool {
			return p.ContentType == contentType && p.Disposition != "attachment" && p.FileName == ""
		}
	}
	if root.ContentType == "multipart/alternative" {
		if p := root.BreadthMatchFirst(isBody("text/plain")); p != nil {
			texts = append(texts, p)
		}
	} else {
		texts = root.DepthMatchAll(isBody("text/plain"))
	}
	html = root.DepthMatchFirst(isBody("text/html"))
	rest = root.DepthMatchAll(func(p *enmime.Part) bool {
		return p.FirstChild == nil && !strings.HasPrefix(p.ContentType, "multipart/") &&
			p != html && !slices.Contains(texts, p)
	})
	return texts, html, rest
}

// htmlToText renders HTML as text the way enmime does for HTML-only mail.
func htmlToText(html string) string {
	p := enmime.NewPart("text/html")
	p.Header.Set("Content-Type", "text/html; charset=utf-8")
	p.Content = []byte(html)
	env, err := parser.EnvelopeFromPart(p)
	if err != nil {
		return ""
	}
	return env.Text
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

// skipMboxFromLine drops an mbox "From " separator line some tools prepend
// (but not a "From : a@example.com" header).
func skipMboxFromLine(raw []byte) []byte {
	if !bytes.HasPrefix(raw, []byte("From ")) || bytes.HasPrefix(bytes.TrimLeft(raw[4:], " \t"), []byte(":")) {
		return raw
	}
	if i := bytes.IndexByte(raw, '\n'); i >= 0 {
		return raw[i+1:]
	}
	return raw
}

// checkStructure guards enmime against messages that would take it minutes
// to read. enmime reads nested multiparts through stacked readers: a chain of
// multiparts that are not closed by their own terminating boundary costs
// about twice as much per level (20 levels take a second, 25 half a minute),
// and adding sibling parts is quadratic (100,000 parts take minutes). Real
// mail nests three or four levels and has a few dozen parts.
//
// The check is conservative, so that it can only overestimate: every
// boundary parameter (anywhere, even in text or in a forwarded message) opens
// a level, and a level is closed only by a line starting with its own
// terminating boundary "--boundary--", which closes that multipart in enmime
// too. Parts are bounded by the lines starting with "--" plus the boundary
// parameters. It returns "" when the message may be parsed.
func checkStructure(raw []byte) string {
	var open []string // boundaries of the levels still open; "" when unknown
	parts := 0
	for len(raw) > 0 {
		line := raw
		if i := bytes.IndexByte(raw, '\n'); i >= 0 {
			line, raw = raw[:i], raw[i+1:]
		} else {
			raw = nil
		}
		if bytes.HasPrefix(line, []byte("--")) {
			parts++
			rest := line[2:]
			for i := len(open) - 1; i >= 0; i-- {
				b := open[i]
				if b != "" && len(rest) >= len(b)+2 && string(rest[:len(b)]) == b && string(rest[len(b):len(b)+2]) == "--" {
					open = append(open[:i], open[i+1:]...)
					break
				}
			}
		}
		for {
			j := indexFold(line, "boundary")
			if j < 0 {
				break
			}
			line = line[j+len("boundary"):]
			value, ok := boundaryValue(line)
			if !ok {
				continue
			}
			parts++
			open = append(open, value)
			if len(open) > maxMultipartDepth {
				return fmt.Sprintf("multiparts nested deeper than %d levels", maxMultipartDepth)
			}
		}
		if parts > maxParts {
			return fmt.Sprintf("more than %d MIME parts", maxParts)
		}
	}
	return ""
}

// boundaryValue reads the value of a boundary parameter from what follows
// the word "boundary". ok is false when this is not a parameter; value is ""
// when the value cannot be read simply (RFC 2231 forms, escapes), which
// makes the level impossible to close in checkStructure.
func boundaryValue(s []byte) (value string, ok bool) {
	s = bytes.TrimLeft(s, " \t")
	if len(s) == 0 {
		return "", false
	}
	if s[0] == '*' {
		return "", true
	}
	if s[0] != '=' {
		return "", false
	}
	s = bytes.TrimLeft(s[1:], " \t")
	if len(s) > 0 && s[0] == '"' {
		end := bytes.IndexByte(s[1:], '"')
		if end < 0 || bytes.IndexByte(s[1:1+end], '\\') >= 0 {
			return "", true
		}
		return string(s[1 : 1+end]), true
	}
	end := bytes.IndexAny(s, " \t\r;\"")
	if end < 0 {
		end = len(s)
	}
	return string(s[:end]), true
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
