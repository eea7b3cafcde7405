package e2e

// The small 10Duke client of the contract tests (contract_10duke_test.go):
// it sends what the document's code samples send, and nothing the
// document does not show. See the decisions at the top of
// contract_10duke_test.go.

import (
	"bytes"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha1"
	"encoding/base32"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"html"
	"image/png"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/effektif-serverless/caseflow/shared/ids"
)

// tdBase is the mount of the 10Duke Identity Provider API.
const tdBase = "/api/idp/v1"

// tdReq is one request of the client. The zero value is a GET without
// body, paging or token.
type tdReq struct {
	// slash2 sends the document's double slash after the base path
	// (/api/idp/v1//organizations).
	slash2 bool
	// page holds the paging and sorting headers (offset, limit, order,
	// asc), sent as request headers as the document places them.
	page map[string]string
	// query is the query string (filter, expand, initialAdminId,
	// verificationUrl), without "?".
	query string
	// body is sent as JSON (any value; []string makes the bare JSON arrays
	// of the document), or as is when raw is set.
	body any
	// raw is a body sent as is with contentType ("" sends no Content-Type,
	// as the document's DELETE-with-body sample does).
	raw         []byte
	contentType string
}

// bearer is the Authorization value of a token: "Bearer <token>", "" for
// no token. The Effektif helpers keep tokens bare.
func bearer(token string) string {
	if token == "" {
		return ""
	}
	return "Bearer " + strings.TrimPrefix(token, "Bearer ")
}

// td sends a request to the 10Duke mount with the caller's token, the way
// the document's samples do: Accept: application/json always,
// Content-Type: application/json with a JSON body.
func td(t testing.TB, method, path, token string, r tdReq) response {
	t.Helper()
	u := stack.GatewayURL + tdBase
	if r.slash2 {
		u += "/"
	}
	u += path
	if r.query != "" {
		u += "?" + r.query
	}
	var body []byte
	contentType := r.contentType
	switch {
	case r.raw != nil:
		body = r.raw
	case r.body != nil:
		var err error
		if body, err = json.Marshal(r.body); err != nil {
			t.Fatal(err)
		}
		contentType = "application/json"
	}
	req, err := http.NewRequest(method, u, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if body == nil {
		req.Body, req.ContentLength = http.NoBody, 0
	}
	req.Header.Set("Accept", "application/json")
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if token != "" {
		req.Header.Set("Authorization", bearer(token))
	}
	for k, v := range r.page {
		req.Header.Set(k, v)
	}
	res := do(t, req)
	if res.Status >= 500 {
		t.Errorf("%s %s answered %d: %s", method, path, res.Status, res.Body)
	}
	return res
}

// tdGet, tdSend: the common shapes.
func tdGet(t testing.TB, path, token string) response {
	t.Helper()
	return td(t, "GET", path, token, tdReq{})
}

func tdSend(t testing.TB, method, path, token string, body any) response {
	t.Helper()
	return td(t, method, path, token, tdReq{body: body})
}

// tdList decodes a bare JSON array of objects (the document's "Inline"
// list answers).
func tdList(t testing.TB, r response) []map[string]any {
	t.Helper()
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Fatalf("content type %q, want JSON; body %s", ct, r.Body)
	}
	var v []map[string]any
	if err := json.Unmarshal(r.Body, &v); err != nil {
		t.Fatalf("body is not a JSON array of objects: %v: %s", err, r.Body)
	}
	return v
}

// tdIDs are the ids of a list answer, in order.
func tdIDs(list []map[string]any) []string {
	out := make([]string, 0, len(list))
	for _, v := range list {
		s, _ := v["id"].(string)
		out = append(out, s)
	}
	return out
}

// tdHas reports whether a list answer holds the id.
func tdHas(list []map[string]any, id string) bool {
	for _, s := range tdIDs(list) {
		if strings.EqualFold(s, id) {
			return true
		}
	}
	return false
}

// tdFind is the element of a list answer with the id, nil if none.
func tdFind(list []map[string]any, id string) map[string]any {
	for _, v := range list {
		if s, _ := v["id"].(string); strings.EqualFold(s, id) {
			return v
		}
	}
	return nil
}

// tdEmpty checks an answer the document gives without a body (201/200
// "None" on group create and replace, member changes, TOTP verify).
func tdEmpty(t testing.TB, r response, status int) {
	t.Helper()
	expect(t, r, status)
	if len(bytes.TrimSpace(r.Body)) != 0 {
		t.Errorf("answer %d has a body %q, the document gives none", status, r.Body)
	}
}

// tdError checks a refusal: the status, and a JSON object with a message
// (the document gives no error schema; see the decisions).
func tdError(t testing.TB, r response, status int) {
	t.Helper()
	expectError(t, r, status)
}

// tdUUID is the UUID form of a core id: what this API must answer for it.
func tdUUID(t testing.TB, id string) string {
	t.Helper()
	u, ok := ids.ToUUID(id)
	if !ok {
		t.Fatalf("%q is not a core id", id)
	}
	return u
}

// tdCore is the core id of an answered UUID; it fails for a UUID not of
// the core's form.
func tdCore(t testing.TB, u string) string {
	t.Helper()
	id, ok := ids.FromUUID(u)
	if !ok {
		t.Fatalf("%q is not the UUID form of a core id", u)
	}
	return id
}

