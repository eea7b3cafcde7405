package mailintake

import (
	"bytes"
	"net/mail"
	"strings"

	"github.com/effektif-serverless/caseflow/shared/mailparse"
)

// MaxMessageSize is SES's limit of a received message.
const MaxMessageSize = 40 << 20

// SES verdict statuses.
const (
	VerdictPass = "PASS"
	VerdictFail = "FAIL"
)

// Authentication is what SES found out about a received message's sender:
// the statuses (PASS, FAIL, GRAY, PROCESSING_FAILED) of its SPF, DKIM and
// DMARC verdicts, and the envelope sender (SMTP MAIL FROM, the identity
// that SPF checks).
type Authentication struct {
	SPF, DKIM, DMARC string
	EnvelopeFrom     string
}

// Verifies reports whether the verdicts prove that the message's From
// address is its real sender; only then may the sender be taken for the
// member the address names. The message must have exactly one From header
// field with exactly one address (what DMARC evaluates), and then either
//
//   - the DMARC verdict is PASS: SES found SPF or DKIM passing for a domain
//     aligned with the From domain; or
//   - the DMARC verdict is not FAIL (the From domain publishes no DMARC
//     policy: GRAY, or its evaluation failed), and an identity aligned
//     strictly with the From domain passed, as DMARC would judge it:
//     SPF is PASS and the envelope sender's domain is the From domain, or
//     DKIM is PASS and every DKIM-Signature of the message signs with d=
//     the From domain (so the signature that passed is aligned).
//
// Anything else (a DMARC FAIL; SPF, DKIM and DMARC all failed; a pass for
// another domain; no verdicts) leaves the sender unknown: such mail may
// only start workflows with an email trigger and never files as a
// member's task, case or task mail.
func (a *Authentication) Verifies(raw []byte, from []mailparse.Address) bool {
	if len(from) != 1 {
		return false
	}
	header, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil || len(header.Header["From"]) != 1 {
		return false
	}
	domain := addressDomain(from[0].Email)
	switch {
	case domain == "":
		return false
	case a.DMARC == VerdictPass:
		return true
	case a.DMARC == VerdictFail:
		return false
	case a.SPF == VerdictPass && addressDomain(a.EnvelopeFrom) == domain:
		return true
	}
	sigs := header.Header["Dkim-Signature"]
	if a.DKIM != VerdictPass || len(sigs) == 0 {
		return false
	}
	for _, sig := range sigs {
		if dkimDomain(sig) != domain {
			return false
		}
	}
	return true
}

// addressDomain is the lower-case domain of an address, without a trailing
// dot; "" when there is none.
func addressDomain(address string) string {
	i := strings.LastIndexByte(address, '@')
	if i < 0 {
		return ""
	}
	return strings.TrimSuffix(strings.ToLower(strings.TrimSpace(address[i+1:])), ".")
}

// dkimDomain is the lower-case d= tag of a DKIM-Signature header value
// (RFC 6376 tag list: "tag=value" separated by ";", folding white space
// anywhere), "" when it has none.
func dkimDomain(value string) string {
	for _, tag := range strings.Split(value, ";") {
		name, v, ok := strings.Cut(tag, "=")
		if ok && strings.TrimSpace(name) == "d" {
			return strings.TrimSuffix(strings.ToLower(strings.Join(strings.Fields(v), "")), ".")
		}
	}
	return ""
}
