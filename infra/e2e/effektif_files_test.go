package e2e

import (
	"bytes"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"strings"
	"testing"
)

// multipartBody builds a multipart/form-data body with one file part (and
// a plain field before it).
func multipartBody(t testing.TB, name, contentType string, data []byte) ([]byte, string) {
	t.Helper()
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	_ = w.WriteField("comment", "uploaded by a test")
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", mime.FormatMediaType("form-data", map[string]string{"name": "file", "filename": name}))
	if contentType != "" {
		h.Set("Content-Type", contentType)
	}
	part, err := w.CreatePart(h)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = part.Write(data)
	_ = w.Close()
	return b.Bytes(), w.FormDataContentType()
}

// send posts a raw body with a content type.
func send(t testing.TB, method, path, auth, contentType string, body []byte) response {
	t.Helper()
	return sendTo(t, stack.GatewayURL, method, path, auth, contentType, body)
}

func binaryData(n int) []byte {
	data := make([]byte, n)
	for i := range data {
		data[i] = byte(i * 7)
	}
	return data
}

func TestFilesUploadDownloadDelete(t *testing.T) {
	a := signUp(t, "Files")
	b := signUp(t, "Files Member")
	joinAsMember(t, a, b)
	org := "/api/v1/" + a.OrgKey
	data := binaryData(3000) // not UTF-8: travels base64-encoded both ways
	body, ct := multipartBody(t, "../../etc/Quarterly \"report\"\r\nX-Evil: 1 €.pdf", "application/pdf", data)
	f := expect(t, send(t, "POST", org+"/files", a.Token, ct, body), http.StatusOK).JSON(t)
	id := f["id"].(string)
	if f["sizeInBytes"] != 3000.0 || f["contentType"] != "application/pdf" || f["ownerId"] != a.UserID || strings.ContainsAny(f["name"].(string), "/\r\n") {
		t.Fatalf("file: %v", f)
	}
	got := expect(t, call(t, "GET", org+"/files/"+id, b.Token, nil), http.StatusOK).JSON(t)
	if got["name"] != f["name"] {
		t.Fatalf("metadata: %v", got)
	}
	s := expect(t, call(t, "GET", org+"/files/"+id+"/stream", b.Token, nil), http.StatusOK)
	if !bytes.Equal(s.Body, data) || s.Header.Get("Content-Type") != "application/pdf" || !strings.Contains(s.Header.Get("Cache-Control"), "max-age=") {
		t.Fatalf("stream: %d bytes, headers %v", len(s.Body), s.Header)
	}
	disp := s.Header.Get("Content-Disposition")
	if _, params, err := mime.ParseMediaType(disp); err != nil || !strings.HasPrefix(disp, "inline") || params["filename"] != f["name"] {
		t.Fatalf("Content-Disposition %q (%v)", disp, err)
	}
	if s.Header.Get("X-Evil") != "" {
		t.Fatal("a header was injected through the file name")
	}

	expectError(t, call(t, "DELETE", org+"/files/"+id, b.Token, nil), http.StatusForbidden)
	expect(t, call(t, "DELETE", org+"/files/"+id, a.Token, nil), http.StatusNoContent)
	expectError(t, call(t, "GET", org+"/files/"+id, a.Token, nil), http.StatusNotFound)
	expectError(t, call(t, "GET", org+"/files/"+id+"/stream", a.Token, nil), http.StatusNotFound)
}

