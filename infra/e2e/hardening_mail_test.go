package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/effektif-serverless/caseflow/shared/ids"
	"github.com/effektif-serverless/caseflow/shared/mailintake"
	"github.com/effektif-serverless/caseflow/shared/objects"

	"github.com/effektif-serverless/caseflow/infra/localparams"
)

// webhookSecret is the local stack's MailWebhookSecret.
var webhookSecret = []byte(localparams.Values["MailWebhookSecret"])

// postWebhook posts a raw message to the mail webhook with the headers.
func postWebhook(t testing.TB, body []byte, h http.Header) response {
	t.Helper()
	req, _ := http.NewRequest("POST", stack.GatewayURL+"/api/v1/mail/incoming", bytes.NewReader(body))
	req.Header = h.Clone()
	req.Header.Set("Content-Type", "message/rfc822")
	return roundTrip(t, req)
}

// signedHeaders are the headers of a delivery signed at time at, for the
// recipients header value (none when "").
func signedHeaders(body []byte, recipients string, at time.Time) http.Header {
	ts := strconv.FormatInt(at.Unix(), 10)
	canonical := ""
	h := http.Header{mailintake.TimestampHeader: {ts}}
	if recipients != "" {
		h.Set(mailintake.RecipientsHeader, recipients)
		canonical = mailintake.CanonicalRecipients([]string{recipients})
	}
	h.Set(mailintake.SignatureHeader, mailintake.Sign(webhookSecret, ts, canonical, body))
	return h
}

func webhookOutcomes(t testing.TB, r response) []mailintake.Outcome {
	t.Helper()
	var out struct{ Outcomes []mailintake.Outcome }
	decodeJSON(t, expect(t, r, http.StatusOK).Body, &out)
	return out.Outcomes
}

// verdicts are SES's receipt verdicts of a delivery, and its envelope sender.
type verdicts struct {
	spf, dkim, dmarc, source string
}

// deliverSESWith delivers a message through the SES intake with the given
// verdicts.
func deliverSESWith(t testing.TB, raw []byte, recipients []string, v verdicts) []mailintake.Outcome {
	t.Helper()
	return invokeSESWith(t, storeIncoming(t, raw), recipients, "PASS", v)
}

// storeIncoming stores a message where the SES receipt rule does and
// returns its message id.
func storeIncoming(t testing.TB, raw []byte) string {
	t.Helper()
	id := ids.New()
	bucket := objects.Bucket{Client: stack.AWS.S3(), Name: "filesbucket"}
	if err := bucket.Put(context.Background(), "incoming/"+id, "message/rfc822", raw); err != nil {
		t.Fatal(err)
	}
	return id
}

// invokeSESWith invokes the intake function with an SES receipt event, as
// SES does.
func invokeSESWith(t testing.TB, messageID string, recipients []string, spam string, v verdicts) []mailintake.Outcome {
	t.Helper()
	status := func(s string) map[string]string { return map[string]string{"status": s} }
	event := map[string]any{"Records": []any{map[string]any{
		"eventSource": "aws:ses", "eventVersion": "1.0",
		"ses": map[string]any{
			"mail": map[string]any{"messageId": messageID, "source": v.source, "destination": recipients},
			"receipt": map[string]any{"recipients": recipients, "spamVerdict": status(spam), "virusVerdict": status("PASS"),
				"spfVerdict": status(v.spf), "dkimVerdict": status(v.dkim), "dmarcVerdict": status(v.dmarc)},
		},
	}}}
	data, _ := json.Marshal(event)
	out, err := stack.Invoke(context.Background(), "mailintake", data)
	if err != nil {
		t.Fatalf("invoke the intake: %v", err)
	}
	var outcomes []mailintake.Outcome
	decodeJSON(t, out, &outcomes)
	return outcomes
}

