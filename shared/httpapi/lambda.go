package httpapi

import (
	"net/http"
	"strings"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/awslabs/aws-lambda-go-api-proxy/core"
	"github.com/awslabs/aws-lambda-go-api-proxy/httpadapter"

	"github.com/effektif-serverless/caseflow/shared/identity"
)

// Serve runs h as an API Gateway HTTP API (payload v2) Lambda function.
func Serve(h http.Handler) {
	SetupLogging()
	lambda.Start(httpadapter.NewV2(h).ProxyWithContext)
}

// The authorizer context keys that carry the caller: the user id, the
// token's kind, the organization it is bound to and its read-only flag.
const (
	ContextUserID         = "userId"
	contextTokenKind      = "tokenKind"
	contextOrganizationID = "organizationId"
	contextReadOnly       = "readOnly"
)

// CallerID returns the id of the user the Lambda authorizer resolved the
// request's token to, or "" when the request carries no valid token.
func CallerID(r *http.Request) string { return CallerOf(r).UserID }

// CallerOf returns the caller the Lambda authorizer resolved the request's
// token to (no UserID when the request carries no valid token).
func CallerOf(r *http.Request) identity.Caller {
	rc, ok := core.GetAPIGatewayV2ContextFromContext(r.Context())
	if !ok || rc.Authorizer == nil {
		return identity.Caller{}
	}
	ctx := rc.Authorizer.Lambda
	c := identity.Caller{}
	c.UserID, _ = ctx[ContextUserID].(string)
	kind, _ := ctx[contextTokenKind].(string)
	c.TokenKind = identity.TokenKind(kind)
	c.OrganizationID, _ = ctx[contextOrganizationID].(string)
	c.ReadOnly, _ = ctx[contextReadOnly].(bool)
	return c
}

// Token returns the token the request carries in its Authorization header
// ("" for none), for operations on the caller's own session.
func Token(r *http.Request) string { return BearerToken(r.Header.Get("Authorization")) }

// BearerToken returns the token of an Authorization header value, which
// carries either the raw token or "Bearer <token>".
func BearerToken(header string) string {
	header = strings.TrimSpace(header)
	if scheme, rest, ok := strings.Cut(header, " "); ok && strings.EqualFold(scheme, "Bearer") {
		return strings.TrimSpace(rest)
	}
	return header
}
