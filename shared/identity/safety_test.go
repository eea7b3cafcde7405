package identity

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestMailSafe(t *testing.T) {
	for in, want := range map[string]string{
		"Ada":                                    "Ada",
		"  Jean-Luc   O'Neil ":                   "Jean-Luc O'Neil",
		"Visit https://evil.example/x":           "Visit httpsevilexamplex",
		"me@evil.example":                        "meevilexample",
		"Ren\u00e9e \u202eevil\u202c":            "Ren\u00e9e evil",
		"Line\r\nBreak\tTab":                     "Line Break Tab",
		"Acme & Sons (Berlin), Ltd.":             "Acme & Sons (Berlin), Ltd",
		strings.Repeat("x", MaxMailNameLength+5): strings.Repeat("x", MaxMailNameLength),
	} {
		if got := mailSafe(in); got != want {
			t.Errorf("mailSafe(%q) = %q, want %q", in, got, want)
		}
	}
}

func FuzzMailSafe(f *testing.F) {
	f.Add("Click http://evil.example now")
	f.Add("\u202e\u0000a.b@c")
	f.Fuzz(func(t *testing.T, in string) {
		out := mailSafe(in)
		if utf8.RuneCountInString(out) > MaxMailNameLength || strings.ContainsAny(out, ".:/@\\<>\"\r\n\t") || !utf8.ValidString(out) {
			t.Fatalf("mailSafe(%q) = %q", in, out)
		}
	})
}

func TestCheckRedirect(t *testing.T) {
	s := &Service{BaseURL: "https://app.example.com/base"}
	for _, ok := range []string{"", "/", "/cases?x=1#y", "https://app.example.com/base", "https://app.example.com/base/cases", "HTTPS://APP.example.com/base/x"} {
		if err := s.checkRedirect(ok); err != nil {
			t.Errorf("%q refused: %v", ok, err)
		}
	}
	for _, bad := range []string{"//evil.example", "/\\evil.example", "javascript:alert(1)", "https://evil.example/base", "https://app.example.com/basement",
		"https://app.example.com.evil.example/base", "https://user@app.example.com/base", "http://app.example.com/base", "/x\x00", "cases",
		"https://app.example.com:444/base", strings.Repeat("/a", MaxRedirectLength)} {
		if err := s.checkRedirect(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	if err := (&Service{}).checkRedirect("https://anything.example/"); err == nil {
		t.Error("an absolute URL accepted without a base URL")
	}
}

func FuzzCheckRedirect(f *testing.F) {
	f.Add("/cases")
	f.Add("https://app.example.com/base/x")
	f.Add("//evil")
	s := &Service{BaseURL: "https://app.example.com/base"}
	f.Fuzz(func(t *testing.T, to string) {
		if s.checkRedirect(to) != nil || to == "" {
			return
		}
		if strings.HasPrefix(to, "//") || strings.ContainsAny(to, "\\\x00\r\n") {
			t.Fatalf("%q accepted", to)
		}
		if !strings.HasPrefix(to, "/") && !strings.HasPrefix(strings.ToLower(to), "https://app.example.com/base") {
			t.Fatalf("%q accepted", to)
		}
	})
}
