// Package ids makes identifiers for stored entities.
package ids

import (
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"time"
)

// New returns a 24-hex-digit identifier shaped like the ObjectIds that
// Effektif clients are used to: 4 bytes of creation time in seconds, so ids
// sort roughly by age, then 8 random bytes.
func New() string {
	var b [12]byte
	binary.BigEndian.PutUint32(b[:4], uint32(time.Now().Unix()))
	_, _ = rand.Read(b[4:])
	return hex.EncodeToString(b[:])
}

// Valid reports whether s has the shape of an id from New. Handlers use it to
// answer 404 for a malformed id without a database read.
func Valid(s string) bool {
	if len(s) != 24 {
		return false
	}
	_, err := hex.DecodeString(s)
	return err == nil
}
