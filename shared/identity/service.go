package identity

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/effektif-serverless/caseflow/shared/failure"
	"github.com/effektif-serverless/caseflow/shared/ids"
	"github.com/effektif-serverless/caseflow/shared/mail"
	"github.com/effektif-serverless/caseflow/shared/secret"
)

// Service holds the identity rules. Its zero value is not usable: set Store
// and Mail; Now has a default, and without Links mails carry codes alone.
type Service struct {
	Store Store
	Mail  mail.Sender
	// Pictures keeps user and registration pictures.
	Pictures PictureStore
	// BaseURL is the public base URL of the deployment: handover
	// redirects must stay under it.
	BaseURL string
	// Links makes the links in mails, in the dialect that serves them.
	Links Links
	// ReservedKeys are the words no organization key may be (see
	// ReservedKeys); nil reserves none.
	ReservedKeys ReservedKeys
	// RegistrationDisabled turns off self-service registration.
	RegistrationDisabled bool
	// Providers are the external OpenID Connect sign-in providers; nil
	// means none.
	Providers IdentityProviders
	// Directory reads organizations' LDAP directories and checks their
	// settings; nil in functions that serve neither (setting or reading a
	// directory then fails with Internal).
	Directory Directory
	// WebAuthn runs the cryptography of the passkey ceremonies (package
	// webauthnrp); nil in functions that serve no passkeys (a ceremony
	// then fails with Internal; listing and deleting passkeys work).
	WebAuthn WebAuthn
	// PasskeySecret signs the passkeys' challenge tokens (HMAC-SHA256): at
	// least MinPasskeySecretLength bytes, the same in every function that
	// begins or finishes a ceremony. Functions set it from PASSKEY_SECRET
	// (identityenv).
	PasskeySecret []byte
	// TOTPKey encrypts the TOTP secrets at rest (totp.go): at least
	// MinTOTPKeyLength bytes, the same in every function that enrolls or
	// checks TOTP. Functions set it from TOTP_KEY (identityenv); without
	// it TOTP cannot be enrolled or checked.
	TOTPKey []byte
	// TOTPIssuer names the accounts in authenticator apps; empty means
	// DefaultTOTPIssuer.
	TOTPIssuer string
	// OTP computes passcodes, otpauth URIs and QR images (totp.go); set
	// by the functions that serve TOTP (otpauth.OTP{}); nil: no TOTP.
	OTP OTP
	// Passwords hashes and checks passwords (password.Argon2id); set by
	// the functions that take passwords (identityenv); nil in the others
	// (the authorizer, the casework functions), whose password operations
	// then fail with Internal: they never link argon2.
	Passwords Passwords
	// Now returns the current time; nil means time.Now.
	Now func() time.Time
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now().UTC()
	}
	return time.Now().UTC()
}

// RegistrationRequest is a sign-up or an activation: the new user's details
// and the name of the organization to create.
type RegistrationRequest struct {
	Email, Password, FirstName, LastName, Phone, Color string
	Country, Language, TimeZone, OrganizationName      string
	Edition                                            string
	Newsletter                                         bool
}

func (r RegistrationRequest) validateDetails() error {
	for _, f := range []struct{ name, value string }{
		{"firstName", r.FirstName}, {"lastName", r.LastName}, {"phone", r.Phone}, {"color", r.Color},
		{"country", r.Country}, {"language", r.Language}, {"timeZone", r.TimeZone},
		{"organizationName", r.OrganizationName}, {"edition", r.Edition},
	} {
		if err := ValidateName(f.name, f.value); err != nil {
			return err
		}
	}
	if r.TimeZone != "" {
		if _, err := time.LoadLocation(r.TimeZone); err != nil {
			return failure.Field("timeZone", "timeZone %q is not a known IANA time zone", r.TimeZone)
		}
	}
	return nil
}