// createdTasks counts the tasks a created in the organization (a's own
// when orgKey is "").
func createdTasks(t testing.TB, a account, orgKey ...string) int {
	t.Helper()
	key := a.OrgKey
	if len(orgKey) > 0 {
		key = orgKey[0]
	}
	var tasks []map[string]any
	decodeJSON(t, expect(t, call(t, "GET", "/api/v1/"+key+"/tasks?involvement=created", a.Token, nil), http.StatusOK).Body, &tasks)
	return len(tasks)
}

// TestMailSESSenderMustBeVerified: a mail whose From names a member is the
// member's only when SES's verdicts verify the From address (DMARC PASS,
// or without a DMARC policy an SPF or DKIM pass aligned with the From
// domain); otherwise it is an unknown sender's: it starts workflows with
// an email trigger, as anyone may, and files nothing else.
func TestMailSESSenderMustBeVerified(t *testing.T) {
	a := signUp(t, "Mail Verified Senders")
	org := "/api/v1/" + a.OrgKey
	inbox := a.OrgKey + "@" + mailDomain
	c := expect(t, call(t, "POST", org+"/cases", a.Token, map[string]any{"name": "Claim"}), http.StatusOK).JSON(t)
	caseAddr := a.OrgKey + "+" + c["id"].(string) + "@" + mailDomain
	members := publish(t, a, `{"name": "Members only", "enableCases": true,
	  "activities": [{"type": "startEvent", "id": "s"}, {"type": "userTask", "id": "u", "name": "Do"}, {"type": "endEvent", "id": "e"}],
	  "transitions": [{"fromId": "s", "toId": "u"}, {"fromId": "u", "toId": "e"}]}`)
	anyone := publish(t, a, `{"name": "Anyone", "enableCases": true, "trigger": {"type": "email"},
	  "activities": [{"type": "startEvent", "id": "s"}, {"type": "userTask", "id": "u", "name": "Do"}, {"type": "endEvent", "id": "e"}],
	  "transitions": [{"fromId": "s", "toId": "u"}, {"fromId": "u", "toId": "e"}]}`)
	membersAddr := a.OrgKey + "+" + members + "@" + mailDomain
	anyoneAddr := a.OrgKey + "+" + anyone + "@" + mailDomain
	domain := a.Email[strings.LastIndex(a.Email, "@")+1:]
	forged := verdicts{spf: "FAIL", dkim: "FAIL", dmarc: "FAIL", source: "bounce@attacker.example"}

	// All verdicts failed: none of the member's addresses takes it.
	for _, to := range []string{inbox, caseAddr, membersAddr} {
		out := deliverSESWith(t, rawMail(a.Email, to, "Forged", "Pay me", "x"), []string{to}, forged)
		if len(out) != 1 || out[0].Status != mailintake.Rejected || !strings.Contains(out[0].Reason, "not verified") {
			t.Fatalf("forged mail to %s: %+v", to, out)
		}
	}
	// A workflow with an email trigger takes it, as an unknown sender's.
	out := deliverSESWith(t, rawMail(a.Email, anyoneAddr, "Forged", "Pay me", "x"), []string{anyoneAddr}, forged)
	if out[0].Status != mailintake.Filed || out[0].Filed.CaseID == "" {
		t.Fatalf("forged mail to an email-trigger workflow: %+v", out)
	}
	if got := expect(t, call(t, "GET", org+"/cases/"+out[0].Filed.CaseID, a.Token, nil), http.StatusOK).JSON(t); fmt.Sprint(got["creatorId"]) == a.UserID {
		t.Fatalf("the forged mail's case is the member's: %v", got)
	}
	var evs []map[string]any
	decodeJSON(t, expect(t, call(t, "GET", org+"/cases/"+c["id"].(string)+"/events?type=mail", a.Token, nil), http.StatusOK).Body, &evs)
	if n := createdTasks(t, a); n != 0 || len(evs) != 0 {
		t.Fatalf("forged mail filed %d tasks, %d case mails", n, len(evs))
	}

	// Which verdicts verify the member, and which do not.
	dkim := func(d string) []byte {
		return append([]byte("DKIM-Signature: v=1; a=rsa-sha256; d="+d+"; s=s1;\r\n\th=from:to; bh=x; b=y\r\n"), rawMail(a.Email, inbox, "Signed", "Hi", "x")...)
	}
	for _, c := range []struct {
		name  string
		raw   []byte
		v     verdicts
		filed bool
	}{
		{"DMARC pass", rawMail(a.Email, inbox, "DMARC", "Hi", "x"), verdicts{"FAIL", "FAIL", "PASS", "bounce@elsewhere.example"}, true},
		{"no DMARC policy, aligned SPF pass", rawMail(a.Email, inbox, "SPF", "Hi", "x"), verdicts{"PASS", "GRAY", "GRAY", "bounce@" + domain}, true},
		{"no DMARC policy, SPF pass for another domain", rawMail(a.Email, inbox, "SPF", "Hi", "x"), verdicts{"PASS", "GRAY", "GRAY", "bounce@attacker.example"}, false},
		{"no DMARC policy, aligned DKIM pass", dkim(domain), verdicts{"GRAY", "PASS", "GRAY", "bounce@attacker.example"}, true},
		{"no DMARC policy, DKIM pass for another domain", dkim("attacker.example"), verdicts{"GRAY", "PASS", "GRAY", "bounce@attacker.example"}, false},
		{"DMARC fail, aligned SPF pass", rawMail(a.Email, inbox, "SPF", "Hi", "x"), verdicts{"PASS", "PASS", "FAIL", "bounce@" + domain}, false},
		{"no verdicts", rawMail(a.Email, inbox, "None", "Hi", "x"), verdicts{"", "", "", ""}, false},
		{"two From addresses", []byte(strings.Replace(string(rawMail(a.Email, inbox, "Two", "Hi", "x")), "From: Sender <"+a.Email+">", "From: Sender <"+a.Email+">, other@"+domain, 1)), verdicts{"FAIL", "FAIL", "PASS", ""}, false},
	} {
		before := createdTasks(t, a)
		out := deliverSESWith(t, c.raw, []string{inbox}, c.v)
		if filed := out[0].Status == mailintake.Filed; filed != c.filed || createdTasks(t, a)-before != map[bool]int{true: 1}[c.filed] {
			t.Errorf("%s: %+v, want filed %t", c.name, out, c.filed)
		}
	}
}

