package workstore

import (
	"context"
	"errors"

	"github.com/guregu/dynamo/v2"

	"github.com/effektif-serverless/caseflow/shared/connector"
	"github.com/effektif-serverless/caseflow/shared/failure"
	"github.com/effektif-serverless/caseflow/shared/store/internal/onetable"
)

// Keys of the service items (package connector):
//
//	ORG#<orgId>    SVCACCOUNT#<serviceKey>#<id>   an account of a service; credentials and tokens sealed
//	OAUTH#<hash>   OAUTH                          a started OAuth connection by its state's SHA-256, TTL
//
// An organization's accounts live in its partition, so its purge removes
// them; states expire.

var _ connector.Store = (*DB)(nil)

type accountItem struct {
	onetable.Key
	connector.Account
}

func accountKey(orgID, serviceKey, id string) onetable.Key {
	return onetable.Key{PK: "ORG#" + orgID, SK: "SVCACCOUNT#" + serviceKey + "#" + id}
}

// PutAccount stores an account on its absence (Version 1) or its version.
func (s *DB) PutAccount(ctx context.Context, a connector.Account) error {
	put := s.table.Put(accountItem{Key: accountKey(a.OrganizationID, a.ServiceKey, a.ID), Account: a})
	return onetable.VersionConflict(onetable.Versioned(put, a.Version == 1, a.Version).Run(ctx), "account")
}

// GetAccount reads an account.
func (s *DB) GetAccount(ctx context.Context, orgID, serviceKey, id string) (connector.Account, error) {
	var it accountItem
	k := accountKey(orgID, serviceKey, id)
	err := onetable.NotFound(s.get(ctx, k.PK, k.SK, &it), "account")
	return it.Account, err
}

// ListAccounts lists up to limit accounts of a service (one Query, in id
// order: ids begin with their creation time).
func (s *DB) ListAccounts(ctx context.Context, orgID, serviceKey string, limit int) ([]connector.Account, error) {
	var items []accountItem
	q := s.table.Get(onetable.HashKey, "ORG#"+orgID).Range(onetable.RangeKey, dynamo.BeginsWith, "SVCACCOUNT#"+serviceKey+"#")
	if err := onetable.PageInto(ctx, q, 0, limit, &items); err != nil {
		return nil, failure.Wrap(err, "list accounts")
	}
	out := make([]connector.Account, len(items))
	for i, it := range items {
		out[i] = it.Account
	}
	return out, nil
}

// DeleteAccount deletes an account on its version.
func (s *DB) DeleteAccount(ctx context.Context, a connector.Account) error {
	k := accountKey(a.OrganizationID, a.ServiceKey, a.ID)
	err := s.table.Delete(onetable.HashKey, k.PK).Range(onetable.RangeKey, k.SK).If("'Version' = ?", a.Version).Run(ctx)
	return onetable.VersionConflict(err, "account")
}

type oauthStateItem struct {
	onetable.Key
	connector.OAuthState
}

func oauthStateKey(hash string) onetable.Key { return onetable.Key{PK: "OAUTH#" + hash, SK: "OAUTH"} }

// PutOAuthState stores a started connection; it expires through TTL.
func (s *DB) PutOAuthState(ctx context.Context, st connector.OAuthState) error {
	k := oauthStateKey(st.Hash)
	k.ExpiresAt = st.Expires
	if err := s.table.Put(oauthStateItem{Key: k, OAuthState: st}).If(onetable.NotExists).Run(ctx); err != nil {
		return failure.Wrap(err, "store the OAuth state")
	}
	return nil
}

// TakeOAuthState deletes a started connection and answers it: a
// conditional delete, so of two takes one gets it and the other NotFound.
func (s *DB) TakeOAuthState(ctx context.Context, hash string) (connector.OAuthState, error) {
	var it oauthStateItem
	k := oauthStateKey(hash)
	err := s.table.Delete(onetable.HashKey, k.PK).Range(onetable.RangeKey, k.SK).If("attribute_exists(pk)").OldValue(ctx, &it)
	if dynamo.IsCondCheckFailed(err) || errors.Is(err, dynamo.ErrNotFound) {
		return connector.OAuthState{}, failure.New(failure.NotFound, "no such OAuth state")
	}
	if err != nil {
		return connector.OAuthState{}, failure.Wrap(err, "take the OAuth state")
	}
	return it.OAuthState, nil
}
