package identity_test

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/effektif-serverless/caseflow/shared/failure"
	"github.com/effektif-serverless/caseflow/shared/identity"
	"github.com/effektif-serverless/caseflow/shared/ids"
)

const recoveryBase = "https://id.example.com/app"

func recoveryWorld(t *testing.T) *world {
	w := newWorld(t)
	w.svc.BaseURL = recoveryBase
	return w
}

// linkKey is the key in the last link mailed to the address (the line
// that starts with the base URL).
func (o *outbox) linkKey(t *testing.T, address string) string {
	t.Helper()
	ms := o.to(address)
	if len(ms) == 0 {
		t.Fatalf("no mail to %s", address)
	}
	for _, line := range strings.Split(ms[len(ms)-1].Text, "\n") {
		if strings.HasPrefix(line, recoveryBase) {
			u, err := url.Parse(line)
			if err != nil {
				t.Fatal(err)
			}
			return u.Query().Get("k")
		}
	}
	t.Fatalf("no link in %q", ms[len(ms)-1].Text)
	return ""
}

func TestRecoveryEmailCRUD(t *testing.T) {
	w := recoveryWorld(t)
	u := w.account("owner@example.com")
	other := w.account("other@example.com")

	a, err := w.svc.AddRecoveryEmail(w.ctx, u.ID, "", " backup@example.org ")
	w.ok(err, "add")
	if !ids.Valid(a.ID) || a.Address != "backup@example.org" || a.Validated() || a.UserID != u.ID {
		t.Fatalf("added %+v", a)
	}
	given := ids.New()
	b, err := w.svc.AddRecoveryEmail(w.ctx, u.ID, given, "second@example.org")
	w.ok(err, "add with an id")
	if b.ID != given {
		t.Fatalf("id %s, want %s", b.ID, given)
	}
	_, err = w.svc.AddRecoveryEmail(w.ctx, u.ID, given, "third@example.org")
	w.fails(err, failure.Conflict, "an id twice")
	_, err = w.svc.AddRecoveryEmail(w.ctx, u.ID, "", "BACKUP@example.org")
	w.fails(err, failure.Conflict, "an address twice")
	_, err = w.svc.AddRecoveryEmail(w.ctx, u.ID, "", "Owner@Example.com")
	w.fails(err, failure.Invalid, "the sign-in address")
	for _, bad := range []string{"", "not an address", "Name <x@example.org>"} {
		_, err = w.svc.AddRecoveryEmail(w.ctx, u.ID, "", bad)
		w.fails(err, failure.Invalid, "address "+bad)
	}
	_, err = w.svc.AddRecoveryEmail(w.ctx, u.ID, "not-an-id", "x@example.org")
	w.fails(err, failure.Invalid, "a malformed id")
	_, err = w.svc.AddRecoveryEmail(w.ctx, "", "", "x@example.org")
	w.fails(err, failure.Unauthenticated, "no caller")
	_, err = w.svc.AddRecoveryEmail(w.ctx, other.ID, "", "backup@example.org")
	w.ok(err, "another user may name the same address")

	for i := 2; i < identity.MaxRecoveryEmails; i++ {
		_, err := w.svc.AddRecoveryEmail(w.ctx, u.ID, "", "more"+string(rune('a'+i))+"@example.org")
		w.ok(err, "add up to the limit")
	}
	_, err = w.svc.AddRecoveryEmail(w.ctx, u.ID, "", "toomany@example.org")
	w.fails(err, failure.Conflict, "beyond MaxRecoveryEmails")

	list, err := w.svc.RecoveryEmails(w.ctx, u.ID)
	w.ok(err, "list")
	if len(list) != identity.MaxRecoveryEmails {
		t.Fatalf("list of %d", len(list))
	}
	for i := 1; i < len(list); i++ {
		if list[i-1].ID >= list[i].ID {
			t.Fatalf("not by id: %+v", list)
		}
	}
	got, err := w.svc.RecoveryEmail(w.ctx, u.ID, a.ID)
	w.ok(err, "get")
	if got.Address != a.Address {
		t.Fatalf("got %+v", got)
	}
	_, err = w.svc.RecoveryEmail(w.ctx, other.ID, a.ID)
	w.fails(err, failure.NotFound, "another user's")
	_, err = w.svc.RecoveryEmail(w.ctx, u.ID, "../x")
	w.fails(err, failure.NotFound, "a malformed id")

	same, err := w.svc.ReplaceRecoveryEmail(w.ctx, u.ID, a.ID, "Backup@Example.org")
	w.ok(err, "replace with the same address")
	if same.Version != a.Version {
		t.Fatalf("the same address changed the email: %+v", same)
	}
	_, err = w.svc.ReplaceRecoveryEmail(w.ctx, u.ID, a.ID, b.Address)
	w.fails(err, failure.Conflict, "replace with another recovery address of the user")
	moved, err := w.svc.ReplaceRecoveryEmail(w.ctx, u.ID, a.ID, "moved@example.org")
	w.ok(err, "replace")
	if moved.Address != "moved@example.org" || moved.Version != 2 {
		t.Fatalf("moved %+v", moved)
	}
	_, err = w.svc.ReplaceRecoveryEmail(w.ctx, other.ID, a.ID, "x@example.org")
	w.fails(err, failure.NotFound, "replace another user's")

	w.fails(w.svc.DeleteRecoveryEmail(w.ctx, other.ID, a.ID), failure.NotFound, "delete another user's")
	w.ok(w.svc.DeleteRecoveryEmail(w.ctx, u.ID, a.ID), "delete")
	w.fails(w.svc.DeleteRecoveryEmail(w.ctx, u.ID, a.ID), failure.NotFound, "delete twice")
	_, err = w.svc.AddRecoveryEmail(w.ctx, u.ID, "", "moved@example.org")
	w.ok(err, "room again after a delete, and the address free")
}

