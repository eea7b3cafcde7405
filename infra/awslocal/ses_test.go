package awslocal

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/aws/aws-sdk-go-v2/service/sesv2/types"

	"github.com/effektif-serverless/caseflow/shared/mail"
	"github.com/effektif-serverless/caseflow/shared/mail/sesmail"
)

// sesClient is the real SDK client, pointed at an emulator.
func sesClient(endpoint string) *sesv2.Client {
	s := &Stack{}
	return sesv2.NewFromConfig(s.AWSConfig(), func(o *sesv2.Options) {
		o.BaseEndpoint = aws.String(endpoint)
		o.RetryMaxAttempts = 1
	})
}

func serveSES(t *testing.T, path string) (*SES, string) {
	t.Helper()
	ses, err := NewSES(path)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(ses)
	t.Cleanup(func() {
		srv.Close()
		ses.Close()
	})
	return ses, srv.URL
}

func getBody(t *testing.T, url string) (int, http.Header, string) {
	t.Helper()
	res, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res.StatusCode, res.Header, string(b)
}

// TestSESSendEmail: the product's sender (shared/mail/sesmail, the SDK's
// SendEmail) reaches the emulator, and GET /store shows the mail in the
// shape the e2e tests and the node contract tests read.
func TestSESSendEmail(t *testing.T) {
	_, url := serveSES(t, "")
	ctx := context.Background()
	sender := sesmail.Sender{Client: sesClient(url), From: "caseflow@example.com", ConfigurationSet: "events"}
	id, err := sender.Send(ctx, mail.Message{To: "ada@example.com", Subject: "Welcome <Ada>", Text: "Open http://127.0.0.1:3000/x?a=1 now.", HTML: "<p>Hi</p>"})
	if err != nil || id == "" {
		t.Fatalf("Send: %q, %v", id, err)
	}
	textOnly, err := sender.Send(ctx, mail.Message{To: "bob@example.com", Subject: "Plain", Text: "text"})
	if err != nil || textOnly == id {
		t.Fatalf("second Send: %q, %v", textOnly, err)
	}

	status, header, body := getBody(t, url+"/store")
	if status != 200 || !strings.HasPrefix(header.Get("Content-Type"), "application/json") {
		t.Fatalf("/store: %d %s", status, header.Get("Content-Type"))
	}
	var store struct {
		Templates map[string]any   `json:"templates"`
		Emails    []map[string]any `json:"emails"`
	}
	if !strings.Contains(body, `"html":"<p>Hi</p>"`) {
		t.Errorf("/store escapes the bodies' HTML: %s", body)
	}
	if err := json.Unmarshal([]byte(body), &store); err != nil || store.Templates == nil || len(store.Emails) != 2 {
		t.Fatalf("/store: %v %s", err, body)
	}
	first := store.Emails[0]
	dest, _ := first["destination"].(map[string]any)
	mailBody, _ := first["body"].(map[string]any)
	if first["messageId"] != id || first["from"] != "caseflow@example.com" || first["subject"] != "Welcome <Ada>" ||
		dest["to"].([]any)[0] != "ada@example.com" || len(dest["cc"].([]any)) != 0 || len(dest["bcc"].([]any)) != 0 ||
		mailBody["text"] != "Open http://127.0.0.1:3000/x?a=1 now." || mailBody["html"] != "<p>Hi</p>" ||
		first["configurationSetName"] != "events" || first["at"].(float64) < float64(time.Now().Add(-time.Minute).Unix()) {
		t.Errorf("first mail: %v", first)
	}
	if b, _ := store.Emails[1]["body"].(map[string]any); b["text"] != "text" || b["html"] != nil {
		t.Errorf("text-only mail: %v", store.Emails[1])
	}

	// since: the mails sent at or after a time.
	_, _, later := getBody(t, url+"/store?since="+strconv.FormatInt(time.Now().Add(time.Hour).Unix(), 10))
	if !strings.Contains(later, `"emails":[]`) {
		t.Errorf("since the far future: %s", later)
	}
	if status, _, _ := getBody(t, url+"/store?since=yesterday"); status != 400 {
		t.Errorf("since=yesterday: %d", status)
	}

	// The page for a browser: escaped, newest first, links clickable.
	status, header, page := getBody(t, url+"/")
	if status != 200 || !strings.HasPrefix(header.Get("Content-Type"), "text/html") ||
		!strings.Contains(page, "Welcome &lt;Ada&gt;") || strings.Index(page, "Plain") > strings.Index(page, "Welcome") ||
		!strings.Contains(page, `<a href="http://127.0.0.1:3000/x?a=1">`) || !strings.Contains(page, `sandbox srcdoc="&lt;p&gt;Hi&lt;/p&gt;"`) {
		t.Errorf("page: %d %s", status, page)
	}

	// clear-store forgets the mails.
	res, err := http.Post(url+"/clear-store", "", nil)
	if err != nil || res.StatusCode != 200 {
		t.Fatalf("clear-store: %v %v", res, err)
	}
	res.Body.Close()
	if _, _, body := getBody(t, url+"/store"); !strings.Contains(body, `"emails":[]`) {
		t.Errorf("after clear-store: %s", body)
	}
}

