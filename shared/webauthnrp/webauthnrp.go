// Package webauthnrp is the WebAuthn relying party of passkeys:
// identity.WebAuthn over github.com/go-webauthn/webauthn. It builds the
// options of the ceremonies and verifies registration (attestation) and
// login (assertion) responses; the rules around them (challenge tokens,
// counters, storage, limits) are identity's. Only the functions that serve
// passkeys link it.
//
// Configuration (FromEnv): WEBAUTHN_RP_ID, the relying party id, a domain
// without scheme or port ("app.example.com"; "localhost" locally; unset:
// passkeys are off); WEBAUTHN_RP_NAME, the name authenticators show
// (default "caseflow"); WEBAUTHN_ORIGINS, the comma-separated origins a
// ceremony may come from ("https://app.example.com"; default
// https://<rp id>), each on the relying party's domain or a subdomain, https
// unless the host is localhost; WEBAUTHN_REQUIRE_USER_VERIFICATION ("true":
// every ceremony needs a PIN or biometric; by default it is preferred).
//
// Options: attestation "none" (no authenticator model is trusted or
// refused by its certificate), discoverable credentials preferred (so
// that the discoverable login finds them), ES256, EdDSA and RS256 keys and
// the library's other defaults, timeout identity.ChallengeTTL. The options
// are answered in go-webauthn's shape: {"publicKey": {...}}.
package webauthnrp

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"strings"

	"github.com/go-webauthn/webauthn/protocol"
	"github.com/go-webauthn/webauthn/webauthn"

	"github.com/effektif-serverless/caseflow/shared/failure"
	"github.com/effektif-serverless/caseflow/shared/identity"
)

// Config is a relying party.
type Config struct {
	// RPID is the relying party id: the site's domain.
	RPID string
	// RPName is the name authenticators show.
	RPName string
	// Origins are the origins (scheme://host[:port]) ceremonies may come
	// from, on RPID's domain.
	Origins []string
	// RequireUserVerification makes every ceremony require user
	// verification; by default it is preferred.
	RequireUserVerification bool
}

// RelyingParty is identity.WebAuthn for one Config. It is safe for
// concurrent use.
type RelyingParty struct {
	wa *webauthn.WebAuthn
	uv protocol.UserVerificationRequirement
}

var _ identity.WebAuthn = (*RelyingParty)(nil)

// FromEnv is the relying party of the environment (see the package
// comment); nil, and no error, when WEBAUTHN_RP_ID is unset. A malformed
// setting is an error (the container does not start).
func FromEnv() (identity.WebAuthn, error) {
	id := strings.TrimSpace(os.Getenv("WEBAUTHN_RP_ID"))
	if id == "" {
		return nil, nil
	}
	c := Config{RPID: id, RPName: strings.TrimSpace(os.Getenv("WEBAUTHN_RP_NAME")),
		RequireUserVerification: os.Getenv("WEBAUTHN_REQUIRE_USER_VERIFICATION") == "true"}
	if c.RPName == "" {
		c.RPName = "caseflow"
	}
	for _, o := range strings.Split(os.Getenv("WEBAUTHN_ORIGINS"), ",") {
		if o = strings.TrimSpace(o); o != "" {
			c.Origins = append(c.Origins, o)
		}
	}
	if len(c.Origins) == 0 {
		c.Origins = []string{"https://" + id}
	}
	rp, err := New(c)
	if err != nil {
		return nil, err
	}
	return rp, nil
}