func TestRecoveryEmailValidationLink(t *testing.T) {
	w := recoveryWorld(t)
	u := w.account("link@example.com")
	e, err := w.svc.AddRecoveryEmail(w.ctx, u.ID, "", "spare@example.org")
	w.ok(err, "add")
	template := recoveryBase + "/verify?k=${key}"
	w.ok(w.svc.SendRecoveryEmailValidation(w.ctx, u.ID, e.ID, template), "send")
	ms := w.mail.to("spare@example.org")
	if len(ms) != 1 {
		t.Fatalf("%d mails", len(ms))
	}
	m := ms[0]
	if strings.Contains(m.Text, "${key}") || strings.Contains(m.Text, "link@example.com") || !strings.Contains(m.Text, "24 hours") ||
		m.Subject != "Confirm your recovery email address" {
		t.Fatalf("mail %+v", m)
	}
	key := w.mail.linkKey(t, "spare@example.org")
	if len(key) < 20 {
		t.Fatalf("key %q", key)
	}
	if len(w.mail.to("link@example.com")) != 0 {
		t.Fatal("the sign-in address got a mail")
	}

	// A newer key makes the older one stop working.
	w.ok(w.svc.SendRecoveryEmailValidation(w.ctx, u.ID, e.ID, template), "send again")
	newer := w.mail.linkKey(t, "spare@example.org")
	_, err = w.svc.ValidateRecoveryEmail(w.ctx, key)
	w.fails(err, failure.Gone, "the replaced key")

	w.now = w.now.Add(time.Hour)
	v, err := w.svc.ValidateRecoveryEmail(w.ctx, newer)
	w.ok(err, "validate")
	if !v.Validated() || !v.ValidatedAt.Equal(w.now) {
		t.Fatalf("validated %+v", v)
	}
	got, _ := w.svc.RecoveryEmail(w.ctx, u.ID, e.ID)
	if !got.ValidatedAt.Equal(w.now) {
		t.Fatalf("stored %+v", got)
	}
	_, err = w.svc.ValidateRecoveryEmail(w.ctx, newer)
	w.fails(err, failure.Gone, "the key twice")
	for _, bad := range []string{"", "nope", strings.Repeat("x", 200)} {
		_, err = w.svc.ValidateRecoveryEmail(w.ctx, bad)
		w.fails(err, failure.Gone, "key "+bad)
	}

	// Changing the address clears the validation and kills a live key.
	w.ok(w.svc.SendRecoveryEmailValidation(w.ctx, u.ID, e.ID, template), "send for the validated address")
	live := w.mail.linkKey(t, "spare@example.org")
	changed, err := w.svc.ReplaceRecoveryEmail(w.ctx, u.ID, e.ID, "changed@example.org")
	w.ok(err, "replace")
	if changed.Validated() {
		t.Fatal("still validated after the address changed")
	}
	_, err = w.svc.ValidateRecoveryEmail(w.ctx, live)
	w.fails(err, failure.Gone, "a key mailed to the old address")

	// Expiry.
	w.ok(w.svc.SendRecoveryEmailValidation(w.ctx, u.ID, e.ID, template), "send to the new address")
	late := w.mail.linkKey(t, "changed@example.org")
	w.now = w.now.Add(identity.RecoveryKeyTTL)
	_, err = w.svc.ValidateRecoveryEmail(w.ctx, late)
	w.fails(err, failure.Gone, "an expired key")

	// Another user cannot send for this email.
	other := w.account("intruder@example.com")
	w.fails(w.svc.SendRecoveryEmailValidation(w.ctx, other.ID, e.ID, template), failure.NotFound, "another user's email")
}

