package e2e

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"net/http"
	"strings"
	"testing"
)

func pngImage(t testing.TB) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 4, 4))
	img.Set(1, 1, color.RGBA{R: 200, A: 255})
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestUserAndRegistrationPictures(t *testing.T) {
	a := signUp(t, "Pictures")
	b := signUp(t, "Pictures Member")
	joinAsMember(t, a, b)
	outsider := signUp(t, "Pictures Outsider")
	org := "/api/v1/" + a.OrgKey
	pic := pngImage(t)
	body, ct := multipartBody(t, "me.png", "image/png", pic)
	expect(t, send(t, "POST", org+"/users/"+b.UserID+"/picture", b.Token, ct, body), http.StatusOK)
	got := expect(t, call(t, "GET", org+"/users/"+b.UserID+"/picture", a.Token, nil), http.StatusOK)
	if !bytes.Equal(got.Body, pic) || got.Header.Get("Content-Type") != "image/png" || !strings.Contains(got.Header.Get("Cache-Control"), "max-age") {
		t.Fatalf("picture: %d bytes %v", len(got.Body), got.Header)
	}
	expectError(t, send(t, "POST", org+"/users/"+a.UserID+"/picture", b.Token, ct, body), http.StatusForbidden)
	// A picture is the user's identity: their organization's admin does not set it.
	expectError(t, send(t, "POST", org+"/users/"+b.UserID+"/picture", a.Token, ct, body), http.StatusForbidden)
	expectError(t, call(t, "GET", org+"/users/"+b.UserID+"/picture", outsider.Token, nil), http.StatusNotFound)
	expectError(t, call(t, "GET", org+"/users/"+a.UserID+"/picture", a.Token, nil), http.StatusNotFound)
	text, tct := multipartBody(t, "evil.png", "image/png", []byte("<script>alert(1)</script>"))
	expectError(t, send(t, "POST", org+"/users/"+b.UserID+"/picture", b.Token, tct, text), http.StatusBadRequest)
	r := send(t, "POST", org+"/users/"+b.UserID+"/pictureiframe", b.Token, ct, body)
	if r.Status != 200 || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("iframe: %d %s", r.Status, r.Body)
	}

	code := registrationCode(t, map[string]any{"emailAddress": uniqueEmail("pic")})
	expect(t, send(t, "POST", "/api/v1/registrations/"+code+"/picture", "", ct, body), http.StatusOK)
	if got := expect(t, call(t, "GET", "/api/v1/registrations/"+code+"/picture", "", nil), http.StatusOK); !bytes.Equal(got.Body, pic) {
		t.Fatal("registration picture differs")
	}
	expectError(t, send(t, "POST", "/api/v1/registrations/"+strings.Repeat("x", 22)+"/picture", "", ct, body), http.StatusNotFound)
}
