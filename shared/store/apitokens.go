package store

import (
	"context"

	"github.com/guregu/dynamo/v2"

	"github.com/effektif-serverless/caseflow/shared/failure"
	"github.com/effektif-serverless/caseflow/shared/identity"
)

// API tokens are session items (TOKEN#<hash> / TOKEN, so the authorizer
// reads them like any session) listed under their user on GSI1 with the
// sort key TOKEN#API#<created>: a login's is TOKEN#<created> (a digit
// follows), so a BeginsWith Query finds the API tokens alone, and the
// revocation of every session of a user (TOKEN#) ends them too.

const apiTokenSK = "TOKEN#API#"

// PutAPIToken stores an API token; it expires through TTL.
func (s *DB) PutAPIToken(ctx context.Context, t identity.Session) error {
	it := newSessionItem(t)
	it.GSI1SK = apiTokenSK + t.Created.Format("2006-01-02T15:04:05.000Z07:00")
	if err := s.table.Put(it).If(notExists).Run(ctx); err != nil {
		return failure.Wrap(err, "store API token")
	}
	return nil
}

// APITokens is one Query of the user's API tokens on GSI1, oldest first.
func (s *DB) APITokens(ctx context.Context, userID string, limit int) ([]identity.Session, error) {
	var items []sessionItem
	err := s.table.Get("gsi1pk", "USER#"+userID).Index(gsi1).Range("gsi1sk", dynamo.BeginsWith, apiTokenSK).
		Limit(limit).All(ctx, &items)
	if err != nil {
		return nil, failure.Wrap(err, "list API tokens")
	}
	out := make([]identity.Session, len(items))
	for i, it := range items {
		out[i] = it.Session
	}
	return out, nil
}
