// Package superoffice is the SuperOffice WebAPI User agent dialect: its
// one documented operation, "Updates the existing User", as
// PUT /{tenant}/api/v1/User/{id} with $select (route.go), over the
// identity core's member change (identity.Service.ChangeMember). It
// decodes the User entity, maps it to one core call and renders the
// member as a User.
//
// Tenant: {tenant} is the organization key. {id} is the user's id (24
// hex); nothing else names a user: a decimal AssociateId, an unknown id
// and a user who is no member of the tenant are 404, as are an unknown
// tenant and one the caller is no member of.
//
// Auth: Authorization: Bearer <token>, any token of the one token store
// (401 without one, in the gateway's own body). A plain member may PUT
// only themself (403 for anyone else, even an empty entity).
//
// Body: "{}" is an entity with every field left out: it changes nothing
// and answers the current User, which is how a client reads. A missing
// body or "null" is 400 "Entity to save is not in request body"; not an
// object, bad JSON or a field of the wrong type is 400. Fields left out
// or null stay, and a value equal to the stored one is no change, so a
// client may send back what it read with one part changed. Server-owned
// fields (AssociateId aside: it must be 0 or the user's), and the fields
// caseflow does not keep, are type-checked and ignored.
//
// The User (user.go): AssociateId is a positive int32 of the identity
// (identity.UserNumbers: the same in every organization); Name is the
// member's username; UserName and Person.Email the address;
// Person.Firstname and Lastname the identity's names; Role is Id 1
// "Admin", 2 "Member", 3 "Operator" (a member with the operator flag);
// UserGroup is the main group and OtherGroups the others, each with the
// group's int32 (identity.GroupNumbers) as Id; LicenseOwners is one
// owner, "Effektif", whose RestrictedModuleLicenses are one link per
// license type the organization has seats of (ModuleLicenseId free=1,
// team=2, enterprise=3; Total, Free, InUse its seats; Assigned whether
// the user holds one; CanAssign whether the caller is an admin);
// Credentials the password credential, never with its value. Deleted is
// a disabled membership.
//
// Changes: Person names and a password Credential are the user's own
// (403 for anyone else); Role, groups and license Assigned flags are the
// admins' (403 for a member, even on themself); a demotion of the last
// admin, no free seat, or a seat of another type held is 409. A group
// item is matched by its non-zero Id, else by its Value (name); unknown,
// ambiguous or another organization's is 400. The whole request is
// checked before anything is written, and written in one transaction: a
// refused request changes nothing.
//
// Errors (errors.go): {"Error": message, "ErrorType": code, "Message":
// message} with the status of the core's failure code; never 5xx for bad
// input.
package superoffice
