package e2e

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/effektif-serverless/caseflow/shared/mailintake"
	"github.com/effektif-serverless/caseflow/shared/objects"
)

// TestSampleEvents invokes each function on each of its sample events in
// events/ (the files are named <function>-<case>.json), the way
// `make invoke` does, and checks the answer.
func TestSampleEvents(t *testing.T) {
	want := map[string]func(t *testing.T, out []byte){
		"users-register.json":                    httpStatus(200),
		"users-login-wrong-password.json":        httpStatus(401),
		"windmill-login-wrong-password.json":     httpText(401),
		"windmill-whoami-without-identity.json":  httpText(401),
		"tenduke-sessions-wrong-password.json":   httpStatus(401),
		"users-about-without-identity.json":      httpStatus(401),
		"organizations-systemconfiguration.json": httpStatus(200),
		"users-register-malformed-json.json":     httpStatus(400),
		"workflows-list-without-identity.json":   httpStatus(401),
		"files-get-without-identity.json":        httpStatus(401),
		"mail-incoming-unsigned.json":            httpStatus(401),
		"invitationdelivery-ses-delivery.json": func(t *testing.T, out []byte) {
			if string(out) != "null" {
				t.Fatalf("delivery function answered %s", out)
			}
		},
		"mailintake-ses-receipt.json": func(t *testing.T, out []byte) {
			var outcomes []mailintake.Outcome
			if err := json.Unmarshal(out, &outcomes); err != nil || len(outcomes) != 1 || outcomes[0].Status != mailintake.Rejected {
				t.Fatalf("intake answered %s (%v); want the unknown organization rejected", out, err)
			}
		},
		"cases-create-unknown-organization.json": httpStatus(404),
		// A stranger to the organization is refused before anything
		// else of the request is read (here a bad query and a malformed body).
		"tasks-list-stranger.json":    httpStatus(404),
		"engine-start-stranger.json":  httpStatus(404),
		"services-lock-stranger.json": httpStatus(404),
		// The public OAuth callback with a state never issued.
		"services-oauth-callback-unknown-state.json": httpStatus(410),
		"timers-scheduled.json": func(t *testing.T, out []byte) {
			var r struct {
				TimersFired *int `json:"timersFired"`
				MailsSent   *int `json:"mailsSent"`
			}
			if err := json.Unmarshal(out, &r); err != nil || r.TimersFired == nil || r.MailsSent == nil {
				t.Fatalf("timers answered %s (%v)", out, err)
			}
		},
		"authorizer-unknown-token.json": func(t *testing.T, out []byte) {
			var r events.APIGatewayV2CustomAuthorizerSimpleResponse
			if err := json.Unmarshal(out, &r); err != nil || !r.IsAuthorized || r.Context["userId"] != nil {
				t.Fatalf("authorizer answered %s (%v); want authorized without a user id", out, err)
			}
		},
	}
	// setups prepare what an event refers to (SES stores the message in
	// S3 before it invokes the intake).
	setups := map[string]func(t *testing.T){
		"mailintake-ses-receipt.json": func(t *testing.T) {
			raw := rawMail("customer@example.net", "no-such-org@"+mailDomain, "Where is my order?", "Order 42", "receipt")
			bucket := objects.Bucket{Client: stack.AWS.S3(), Name: "filesbucket"}
			if err := bucket.Put(context.Background(), "incoming/sample-ses-message-0001", "message/rfc822", raw); err != nil {
				t.Fatal(err)
			}
		},
	}
	files, err := filepath.Glob("../../events/*.json")
	if err != nil || len(files) == 0 {
		t.Fatalf("no sample events: %v", err)
	}
	for _, file := range files {
		name := filepath.Base(file)
		check, ok := want[name]
		if !ok {
			t.Errorf("sample event %s has no test", name)
			continue
		}
		t.Run(name, func(t *testing.T) {
			if setup := setups[name]; setup != nil {
				setup(t)
			}
			event, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			function, _, _ := strings.Cut(name, "-")
			out, err := stack.Invoke(context.Background(), function, event)
			if err != nil {
				t.Fatalf("invoke %s: %v", function, err)
			}
			check(t, out)
		})
	}
}

func httpStatus(status int) func(t *testing.T, out []byte) {
	return func(t *testing.T, out []byte) {
		t.Helper()
		var r events.APIGatewayV2HTTPResponse
		if err := json.Unmarshal(out, &r); err != nil {
			t.Fatalf("not an HTTP API response: %s", out)
		}
		if r.StatusCode != status || !strings.HasPrefix(r.Headers["Content-Type"], "application/json") {
			t.Fatalf("status %d (%s), want %d with JSON", r.StatusCode, r.Body, status)
		}
	}
}

// httpText checks an HTTP API response of a dialect that answers text
// (Windmill): the status and a non-empty text/plain body.
func httpText(status int) func(t *testing.T, out []byte) {
	return func(t *testing.T, out []byte) {
		t.Helper()
		var r events.APIGatewayV2HTTPResponse
		if err := json.Unmarshal(out, &r); err != nil {
			t.Fatalf("not an HTTP API response: %s", out)
		}
		if r.StatusCode != status || !strings.HasPrefix(r.Headers["Content-Type"], "text/plain") || strings.TrimSpace(r.Body) == "" {
			t.Fatalf("status %d (%q, %s), want %d with text", r.StatusCode, r.Body, r.Headers["Content-Type"], status)
		}
	}
}
