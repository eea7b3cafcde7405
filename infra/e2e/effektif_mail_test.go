package e2e

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/effektif-serverless/caseflow/shared/ids"
	"github.com/effektif-serverless/caseflow/shared/mailintake"
	"github.com/effektif-serverless/caseflow/shared/objects"

	"github.com/effektif-serverless/caseflow/infra/localparams"
)

const mailDomain = "mail.caseflow.local"

// rawMail builds a small multipart message with one attachment.
func rawMail(from, to, subject, body, attachment string) []byte {
	return []byte(strings.ReplaceAll(fmt.Sprintf(`From: Sender <%s>
To: %s
Subject: %s
Message-ID: <%s@example.com>
Date: Sun, 22 Nov 2026 10:00:00 +0000
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="b1"

--b1
Content-Type: text/plain; charset=utf-8

%s
--b1
Content-Type: text/plain; name="notes.txt"
Content-Disposition: attachment; filename="notes.txt"

%s
--b1--
`, from, to, subject, ids.New(), body, attachment), "\n", "\r\n"))
}

// deliverSES stores the message where the SES receipt rule would and
// invokes the intake function with the SES event, as SES does.
func deliverSES(t testing.TB, raw []byte, recipients []string, spam string) []mailintake.Outcome {
	t.Helper()
	return invokeSES(t, storeIncoming(t, raw), recipients, spam)
}

func invokeSES(t testing.TB, messageID string, recipients []string, spam string) []mailintake.Outcome {
	t.Helper()
	return invokeSESWith(t, messageID, recipients, spam, verdicts{spf: "PASS", source: "sender@example.com"})
}

func TestMailIntakeThroughSES(t *testing.T) {
	a := signUp(t, "Mail Intake")
	org := "/api/v1/" + a.OrgKey
	inbox := a.OrgKey + "@" + mailDomain

	// A member's mail to the organization's address becomes a task, once.
	raw := rawMail(a.Email, inbox, "Printer broken", "The printer on floor 2 is broken.", "model XY-1")
	id := ids.New()
	bucket := objects.Bucket{Client: stack.AWS.S3(), Name: "filesbucket"}
	if err := bucket.Put(context.Background(), "incoming/"+id, "message/rfc822", raw); err != nil {
		t.Fatal(err)
	}
	first := invokeSES(t, id, []string{inbox}, "PASS")
	again := invokeSES(t, id, []string{inbox}, "PASS")
	if len(first) != 1 || first[0].Status != mailintake.Filed || first[0].Filed.TaskID == "" {
		t.Fatalf("outcome: %+v", first)
	}
	if again[0].Filed == nil || !again[0].Filed.Repeated || again[0].Filed.TaskID != first[0].Filed.TaskID {
		t.Fatalf("redelivery: %+v", again)
	}
	var tasks []map[string]any
	decodeJSON(t, expect(t, call(t, "GET", org+"/tasks?involvement=created", a.Token, nil), http.StatusOK).Body, &tasks)
	if len(tasks) != 1 || tasks[0]["name"] != "Printer broken" {
		t.Fatalf("tasks from mail: %v", tasks)
	}
	mail := expect(t, call(t, "GET", org+"/tasks/"+first[0].Filed.TaskID+"/mails/"+first[0].Filed.MailID, a.Token, nil), http.StatusOK).JSON(t)
	if mail["subject"] != "Printer broken" || !strings.Contains(mail["bodyText"].(string), "floor 2") || len(mail["attachmentIds"].([]any)) != 1 {
		t.Fatalf("task mail: %v", mail)
	}
	file := expect(t, call(t, "GET", org+"/files/"+mail["attachmentIds"].([]any)[0].(string)+"/stream", a.Token, nil), http.StatusOK)
	if !strings.Contains(string(file.Body), "model XY-1") {
		t.Fatalf("attachment: %s", file.Body)
	}
	expectError(t, call(t, "GET", org+"/tasks/"+first[0].Filed.TaskID+"/mails/"+ids.New(), a.Token, nil), http.StatusNotFound)

	// Into a case, with the attachment in the case.
	c := expect(t, call(t, "POST", org+"/cases", a.Token, map[string]any{"name": "Office move"}), http.StatusOK).JSON(t)
	out := deliverSES(t, rawMail(a.Email, a.OrgKey+"+"+c["id"].(string)+"@"+mailDomain, "Floor plan", "See attached.", "plan"), []string{a.OrgKey + "+" + c["id"].(string) + "@" + mailDomain}, "PASS")
	if out[0].Status != mailintake.Filed || out[0].Filed.CaseID != c["id"] {
		t.Fatalf("case mail: %+v", out)
	}
	var evs []map[string]any
	decodeJSON(t, expect(t, call(t, "GET", org+"/cases/"+c["id"].(string)+"/events?type=mail", a.Token, nil), http.StatusOK).Body, &evs)
	if len(evs) != 1 {
		t.Fatalf("mail events: %v", evs)
	}

	// Spam is dropped; unknown organizations and outsiders are rejected.
	if out := deliverSES(t, raw, []string{inbox}, "FAIL"); out[0].Status != mailintake.Dropped {
		t.Fatalf("spam: %+v", out)
	}
	if out := deliverSES(t, raw, []string{"no-such-org@" + mailDomain}, "PASS"); out[0].Status != mailintake.Rejected {
		t.Fatalf("unknown organization: %+v", out)
	}
	outsider := rawMail("stranger@example.net", inbox, "Hello", "Buy now", "x")
	rejectedID := ids.New()
	if err := bucket.Put(context.Background(), "incoming/"+rejectedID, "message/rfc822", outsider); err != nil {
		t.Fatal(err)
	}
	first2 := invokeSES(t, rejectedID, []string{inbox}, "PASS")
	again2 := invokeSES(t, rejectedID, []string{inbox}, "PASS")
	if first2[0].Status != mailintake.Rejected || again2[0].Status != mailintake.Rejected || again2[0].Reason != first2[0].Reason {
		t.Fatalf("outsider: %+v / %+v", first2, again2)
	}
	decodeJSON(t, expect(t, call(t, "GET", org+"/tasks?involvement=created", a.Token, nil), http.StatusOK).Body, &tasks)
	if len(tasks) != 1 {
		t.Fatalf("dropped or rejected mail made tasks: %v", tasks)
	}
}