// TestMailWebhookSignsRoutingAndTime: the signature covers the timestamp,
// the recipients header and the body; a delivery signed too long ago (or
// ahead) is refused, a captured one cannot be re-posted to other
// recipients, and the same message posted twice is filed once.
func TestMailWebhookSignsRoutingAndTime(t *testing.T) {
	a := signUp(t, "Webhook Signing")
	inbox, other := a.OrgKey+"@"+mailDomain, "other-org@"+mailDomain
	raw := rawMail(a.Email, inbox, "Signed", "Hello", "x")
	now := time.Now()

	// The old signature, of the body alone, is refused.
	old := http.Header{mailintake.SignatureHeader: {mailintake.Sign(webhookSecret, "", "", raw)}}
	expectError(t, postWebhook(t, raw, old), http.StatusUnauthorized)
	for _, at := range []time.Time{now.Add(-mailintake.MaxClockSkew - time.Minute), now.Add(mailintake.MaxClockSkew + time.Minute)} {
		expectError(t, postWebhook(t, raw, signedHeaders(raw, inbox, at)), http.StatusUnauthorized)
	}
	h := signedHeaders(raw, inbox, now)
	noTime := h.Clone()
	noTime.Del(mailintake.TimestampHeader)
	expectError(t, postWebhook(t, raw, noTime), http.StatusUnauthorized)

	// A captured delivery re-posted to another organization, or with an
	// added recipient, or with another timestamp, no longer verifies.
	for _, edit := range []func(http.Header){
		func(h http.Header) { h.Set(mailintake.RecipientsHeader, other) },
		func(h http.Header) { h.Set(mailintake.RecipientsHeader, inbox+","+other) },
		func(h http.Header) { h.Del(mailintake.RecipientsHeader) },
		func(h http.Header) { h.Set(mailintake.TimestampHeader, strconv.FormatInt(now.Unix()+1, 10)) },
	} {
		captured := h.Clone()
		edit(captured)
		expectError(t, postWebhook(t, raw, captured), http.StatusUnauthorized)
	}

	first := webhookOutcomes(t, postWebhook(t, raw, h))
	again := webhookOutcomes(t, postWebhook(t, raw, h))
	resigned := webhookOutcomes(t, postWebhook(t, raw, signedHeaders(raw, inbox, now.Add(time.Second))))
	if len(first) != 1 || first[0].Status != mailintake.Filed || !again[0].Filed.Repeated || !resigned[0].Filed.Repeated ||
		again[0].Filed.TaskID != first[0].Filed.TaskID {
		t.Fatalf("outcomes: %+v / %+v / %+v", first, again, resigned)
	}
	if n := createdTasks(t, a); n != 1 {
		t.Fatalf("%d tasks for one message", n)
	}
}

