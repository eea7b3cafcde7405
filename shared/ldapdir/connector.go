// Package ldapdir reads users and groups from an organization's LDAP
// directory (OpenLDAP, 389-ds, Active Directory, ...) for the Effektif
// Organization API's ldap/users, ldap/groups and ldap/groupMembers routes.
//
// Every call opens its own connection, binds with the organization's
// settings, runs paged searches and closes the connection again. A call never
// outlives the connector's timeout (TimeoutSeconds, default 5 s, at most
// 30 s) nor its context: the dial, the TLS handshake, the bind and every
// search share one deadline that is set on the socket itself, so a directory
// that accepts the connection and then says nothing cannot hold a call.
//
// Errors are typed so that the API can answer without guessing:
//   - *InvalidError: the settings or the request are wrong (answer 400);
//   - *NotFoundError: the group asked for does not exist (answer 404);
//   - *UnavailableError: the directory cannot be reached, refused the bind,
//     timed out or failed a search (answer 502 with the reason). A
//     directory that cannot be reached (ErrUnreachable: unknown host, closed
//     or filtered port, nothing that speaks LDAP there) always gets the same
//     reason after the same time, the connector's timeout, so the connector
//     cannot be used to tell open ports from closed ones.
//
// Unless Connector.AllowPrivate, a directory must be at public addresses:
// the host is resolved once, every address checked (loopback, private,
// link-local and reserved ones are refused with an *InvalidError for the
// url) and the checked address dialed, never the name again.
//
// Directory is identity.Directory over this package: it sets the
// deployment's AllowPrivate and maps the errors above onto failure codes.
// Only the functions that serve directory settings and reads link it.
package ldapdir

import (
	"fmt"
	"net"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/go-ldap/ldap/v3"

	"github.com/effektif-serverless/caseflow/shared/identity"
)

// Defaults and bounds of the connector settings and of the result sizes.
const (
	DefaultUserFilter      = "(objectClass=inetOrgPerson)"
	DefaultGroupFilter     = "(|(objectClass=groupOfNames)(objectClass=groupOfUniqueNames))"
	DefaultUserIDAttribute = "uid"
	DefaultTimeoutSeconds  = 5
	MaxTimeoutSeconds      = 30
	DefaultLimit           = 500
	MaxLimit               = 5000
)

// Connector is an organization's LDAP settings, as identity keeps them
// (identity.LDAPConnector: its JSON names are what clients send in
// Organization.ldapConnector; Redacted, String and KeepPassword keep the
// bind password from being shown or sent elsewhere).
type Connector = identity.LDAPConnector

