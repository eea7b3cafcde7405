package identity_test

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base32"
	"encoding/binary"
	"fmt"
	"image/png"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/effektif-serverless/caseflow/shared/failure"
	"github.com/effektif-serverless/caseflow/shared/identity"
	"github.com/effektif-serverless/caseflow/shared/otpauth"
)

// hotpCode is RFC 4226's HOTP (HMAC-SHA1, dynamic truncation, 6 digits),
// written here apart from the service's library so that the tests check
// the service against the RFC, not against itself.
func hotpCode(secret []byte, counter uint64, digits int) string {
	var msg [8]byte
	binary.BigEndian.PutUint64(msg[:], counter)
	mac := hmac.New(sha1.New, secret)
	mac.Write(msg[:])
	sum := mac.Sum(nil)
	off := sum[len(sum)-1] & 0x0f
	bin := (uint32(sum[off])&0x7f)<<24 | uint32(sum[off+1])<<16 | uint32(sum[off+2])<<8 | uint32(sum[off+3])
	mod := uint32(1)
	for range digits {
		mod *= 10
	}
	return fmt.Sprintf("%0*d", digits, bin%mod)
}

// totpCode is RFC 6238's TOTP with 30-second steps at t, offset by skew
// steps.
func totpCode(secret []byte, t time.Time, skew int64) string {
	return hotpCode(secret, uint64(t.Unix()/30+skew), 6)
}

func TestIndependentTOTPMatchesRFC6238(t *testing.T) {
	// RFC 6238 appendix B, SHA-1, 8 digits.
	seed := []byte("12345678901234567890")
	for _, v := range []struct {
		unix int64
		code string
	}{{59, "94287082"}, {1111111109, "07081804"}, {1234567890, "89005924"}, {20000000000, "65353130"}} {
		if got := hotpCode(seed, uint64(v.unix/30), 8); got != v.code {
			t.Errorf("T=%d: %s, want %s", v.unix, got, v.code)
		}
	}
}

// totpWorld is a world whose service has a TOTP key.
func totpWorld(t *testing.T) *world {
	w := newWorld(t)
	w.svc.TOTPKey = []byte("0123456789abcdef0123456789abcdef")
	w.svc.OTP = otpauth.OTP{}
	w.svc.TOTPIssuer = "Caseflow Test"
	return w
}

func rawSecret(t *testing.T, e identity.TOTPEnrollment) []byte {
	t.Helper()
	raw, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(e.Secret)
	if err != nil {
		t.Fatalf("secret %q is not Base32: %v", e.Secret, err)
	}
	return raw
}

// enrolled enrolls and verifies TOTP for u and answers the secret.
func (w *world) enrolled(u identity.User) []byte {
	w.t.Helper()
	e, err := w.svc.EnrollTOTP(w.ctx, u.ID)
	w.ok(err, "enroll")
	raw := rawSecret(w.t, e)
	w.ok(w.svc.VerifyTOTP(w.ctx, u.ID, []string{totpCode(raw, w.now, -1), totpCode(raw, w.now, 0)}), "verify")
	return raw
}

