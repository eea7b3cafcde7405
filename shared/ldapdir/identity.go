package ldapdir

import (
	"context"
	"errors"
	"os"

	"github.com/effektif-serverless/caseflow/shared/failure"
	"github.com/effektif-serverless/caseflow/shared/identity"
)

// Directory is identity.Directory over this package. AllowPrivate is the
// deployment's LDAP_ALLOW_PRIVATE ("true" lets directories be at loopback,
// private and link-local addresses): it is set on every connector read,
// whatever the connector says.
type Directory struct {
	AllowPrivate bool
}

var _ identity.Directory = Directory{}

// FromEnv is the Directory of the deployment's LDAP_ALLOW_PRIVATE.
func FromEnv() Directory {
	return Directory{AllowPrivate: os.Getenv("LDAP_ALLOW_PRIVATE") == "true"}
}

// Validate checks the settings (see the package function Validate).
func (d Directory) Validate(c Connector) error { return failureOf(Validate(c)) }

// Users lists the directory's users (see the package function Users).
func (d Directory) Users(ctx context.Context, c Connector, exclude string, limit int) ([]User, error) {
	return read(d, c, func(c Connector) ([]User, error) { return Users(ctx, c, exclude, limit) })
}

// Groups lists the directory's groups (see the package function Groups).
func (d Directory) Groups(ctx context.Context, c Connector, exclude string, limit int) ([]Group, error) {
	return read(d, c, func(c Connector) ([]Group, error) { return Groups(ctx, c, exclude, limit) })
}

// GroupMembers lists one group's members (see the package function
// GroupMembers).
func (d Directory) GroupMembers(ctx context.Context, c Connector, groupDN string, limit int) ([]User, error) {
	return read(d, c, func(c Connector) ([]User, error) { return GroupMembers(ctx, c, groupDN, limit) })
}

// read runs one directory read with the deployment's AllowPrivate and
// answers its error as a failure.
func read[T any](d Directory, c Connector, run func(Connector) ([]T, error)) ([]T, error) {
	c.AllowPrivate = d.AllowPrivate
	out, err := run(c)
	if err != nil {
		return nil, failureOf(err)
	}
	return out, nil
}

// failureOf maps this package's errors to the failure codes
// identity.Directory promises: unreachable or refused -> Unavailable (502)
// with the reason, bad settings (a directory at a private address among
// them, unless AllowPrivate) -> Invalid (400) on ldapConnector, an unknown
// group -> NotFound (404). nil stays nil.
func failureOf(err error) error {
	if err == nil {
		return nil
	}
	var un *UnavailableError
	var inv *InvalidError
	var nf *NotFoundError
	switch {
	case errors.As(err, &un):
		return &failure.Error{Code: failure.Unavailable, Message: "the directory cannot be used: " + un.Reason, Cause: err}
	case errors.As(err, &inv):
		return &failure.Error{Code: failure.Invalid, Field: "ldapConnector", Message: inv.Error()}
	case errors.As(err, &nf):
		return failure.New(failure.NotFound, "%s", nf.Error())
	default:
		return failure.Wrap(err, "read the directory")
	}
}
