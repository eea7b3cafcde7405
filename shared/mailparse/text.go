package mailparse

import (
	"errors"
	"io"
	"mime"
	"net/mail"
	"path"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/jhillyerd/enmime/v2"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/htmlindex"
	"golang.org/x/text/encoding/ianaindex"
)

// wordDecoder decodes RFC 2047 encoded words in any charset the WHATWG
// encoding standard or IANA names (Shift_JIS, ISO-2022-JP, Windows-1252...).
var wordDecoder = &mime.WordDecoder{
	CharsetReader: func(charset string, input io.Reader) (io.Reader, error) {
		enc, err := htmlindex.Get(charset)
		if err != nil {
			enc, err = ianaindex.MIME.Encoding(charset)
		}
		if err != nil || enc == nil {
			return nil, errors.New("unknown charset " + charset)
		}
		return enc.NewDecoder().Reader(input), nil
	},
}

var encodedWord = regexp.MustCompile(`=\?[^?\s]+\?[bBqQ]\?[^?\s]*\?=`)

// decodeWords decodes the RFC 2047 encoded words of a header value. When
// one word cannot be decoded (unknown charset, bad encoding), the others
// still are and that one is kept as written.
func decodeWords(v string) string {
	if !strings.Contains(v, "=?") {
		return v
	}
	if d, err := wordDecoder.DecodeHeader(v); err == nil {
		return d
	}
	return encodedWord.ReplaceAllStringFunc(v, func(w string) string {
		if d, err := wordDecoder.Decode(w); err == nil {
			return d
		}
		return w
	})
}

// toUTF8 returns s as valid UTF-8. Raw 8-bit header bytes that are not
// UTF-8 are nearly always Windows-1252 (or its subset ISO-8859-1), so they
// are read as such; anything else invalid becomes U+FFFD.
func toUTF8(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	if d, err := charmap.Windows1252.NewDecoder().String(s); err == nil && utf8.ValidString(d) {
		return d
	}
	return strings.ToValidUTF8(s, "\uFFFD")
}

// cleanHeader makes a decoded header value safe to store and to write back
// into a header: valid UTF-8, control characters (CR, LF, NUL...) replaced by
// spaces, surrounding space trimmed.
func cleanHeader(s string) string {
	s = toUTF8(s)
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s)
	return strings.TrimSpace(s)
}

// cleanText returns a body as valid UTF-8 with LF line endings.
func cleanText(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	if strings.Contains(s, "\r") {
		s = strings.ReplaceAll(s, "\r\n", "\n")
		s = strings.ReplaceAll(s, "\r", "\n")
	}
	return s
}

