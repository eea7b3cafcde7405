package ldapdir

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"sync"

	"github.com/go-ldap/ldap/v3"
)

// ErrUnreachable is in the chain of the *UnavailableError of a directory
// that could not be reached: the host is unknown, the port closed or
// filtered, or what answers there is not an LDAP server. All of them give
// the same Reason after the same time (the connector's timeout), so the
// connector cannot tell open ports from closed ones.
var ErrUnreachable = errors.New("ldapdir: the directory cannot be reached")

// resolver looks host names up; a variable so that the tests can point a
// name at an address.
var resolver interface {
	LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error)
} = net.DefaultResolver

// refusedPrefixes are the ranges a directory may not be in unless
// Connector.AllowPrivate: loopback, private, link-local, shared (CGNAT),
// unspecified, multicast, reserved and the IPv6 ranges that embed or
// translate IPv4 addresses (IPv4-mapped addresses are checked as IPv4).
// The list is parsed on first use, not at a function's init.
var refusedPrefixes = sync.OnceValue(func() []netip.Prefix {
	var out []netip.Prefix
	for _, p := range []string{
		"0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12",
		"192.0.0.0/24", "192.0.2.0/24", "192.168.0.0/16", "198.18.0.0/15", "198.51.100.0/24", "203.0.113.0/24",
		"224.0.0.0/4", "240.0.0.0/4",
		"::/96", "64:ff9b::/96", "64:ff9b:1::/48", "100::/64", "2001::/32", "2001:db8::/32", "2002::/16",
		"fc00::/7", "fe80::/10", "fec0::/10", "ff00::/8",
	} {
		out = append(out, netip.MustParsePrefix(p))
	}
	return out
})

// Public reports whether a directory may be at addr when private targets
// are not allowed: a global unicast address outside refusedPrefixes.
func Public(addr netip.Addr) bool {
	addr = addr.Unmap().WithZone("")
	if !addr.IsValid() || !addr.IsGlobalUnicast() || addr.IsPrivate() {
		return false
	}
	for _, p := range refusedPrefixes() {
		if p.Contains(addr) {
			return false
		}
	}
	return true
}

// dial connects to the directory's host: a literal address as it is, a
// name resolved once. Unless AllowPrivate, every address must be Public
// (else an *InvalidError for the url, before anything is dialed). Then
// it dials the checked addresses in turn, never the name again, so a DNS
// answer that changes between the check and the dial (DNS rebinding)
// cannot lead it elsewhere. For ldaps it also shakes hands, verifying the
// certificate for the host name. Errors: *InvalidError, a certificate
// error (the server answered), or one wrapping ErrUnreachable.
func (s *settings) dial(ctx context.Context, tlsConfig *tls.Config) (net.Conn, error) {
	addrs, err := s.addresses(ctx)
	if err != nil {
		return nil, err
	}
	_, portText, _ := net.SplitHostPort(s.hostPort)
	port, _ := strconv.ParseUint(portText, 10, 16) // checked by settings
	var dialer net.Dialer
	var raw net.Conn
	for _, a := range addrs {
		if raw, err = dialer.DialContext(ctx, "tcp", netip.AddrPortFrom(a, uint16(port)).String()); err == nil || ctx.Err() != nil {
			break
		}
	}
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrUnreachable, err)
	}
	if s.scheme != "ldaps" {
		return raw, nil
	}
	conn := tls.Client(raw, tlsConfig)
	if err := conn.HandshakeContext(ctx); err != nil {
		_ = raw.Close()
		if certificateError(err) {
			return nil, err
		}
		return nil, fmt.Errorf("%w: %w", ErrUnreachable, err)
	}
	return conn, nil
}

// addresses resolves the host and checks its addresses.
func (s *settings) addresses(ctx context.Context) ([]netip.Addr, error) {
	var addrs []netip.Addr
	if a, err := netip.ParseAddr(s.host); err == nil {
		addrs = []netip.Addr{a}
	} else if addrs, err = resolver.LookupNetIP(ctx, "ip", s.host); err != nil || len(addrs) == 0 {
		return nil, fmt.Errorf("%w: resolve %s: %v", ErrUnreachable, s.host, err)
	}
	if !s.AllowPrivate {
		for _, a := range addrs {
			if !Public(a) {
				return nil, invalid("url", "names a loopback, private, link-local or reserved address; "+
					"directories must be at public addresses (the LdapAllowPrivate template parameter allows others)")
			}
		}
	}
	for i, a := range addrs {
		addrs[i] = a.Unmap()
	}
	return addrs, nil
}

// certificateError reports whether a TLS handshake failed on the server's
// certificate, which means a TLS server did answer.
func certificateError(err error) bool {
	var verify *tls.CertificateVerificationError
	var unknown x509.UnknownAuthorityError
	var host x509.HostnameError
	var invalid x509.CertificateInvalidError
	return errors.As(err, &verify) || errors.As(err, &unknown) || errors.As(err, &host) || errors.As(err, &invalid)
}

// serverAnswered reports whether err is an LDAP result the server sent
// (go-ldap's own codes, 200 and up, are local: network, decoding).
func serverAnswered(err error) bool {
	var le *ldap.Error
	return errors.As(err, &le) && le.ResultCode < 200
}