// Register stores a pending registration and mails its activation code to
// the address. The password is optional here (it may be given on
// activation). It answers the same, after the same work, whether or not
// the address has an account: an address with one is mailed that it has
// one (its registration's code is mailed to nobody), so registering does
// not tell anyone which addresses have accounts. Mails per address are
// limited (MaxMailsPerAddress): beyond the limit it answers the same and
// sends nothing. Errors: Invalid for bad input, Forbidden when registration
// is disabled.
func (s *Service) Register(ctx context.Context, req RegistrationRequest) error {
	if s.RegistrationDisabled {
		return failure.New(failure.Forbidden, "registration is disabled")
	}
	if err := ValidateEmail(FieldEmail, req.Email); err != nil {
		return err
	}
	if err := req.validateDetails(); err != nil {
		return err
	}
	var passwordHash string
	if req.Password != "" {
		h, err := s.newPasswordHash(req.Password)
		if err != nil {
			return err
		}
		passwordHash = h
	}
	_, err := s.Store.UserIDByEmail(ctx, NormalizeEmail(req.Email))
	if err != nil && !failure.Is(err, failure.NotFound) {
		return err
	}
	hasAccount := err == nil
	code, err := secret.NewCode()
	if err != nil {
		return failure.Wrap(err, "make registration code")
	}
	now := s.now()
	reg := Registration{
		ID: ids.New(), CodeHash: secret.TokenHash(code), Email: strings.TrimSpace(req.Email),
		FirstName: req.FirstName, LastName: req.LastName, Phone: req.Phone, Color: req.Color,
		Country: req.Country, Language: req.Language, TimeZone: req.TimeZone,
		OrganizationName: req.OrganizationName, Edition: req.Edition, Newsletter: req.Newsletter,
		PasswordHash: passwordHash, Created: now, Expires: now.Add(RegistrationTTL),
	}
	// Activation enforces the address's uniqueness for real.
	if err := s.Store.PutRegistration(ctx, reg); err != nil {
		return err
	}
	msg := activationMail(reg, code, s.links())
	if hasAccount {
		msg = mail.Message{To: reg.Email, Subject: "You already have an account",
			Text: "Someone asked to register this address, but it has an account already.\n\n" +
				"Sign in as usual, or reset your password if you have forgotten it. If it was not you, ignore this mail.\n"}
	}
	if _, _, err := s.sendLimited(ctx, msg, "activation"); err != nil {
		return err
	}
	slog.InfoContext(ctx, "registration stored", "registrationId", reg.ID)
	return nil
}

// activationMail is the mail with a registration's code. The registrant's
// first name is shown as mailSafe renders it.
func activationMail(reg Registration, code string, links Links) mail.Message {
	greeting := "Hello"
	if name := mailSafe(reg.FirstName); name != "" {
		greeting += " " + name
	}
	return mail.Message{
		To:      reg.Email,
		Subject: "Activate your account",
		Text: fmt.Sprintf("%s,\n\nthank you for registering. Your registration code is:\n\n    %s\n\n"+
			"Activate your account with this code within %d days.\n%s\n"+
			"If you did not register, ignore this mail.\n", greeting, code, int(RegistrationTTL.Hours()/24), linkLine("", links.Activation(code))),
	}
}

// Registration returns the pending registration for a mailed code.
// Errors: NotFound for an unknown, used or expired code.
func (s *Service) Registration(ctx context.Context, code string) (Registration, error) {
	if code == "" || len(code) > 100 {
		return Registration{}, failure.New(failure.NotFound, "no such registration")
	}
	reg, err := s.Store.GetRegistration(ctx, secret.TokenHash(code))
	if err != nil {
		if failure.Is(err, failure.NotFound) {
			return Registration{}, failure.New(failure.NotFound, "no such registration")
		}
		return Registration{}, err
	}
	if !s.now().Before(reg.Expires) {
		return Registration{}, failure.New(failure.NotFound, "no such registration")
	}
	return reg, nil
}

