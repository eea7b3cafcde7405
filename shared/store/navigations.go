package store

import (
	"context"

	"github.com/guregu/dynamo/v2"

	"github.com/effektif-serverless/caseflow/shared/failure"
	"github.com/effektif-serverless/caseflow/shared/identity"
)

// Keys of navigations, which are global (in no organization) and
// immutable:
//
//	NAV#<id>  NAV  a navigation (ID, Name, Configuration: canonical JSON, Created)
//
// The id is the hash of the content (identity.NavigationID), so a put on
// condition that the item does not exist is the whole of uniqueness: the
// same content is written once, whoever creates it.

type navigationItem struct {
	key
	identity.Navigation
}

func navigationKey(id string) key { return key{PK: "NAV#" + id, SK: "NAV"} }

// PutNavigation stores a new navigation; identity.ErrNavigationExists
// when its id is stored.
func (s *DB) PutNavigation(ctx context.Context, n identity.Navigation) error {
	err := s.table.Put(navigationItem{key: navigationKey(n.ID), Navigation: n}).If(notExists).Run(ctx)
	if dynamo.IsCondCheckFailed(err) {
		return identity.ErrNavigationExists
	}
	if err != nil {
		return failure.Wrap(err, "store navigation")
	}
	return nil
}

// GetNavigation reads a navigation.
func (s *DB) GetNavigation(ctx context.Context, id string) (identity.Navigation, error) {
	var it navigationItem
	k := navigationKey(id)
	err := notFound(s.get(ctx, k.PK, k.SK, &it), "navigation")
	return it.Navigation, err
}
