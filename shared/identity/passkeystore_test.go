package identity_test

import (
	"context"
	"sync"
	"time"

	"github.com/effektif-serverless/caseflow/shared/failure"
	"github.com/effektif-serverless/caseflow/shared/identity"
)

// passkeyStore is the store of the passkey tests: identity.Store (nil)
// with only the methods the passkey operations call (GetUser, UpdateUser,
// UserIDByEmail and identity.PasskeyStore) over maps, under the conditions
// package store writes to DynamoDB with: credential ids unique across
// users, a challenge spent once, the counter written on condition of the
// previous one, and PasskeyCount kept with the credentials (bumping the
// user's Version). Any other method panics on the nil Store, so a test
// fails loudly when the passkey code starts to call one. Package store's
// own test runs the same conditions against DynamoDB Local.
type passkeyStore struct {
	identity.Store

	mu     sync.Mutex
	users  map[string]identity.User
	emails map[string]string
	creds  map[string]identity.PasskeyCredential // by string(ID)
	used   map[string]time.Time
}

func newPasskeyStore() *passkeyStore {
	return &passkeyStore{users: map[string]identity.User{}, emails: map[string]string{},
		creds: map[string]identity.PasskeyCredential{}, used: map[string]time.Time{}}
}

func (s *passkeyStore) putUser(u identity.User) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.users[u.ID] = u
	s.emails[identity.NormalizeEmail(u.Email)] = u.ID
}

func (s *passkeyStore) credential(id []byte) (identity.PasskeyCredential, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.creds[string(id)]
	return c, ok
}

func (s *passkeyStore) UserIDByEmail(_ context.Context, normalizedEmail string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	id, ok := s.emails[normalizedEmail]
	if !ok {
		return "", failure.New(failure.NotFound, "no such user")
	}
	return id, nil
}

func (s *passkeyStore) GetUser(_ context.Context, id string) (identity.User, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	u, ok := s.users[id]
	if !ok {
		return identity.User{}, failure.New(failure.NotFound, "no such user")
	}
	return u, nil
}

func (s *passkeyStore) ConsumePasskeyChallenge(_ context.Context, challenge string, expires time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.used[challenge]; ok {
		return identity.ErrChallengeUsed
	}
	s.used[challenge] = expires
	return nil
}

func (s *passkeyStore) AddPasskey(_ context.Context, c identity.PasskeyCredential, max int) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.creds[string(c.ID)]; ok {
		return identity.ErrPasskeyTaken
	}
	u, ok := s.users[c.UserID]
	if !ok || u.PasskeyCount >= max {
		return identity.ErrTooManyPasskeys
	}
	u.PasskeyCount++
	u.Version++
	s.users[u.ID] = u
	s.creds[string(c.ID)] = c
	return nil
}

func (s *passkeyStore) PasskeysOfUser(_ context.Context, userID string, limit int) ([]identity.PasskeyCredential, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []identity.PasskeyCredential
	for _, c := range s.creds {
		if c.UserID == userID && len(out) < limit {
			out = append(out, c)
		}
	}
	return out, nil
}

func (s *passkeyStore) PasskeyOwner(_ context.Context, credentialID []byte) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.creds[string(credentialID)]
	if !ok {
		return "", failure.New(failure.NotFound, "no such passkey")
	}
	return c.UserID, nil
}

func (s *passkeyStore) DeletePasskey(_ context.Context, userID string, credentialID []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.creds[string(credentialID)]
	if !ok || c.UserID != userID {
		return failure.New(failure.NotFound, "no such passkey")
	}
	u := s.users[userID]
	u.PasskeyCount--
	u.Version++
	s.users[userID] = u
	delete(s.creds, string(credentialID))
	return nil
}

func (s *passkeyStore) RecordPasskeyUse(_ context.Context, c identity.PasskeyCredential, previous uint32) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	stored, ok := s.creds[string(c.ID)]
	if !ok || stored.UserID != c.UserID {
		return failure.New(failure.NotFound, "no such passkey")
	}
	if stored.SignCount != previous {
		return failure.Race("passkey's signature counter")
	}
	stored.SignCount, stored.Flags, stored.LastUsed = c.SignCount, c.Flags, c.LastUsed
	s.creds[string(c.ID)] = stored
	return nil
}

// UpdateUser stores the user on condition of its version (the claim of a
// registered identity at its first passkey sign-in).
func (s *passkeyStore) UpdateUser(_ context.Context, u identity.User, oldEmail string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if cur, ok := s.users[u.ID]; !ok || cur.Version != u.Version-1 || oldEmail != "" {
		return failure.Race("user")
	}
	s.users[u.ID] = u
	return nil
}