func TestRecoveryVerificationURLRule(t *testing.T) {
	w := recoveryWorld(t)
	u := w.account("rule@example.com")
	e, err := w.svc.AddRecoveryEmail(w.ctx, u.ID, "", "rule@example.org")
	w.ok(err, "add")
	for _, good := range []string{
		recoveryBase + "/verify?k=${key}",
		recoveryBase + "/verify/${key}",
		"HTTPS://ID.example.com/app/v#k=${key}",
		recoveryBase + "?k=${key}",
	} {
		w.now = w.now.Add(2 * identity.MailWindow)
		w.ok(w.svc.SendRecoveryEmailValidation(w.ctx, u.ID, e.ID, good), good)
	}
	before := len(w.mail.to("rule@example.org"))
	for _, bad := range []string{
		"",
		recoveryBase + "/verify",        // no key
		recoveryBase + "/${key}/${key}", // twice
		"https://evil.example.net/app/verify?k=${key}",    // another site
		"http://id.example.com/app/verify?k=${key}",       // another scheme
		"https://id.example.com:8443/app/verify?k=${key}", // another port
		"https://id.example.com/other?k=${key}",           // outside the base path
		"https://id.example.com/application?k=${key}",     // a prefix is no path below
		"https://id.example.com${key}/app",                // key in the host
		"https://${key}.id.example.com/app",               // key in the host
		"https://user@id.example.com/app?k=${key}",        // user info
		"https://id.example.com@evil.example.net/app?k=${key}",
		"javascript:alert(1)//${key}",
		"/app/verify?k=${key}", // not absolute
		"https://id.example.com/app/ver ify?k=${key}",
		"https://id.example.com/app\\@evil.example.net/?k=${key}",
		"https://id.example.com/app/\n?k=${key}",
		"https://id.example.com/app/../x?k=${key}",
		"https://id.example.com/app/%2e%2E/x?k=${key}",
		recoveryBase + "/" + strings.Repeat("a", identity.MaxVerificationURLLength) + "?k=${key}",
	} {
		err := w.svc.SendRecoveryEmailValidation(w.ctx, u.ID, e.ID, bad)
		if fe := failure.As(err); fe == nil || fe.Code != failure.Invalid || fe.Field != identity.FieldVerificationURL {
			t.Errorf("%q: got %v, want Invalid verificationUrl", bad, err)
		}
	}
	if after := len(w.mail.to("rule@example.org")); after != before {
		t.Fatalf("refused templates sent %d mails", after-before)
	}
	w.svc.BaseURL = ""
	w.fails(w.svc.SendRecoveryEmailValidation(w.ctx, u.ID, e.ID, recoveryBase+"/v?k=${key}"), failure.Invalid, "no base URL configured")
}

func TestRecoveryChallenge(t *testing.T) {
	w := recoveryWorld(t)
	u := w.account("chal@example.com")
	e, err := w.svc.AddRecoveryEmail(w.ctx, u.ID, "", "box@example.org")
	w.ok(err, "add")
	f, err := w.svc.AddRecoveryEmail(w.ctx, u.ID, "", "box2@example.org")
	w.ok(err, "add another")
	w.ok(w.svc.CreateRecoveryChallenge(w.ctx, u.ID, e.ID), "create a challenge")
	m := w.mail.to("box@example.org")
	if len(m) != 1 || m[0].Subject != "Your recovery email code" || strings.Contains(m[0].Text, "chal@example.com") {
		t.Fatalf("mail %+v", m)
	}
	code := w.mail.code("box@example.org")
	if code == "" {
		t.Fatal("no code in the mail")
	}
	other := w.account("thief@example.com")
	_, err = w.svc.AnswerRecoveryChallenge(w.ctx, other.ID, e.ID, code)
	w.fails(err, failure.NotFound, "another user answers")
	_, err = w.svc.AnswerRecoveryChallenge(w.ctx, u.ID, f.ID, code)
	w.fails(err, failure.Gone, "the code for another recovery email")
	_, err = w.svc.AnswerRecoveryChallenge(w.ctx, u.ID, e.ID, "wrong")
	w.fails(err, failure.Gone, "a wrong code")
	v, err := w.svc.AnswerRecoveryChallenge(w.ctx, u.ID, e.ID, code)
	w.ok(err, "answer (the code stayed after the refusals)")
	if !v.Validated() {
		t.Fatalf("not validated: %+v", v)
	}
	_, err = w.svc.AnswerRecoveryChallenge(w.ctx, u.ID, e.ID, code)
	w.fails(err, failure.Gone, "answer twice")
	_, err = w.svc.ValidateRecoveryEmail(w.ctx, code)
	w.fails(err, failure.Gone, "the answered code as a link key")

	// The link's key answers a challenge too.
	w.ok(w.svc.SendRecoveryEmailValidation(w.ctx, u.ID, f.ID, recoveryBase+"/v?k=${key}"), "send a link")
	key := w.mail.linkKey(t, "box2@example.org")
	_, err = w.svc.AnswerRecoveryChallenge(w.ctx, u.ID, f.ID, key)
	w.ok(err, "answer with the link's key")
	w.fails(w.svc.CreateRecoveryChallenge(w.ctx, other.ID, e.ID), failure.NotFound, "another user's challenge")
}

