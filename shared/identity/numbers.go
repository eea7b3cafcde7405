package identity

import (
	"context"
	"math"

	"github.com/effektif-serverless/caseflow/shared/failure"
	"github.com/effektif-serverless/caseflow/shared/ids"
)

// Numbers. Some dialects name users and groups by a positive int32 where
// the core has 24-hex ids (SuperOffice's AssociateId and UserGroup Id). A
// number is given to an id the first time a dialect shows it, from a
// counter per kind, and the two are written together on condition that
// neither exists: an id keeps its number for good, a number names one id,
// and the same number names the id in every organization and on every API.

// NumberKind is what a number names.
type NumberKind string

// The kinds of numbered ids.
const (
	UserNumbers  NumberKind = "user"
	GroupNumbers NumberKind = "group"
)

// MaxNumbered bounds the ids numbered in one call.
const MaxNumbered = 100

// NumberStore keeps the numbers of ids. Implementations return
// *failure.Error values like Store's.
type NumberStore interface {
	// Numbers answers the numbers the ids have (ids without one are left
	// out): one batch read.
	Numbers(ctx context.Context, kind NumberKind, ids []string) (map[string]int32, error)
	// NextNumber counts one up on the kind's counter and answers it.
	NextNumber(ctx context.Context, kind NumberKind) (int64, error)
	// ClaimNumber writes that id has n and n names id, together, on
	// condition that neither is taken; a retryable Conflict when one is.
	ClaimNumber(ctx context.Context, kind NumberKind, id string, n int32) error
	// NumberedID answers the id that n names; NotFound when none.
	NumberedID(ctx context.Context, kind NumberKind, n int32) (string, error)
}

// Numbers answers the number of each id (at most MaxNumbered valid ids),
// giving one to each id that has none yet. Ids that are not 24-hex are
// refused (Invalid): only stored things are numbered.
func (s *Service) Numbers(ctx context.Context, kind NumberKind, idList []string) (map[string]int32, error) {
	if len(idList) > MaxNumbered {
		return nil, failure.New(failure.Invalid, "at most %d ids are numbered at once", MaxNumbered)
	}
	for _, id := range idList {
		if !ids.Valid(id) {
			return nil, failure.New(failure.Invalid, "only stored ids are numbered")
		}
	}
	if len(idList) == 0 {
		return map[string]int32{}, nil
	}
	have, err := s.Store.Numbers(ctx, kind, idList)
	if err != nil {
		return nil, err
	}
	for _, id := range idList {
		if _, ok := have[id]; ok {
			continue
		}
		if have[id], err = s.number(ctx, kind, id); err != nil {
			return nil, err
		}
	}
	return have, nil
}

// number gives id the next number of its kind; when another request
// numbered it meanwhile, that number is read back.
func (s *Service) number(ctx context.Context, kind NumberKind, id string) (int32, error) {
	for attempt := 0; attempt < 3; attempt++ {
		next, err := s.Store.NextNumber(ctx, kind)
		if err != nil {
			return 0, err
		}
		if next <= 0 || next > math.MaxInt32 {
			return 0, failure.New(failure.Internal, "the %s numbers are used up", kind)
		}
		err = s.Store.ClaimNumber(ctx, kind, id, int32(next))
		if err == nil {
			return int32(next), nil
		}
		if !failure.As(err).Retry {
			return 0, err
		}
		have, err := s.Store.Numbers(ctx, kind, []string{id})
		if err != nil {
			return 0, err
		}
		if n, ok := have[id]; ok {
			return n, nil
		}
	}
	return 0, failure.Race(string(kind) + " number")
}

// NumberedID answers the id a number names. Errors: NotFound for a number
// that names nothing (zero and negative numbers included).
func (s *Service) NumberedID(ctx context.Context, kind NumberKind, n int32) (string, error) {
	if n <= 0 {
		return "", failure.New(failure.NotFound, "no %s has the number %d", kind, n)
	}
	return s.Store.NumberedID(ctx, kind, n)
}