// PendingRegistration is Registration for its code's holder to read. For
// the registration of an invitation (InvitedTo set) it also answers the
// inviting organization as it is now, with its id, key and name only (the
// holder is no member yet; nil for a sign-up, whose organization does not
// exist before activation), and the registration's OrganizationName is
// that organization's current name; an invitation to an organization that
// is gone is NotFound. Public: the code is the credential. Errors: as
// Registration.
func (s *Service) PendingRegistration(ctx context.Context, code string) (Registration, *Organization, error) {
	reg, err := s.Registration(ctx, code)
	if err != nil || reg.InvitedTo == "" {
		return reg, nil, err
	}
	orgs, err := s.Store.GetOrganizations(ctx, []string{reg.InvitedTo})
	if err != nil {
		return Registration{}, nil, err
	}
	if len(orgs) == 0 || orgs[0].Disabled {
		return Registration{}, nil, failure.New(failure.NotFound, "no such registration")
	}
	o := orgs[0]
	reg.OrganizationName = o.Name
	return reg, &Organization{ID: o.ID, Key: o.Key, Name: o.Name}, nil
}

// Login is the result of a successful sign-in: a new token (shown once), the
// user and the organizations the user is a member of.
type Login struct {
	Token         string
	User          User
	Memberships   []Membership
	Organizations []Organization
	// Licenses are the licenses the user holds in those organizations.
	Licenses []License
}

// maxKeyAttempts bounds the search for a free organization key.
const maxKeyAttempts = 20

// Activate turns the registration with the given code into a user, an
// organization with that user as its admin, and a session, all in one
// transaction; the code cannot be used again. Fields set in req override the
// registration's (the password must be set in one of them).
// The code of an invitation joins its organization instead: as a new
// member account (with the password), or, when the address has an account,
// that account as it is (no password needed; one given is used only by an
// account without a password, see joinByInvitation).
// Errors: NotFound for an unknown or expired code, Gone for a code that was
// activated meanwhile, Conflict when the address got an account meanwhile,
// Invalid for bad input.
func (s *Service) Activate(ctx context.Context, code string, req RegistrationRequest) (Login, error) {
	reg, err := s.Registration(ctx, code)
	if err != nil {
		return Login{}, err
	}
	if req.Email != "" && NormalizeEmail(req.Email) != NormalizeEmail(reg.Email) {
		return Login{}, failure.Field(FieldEmail, "emailAddress differs from the registered address")
	}
	if err := req.validateDetails(); err != nil {
		return Login{}, err
	}
	override(&reg.FirstName, req.FirstName)
	override(&reg.LastName, req.LastName)
	override(&reg.Phone, req.Phone)
	override(&reg.Color, req.Color)
	override(&reg.Country, req.Country)
	override(&reg.Language, req.Language)
	override(&reg.TimeZone, req.TimeZone)
	override(&reg.OrganizationName, req.OrganizationName)
	if reg.InvitedTo != "" {
		// An invitation to an address with an account joins that account
		// as it is: holding the mailed code proves the mailbox.
		if _, err := s.Store.UserIDByEmail(ctx, NormalizeEmail(reg.Email)); err == nil {
			return s.joinByInvitation(ctx, reg, req.Password)
		} else if !failure.Is(err, failure.NotFound) {
			return Login{}, err
		}
	}
	var inv Invitation
	if reg.InvitedTo != "" {
		if inv, err = s.Store.GetInvitation(ctx, reg.InvitedTo, reg.Email); err != nil && !failure.Is(err, failure.NotFound) {
			return Login{}, err
		}
	}
	if req.Password != "" {
		if reg.PasswordHash, err = s.newPasswordHash(req.Password); err != nil {
			return Login{}, err
		}
	}
	if reg.PasswordHash == "" {
		return Login{}, failure.Field("password", "password is required")
	}
	orgName := reg.OrganizationName
	if orgName == "" {
		orgName = strings.TrimSpace(reg.FirstName + " " + reg.LastName)
	}
	if orgName == "" {
		orgName = strings.SplitN(reg.Email, "@", 2)[0]
	}
	now := s.now()
	// The account takes the registration's id, so a dialect can name the
	// user an invitation makes before it is accepted (epilot's
	// checkToken).
	userID := reg.ID
	if !ids.Valid(userID) {
		userID = ids.New()
	}
	user := User{
		ID: userID, Email: reg.Email, FirstName: reg.FirstName, LastName: reg.LastName,
		Phone: reg.Phone, Color: reg.Color, Country: reg.Country, Language: reg.Language,
		TimeZone: reg.TimeZone, PasswordHash: reg.PasswordHash, Created: now, Version: 1,
	}
	token, session, err := s.newSession(user.ID)
	if err != nil {
		return Login{}, err
	}
	if reg.InvitedTo != "" {
		member := Membership{OrganizationID: reg.InvitedTo, OrganizationKey: reg.InvitedToKey, UserID: user.ID, Role: RoleMember, Joined: now}
		err := s.Store.Activate(ctx, Activation{Registration: reg, User: user, Membership: member, Session: session})
		if errors.Is(err, ErrEmailTaken) {
			return s.joinByInvitation(ctx, reg, req.Password)
		}
		if err != nil {
			return Login{}, err
		}
		s.applyInvitation(ctx, inv, user)
		return s.loginFor(ctx, token, user)
	}
	org := Organization{
		ID: ids.New(), Name: orgName, CreatedBy: user.ID, TimeZone: reg.TimeZone,
		AdminIDs: []string{user.ID}, Created: now, Version: 1,
	}
	for attempt := 1; attempt <= maxKeyAttempts; attempt++ {
		org.Key = OrganizationKey(orgName, attempt, s.ReservedKeys)
		if attempt == maxKeyAttempts {
			org.Key = OrganizationKey(orgName, 1, s.ReservedKeys) + "-" + ids.New()[16:]
		}
		member := Membership{OrganizationID: org.ID, OrganizationKey: org.Key, UserID: user.ID, Role: RoleAdmin, Joined: now}
		err = s.Store.Activate(ctx, Activation{Registration: reg, User: user, Organization: org, Membership: member, Session: session})
		if errors.Is(err, ErrOrganizationKeyTaken) {
			continue
		}
		if err != nil {
			return Login{}, err
		}
		slog.InfoContext(ctx, "registration activated", "userId", user.ID, "organizationId", org.ID)
		return Login{Token: token, User: user, Memberships: []Membership{member}, Organizations: []Organization{org}}, nil
	}
	return Login{}, failure.New(failure.Conflict, "no free organization key for %q", orgName)
}