func TestTOTPEnrollment(t *testing.T) {
	w := totpWorld(t)
	u := w.account("otp@example.com")
	e, err := w.svc.EnrollTOTP(w.ctx, u.ID)
	w.ok(err, "enroll")
	raw := rawSecret(t, e)
	if len(raw) != identity.TOTPSecretBytes {
		t.Fatalf("secret of %d bytes", len(raw))
	}
	uri, err := url.Parse(e.URI)
	if err != nil || uri.Scheme != "otpauth" || uri.Host != "totp" {
		t.Fatalf("uri %q", e.URI)
	}
	q := uri.Query()
	if q.Get("secret") != e.Secret || q.Get("issuer") != "Caseflow Test" || q.Get("digits") != "6" || q.Get("period") != "30" ||
		q.Get("algorithm") != "SHA1" || !strings.Contains(uri.Path, "otp@example.com") {
		t.Fatalf("uri %q", e.URI)
	}
	img, err := png.Decode(bytes.NewReader(e.QRPNG))
	if err != nil || img.Bounds().Dx() != identity.TOTPQRSize {
		t.Fatalf("QR: %v (%v)", err, img)
	}

	// Pending: the user is not enrolled, a login code is refused, the
	// secret can be shown again.
	if got, _ := w.store.GetUser(w.ctx, u.ID); got.TOTPEnrolled || got.HasTOTP() {
		t.Fatal("enrolled before verification")
	}
	w.fails(w.svc.CheckTOTP(w.ctx, u.ID, totpCode(raw, w.now, 0)), failure.Unauthenticated, "a code of a pending credential")
	st, err := w.svc.TOTP(w.ctx, u.ID, false)
	w.ok(err, "state")
	if st.Verified || st.Enrollment == nil || st.Enrollment.Secret != e.Secret || st.Enrollment.QRPNG != nil {
		t.Fatalf("pending state: %+v", st)
	}
	qr, err := w.svc.TOTPQR(w.ctx, u.ID)
	w.ok(err, "QR while pending")
	if _, err := png.Decode(bytes.NewReader(qr)); err != nil {
		t.Fatal(err)
	}

	// Verification needs two consecutive codes.
	w.fails(w.svc.VerifyTOTP(w.ctx, u.ID, []string{totpCode(raw, w.now, 0)}), failure.Invalid, "one code")
	w.fails(w.svc.VerifyTOTP(w.ctx, u.ID, []string{totpCode(raw, w.now, 0), totpCode(raw, w.now, 0)}), failure.Invalid, "one code twice")
	w.fails(w.svc.VerifyTOTP(w.ctx, u.ID, []string{totpCode(raw, w.now, 0), totpCode(raw, w.now, -1)}), failure.Invalid, "codes in the wrong order")
	w.fails(w.svc.VerifyTOTP(w.ctx, u.ID, []string{totpCode(raw, w.now, -3), totpCode(raw, w.now, -2)}), failure.Invalid, "codes of long ago")
	// Four failures so far (and one login code): the throttle's window
	// must end before the next attempt.
	w.now = w.now.Add(identity.LoginWindow)
	w.ok(w.svc.VerifyTOTP(w.ctx, u.ID, []string{totpCode(raw, w.now, 0), totpCode(raw, w.now, 1)}), "verify with the next step's code (skew)")
	got, _ := w.store.GetUser(w.ctx, u.ID)
	if !got.TOTPEnrolled {
		t.Fatal("not enrolled after verification")
	}
	// Verified: never shown again, no re-enrollment over it.
	st, err = w.svc.TOTP(w.ctx, u.ID, true)
	w.ok(err, "state")
	if !st.Verified || st.Enrollment != nil || !st.VerifiedAt.Equal(w.now) || !st.Created.Before(w.now) {
		t.Fatalf("verified state: %+v", st)
	}
	_, err = w.svc.TOTPQR(w.ctx, u.ID)
	w.fails(err, failure.NotFound, "QR of a verified credential")
	_, err = w.svc.EnrollTOTP(w.ctx, u.ID)
	w.fails(err, failure.Conflict, "enroll over a verified credential")
	w.fails(w.svc.VerifyTOTP(w.ctx, u.ID, []string{"000000", "000000"}), failure.Conflict, "verify twice")

	// The codes used to verify do not sign in.
	w.fails(w.svc.CheckTOTP(w.ctx, u.ID, totpCode(raw, w.now, 1)), failure.Unauthenticated, "the verification's code")
	w.now = w.now.Add(60 * time.Second)
	w.ok(w.svc.CheckTOTP(w.ctx, u.ID, totpCode(raw, w.now, 0)), "a later code")

	// Delete: the flag goes, enrolling again makes a new secret.
	w.ok(w.svc.DeleteTOTP(w.ctx, u.ID), "delete")
	if got, _ := w.store.GetUser(w.ctx, u.ID); got.TOTPEnrolled {
		t.Fatal("enrolled after delete")
	}
	w.fails(w.svc.DeleteTOTP(w.ctx, u.ID), failure.NotFound, "delete twice")
	_, err = w.svc.TOTP(w.ctx, u.ID, false)
	w.fails(err, failure.NotFound, "state after delete")
	again, err := w.svc.EnrollTOTP(w.ctx, u.ID)
	w.ok(err, "enroll again")
	if again.Secret == e.Secret {
		t.Fatal("the same secret twice")
	}
}

