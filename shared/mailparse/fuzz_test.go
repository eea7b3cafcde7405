package mailparse

import (
	"path/filepath"
	"testing"
)

// FuzzParse checks that no input makes Parse panic or hang, that it returns
// either a message or an error, and that a message always has the
// invariants of checkInvariants. It calls parse, without Parse's recover, so
// that a panic inside enmime is reported too.
//
//	go test ./shared/mailparse -run '^$' -fuzz FuzzParse -fuzztime 60s
func FuzzParse(f *testing.F) {
	files, err := filepath.Glob("testdata/*.eml")
	if err != nil {
		f.Fatal(err)
	}
	for _, file := range files {
		f.Add(readTestdata(f, filepath.Base(file)))
	}
	for _, s := range []string{
		"",
		"Subject: x\n\n",
		"From: a@example.com\nContent-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: multipart/alternative; boundary=c\n\n--c\n\ntext\n--c--\n--b\nContent-Type: message/rfc822\n\nSubject: inner\n\nx\n--b--\n",
		"To: =?utf-8?b?5L2Q6Jek?= <a@b>, \"x, y\" <c@d>, broken@\nSubject: =?Shift_JIS?B?ieqLYw==?=\n\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		m, err := parse(raw)
		if (m == nil) == (err == nil) {
			t.Fatalf("message %v, error %v", m != nil, err)
		}
		if m != nil {
			checkInvariants(t, m)
		}
	})
}