// joinByInvitation accepts an invitation for an address that has an
// account (made since the invitation was sent, or registered by an admin):
// the account joins the organization, its password unchanged. Holding the
// mailed code proves the mailbox, as a password reset would: so an
// account without a password takes the one given (checked before the
// join, set after it on the user's version, with the claim of a
// registered identity, and ending the user's other sessions as every
// password change does).
func (s *Service) joinByInvitation(ctx context.Context, reg Registration, password string) (Login, error) {
	userID, err := s.Store.UserIDByEmail(ctx, NormalizeEmail(reg.Email))
	if err != nil {
		return Login{}, err
	}
	user, err := s.Store.GetUser(ctx, userID)
	if err != nil {
		return Login{}, err
	}
	firstHash := ""
	if user.PasswordHash == "" && password != "" {
		if firstHash, err = s.newPasswordHash(password); err != nil {
			return Login{}, err
		}
	}
	inv, err := s.Store.GetInvitation(ctx, reg.InvitedTo, reg.Email)
	if err != nil && !failure.Is(err, failure.NotFound) {
		return Login{}, err
	}
	token, session, err := s.newSession(user.ID)
	if err != nil {
		return Login{}, err
	}
	member := Membership{OrganizationID: reg.InvitedTo, OrganizationKey: reg.InvitedToKey, UserID: user.ID, Role: RoleMember, Joined: s.now()}
	if err := s.Store.JoinByInvitation(ctx, reg, member, session); err != nil {
		return Login{}, err
	}
	if firstHash != "" {
		if user, err = s.setFirstPassword(ctx, user.ID, firstHash, token); err != nil {
			return Login{}, err
		}
	}
	s.applyInvitation(ctx, inv, user)
	return s.loginFor(ctx, token, user)
}

