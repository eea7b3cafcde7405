package identity

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/effektif-serverless/caseflow/shared/failure"
)

// MaxLDAPEntries bounds what one directory read returns.
const MaxLDAPEntries = 1000

// LDAPConnector is an organization's LDAP directory settings (stored with
// the organization; the JSON field names are what clients send in
// Organization.ldapConnector). Their defaults, bounds and validity are the
// Directory's (package ldapdir documents them).
type LDAPConnector struct {
	URL    string `json:"url"`    // ldap://host:port or ldaps://host:port
	BindDN string `json:"bindDn"` // empty: anonymous
	// BindPassword is write-only: the API never returns it (see Redacted).
	BindPassword       string `json:"bindPassword,omitempty"`
	BaseDN             string `json:"baseDn"`
	UserFilter         string `json:"userFilter"`      // default (objectClass=inetOrgPerson)
	GroupFilter        string `json:"groupFilter"`     // default groupOfNames or groupOfUniqueNames
	UserIDAttribute    string `json:"userIdAttribute"` // default uid; mail, givenName, sn, displayName and cn give the names
	StartTLS           bool   `json:"startTls"`
	InsecureSkipVerify bool   `json:"insecureSkipVerify"`
	TimeoutSeconds     int    `json:"timeoutSeconds"` // default 5, at most 30; the budget of one whole call

	// AllowPrivate lets the connector reach directories at loopback,
	// private, link-local and reserved addresses. It is the deployment's
	// choice (the LdapAllowPrivate template parameter, which the Directory
	// sets), never stored with an organization nor taken from a client.
	AllowPrivate bool `json:"-"`
}

// Redacted returns a copy without the bind password, for API responses and
// logs.
func (c LDAPConnector) Redacted() LDAPConnector {
	c.BindPassword = ""
	return c
}

// String describes the connector without its password, so that printing or
// logging one never leaks it.
func (c LDAPConnector) String() string {
	pw := ""
	if c.BindPassword != "" {
		pw = " bindPassword=<set>"
	}
	return fmt.Sprintf("LDAPConnector{url=%q bindDn=%q%s baseDn=%q startTls=%t timeoutSeconds=%d}",
		c.URL, c.BindDN, pw, c.BaseDN, c.StartTLS, c.TimeoutSeconds)
}

// GoString is String, for %#v.
func (c LDAPConnector) GoString() string { return c.String() }

// KeepPassword is for updates: a client that edits the settings gets them
// Redacted and sends them back without the password. KeepPassword returns c
// with the stored connector's password when c carries none and still points
// the same bind DN at the same URL. When the URL or the bind DN changed the
// password is not carried over, so that a stored secret is never sent to a
// server it was not given for.
func (c LDAPConnector) KeepPassword(stored LDAPConnector) LDAPConnector {
	if c.BindPassword == "" &&
		strings.TrimSpace(c.URL) == strings.TrimSpace(stored.URL) &&
		strings.TrimSpace(c.BindDN) == strings.TrimSpace(stored.BindDN) {
		c.BindPassword = stored.BindPassword
	}
	return c
}

// LDAPUser is a directory entry matching the user filter.
type LDAPUser struct {
	DN          string `json:"dn"`
	ID          string `json:"id"` // the user id attribute (uid by default)
	Email       string `json:"email,omitempty"`
	FirstName   string `json:"firstName,omitempty"`
	LastName    string `json:"lastName,omitempty"`
	DisplayName string `json:"displayName,omitempty"`
}

// LDAPGroup is a directory entry matching the group filter. MemberCount
// counts its member and uniqueMember values (nested groups count as one
// member).
type LDAPGroup struct {
	DN          string `json:"dn"`
	Name        string `json:"name"`
	MemberCount int    `json:"memberCount"`
}