func TestRecoveryMailsLimited(t *testing.T) {
	w := recoveryWorld(t)
	u := w.account("flood@example.com")
	e, err := w.svc.AddRecoveryEmail(w.ctx, u.ID, "", "victim@example.org")
	w.ok(err, "add")
	for i := range identity.MaxMailsPerAddress + 3 {
		if i%2 == 0 {
			w.ok(w.svc.CreateRecoveryChallenge(w.ctx, u.ID, e.ID), "challenge")
		} else {
			w.ok(w.svc.SendRecoveryEmailValidation(w.ctx, u.ID, e.ID, recoveryBase+"/v?k=${key}"), "send")
		}
	}
	if n := len(w.mail.to("victim@example.org")); n != identity.MaxMailsPerAddress {
		t.Fatalf("%d mails, want %d", n, identity.MaxMailsPerAddress)
	}
	w.now = w.now.Add(identity.MailWindow)
	w.ok(w.svc.CreateRecoveryChallenge(w.ctx, u.ID, e.ID), "the next window")
	if n := len(w.mail.to("victim@example.org")); n != identity.MaxMailsPerAddress+1 {
		t.Fatalf("%d mails after the window", n)
	}
}

// FuzzRecoveryVerificationURL checks the template rule from outside: a
// template the service accepts mails a link to BaseURL's scheme, host and
// path, with the key after the host.
func FuzzRecoveryVerificationURL(f *testing.F) {
	for _, s := range []string{
		recoveryBase + "/verify?k=${key}", recoveryBase + "/${key}", "https://id.example.com${key}",
		"https://id.example.com@evil.example.net/app?k=${key}", "https://id.example.com/app/..%2f..%2fx?k=${key}",
		"https://id.example.com/app#${key}", "https://id.example.com/app?${key}@evil", "//evil.example.net/app/${key}",
		"https://id.example.com/app/%2e%2e/${key}", "https://id.example.com:443/app/${key}",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, template string) {
		w := recoveryWorld(t)
		u := w.account("fuzz@example.com")
		e, err := w.svc.AddRecoveryEmail(w.ctx, u.ID, "", "fuzzbox@example.org")
		w.ok(err, "add")
		err = w.svc.SendRecoveryEmailValidation(w.ctx, u.ID, e.ID, template)
		if err != nil {
			if !failure.Is(err, failure.Invalid) {
				t.Fatalf("%q: %v", template, err)
			}
			return
		}
		ms := w.mail.to("fuzzbox@example.org")
		if len(ms) != 1 {
			t.Fatalf("%q accepted, %d mails", template, len(ms))
		}
		var link string
		for _, line := range strings.Split(ms[0].Text, "\n") {
			if strings.Contains(strings.ToLower(line), "://") {
				link = line
			}
		}
		u2, err := url.Parse(link)
		if err != nil || !strings.EqualFold(u2.Scheme, "https") || !strings.EqualFold(u2.Host, "id.example.com") || u2.User != nil ||
			u2.Path != "/app" && !strings.HasPrefix(u2.Path, "/app/") || strings.Contains(u2.Path, "/../") || strings.HasSuffix(u2.Path, "/..") {
			t.Fatalf("%q accepted, mails %q (%v)", template, link, err)
		}
	})
}
