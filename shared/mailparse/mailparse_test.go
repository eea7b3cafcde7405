package mailparse

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// Digests of the binary attachments of the corpus (see testdata/).
const (
	sha256PDF     = "5720db78aad4d195de658c315587241b1f2de193e51a0de5c5f994cf31eff5bc"
	sha256BluePNG = "0a607fd3550d0c94da1e9a3d9e86cda449ffca117c991f56dc390313cb15a0a2"
	sha256RedPNG  = "1db7d89801866137d1b6900f2858475040e49ecc40b23b61c97d31881b818c1f"
	sha256GIF     = "693d949d8c3fdc7fd4ace7c340b5f177a9f0c5be7bafee8bc93a7d88b7523d75"
)

type wantAttachment struct {
	FileName    string
	ContentType string
	ContentID   string
	Inline      bool
	Size        int
	SHA256      string // of Data, for binary parts
	Data        string // exact Data, for text parts
}

type want struct {
	MessageID   string
	InReplyTo   string
	References  []string
	Subject     string
	From        []Address
	To          []Address
	Cc          []Address
	Bcc         []Address
	ReplyTo     []Address
	Date        string // RFC 3339; "" for the zero time
	HeaderKeys  []string
	Headers     map[string][]string // values of some of HeaderKeys
	Text        string
	HTML        string
	Preview     string
	Attachments []wantAttachment
	Warnings    []string // each is a substring of the warning at the same index
}

func addr(name, email string) Address { return Address{Name: name, Email: email} }

