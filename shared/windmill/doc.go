// Package windmill is the Windmill UserApi dialect (the document's 23
// operations plus the paths windmill-client 1.818.0 moved them to), over
// the identity core. It only decodes, resolves the workspace, makes one
// call into the core and maps the answer.
//
// Base path: /api (BasePath). A workspace is an organization: its id is
// the organization key (tenant.go).
//
// Auth: Authorization: Bearer <token>, where the token is any token of
// the one session store (an Effektif session, a Windmill login, an API
// token from createToken). The login and OAuth callback routes are public
// and ignore the header (the client sends "Bearer no_token" there); every
// other route answers 401 for a missing, unknown, expired or revoked
// token. Login also sets the token as the `token` cookie, for browsers;
// the gateway lets no request without an Authorization header through, so
// the cookie alone authenticates nothing here.
//
// Answers: strings are text/plain whatever the Accept header (the client
// sends Accept: application/json on every call), JSON answers
// application/json. 201 for createToken, addUser, users/add and
// inviteUser; 200 for every other success.
//
// Errors (errors.go): a text/plain body with a short message; the status
// of the core's failure code (400 bad input, 401, 403 authenticated but
// not allowed, 404 unknown or not visible, 409 conflict, 413, 415, 429).
// A non-member and an unknown workspace get 404 on every workspace route,
// before any role check.
//
// Decisions where the document is silent (see
// infra/contract/windmill/README.md, which the contract tests check):
//   - Adding an address to a workspace (addUser, users/add, inviteUser)
//     always invites it: the holder accepts with acceptInvite, and the
//     answer is "user invited" whether or not the address has an account.
//   - Usernames are the core's (identity.UsernameShape), unique in a
//     workspace; a member made without one (through another API) gets one
//     derived from the address the first time it is read by name.
//   - API tokens are listed by their first identity.APITokenPrefixLength
//     characters; without an expiration they live identity.APITokenTTL.
//     last_used_at is when the token was made (the authorizer does not
//     write on every request).
//   - setPassword, like every password change, ends the user's other
//     sessions, API tokens included; the caller's session stays.
//   - createUserGlobally, globalUserUpdate and listUsersAsSuperAdmin are
//     for system admins only (403 to anyone else), checked before the body.
//   - loginWithOauth takes a state the server issued when the sign-in
//     began (the Effektif provider sign-in); a state it did not issue, or
//     one used or expired, is 401.
package windmill

// BasePath is where the dialect is mounted.
const BasePath = "/api"

// TokenCookie is the cookie login sets and logout clears.
const TokenCookie = "token"