// New checks c and returns its relying party.
func New(c Config) (*RelyingParty, error) {
	if err := protocol.ValidateRPID(c.RPID); err != nil || strings.ContainsAny(c.RPID, ":/") {
		return nil, fmt.Errorf("webauthnrp: the relying party id %q is not a domain", c.RPID)
	}
	if c.RPName == "" {
		return nil, errors.New("webauthnrp: the relying party name is required")
	}
	if len(c.Origins) == 0 {
		return nil, errors.New("webauthnrp: at least one origin is required")
	}
	for _, o := range c.Origins {
		if err := checkOrigin(o, c.RPID); err != nil {
			return nil, err
		}
	}
	uv := protocol.VerificationPreferred
	if c.RequireUserVerification {
		uv = protocol.VerificationRequired
	}
	wa, err := webauthn.New(&webauthn.Config{
		RPID:          c.RPID,
		RPDisplayName: c.RPName,
		RPOrigins:     c.Origins,
		AuthenticatorSelection: protocol.AuthenticatorSelection{
			ResidentKey:        protocol.ResidentKeyRequirementPreferred,
			RequireResidentKey: protocol.ResidentKeyNotRequired(),
			UserVerification:   uv,
		},
		AttestationPreference: protocol.PreferNoAttestation,
		Timeouts: webauthn.TimeoutsConfig{
			Login:        webauthn.TimeoutConfig{Timeout: identity.ChallengeTTL, TimeoutUVD: identity.ChallengeTTL},
			Registration: webauthn.TimeoutConfig{Timeout: identity.ChallengeTTL, TimeoutUVD: identity.ChallengeTTL},
		},
	})
	if err != nil {
		return nil, fmt.Errorf("webauthnrp: %w", err)
	}
	return &RelyingParty{wa: wa, uv: uv}, nil
}

// checkOrigin accepts scheme://host[:port] with the host on rpID's
// domain, https unless the host is localhost.
func checkOrigin(origin, rpID string) error {
	u, err := url.Parse(origin)
	if err != nil || u.Host == "" || u.User != nil || (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" {
		return fmt.Errorf("webauthnrp: the origin %q is not scheme://host[:port]", origin)
	}
	host := u.Hostname()
	local := host == "localhost" || strings.HasSuffix(host, ".localhost")
	if u.Scheme != "https" && !(u.Scheme == "http" && local) {
		return fmt.Errorf("webauthnrp: the origin %q must be https (http only for localhost)", origin)
	}
	if host != rpID && !strings.HasSuffix(host, "."+rpID) {
		return fmt.Errorf("webauthnrp: the origin %q is not on the relying party's domain %q", origin, rpID)
	}
	return nil
}

// CreationOptions answers BeginRegistration's options with the challenge
// and the exclusions.
func (rp *RelyingParty) CreationOptions(user identity.PasskeyUser, challenge []byte, exclude []identity.PasskeyCredential) (json.RawMessage, error) {
	creation, _, err := rp.wa.BeginRegistration(waUser{user: user},
		webauthn.WithExclusions(descriptors(exclude)),
		func(o *protocol.PublicKeyCredentialCreationOptions) error {
			o.Challenge = challenge
			return nil
		})
	if err != nil {
		return nil, failure.Wrap(err, "make passkey creation options")
	}
	return marshal(creation)
}

// VerifyCreation parses and verifies a registration response.
func (rp *RelyingParty) VerifyCreation(user identity.PasskeyUser, challenge []byte, response json.RawMessage) (identity.PasskeyCredential, error) {
	parsed, err := protocol.ParseCredentialCreationResponseBytes(response)
	if err != nil {
		return identity.PasskeyCredential{}, unreadable(identity.FieldRegistrationResponse, err)
	}
	session := webauthn.SessionData{
		Challenge:        base64.RawURLEncoding.EncodeToString(challenge),
		RelyingPartyID:   rp.wa.Config.RPID,
		UserID:           user.Handle,
		UserVerification: rp.uv,
		CredParams:       webauthn.CredentialParametersDefault(),
	}
	cred, err := rp.wa.CreateCredential(waUser{user: user}, session, parsed)
	if err != nil {
		return identity.PasskeyCredential{}, refused("the registration", err)
	}
	transports := make([]string, len(cred.Transport))
	for i, t := range cred.Transport {
		transports[i] = string(t)
	}
	return identity.PasskeyCredential{
		ID:                cred.ID,
		PublicKey:         cred.PublicKey,
		AttestationType:   cred.AttestationType,
		AttestationFormat: cred.AttestationFormat,
		Transports:        transports,
		AAGUID:            cred.Authenticator.AAGUID,
		SignCount:         cred.Authenticator.SignCount,
		Flags:             byte(cred.Flags.ProtocolValue()),
		Attachment:        string(cred.Authenticator.Attachment),
	}, nil
}

// RequestOptions answers BeginDiscoverableLogin's options with the
// challenge and the allowed credentials.
func (rp *RelyingParty) RequestOptions(challenge []byte, allow []identity.PasskeyCredential) (json.RawMessage, error) {
	opts := []webauthn.LoginOption{webauthn.WithChallenge(challenge)}
	if len(allow) > 0 {
		opts = append(opts, webauthn.WithAllowedCredentials(descriptors(allow)))
	}
	assertion, _, err := rp.wa.BeginDiscoverableLogin(opts...)
	if err != nil {
		return nil, failure.Wrap(err, "make passkey request options")
	}
	return marshal(assertion)
}