func TestTOTPPendingReEnrollReplaces(t *testing.T) {
	w := totpWorld(t)
	u := w.account("re@example.com")
	first, err := w.svc.EnrollTOTP(w.ctx, u.ID)
	w.ok(err, "enroll")
	second, err := w.svc.EnrollTOTP(w.ctx, u.ID)
	w.ok(err, "enroll again while pending")
	old, cur := rawSecret(t, first), rawSecret(t, second)
	w.fails(w.svc.VerifyTOTP(w.ctx, u.ID, []string{totpCode(old, w.now, -1), totpCode(old, w.now, 0)}), failure.Invalid, "the replaced secret")
	w.ok(w.svc.VerifyTOTP(w.ctx, u.ID, []string{totpCode(cur, w.now, -1), totpCode(cur, w.now, 0)}), "the new secret")
}

func TestTOTPCheckReplaySkewAndSteps(t *testing.T) {
	w := totpWorld(t)
	u := w.account("check@example.com")
	raw := w.enrolled(u)
	w.now = w.now.Add(5 * time.Minute)

	code := totpCode(raw, w.now, 0)
	w.ok(w.svc.CheckTOTP(w.ctx, u.ID, code), "the current code")
	w.fails(w.svc.CheckTOTP(w.ctx, u.ID, code), failure.Unauthenticated, "the same code again")
	w.fails(w.svc.CheckTOTP(w.ctx, u.ID, totpCode(raw, w.now, -1)), failure.Unauthenticated, "an earlier step after a later one")
	w.ok(w.svc.CheckTOTP(w.ctx, u.ID, totpCode(raw, w.now, 1)), "the next step (clock ahead)")
	w.fails(w.svc.CheckTOTP(w.ctx, u.ID, totpCode(raw, w.now, 2)), failure.Unauthenticated, "two steps ahead")

	w.now = w.now.Add(10 * time.Minute)
	w.ok(w.svc.CheckTOTP(w.ctx, u.ID, totpCode(raw, w.now, -1)), "the previous step (clock behind)")
	w.fails(w.svc.CheckTOTP(w.ctx, u.ID, totpCode(raw, w.now, -2)), failure.Unauthenticated, "two steps behind")
	w.now = w.now.Add(identity.LoginWindow)
	for _, bad := range []string{"", "12345", "1234567", " " + totpCode(raw, w.now, 0), "١٢٣٤٥٦"} {
		w.fails(w.svc.CheckTOTP(w.ctx, u.ID, bad), failure.Unauthenticated, "malformed "+bad)
	}
	w.now = w.now.Add(identity.LoginWindow)
	other := w.account("other@example.com")
	w.fails(w.svc.CheckTOTP(w.ctx, other.ID, totpCode(raw, w.now, 0)), failure.Unauthenticated, "a user without TOTP")
	w.fails(w.svc.CheckTOTP(w.ctx, "", "123456"), failure.Unauthenticated, "no user")
}

func TestTOTPThrottle(t *testing.T) {
	w := totpWorld(t)
	u := w.account("throttle@example.com")
	raw := w.enrolled(u)
	w.now = w.now.Truncate(identity.LoginWindow).Add(identity.LoginWindow + time.Minute)
	good := totpCode(raw, w.now, 0)
	wrong := fmt.Sprintf("%06d", (mustAtoi(t, good)+1)%1000000)
	for i := range identity.MaxFailedLogins {
		w.fails(w.svc.CheckTOTP(w.ctx, u.ID, wrong), failure.Unauthenticated, fmt.Sprintf("wrong code %d", i+1))
	}
	err := w.svc.CheckTOTP(w.ctx, u.ID, good)
	w.fails(err, failure.TooManyRequests, "the right code once the limit is reached")
	if d, ok := failure.As(err).Details.(map[string]int); !ok || d["retryAfterSeconds"] <= 0 {
		t.Fatalf("details %+v", failure.As(err).Details)
	}
	// Another user is not throttled; the window's end lifts it.
	w.now = w.now.Add(identity.LoginWindow)
	w.ok(w.svc.CheckTOTP(w.ctx, u.ID, totpCode(raw, w.now, 0)), "the next window")
	// Successes give their reservation back.
	for i := range identity.MaxFailedLogins + 2 {
		w.now = w.now.Add(30 * time.Second)
		w.ok(w.svc.CheckTOTP(w.ctx, u.ID, totpCode(raw, w.now, 0)), fmt.Sprintf("success %d", i))
	}
}

