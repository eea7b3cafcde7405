// Package tenduke is the 10Duke Identity Provider REST API dialect (the
// document's 67 operations, ../shared/spec/10duke-idp.md), over the
// identity core. It decodes, resolves the organization, calls the core
// and maps the answer; the rules are the core's.
//
// Base path: /api/idp/v1 (BasePath). The document's samples write a
// double slash after it (/api/idp/v1//organizations); the routers drop
// empty inner segments, so it reaches the same route.
//
// Auth: Authorization: Bearer <token>, any token of the one session
// store (an Effektif, Windmill or epilot login, a Windmill API token, a
// 10Duke session). Scopes: a read-only token (Windmill's read_only API
// token, or a session made with scope "read") only reads: every other
// method answers 403 and writes nothing. POST /sessions is public;
// DELETE /sessions ends the caller's token in every API.
//
// Wire: ids are UUIDs, the core's ids in their reversible UUID form
// (ids.ToUUID); a path id that is no UUID is 400, a UUID no core id has
// is 404. Create bodies carry "id" (the document requires it): the UUID
// form of a fresh core id is kept (that is how a client names a group,
// whose create answers no body), a taken one is 400, any other UUID
// leaves the id to the server (answered in the body, for a group in the
// Location header). Lists answer bare JSON arrays, paged and sorted by
// the request headers offset (default 0), limit (1 to MaxLimit, default
// DefaultLimit), order (a field of the answered schema) and asc (default
// true); filter (query) is a case-insensitive substring of names and
// addresses. Member and role changes take bare JSON arrays, including
// the DELETE with a body.
//
// Errors (errors.go): a JSON object {message, code, field}. The document
// has 400 for every refusal of what was sent: the core's Conflict
// (uniqueness), Gone (a closed invitation, a used key) and Unsupported
// are 400 here. 401 without a live token, 403 for a member's write or a
// read-only token, 404 for what the caller may not see.
//
// Decisions where the document is silent (infra/e2e's 10Duke contract
// tests check them):
//   - An organization is the core's (Effektif's organization, Windmill's
//     workspace, SuperOffice's tenant); its members are the core's
//     members, its admins the core's admins. A caller sees the
//     organizations they belong to and the users who share one with
//     them; an organization they are not in is 404 on every path.
//   - Organization names are unique among the organizations made or
//     renamed through this API (a claim, case-insensitive). POST
//     /organizations makes the caller the admin; organization-setup makes
//     initialAdminId (the caller, or a user of an organization the caller
//     administers) the only member and admin, with a group named after
//     the organization of type "employees".
//   - The routes that name no organization (POST /users, the
//     organization roles) act in the caller's home organization: the
//     token's bound one, else the only one they administer, else the only
//     one they belong to (several: 400, bind a token with epilot's
//     switchOrganization).
//   - POST /users registers an identity without a password, a plain
//     member; its admins may change its names and validity window until
//     its user claims it (a password, a provider or passkey sign-in).
//     Otherwise a user's names are their own. PUT /users never changes
//     the address (400). DELETE /users/{id} takes the user out of every
//     organization the caller administers; the identity stays.
//   - Roles are the core's organization roles; each organization lists
//     its built-in admin and member roles (roleroutes.go), assigning admin
//     makes a core admin. GET /users/{id}/organization-roles answers an
//     array.
//   - Group invitations: create answers the link with the key once (the
//     caller delivers it), send mails it; accept and decline take the
//     invitation with the link as landed, from the signed-in holder of
//     the invited address (a forwarded link is useless to others; the
//     core's rule).
//   - TOTP joins the logins of POST /sessions: 401 with a "totp"
//     challenge and a state token until the passcode comes (with the
//     password, or with the state token). The other APIs' logins ask for
//     no passcode, so they open no session of an enrolled user (401,
//     identity.ErrPasscodeElsewhere; a password reset sets the password
//     but signs no one in): the session of POST /sessions serves them all.
//   - Recovery email challenges are mailed to the address, not answered
//     (an answered token would let a user validate an address they do not
//     hold): POST …/challenges answers an empty token; PUT takes the
//     mailed one. send-validation templates lie under PublicBaseUrl.
package tenduke

// BasePath is where the dialect is mounted.
const BasePath = "/api/idp/v1"