// TestMailWebhookRecipients: every address of the recipients header is
// filed (however the header is spaced or repeated); a message has at most
// mailintake.MaxRecipients distinct recipients of the mail domain, else it
// is refused as a whole with 400 (webhook) or recorded as rejected (SES),
// and addresses of other domains cost nothing.
func TestMailWebhookRecipients(t *testing.T) {
	a := signUp(t, "Webhook Recipients")
	b := signUp(t, "Webhook Recipients Other")
	joinAsMember(t, b, a)
	org := "/api/v1/" + a.OrgKey
	c := expect(t, call(t, "POST", org+"/cases", a.Token, map[string]any{"name": "Claim"}), http.StatusOK).JSON(t)
	inbox, caseAddr, other := a.OrgKey+"@"+mailDomain, a.OrgKey+"+"+c["id"].(string)+"@"+mailDomain, b.OrgKey+"@"+mailDomain

	// Three addresses, spaced and repeated in case: each is filed, once.
	raw := rawMail(a.Email, inbox, "To three", "Hello", "x")
	header := inbox + ", " + caseAddr + " ,  " + other + "," + strings.ToUpper(inbox)
	out := webhookOutcomes(t, postWebhook(t, raw, signedHeaders(raw, header, time.Now())))
	if len(out) != 3 {
		t.Fatalf("outcomes: %+v", out)
	}
	for _, o := range out {
		if o.Status != mailintake.Filed {
			t.Fatalf("not filed: %+v", out)
		}
	}
	var evs []map[string]any
	decodeJSON(t, expect(t, call(t, "GET", org+"/cases/"+c["id"].(string)+"/events?type=mail", a.Token, nil), http.StatusOK).Body, &evs)
	if createdTasks(t, a) != 1 || createdTasks(t, a, b.OrgKey) != 1 || len(evs) != 1 {
		t.Fatalf("tasks %d and %d, case mails %d", createdTasks(t, a), createdTasks(t, a, b.OrgKey), len(evs))
	}

	// Beyond the bound: 400, nothing filed.
	many := make([]string, mailintake.MaxRecipients+1)
	for i := range many {
		many[i] = fmt.Sprintf("%s+%s@%s", a.OrgKey, ids.New(), mailDomain)
	}
	raw = rawMail(a.Email, inbox, "Too many", "Hello", "x")
	expectError(t, postWebhook(t, raw, signedHeaders(raw, strings.Join(many, ","), time.Now())), http.StatusBadRequest)
	for _, bad := range []string{"Ada <" + inbox + ">", inbox + ", not an address"} {
		expectError(t, postWebhook(t, raw, signedHeaders(raw, bad, time.Now())), http.StatusBadRequest)
	}

	// 5000 Cc addresses: of the mail domain, refused at once; of other
	// domains, ignored (the To address is filed).
	cc := func(domain string) []byte {
		list := make([]string, 5000)
		for i := range list {
			list[i] = fmt.Sprintf("person%d@%s", i, domain)
		}
		return []byte(strings.Replace(string(rawMail(a.Email, inbox, "Cc "+domain, "Hello", "x")), "\r\nSubject:", "\r\nCc: "+strings.Join(list, ", ")+"\r\nSubject:", 1))
	}
	start := time.Now()
	mailCc := cc(mailDomain)
	expectError(t, postWebhook(t, mailCc, signedHeaders(mailCc, "", time.Now())), http.StatusBadRequest)
	otherCc := cc("example.net")
	out = webhookOutcomes(t, postWebhook(t, otherCc, signedHeaders(otherCc, "", time.Now())))
	if len(out) != 1 || out[0].Status != mailintake.Filed || out[0].Recipient != inbox {
		t.Fatalf("outcomes: %+v", out)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Fatalf("5000 Cc addresses took %s", d)
	}
	if n := createdTasks(t, a); n != 2 {
		t.Fatalf("%d tasks", n)
	}

	// Over SES: one rejection for the message, nothing filed, also on a
	// redelivery.
	raw = rawMail(a.Email, inbox, "Too many over SES", "Hello", "x")
	ses := deliverSESWith(t, raw, many, verdicts{"PASS", "PASS", "PASS", a.Email})
	if len(ses) != len(many) || ses[0].Status != mailintake.Rejected || !strings.Contains(ses[0].Reason, "at most") {
		t.Fatalf("SES outcomes: %+v", ses)
	}
	if n := createdTasks(t, a); n != 2 {
		t.Fatalf("%d tasks", n)
	}
}

