package e2e

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/effektif-serverless/caseflow/infra/awslocal"
	"github.com/effektif-serverless/caseflow/infra/gateway"
	"github.com/effektif-serverless/caseflow/infra/lambdaemu"
	"github.com/effektif-serverless/caseflow/shared/casework"
)

// sideGateway is a cheap second stack for other settings: a gateway that
// serves the template's routes on its own port, with only the functions
// named (logical IDs, the authorizer included when a route needs it)
// running under their own runtime emulator, on the suite's local AWS stack
// and with the suite's binaries. Their environment is the template's (so
// the template's defaults, not the suite's small test limits) plus env.
func sideGateway(t *testing.T, env map[string]string, functions ...string) string {
	t.Helper()
	var logs io.Writer = io.Discard
	if os.Getenv("E2E_LOGS") != "" {
		logs = os.Stderr
	}
	emu := lambdaemu.New(lambdaemu.Options{Log: logs, Region: awslocal.Region})
	t.Cleanup(emu.Close)
	for _, id := range functions {
		fn := stack.Template.Function(id)
		if fn == nil {
			t.Fatalf("the template has no function %s", id)
		}
		vars := stack.AWS.Env()
		for _, vs := range []map[string]string{fn.Environment, env} {
			keys := make([]string, 0, len(vs))
			for k := range vs {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			for _, k := range keys {
				vars = append(vars, k+"="+vs[k])
			}
		}
		// Where the suite's local.Start built it (Config.BuildDir's default).
		binary, err := filepath.Abs(filepath.Join("..", "..", ".build", "local", fn.LogicalID, "bootstrap"))
		if err != nil {
			t.Fatal(err)
		}
		err = emu.Add(fn.LogicalID, lambdaemu.Function{
			Name: fn.Name, ARN: stack.Template.FunctionARN(fn.Name), Handler: fn.Handler, Timeout: fn.Timeout,
			MemoryMB: fn.MemorySize, Env: vars, Binary: binary,
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	srv := httptest.NewServer(gateway.New(stack.Template, emu, logs))
	t.Cleanup(srv.Close)
	return srv.URL
}

// sendTo is send to another gateway.
func sendTo(t testing.TB, base, method, path, auth, contentType string, body []byte) response {
	t.Helper()
	req, err := http.NewRequest(method, base+path, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	req.Header.Set("Authorization", auth)
	return roundTrip(t, req)
}

// roundTrip sends a request and reads the whole answer.
func roundTrip(t testing.TB, req *http.Request) response {
	t.Helper()
	res, err := httpClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	return response{Status: res.StatusCode, Header: res.Header, Body: raw}
}

// download reads a file's bytes as a client does: inline, or following the
// redirect to S3. It reports whether the answer was a redirect.
func download(t testing.TB, base, path, auth string) ([]byte, bool) {
	t.Helper()
	r := sendTo(t, base, "GET", path, auth, "", nil)
	switch r.Status {
	case http.StatusOK:
		return r.Body, false
	case http.StatusFound:
		res, err := http.Get(r.Header.Get("Location"))
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		data, _ := io.ReadAll(res.Body)
		if res.StatusCode != http.StatusOK {
			t.Fatalf("presigned download: %d %s", res.StatusCode, data)
		}
		return data, true
	}
	t.Fatalf("download %s: %d %s", path, r.Status, r.Body)
	return nil, false
}

// controlData is n bytes of control characters (valid UTF-8, so a Lambda
// response carries them as a JSON string, six bytes each).
func controlData(n int) []byte {
	data := make([]byte, n)
	for i := range data {
		data[i] = byte(1 + i%31)
	}
	return data
}

// TestFilesAtTheExactLimits uploads and downloads files at the exact
// bounds of the suite's small limits: the largest upload and one byte
// more, the largest inline download and one byte more, and files of
// control characters and NUL bytes, whose inline response would be six
// times their size.
func TestFilesAtTheExactLimits(t *testing.T) {
	a := signUp(t, "Files At Limits")
	org := "/api/v1/" + a.OrgKey
	upload := func(data []byte) string {
		body, ct := multipartBody(t, "f.bin", "application/octet-stream", data)
		return expect(t, send(t, "POST", org+"/files", a.Token, ct, body), http.StatusOK).JSON(t)["id"].(string)
	}
	for _, c := range []struct {
		name     string
		data     []byte
		redirect bool
	}{
		{"binary at the inline limit", binaryData(testInlineLimit), false},
		{"binary one byte over the inline limit", binaryData(testInlineLimit + 1), true},
		{"binary at the upload limit", binaryData(testMaxUpload), true},
		{"text at the inline limit", bytes.Repeat([]byte("a"), testInlineLimit), false},
		// Their inline response would be 6x their size: beyond what the
		// inline limit's response may be, so they redirect.
		{"control characters at the inline limit", controlData(testInlineLimit), true},
		{"NUL bytes at the inline limit", make([]byte, testInlineLimit), true},
		{"control characters at the upload limit", controlData(testMaxUpload), true},
		{"a few control characters", controlData(1000), false},
	} {
		id := upload(c.data)
		got, redirected := download(t, stack.GatewayURL, org+"/files/"+id+"/stream", a.Token)
		if !bytes.Equal(got, c.data) || redirected != c.redirect {
			t.Errorf("%s: %d bytes back (want %d), redirected %t (want %t)", c.name, len(got), len(c.data), redirected, c.redirect)
		}
	}
	body, ct := multipartBody(t, "f.bin", "application/octet-stream", binaryData(testMaxUpload+1))
	expectError(t, send(t, "POST", org+"/files", a.Token, ct, body), http.StatusRequestEntityTooLarge)
}

// TestFilesAtTheDefaultLimits runs the files function with the template's
// default limits (4 MiB uploads, 4 MiB inline), where a file of exactly
// 4 MiB of NUL bytes or 1 MiB of control characters used to upload and
// then answer 500 on download (its inline response was over Lambda's 6 MB).
func TestFilesAtTheDefaultLimits(t *testing.T) {
	a := signUp(t, "Files Default Limits")
	org := "/api/v1/" + a.OrgKey
	side := sideGateway(t, nil, "AuthorizerFunction", "FilesFunction")
	for _, c := range []struct {
		name string
		data []byte
	}{
		{"4 MiB of binary", binaryData(casework.DefaultMaxUpload)},
		{"4 MiB of NUL bytes", make([]byte, casework.DefaultMaxUpload)},
		{"1 MiB of control characters", controlData(1 << 20)},
		{"4 MiB of text", []byte(strings.Repeat("line \"quoted\"\n", casework.DefaultMaxUpload/14))},
	} {
		body, ct := multipartBody(t, "f.bin", "application/octet-stream", c.data)
		id := expect(t, sendTo(t, side, "POST", org+"/files", a.Token, ct, body), http.StatusOK).JSON(t)["id"].(string)
		if got, _ := download(t, side, org+"/files/"+id+"/stream", a.Token); !bytes.Equal(got, c.data) {
			t.Errorf("%s: %d bytes back, want %d", c.name, len(got), len(c.data))
		}
	}
	body, ct := multipartBody(t, "f.bin", "application/octet-stream", binaryData(casework.DefaultMaxUpload+1))
	expectError(t, sendTo(t, side, "POST", org+"/files", a.Token, ct, body), http.StatusRequestEntityTooLarge)
}
