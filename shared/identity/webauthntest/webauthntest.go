// Package webauthntest is a software WebAuthn authenticator, with the bit of
// browser around it, for tests: it answers the creation and request options
// a relying party sends (the JSON of navigator.credentials.create and get,
// plain or wrapped in {"publicKey": ...}) with the registration and
// assertion responses a browser would post back (PublicKeyCredential's
// JSON: base64url fields, clientDataJSON, a CBOR attestation object with
// attestation "none", ECDSA P-256 / ES256 signatures). It really signs:
// a relying party verifies its responses with the public key it registered.
//
// For the negative cases a test can change what the "browser" reports
// (Origin, RPID), turn the counter off (ZeroCounter, as synced passkeys
// do) and Clone the authenticator: the copy holds the same keys and
// counters, so whichever of the two signs second presents a counter that
// did not increase.
//
// github.com/descope/virtualwebauthn (v1.0.3, August 2024) does much the
// same, but makes "packed" self attestations only, has no transports or
// attachment, and panics on bad input; this one is small enough to own.
package webauthntest

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/fxamacker/cbor/v2"
)

// Errors of the ceremonies, as a browser would report them.
var (
	// ErrNoCredential: the authenticator holds no credential the options
	// allow (NotAllowedError in a browser).
	ErrNoCredential = errors.New("webauthntest: no credential for these options")
	// ErrExcluded: the authenticator holds a credential the creation
	// options exclude (InvalidStateError).
	ErrExcluded = errors.New("webauthntest: the authenticator holds an excluded credential")
	// ErrNoAlgorithm: the creation options do not offer ES256 (-7).
	ErrNoAlgorithm = errors.New("webauthntest: the options do not offer ES256")
)

// The authenticator data flags.
const (
	flagUP = 0x01
	flagUV = 0x04
	flagBE = 0x08
	flagBS = 0x10
	flagAT = 0x40
)

// coseES256 is the COSE algorithm of ECDSA P-256 with SHA-256.
const coseES256 = -7

// Authenticator is a software authenticator and the browser it sits in.
// It is not safe for concurrent use.
type Authenticator struct {
	// Origin is the origin the browser reports in clientDataJSON.
	Origin string
	// RPID, when set, is the relying party id the authenticator signs
	// for, whatever the options say (a browser would refuse; a test uses
	// it to present another relying party's data). Empty: the options'
	// id, else the origin's host.
	RPID string
	// AAGUID names the authenticator's model in its attestations.
	AAGUID [16]byte
	// Transports are reported with a registration.
	Transports []string
	// Attachment is "platform" or "cross-platform".
	Attachment string
	// UserNotVerified clears the UV flag (no PIN or biometric).
	UserNotVerified bool
	// BackupEligible and BackupState set the BE and BS flags.
	BackupEligible, BackupState bool
	// ZeroCounter makes the authenticator report a counter of zero
	// always.
	ZeroCounter bool
	// Credentials are the credentials the authenticator holds, oldest
	// first.
	Credentials []*Credential
}

// Credential is a key pair the authenticator made for a relying party.
type Credential struct {
	ID           []byte
	RPID         string
	UserHandle   []byte
	Discoverable bool
	Key          *ecdsa.PrivateKey
	// Counter is the signature counter: the last value signed.
	Counter uint32
}

// New returns a platform authenticator with a random AAGUID, reporting
// the transports internal and hybrid, in a browser at origin.
func New(origin string) *Authenticator {
	a := &Authenticator{Origin: origin, Transports: []string{"internal", "hybrid"}, Attachment: "platform"}
	_, _ = rand.Read(a.AAGUID[:])
	return a
}

// Clone returns a copy holding the same credentials (keys and counters):
// a cloned authenticator.
func (a *Authenticator) Clone() *Authenticator {
	b := *a
	b.Transports = append([]string(nil), a.Transports...)
	b.Credentials = make([]*Credential, len(a.Credentials))
	for i, c := range a.Credentials {
		cc := *c
		b.Credentials[i] = &cc
	}
	return &b
}

// descriptor is a PublicKeyCredentialDescriptor.
type descriptor struct {
	Type       string   `json:"type"`
	ID         string   `json:"id"`
	Transports []string `json:"transports,omitempty"`
}

// creationOptions are the parts of PublicKeyCredentialCreationOptions an
// authenticator looks at.
type creationOptions struct {
	PublicKey *creationOptions `json:"publicKey"`
	Challenge string           `json:"challenge"`
	RP        struct {
		ID   string `json:"id"`
		Name string `json:"name"`
	} `json:"rp"`
	User struct {
		ID          string `json:"id"`
		Name        string `json:"name"`
		DisplayName string `json:"displayName"`
	} `json:"user"`
	PubKeyCredParams []struct {
		Type string `json:"type"`
		Alg  int    `json:"alg"`
	} `json:"pubKeyCredParams"`
	ExcludeCredentials     []descriptor `json:"excludeCredentials"`
	AuthenticatorSelection struct {
		ResidentKey        string `json:"residentKey"`
		RequireResidentKey bool   `json:"requireResidentKey"`
	} `json:"authenticatorSelection"`
}