// setFirstPassword gives an account without a password the hash, on the
// user's version (retried on a fresh read; an account that got a
// password meanwhile keeps it), claims a registered identity in the same
// write, and ends the user's sessions but keepToken's. It answers the
// user as stored.
func (s *Service) setFirstPassword(ctx context.Context, userID, hash, keepToken string) (User, error) {
	for attempt := 0; attempt < 3; attempt++ {
		user, err := s.Store.GetUser(ctx, userID)
		if err != nil || user.PasswordHash != "" {
			return user, err
		}
		user.PasswordHash = hash
		claim(&user)
		user.Version++
		err = s.Store.UpdateUser(ctx, user, "")
		if err == nil {
			return user, s.passwordChanged(ctx, userID, keepToken)
		}
		if !failure.As(err).Retry {
			return User{}, err
		}
	}
	return User{}, failure.Race("user")
}

// applyInvitation gives a member who joined with an invitation's mailed
// code what the invitation offered beyond a plain membership (the admin
// role, the operator flag, a username), whichever API sent it. It runs
// after the join's transaction; should it fail, the member stays a plain
// member (the safe side) and the failure is logged.
func (s *Service) applyInvitation(ctx context.Context, inv Invitation, user User) {
	if !inv.Admin && !inv.Operator && inv.Username == "" {
		return
	}
	err := func() error {
		orgs, err := s.Store.GetOrganizations(ctx, []string{inv.OrganizationID})
		if err != nil || len(orgs) == 0 {
			return failure.New(failure.NotFound, "the organization is gone")
		}
		_, m, err := s.Store.UserInOrganization(ctx, inv.OrganizationID, user.ID)
		if err != nil || m == nil {
			return failure.New(failure.NotFound, "the membership is gone")
		}
		if inv.Username != "" && m.Username == "" {
			if err := s.Store.ClaimUsername(ctx, *m, inv.Username); err == nil {
				m.Username = inv.Username
			}
		}
		if !inv.Admin && !inv.Operator {
			return nil
		}
		return s.changeRole(ctx, orgs[0], *m, RoleChange{Admin: &inv.Admin, Operator: &inv.Operator})
	}()
	if err != nil {
		slog.WarnContext(ctx, "the invitation's role was not applied", "organizationId", inv.OrganizationID, "userId", user.ID, "error", err.Error())
	}
}

func override(dst *string, value string) {
	if value != "" {
		*dst = value
	}
}

func (s *Service) newSession(userID string) (string, Session, error) {
	token, err := secret.NewToken()
	if err != nil {
		return "", Session{}, failure.Wrap(err, "make token")
	}
	now := s.now()
	return token, Session{TokenHash: secret.TokenHash(token), UserID: userID, Created: now, Expires: now.Add(SessionTTL)}, nil
}

// errBadCredentials is the one answer to every failed password login, so it
// tells nothing about whether the address exists.
var errBadCredentials = failure.New(failure.Unauthenticated, "the email address or the password is wrong")

// Login signs a user in with email address and password and starts a session.
// Errors: Unauthenticated for an unknown address, a wrong password or a
// disabled account, all with the same message and cost; TooManyRequests
// once MaxFailedLogins logins of the address failed within a LoginWindow
// (fixed windows: the clock's quarter hours), until the window ends. The attempt is reserved (a conditional update of
// the address's counter) before the password is looked at, so no more than
// MaxFailedLogins guesses are ever evaluated in a window, however many
// arrive at once on however many Lambda instances; a successful login gives
// its reservation back, and earlier failures stay counted.
//
// A user with a verified TOTP credential (User.HasTOTP) is refused once
// the password was right (ErrPasscodeElsewhere, Unauthenticated): a login
// that carries no passcode never opens their session; they sign in where a
// passcode is asked (LoginWithSecondFactor: the 10Duke sessions), and that
// session serves every API.
func (s *Service) Login(ctx context.Context, email, password string) (Login, error) {
	user, err := s.checkPassword(ctx, email, password)
	if err != nil {
		return Login{}, err
	}
	if user.HasTOTP() {
		return Login{}, ErrPasscodeElsewhere
	}
	return s.startSession(ctx, user)
}

// ErrPasscodeElsewhere answers a login without a passcode (Login,
// ConfirmPasswordReset) of a user who enrolled TOTP.
var ErrPasscodeElsewhere = failure.New(failure.Unauthenticated, passcodeElsewhere)

const passcodeElsewhere = "this account signs in with a TOTP passcode: sign in where one is asked (POST /api/idp/v1/sessions); that token serves every API"

