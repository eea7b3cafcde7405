package identity

// Recovery emails: a user's extra addresses to recover the account with
// (10Duke's RecoveryEmail), each validated by proving its mailbox.
//
// Decisions:
//   - Permission: a signed-in user, for themself (callerID); another
//     user's recovery emails are NotFound.
//   - A user has at most MaxRecoveryEmails; an address is a user's
//     recovery email once (Conflict, ErrRecoveryEmailTaken) and is never
//     the user's own sign-in address (Invalid). Different users may name
//     the same address.
//   - Ids are the core's 24-hex ids; a caller may give one on add (the
//     10Duke bodies carry the id), else one is made.
//   - Validation needs the mailbox: both ways the 10Duke document gives
//     put a single-use key (128 bits, valid RecoveryKeyTTL) into a mail to
//     the address, never into an answer. SendRecoveryEmailValidation mails
//     a link made from the caller's template; CreateRecoveryChallenge
//     mails the key as a code. The document's POST …/challenges answers
//     the token to its caller "to be delivered by the caller"; answering
//     it to a signed-in user would let anyone mark an address they do not
//     hold as validated, so the core mails it instead (the dialect answers
//     no secret). ValidateRecoveryEmail (the link's key, no session
//     needed: the key is the proof) and AnswerRecoveryChallenge (the
//     signed-in owner, with the code or the link's key) mark the address
//     validated, once: the key is deleted in the same transaction.
//   - A new key makes the address's older one stop working (one live key
//     per recovery email); changing the address (ReplaceRecoveryEmail)
//     clears ValidatedAt and kills the live key (a key is bound to the
//     address it was mailed to).
//   - The verification URL template must be an absolute URL under
//     Service.BaseURL (same scheme, host and port, path below BaseURL's
//     path), hold ${key} exactly once, after the host (in the path, query
//     or fragment), and have no user info and no dot segments: a mail that carries our key
//     must never send its reader to another site (phishing, open
//     redirect). The key is URL-safe base64 and is put in as it is.
//   - Mails to a recovery address count against that address's limit
//     like the core's other mails (MaxMailsPerAddress per MailWindow);
//     beyond it the call answers as if it sent (and sends nothing).
//   - The mails name no one (no user's name or sign-in address): the
//     recipient is told only that the address was added as a recovery
//     address and what to do with the key.

import (
	"context"
	"fmt"
	"log/slog"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/effektif-serverless/caseflow/shared/failure"
	"github.com/effektif-serverless/caseflow/shared/ids"
	"github.com/effektif-serverless/caseflow/shared/mail"
	"github.com/effektif-serverless/caseflow/shared/secret"
)

// Limits of recovery emails.
const (
	// MaxRecoveryEmails bounds the recovery emails of one user.
	MaxRecoveryEmails = 5
	// RecoveryKeyTTL is how long a validation key or challenge code works.
	RecoveryKeyTTL = 24 * time.Hour
	// MaxVerificationURLLength bounds a verification URL template.
	MaxVerificationURLLength = 2000
	// RecoveryKeyPlaceholder is what a verification URL template holds
	// where the key goes.
	RecoveryKeyPlaceholder = "${key}"
	// OneTimeRecovery is the kind of the recovery emails' keys.
	OneTimeRecovery = "recovery"
)

// The canonical names of the recovery fields in the core's errors.
const (
	FieldRecoveryEmailID = "id"
	FieldVerificationURL = "verificationUrl"
	FieldRecoveryKey     = "token"
)

// RecoveryEmail is one of a user's recovery addresses.
type RecoveryEmail struct {
	ID      string
	UserID  string
	Address string
	// ValidatedAt is when its mailbox was last proven; zero until then.
	ValidatedAt time.Time
	Created     time.Time
	Version     int
}

// Validated reports whether the address's mailbox was proven.
func (e RecoveryEmail) Validated() bool { return !e.ValidatedAt.IsZero() }