// TestSESRefuses: what SES would refuse, and the operations the emulator
// does not serve, come back to the SDK as BadRequestException.
func TestSESRefuses(t *testing.T) {
	ses, url := serveSES(t, "")
	client := sesClient(url)
	ctx := context.Background()
	simple := func(subject, text string) *types.EmailContent {
		return &types.EmailContent{Simple: &types.Message{
			Subject: &types.Content{Data: aws.String(subject)},
			Body:    &types.Body{Text: &types.Content{Data: aws.String(text)}},
		}}
	}
	to := &types.Destination{ToAddresses: []string{"ada@example.com"}}
	cases := map[string]func() error{
		"no sender": func() error {
			_, err := client.SendEmail(ctx, &sesv2.SendEmailInput{Destination: to, Content: simple("s", "t")})
			return err
		},
		"no recipient": func() error {
			_, err := client.SendEmail(ctx, &sesv2.SendEmailInput{FromEmailAddress: aws.String("a@example.com"), Destination: &types.Destination{}, Content: simple("s", "t")})
			return err
		},
		"no subject": func() error {
			_, err := client.SendEmail(ctx, &sesv2.SendEmailInput{FromEmailAddress: aws.String("a@example.com"), Destination: to, Content: simple("", "t")})
			return err
		},
		"no body": func() error {
			_, err := client.SendEmail(ctx, &sesv2.SendEmailInput{FromEmailAddress: aws.String("a@example.com"), Destination: to, Content: simple("s", "")})
			return err
		},
		"raw mail": func() error {
			_, err := client.SendEmail(ctx, &sesv2.SendEmailInput{FromEmailAddress: aws.String("a@example.com"), Destination: to,
				Content: &types.EmailContent{Raw: &types.RawMessage{Data: []byte("Subject: x\r\n\r\nbody")}}})
			return err
		},
		"another operation": func() error {
			_, err := client.GetAccount(ctx, &sesv2.GetAccountInput{})
			return err
		},
	}
	for name, call := range cases {
		var bad *types.BadRequestException
		if err := call(); !errors.As(err, &bad) || bad.ErrorMessage() == "" {
			t.Errorf("%s: got %v, want BadRequestException with a message", name, err)
		}
	}
	if n := len(ses.Mails()); n != 0 {
		t.Errorf("%d mails recorded, want none", n)
	}
}

// TestSESKeepsMail: with a file, the mails outlive the emulator.
func TestSESKeepsMail(t *testing.T) {
	path := filepath.Join(t.TempDir(), "data", "ses-mail.jsonl")
	ses, err := NewSES(path)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(ses)
	sender := sesmail.Sender{Client: sesClient(srv.URL), From: "caseflow@example.com"}
	id, err := sender.Send(context.Background(), mail.Message{To: "ada@example.com", Subject: "Kept", Text: "across restarts"})
	srv.Close()
	if err != nil || ses.Close() != nil {
		t.Fatal(err)
	}
	again, err := NewSES(path)
	if err != nil {
		t.Fatal(err)
	}
	defer again.Close()
	mails := again.Mails()
	if len(mails) != 1 || mails[0].MessageID != id || mails[0].Subject != "Kept" || mails[0].Body.Text != "across restarts" {
		t.Errorf("after a restart: %+v", mails)
	}
}
