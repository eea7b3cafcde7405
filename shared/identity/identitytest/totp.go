package identitytest

import (
	"context"
	"slices"

	"github.com/effektif-serverless/caseflow/shared/failure"
	"github.com/effektif-serverless/caseflow/shared/identity"
)

// The TOTP credentials of the fake, as shared/store keeps them: one item
// per user, written with the user's TOTPEnrolled (and Version) when it is
// verified or deleted.

func (s *Store) totpPart() map[string]identity.TOTPCredential {
	if s.totps == nil {
		s.totps = map[string]identity.TOTPCredential{}
	}
	return s.totps
}

func copyTOTP(c identity.TOTPCredential) identity.TOTPCredential {
	c.Sealed = slices.Clone(c.Sealed)
	return c
}

// PutTOTP stores a pending credential unless a verified one exists.
func (s *Store) PutTOTP(_ context.Context, c identity.TOTPCredential) error {
	defer s.lock()()
	part := s.totpPart()
	if stored, ok := part[c.UserID]; ok && stored.Verified {
		return identity.ErrTOTPEnrolled
	}
	part[c.UserID] = copyTOTP(c)
	return s.wrote()
}

// GetTOTP reads the user's credential.
func (s *Store) GetTOTP(_ context.Context, userID string) (identity.TOTPCredential, error) {
	defer s.lock()()
	c, ok := s.totpPart()[userID]
	if !ok {
		return identity.TOTPCredential{}, notFound("TOTP credential")
	}
	return copyTOTP(c), nil
}

// ActivateTOTP stores the verified credential on its version and sets
// the user's flag, together.
func (s *Store) ActivateTOTP(_ context.Context, c identity.TOTPCredential) error {
	defer s.lock()()
	part := s.totpPart()
	stored, ok := part[c.UserID]
	if !ok || stored.Verified || stored.Version != c.Version-1 {
		return failure.Race("TOTP credential")
	}
	u, ok := s.users[c.UserID]
	if !ok {
		return notFound("user")
	}
	part[c.UserID] = copyTOTP(c)
	u.TOTPEnrolled = true
	u.Version++
	s.users[c.UserID] = u
	return s.wrote()
}

// UseTOTPStep records a later step of a verified credential.
func (s *Store) UseTOTPStep(_ context.Context, userID string, step int64) error {
	defer s.lock()()
	part := s.totpPart()
	c, ok := part[userID]
	if !ok || !c.Verified || c.LastStep >= step {
		return identity.ErrTOTPCodeUsed
	}
	c.LastStep = step
	part[userID] = c
	return s.wrote()
}

// DeleteTOTP deletes the credential and clears the user's flag, together.
func (s *Store) DeleteTOTP(_ context.Context, userID string) error {
	defer s.lock()()
	part := s.totpPart()
	if _, ok := part[userID]; !ok {
		return notFound("TOTP credential")
	}
	u, ok := s.users[userID]
	if !ok {
		return notFound("user")
	}
	delete(part, userID)
	u.TOTPEnrolled = false
	u.Version++
	s.users[userID] = u
	return s.wrote()
}