// requestOptions are the parts of PublicKeyCredentialRequestOptions an
// authenticator looks at.
type requestOptions struct {
	PublicKey        *requestOptions `json:"publicKey"`
	Challenge        string          `json:"challenge"`
	RPID             string          `json:"rpId"`
	AllowCredentials []descriptor    `json:"allowCredentials"`
}

// Register answers creation options with a registration response for a
// new ES256 credential, which the authenticator keeps (discoverable unless
// the options discourage it).
func (a *Authenticator) Register(options []byte) (json.RawMessage, *Credential, error) {
	o, err := parseCreation(options)
	if err != nil {
		return nil, nil, err
	}
	for _, ex := range o.ExcludeCredentials {
		id, _ := decode(ex.ID)
		for _, c := range a.Credentials {
			if bytes.Equal(c.ID, id) {
				return nil, nil, ErrExcluded
			}
		}
	}
	userHandle, err := decode(o.User.ID)
	if err != nil {
		return nil, nil, fmt.Errorf("webauthntest: user.id: %w", err)
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, err
	}
	c := &Credential{ID: make([]byte, 32), RPID: a.rpID(o.RP.ID), UserHandle: userHandle, Key: key,
		Discoverable: o.AuthenticatorSelection.ResidentKey != "discouraged" || o.AuthenticatorSelection.RequireResidentKey}
	_, _ = rand.Read(c.ID)
	response, err := a.attest(o, c)
	if err != nil {
		return nil, nil, err
	}
	a.Credentials = append(a.Credentials, c)
	return response, c, nil
}

// RegisterCredential answers creation options with a registration
// response for a credential the authenticator holds already (ignoring the
// exclusions, as no real authenticator would), for a test that registers
// one credential twice.
func (a *Authenticator) RegisterCredential(options []byte, c *Credential) (json.RawMessage, error) {
	o, err := parseCreation(options)
	if err != nil {
		return nil, err
	}
	return a.attest(o, c)
}

func parseCreation(options []byte) (creationOptions, error) {
	var o creationOptions
	if err := json.Unmarshal(options, &o); err != nil {
		return o, fmt.Errorf("webauthntest: creation options: %w", err)
	}
	if o.PublicKey != nil {
		o = *o.PublicKey
	}
	offered := false
	for _, p := range o.PubKeyCredParams {
		offered = offered || p.Type == "public-key" && p.Alg == coseES256
	}
	if !offered {
		return o, ErrNoAlgorithm
	}
	return o, nil
}

// attest makes the registration response of c with attestation "none".
func (a *Authenticator) attest(o creationOptions, c *Credential) (json.RawMessage, error) {
	challenge, err := decode(o.Challenge)
	if err != nil {
		return nil, fmt.Errorf("webauthntest: challenge: %w", err)
	}
	clientData := a.clientData("webauthn.create", challenge)
	coseKey, err := encodeCOSEKey(&c.Key.PublicKey)
	if err != nil {
		return nil, err
	}
	attested := append(append(append([]byte(nil), a.AAGUID[:]...), byte(len(c.ID)>>8), byte(len(c.ID))), c.ID...)
	authData := append(a.authData(a.rpID(o.RP.ID), flagAT, c.Counter), append(attested, coseKey...)...)
	attestation, err := ctap2().Marshal(map[string]any{"fmt": "none", "attStmt": map[string]any{}, "authData": authData})
	if err != nil {
		return nil, err
	}
	spki, err := x509.MarshalPKIXPublicKey(&c.Key.PublicKey)
	if err != nil {
		return nil, err
	}
	id := encode(c.ID)
	return json.Marshal(map[string]any{
		"id": id, "rawId": id, "type": "public-key", "authenticatorAttachment": a.Attachment,
		"response": map[string]any{
			"clientDataJSON":     encode(clientData),
			"attestationObject":  encode(attestation),
			"authenticatorData":  encode(authData),
			"publicKey":          encode(spki),
			"publicKeyAlgorithm": coseES256,
			"transports":         a.Transports,
		},
		"clientExtensionResults": map[string]any{},
	})
}

