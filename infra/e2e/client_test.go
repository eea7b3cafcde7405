package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// response is what a test sees of an HTTP answer.
type response struct {
	Status int
	Header http.Header
	Body   []byte
}

// JSON decodes the body into a generic value; it fails the test for a body
// that is not JSON or for a content type other than JSON.
func (r response) JSON(t testing.TB) map[string]any {
	t.Helper()
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Fatalf("content type %q, want JSON; body %s", ct, r.Body)
	}
	var v map[string]any
	if err := json.Unmarshal(r.Body, &v); err != nil {
		t.Fatalf("body is not a JSON object: %v: %s", err, r.Body)
	}
	return v
}

// seen keeps every response body of the run, to check that none of them
// carries a secret.
var seen struct {
	sync.Mutex
	bodies    [][]byte
	passwords []string
}

// rememberPassword registers a password that must never appear in a response.
func rememberPassword(p string) {
	seen.Lock()
	seen.passwords = append(seen.passwords, p)
	seen.Unlock()
}

var hashShape = regexp.MustCompile(`\$argon2id\$|\$2[aby]\$\d\d\$|"passwordHash"|"PasswordHash"|"tokenHash"|"TokenHash"|"CodeHash"`)

func checkNoSecretsSeen() error {
	seen.Lock()
	defer seen.Unlock()
	for _, b := range seen.bodies {
		if hashShape.Match(b) {
			return fmt.Errorf("a response carries a hash: %s", b)
		}
		for _, p := range seen.passwords {
			if bytes.Contains(b, []byte(p)) {
				return fmt.Errorf("a response carries the password %q: %s", p, b)
			}
		}
	}
	return nil
}

var httpClient = &http.Client{Timeout: 30 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// call sends a request to the gateway. body may be nil, a string or []byte
// (sent as is) or any other value (sent as JSON). auth is the Authorization
// header value, "" for none.
func call(t testing.TB, method, path, auth string, body any) response {
	t.Helper()
	reader := bodyReader(t, body)
	req, err := http.NewRequest(method, stack.GatewayURL+path, reader)
	if err != nil {
		t.Fatal(err)
	}
	if reader != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	return do(t, req)
}

// bodyReader is a request body: nil for nil, a string or []byte as is,
// anything else as JSON.
func bodyReader(t testing.TB, body any) io.Reader {
	t.Helper()
	switch b := body.(type) {
	case nil:
		return nil
	case string:
		return strings.NewReader(b)
	case []byte:
		return bytes.NewReader(b)
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		return bytes.NewReader(raw)
	}
}

// do sends a request and reads the whole answer, remembering its body for
// the check that no response carries a secret.
func do(t testing.TB, req *http.Request) response {
	t.Helper()
	res, err := httpClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL.Path, err)
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	seen.Lock()
	seen.bodies = append(seen.bodies, raw)
	seen.Unlock()
	return response{Status: res.StatusCode, Header: res.Header, Body: raw}
}

// expect fails the test unless the response has the status.
func expect(t testing.TB, r response, status int) response {
	t.Helper()
	if r.Status != status {
		t.Fatalf("status %d, want %d; body %s", r.Status, status, r.Body)
	}
	return r
}

// expectError checks a 4xx answer: the status and a JSON body with a message.
func expectError(t testing.TB, r response, status int) map[string]any {
	t.Helper()
	expect(t, r, status)
	v := r.JSON(t)
	if msg, _ := v["message"].(string); msg == "" {
		t.Fatalf("error body without a message: %s", r.Body)
	}
	return v
}

// sentMail is one mail recorded by the SES emulator.
type sentMail struct {
	MessageID   string `json:"messageId"`
	Subject     string `json:"subject"`
	Destination struct {
		To []string `json:"to"`
	} `json:"destination"`
	Body struct {
		Text string `json:"text"`
		HTML string `json:"html"`
	} `json:"body"`
}

// mailsTo returns the mails the SES emulator recorded for an address.
func mailsTo(t testing.TB, address string) []sentMail {
	t.Helper()
	res, err := httpClient.Get(stack.SESEndpoint + "/store")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var store struct {
		Emails []sentMail `json:"emails"`
	}
	if err := json.NewDecoder(res.Body).Decode(&store); err != nil {
		t.Fatal(err)
	}
	var out []sentMail
	for _, m := range store.Emails {
		for _, to := range m.Destination.To {
			if strings.EqualFold(to, address) {
				out = append(out, m)
			}
		}
	}
	return out
}

var uniq struct {
	sync.Mutex
	n int
}

// uniqueEmail returns an address no other test uses.
func uniqueEmail(prefix string) string {
	uniq.Lock()
	defer uniq.Unlock()
	uniq.n++
	return fmt.Sprintf("%s.%d.%d@example.com", prefix, time.Now().UnixNano(), uniq.n)
}

// decodeJSON decodes a body into v or fails the test.
func decodeJSON(t testing.TB, body []byte, v any) {
	t.Helper()
	if err := json.Unmarshal(body, v); err != nil {
		t.Fatalf("decode %s: %v", body, err)
	}
}
