package e2e

import (
	"context"
	"encoding/json"
	"net/http"
	"sync"
	"testing"
	"time"
)

// sesNotify invokes the delivery function with an SES event for a sent mail,
// as SNS delivers it, that happened now.
func sesNotify(t testing.TB, messageID, eventType string) {
	t.Helper()
	sesNotifyAt(t, messageID, eventType, time.Now())
}

// sesNotifyAt is sesNotify for an event that happened at the given time
// (the SNS notification is published a second later).
func sesNotifyAt(t testing.TB, messageID, eventType string, at time.Time) {
	t.Helper()
	stamp := at.UTC().Format("2006-01-02T15:04:05.000Z")
	msg, _ := json.Marshal(map[string]any{"eventType": eventType, "mail": map[string]any{"messageId": messageID},
		"delivery":  map[string]any{"timestamp": stamp},
		"complaint": map[string]any{"timestamp": stamp, "complaintFeedbackType": "abuse"},
		"bounce":    map[string]any{"bounceType": "Permanent", "bounceSubType": "General", "timestamp": stamp}})
	ev, _ := json.Marshal(map[string]any{"Records": []any{map[string]any{"EventSource": "aws:sns", "Sns": map[string]any{
		"MessageId": "n-" + messageID + "-" + stamp, "Message": string(msg), "Timestamp": at.Add(time.Second).UTC().Format(time.RFC3339)}}}})
	if _, err := stack.Invoke(context.Background(), "invitationdelivery", ev); err != nil {
		t.Fatalf("invoke the delivery function: %v", err)
	}
}

func invitationStatus(t testing.TB, a account, email string) string {
	t.Helper()
	var invs []map[string]any
	decodeJSON(t, expect(t, call(t, "GET", "/api/v1/"+a.OrgKey+"/invitations", a.Token, nil), http.StatusOK).Body, &invs)
	for _, inv := range invs {
		if inv["emailAddress"] == email {
			return inv["status"].(string)
		}
	}
	return ""
}

func TestInvitationsAndDelivery(t *testing.T) {
	a := signUp(t, "Inviting Org")
	org := "/api/v1/" + a.OrgKey
	invitee := uniqueEmail("invitee")
	inv := expect(t, call(t, "POST", org+"/users", a.Token, map[string]any{"emailAddress": invitee, "firstName": "Ivo"}), http.StatusOK).JSON(t)
	if inv["status"] != "sent" || inv["emailAddress"] != invitee {
		t.Fatalf("invitation: %v", inv)
	}
	if o := expect(t, call(t, "GET", org, a.Token, nil), http.StatusOK).JSON(t); len(o["invitations"].([]any)) != 1 {
		t.Fatalf("organization invitations: %v", o["invitations"])
	}
	expectError(t, call(t, "POST", org+"/users", a.Token, map[string]any{"emailAddress": invitee}), http.StatusBadRequest)
	expectError(t, call(t, "POST", org+"/invitations/"+invitee+"/resend", a.Token, nil), http.StatusTooManyRequests)

	// SES reports delivery, then a bounce; repeats change nothing.
	mails := mailsTo(t, invitee)
	if len(mails) != 1 {
		t.Fatalf("invitation mails: %d", len(mails))
	}
	sesNotify(t, mails[0].MessageID, "Delivery")
	sesNotify(t, mails[0].MessageID, "Delivery")
	if s := invitationStatus(t, a, invitee); s != "delivered" {
		t.Fatalf("status %q, want delivered", s)
	}
	sesNotify(t, mails[0].MessageID, "Bounce")
	if s := invitationStatus(t, a, invitee); s != "bounced" {
		t.Fatalf("status %q, want bounced", s)
	}
	sesNotify(t, "unknown-message", "Bounce")

	// After a bounce a resend is allowed at once; the old code stops working.
	oldCode := codeInMail.FindStringSubmatch(mails[0].Body.Text)[1]
	expect(t, call(t, "POST", org+"/invitations/"+invitee+"/resend", a.Token, nil), http.StatusOK)
	expectError(t, call(t, "POST", org+"/invitations/"+invitee+"/resend", a.Token, nil), http.StatusTooManyRequests)
	expectError(t, call(t, "GET", "/api/v1/registrations/"+oldCode, "", nil), http.StatusNotFound)
	mails = mailsTo(t, invitee)
	code := codeInMail.FindStringSubmatch(mails[len(mails)-1].Body.Text)[1]

	// Following the mail: the invitee chooses a password and joins.
	reg := expect(t, call(t, "GET", "/api/v1/registrations/"+code, "", nil), http.StatusOK).JSON(t)
	if reg["organization"].(map[string]any)["name"] != "Inviting Org" {
		t.Fatalf("invitation registration: %v", reg)
	}
	rememberPassword("the invitee's password")
	login := expect(t, call(t, "POST", "/api/v1/registrations/"+code+"/activate", "", map[string]any{"password": "the invitee's password"}), http.StatusOK).JSON(t)
	orgs := login["organizations"].([]any)
	if len(orgs) != 1 || orgs[0].(map[string]any)["key"] != a.OrgKey || orgs[0].(map[string]any)["admin"] != false {
		t.Fatalf("joined: %v", orgs)
	}
	expect(t, call(t, "GET", org, login["token"].(string), nil), http.StatusOK)
	if s := invitationStatus(t, a, invitee); s != "" {
		t.Fatalf("the accepted invitation is still open: %q", s)
	}
}