// RecoveryStore is the part of Store behind recovery emails.
// Implementations return *failure.Error values like Store's.
type RecoveryStore interface {
	// AddRecoveryEmail stores a new recovery email (Version 1) with the
	// claim of its address among the user's and counts it, together;
	// ErrRecoveryEmailTaken when the user has the address already,
	// ErrRecoveryIDTaken when the user has the id, ErrTooManyRecoveryEmails
	// when the user has max.
	AddRecoveryEmail(ctx context.Context, e RecoveryEmail, max int) error
	// RecoveryEmailsOfUser lists up to limit recovery emails of the user,
	// by id: one bounded Query.
	RecoveryEmailsOfUser(ctx context.Context, userID string, limit int) ([]RecoveryEmail, error)
	// GetRecoveryEmail reads one; NotFound when the user has no such id.
	GetRecoveryEmail(ctx context.Context, userID, id string) (RecoveryEmail, error)
	// UpdateRecoveryEmail stores e on condition that the stored version
	// is e.Version-1 (a retryable Conflict otherwise, or when it is gone);
	// when oldAddress is set the address changed: the new one is claimed
	// (ErrRecoveryEmailTaken) and the old one released, together.
	UpdateRecoveryEmail(ctx context.Context, e RecoveryEmail, oldAddress string) error
	// DeleteRecoveryEmail deletes e, its address claim and its count,
	// together; NotFound when it is gone.
	DeleteRecoveryEmail(ctx context.Context, e RecoveryEmail) error
	// TakeRecoveryKey deletes the one-time key t (a retryable Conflict
	// when it is gone) and stores e on condition of its version (as
	// UpdateRecoveryEmail, address unchanged), together.
	TakeRecoveryKey(ctx context.Context, t OneTime, e RecoveryEmail) error
}

// Errors of RecoveryStore that the service passes on.
var (
	ErrRecoveryEmailTaken = &failure.Error{Code: failure.Conflict, Field: FieldEmail,
		Message: "this address is a recovery email of the user already"}
	ErrRecoveryIDTaken = &failure.Error{Code: failure.Conflict, Field: FieldRecoveryEmailID,
		Message: "the user has a recovery email with this id already"}
	ErrTooManyRecoveryEmails = failure.New(failure.Conflict,
		"a user has at most %d recovery emails; delete one first", MaxRecoveryEmails)
)

var (
	errNoRecoveryEmail = failure.New(failure.NotFound, "no such recovery email")
	errBadRecoveryKey  = &failure.Error{Code: failure.Gone, Field: FieldRecoveryKey,
		Message: "the key is unknown, used, replaced or expired"}
)

// AddRecoveryEmail adds a recovery address for the caller, not validated;
// id may be empty (one is made) or a 24-hex id.
// Permission: a signed-in user, for themself. Errors: Unauthenticated
// without a caller; Invalid for a bad address, the caller's own address or
// a malformed id; Conflict for an address or id the caller has already
// (ErrRecoveryEmailTaken, ErrRecoveryIDTaken) or MaxRecoveryEmails reached
// (ErrTooManyRecoveryEmails).
func (s *Service) AddRecoveryEmail(ctx context.Context, callerID, id, address string) (RecoveryEmail, error) {
	user, err := s.caller(ctx, callerID)
	if err != nil {
		return RecoveryEmail{}, err
	}
	if id == "" {
		id = ids.New()
	} else if !ids.Valid(id) {
		return RecoveryEmail{}, failure.Field(FieldRecoveryEmailID, "id is not a valid id")
	}
	address, err = recoveryAddress(user, address)
	if err != nil {
		return RecoveryEmail{}, err
	}
	e := RecoveryEmail{ID: id, UserID: user.ID, Address: address, Created: s.now(), Version: 1}
	if err := s.Store.AddRecoveryEmail(ctx, e, MaxRecoveryEmails); err != nil {
		return RecoveryEmail{}, err
	}
	slog.InfoContext(ctx, "recovery email added", "userId", user.ID, "recoveryEmailId", id)
	return e, nil
}

// recoveryAddress checks an address for a user's recovery email and
// answers it trimmed.
func recoveryAddress(user User, address string) (string, error) {
	if err := ValidateEmail(FieldEmail, address); err != nil {
		return "", err
	}
	address = strings.TrimSpace(address)
	if NormalizeEmail(address) == NormalizeEmail(user.Email) {
		return "", failure.Field(FieldEmail, "a recovery email must differ from the sign-in address")
	}
	return address, nil
}

