package connector

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"

	"github.com/effektif-serverless/caseflow/shared/failure"
)

// KeyEnvVar is the environment variable with the secret the sealing key is
// derived from.
const KeyEnvVar = "SERVICE_CREDENTIALS_KEY"

// MinKeyLength is the shortest Service.Key accepted.
const MinKeyLength = 32

// What a sealed value is, bound into its additional data so that one
// cannot be passed off as another.
const (
	credentialsPurpose = "credentials"
	tokensPurpose      = "tokens"
	verifierPurpose    = "pkce"
)

// aead is AES-256-GCM under the key derived from Key (HKDF-SHA256, info
// "caseflow service credentials v1"). Errors: Unavailable without a Key.
func (s *Service) aead() (cipher.AEAD, error) {
	if len(s.Key) < MinKeyLength {
		return nil, failure.New(failure.Unavailable, "this deployment keeps no service credentials (%s is not set)", KeyEnvVar)
	}
	key, err := hkdf.Key(sha256.New, s.Key, nil, "caseflow service credentials v1", 32)
	if err != nil {
		return nil, failure.Wrap(err, "derive the credentials key")
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, failure.Wrap(err, "credentials cipher")
	}
	return cipher.NewGCM(block)
}

// sealAAD binds a sealed value to what it is and whose it is.
func sealAAD(purpose, organizationID, id string) []byte {
	return []byte("service " + purpose + ":" + organizationID + ":" + id)
}

// seal encrypts plain for the purpose and owner: nonce || ciphertext.
func (s *Service) seal(purpose, organizationID, id string, plain []byte) ([]byte, error) {
	c, err := s.aead()
	if err != nil {
		return nil, err
	}
	nonce := make([]byte, c.NonceSize(), c.NonceSize()+len(plain)+c.Overhead())
	if _, err := rand.Read(nonce); err != nil {
		return nil, failure.Wrap(err, "nonce")
	}
	return c.Seal(nonce, nonce, plain, sealAAD(purpose, organizationID, id)), nil
}

// open decrypts what seal made. Errors: Internal when it does not open
// (another key, or a value moved to another account).
func (s *Service) open(purpose, organizationID, id string, sealed []byte) ([]byte, error) {
	c, err := s.aead()
	if err != nil {
		return nil, err
	}
	if len(sealed) < c.NonceSize() {
		return nil, failure.New(failure.Internal, "a sealed %s is too short", purpose)
	}
	plain, err := c.Open(nil, sealed[:c.NonceSize()], sealed[c.NonceSize():], sealAAD(purpose, organizationID, id))
	if err != nil {
		return nil, failure.Wrap(err, "open the %s of %s", purpose, id)
	}
	return plain, nil
}