func TestMailStartsAWorkflowWithAnEmailTrigger(t *testing.T) {
	a := signUp(t, "Mail Workflow")
	org := "/api/v1/" + a.OrgKey
	wf := publish(t, a, `{"name": "Support", "enableCases": true,
	  "trigger": {"type": "email", "emailIdVariableId": "mail"},
	  "variables": [{"id": "mail", "type": {"name": "text"}}],
	  "activities": [{"type": "startEvent", "id": "s"}, {"type": "userTask", "id": "answer", "name": "Answer the customer"}, {"type": "endEvent", "id": "e"}],
	  "transitions": [{"fromId": "s", "toId": "answer"}, {"fromId": "answer", "toId": "e"}]}`)
	to := a.OrgKey + "+" + wf + "@" + mailDomain
	out := deliverSES(t, rawMail("customer@example.net", to, "Where is my order?", "Order 42 is late.", "receipt"), []string{to}, "PASS")
	if out[0].Status != mailintake.Filed || out[0].Filed.CaseID == "" {
		t.Fatalf("outcome: %+v", out)
	}
	c := expect(t, call(t, "GET", org+"/cases/"+out[0].Filed.CaseID, a.Token, nil), http.StatusOK).JSON(t)
	if c["name"] != "Where is my order?" || c["sourceWorkflowId"] != wf || len(c["tasks"].([]any)) != 1 {
		t.Fatalf("case from mail: %v", c)
	}
}

func TestMailWebhook(t *testing.T) {
	a := signUp(t, "Mail Webhook")
	inbox := a.OrgKey + "@" + mailDomain
	raw := rawMail(a.Email, inbox, "Via webhook", "Hello", "x")
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	post := func(body []byte, signature string) response {
		h := http.Header{mailintake.TimestampHeader: {ts}}
		if signature != "" {
			h.Set(mailintake.SignatureHeader, signature)
		}
		return postWebhook(t, body, h)
	}
	secret := []byte(localparams.Values["MailWebhookSecret"])
	expectError(t, post(raw, ""), http.StatusUnauthorized)
	expectError(t, post(raw, mailintake.Sign([]byte("wrong"), ts, "", raw)), http.StatusUnauthorized)
	expectError(t, post(raw, mailintake.Sign(secret, ts, "", append(raw, ' '))), http.StatusUnauthorized)
	var first, second struct{ Outcomes []mailintake.Outcome }
	decodeJSON(t, expect(t, post(raw, mailintake.Sign(secret, ts, "", raw)), http.StatusOK).Body, &first)
	decodeJSON(t, expect(t, post(raw, mailintake.Sign(secret, ts, "", raw)), http.StatusOK).Body, &second)
	if len(first.Outcomes) != 1 || first.Outcomes[0].Status != mailintake.Filed || !second.Outcomes[0].Filed.Repeated {
		t.Fatalf("webhook outcomes: %+v / %+v", first, second)
	}
}

// TestMailCorpusThroughSES drives every message of the MIME corpus
// (shared/mailparse/testdata) through the SES intake into a workflow that
// takes mail from anyone: each becomes one case with its mail recorded.
func TestMailCorpusThroughSES(t *testing.T) {
	a := signUp(t, "Mail Corpus")
	org := "/api/v1/" + a.OrgKey
	wf := publish(t, a, `{"name": "Inbox", "enableCases": true, "trigger": {"type": "email"},
	  "activities": [{"type": "startEvent", "id": "s"}, {"type": "userTask", "id": "read", "name": "Read it"}, {"type": "endEvent", "id": "e"}],
	  "transitions": [{"fromId": "s", "toId": "read"}, {"fromId": "read", "toId": "e"}]}`)
	to := a.OrgKey + "+" + wf + "@" + mailDomain
	files, err := os.ReadDir("../../shared/mailparse/testdata")
	if err != nil {
		t.Fatal(err)
	}
	filed := 0
	for _, f := range files {
		if !strings.HasSuffix(f.Name(), ".eml") {
			continue
		}
		raw, err := os.ReadFile("../../shared/mailparse/testdata/" + f.Name())
		if err != nil {
			t.Fatal(err)
		}
		out := deliverSES(t, raw, []string{to}, "PASS")
		if len(out) != 1 {
			t.Fatalf("%s: outcomes %+v", f.Name(), out)
		}
		if out[0].Status != mailintake.Filed {
			t.Logf("%s: %s (%s)", f.Name(), out[0].Status, out[0].Reason)
			continue
		}
		filed++
		var evs []map[string]any
		decodeJSON(t, expect(t, call(t, "GET", org+"/cases/"+out[0].Filed.CaseID+"/events?type=mail", a.Token, nil), http.StatusOK).Body, &evs)
		if len(evs) != 1 || evs[0]["data"].(map[string]any)["mailId"] != out[0].Filed.MailID {
			t.Fatalf("%s: mail event %v", f.Name(), evs)
		}
	}
	if filed < 10 {
		t.Fatalf("only %d corpus messages were filed", filed)
	}
}