func mustAtoi(t *testing.T, s string) int {
	t.Helper()
	n := 0
	for _, r := range s {
		n = n*10 + int(r-'0')
	}
	return n
}

func TestTOTPSecretEncryptedAtRest(t *testing.T) {
	w := totpWorld(t)
	u := w.account("rest@example.com")
	e, err := w.svc.EnrollTOTP(w.ctx, u.ID)
	w.ok(err, "enroll")
	raw := rawSecret(t, e)
	c, err := w.store.GetTOTP(w.ctx, u.ID)
	w.ok(err, "read the stored credential")
	if len(c.Sealed) == 0 || bytes.Contains(c.Sealed, raw) || bytes.Contains(c.Sealed, []byte(e.Secret)) ||
		bytes.Contains(bytes.ToUpper(c.Sealed), []byte(e.Secret)) {
		t.Fatalf("the stored secret holds the plaintext: %x", c.Sealed)
	}
	// Another key cannot open it: the service fails, it does not accept.
	w.svc.TOTPKey = []byte("another key of at least 32 bytes!!")
	w.fails(w.svc.VerifyTOTP(w.ctx, u.ID, []string{totpCode(raw, w.now, -1), totpCode(raw, w.now, 0)}), failure.Internal, "verify under another key")
	w.svc.TOTPKey = []byte("0123456789abcdef0123456789abcdef")
	// A sealed secret moved to another user does not open.
	v := w.account("victim@example.com")
	_, err = w.svc.EnrollTOTP(w.ctx, v.ID)
	w.ok(err, "enroll the victim")
	moved := c
	moved.UserID = v.ID
	w.ok(w.store.PutTOTP(w.ctx, moved), "copy the sealed secret to the victim")
	w.fails(w.svc.VerifyTOTP(w.ctx, v.ID, []string{totpCode(raw, w.now, -1), totpCode(raw, w.now, 0)}), failure.Internal, "a moved secret")
	// Two enrollments seal with different nonces.
	e2, err := w.svc.EnrollTOTP(w.ctx, u.ID)
	w.ok(err, "enroll again")
	c2, _ := w.store.GetTOTP(w.ctx, u.ID)
	if bytes.Equal(c.Sealed[:12], c2.Sealed[:12]) || e2.Secret == e.Secret {
		t.Fatal("nonce or secret reused")
	}
}

func TestTOTPNeedsKeyAndCaller(t *testing.T) {
	w := newWorld(t)
	u := w.account("nokey@example.com")
	_, err := w.svc.EnrollTOTP(w.ctx, u.ID)
	w.fails(err, failure.Internal, "enroll without a key")
	w.fails(w.svc.CheckTOTP(w.ctx, u.ID, "123456"), failure.Internal, "check without a key")
	w.svc.TOTPKey = []byte("too short")
	_, err = w.svc.EnrollTOTP(w.ctx, u.ID)
	w.fails(err, failure.Internal, "enroll with a short key")
	w.svc.TOTPKey = []byte("0123456789abcdef0123456789abcdef")
	_, err = w.svc.EnrollTOTP(w.ctx, u.ID)
	w.fails(err, failure.Internal, "enroll with a key but no OTP")
	w.svc.OTP = otpauth.OTP{}
	_, err = w.svc.EnrollTOTP(w.ctx, "")
	w.fails(err, failure.Unauthenticated, "enroll without a caller")
	w.fails(w.svc.DeleteTOTP(w.ctx, ""), failure.Unauthenticated, "delete without a caller")
	_, err = w.svc.TOTPQR(w.ctx, u.ID)
	w.fails(err, failure.NotFound, "QR without a credential")
	w.fails(w.svc.VerifyTOTP(w.ctx, u.ID, []string{"123456", "234567"}), failure.NotFound, "verify without a credential")
}
