package store

import (
	"context"

	"github.com/guregu/dynamo/v2"

	"github.com/effektif-serverless/caseflow/shared/failure"
	"github.com/effektif-serverless/caseflow/shared/identity"
)

// Every user item is on GSI1 under USERS / EMAIL#<address>: the accounts
// of the instance in address order, paged by bounded Queries (for system
// admins; one partition of the index, read rarely).
const usersIndexKey = "USERS"

func userIndexSK(email string) string { return "EMAIL#" + identity.NormalizeEmail(email) }

// CreateUser claims the address and stores the user, together.
func (s *DB) CreateUser(ctx context.Context, u identity.User) error {
	err := s.db.WriteTx().
		Put(s.table.Put(emailItem{key: emailKey(identity.NormalizeEmail(u.Email)), UserID: u.ID}).If(notExists)).
		Put(s.table.Put(newUserItem(u)).If(notExists)).
		Run(ctx)
	if failedCondition(err) == 0 {
		return identity.ErrEmailTaken
	}
	if err != nil {
		return failure.Wrap(err, "create user")
	}
	return nil
}

// UsersPage is one Query of GSI1 USERS after the address.
func (s *DB) UsersPage(ctx context.Context, after string, limit int) ([]identity.User, error) {
	var items []userItem
	err := s.table.Get("gsi1pk", usersIndexKey).Index(gsi1).Range("gsi1sk", dynamo.Greater, userIndexSK(after)).
		Limit(limit).All(ctx, &items)
	if err != nil {
		return nil, failure.Wrap(err, "list users")
	}
	out := make([]identity.User, len(items))
	for i, it := range items {
		out[i] = it.User
	}
	return out, nil
}

// Positions of the conditional items in CreateMember's transaction.
const (
	createMemberEmail = iota
	createMemberUser
)

// CreateMember claims the address, stores the user and adds the
// membership, together; see identity.AccountStore.
func (s *DB) CreateMember(ctx context.Context, u identity.User, m identity.Membership) error {
	err := s.db.WriteTx().
		Put(s.table.Put(emailItem{key: emailKey(identity.NormalizeEmail(u.Email)), UserID: u.ID}).If(notExists)).
		Put(s.table.Put(newUserItem(u)).If(notExists)).
		Put(s.table.Put(newMemberItem(m)).If(notExists)).
		Run(ctx)
	switch failedCondition(err) {
	case createMemberEmail:
		return identity.ErrEmailTaken
	case createMemberUser:
		return identity.ErrUserIDTaken
	case -1:
		return txOutcome(err, "user", "create member")
	default:
		return failure.New(failure.Conflict, "the membership exists already")
	}
}