func TestAddExistingAccountAndWithdraw(t *testing.T) {
	a := signUp(t, "Adding Org")
	b := signUp(t, "Added Person")
	org := "/api/v1/" + a.OrgKey
	// An existing account is invited like anyone: the answer shows no
	// profile, and the account joins only when its holder accepts.
	added := expect(t, call(t, "POST", org+"/users", a.Token, map[string]any{"emailAddress": b.Email}), http.StatusOK).JSON(t)
	if added["id"] != nil || added["emailAddress"] != b.Email || added["status"] != "sent" {
		t.Fatalf("added: %v", added)
	}
	expectError(t, call(t, "GET", org, b.Token, nil), http.StatusNotFound)
	expectError(t, call(t, "POST", org+"/users", a.Token, map[string]any{"emailAddress": b.Email}), http.StatusBadRequest)
	accept := codeInMail.FindStringSubmatch(mailsTo(t, b.Email)[len(mailsTo(t, b.Email))-1].Body.Text)[1]
	expect(t, call(t, "POST", "/api/v1/registrations/"+accept+"/activate", "", nil), http.StatusOK)
	expect(t, call(t, "GET", org, b.Token, nil), http.StatusOK)
	expectError(t, call(t, "POST", org+"/users", a.Token, map[string]any{"emailAddress": b.Email}), http.StatusBadRequest)
	expectError(t, call(t, "POST", org+"/users", b.Token, map[string]any{"emailAddress": uniqueEmail("x")}), http.StatusForbidden)

	withdrawn := uniqueEmail("withdrawn")
	expect(t, call(t, "POST", org+"/users", a.Token, map[string]any{"emailAddress": withdrawn}), http.StatusOK)
	code := codeInMail.FindStringSubmatch(mailsTo(t, withdrawn)[0].Body.Text)[1]
	expect(t, call(t, "DELETE", org+"/invitations/"+withdrawn, a.Token, nil), http.StatusNoContent)
	expectError(t, call(t, "POST", "/api/v1/registrations/"+code+"/activate", "", map[string]any{"password": "some password"}), http.StatusNotFound)
	expectError(t, call(t, "DELETE", org+"/invitations/"+withdrawn, a.Token, nil), http.StatusNotFound)
}

func TestConcurrentInvitationsOfOneAddress(t *testing.T) {
	a := signUp(t, "Concurrent Invites")
	email := uniqueEmail("popular")
	statuses := make([]int, 2)
	var wg sync.WaitGroup
	for i := range statuses {
		wg.Add(1)
		go func() {
			defer wg.Done()
			statuses[i] = call(t, "POST", "/api/v1/"+a.OrgKey+"/users", a.Token, map[string]any{"emailAddress": email}).Status
		}()
	}
	wg.Wait()
	if !(statuses[0] == 200 && statuses[1] == 400 || statuses[0] == 400 && statuses[1] == 200) {
		t.Fatalf("statuses %v, want one invitation", statuses)
	}
}

// TestInvitationOfAnAddressThatGotAnAccount: the invitee signed up on their
// own before following the invitation; the code then joins that account.
func TestInvitationOfAnAddressThatGotAnAccount(t *testing.T) {
	a := signUp(t, "Inviting Early")
	b := account{Email: uniqueEmail("early"), Password: "b's own password"}
	rememberPassword(b.Password)
	expect(t, call(t, "POST", "/api/v1/"+a.OrgKey+"/users", a.Token, map[string]any{"emailAddress": b.Email}), http.StatusOK)
	inviteCode := codeInMail.FindStringSubmatch(mailsTo(t, b.Email)[0].Body.Text)[1]
	own := registrationCode(t, map[string]any{"emailAddress": b.Email, "password": b.Password, "organizationName": "Own Org"})
	expect(t, call(t, "POST", "/api/v1/registrations/"+own+"/activate", "", nil), http.StatusOK)

	login := expect(t, call(t, "POST", "/api/v1/registrations/"+inviteCode+"/activate", "", map[string]any{"password": "not taken over"}), http.StatusOK).JSON(t)
	if len(login["organizations"].([]any)) != 2 {
		t.Fatalf("organizations after joining: %v", login["organizations"])
	}
	expect(t, call(t, "GET", "/api/v1/"+a.OrgKey, login["token"].(string), nil), http.StatusOK)
	// The password is the account's own, unchanged.
	expect(t, call(t, "POST", "/api/v1/users/login", "", map[string]any{"emailAddress": b.Email, "password": b.Password}), http.StatusOK)
	expectError(t, call(t, "POST", "/api/v1/registrations/"+inviteCode+"/activate", "", nil), http.StatusNotFound)
}
