package mailintake

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"strings"
)

// SignatureHeader carries the webhook's signature: "sha256=" and the hex
// HMAC-SHA256 of the raw body under the shared secret.
const SignatureHeader = "X-Caseflow-Signature"

// Sign returns the signature header value of a body.
func Sign(secret, body []byte) string {
	mac := hmac.New(sha256.New, secret)
	mac.Write(body)
	return "sha256=" + hex.EncodeToString(mac.Sum(nil))
}

// Verify reports whether signature is the body's signature under secret,
// in constant time. An empty secret verifies nothing.
func Verify(secret, body []byte, signature string) bool {
	if len(secret) == 0 || !strings.HasPrefix(signature, "sha256=") {
		return false
	}
	want := Sign(secret, body)
	return hmac.Equal([]byte(want), []byte(signature))
}

// DeliveryID identifies a webhook delivery by its content, so a resent
// body is filed once.
func DeliveryID(body []byte) string {
	sum := sha256.Sum256(body)
	return "webhook-" + hex.EncodeToString(sum[:16])
}