// Login answers request options with an assertion by the first allowed
// credential the authenticator holds for the relying party; when the
// options allow none (a discoverable login), by its newest discoverable
// credential for the relying party. The credential's counter goes up
// by one before it signs (with ZeroCounter it stays and zero is signed).
func (a *Authenticator) Login(options []byte) (json.RawMessage, error) {
	o, err := parseRequest(options)
	if err != nil {
		return nil, err
	}
	rpID := a.rpID(o.RPID)
	if len(o.AllowCredentials) == 0 {
		for i := len(a.Credentials) - 1; i >= 0; i-- {
			if c := a.Credentials[i]; c.Discoverable && c.RPID == rpID {
				return a.assert(o, c)
			}
		}
		return nil, ErrNoCredential
	}
	for _, allowed := range o.AllowCredentials {
		id, _ := decode(allowed.ID)
		for _, c := range a.Credentials {
			if bytes.Equal(c.ID, id) && c.RPID == rpID {
				return a.assert(o, c)
			}
		}
	}
	return nil, ErrNoCredential
}

// LoginWith answers request options with an assertion by c, whatever the
// options allow.
func (a *Authenticator) LoginWith(options []byte, c *Credential) (json.RawMessage, error) {
	o, err := parseRequest(options)
	if err != nil {
		return nil, err
	}
	return a.assert(o, c)
}

func parseRequest(options []byte) (requestOptions, error) {
	var o requestOptions
	if err := json.Unmarshal(options, &o); err != nil {
		return o, fmt.Errorf("webauthntest: request options: %w", err)
	}
	if o.PublicKey != nil {
		o = *o.PublicKey
	}
	return o, nil
}

// assert makes the assertion response of c, signing authenticatorData
// followed by the SHA-256 of clientDataJSON.
func (a *Authenticator) assert(o requestOptions, c *Credential) (json.RawMessage, error) {
	challenge, err := decode(o.Challenge)
	if err != nil {
		return nil, fmt.Errorf("webauthntest: challenge: %w", err)
	}
	var counter uint32
	if !a.ZeroCounter {
		c.Counter++
		counter = c.Counter
	}
	clientData := a.clientData("webauthn.get", challenge)
	authData := a.authData(a.rpID(o.RPID), 0, counter)
	clientHash := sha256.Sum256(clientData)
	digest := sha256.Sum256(append(append([]byte(nil), authData...), clientHash[:]...))
	sig, err := ecdsa.SignASN1(rand.Reader, c.Key, digest[:])
	if err != nil {
		return nil, err
	}
	response := map[string]any{
		"clientDataJSON":    encode(clientData),
		"authenticatorData": encode(authData),
		"signature":         encode(sig),
	}
	if c.Discoverable {
		response["userHandle"] = encode(c.UserHandle)
	}
	id := encode(c.ID)
	return json.Marshal(map[string]any{
		"id": id, "rawId": id, "type": "public-key", "authenticatorAttachment": a.Attachment,
		"response": response, "clientExtensionResults": map[string]any{},
	})
}

// rpID is the relying party id signed for: RPID, else the options', else
// the origin's host.
func (a *Authenticator) rpID(fromOptions string) string {
	if a.RPID != "" {
		return a.RPID
	}
	if fromOptions != "" {
		return fromOptions
	}
	if u, err := url.Parse(a.Origin); err == nil {
		return u.Hostname()
	}
	return ""
}

func (a *Authenticator) clientData(typ string, challenge []byte) []byte {
	raw, _ := json.Marshal(map[string]any{"type": typ, "challenge": encode(challenge), "origin": a.Origin, "crossOrigin": false})
	return raw
}

// authData is rpIdHash, flags and the counter (big-endian); the attested
// credential data, if any, follows.
func (a *Authenticator) authData(rpID string, extra byte, counter uint32) []byte {
	h := sha256.Sum256([]byte(rpID))
	flags := byte(flagUP) | extra
	if !a.UserNotVerified {
		flags |= flagUV
	}
	if a.BackupEligible {
		flags |= flagBE
	}
	if a.BackupState {
		flags |= flagBS
	}
	out := append(h[:], flags)
	return binary.BigEndian.AppendUint32(out, counter)
}

// encodeCOSEKey is the EC2 COSE_Key of a P-256 public key.
func encodeCOSEKey(k *ecdsa.PublicKey) ([]byte, error) {
	raw, err := k.Bytes() // 0x04 || X || Y
	if err != nil {
		return nil, err
	}
	return ctap2().Marshal(map[int]any{1: 2, 3: coseES256, -1: 1, -2: raw[1:33], -3: raw[33:65]})
}

// ctap2 is the canonical CBOR encoding of CTAP2.
func ctap2() cbor.EncMode {
	m, err := cbor.CTAP2EncOptions().EncMode()
	if err != nil {
		panic(err) // fixed options
	}
	return m
}

func encode(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

func decode(s string) ([]byte, error) {
	return base64.RawURLEncoding.DecodeString(strings.TrimRight(s, "="))
}
