package mailintake

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/mail"
	"strconv"
	"strings"
	"time"

	"github.com/effektif-serverless/caseflow/shared/failure"
)

// Headers of the mail webhook (POST /mail/incoming).
const (
	// SignatureHeader carries the signature: "sha256=" and the lower-case
	// hex HMAC-SHA256, under the shared secret, of
	//
	//	timestamp + "\n" + recipients + "\n" + body
	//
	// where timestamp is the TimestampHeader value as sent, recipients the
	// RecipientsHeader value in its canonical form (CanonicalRecipients:
	// its comma-separated elements trimmed of surrounding spaces and joined
	// by "," alone; "" without the header) and body the raw message.
	SignatureHeader = "X-Caseflow-Signature"
	// TimestampHeader is when the delivery was signed, in Unix seconds
	// (decimal). A delivery is taken only within MaxClockSkew of the
	// server's clock, so a captured one cannot be replayed later.
	TimestampHeader = "X-Caseflow-Timestamp"
	// RecipientsHeader optionally names the envelope recipients: bare
	// addresses (local@domain), separated by commas. Without it the
	// recipients are the message's To and Cc addresses of the mail domain.
	RecipientsHeader = "X-Caseflow-Recipients"
)

// MaxClockSkew is how far a webhook delivery's timestamp may be from the
// server's clock, either way.
const MaxClockSkew = 5 * time.Minute

// Sign returns the SignatureHeader value of a delivery: timestamp is the
// TimestampHeader value, recipients the canonical RecipientsHeader value.
func Sign(secret []byte, timestamp, recipients string, body []byte) string {
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte(timestamp))
	mac.Write([]byte{'\n'})
	mac.Write([]byte(recipients))
	mac.Write([]byte{'\n'})
	mac.Write(body)
	return "sha256=" + hex.EncodeToString(mac.Sum(nil))
}

// Verify checks a webhook delivery's signature (in constant time) and then
// its timestamp against now. An empty secret verifies nothing. Errors:
// Unauthenticated (no or a wrong signature, a missing or malformed
// timestamp, or one outside MaxClockSkew).
func Verify(secret []byte, timestamp, recipients string, body []byte, signature string, now time.Time) error {
	if len(secret) == 0 || !strings.HasPrefix(signature, "sha256=") ||
		!hmac.Equal([]byte(Sign(secret, timestamp, recipients, body)), []byte(signature)) {
		return failure.New(failure.Unauthenticated, "the %s header does not sign this delivery (%s, %s and the body)",
			SignatureHeader, TimestampHeader, RecipientsHeader)
	}
	sec, err := strconv.ParseInt(timestamp, 10, 64)
	if err != nil {
		return failure.New(failure.Unauthenticated, "the %s header must be the signing time in Unix seconds", TimestampHeader)
	}
	if d := now.Sub(time.Unix(sec, 0)); d > MaxClockSkew || d < -MaxClockSkew {
		return failure.New(failure.Unauthenticated, "the %s header is more than %s away from the server's time", TimestampHeader, MaxClockSkew)
	}
	return nil
}

// CanonicalRecipients is the signed form of the RecipientsHeader: the
// header's values (an HTTP layer may have split one value at its commas,
// as API Gateway's Lambda adapter does, or received several lines) joined
// by commas, then each element trimmed of surrounding spaces and joined
// by "," again. It is the same string however the header was split.
func CanonicalRecipients(values []string) string {
	parts := strings.Split(strings.Join(values, ","), ",")
	for i, p := range parts {
		parts[i] = strings.TrimSpace(p)
	}
	return strings.Join(parts, ",")
}

// MaxAddressLength bounds one recipient address (RFC 5321's path limit).
const MaxAddressLength = 256

// ParseRecipients reads a canonical RecipientsHeader value: each non-empty
// element must be a bare address (local@domain, no display name); the
// result is Distinct. Errors: Invalid (naming the element), and Invalid
// when there are more than MaxRecipients distinct addresses.
func ParseRecipients(canonical string) ([]string, error) {
	var out []string
	for _, p := range strings.Split(canonical, ",") {
		if p == "" {
			continue
		}
		a, err := mail.ParseAddress(p)
		if len(p) > MaxAddressLength || err != nil || a.Name != "" || a.Address != p {
			return nil, failure.Field(RecipientsHeader, "%.64q is not a bare address (local@domain)", p)
		}
		out = append(out, p)
	}
	return bounded(Distinct(out))
}

// DomainRecipients are the Distinct addresses among addresses that belong
// to the mail domain. Errors: Invalid when there are more than
// MaxRecipients.
func DomainRecipients(addresses []string, domain string) ([]string, error) {
	var out []string
	for _, a := range addresses {
		if _, ok := ParseRecipient(a, domain); ok {
			out = append(out, a)
		}
	}
	return bounded(Distinct(out))
}

func bounded(recipients []string) ([]string, error) {
	if len(recipients) > MaxRecipients {
		return nil, failure.Field(RecipientsHeader, "a message may have at most %d recipients of the mail domain, not %d", MaxRecipients, len(recipients))
	}
	return recipients, nil
}

// DeliveryID identifies a webhook delivery by its content, so a resent
// body is filed once per recipient.
func DeliveryID(body []byte) string {
	sum := sha256.Sum256(body)
	return "webhook-" + hex.EncodeToString(sum[:16])
}
