package identity

import (
	"context"
	"log/slog"

	"github.com/effektif-serverless/caseflow/shared/secret"
)

// RevokeSession ends the session of a token at once: the next request
// with it is unauthenticated (the authorizer reads the session on every
// request). Revoking an unknown or ended token does nothing. Permission:
// whoever holds the token (a logout).
func (s *Service) RevokeSession(ctx context.Context, token string) error {
	if token == "" || len(token) > 200 {
		return nil
	}
	return s.Store.DeleteSession(ctx, secret.TokenHash(token))
}

// RevokeSessions ends every session of the user at once, except the one
// of keepToken ("" ends them all). A password change ends the user's
// other sessions, a password reset all of them. Permission: the user
// themself, or the core acting for them.
func (s *Service) RevokeSessions(ctx context.Context, userID, keepToken string) error {
	keep := ""
	if keepToken != "" {
		keep = secret.TokenHash(keepToken)
	}
	n, err := s.Store.DeleteSessionsOfUser(ctx, userID, keep)
	if err != nil {
		return err
	}
	slog.InfoContext(ctx, "sessions revoked", "userId", userID, "count", n)
	return nil
}