// Directory reads organizations' LDAP directories (package ldapdir, over
// go-ldap, is the one there is). Only the functions that serve the
// directory settings and reads are given one.
//
// Errors are *failure.Error values: Invalid (field ldapConnector) for
// settings that are wrong, a directory at a private address among them
// unless the deployment allows those; NotFound for an unknown group;
// Unavailable, with the reason, for a directory that is unreachable,
// refused the bind, timed out or failed a search (one reason for every
// unreachable directory).
type Directory interface {
	// Validate checks the settings without contacting the directory.
	Validate(c LDAPConnector) error
	// Users lists up to limit users, leaving out the excluded ids or DNs
	// (comma-separated).
	Users(ctx context.Context, c LDAPConnector, exclude string, limit int) ([]LDAPUser, error)
	// Groups lists up to limit groups with their member counts, leaving
	// out the excluded DNs.
	Groups(ctx context.Context, c LDAPConnector, exclude string, limit int) ([]LDAPGroup, error)
	// GroupMembers lists up to limit members of one group (by DN).
	GroupMembers(ctx context.Context, c LDAPConnector, groupDN string, limit int) ([]LDAPUser, error)
}

// errNoDirectory is the failure of a directory use in a function that was
// given no Directory: a wiring fault, never a client's.
var errNoDirectory = failure.New(failure.Internal, "this function reads no LDAP directories (identity.Service.Directory is not set)")

// LDAPConnector returns the organization's directory settings (with the
// bind password: callers redact before answering). ok is false without any.
func (o Organization) LDAPConnector() (c LDAPConnector, ok bool) {
	if len(o.LdapConnector) == 0 {
		return LDAPConnector{}, false
	}
	if err := json.Unmarshal(o.LdapConnector, &c); err != nil {
		return LDAPConnector{}, false
	}
	return c, true
}

// setLDAPConnector validates (through the Directory) and stores new
// directory settings on o; a missing password keeps the stored one when
// the URL and bind DN are unchanged, and an empty URL removes the settings.
func (s *Service) setLDAPConnector(o *Organization, c LDAPConnector) error {
	if stored, ok := o.LDAPConnector(); ok {
		c = c.KeepPassword(stored)
	}
	if c.URL == "" {
		o.LdapConnector = nil
		return nil
	}
	if s.Directory == nil {
		return errNoDirectory
	}
	if err := s.Directory.Validate(c); err != nil {
		return err
	}
	data, err := json.Marshal(c)
	if err != nil {
		return failure.Wrap(err, "encode ldapConnector")
	}
	o.LdapConnector = data
	return nil
}

// directory returns the settings of an organization the caller
// administers. Errors: as Tenant; Forbidden; Invalid without settings.
func (s *Service) directory(ctx context.Context, a Access) (LDAPConnector, error) {
	if s.Directory == nil {
		return LDAPConnector{}, errNoDirectory
	}
	org, m := a.Organization, a.Membership
	if !m.IsAdmin() {
		return LDAPConnector{}, failure.New(failure.Forbidden, "only an admin may read the directory")
	}
	c, ok := org.LDAPConnector()
	if !ok {
		return LDAPConnector{}, failure.Field("ldapConnector", "the organization has no directory settings")
	}
	return c, nil
}

// LDAPUsers lists the directory's users, leaving out the excluded ids or
// DNs (comma-separated). Permission: admins. Errors: see directory and
// Directory.
func (s *Service) LDAPUsers(ctx context.Context, a Access, exclude string) ([]LDAPUser, error) {
	c, err := s.directory(ctx, a)
	if err != nil {
		return nil, err
	}
	return s.Directory.Users(ctx, c, exclude, MaxLDAPEntries)
}

// LDAPGroups lists the directory's groups with their member counts.
// Permission: admins. Errors: see directory and Directory.
func (s *Service) LDAPGroups(ctx context.Context, a Access, exclude string) ([]LDAPGroup, error) {
	c, err := s.directory(ctx, a)
	if err != nil {
		return nil, err
	}
	return s.Directory.Groups(ctx, c, exclude, MaxLDAPEntries)
}

// LDAPGroupMembers lists the members of one directory group (by DN).
// Permission: admins. Errors: Invalid without a DN; see directory and
// Directory.
func (s *Service) LDAPGroupMembers(ctx context.Context, a Access, groupDN string) ([]LDAPUser, error) {
	if groupDN == "" {
		return nil, failure.Field("dn", "the group's dn is required")
	}
	c, err := s.directory(ctx, a)
	if err != nil {
		return nil, err
	}
	return s.Directory.GroupMembers(ctx, c, groupDN, MaxLDAPEntries)
}
