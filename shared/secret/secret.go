// Package secret makes random tokens that are stored only as hashes.
// Passwords are package password's (argon2id), linked only by the
// functions that take passwords.
package secret

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
)

// NewToken returns a random token of 32 bytes (256 bits), URL-safe base64
// without padding. Tokens are shown once and stored only as TokenHash.
func NewToken() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// NewCode returns a shorter random code (16 bytes, 128 bits) for links in mails.
func NewCode() (string, error) {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// TokenHash is the stored form of a token or code: hex SHA-256. Tokens carry
// enough entropy that a fast hash is safe; it makes look-ups a single GetItem.
func TokenHash(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}
