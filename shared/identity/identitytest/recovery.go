package identitytest

import (
	"context"
	"sort"

	"github.com/effektif-serverless/caseflow/shared/failure"
	"github.com/effektif-serverless/caseflow/shared/identity"
)

// The recovery emails of the fake, as shared/store keeps them: an item per
// email under its user, a claim of each address among the user's, and a
// count per user, written together.

type recoveriesOf struct {
	emails map[pair]identity.RecoveryEmail // (user, id)
	claims map[pair]string                 // (user, normalized address) -> id
	counts map[string]int                  // user -> emails
}

func (s *Store) recoveryPart() *recoveriesOf {
	if s.recoveries == nil {
		s.recoveries = &recoveriesOf{emails: map[pair]identity.RecoveryEmail{}, claims: map[pair]string{}, counts: map[string]int{}}
	}
	return s.recoveries
}

// AddRecoveryEmail stores a new recovery email with its claim and count.
func (s *Store) AddRecoveryEmail(_ context.Context, e identity.RecoveryEmail, max int) error {
	defer s.lock()()
	part := s.recoveryPart()
	if _, taken := part.emails[pair{e.UserID, e.ID}]; taken {
		return identity.ErrRecoveryIDTaken
	}
	if _, taken := part.claims[pair{e.UserID, identity.NormalizeEmail(e.Address)}]; taken {
		return identity.ErrRecoveryEmailTaken
	}
	if part.counts[e.UserID] >= max {
		return identity.ErrTooManyRecoveryEmails
	}
	part.emails[pair{e.UserID, e.ID}] = e
	part.claims[pair{e.UserID, identity.NormalizeEmail(e.Address)}] = e.ID
	part.counts[e.UserID]++
	return s.wrote()
}

// RecoveryEmailsOfUser lists the user's recovery emails by id.
func (s *Store) RecoveryEmailsOfUser(_ context.Context, userID string, limit int) ([]identity.RecoveryEmail, error) {
	defer s.lock()()
	var out []identity.RecoveryEmail
	for k, e := range s.recoveryPart().emails {
		if k.a == userID {
			out = append(out, e)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	if limit > 0 && len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}

// GetRecoveryEmail reads one recovery email.
func (s *Store) GetRecoveryEmail(_ context.Context, userID, id string) (identity.RecoveryEmail, error) {
	defer s.lock()()
	e, ok := s.recoveryPart().emails[pair{userID, id}]
	if !ok {
		return identity.RecoveryEmail{}, notFound("recovery email")
	}
	return e, nil
}

// UpdateRecoveryEmail stores e on its version, moving the address claim
// when the address changed.
func (s *Store) UpdateRecoveryEmail(_ context.Context, e identity.RecoveryEmail, oldAddress string) error {
	defer s.lock()()
	part := s.recoveryPart()
	stored, ok := part.emails[pair{e.UserID, e.ID}]
	if !ok || stored.Version != e.Version-1 {
		return failure.Race("recovery email")
	}
	if oldAddress != "" {
		if _, taken := part.claims[pair{e.UserID, identity.NormalizeEmail(e.Address)}]; taken {
			return identity.ErrRecoveryEmailTaken
		}
		delete(part.claims, pair{e.UserID, identity.NormalizeEmail(oldAddress)})
		part.claims[pair{e.UserID, identity.NormalizeEmail(e.Address)}] = e.ID
	}
	part.emails[pair{e.UserID, e.ID}] = e
	return s.wrote()
}

// DeleteRecoveryEmail deletes e with its claim and count.
func (s *Store) DeleteRecoveryEmail(_ context.Context, e identity.RecoveryEmail) error {
	defer s.lock()()
	part := s.recoveryPart()
	stored, ok := part.emails[pair{e.UserID, e.ID}]
	if !ok || stored.Address != e.Address {
		return notFound("recovery email")
	}
	delete(part.emails, pair{e.UserID, e.ID})
	delete(part.claims, pair{e.UserID, identity.NormalizeEmail(stored.Address)})
	part.counts[e.UserID]--
	return s.wrote()
}

// TakeRecoveryKey deletes the key and stores e on its version, together.
func (s *Store) TakeRecoveryKey(_ context.Context, t identity.OneTime, e identity.RecoveryEmail) error {
	defer s.lock()()
	part := s.recoveryPart()
	k := pair{t.Kind, t.CodeHash}
	if _, ok := s.oneTimes[k]; !ok {
		return failure.Race(t.Kind + " token")
	}
	stored, ok := part.emails[pair{e.UserID, e.ID}]
	if !ok || stored.Version != e.Version-1 {
		return failure.Race("recovery email")
	}
	delete(s.oneTimes, k)
	part.emails[pair{e.UserID, e.ID}] = e
	return s.wrote()
}