var corpus = map[string]want{
	"plain.eml": {
		MessageID:  "20240305101420.6b2f@mail.example.org",
		InReplyTo:  "case-8812@caseflow.example",
		References: []string{"case-8810@caseflow.example", "case-8812@caseflow.example"},
		Subject:    "Re: Order 4711 arrived damaged",
		From:       []Address{addr("Jane Doe", "jane.doe@example.org")},
		To:         []Address{addr("ACME Cases", "acme@caseflow.example"), addr("", "support@acme.example")},
		Cc:         []Address{addr("", "tom.baker@example.org")},
		Date:       "2024-03-05T10:14:20+01:00",
		HeaderKeys: []string{"Cc", "Content-Transfer-Encoding", "Content-Type", "Date", "From", "In-Reply-To", "Message-Id", "Mime-Version", "Received", "References", "Return-Path", "Subject", "To", "X-Mailer"},
		Headers: map[string][]string{
			"Received":   {"from mail.example.org (mail.example.org [192.0.2.10]) by inbound-smtp.eu-west-1.amazonaws.com with SMTP id 4f2b1c for cases@acme.caseflow.example; Tue, 05 Mar 2024 09:14:22 +0000 (UTC)"},
			"References": {"<case-8810@caseflow.example> <case-8812@caseflow.example>"},
			"Message-Id": {"<20240305101420.6b2f@mail.example.org>"},
			"X-Mailer":   {"Example Mail 5.2"},
		},
		Text:    "Hello,\n\nthe replacement for order 4711 arrived today, but the box was\ndamaged again and two of the cups are broken.\n\nCould you please send another replacement?\n\nKind regards\nJane\n",
		Preview: "Hello, the replacement for order 4711 arrived today, but the box was damaged again and two of the cups are broken. Could you please send another replacement? Kind regards Jane",
	},
	"html-only.eml": {
		MessageID:  "inv-2024-0306@shop.example",
		Subject:    "Your invoice is ready",
		From:       []Address{addr("Newsletter Team", "news@shop.example")},
		To:         []Address{addr("", "acme@caseflow.example")},
		Date:       "2024-03-06T08:00:00Z",
		HeaderKeys: []string{"Content-Transfer-Encoding", "Content-Type", "Date", "From", "Message-Id", "Mime-Version", "Subject", "To"},
		Headers:    map[string][]string{"Content-Type": {`text/html; charset="utf-8"`}},
		Text:       "****************\nInvoice 2024-031\n****************\n\nDear customer,\n\nyour invoice over *129,00\u00a0€* is ready. Please pay within 14 days.\n\nView invoice ( https://shop.example/invoices/2024-031 )", // &nbsp; is kept
		HTML: `<!DOCTYPE html>
<html><head><title>Invoice</title><style>p { color: #333; }</style></head>
<body>
<h1>Invoice 2024-031</h1>
<p>Dear customer,</p>
<p>your invoice over <b>129,00&nbsp;€</b> is ready. Please pay within 14 days.</p>
<p><a href="https://shop.example/invoices/2024-031">View invoice</a></p>
</body></html>
`,
		Preview: "**************** Invoice 2024-031 **************** Dear customer, your invoice over *129,00 €* is ready. Please pay within 14 days. View invoice ( https://shop.example/invoices/2024-031 )",
	},
	"alternative.eml": {
		MessageID:  "ticket-8812-3@vendor.example",
		Subject:    "Ticket #8812 updated",
		From:       []Address{addr("Support Desk", "desk@vendor.example")},
		To:         []Address{addr("", "acme@caseflow.example")},
		ReplyTo:    []Address{addr("Vendor Tickets", "tickets+8812@vendor.example")},
		Date:       "2024-03-07T16:45:10-05:00",
		HeaderKeys: []string{"Content-Type", "Date", "From", "Message-Id", "Mime-Version", "Reply-To", "Subject", "To"},
		Headers:    map[string][]string{"Reply-To": {`"Vendor Tickets" <tickets+8812@vendor.example>`}},
		Text:       "Your ticket #8812 was updated.\n\nStatus: waiting for customer",
		HTML:       "<html><body><p>Your ticket <b>#8812</b> was updated.</p><p>Status: waiting for customer</p></body></html>",
		Preview:    "Your ticket #8812 was updated. Status: waiting for customer",
	},
	"attachments.eml": {
		MessageID:  "CAF3x9q=offer@mail.example.it",
		Subject:    "Offer and photo",
		From:       []Address{addr("Maria Rossi", "maria.rossi@example.it")},
		To:         []Address{addr("", "acme+purchasing@caseflow.example")},
		Date:       "2024-03-08T11:30:00+01:00",
		HeaderKeys: []string{"Content-Type", "Date", "From", "Message-Id", "Mime-Version", "Subject", "To"},
		Text:       "Please find the offer and a photo of the pallet attached.",
		HTML:       "<div>Please find the offer and a photo of the pallet attached.</div>",
		Preview:    "Please find the offer and a photo of the pallet attached.",
		Attachments: []wantAttachment{
			{FileName: "Offer 2024-17.pdf", ContentType: "application/pdf", Size: 218, SHA256: sha256PDF},
			// No name: named from its position and type.
			{FileName: "attachment-2.png", ContentType: "image/png", Size: 69, SHA256: sha256BluePNG},
			// RFC 2231 name with a Windows path: base name only.
			{FileName: "Übersicht Q1.csv", ContentType: "text/csv", Size: 24, Data: "article;quantity\ncups;12"},
		},
	},
	"related.eml": {
		MessageID:  "spring-draft-1@acme.example",
		Subject:    "Spring campaign draft",
		From:       []Address{addr("Acme Marketing", "marketing@acme.example")},
		To:         []Address{addr("", "acme@caseflow.example")},
		Date:       "2024-03-11T09:00:00Z",
		HeaderKeys: []string{"Content-Type", "Date", "From", "Message-Id", "Mime-Version", "Subject", "To"},
		Text:       "Spring campaign draft. [logo]",
		HTML:       `<html><body><img src="cid:logo.2024@acme.example" alt="logo"><p>Spring campaign draft.</p><img src="cid:spacer"></body></html>`,
		Preview:    "Spring campaign draft. [logo]",
		Attachments: []wantAttachment{
			{FileName: "logo.png", ContentType: "image/png", ContentID: "logo.2024@acme.example", Inline: true, Size: 69, SHA256: sha256RedPNG},
			// No disposition but a Content-ID: inline.
			{FileName: "attachment-2.gif", ContentType: "image/gif", ContentID: "spacer", Inline: true, Size: 43, SHA256: sha256GIF},
		},
	},
	"quoted-printable.eml": {
		MessageID:  "qp-1@example.de",
		Subject:    "Lieferung für März",
		From:       []Address{addr("Jörg Schröder", "joerg@example.de")},
		To:         []Address{addr("", "acme@caseflow.example")},
		Date:       "2024-03-12T07:05:00+01:00",
		HeaderKeys: []string{"Content-Transfer-Encoding", "Content-Type", "Date", "From", "Message-Id", "Mime-Version", "Subject", "To"},
		Headers:    map[string][]string{"From": {"Jörg Schröder <joerg@example.de>"}, "Subject": {"Lieferung für März"}},
		Text:       "Guten Morgen,\n\ndie Lieferung für März ist unterwegs. Dieser Satz ist absichtlich sehr lang, damit er mit einem weichen Zeilenumbruch kodiert werden muss, wie es Mailprogramme tun.\nFormel: a=b+c\nGrüße\nJörg\n",
		Preview:    "Guten Morgen, die Lieferung für März ist unterwegs. Dieser Satz ist absichtlich sehr lang, damit er mit einem weichen Zeilenumbruch kodiert werden muss, wie es Mailprogramme tun. Formel: a=b+c Grüße…",
	},
	"latin1.eml": {
		MessageID:  "latin1-1@example.de",
		Subject:    "Übersicht für März",
		From:       []Address{addr("Jürgen Müller", "juergen.mueller@example.de")},
		To:         []Address{addr("", "acme@caseflow.example")},
		Date:       "2024-03-13T14:20:00+01:00",
		HeaderKeys: []string{"Content-Transfer-Encoding", "Content-Type", "Date", "From", "Message-Id", "Mime-Version", "Subject", "To"},
		Headers:    map[string][]string{"Subject": {"Übersicht für März"}},
		Text:       "Sehr geehrte Damen und Herren,\n\nanbei die Übersicht für März. Die Größe der Lieferung beträgt 12 Paletten.\nBei Rückfragen erreichen Sie mich unter der bekannten Nummer.\n\nMit freundlichen Grüßen\nJürgen Müller\n",
		Preview:    "Sehr geehrte Damen und Herren, anbei die Übersicht für März. Die Größe der Lieferung beträgt 12 Paletten. Bei Rückfragen erreichen Sie mich unter der bekannten Nummer. Mit freundlichen Grüßen Jürgen…",
	},
	"japanese.eml": {
		MessageID:  "jp-1@example.co.jp",
		Subject:    "会議の議事録について",                                          // Shift_JIS encoded word
		From:       []Address{addr("佐藤 花子", "hanako.sato@example.co.jp")}, // ISO-2022-JP encoded word
		To:         []Address{addr("", "acme@caseflow.example")},
		Date:       "2024-03-14T10:00:00+09:00",
		HeaderKeys: []string{"Content-Transfer-Encoding", "Content-Type", "Date", "From", "Message-Id", "Mime-Version", "Subject", "To"},
		Headers:    map[string][]string{"Subject": {"会議の議事録について"}, "From": {"佐藤 花子 <hanako.sato@example.co.jp>"}},
		Text:       "山田様\n\nいつもお世話になっております。\n先日の会議の議事録を添付いたします。\nご確認のほど、よろしくお願いいたします。\n\n佐藤 花子\n",
		Preview:    "山田様 いつもお世話になっております。 先日の会議の議事録を添付いたします。 ご確認のほど、よろしくお願いいたします。 佐藤 花子",
	},
	"forwarded.eml": {
		MessageID:  "fwd-1@example.net",
		Subject:    "Fwd: Quartalszahlen Q3",
		From:       []Address{addr("Bob", "bob@example.net")},
		To:         []Address{addr("", "acme+case-1234@caseflow.example")},
		Date:       "2024-10-01T08:00:00+02:00",
		HeaderKeys: []string{"Content-Type", "Date", "From", "Message-Id", "Mime-Version", "Subject", "To"},
		Text:       "Please add this to the case.",
		Preview:    "Please add this to the case.",
		Attachments: []wantAttachment{
			// Named after the forwarded message's (encoded) subject; Data
			// checked against the file in TestForwardedMessage.
			{FileName: "Quartalszahlen Q3 – vorläufig.eml", ContentType: "message/rfc822", Size: 824},
		},
	},
	"display-names.eml": {
		MessageID: "names-1@example.org",
		Subject:   "Rechnung € 100 – bitte prüfen", // Windows-1252
		From:      []Address{addr("Doe, Jane (Sales)", "jane.doe@example.org")},
		To: []Address{
			addr("Smith, John", "john.smith@example.com"),
			addr("Müller, Hans", "hans.mueller@example.de"),
			addr("François Dupont", "f.dupont@example.fr"), // encoded word inside quotes
		},
		Cc:         []Address{addr("Björn", "bjorn@example.se"), addr("Plain Person", "plain@example.net")},
		ReplyTo:    []Address{addr("佐藤 花子", "hanako@example.co.jp")},
		Date:       "2024-03-15T12:00:00Z",
		HeaderKeys: []string{"Cc", "Content-Type", "Date", "From", "Message-Id", "Mime-Version", "Reply-To", "Sender", "Subject", "To"},
		Headers: map[string][]string{
			"Sender":  {"Müller, Hans <hans.mueller@example.de>"},
			"Subject": {"Rechnung € 100 – bitte prüfen"},
		},
		Text:    "Names with commas and encoded words.\n",
		Preview: "Names with commas and encoded words.",
	},
	"missing-date-broken-to.eml": {
		MessageID: "nightly-20240316@legacy.example", // written without <>
		Subject:   "Nightly report",
		From:      []Address{addr("Legacy System", "noreply@legacy.example")},
		// "broken@" is dropped, the unclosed "<" repaired, the empty group skipped.
		To:         []Address{addr("Team, Sales", "sales@example.com"), addr("Bob Example", "bob@example.net")},
		Date:       "",
		HeaderKeys: []string{"Cc", "Content-Type", "From", "Message-Id", "Mime-Version", "Subject", "To"},
		Headers: map[string][]string{
			"To": {`"Team, Sales" <sales@example.com>, broken@, Bob Example <bob@example.net, undisclosed-recipients:;`},
			"Cc": {"Undisclosed recipients:;"},
		},
		Text:    "Report attached inline: 0 errors.\n",
		Preview: "Report attached inline: 0 errors.",
		Warnings: []string{
			`To: dropped malformed address "broken@"`,
			`To: repaired malformed address "Bob Example <bob@example.net"`,
		},
	},
	"malformed.eml": {
		MessageID:  "scan-0042@office.example",
		Subject:    "Scan 0042",
		From:       []Address{addr("Scanner", "scanner@office.example")},
		To:         []Address{addr("", "acme@caseflow.example")},
		Date:       "", // "Tue, 32 Foo 2024 25:61:00 +0100"
		HeaderKeys: []string{"Content-Type", "Date", "From", "Message-Id", "Mime-Version", "Subject", "To"},
		Headers:    map[string][]string{"Date": {"Tue, 32 Foo 2024 25:61:00 +0100"}},
		Text:       "Scanned document attached.\n",
		Preview:    "Scanned document attached.",
		Attachments: []wantAttachment{
			// Truncated base64 without closing boundary: what could be decoded.
			{FileName: "scan0042.pdf", ContentType: "application/pdf", Size: 89,
				Data: "%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n2 0 obj << /Type /Pages /Kids ["},
		},
		Warnings: []string{
			`Date: cannot parse "Tue, 32 Foo 2024 25:61:00 +0100"`,
			`Boundary "scan-boundary" was not closed correctly`,
		},
	},
	"crlf.eml": {
		MessageID:  "crlf-1@contoso.example",
		Subject:    "Windows line endings",
		From:       []Address{addr("Outlook User", "user@contoso.example")},
		To:         []Address{addr("", "acme@caseflow.example")},
		Date:       "2024-03-16T18:30:00Z",
		HeaderKeys: []string{"Content-Type", "Date", "From", "Message-Id", "Mime-Version", "Subject", "To"},
		Headers:    map[string][]string{"Content-Type": {`multipart/alternative; boundary="----=_NextPart_000_0001"`}},
		Text:       "Line one – with a dash.\nLine two.", // windows-1252 =96, CRLF to LF
		HTML:       "<html><body><p>Line one – with a dash.</p><p>Line two.</p></body></html>",
		Preview:    "Line one – with a dash. Line two.",
	},
	"mixed-endings.eml": {
		MessageID:  "mixed-1@example.org",
		Subject:    "Mixed line endings",
		From:       []Address{addr("Mixed Endings", "mixed@example.org")},
		To:         []Address{addr("", "acme@caseflow.example")},
		Date:       "2024-03-17T06:00:00Z",
		HeaderKeys: []string{"Content-Type", "Date", "From", "Message-Id", "Mime-Version", "Subject", "To"},
		Text:       "first line\nsecond line\nthird line",
		Preview:    "first line second line third line",
		Attachments: []wantAttachment{
			// Attachments keep their bytes (line endings included).
			{FileName: "notes.txt", ContentType: "text/plain", Size: 13, Data: "note 1\nnote 2"},
		},
	},
}

