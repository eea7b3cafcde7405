package mailintake

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/effektif-serverless/caseflow/shared/failure"
	"github.com/effektif-serverless/caseflow/shared/mailparse"
)

func TestVerifySignsTimestampRecipientsAndBody(t *testing.T) {
	secret, body, now := []byte("s"), []byte("Subject: x\r\n\r\nhi"), time.Unix(1_800_000_000, 0)
	ts := strconv.FormatInt(now.Unix(), 10)
	sig := Sign(secret, ts, "a@d,b@d", body)
	if err := Verify(secret, ts, "a@d,b@d", body, sig, now); err != nil {
		t.Fatal(err)
	}
	for name, err := range map[string]error{
		"other recipients": Verify(secret, ts, "a@d", body, sig, now),
		"other body":       Verify(secret, ts, "a@d,b@d", append(body, '!'), sig, now),
		"other timestamp":  Verify(secret, ts+"0", "a@d,b@d", body, sig, now),
		"other secret":     Verify([]byte("t"), ts, "a@d,b@d", body, sig, now),
		"no secret":        Verify(nil, ts, "a@d,b@d", body, Sign(nil, ts, "a@d,b@d", body), now),
		"too old":          Verify(secret, ts, "a@d,b@d", body, sig, now.Add(MaxClockSkew+time.Second)),
		"too new":          Verify(secret, ts, "a@d,b@d", body, sig, now.Add(-MaxClockSkew-time.Second)),
		"not a number":     Verify(secret, "x", "", body, Sign(secret, "x", "", body), now),
		"body only":        Verify(secret, ts, "", body, Sign(secret, "", "", body), now),
	} {
		if !failure.Is(err, failure.Unauthenticated) {
			t.Errorf("%s: %v", name, err)
		}
	}
	if err := Verify(secret, ts, "a@d,b@d", body, sig, now.Add(MaxClockSkew)); err != nil {
		t.Errorf("at the edge of the window: %v", err)
	}
}

func TestRecipients(t *testing.T) {
	// However an HTTP layer split the header, the canonical form is one.
	for _, values := range [][]string{{"a@d, b@d ,c@d"}, {"a@d", "b@d", "c@d"}, {"a@d,b@d", " c@d"}} {
		if got := CanonicalRecipients(values); got != "a@d,b@d,c@d" {
			t.Errorf("%q: %q", values, got)
		}
	}
	got, err := ParseRecipients("a@d,,B@d,b@D,a@d")
	if err != nil || strings.Join(got, " ") != "a@d B@d" {
		t.Fatalf("%v %v", got, err)
	}
	for _, bad := range []string{"Ada <a@d>", "a", "a@d,<b@d>", strings.Repeat("x", 300) + "@d"} {
		if _, err := ParseRecipients(bad); !failure.Is(err, failure.Invalid) {
			t.Errorf("%q: %v", bad, err)
		}
	}
	many := make([]string, MaxRecipients+1)
	for i := range many {
		many[i] = "org+" + strconv.Itoa(i) + "@d"
	}
	if _, err := ParseRecipients(strings.Join(many, ",")); !failure.Is(err, failure.Invalid) {
		t.Errorf("%d recipients: %v", len(many), err)
	}
	if got, err := ParseRecipients(strings.Join(many[:MaxRecipients], ",")); err != nil || len(got) != MaxRecipients {
		t.Errorf("%d recipients: %v", MaxRecipients, err)
	}
	if got, err := DomainRecipients(append([]string{"x@other", "org@D"}, many[:3]...), "d"); err != nil || len(got) != 4 {
		t.Errorf("domain recipients: %v %v", got, err)
	}
}

