package ids

import "encoding/hex"

// The UUID form of an id, for dialects whose ids are UUIDs (10Duke): the
// 12 bytes of an id from New laid into an RFC 9562 version 8 UUID,
//
//	bytes 0-5  id[0:6]    6  0x80 (version 8)   7  id[6]
//	byte  8    0x80 (variant 10)   9  id[7]     10-13  id[8:12]   14-15  0
//
// so the mapping is stable and reversible, and one identity has the same
// UUID in every answer. A UUID not of this form (one a client chose) is
// not an id of New's shape: FromUUID reports false for it.

// ToUUID returns the UUID form of an id from New; false for another shape.
func ToUUID(id string) (string, bool) { return ToTaggedUUID(id, 0) }

// ToTaggedUUID is ToUUID with a tag in bytes 14-15 (0 is ToUUID's form):
// for things a dialect names by a UUID that derive from an id without one
// of their own (10Duke's built-in roles of an organization).
func ToTaggedUUID(id string, tag uint16) (string, bool) {
	if !Valid(id) {
		return "", false
	}
	b, _ := hex.DecodeString(id)
	var u [16]byte
	copy(u[0:6], b[0:6])
	u[6], u[7] = 0x80, b[6]
	u[8], u[9] = 0x80, b[7]
	copy(u[10:14], b[8:12])
	u[14], u[15] = byte(tag>>8), byte(tag)
	h := hex.EncodeToString(u[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32], true
}

// FromUUID returns the id whose UUID form u is (upper or lower case);
// false when u is not a UUID or not the form of an id.
func FromUUID(u string) (string, bool) {
	id, tag, ok := FromTaggedUUID(u)
	if !ok || tag != 0 {
		return "", false
	}
	return id, true
}

// FromTaggedUUID returns the id and the tag of a UUID of ToTaggedUUID's
// form; false when u is not one.
func FromTaggedUUID(u string) (string, uint16, bool) {
	if len(u) != 36 || u[8] != '-' || u[13] != '-' || u[18] != '-' || u[23] != '-' {
		return "", 0, false
	}
	b, err := hex.DecodeString(u[0:8] + u[9:13] + u[14:18] + u[19:23] + u[24:36])
	if err != nil || len(b) != 16 || b[6] != 0x80 || b[8] != 0x80 {
		return "", 0, false
	}
	id := make([]byte, 0, 12)
	id = append(id, b[0:6]...)
	id = append(id, b[7], b[9])
	id = append(id, b[10:14]...)
	return hex.EncodeToString(id), uint16(b[14])<<8 | uint16(b[15]), true
}
