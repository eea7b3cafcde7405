package identity

import (
	"net/url"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/effektif-serverless/caseflow/shared/failure"
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
		"https://app.example.com:444/base", strings.Repeat("/a", MaxRedirectLength),
		"https://app.example.com/base/../admin", "https://app.example.com/base/%2e%2e/admin", "https://app.example.com/base/./x", "/cases/../x"} {
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
		if u, err := url.Parse(to); err == nil {
			for _, seg := range strings.Split(u.Path, "/") {
				if seg == "." || seg == ".." {
					t.Fatalf("%q accepted with a dot segment", to)
				}
			}
		}
	})
}

func TestValidations(t *testing.T) {
	for addr, ok := range map[string]bool{
		"ada@example.com": true, " ada@example.com ": true, "": false, "ada": false, "Ada <ada@example.com>": false,
		strings.Repeat("a", 250) + "@x.io": false, "a@b@c": false,
	} {
		if err := ValidateEmail(FieldEmail, addr); (err == nil) != ok {
			t.Errorf("ValidateEmail(%q) = %v", addr, err)
		} else if err != nil && failure.As(err).Field != FieldEmail {
			t.Errorf("ValidateEmail(%q) blames %q", addr, failure.As(err).Field)
		}
	}
	for pw, ok := range map[string]bool{"12345678": true, "1234567": false, "ääääääää": true, strings.Repeat("x", MaxPasswordLength+1): false} {
		if err := ValidatePassword("password", pw); (err == nil) != ok {
			t.Errorf("ValidatePassword(%d bytes) = %v", len(pw), err)
		}
	}
	for name, ok := range map[string]bool{"Ada": true, "": true, "a\x00b": false, "a\nb": false, "\xff": false, strings.Repeat("é", MaxNameLength): true, strings.Repeat("é", MaxNameLength+1): false} {
		if err := ValidateName("firstName", name); (err == nil) != ok {
			t.Errorf("ValidateName(%q) = %v", name, err)
		}
	}
}

func TestThrottledSaysWhatAndWhen(t *testing.T) {
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	err := failure.As(throttled(Throttle{Until: now.Add(90 * time.Second)}, now, "invitation mails to this address"))
	if err.Code != failure.TooManyRequests || !strings.Contains(err.Message, "invitation mails") || err.Details.(map[string]int)["retryAfterSeconds"] != 91 {
		t.Fatalf("%+v", err)
	}
}

func TestRecentSends(t *testing.T) {
	now := time.Now()
	got := recentSends([]time.Time{now.Add(-25 * time.Hour), now.Add(-23 * time.Hour), now}, now)
	if len(got) != 2 {
		t.Fatalf("%v", got)
	}
}