// RecoveryEmails lists the caller's recovery emails, by id.
// Permission: a signed-in user, their own. Errors: Unauthenticated
// without a caller.
func (s *Service) RecoveryEmails(ctx context.Context, callerID string) ([]RecoveryEmail, error) {
	user, err := s.caller(ctx, callerID)
	if err != nil {
		return nil, err
	}
	es, err := s.Store.RecoveryEmailsOfUser(ctx, user.ID, MaxRecoveryEmails)
	if err != nil {
		return nil, err
	}
	slices.SortFunc(es, func(a, b RecoveryEmail) int { return strings.Compare(a.ID, b.ID) })
	return es, nil
}

// RecoveryEmail answers one of the caller's recovery emails.
// Permission: a signed-in user, their own. Errors: Unauthenticated
// without a caller; NotFound for a malformed, unknown or another user's id.
func (s *Service) RecoveryEmail(ctx context.Context, callerID, id string) (RecoveryEmail, error) {
	user, err := s.caller(ctx, callerID)
	if err != nil {
		return RecoveryEmail{}, err
	}
	return s.recoveryEmail(ctx, user.ID, id)
}

func (s *Service) recoveryEmail(ctx context.Context, userID, id string) (RecoveryEmail, error) {
	if !ids.Valid(id) {
		return RecoveryEmail{}, errNoRecoveryEmail
	}
	e, err := s.Store.GetRecoveryEmail(ctx, userID, id)
	if failure.Is(err, failure.NotFound) {
		return RecoveryEmail{}, errNoRecoveryEmail
	}
	return e, err
}

// ReplaceRecoveryEmail sets the address of one of the caller's recovery
// emails. The same address (compared as NormalizeEmail does) changes
// nothing; another clears its validation and makes its live key stop
// working.
// Permission: a signed-in user, their own. Errors: Unauthenticated
// without a caller; NotFound as RecoveryEmail; Invalid and Conflict
// (ErrRecoveryEmailTaken) as AddRecoveryEmail; a retryable Conflict when
// it changed meanwhile.
func (s *Service) ReplaceRecoveryEmail(ctx context.Context, callerID, id, address string) (RecoveryEmail, error) {
	user, err := s.caller(ctx, callerID)
	if err != nil {
		return RecoveryEmail{}, err
	}
	e, err := s.recoveryEmail(ctx, user.ID, id)
	if err != nil {
		return RecoveryEmail{}, err
	}
	if address, err = recoveryAddress(user, address); err != nil {
		return RecoveryEmail{}, err
	}
	if NormalizeEmail(address) == NormalizeEmail(e.Address) {
		return e, nil
	}
	old := e.Address
	e.Address, e.ValidatedAt, e.Version = address, time.Time{}, e.Version+1
	if err := s.Store.UpdateRecoveryEmail(ctx, e, old); err != nil {
		return RecoveryEmail{}, err
	}
	return e, nil
}

// DeleteRecoveryEmail deletes one of the caller's recovery emails (its
// live key stops working).
// Permission: a signed-in user, their own. Errors: Unauthenticated
// without a caller; NotFound as RecoveryEmail.
func (s *Service) DeleteRecoveryEmail(ctx context.Context, callerID, id string) error {
	user, err := s.caller(ctx, callerID)
	if err != nil {
		return err
	}
	e, err := s.recoveryEmail(ctx, user.ID, id)
	if err != nil {
		return err
	}
	if err := s.Store.DeleteRecoveryEmail(ctx, e); err != nil {
		if failure.Is(err, failure.NotFound) {
			return errNoRecoveryEmail
		}
		return err
	}
	return nil
}

