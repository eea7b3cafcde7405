package ldapdir

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"strings"
	"time"

	"github.com/go-ldap/ldap/v3"
)

// UnavailableError means the directory could not be used: it cannot be
// reached, refused the TLS handshake or the bind, did not answer within the
// timeout, or failed a search. The API answers 502 with Reason, which names
// the step and the cause and never contains the bind password.
type UnavailableError struct {
	Reason string
	Err    error // the underlying error, for errors.Is/As (context.DeadlineExceeded, *ldap.Error, ...)
}

func (e *UnavailableError) Error() string { return "ldap directory unavailable: " + e.Reason }
func (e *UnavailableError) Unwrap() error { return e.Err }

// InvalidError means the connector settings or the request are wrong: Field
// is the JSON name of the offending setting (url, baseDn, userFilter, ...)
// or groupDn for the group asked for.
type InvalidError struct {
	Field  string
	Reason string
}

func (e *InvalidError) Error() string {
	return fmt.Sprintf("invalid ldap settings: %s %s", e.Field, e.Reason)
}

// NotFoundError means GroupMembers was asked for a DN, inside the base DN,
// that does not exist or is not a group matching the group filter.
type NotFoundError struct {
	DN string
}

func (e *NotFoundError) Error() string {
	return fmt.Sprintf("ldap group %q not found", e.DN)
}

func invalid(field, reason string) *InvalidError {
	return &InvalidError{Field: field, Reason: reason}
}

// ldapMessage is an LDAP error's text without go-ldap's "LDAP Result Code"
// prefix noise where that helps.
func ldapMessage(err error) string {
	var le *ldap.Error
	if errors.As(err, &le) && le.Err != nil {
		name := ldap.LDAPResultCodeMap[le.ResultCode]
		msg := strings.TrimSpace(le.Err.Error())
		switch {
		case le.ResultCode == ldap.ErrorNetwork || le.ResultCode == ldap.ErrorFilterCompile:
			return msg
		case msg == "":
			return name
		default:
			return name + ": " + msg
		}
	}
	return err.Error()
}

// unavailable wraps err, which happened at step ("bind", "search of ...")
// against the server at addr, into an *UnavailableError. When the context
// ended, the reason says so, whatever error the closed socket produced.
func (s *settings) unavailable(ctx context.Context, step string, err error) error {
	if ctxErr := ctx.Err(); ctxErr != nil {
		if errors.Is(ctxErr, context.DeadlineExceeded) {
			return &UnavailableError{
				Reason: fmt.Sprintf("%s: %s did not answer in time (limit %s)", step, s.hostPort, s.timeout),
				Err:    ctxErr,
			}
		}
		return &UnavailableError{Reason: step + ": request canceled", Err: ctxErr}
	}
	if errors.Is(err, os.ErrDeadlineExceeded) || isTimeout(err) {
		return &UnavailableError{
			Reason: fmt.Sprintf("%s: %s did not answer in time (limit %s)", step, s.hostPort, s.timeout),
			Err:    fmt.Errorf("%w: %w", context.DeadlineExceeded, err),
		}
	}
	return &UnavailableError{Reason: step + ": " + ldapMessage(err), Err: err}
}

// unreachable is the one error of a directory that cannot be reached
// (see ErrUnreachable): the same reason whatever the cause, which stays in
// the chain for errors.Is (context.DeadlineExceeded for a silent server).
// A canceled request is said as such.
func (s *settings) unreachable(ctx context.Context, err error) error {
	if errors.Is(ctx.Err(), context.Canceled) {
		return &UnavailableError{Reason: "connecting: request canceled", Err: ctx.Err()}
	}
	cause := err
	if ctxErr := ctx.Err(); ctxErr != nil {
		cause = errors.Join(ctxErr, err)
	} else if isTimeout(err) {
		cause = errors.Join(context.DeadlineExceeded, err)
	}
	if !errors.Is(cause, ErrUnreachable) {
		cause = errors.Join(ErrUnreachable, cause)
	}
	return &UnavailableError{
		Reason: fmt.Sprintf("no LDAP server answered at the connector's address within %s "+
			"(the host is unknown, the port closed or filtered, or no LDAP server listens there)", s.timeout),
		Err: cause,
	}
}

// settle holds an unreachable error (ErrUnreachable) back until the
// connector's timeout since start is over, so that every cause takes the
// same time; the caller's ending (ctx) cuts the wait short. Other errors
// pass at once.
func (s *settings) settle(ctx context.Context, start time.Time, err error) error {
	if !errors.Is(err, ErrUnreachable) {
		return err
	}
	wait := time.NewTimer(time.Until(start.Add(s.timeout)))
	defer wait.Stop()
	select {
	case <-wait.C:
	case <-ctx.Done():
		if errors.Is(ctx.Err(), context.Canceled) {
			return &UnavailableError{Reason: "request canceled", Err: ctx.Err()}
		}
	}
	return err
}

func isTimeout(err error) bool {
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return true
	}
	return strings.Contains(err.Error(), "connection timed out") || strings.Contains(err.Error(), "i/o timeout")
}
