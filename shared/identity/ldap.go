package identity

import (
	"context"
	"encoding/json"
	"errors"

	"github.com/effektif-serverless/caseflow/shared/failure"
	"github.com/effektif-serverless/caseflow/shared/ldapdir"
)

// MaxLDAPEntries bounds what one directory read returns.
const MaxLDAPEntries = 1000

// LDAPConnector returns the organization's directory settings (with the
// bind password: callers redact before answering). ok is false without any.
func (o Organization) LDAPConnector() (c ldapdir.Connector, ok bool) {
	if len(o.LdapConnector) == 0 {
		return ldapdir.Connector{}, false
	}
	if err := json.Unmarshal(o.LdapConnector, &c); err != nil {
		return ldapdir.Connector{}, false
	}
	return c, true
}

// setLDAPConnector validates and stores new directory settings; a missing
// password keeps the stored one when the URL and bind DN are unchanged.
func (o *Organization) setLDAPConnector(c ldapdir.Connector) error {
	if stored, ok := o.LDAPConnector(); ok {
		c = c.KeepPassword(stored)
	}
	if c.URL == "" {
		o.LdapConnector = nil
		return nil
	}
	if err := c.Validate(); err != nil {
		return ldapFailure(err)
	}
	data, err := json.Marshal(c)
	if err != nil {
		return failure.Wrap(err, "encode ldapConnector")
	}
	o.LdapConnector = data
	return nil
}

// ldapFailure maps directory errors: unreachable or refused -> 502 with
// the reason (one reason for every unreachable directory), bad settings
// (a directory at a private address among them, unless LDAPAllowPrivate)
// -> 400, an unknown group -> 404.
func ldapFailure(err error) error {
	var un *ldapdir.UnavailableError
	var inv *ldapdir.InvalidError
	var nf *ldapdir.NotFoundError
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

// directory returns the settings of an organization the caller
// administers, with the deployment's LDAPAllowPrivate. Errors: as Tenant;
// Forbidden; Invalid without settings.
func (s *Service) directory(ctx context.Context, a Access) (ldapdir.Connector, error) {
	org, m := a.Organization, a.Membership
	if !m.IsAdmin() {
		return ldapdir.Connector{}, failure.New(failure.Forbidden, "only an admin may read the directory")
	}
	c, ok := org.LDAPConnector()
	if !ok {
		return ldapdir.Connector{}, failure.Field("ldapConnector", "the organization has no directory settings")
	}
	c.AllowPrivate = s.LDAPAllowPrivate
	return c, nil
}

// LDAPUsers lists the directory's users, leaving out the excluded ids or
// DNs (comma-separated). Permission: admins. Errors: see directory and
// ldapFailure.
func (s *Service) LDAPUsers(ctx context.Context, a Access, exclude string) ([]ldapdir.User, error) {
	c, err := s.directory(ctx, a)
	if err != nil {
		return nil, err
	}
	users, err := ldapdir.Users(ctx, c, exclude, MaxLDAPEntries)
	if err != nil {
		return nil, ldapFailure(err)
	}
	return users, nil
}

// LDAPGroups lists the directory's groups with their member counts.
func (s *Service) LDAPGroups(ctx context.Context, a Access, exclude string) ([]ldapdir.Group, error) {
	c, err := s.directory(ctx, a)
	if err != nil {
		return nil, err
	}
	groups, err := ldapdir.Groups(ctx, c, exclude, MaxLDAPEntries)
	if err != nil {
		return nil, ldapFailure(err)
	}
	return groups, nil
}

// LDAPGroupMembers lists the members of one directory group (by DN).
func (s *Service) LDAPGroupMembers(ctx context.Context, a Access, groupDN string) ([]ldapdir.User, error) {
	if groupDN == "" {
		return nil, failure.Field("dn", "the group's dn is required")
	}
	c, err := s.directory(ctx, a)
	if err != nil {
		return nil, err
	}
	users, err := ldapdir.GroupMembers(ctx, c, groupDN, MaxLDAPEntries)
	if err != nil {
		return nil, ldapFailure(err)
	}
	return users, nil
}
