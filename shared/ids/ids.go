// Package ids makes identifiers for stored entities and checks the shape of
// identifiers that come from requests before they become parts of keys.
package ids

import (
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"strconv"
	"time"

	"github.com/effektif-serverless/caseflow/shared/failure"
)

// Length is the length of an id from New.
const Length = 24

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
	if len(s) != Length {
		return false
	}
	_, err := hex.DecodeString(s)
	return err == nil
}

// Check returns nil when s has the shape of an id from New, else an Invalid
// failure naming field ("assigneeId", "candidateIds[2]"). Every id read from
// a request body is checked with it (or Valid) before it becomes part of a
// key, so a malformed or oversized id is a 400, never a DynamoDB error.
func Check(field, s string) error {
	if Valid(s) {
		return nil
	}
	shown := s
	if len(shown) > 40 {
		shown = shown[:40] + "..."
	}
	return failure.Field(field, "%s: %q is not an id", field, shown)
}

// CheckAll is Check for every id of a list; the field of an element is
// field[i]. Empty lists are fine.
func CheckAll(field string, list []string) error {
	for i, s := range list {
		if !Valid(s) {
			return Check(field+"["+strconv.Itoa(i)+"]", s)
		}
	}
	return nil
}