func TestLargeFilesRedirectToS3(t *testing.T) {
	a := signUp(t, "Large Files")
	org := "/api/v1/" + a.OrgKey
	data := binaryData(testInlineLimit + 1000)
	body, ct := multipartBody(t, "big.bin", "application/octet-stream", data)
	id := expect(t, send(t, "POST", org+"/files", a.Token, ct, body), http.StatusOK).JSON(t)["id"].(string)
	r := call(t, "GET", org+"/files/"+id+"/stream", a.Token, nil)
	if r.Status != http.StatusFound || r.Header.Get("Location") == "" {
		t.Fatalf("want a redirect, got %d %v", r.Status, r.Header)
	}
	res, err := http.Get(r.Header.Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	got, _ := io.ReadAll(res.Body)
	if res.StatusCode != 200 || !bytes.Equal(got, data) {
		t.Fatalf("presigned download: %d, %d bytes", res.StatusCode, len(got))
	}
}

func TestUploadLimitsAndBadBodies(t *testing.T) {
	a := signUp(t, "Upload Limits")
	org := "/api/v1/" + a.OrgKey
	big, ct := multipartBody(t, "huge.bin", "", binaryData(testMaxUpload+1))
	expectError(t, send(t, "POST", org+"/files", a.Token, ct, big), http.StatusRequestEntityTooLarge)
	empty, ct2 := multipartBody(t, "empty.txt", "text/plain", nil)
	expectError(t, send(t, "POST", org+"/files", a.Token, ct2, empty), http.StatusBadRequest)
	good, ct3 := multipartBody(t, "ok.txt", "text/plain", []byte("hello"))
	expectError(t, send(t, "POST", org+"/files", a.Token, ct3, good[:len(good)-20]), http.StatusBadRequest)
	expectError(t, send(t, "POST", org+"/files", a.Token, "multipart/form-data; boundary=x", nil), http.StatusBadRequest)
	expectError(t, send(t, "POST", org+"/files", a.Token, "application/json", []byte(`{}`)), http.StatusUnsupportedMediaType)
	noFile := []byte("--x\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nb\r\n--x--\r\n")
	expectError(t, send(t, "POST", org+"/files", a.Token, "multipart/form-data; boundary=x", noFile), http.StatusBadRequest)
	// The iframe variant answers HTML carrying the JSON.
	r := send(t, "POST", org+"/filesiframe", a.Token, ct3, good)
	if r.Status != 200 || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/html") || !strings.Contains(string(r.Body), "&#34;sizeInBytes&#34;:5") {
		t.Fatalf("iframe upload: %d %s %s", r.Status, r.Header.Get("Content-Type"), r.Body)
	}
	r = send(t, "POST", org+"/filesiframe", a.Token, ct2, empty)
	if r.Status != 400 || !strings.Contains(string(r.Body), "<textarea") {
		t.Fatalf("iframe error: %d %s", r.Status, r.Body)
	}
}

func TestCaseFiles(t *testing.T) {
	a := signUp(t, "Case Files")
	other := signUp(t, "Case Files Outsider")
	org := "/api/v1/" + a.OrgKey
	c := expect(t, call(t, "POST", org+"/cases", a.Token, map[string]any{"name": "Claim"}), http.StatusOK).JSON(t)
	caseID := c["id"].(string)
	body, ct := multipartBody(t, "photo.png", "image/png", binaryData(500))
	f := expect(t, send(t, "POST", org+"/cases/"+caseID+"/files", a.Token, ct, body), http.StatusOK).JSON(t)
	if f["caseId"] != caseID {
		t.Fatalf("case file: %v", f)
	}
	loose := expect(t, send(t, "POST", org+"/files", a.Token, ct, body), http.StatusOK).JSON(t)
	attached := expect(t, call(t, "POST", org+"/cases/"+caseID+"/files/"+loose["id"].(string), a.Token, nil), http.StatusOK).JSON(t)
	if attached["caseId"] != caseID {
		t.Fatalf("attached: %v", attached)
	}
	r := send(t, "POST", org+"/cases/"+caseID+"/iframe/files", a.Token, ct, body)
	if r.Status != 200 || !strings.Contains(string(r.Body), caseID) {
		t.Fatalf("iframe case upload: %d %s", r.Status, r.Body)
	}
	var evs []map[string]any
	decodeJSON(t, expect(t, call(t, "GET", org+"/cases/"+caseID+"/events?type=fileAttached", a.Token, nil), http.StatusOK).Body, &evs)
	if len(evs) != 3 {
		t.Fatalf("fileAttached events: %v", evs)
	}
	other2 := expect(t, call(t, "POST", org+"/cases", a.Token, map[string]any{"name": "Other claim"}), http.StatusOK).JSON(t)
	expectError(t, call(t, "POST", org+"/cases/"+other2["id"].(string)+"/files/"+loose["id"].(string), a.Token, nil), http.StatusConflict)
	// Another tenant sees none of it.
	for _, p := range []string{"/files/" + f["id"].(string), "/files/" + f["id"].(string) + "/stream"} {
		expectError(t, call(t, "GET", org+p, other.Token, nil), http.StatusNotFound)
	}
	expectError(t, send(t, "POST", org+"/cases/"+caseID+"/files", other.Token, ct, body), http.StatusNotFound)
	expectError(t, call(t, "POST", org+"/cases/"+caseID+"/files/"+f["id"].(string), other.Token, nil), http.StatusNotFound)
	expectError(t, call(t, "DELETE", org+"/files/"+f["id"].(string), other.Token, nil), http.StatusNotFound)
	expectError(t, send(t, "POST", org+"/files", "", ct, body), http.StatusUnauthorized)
}
