// Package epilot is the epilot User API dialect (the document's 41
// operations and the SDK's resetPassword), mounted at the root (/v1,
// /v2), over the identity core. It decodes, resolves the caller's
// current organization, makes one call into the core and maps the answer
// to epilot's snake_case shapes.
//
// Tenant: epilot names no organization in its paths. A request acts in
// the caller's current organization: the one the token is bound to
// (switchOrganization answers such a login_token), else the caller's
// primary organization, the first they joined (identity.ResolveCurrent).
// organization_id is the organization's id.
//
// Auth: Authorization: Bearer <token>, any token of the one token store:
// the epilot document has no login operation, so an Effektif or Windmill
// login (or an API token) of the same identity is the bearer. Public
// routes ignore the header.
//
// Users: a user's id is the identity's id. UserV2.display_name is the
// core's first and last names (split at the first space when set);
// email, phone and preferred_language are the identity's; the other
// attributes epilot keeps (signature, custom_start_page,
// custom_navigation, notification settings, favorites, properties...)
// live in the user's Profile. PATCH changes the fields sent; server-owned
// ones (id, status, token, flags, dates, draft_email, any hash) are
// ignored, and an address change takes effect when verifyEmail confirms
// the code mailed to the new address (with the password). A user's
// identity is theirs: another member's PATCH is 403. DELETE takes the
// user out of the organization (an admin's operation; a user may delete
// themself, which leaves it) and answers the V1 User.
//
// Invitations: inviteUser invites the address into the caller's current
// organization (admins; roles "<orgId>:owner" or ":admin" make an admin,
// other roles a member; a role of another organization is 400) and
// answers a Pending UserV2 whose id is the invitation's, the same whether
// or not the address has an account. The mailed token is taken by
// checkToken, activateUser (which also takes a signup's code) and
// rejectInvite; unknown, used or expired tokens are 404.
//
// Sign-up: signUpUser mails a single-use code and creates nothing until
// activateUser takes it (the core's registration: an address is never
// claimed by someone who cannot read its mail); the answer shows what
// will be created. With a partner invitation token (?token, an
// invitation's mailed code, which proves the address) the account is made
// at once: it joins the inviting organization and owns a new one, which
// the answer names.
//
// Errors (errors.go): {"message", "code", "field"} with the status of the
// core's failure code; resetPassword's 400 is the SDK's {error, message,
// violations}.
package epilot
