package identity

import (
	"context"
	"log/slog"
	"strings"
	"time"
	"unicode"

	"github.com/effektif-serverless/caseflow/shared/failure"
	"github.com/effektif-serverless/caseflow/shared/mail"
)

// Limits on the identity mails (registration, password reset, invitation,
// address change and its notice) per recipient address, whoever asks for
// them and through whichever organization: at most MaxMailsPerAddress
// within one MailWindow (fixed windows: the clock's hours). A request beyond the limit is answered as if its mail
// was sent, so the limit neither tells whether an address has an account
// nor lets anyone flood a mailbox.
const (
	MaxMailsPerAddress = 5
	MailWindow         = time.Hour
	// MaxMailNameLength bounds a text that someone other than the
	// recipient wrote (a first name, an organization's name) in a mail.
	MaxMailNameLength = 60
)

// mailLimit names the counter of the mails sent to an address.
func mailLimit(address string) string { return "MAIL#" + NormalizeEmail(address) }

// sendLimited sends m unless the recipient's limit is reached. It reports
// the SES message id ("" when the limit held it back) and whether it sent.
// Errors: Unavailable when SES fails; store failures.
func (s *Service) sendLimited(ctx context.Context, m mail.Message, what string) (string, bool, error) {
	_, ok, err := s.Store.Reserve(ctx, mailLimit(m.To), MaxMailsPerAddress, MailWindow, s.now())
	if err != nil {
		return "", false, err
	}
	if !ok {
		slog.InfoContext(ctx, "mail held back: the recipient's limit is reached", "mail", what)
		return "", false, nil
	}
	id, err := s.Mail.Send(ctx, m)
	if err != nil {
		return "", false, &failure.Error{Code: failure.Unavailable, Message: "the " + what + " mail could not be sent", Cause: err}
	}
	return id, true, nil
}

// mailSafe renders a text that a user or an admin wrote (a first name, an
// organization's name) for a mail to someone else: at most
// MaxMailNameLength characters, letters, marks, digits, spaces and a few
// name punctuation marks only. Dots, slashes, colons and @ are dropped, so
// that the text can never read as a link or an address, and control and
// format characters (bidirectional overrides) with them.
func mailSafe(text string) string {
	var b strings.Builder
	n, space := 0, false
	for _, r := range text {
		switch {
		case unicode.IsLetter(r) || unicode.IsMark(r) || unicode.IsDigit(r) || strings.ContainsRune("-'&,()", r):
			gap := space && n > 0
			if gap && n+2 > MaxMailNameLength || n+1 > MaxMailNameLength {
				return b.String()
			}
			if gap {
				b.WriteByte(' ')
				n++
			}
			space = false
			b.WriteRune(r)
			n++
		case unicode.IsSpace(r):
			space = true
		}
	}
	return b.String()
}