// bound cuts s to at most n bytes without splitting a character.
func bound(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// ids returns the message ids of a header such as References: the <...>
// tokens, or the space separated words when there are no angle brackets.
// Long lists keep the first id (the thread's root) and the last ones.
func ids(v string) []string {
	v = cleanHeader(decodeWords(v))
	var out []string
	if strings.Contains(v, "<") {
		for {
			i := strings.IndexByte(v, '<')
			if i < 0 {
				break
			}
			j := strings.IndexByte(v[i:], '>')
			if j < 0 {
				break
			}
			if id := strings.TrimSpace(v[i+1 : i+j]); id != "" {
				out = append(out, bound(id, 998))
			}
			v = v[i+j+1:]
		}
	} else {
		for _, f := range strings.Fields(v) {
			out = append(out, bound(f, 998))
		}
	}
	const maxIDs = 100
	if len(out) > maxIDs {
		out = append(out[:1], out[len(out)-maxIDs+1:]...)
	}
	return out
}

// firstID returns the first message id of a header value (Message-ID,
// In-Reply-To, Content-ID), without <>.
func firstID(v string) string {
	if l := ids(v); len(l) > 0 {
		return l[0]
	}
	return ""
}

var addrSpec = regexp.MustCompile(`[^\s<>()\[\]",;:@]+@[^\s<>()\[\]",;:@]+`)

// addresses parses the values of an address header. Lists that net/mail
// (through enmime) cannot read are split at top-level commas and read
// address by address; an address that still fails is repaired when it
// contains something like local@domain, and dropped otherwise, with a warning.
func (m *Message) addresses(field string, values []string) []Address {
	var out []Address
	add := func(list []*mail.Address) {
		for _, a := range list {
			if len(out) >= maxAddresses {
				return
			}
			email := cleanHeader(a.Address)
			if email == "" {
				continue
			}
			out = append(out, Address{Name: bound(cleanHeader(a.Name), MaxHeaderValue), Email: bound(email, MaxHeaderValue)})
		}
	}
	for _, v := range values {
		v = toUTF8(v)
		if strings.TrimSpace(v) == "" {
			continue
		}
		list, err := enmime.ParseAddressList(v)
		if err == nil {
			add(list)
			continue
		}
		if errors.Is(err, mail.ErrHeaderNotPresent) {
			continue
		}
		for _, piece := range splitAddressList(v) {
			piece = stripGroup(piece)
			if piece == "" {
				continue
			}
			if list, err := enmime.ParseAddressList(piece); err == nil {
				add(list)
				continue
			}
			if a, ok := salvageAddress(piece); ok {
				m.warn("%s: repaired malformed address %q", field, bound(cleanHeader(piece), 200))
				add([]*mail.Address{a})
				continue
			}
			m.warn("%s: dropped malformed address %q", field, bound(cleanHeader(piece), 200))
		}
	}
	if len(out) >= maxAddresses {
		m.warn("%s: only the first %d addresses kept", field, maxAddresses)
	}
	return out
}

// stripGroup removes the syntax of an address group ("Team: a@x, b@y;")
// from a piece of a split address list.
func stripGroup(piece string) string {
	piece = strings.TrimSpace(piece)
	if i := strings.IndexByte(piece, ':'); i >= 0 && !strings.ContainsAny(piece[:i], `"<@`) {
		piece = strings.TrimSpace(piece[i+1:])
	}
	return strings.TrimSpace(strings.TrimSuffix(piece, ";"))
}

// splitAddressList splits at commas outside quoted strings and comments.
// Commas inside angle brackets split too: an unclosed "<" must not swallow
// the rest of the list.
func splitAddressList(s string) []string {
	var parts []string
	var quoted, escaped bool
	depth, start := 0, 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case escaped:
			escaped = false
		case c == '\\':
			escaped = true
		case quoted:
			quoted = c != '"'
		case c == '"':
			quoted = true
		case c == '(':
			depth++
		case c == ')' && depth > 0:
			depth--
		case c == ',' && depth == 0:
			parts = append(parts, s[start:i])
			start = i + 1
		}
	}
	return append(parts, s[start:])
}

// salvageAddress makes an address out of a malformed one that still
// contains local@domain, e.g. `Jane Doe <jane@example.org` or
// `jane@example.org (Jane`.
func salvageAddress(s string) (*mail.Address, bool) {
	loc := addrSpec.FindStringIndex(s)
	if loc == nil {
		return nil, false
	}
	email := strings.Trim(s[loc[0]:loc[1]], ".")
	if strings.HasPrefix(email, "@") || strings.HasSuffix(email, "@") {
		return nil, false
	}
	trim := func(s string) string {
		return strings.Trim(strings.Join(strings.Fields(s), " "), ` "'<>()`)
	}
	name := trim(s[:loc[0]])
	if name == "" {
		name = trim(s[loc[1]:])
	}
	return &mail.Address{Name: decodeWords(name), Address: email}, true
}

