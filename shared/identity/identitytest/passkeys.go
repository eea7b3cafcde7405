package identitytest

import (
	"context"
	"slices"
	"sort"
	"time"

	"github.com/effektif-serverless/caseflow/shared/failure"
	"github.com/effektif-serverless/caseflow/shared/identity"
)

// The passkeys of the fake, as shared/store keeps them: a credential
// under its user with a look-up by id, written with the user's
// PasskeyCount (and Version) in one transaction; spent challenges as
// used-markers that stay until they expire and SweepExpired is run (the
// fake keeps them, as TTL would until it deletes them).

type passkeysOf struct {
	creds      map[string]identity.PasskeyCredential // credential id -> credential
	challenges map[string]time.Time                  // challenge -> expires
}

func (s *Store) passkeyPart() *passkeysOf {
	if s.passkeys == nil {
		s.passkeys = &passkeysOf{creds: map[string]identity.PasskeyCredential{}, challenges: map[string]time.Time{}}
	}
	return s.passkeys
}

func copyCredential(c identity.PasskeyCredential) identity.PasskeyCredential {
	c.ID, c.PublicKey, c.AAGUID = slices.Clone(c.ID), slices.Clone(c.PublicKey), slices.Clone(c.AAGUID)
	c.Transports = slices.Clone(c.Transports)
	return c
}

// ConsumePasskeyChallenge records the challenge as used, once.
func (s *Store) ConsumePasskeyChallenge(_ context.Context, challenge string, expires time.Time) error {
	defer s.lock()()
	part := s.passkeyPart()
	if _, used := part.challenges[challenge]; used {
		return identity.ErrChallengeUsed
	}
	part.challenges[challenge] = expires
	return s.wrote()
}

// AddPasskey stores a new credential and counts it in the user's
// PasskeyCount, together.
func (s *Store) AddPasskey(_ context.Context, c identity.PasskeyCredential, max int) error {
	defer s.lock()()
	part := s.passkeyPart()
	if _, taken := part.creds[string(c.ID)]; taken {
		return identity.ErrPasskeyTaken
	}
	u, ok := s.users[c.UserID]
	if !ok || u.PasskeyCount >= max {
		return identity.ErrTooManyPasskeys
	}
	part.creds[string(c.ID)] = copyCredential(c)
	u.PasskeyCount++
	u.Version++
	s.users[c.UserID] = u
	return s.wrote()
}

// PasskeysOfUser lists the user's credentials in the store's order (by
// the hash of their ids there; here by id).
func (s *Store) PasskeysOfUser(_ context.Context, userID string, limit int) ([]identity.PasskeyCredential, error) {
	defer s.lock()()
	var out []identity.PasskeyCredential
	for _, c := range s.passkeyPart().creds {
		if c.UserID == userID {
			out = append(out, copyCredential(c))
		}
	}
	sort.Slice(out, func(i, j int) bool { return string(out[i].ID) < string(out[j].ID) })
	if limit > 0 && len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}

// PasskeyOwner answers the user holding the credential.
func (s *Store) PasskeyOwner(_ context.Context, credentialID []byte) (string, error) {
	defer s.lock()()
	c, ok := s.passkeyPart().creds[string(credentialID)]
	if !ok {
		return "", notFound("passkey")
	}
	return c.UserID, nil
}

// DeletePasskey deletes the user's credential and counts it down.
func (s *Store) DeletePasskey(_ context.Context, userID string, credentialID []byte) error {
	defer s.lock()()
	part := s.passkeyPart()
	c, ok := part.creds[string(credentialID)]
	if !ok || c.UserID != userID {
		return notFound("passkey")
	}
	delete(part.creds, string(credentialID))
	if u, ok := s.users[userID]; ok {
		u.PasskeyCount--
		u.Version++
		s.users[userID] = u
	}
	return s.wrote()
}

// RecordPasskeyUse stores a login's counter on condition of the previous.
func (s *Store) RecordPasskeyUse(_ context.Context, c identity.PasskeyCredential, previous uint32) error {
	defer s.lock()()
	part := s.passkeyPart()
	stored, ok := part.creds[string(c.ID)]
	if !ok {
		return notFound("passkey")
	}
	if stored.SignCount != previous {
		return failure.Race("passkey")
	}
	stored.SignCount, stored.Flags, stored.LastUsed = c.SignCount, c.Flags, c.LastUsed
	part.creds[string(c.ID)] = stored
	return s.wrote()
}
