package httpapi

import (
	"context"
	"log/slog"
	"strings"

	"github.com/aws/aws-lambda-go/events"

	"github.com/effektif-serverless/caseflow/shared/failure"
	"github.com/effektif-serverless/caseflow/shared/identity"
)

// Authenticator resolves a token to a live session.
type Authenticator interface {
	Authenticate(ctx context.Context, token string) (identity.Session, error)
}

// Authorizer returns the handler of the API Gateway Lambda authorizer
// (payload 2.0, simple responses). It resolves the Authorization header to a
// session and passes the caller on in the context (CallerOf). It never denies: for an
// unknown or expired token it passes no user id, so that each function answers
// 401 in its own dialect's shape (API Gateway itself could only answer 403).
// A request without the header never reaches it: the gateway answers 401.
// Only a failure to read the session store is an error (the gateway's 500).
func Authorizer(auth Authenticator) func(context.Context, events.APIGatewayV2CustomAuthorizerV2Request) (events.APIGatewayV2CustomAuthorizerSimpleResponse, error) {
	return func(ctx context.Context, req events.APIGatewayV2CustomAuthorizerV2Request) (events.APIGatewayV2CustomAuthorizerSimpleResponse, error) {
		resp := events.APIGatewayV2CustomAuthorizerSimpleResponse{IsAuthorized: true, Context: map[string]any{}}
		token := BearerToken(header(req.Headers, "authorization"))
		session, err := auth.Authenticate(ctx, token)
		if failure.Is(err, failure.Unauthenticated) {
			slog.InfoContext(ctx, "authorize", "route", req.RouteKey, "apiRequestId", req.RequestContext.RequestID, "caller", "none")
			return resp, nil
		}
		if err != nil {
			slog.ErrorContext(ctx, "authorize", "route", req.RouteKey, "apiRequestId", req.RequestContext.RequestID, "error", err.Error())
			return events.APIGatewayV2CustomAuthorizerSimpleResponse{}, err
		}
		c := session.Caller()
		// The user and the token's kind, never the token.
		slog.InfoContext(ctx, "authorize", "route", req.RouteKey, "apiRequestId", req.RequestContext.RequestID,
			"caller", c.UserID, "tokenKind", string(c.TokenKind), "readOnly", c.ReadOnly)
		resp.Context[ContextUserID] = c.UserID
		resp.Context[contextTokenKind] = string(c.TokenKind)
		resp.Context[contextOrganizationID] = c.OrganizationID
		resp.Context[contextReadOnly] = c.ReadOnly
		return resp, nil
	}
}

// header returns a header from an API Gateway event, whose names are lower
// case (payload v2), falling back to a case-insensitive search.
func header(headers map[string]string, name string) string {
	if v, ok := headers[name]; ok {
		return v
	}
	for k, v := range headers {
		if strings.EqualFold(k, name) {
			return v
		}
	}
	return ""
}