// sanitizeFileName returns the base name of a file name from a part's
// header: no directories, no control or formatting characters (bidi
// overrides can disguise an extension), no leading or trailing dots or
// spaces, at most MaxFileName bytes with the extension kept. It returns ""
// when nothing is left.
func sanitizeFileName(name string) string {
	name = toUTF8(name)
	name = strings.ReplaceAll(name, `\`, "/")
	if i := strings.LastIndexByte(name, '/'); i >= 0 {
		name = name[i+1:]
	}
	name = strings.Map(func(r rune) rune {
		switch {
		case unicode.IsControl(r):
			return ' '
		case unicode.Is(unicode.Cf, r), r == utf8.RuneError:
			return -1
		}
		return r
	}, name)
	name = strings.Trim(name, " .")
	if len(name) > MaxFileName {
		ext := path.Ext(name)
		if len(ext) > 16 {
			ext = ""
		}
		name = strings.TrimRight(bound(name[:len(name)-len(ext)], MaxFileName-len(ext)), " .") + ext
	}
	return name
}

// subjectFileName turns a subject into a file name stem: a subject may
// contain slashes, which are not directories.
func subjectFileName(subject string) string {
	subject = strings.NewReplacer("/", "-", `\`, "-").Replace(subject)
	return sanitizeFileName(bound(subject, MaxFileName-len(".eml")))
}

// extensions maps common attachment types to a file name extension.
var extensions = map[string]string{
	"application/gzip":                                ".gz",
	"application/ics":                                 ".ics",
	"application/json":                                ".json",
	"application/msword":                              ".doc",
	"application/pdf":                                 ".pdf",
	"application/pgp-encrypted":                       ".pgp",
	"application/pgp-signature":                       ".asc",
	"application/pkcs7-mime":                          ".p7m",
	"application/pkcs7-signature":                     ".p7s",
	"application/rtf":                                 ".rtf",
	"application/vnd.ms-excel":                        ".xls",
	"application/vnd.ms-outlook":                      ".msg",
	"application/vnd.ms-powerpoint":                   ".ppt",
	"application/vnd.oasis.opendocument.presentation": ".odp",
	"application/vnd.oasis.opendocument.spreadsheet":  ".ods",
	"application/vnd.oasis.opendocument.text":         ".odt",
	"application/vnd.openxmlformats-officedocument.presentationml.presentation": ".pptx",
	"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet":         ".xlsx",
	"application/vnd.openxmlformats-officedocument.wordprocessingml.document":   ".docx",
	"application/x-pkcs7-signature":                                             ".p7s",
	"application/xml":                                                           ".xml",
	"application/zip":                                                           ".zip",
	"audio/mpeg":                                                                ".mp3",
	"audio/wav":                                                                 ".wav",
	"image/bmp":                                                                 ".bmp",
	"image/gif":                                                                 ".gif",
	"image/heic":                                                                ".heic",
	"image/jpeg":                                                                ".jpg",
	"image/jpg":                                                                 ".jpg",
	"image/png":                                                                 ".png",
	"image/svg+xml":                                                             ".svg",
	"image/tiff":                                                                ".tif",
	"image/webp":                                                                ".webp",
	"message/delivery-status":                                                   ".txt",
	"message/global":                                                            ".eml",
	"message/rfc822":                                                            ".eml",
	"text/calendar":                                                             ".ics",
	"text/csv":                                                                  ".csv",
	"text/html":                                                                 ".html",
	"text/plain":                                                                ".txt",
	"text/rfc822-headers":                                                       ".txt",
	"text/vcard":                                                                ".vcf",
	"text/x-vcard":                                                              ".vcf",
	"text/xml":                                                                  ".xml",
	"video/mp4":                                                                 ".mp4",
	"video/quicktime":                                                           ".mov",
}

// extension returns the file name extension for a media type, ".bin" when unknown.
func extension(contentType string) string {
	if e, ok := extensions[contentType]; ok {
		return e
	}
	return ".bin"
}

// preview returns the first PreviewLength characters of text with
// whitespace collapsed, cut at a word boundary when one is near, with "…"
// when cut.
func preview(text string) string {
	var b strings.Builder
	runes, space := 0, false
	for _, r := range text {
		if unicode.IsSpace(r) || unicode.IsControl(r) {
			space = runes > 0
			continue
		}
		if space {
			b.WriteByte(' ')
			runes++
			space = false
		}
		b.WriteRune(r)
		runes++
		if runes > PreviewLength {
			break
		}
	}
	s := b.String()
	if runes <= PreviewLength {
		return s
	}
	// Cut to PreviewLength-1 characters plus the ellipsis.
	rs := []rune(s)[:PreviewLength-1]
	cut := string(rs)
	if i := strings.LastIndexByte(cut, ' '); i >= 0 && utf8.RuneCountInString(cut[i:]) <= 40 {
		cut = cut[:i]
	}
	return strings.TrimRight(cut, " ") + "…"
}
