// Package password hashes and checks passwords with argon2id (PHC strings).
// It is a package of its own so that only the functions that take
// passwords link argon2 and golang.org/x/sys/cpu, whose init (CPU feature
// detection) costs every cold start of the others about 0.06 ms.
package password

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"sync"

	"golang.org/x/crypto/argon2"
)

// Argon2id parameters (RFC 9106 / OWASP: m=19 MiB, t=2, p=1).
const (
	argonMemoryKiB = 19 * 1024
	argonTime      = 2
	argonThreads   = 1
	argonKeyLen    = 32
	argonSaltLen   = 16
)

// Hash returns the password's argon2id hash in the PHC string format
// ($argon2id$v=19$m=...,t=...,p=...$salt$hash), with a fresh random salt.
func Hash(password string) (string, error) {
	salt := make([]byte, argonSaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	key := argon2.IDKey([]byte(password), salt, argonTime, argonMemoryKiB, argonThreads, argonKeyLen)
	enc := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, argonMemoryKiB, argonTime, argonThreads, enc.EncodeToString(salt), enc.EncodeToString(key)), nil
}

// ErrMalformedHash is returned for a stored hash that is not an argon2id PHC string.
var ErrMalformedHash = errors.New("password: malformed hash")

// Verify reports whether password matches the PHC-encoded hash, in
// time independent of where they differ. The parameters are read from the
// hash, so hashes made with older parameters keep verifying.
func Verify(hash, password string) (bool, error) {
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false, ErrMalformedHash
	}
	var version int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return false, ErrMalformedHash
	}
	var memory, time uint32
	var threads uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &memory, &time, &threads); err != nil {
		return false, ErrMalformedHash
	}
	enc := base64.RawStdEncoding
	salt, err := enc.DecodeString(parts[4])
	if err != nil {
		return false, ErrMalformedHash
	}
	want, err := enc.DecodeString(parts[5])
	if err != nil || len(want) == 0 {
		return false, ErrMalformedHash
	}
	got := argon2.IDKey([]byte(password), salt, time, memory, threads, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}

// dummyHash is verified against when an account does not exist, so that a
// failed login costs the same time whether or not the address is known.
// It is made on first use, not at start, to keep cold starts light.
var dummyHash = sync.OnceValue(func() string {
	h, _ := Hash("no account has this password")
	return h
})

// Burn spends the time of one password verification.
func Burn(password string) {
	_, _ = Verify(dummyHash(), password)
}

// Argon2id is the identity core's password hasher (identity.Passwords):
// Hash, Verify and Burn.
type Argon2id struct{}

// Hash is Hash.
func (Argon2id) Hash(password string) (string, error) { return Hash(password) }

// Verify is Verify.
func (Argon2id) Verify(hash, password string) (bool, error) { return Verify(hash, password) }

// Burn is Burn.
func (Argon2id) Burn(password string) { Burn(password) }