func readTestdata(t testing.TB, name string) []byte {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

func TestCorpusIsComplete(t *testing.T) {
	files, err := filepath.Glob("testdata/*.eml")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if _, ok := corpus[filepath.Base(f)]; !ok {
			t.Errorf("%s has no expectations in corpus", f)
		}
	}
	if len(files) != len(corpus) {
		t.Errorf("%d files, %d expectations", len(files), len(corpus))
	}
}

func TestParseCorpus(t *testing.T) {
	for name, w := range corpus {
		t.Run(name, func(t *testing.T) {
			m, err := Parse(readTestdata(t, name))
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			checkMessage(t, m, w)
			checkInvariants(t, m)
		})
	}
}

func checkMessage(t *testing.T, m *Message, w want) {
	t.Helper()
	eq := func(field string, got, want any) {
		t.Helper()
		if fmt.Sprintf("%#v", got) != fmt.Sprintf("%#v", want) {
			t.Errorf("%s:\n got %#v\nwant %#v", field, got, want)
		}
	}
	eq("MessageID", m.MessageID, w.MessageID)
	eq("InReplyTo", m.InReplyTo, w.InReplyTo)
	eq("References", m.References, w.References)
	eq("Subject", m.Subject, w.Subject)
	eq("From", m.From, w.From)
	eq("To", m.To, w.To)
	eq("Cc", m.Cc, w.Cc)
	eq("Bcc", m.Bcc, w.Bcc)
	eq("ReplyTo", m.ReplyTo, w.ReplyTo)
	if w.Date == "" {
		if !m.Date.IsZero() {
			t.Errorf("Date: got %v, want zero", m.Date)
		}
	} else {
		d, err := time.Parse(time.RFC3339, w.Date)
		if err != nil {
			t.Fatal(err)
		}
		if !m.Date.Equal(d) || m.Date.Format(time.RFC3339) != w.Date {
			t.Errorf("Date: got %s, want %s", m.Date.Format(time.RFC3339), w.Date)
		}
	}
	var keys []string
	for k := range m.Headers {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	eq("header keys", keys, w.HeaderKeys)
	for k, v := range w.Headers {
		eq("Headers["+k+"]", m.Headers[k], v)
	}
	eq("Text", m.Text, w.Text)
	eq("HTML", m.HTML, w.HTML)
	eq("Preview", m.Preview, w.Preview)

	if len(m.Attachments) != len(w.Attachments) {
		t.Errorf("got %d attachments, want %d", len(m.Attachments), len(w.Attachments))
	}
	for i := range min(len(m.Attachments), len(w.Attachments)) {
		a, wa := m.Attachments[i], w.Attachments[i]
		p := fmt.Sprintf("Attachments[%d].", i)
		eq(p+"FileName", a.FileName, wa.FileName)
		eq(p+"ContentType", a.ContentType, wa.ContentType)
		eq(p+"ContentID", a.ContentID, wa.ContentID)
		eq(p+"Inline", a.Inline, wa.Inline)
		eq(p+"size", len(a.Data), wa.Size)
		if wa.SHA256 != "" {
			sum := sha256.Sum256(a.Data)
			eq(p+"sha256", hex.EncodeToString(sum[:]), wa.SHA256)
		}
		if wa.Data != "" {
			eq(p+"Data", string(a.Data), wa.Data)
		}
	}

	if len(m.Warnings) != len(w.Warnings) {
		t.Errorf("warnings:\n got %q\nwant %q", m.Warnings, w.Warnings)
	} else {
		for i, s := range w.Warnings {
			if !strings.Contains(m.Warnings[i], s) {
				t.Errorf("Warnings[%d] = %q, want it to contain %q", i, m.Warnings[i], s)
			}
		}
	}
}

// checkInvariants holds for every message Parse returns, whatever the input.
func checkInvariants(t testing.TB, m *Message) {
	t.Helper()
	valid := func(field, s string) {
		if !utf8.ValidString(s) {
			t.Errorf("%s is not valid UTF-8: %q", field, s)
		}
	}
	noControl := func(field, s string) {
		valid(field, s)
		if strings.ContainsAny(s, "\r\n\x00") {
			t.Errorf("%s has CR, LF or NUL: %q", field, s)
		}
	}
	noControl("MessageID", m.MessageID)
	noControl("InReplyTo", m.InReplyTo)
	for _, r := range m.References {
		noControl("References", r)
	}
	noControl("Subject", m.Subject)
	for _, l := range [][]Address{m.From, m.To, m.Cc, m.Bcc, m.ReplyTo} {
		for _, a := range l {
			noControl("address name", a.Name)
			noControl("address", a.Email)
			if a.Email == "" {
				t.Errorf("address without email: %+v", a)
			}
		}
	}
	n := 0
	for k, vs := range m.Headers {
		valid("header name", k)
		for _, v := range vs {
			noControl("header "+k, v)
			if len(v) > MaxHeaderValue {
				t.Errorf("header %s has %d bytes", k, len(v))
			}
			n++
		}
	}
	if n > MaxHeaders {
		t.Errorf("%d header values", n)
	}
	valid("Text", m.Text)
	valid("HTML", m.HTML)
	valid("Preview", m.Preview)
	if strings.Contains(m.Text, "\r") || strings.Contains(m.HTML, "\r") {
		t.Error("body has CR")
	}
	if c := utf8.RuneCountInString(m.Preview); c > PreviewLength {
		t.Errorf("preview has %d characters", c)
	}
	if m.Preview != strings.TrimSpace(m.Preview) || strings.Contains(m.Preview, "  ") || strings.ContainsAny(m.Preview, "\n\t") {
		t.Errorf("preview whitespace not collapsed: %q", m.Preview)
	}
	for _, a := range m.Attachments {
		noControl("file name", a.FileName)
		if a.FileName == "" || len(a.FileName) > MaxFileName || strings.ContainsAny(a.FileName, `/\`) ||
			strings.HasPrefix(a.FileName, ".") || a.FileName != strings.TrimSpace(a.FileName) {
			t.Errorf("bad file name %q", a.FileName)
		}
		if !strings.Contains(a.ContentType, "/") || a.ContentType != strings.ToLower(a.ContentType) {
			t.Errorf("bad content type %q", a.ContentType)
		}
		if a.Data == nil {
			t.Errorf("attachment %q has nil Data", a.FileName)
		}
	}
	for _, w := range m.Warnings {
		noControl("warning", w)
	}
	if len(m.Warnings) > maxWarnings+1 {
		t.Errorf("%d warnings", len(m.Warnings))
	}
}

func TestForwardedMessage(t *testing.T) {
	raw := readTestdata(t, "forwarded.eml")
	m, err := Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	_, inner, _ := bytes.Cut(raw, []byte("Content-Disposition: attachment\n\n"))
	inner, _, _ = bytes.Cut(inner, []byte("\n--outer-mix--"))
	if got := m.Attachments[0].Data; !bytes.Equal(got, inner) {
		t.Errorf("forwarded message data:\n%s\nwant\n%s", got, inner)
	}
	// Neither the forwarded body nor its attachment leak into the outer message.
	if strings.Contains(m.Text, "INNER") || strings.Contains(m.HTML, "INNER") || len(m.Attachments) != 1 {
		t.Errorf("forwarded message merged: text %q, %d attachments", m.Text, len(m.Attachments))
	}
}

func TestLineEndingsDoNotMatter(t *testing.T) {
	for name := range corpus {
		raw := readTestdata(t, name)
		if !utf8.Valid(raw) && name != "latin1.eml" {
			continue
		}
		lf := bytes.ReplaceAll(raw, []byte("\r\n"), []byte("\n"))
		crlf := bytes.ReplaceAll(lf, []byte("\n"), []byte("\r\n"))
		a, err1 := Parse(lf)
		b, err2 := Parse(crlf)
		if err1 != nil || err2 != nil {
			t.Fatalf("%s: %v %v", name, err1, err2)
		}
		for i := range a.Attachments {
			// Text attachments keep their line endings; the rest must match.
			if strings.HasPrefix(a.Attachments[i].ContentType, "text/") || a.Attachments[i].ContentType == "message/rfc822" {
				a.Attachments[i].Data, b.Attachments[i].Data = nil, nil
			}
		}
		if fmt.Sprintf("%#v", a) != fmt.Sprintf("%#v", b) {
			t.Errorf("%s: LF and CRLF versions differ:\n%#v\n%#v", name, a, b)
		}
	}
}

func TestParseErrors(t *testing.T) {
	// A binary body: a 40 MB text body would spend seconds in charset detection.
	big := append([]byte("Subject: big\r\nContent-Type: application/octet-stream\r\n\r\n"), bytes.Repeat([]byte("a"), MaxSize)...)
	for _, tc := range []struct {
		name string
		raw  []byte
		err  error
	}{
		{"empty", nil, ErrEmpty},
		{"blank", []byte(" \r\n\r\n\t"), ErrEmpty},
		{"no headers", []byte("hello world, no header here\n"), ErrNoHeaders},
		{"body only", []byte("\r\n\r\njust a body\r\n"), ErrNoHeaders},
		{"over MaxSize", big[:MaxSize+1], ErrTooLarge},
	} {
		m, err := Parse(tc.raw)
		if m != nil || !errors.Is(err, tc.err) {
			t.Errorf("%s: got %v, %v; want %v", tc.name, m != nil, err, tc.err)
		}
	}
	// Exactly MaxSize is accepted.
	m, err := Parse(big[:MaxSize])
	if err != nil || m.Subject != "big" || len(m.Attachments) != 1 {
		t.Errorf("MaxSize: %v", err)
	}
}

func parseOK(t *testing.T, raw string) *Message {
	t.Helper()
	m, err := Parse([]byte(raw))
	if err != nil {
		t.Fatalf("Parse(%.60q): %v", raw, err)
	}
	checkInvariants(t, m)
	return m
}

func hasWarning(m *Message, s string) bool {
	return slices.ContainsFunc(m.Warnings, func(w string) bool { return strings.Contains(w, s) })
}

func TestRecoverableDefects(t *testing.T) {
	t.Run("multipart without boundary parameter", func(t *testing.T) {
		m := parseOK(t, "From: a@example.com\nContent-Type: multipart/mixed\n\nplain words\n")
		if m.Text != "plain words\n" || len(m.Attachments) != 0 || !hasWarning(m, "no MIME parts") {
			t.Errorf("%q %d %q", m.Text, len(m.Attachments), m.Warnings)
		}
	})
	t.Run("boundary never used", func(t *testing.T) {
		m := parseOK(t, "From: a@example.com\nContent-Type: multipart/mixed; boundary=zzz\n\nplain words\n")
		if m.Text != "plain words\n" || !hasWarning(m, "no MIME parts") {
			t.Errorf("%q %q", m.Text, m.Warnings)
		}
	})
	t.Run("unreadable content type", func(t *testing.T) {
		m := parseOK(t, "From: a@example.com\nContent-Type: ;;;===\"\n\nplain words\n")
		if m.Text != "plain words\n" || len(m.Attachments) != 0 {
			t.Errorf("%q %d", m.Text, len(m.Attachments))
		}
	})
	t.Run("unknown charsets", func(t *testing.T) {
		m := parseOK(t, "From: a@example.com\nSubject: =?x-unknown?q?abc?= and =?utf-8?q?=C3=A4?=\nContent-Type: text/plain; charset=x-unknown\n\nbody \xe9\n")
		if m.Subject != "=?x-unknown?q?abc?= and ä" || m.Text != "body \uFFFD\n" || !hasWarning(m, "x-unknown") {
			t.Errorf("%q %q %q", m.Subject, m.Text, m.Warnings)
		}
	})
	t.Run("raw 8-bit headers", func(t *testing.T) {
		m := parseOK(t, "From: \"M\xfcller\" <m@example.de>\nSubject: Gr\xfc\xdfe \xe2\x82\xac\n\n")
		// Windows-1252 when the header is not UTF-8; UTF-8 (RFC 6532) otherwise.
		if m.From[0].Name != "Müller" || m.Subject != "Grüße â‚¬" {
			t.Errorf("%+v %q", m.From, m.Subject)
		}
		m = parseOK(t, "Subject: Grüße €\n\n")
		if m.Subject != "Grüße €" {
			t.Errorf("%q", m.Subject)
		}
	})
	t.Run("header injection through encoded words", func(t *testing.T) {
		m := parseOK(t, "From: =?utf-8?q?Eve=0D=0ABcc=3A_x=40evil.example?= <eve@example.com>\nSubject: =?utf-8?q?hi=0D=0AX-Evil:_1=00?=\n\n")
		if m.Subject != "hi  X-Evil: 1" || m.From[0].Name != "Eve  Bcc: x@evil.example" {
			t.Errorf("%q %q", m.Subject, m.From[0].Name)
		}
	})
	t.Run("mbox From line", func(t *testing.T) {
		m := parseOK(t, "From someone@example.com Mon Jan  1 00:00:00 2024\nFrom: a@example.com\nSubject: mbox\n\nbody\n")
		if m.Subject != "mbox" || m.Text != "body\n" || len(m.From) != 1 {
			t.Errorf("%+v", m)
		}
	})
	t.Run("From header with a space before the colon", func(t *testing.T) {
		m := parseOK(t, "From : a@example.com\nSubject: x\n\nbody\n")
		if len(m.From) != 1 || m.Subject != "x" {
			t.Errorf("%+v %q", m.From, m.Subject)
		}
	})
	t.Run("only an attachment", func(t *testing.T) {
		m := parseOK(t, "From: a@example.com\nContent-Type: application/pdf\nContent-Transfer-Encoding: base64\n\nJVBERi0=\n")
		if m.Text != "" || len(m.Attachments) != 1 || m.Attachments[0].FileName != "attachment-1.pdf" || string(m.Attachments[0].Data) != "%PDF-" {
			t.Errorf("%+v", m)
		}
	})
	t.Run("text part as attachment with hostile name", func(t *testing.T) {
		m := parseOK(t, "From: a@example.com\nContent-Type: text/plain\nContent-Disposition: attachment; filename=\"../../etc/\u202egnp.exe\"\n\nbody\n")
		if m.Text != "" || len(m.Attachments) != 1 || m.Attachments[0].FileName != "gnp.exe" {
			t.Errorf("%+v", m.Attachments)
		}
	})
	t.Run("broken base64 text", func(t *testing.T) {
		m := parseOK(t, "From: a@example.com\nContent-Type: text/plain\nContent-Transfer-Encoding: base64\n\naGVsbG8gd29y!!bGQ=\n")
		if !strings.HasPrefix(m.Text, "hello") || len(m.Warnings) == 0 {
			t.Errorf("%q %q", m.Text, m.Warnings)
		}
	})
	t.Run("forwarded message without subject", func(t *testing.T) {
		m := parseOK(t, "From: a@example.com\nContent-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: text/plain\n\nsee attached\n--b\nContent-Type: message/rfc822\n\nFrom: c@example.com\n\ninner\n--b--\n")
		if m.Text != "see attached" || len(m.Attachments) != 1 || m.Attachments[0].FileName != "attachment-1.eml" {
			t.Errorf("%q %+v", m.Text, m.Attachments)
		}
	})
	t.Run("named inline text part is an attachment", func(t *testing.T) {
		// Apple Mail sends small text files inline, between body parts.
		m := parseOK(t, "From: a@example.com\nContent-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: text/plain\n\nbefore\n--b\nContent-Type: text/plain; name=notes.txt\nContent-Disposition: inline; filename=notes.txt\n\nnote\n--b\nContent-Type: text/plain\n\nafter\n--b--\n")
		if m.Text != "before\n--\nafter" || len(m.Attachments) != 1 || m.Attachments[0].FileName != "notes.txt" ||
			!m.Attachments[0].Inline || string(m.Attachments[0].Data) != "note" {
			t.Errorf("%q %+v", m.Text, m.Attachments)
		}
	})
	t.Run("HTML body and a named text part", func(t *testing.T) {
		m := parseOK(t, "From: a@example.com\nContent-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: text/html\n\n<p>Hello <b>you</b></p>\n--b\nContent-Type: text/plain\nContent-Disposition: inline; filename=log.txt\n\nlog\n--b--\n")
		if m.Text != "Hello *you*" || m.HTML != "<p>Hello <b>you</b></p>" || len(m.Attachments) != 1 || len(m.Warnings) != 0 {
			t.Errorf("%q %q %+v %q", m.Text, m.HTML, m.Attachments, m.Warnings)
		}
	})
	t.Run("second HTML part is kept as an attachment", func(t *testing.T) {
		m := parseOK(t, "From: a@example.com\nContent-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: text/html\n\n<p>one</p>\n--b\nContent-Type: image/jpeg\nContent-Disposition: inline\n\nJPEG\n--b\nContent-Type: text/html\n\n<p>two</p>\n--b--\n")
		if m.HTML != "<p>one</p>" || len(m.Attachments) != 2 ||
			m.Attachments[0].FileName != "attachment-1.jpg" || !m.Attachments[0].Inline ||
			m.Attachments[1].FileName != "attachment-2.html" || string(m.Attachments[1].Data) != "<p>two</p>" {
			t.Errorf("%q %+v", m.HTML, m.Attachments)
		}
	})
}

func TestHeaderBounds(t *testing.T) {
	var b strings.Builder
	b.WriteString("From: a@example.com\r\nSubject: many headers\r\n")
	for i := range 300 {
		fmt.Fprintf(&b, "X-Trace-%03d: %d\r\n", i, i)
	}
	fmt.Fprintf(&b, "X-Long: %s\r\n", strings.Repeat("ä", MaxHeaderValue)) // 2 bytes each
	b.WriteString("To: b@example.com\r\n\r\nbody\r\n")
	m := parseOK(t, b.String())
	n := 0
	for _, v := range m.Headers {
		n += len(v)
	}
	if n != MaxHeaders {
		t.Errorf("%d header values kept", n)
	}
	// The important headers are kept whatever their number.
	for _, k := range []string{"From", "Subject", "To"} {
		if len(m.Headers[k]) != 1 {
			t.Errorf("%s dropped", k)
		}
	}
	if !hasWarning(m, "fields dropped") {
		t.Errorf("warnings %q", m.Warnings)
	}
	if len(m.To) != 1 || m.Subject != "many headers" {
		t.Errorf("%+v %q", m.To, m.Subject)
	}

	m = parseOK(t, fmt.Sprintf("From: a@example.com\r\nSubject: %s\r\n\r\n", strings.Repeat("ä", MaxHeaderValue)))
	if len(m.Subject) != MaxHeaderValue || len(m.Headers["Subject"][0]) != MaxHeaderValue || !hasWarning(m, "cut to") {
		t.Errorf("subject %d bytes, %q", len(m.Subject), m.Warnings)
	}
}

func TestPathologicalStructure(t *testing.T) {
	deep := func(depth int) string {
		var b strings.Builder
		b.WriteString("From: a@example.com\r\nSubject: deep\r\nContent-Type: multipart/mixed; boundary=\"b0\"\r\n\r\n")
		for i := 1; i <= depth; i++ {
			fmt.Fprintf(&b, "--b%d\r\nContent-Type: multipart/mixed; boundary=\"b%d\"\r\n\r\n", i-1, i)
		}
		fmt.Fprintf(&b, "--b%d\r\nContent-Type: text/plain\r\n\r\ndeep text\r\n", depth)
		return b.String()
	}
	wide := func(parts int) string {
		var b strings.Builder
		b.WriteString("From: a@example.com\r\nSubject: wide\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n\r\n")
		for range parts {
			b.WriteString("--b\r\nContent-Type: image/png\r\n\r\nx\r\n")
		}
		b.WriteString("--b--\r\n")
		return b.String()
	}
	for name, tc := range map[string]struct {
		raw    string
		parsed bool
	}{
		// enmime needs seconds for 20 unterminated levels, minutes for 30.
		"10 levels":     {deep(10), true},
		"30 levels":     {deep(30), false},
		"1000 levels":   {deep(1000), false},
		"1000 parts":    {wide(1000), true},
		"100000 parts":  {wide(100000), false},
		"hidden levels": {strings.Replace(deep(30), "boundary=", "BOUNDARY*=", -1), false},
	} {
		t.Run(name, func(t *testing.T) {
			start := time.Now()
			m := parseOK(t, tc.raw)
			if d := time.Since(start); d > 2*time.Second {
				t.Errorf("took %v", d)
			}
			if got := !hasWarning(m, "MIME structure not parsed"); got != tc.parsed {
				t.Errorf("parsed %v, want %v; warnings %q", got, tc.parsed, m.Warnings)
			}
			if !tc.parsed && (m.Text == "" || m.Subject == "") {
				t.Errorf("fallback lost the message: %q %q", m.Subject, m.Text)
			}
		})
	}
	// A legitimate message with many forwarded messages, each with its own
	// multiparts, is parsed.
	var b strings.Builder
	b.WriteString("From: a@example.com\r\nContent-Type: multipart/mixed; boundary=\"outer\"\r\n\r\n--outer\r\nContent-Type: text/plain\r\n\r\nten mails\r\n")
	for i := range 10 {
		fmt.Fprintf(&b, "--outer\r\nContent-Type: message/rfc822\r\n\r\nSubject: mail %d\r\nContent-Type: multipart/mixed; boundary=\"m%d\"\r\n\r\n--m%d\r\nContent-Type: multipart/alternative; boundary=\"a%d\"\r\n\r\n--a%d\r\nContent-Type: text/plain\r\n\r\nx\r\n--a%d--\r\n--m%d--\r\n", i, i, i, i, i, i, i)
	}
	b.WriteString("--outer--\r\n")
	m := parseOK(t, b.String())
	if len(m.Attachments) != 10 || m.Attachments[9].FileName != "mail 9.eml" || len(m.Warnings) != 0 {
		t.Errorf("%d attachments, warnings %q", len(m.Attachments), m.Warnings)
	}
}

func TestAddresses(t *testing.T) {
	for _, tc := range []struct {
		header string
		want   []Address
		warn   int
	}{
		{`a@example.com`, []Address{addr("", "a@example.com")}, 0},
		{`"Doe, Jane" <jane@example.com>, john@example.com`, []Address{addr("Doe, Jane", "jane@example.com"), addr("", "john@example.com")}, 0},
		{`Team: a@example.com, "B, b" <b@example.com>;`, []Address{addr("", "a@example.com"), addr("B, b", "b@example.com")}, 0},
		{`undisclosed-recipients:;`, nil, 0},
		{``, nil, 0},
		{`<a@example.com> <b@example.com>`, []Address{addr("", "a@example.com"), addr("", "b@example.com")}, 0}, // missing comma
		{`Jane Doe jane@example.com`, []Address{addr("Jane Doe", "jane@example.com")}, 1},
		{`"Unclosed <u@example.com>, ok@example.com`, []Address{addr("Unclosed", "u@example.com")}, 1},
		{`@, <>, ;`, nil, 2},
		{`=?utf-8?q?Ren=C3=A9?= <rene@example.fr>`, []Address{addr("René", "rene@example.fr")}, 0},
	} {
		m := parseOK(t, "From: x@example.com\nTo: "+tc.header+"\n\n")
		if fmt.Sprint(m.To) != fmt.Sprint(tc.want) || len(m.Warnings) != tc.warn {
			t.Errorf("To: %s\n got %q, warnings %q\nwant %q, %d warnings", tc.header, m.To, m.Warnings, tc.want, tc.warn)
		}
	}
	// Repeated To headers are all read.
	m := parseOK(t, "To: a@example.com\nTo: b@example.com\n\n")
	if len(m.To) != 2 {
		t.Errorf("%v", m.To)
	}
}

func TestSanitizeFileName(t *testing.T) {
	for in, want := range map[string]string{
		"report.pdf":                      "report.pdf",
		`C:\Users\jd\Desktop\r.pdf`:       "r.pdf",
		"../../etc/passwd":                "passwd",
		"..":                              "",
		" . ":                             "",
		".hidden":                         "hidden",
		"a\x00b\r\nc.txt":                 "a b  c.txt",
		"invoice\u202efdp.exe":            "invoicefdp.exe",
		"zero\u200bwidth.txt":             "zerowidth.txt",
		"bad\xffutf8.txt":                 "badÿutf8.txt",
		strings.Repeat("x", 300) + ".pdf": strings.Repeat("x", MaxFileName-4) + ".pdf",
		strings.Repeat("ä", 300):          strings.Repeat("ä", MaxFileName/2),
	} {
		if got := sanitizeFileName(in); got != want {
			t.Errorf("sanitizeFileName(%q) = %q, want %q", in, got, want)
		}
	}
	if got := subjectFileName("Re: a/b\\c"); got != "Re: a-b-c" {
		t.Errorf("subjectFileName: %q", got)
	}
}

func TestIDs(t *testing.T) {
	for in, want := range map[string][]string{
		"<a@x> <b@x>\t<c@x>":   {"a@x", "b@x", "c@x"},
		"<a@x>(comment) <b@x>": {"a@x", "b@x"},
		"a@x b@x":              {"a@x", "b@x"},
		"  <  spaced@x  >  ":   {"spaced@x"},
		"<>":                   nil,
		"":                     nil,
		"<unclosed@x":          nil,
		"=?utf-8?q?<enc@x>?=":  {"enc@x"},
	} {
		if got := ids(in); fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("ids(%q) = %q, want %q", in, got, want)
		}
	}
	var refs []string
	for i := range 150 {
		refs = append(refs, fmt.Sprintf("<r%d@x>", i))
	}
	got := ids(strings.Join(refs, " "))
	if len(got) != 100 || got[0] != "r0@x" || got[1] != "r51@x" || got[99] != "r149@x" {
		t.Errorf("long References: %d %q", len(got), got[:2])
	}
}

func TestPreview(t *testing.T) {
	for in, want := range map[string]string{
		"":                          "",
		"  \n\t ":                   "",
		"a\n\n b\t\tc  ":            "a b c",
		strings.Repeat("x", 300):    strings.Repeat("x", PreviewLength-1) + "…",
		strings.Repeat("word ", 60): strings.TrimSpace(strings.Repeat("word ", 39)) + "…",
		strings.Repeat("é", 250):    strings.Repeat("é", PreviewLength-1) + "…",
	} {
		if got := preview(in); got != want {
			t.Errorf("preview(%.30q) = %q, want %q", in, got, want)
		}
	}
}

func TestWarningsAreBounded(t *testing.T) {
	var b strings.Builder
	b.WriteString("From: a@example.com\nTo: ")
	for i := range 300 {
		fmt.Fprintf(&b, "bad%d@, ", i)
	}
	b.WriteString("\n\n")
	m := parseOK(t, b.String())
	if len(m.Warnings) != maxWarnings+1 || m.Warnings[maxWarnings] != "more warnings dropped" {
		t.Errorf("%d warnings", len(m.Warnings))
	}
}

func TestParseNeverPanics(t *testing.T) {
	// The same inputs the fuzz test starts from, cut at every length.
	for name := range corpus {
		raw := readTestdata(t, name)
		for i := 0; i <= len(raw); i += 7 {
			m, err := parse(raw[:i])
			if (m == nil) == (err == nil) {
				t.Fatalf("%s[:%d]: message %v, error %v", name, i, m != nil, err)
			}
			if m != nil {
				checkInvariants(t, m)
			}
		}
	}
}