// tdNewID is an id a client chooses for a create body: the UUID form of a
// fresh core id.
func tdNewID(t testing.TB) string {
	t.Helper()
	return tdUUID(t, ids.New())
}

// randomUUID is a version 4 UUID, what a client library would make; it is
// not of the core's form.
func randomUUID() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err)
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	s := hex.EncodeToString(b[:])
	return s[0:8] + "-" + s[8:12] + "-" + s[12:16] + "-" + s[16:20] + "-" + s[20:32]
}

// page is a set of paging headers.
func page(offset, limit int, order string, asc bool) map[string]string {
	return map[string]string{"offset": fmt.Sprint(offset), "limit": fmt.Sprint(limit), "order": order, "asc": fmt.Sprint(asc)}
}

// unique makes a name no other test uses (organization, group and role
// names are unique in this API).
func unique(prefix string) string {
	return prefix + " " + strings.SplitN(uniqueEmail("n"), "@", 2)[0][2:]
}

// totpAt is the RFC 6238 passcode of a Base32 secret for a time step
// (30 s, HMAC-SHA1, 6 digits), written here from the RFC, independent of
// the server's library.
func totpAt(t testing.TB, secret string, step int64) string {
	t.Helper()
	s := strings.ToUpper(strings.TrimRight(strings.ReplaceAll(secret, " ", ""), "="))
	key, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(s)
	if err != nil {
		t.Fatalf("the secret %q is not Base32: %v", secret, err)
	}
	var msg [8]byte
	binary.BigEndian.PutUint64(msg[:], uint64(step))
	mac := hmac.New(sha1.New, key)
	mac.Write(msg[:])
	sum := mac.Sum(nil)
	off := sum[len(sum)-1] & 0x0f
	code := binary.BigEndian.Uint32(sum[off:off+4]) & 0x7fffffff
	return fmt.Sprintf("%06d", code%1000000)
}

// totpStep is the current RFC 6238 time step.
func totpStep() int64 { return time.Now().Unix() / 30 }

// TestTOTPVectors checks totpAt against RFC 6238 appendix B (SHA1, the
// 8-digit vectors' last 6 digits).
func TestTenDukeTOTPVectors(t *testing.T) {
	secret := base32.StdEncoding.EncodeToString([]byte("12345678901234567890"))
	for at, want := range map[int64]string{59: "94287082", 1111111109: "07081804", 1234567890: "89005924", 2000000000: "69279037"} {
		if got := totpAt(t, secret, at/30); got != want[2:] {
			t.Errorf("T=%d: %s, want %s", at, got, want[2:])
		}
	}
}

// checkPNG fails unless data is a PNG image that decodes.
func checkPNG(t testing.TB, data []byte) {
	t.Helper()
	if !bytes.HasPrefix(data, []byte("\x89PNG\r\n\x1a\n")) {
		t.Fatalf("not a PNG (signature): % x", data[:min(len(data), 16)])
	}
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("the PNG does not decode: %v", err)
	}
	if b := img.Bounds(); b.Dx() < 21 || b.Dy() < 21 {
		t.Fatalf("the QR image is %v, smaller than a QR code", b)
	}
}

// linkIn finds the link a template became in the latest mail to an
// address: prefix and suffix surround ${key}. It answers the whole link
// and the key (unescaped).
func linkIn(t testing.TB, address, prefix, suffix string) (string, string) {
	t.Helper()
	mails := mailsTo(t, address)
	if len(mails) == 0 {
		t.Fatalf("no mail to %s", address)
	}
	m := mails[len(mails)-1]
	for _, text := range []string{m.Body.Text, html.UnescapeString(m.Body.HTML)} {
		i := strings.Index(text, prefix)
		if i < 0 {
			continue
		}
		rest := text[i+len(prefix):]
		j := strings.Index(rest, suffix)
		if j <= 0 {
			continue
		}
		key, err := url.QueryUnescape(rest[:j])
		if err != nil {
			key = rest[:j]
		}
		return prefix + rest[:j] + suffix, key
	}
	t.Fatalf("no link %s…%s in the mail to %s: %q", prefix, suffix, address, m.Body.Text)
	return "", ""
}

// effektifOrgName is the organization's name through Effektif.
func effektifOrgName(t testing.TB, a account) string {
	t.Helper()
	name, _ := expect(t, call(t, "GET", "/api/v1/"+a.OrgKey, a.Token, nil), http.StatusOK).JSON(t)["name"].(string)
	return name
}

// effektifGroupIDs are the user's groupIds through Effektif.
func effektifGroupIDs(t testing.TB, a account, userID string) string {
	t.Helper()
	return fmt.Sprint(effektifUser(t, a, userID)["groupIds"])
}

// recoveryCodeInMail finds the code of a recovery email challenge mail.
var recoveryCodeInMail = regexp.MustCompile(`Your code is:\s+(\S+)`)

// recoveryCode is the challenge code in the latest mail to the address.
func recoveryCode(t testing.TB, address string) string {
	t.Helper()
	mails := mailsTo(t, address)
	for i := len(mails) - 1; i >= 0; i-- {
		if m := recoveryCodeInMail.FindStringSubmatch(mails[i].Body.Text); m != nil {
			return m[1]
		}
	}
	t.Fatalf("no challenge code mailed to %s", address)
	return ""
}