// VerifyAssertion parses the response, finds its credential's owner and
// verifies it against the owner's credentials (ValidateLogin: the
// credential must be the owner's, a user handle sent must be theirs).
func (rp *RelyingParty) VerifyAssertion(challenge []byte, response json.RawMessage, owner identity.PasskeyOwner) (identity.PasskeyAssertion, error) {
	parsed, err := protocol.ParseCredentialRequestResponseBytes(response)
	if err != nil {
		return identity.PasskeyAssertion{}, unreadable(identity.FieldAssertionResponse, err)
	}
	user, creds, err := owner(parsed.RawID, parsed.Response.UserHandle)
	if err != nil {
		return identity.PasskeyAssertion{}, err
	}
	session := webauthn.SessionData{
		Challenge:        base64.RawURLEncoding.EncodeToString(challenge),
		RelyingPartyID:   rp.wa.Config.RPID,
		UserID:           user.Handle,
		UserVerification: rp.uv,
	}
	cred, err := rp.wa.ValidateLogin(waUser{user: user, creds: creds}, session, parsed)
	if err != nil {
		return identity.PasskeyAssertion{}, refused("the login", err)
	}
	return identity.PasskeyAssertion{
		CredentialID: cred.ID,
		Counter:      parsed.Response.AuthenticatorData.Counter,
		Flags:        byte(cred.Flags.ProtocolValue()),
	}, nil
}

// waUser is a user as go-webauthn reads them.
type waUser struct {
	user  identity.PasskeyUser
	creds []identity.PasskeyCredential
}

func (u waUser) WebAuthnID() []byte          { return u.user.Handle }
func (u waUser) WebAuthnName() string        { return u.user.Name }
func (u waUser) WebAuthnDisplayName() string { return u.user.DisplayName }
func (u waUser) WebAuthnCredentials() []webauthn.Credential {
	out := make([]webauthn.Credential, len(u.creds))
	for i, c := range u.creds {
		out[i] = webauthn.Credential{
			ID:                c.ID,
			PublicKey:         c.PublicKey,
			AttestationType:   c.AttestationType,
			AttestationFormat: c.AttestationFormat,
			Transport:         transports(c.Transports),
			Flags:             webauthn.NewCredentialFlags(protocol.AuthenticatorFlags(c.Flags)),
			Authenticator: webauthn.Authenticator{
				AAGUID:     c.AAGUID,
				SignCount:  c.SignCount,
				Attachment: protocol.AuthenticatorAttachment(c.Attachment),
			},
		}
	}
	return out
}

func transports(ts []string) []protocol.AuthenticatorTransport {
	out := make([]protocol.AuthenticatorTransport, len(ts))
	for i, t := range ts {
		out[i] = protocol.AuthenticatorTransport(t)
	}
	return out
}

func descriptors(creds []identity.PasskeyCredential) []protocol.CredentialDescriptor {
	out := make([]protocol.CredentialDescriptor, len(creds))
	for i, c := range creds {
		out[i] = protocol.CredentialDescriptor{Type: protocol.PublicKeyCredentialType, CredentialID: c.ID, Transport: transports(c.Transports)}
	}
	return out
}

func marshal(v any) (json.RawMessage, error) {
	raw, err := json.Marshal(v)
	if err != nil {
		return nil, failure.Wrap(err, "encode passkey options")
	}
	return raw, nil
}

// unreadable is the Invalid failure of a response that does not parse.
func unreadable(field string, err error) error {
	return failure.Field(field, "%s is not a WebAuthn response: %s", field, detail(err))
}

// refused is the Unauthenticated failure of a response that does not
// verify; the library's detail says which check failed.
func refused(what string, err error) error {
	return &failure.Error{Code: failure.Unauthenticated, Message: what + " could not be verified: " + detail(err), Cause: err}
}

// detail is the library's short description of a failure.
func detail(err error) string {
	var pe *protocol.Error
	if errors.As(err, &pe) && pe.Details != "" {
		return pe.Details
	}
	return "malformed"
}