// TestMailFromDisabledMemberIsAStrangers: a membership disabled (through
// Windmill) sends mail as anyone else would: the organization's inbox,
// which takes members' mail only, refuses it; re-enabled, it is taken.
func TestMailFromDisabledMemberIsAStrangers(t *testing.T) {
	a := signUp(t, "Mail Disabled Member")
	b := signUp(t, "Mail Disabled Home")
	expect(t, call(t, "POST", "/api/v1/"+a.OrgKey+"/users", a.Token, map[string]any{"emailAddress": b.Email}), http.StatusOK)
	acceptLatestInvitation(t, b)
	var users []map[string]any
	decodeJSON(t, expect(t, call(t, "GET", "/api/w/"+a.OrgKey+"/users/list", "Bearer "+a.Token, nil), http.StatusOK).Body, &users)
	username := ""
	for _, u := range users {
		if u["email"] == b.Email {
			username = u["username"].(string)
		}
	}
	inbox := a.OrgKey + "@" + mailDomain
	verified := verdicts{spf: "PASS", dkim: "PASS", dmarc: "PASS", source: b.Email}
	setDisabled := func(disabled bool) {
		t.Helper()
		if r := call(t, "POST", "/api/w/"+a.OrgKey+"/users/update/"+username, "Bearer "+a.Token, map[string]any{"disabled": disabled}); r.Status != http.StatusOK {
			t.Fatalf("update %s: %d %s", username, r.Status, r.Body)
		}
	}
	setDisabled(true)
	if out := deliverSESWith(t, rawMail(b.Email, inbox, "From a disabled member", "Hi", "x"), []string{inbox}, verified); len(out) != 1 || out[0].Status != mailintake.Rejected {
		t.Fatalf("mail from a disabled member: %+v", out)
	}
	setDisabled(false)
	if out := deliverSESWith(t, rawMail(b.Email, inbox, "From a member again", "Hi", "x"), []string{inbox}, verified); len(out) != 1 || out[0].Status != mailintake.Filed {
		t.Fatalf("mail from a member: %+v", out)
	}
}