func TestAuthenticationVerifies(t *testing.T) {
	from := []mailparse.Address{{Email: "ada@example.com"}}
	plain := []byte("From: ada@example.com\r\nSubject: x\r\n\r\nhi")
	signed := func(d ...string) []byte {
		h := ""
		for _, x := range d {
			h += "DKIM-Signature: v=1; a=rsa-sha256;\r\n d=" + x + "; s=s; b=x\r\n"
		}
		return append([]byte(h), plain...)
	}
	for _, c := range []struct {
		name string
		a    Authentication
		raw  []byte
		from []mailparse.Address
		want bool
	}{
		{"DMARC pass", Authentication{DMARC: "PASS"}, plain, from, true},
		{"all failed", Authentication{SPF: "FAIL", DKIM: "FAIL", DMARC: "FAIL", EnvelopeFrom: "ada@example.com"}, plain, from, false},
		{"DMARC fail, aligned SPF pass", Authentication{SPF: "PASS", DMARC: "FAIL", EnvelopeFrom: "ada@example.com"}, plain, from, false},
		{"aligned SPF pass", Authentication{SPF: "PASS", DMARC: "GRAY", EnvelopeFrom: "b@EXAMPLE.com."}, plain, from, true},
		{"SPF pass of a subdomain", Authentication{SPF: "PASS", DMARC: "GRAY", EnvelopeFrom: "b@mail.example.com"}, plain, from, false},
		{"SPF pass of another domain", Authentication{SPF: "PASS", DMARC: "GRAY", EnvelopeFrom: "b@evil.test"}, plain, from, false},
		{"aligned DKIM pass", Authentication{DKIM: "PASS", DMARC: "GRAY"}, signed("Example.COM"), from, true},
		{"DKIM pass, one signature of another domain", Authentication{DKIM: "PASS", DMARC: "GRAY"}, signed("example.com", "evil.test"), from, false},
		{"DKIM pass without a signature", Authentication{DKIM: "PASS", DMARC: "GRAY"}, plain, from, false},
		{"two From fields", Authentication{DMARC: "PASS"}, append([]byte("From: eve@evil.test\r\n"), plain...), from, false},
		{"two From addresses", Authentication{DMARC: "PASS"}, plain, append(from, mailparse.Address{Email: "b@example.com"}), false},
		{"no verdicts", Authentication{}, plain, from, false},
		{"unreadable header", Authentication{DMARC: "PASS"}, []byte("no header"), from, false},
	} {
		if got := c.a.Verifies(c.raw, c.from); got != c.want {
			t.Errorf("%s: %t, want %t", c.name, got, c.want)
		}
	}
}

// FuzzRecipients checks that the recipients header's parsing never
// panics, that its canonical form is stable and that what it accepts is
// bounded, distinct and made of bare addresses.
//
//	go test ./shared/mailintake -run '^$' -fuzz FuzzRecipients -fuzztime 30s
func FuzzRecipients(f *testing.F) {
	for _, s := range []string{"", "a@d", "a@d, b@d", "\"x, y\" <a@d>", "a@d,,A@D", "@", "a@[127.0.0.1]"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, header string) {
		canonical := CanonicalRecipients([]string{header})
		if again := CanonicalRecipients(strings.Split(canonical, ",")); again != canonical {
			t.Fatalf("canonical form not stable: %q, %q", canonical, again)
		}
		got, err := ParseRecipients(canonical)
		if err != nil {
			return
		}
		if len(got) > MaxRecipients || len(Distinct(got)) != len(got) {
			t.Fatalf("%q: %q", header, got)
		}
		for _, a := range got {
			if strings.ContainsAny(a, ", <>") || !strings.Contains(a, "@") {
				t.Fatalf("%q accepted %q", header, a)
			}
		}
	})
}

// FuzzVerifies checks that deciding on a sender from SES's verdicts never
// panics on any message, and needs an aligned domain for a non-DMARC pass.
//
//	go test ./shared/mailintake -run '^$' -fuzz FuzzVerifies -fuzztime 30s
func FuzzVerifies(f *testing.F) {
	f.Add([]byte("From: a@x.test\r\nDKIM-Signature: d=x.test\r\n\r\n"), "a@x.test", "x@x.test")
	f.Add([]byte("DKIM-Signature: d\r\n\r\n"), "@", "")
	f.Fuzz(func(t *testing.T, raw []byte, from, envelope string) {
		a := Authentication{SPF: "PASS", DKIM: "PASS", DMARC: "GRAY", EnvelopeFrom: envelope}
		ok := a.Verifies(raw, []mailparse.Address{{Email: from}})
		if ok && addressDomain(from) == "" {
			t.Fatalf("verified a From without a domain: %q", from)
		}
	})
}
