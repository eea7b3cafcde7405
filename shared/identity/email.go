package identity

import (
	"context"
	"fmt"
	"time"

	"github.com/effektif-serverless/caseflow/shared/failure"
	"github.com/effektif-serverless/caseflow/shared/mail"
	"github.com/effektif-serverless/caseflow/shared/secret"
)

// OneTimeEmail is the kind of the one-time token that confirms a new
// address; EmailChangeTTL its lifetime.
const (
	OneTimeEmail   = "email"
	EmailChangeTTL = 24 * time.Hour
)

// requestEmailChange mails a single-use code, valid EmailChangeTTL, to the
// new address and tells the old one that a change was asked for. The
// address changes only when the code is confirmed; a newer request makes
// older codes stop working. A new address that has an account already is
// mailed that it has one, and its token has no user (it can never be
// confirmed): the answer and the work are the same either way, so an
// address change does not tell which addresses have accounts. Mails are
// limited per address (MaxMailsPerAddress).
func (s *Service) requestEmailChange(ctx context.Context, user User, newEmail string) error {
	taken := false
	if _, err := s.Store.UserIDByEmail(ctx, NormalizeEmail(newEmail)); err == nil {
		taken = true
	} else if !failure.Is(err, failure.NotFound) {
		return err
	}
	code, err := secret.NewCode()
	if err != nil {
		return failure.Wrap(err, "make address code")
	}
	ot := OneTime{Kind: OneTimeEmail, CodeHash: secret.TokenHash(code), UserID: user.ID,
		Data: map[string]string{"email": newEmail}, Expires: s.now().Add(EmailChangeTTL)}
	if taken {
		ot.UserID = ""
	}
	if err := s.Store.ReplaceOneTime(ctx, ot, user.ID); err != nil {
		return err
	}
	confirm := mail.Message{To: newEmail, Subject: "Confirm your new address",
		Text: fmt.Sprintf("Someone asked to make this address the login of their account.\n\nIf it was you, confirm it with this code within %d hours:\n\n    %s\n\n"+
			"%s\nIf it was not you, ignore this mail; nothing changes.\n",
			int(EmailChangeTTL.Hours()), code, linkLine("", s.links().AddressConfirmation(code)))}
	if taken {
		confirm.Text = "Someone asked to make this address the login of an account, but it is the login of an account already, " +
			"so nothing changes.\n\nIf it was you, sign in with this address instead. If it was not you, ignore this mail.\n"
	}
	if _, _, err := s.sendLimited(ctx, confirm, "address confirmation"); err != nil {
		return err
	}
	_, _, err = s.sendLimited(ctx, mail.Message{To: user.Email, Subject: "A change of your address was asked for",
		Text: "Someone signed in to your account asked to change its address. Your address stays as it is until the new one is confirmed " +
			"from its own mailbox.\n\nIf it was not you, change your password now: that ends every session of your account.\n"}, "address notice")
	return err
}

// ConfirmEmailChange makes the address that a mailed code confirms the
// user's address and login, once; the old address is released in the same
// transaction. Permission: whoever holds the code (it proves the new
// mailbox). Errors: Gone for an unknown, used, replaced or expired code;
// Conflict when the address got an account meanwhile.
func (s *Service) ConfirmEmailChange(ctx context.Context, code string) (User, error) {
	ot, err := s.takeOneTime(ctx, OneTimeEmail, code, func(ot OneTime, u *User) (bool, error) {
		if ot.Data["email"] == "" {
			return false, errBadCode
		}
		u.Email = ot.Data["email"]
		u.DraftEmail, u.DraftEmailExpires = "", time.Time{}
		return true, nil
	})
	if err != nil {
		return User{}, err
	}
	return ot.user, nil
}