var attributeName = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^(?:[A-Za-z][A-Za-z0-9-]*|[0-9]+(?:\.[0-9]+)+)$`)
})

// settings is a validated connector with defaults applied.
type settings struct {
	Connector
	scheme   string // ldap or ldaps
	hostPort string // host:port
	host     string
	baseDN   *ldap.DN
	timeout  time.Duration
}

// Validate reports the first problem with the settings as an *InvalidError:
// a URL that is not ldap:// or ldaps://host[:port], StartTLS over ldaps, an
// empty or malformed base DN, a malformed bind DN, a bind DN without a
// password, filters that do not parse, a malformed user id attribute, or a
// timeout outside 0..30 s. Empty filters, attribute and timeout take their
// defaults.
func Validate(c Connector) error {
	_, err := newSettings(c)
	return err
}

// newSettings validates c and applies the defaults.
func newSettings(c Connector) (*settings, error) {
	s := &settings{Connector: c}
	s.URL = strings.TrimSpace(s.URL)
	if s.URL == "" {
		return nil, invalid("url", "is required (ldap://host:port or ldaps://host:port)")
	}
	u, err := url.Parse(s.URL)
	if err != nil {
		return nil, invalid("url", "does not parse: "+err.Error())
	}
	switch strings.ToLower(u.Scheme) {
	case "ldap", "ldaps":
		s.scheme = strings.ToLower(u.Scheme)
	case "":
		return nil, invalid("url", "has no scheme: use ldap://host:port or ldaps://host:port")
	default:
		return nil, invalid("url", fmt.Sprintf("has scheme %q: only ldap:// and ldaps:// are supported", u.Scheme))
	}
	if u.User != nil {
		return nil, invalid("url", "must not carry user information: use bindDn and bindPassword")
	}
	if (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" || u.Opaque != "" {
		return nil, invalid("url", "must be only scheme, host and port: put the base DN in baseDn")
	}
	s.host = u.Hostname()
	if s.host == "" {
		return nil, invalid("url", "has no host")
	}
	port := u.Port()
	if port == "" {
		port = ldap.DefaultLdapPort
		if s.scheme == "ldaps" {
			port = ldap.DefaultLdapsPort
		}
	} else if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
		return nil, invalid("url", fmt.Sprintf("has port %q: want 1 to 65535", port))
	}
	s.hostPort = net.JoinHostPort(s.host, port)
	if s.StartTLS && s.scheme == "ldaps" {
		return nil, invalid("startTls", "cannot be used with ldaps://, which is encrypted from the start")
	}

	s.BaseDN = strings.TrimSpace(s.BaseDN)
	if s.BaseDN == "" {
		return nil, invalid("baseDn", "is required (for example dc=example,dc=org)")
	}
	if s.baseDN, err = ldap.ParseDN(s.BaseDN); err != nil || len(s.baseDN.RDNs) == 0 {
		return nil, invalid("baseDn", fmt.Sprintf("%q is not a distinguished name", s.BaseDN))
	}
	s.BindDN = strings.TrimSpace(s.BindDN)
	if s.BindDN != "" {
		if dn, err := ldap.ParseDN(s.BindDN); err != nil || len(dn.RDNs) == 0 {
			return nil, invalid("bindDn", fmt.Sprintf("%q is not a distinguished name", s.BindDN))
		}
		if s.BindPassword == "" {
			return nil, invalid("bindPassword", "is required when bindDn is set")
		}
	} else if s.BindPassword != "" {
		return nil, invalid("bindDn", "is required when bindPassword is set (leave both empty for an anonymous bind)")
	}

	if s.UserFilter, err = normalizeFilter(s.UserFilter, DefaultUserFilter); err != nil {
		return nil, invalid("userFilter", err.Error())
	}
	if s.GroupFilter, err = normalizeFilter(s.GroupFilter, DefaultGroupFilter); err != nil {
		return nil, invalid("groupFilter", err.Error())
	}
	s.UserIDAttribute = strings.TrimSpace(s.UserIDAttribute)
	if s.UserIDAttribute == "" {
		s.UserIDAttribute = DefaultUserIDAttribute
	}
	if !attributeName().MatchString(s.UserIDAttribute) {
		return nil, invalid("userIdAttribute", fmt.Sprintf("%q is not an attribute name", s.UserIDAttribute))
	}
	switch {
	case s.TimeoutSeconds == 0:
		s.TimeoutSeconds = DefaultTimeoutSeconds
	case s.TimeoutSeconds < 0 || s.TimeoutSeconds > MaxTimeoutSeconds:
		return nil, invalid("timeoutSeconds", fmt.Sprintf("is %d: want 1 to %d (0 for the default %d)",
			s.TimeoutSeconds, MaxTimeoutSeconds, DefaultTimeoutSeconds))
	}
	s.timeout = time.Duration(s.TimeoutSeconds) * time.Second
	return s, nil
}

// normalizeFilter applies the default, puts parentheses around a bare
// filter (uid=x → (uid=x)) and checks that it compiles.
func normalizeFilter(f, def string) (string, error) {
	f = strings.TrimSpace(f)
	if f == "" {
		return def, nil
	}
	if !strings.HasPrefix(f, "(") {
		f = "(" + f + ")"
	}
	if _, err := ldap.CompileFilter(f); err != nil {
		return "", fmt.Errorf("%q is not an LDAP filter: %s", f, ldapMessage(err))
	}
	return f, nil
}

// normLimit applies the default and the maximum to a result limit.
func normLimit(limit int) int {
	switch {
	case limit <= 0:
		return DefaultLimit
	case limit > MaxLimit:
		return MaxLimit
	}
	return limit
}