// SendRecoveryEmailValidation mails the recovery address a link to
// validate it: verificationURLTemplate with a new single-use key (valid
// RecoveryKeyTTL) in place of ${key}; the address's older key stops
// working. The link's key goes to ValidateRecoveryEmail (or
// AnswerRecoveryChallenge).
// Permission: a signed-in user, their own. Errors: Unauthenticated
// without a caller; NotFound as RecoveryEmail; Invalid (FieldVerificationURL)
// for a template that breaks the rule above (checkVerificationURL);
// Unavailable when the mail cannot be sent.
func (s *Service) SendRecoveryEmailValidation(ctx context.Context, callerID, id, verificationURLTemplate string) error {
	if err := s.checkVerificationURL(verificationURLTemplate); err != nil {
		return err
	}
	e, key, err := s.recoveryKeyFor(ctx, callerID, id)
	if err != nil {
		return err
	}
	link := strings.Replace(verificationURLTemplate, RecoveryKeyPlaceholder, key, 1)
	msg := mail.Message{To: e.Address, Subject: "Confirm your recovery email address",
		Text: fmt.Sprintf("This address was added as a recovery address of an account.\n\n"+
			"Confirm it with this link within %d hours:\n\n%s\n\n"+
			"If you did not ask for this, ignore this mail; the address stays unconfirmed.\n",
			int(RecoveryKeyTTL.Hours()), link)}
	_, _, err = s.sendLimited(ctx, msg, "recovery validation")
	return err
}

// CreateRecoveryChallenge mails the recovery address a new single-use
// code (valid RecoveryKeyTTL) for AnswerRecoveryChallenge; the address's
// older key stops working. The code is in the mail only (see the
// decisions above).
// Permission: a signed-in user, their own. Errors: Unauthenticated
// without a caller; NotFound as RecoveryEmail; Unavailable when the mail
// cannot be sent.
func (s *Service) CreateRecoveryChallenge(ctx context.Context, callerID, id string) error {
	e, code, err := s.recoveryKeyFor(ctx, callerID, id)
	if err != nil {
		return err
	}
	msg := mail.Message{To: e.Address, Subject: "Your recovery email code",
		Text: fmt.Sprintf("This address is a recovery address of an account. Your code is:\n\n    %s\n\n"+
			"It can be used once within %d hours.\nIf you did not ask for it, ignore this mail.\n",
			code, int(RecoveryKeyTTL.Hours()))}
	_, _, err = s.sendLimited(ctx, msg, "recovery challenge")
	return err
}

// recoveryKeyFor reads the caller's recovery email and stores a new key
// for it. Errors: Unauthenticated without a caller; NotFound as
// RecoveryEmail.
func (s *Service) recoveryKeyFor(ctx context.Context, callerID, id string) (RecoveryEmail, string, error) {
	user, err := s.caller(ctx, callerID)
	if err != nil {
		return RecoveryEmail{}, "", err
	}
	e, err := s.recoveryEmail(ctx, user.ID, id)
	if err != nil {
		return RecoveryEmail{}, "", err
	}
	key, err := s.newRecoveryKey(ctx, e)
	return e, key, err
}

// newRecoveryKey stores a new key for e, replacing its live one.
func (s *Service) newRecoveryKey(ctx context.Context, e RecoveryEmail) (string, error) {
	key, err := secret.NewCode()
	if err != nil {
		return "", failure.Wrap(err, "make a recovery key")
	}
	t := OneTime{Kind: OneTimeRecovery, CodeHash: secret.TokenHash(key), UserID: e.UserID,
		Data:    map[string]string{"recoveryEmailId": e.ID, "address": NormalizeEmail(e.Address)},
		Expires: s.now().Add(RecoveryKeyTTL)}
	if err := s.Store.ReplaceOneTime(ctx, t, e.UserID+"/"+e.ID); err != nil {
		return "", err
	}
	return key, nil
}

// ValidateRecoveryEmail marks the recovery email of a mailed key
// validated and spends the key. No session is needed: the key proves the
// mailbox.
// Errors: Gone (errBadRecoveryKey) for an unknown, used, replaced or
// expired key, and for one whose recovery email is gone or has another
// address now.
func (s *Service) ValidateRecoveryEmail(ctx context.Context, key string) (RecoveryEmail, error) {
	return s.takeRecoveryKey(ctx, key, "", "")
}

// AnswerRecoveryChallenge marks one of the caller's recovery emails
// validated with the code CreateRecoveryChallenge mailed (or the key of
// SendRecoveryEmailValidation's link), once.
// Permission: a signed-in user, their own. Errors: Unauthenticated
// without a caller; NotFound as RecoveryEmail; Gone as ValidateRecoveryEmail,
// also for a key of another recovery email (which then stays usable).
func (s *Service) AnswerRecoveryChallenge(ctx context.Context, callerID, id, code string) (RecoveryEmail, error) {
	user, err := s.caller(ctx, callerID)
	if err != nil {
		return RecoveryEmail{}, err
	}
	if _, err := s.recoveryEmail(ctx, user.ID, id); err != nil {
		return RecoveryEmail{}, err
	}
	return s.takeRecoveryKey(ctx, code, user.ID, id)
}