// checkPassword is the first factor of a password login, with Login's
// throttle and errors: the user whose address and password these are.
func (s *Service) checkPassword(ctx context.Context, email, password string) (User, error) {
	if email == "" || password == "" || len(email) > MaxEmailLength || len(password) > MaxPasswordLength {
		return User{}, errBadCredentials
	}
	normalized, now := NormalizeEmail(email), s.now()
	attempt := loginLimit(normalized)
	throttle, ok, err := s.Store.Reserve(ctx, attempt, MaxFailedLogins, LoginWindow, now)
	if err != nil {
		return User{}, err
	}
	if !ok {
		return User{}, throttled(throttle, now, "failed logins of this address")
	}
	userID, err := s.Store.UserIDByEmail(ctx, normalized)
	if failure.Is(err, failure.NotFound) {
		s.passwords().Burn(password)
		return User{}, errBadCredentials
	}
	if err != nil {
		return User{}, err
	}
	user, err := s.Store.GetUser(ctx, userID)
	if err != nil {
		return User{}, err
	}
	if ok, err := s.passwords().Verify(user.PasswordHash, password); err != nil || !ok || user.Disabled {
		return User{}, errBadCredentials
	}
	if err := s.Store.Release(ctx, attempt, throttle); err != nil {
		return User{}, err
	}
	return user, nil
}

// loginLimit names the counter of an address's password logins.
func loginLimit(normalizedEmail string) string { return "LOGIN#" + normalizedEmail }

// LoginWithToken answers a login that presents an existing token instead of
// a password: the same token, its user and organizations.
// Errors: Unauthenticated for an unknown or expired token.
func (s *Service) LoginWithToken(ctx context.Context, token string) (Login, error) {
	session, err := s.Authenticate(ctx, token)
	if err != nil {
		return Login{}, err
	}
	user, err := s.Store.GetUser(ctx, session.UserID)
	if err != nil {
		return Login{}, err
	}
	return s.loginFor(ctx, token, user)
}

func (s *Service) loginFor(ctx context.Context, token string, user User) (Login, error) {
	memberships, orgs, err := s.organizationsOf(ctx, user.ID)
	if err != nil {
		return Login{}, err
	}
	licenses, err := s.Store.LicensesOfMembers(ctx, memberships)
	if err != nil {
		return Login{}, err
	}
	return Login{Token: token, User: user, Memberships: memberships, Organizations: orgs, Licenses: licenses}, nil
}

// organizationsOf returns the user's memberships and their organizations,
// as a member may see them (no directory settings).
func (s *Service) organizationsOf(ctx context.Context, userID string) ([]Membership, []Organization, error) {
	memberships, err := s.Store.MembershipsOfUser(ctx, userID)
	if err != nil {
		return nil, nil, err
	}
	orgIDs := make([]string, len(memberships))
	for i, m := range memberships {
		orgIDs[i] = m.OrganizationID
	}
	orgs, err := s.Store.GetOrganizations(ctx, orgIDs)
	if err != nil {
		return nil, nil, err
	}
	// A membership of an organization being deleted is not shown; the
	// directory settings are read through OrganizationDetail only.
	exists := map[string]bool{}
	for i := range orgs {
		exists[orgs[i].ID] = true
		orgs[i].LdapConnector = nil
	}
	live := memberships[:0]
	for _, m := range memberships {
		if exists[m.OrganizationID] {
			live = append(live, m)
		}
	}
	return live, orgs, nil
}

// Authenticate returns the live session for a token.
// Errors: Unauthenticated for an unknown or expired token or a malformed one.
func (s *Service) Authenticate(ctx context.Context, token string) (Session, error) {
	if token == "" || len(token) > 200 {
		return Session{}, failure.New(failure.Unauthenticated, "the token is not valid")
	}
	session, err := s.Store.GetSession(ctx, secret.TokenHash(token))
	if failure.Is(err, failure.NotFound) || err == nil && !s.now().Before(session.Expires) {
		return Session{}, failure.New(failure.Unauthenticated, "the token is not valid or has expired")
	}
	return session, err
}