// takeRecoveryKey spends a key and validates its recovery email; with
// userID and id set, the key must be that email's.
func (s *Service) takeRecoveryKey(ctx context.Context, key, userID, id string) (RecoveryEmail, error) {
	if key == "" || len(key) > 100 {
		return RecoveryEmail{}, errBadRecoveryKey
	}
	t, err := s.Store.GetOneTime(ctx, OneTimeRecovery, secret.TokenHash(key))
	if failure.Is(err, failure.NotFound) {
		return RecoveryEmail{}, errBadRecoveryKey
	}
	if err != nil {
		return RecoveryEmail{}, err
	}
	if !s.now().Before(t.Expires) || t.UserID == "" || userID != "" && (t.UserID != userID || t.Data["recoveryEmailId"] != id) {
		return RecoveryEmail{}, errBadRecoveryKey
	}
	e, err := s.Store.GetRecoveryEmail(ctx, t.UserID, t.Data["recoveryEmailId"])
	if failure.Is(err, failure.NotFound) {
		return RecoveryEmail{}, errBadRecoveryKey
	}
	if err != nil {
		return RecoveryEmail{}, err
	}
	if NormalizeEmail(e.Address) != t.Data["address"] {
		return RecoveryEmail{}, errBadRecoveryKey
	}
	e.ValidatedAt, e.Version = s.now(), e.Version+1
	if err := s.Store.TakeRecoveryKey(ctx, t, e); err != nil {
		if failure.Is(err, failure.Conflict) {
			return RecoveryEmail{}, errBadRecoveryKey
		}
		return RecoveryEmail{}, err
	}
	slog.InfoContext(ctx, "recovery email validated", "userId", e.UserID, "recoveryEmailId", e.ID)
	return e, nil
}

// checkVerificationURL checks a verification URL template against the
// rule in the decisions above.
func (s *Service) checkVerificationURL(template string) error {
	bad := failure.Field(FieldVerificationURL,
		"verificationUrl must be a URL under %s with %s once after the host", s.BaseURL, RecoveryKeyPlaceholder)
	if template == "" || len(template) > MaxVerificationURLLength || !utf8.ValidString(template) ||
		strings.Count(template, RecoveryKeyPlaceholder) != 1 ||
		strings.ContainsFunc(template, func(r rune) bool { return r <= 0x20 || r == 0x7f || r == '\\' }) {
		return bad
	}
	base, err := url.Parse(strings.TrimRight(s.BaseURL, "/"))
	if err != nil || s.BaseURL == "" || base.Host == "" || base.Scheme != "https" && base.Scheme != "http" {
		return bad
	}
	// The key is URL-safe base64: a stand-in of its alphabet shows where
	// it lands.
	u, err := url.Parse(strings.Replace(template, RecoveryKeyPlaceholder, "Key-0_9", 1))
	if err != nil || u.Opaque != "" || u.User != nil || !strings.EqualFold(u.Scheme, base.Scheme) || !strings.EqualFold(u.Host, base.Host) {
		return bad
	}
	if base.Path != "" && u.Path != base.Path && !strings.HasPrefix(u.Path, base.Path+"/") {
		return bad
	}
	// Browsers resolve dot segments, escaped ones (%2e%2e) included: a
	// path with one could leave BaseURL's path.
	for _, seg := range strings.Split(u.Path, "/") {
		if seg == "." || seg == ".." {
			return bad
		}
	}
	// ${key} must come after the authority: the text before it holds the
	// whole "scheme://host" and a path, query or fragment has begun.
	at := strings.Index(template, RecoveryKeyPlaceholder)
	prefix := strings.ToLower(template[:at])
	authority := strings.ToLower(base.Scheme + "://" + base.Host)
	if !strings.HasPrefix(prefix, authority) || len(prefix) == len(authority) || !strings.ContainsAny(prefix[len(authority):], "/?#") {
		return bad
	}
	if c := prefix[len(authority)]; c != '/' && c != '?' && c != '#' {
		return bad
	}
	return nil
}
