package identity

import "github.com/effektif-serverless/caseflow/shared/failure"

// Passwords hashes and checks passwords: password.Argon2id, set by the
// functions that take passwords (Service.Passwords).
type Passwords interface {
	// Hash returns the password's hash (a PHC string, fresh salt).
	Hash(password string) (string, error)
	// Verify reports whether the password matches the hash, in time
	// independent of where they differ.
	Verify(hash, password string) (bool, error)
	// Burn spends the time of one Verify, for a login of an address that
	// has no account.
	Burn(password string)
}

// passwords is s.Passwords, or for a Service without it one whose every
// operation fails with Internal (a function that takes no passwords).
func (s *Service) passwords() Passwords {
	if s.Passwords == nil {
		return noPasswords{}
	}
	return s.Passwords
}

// errNoPasswords is the error of a password operation in a function that
// takes no passwords: a wiring error, never the caller's.
var errNoPasswords = failure.New(failure.Internal, "this function takes no passwords")

type noPasswords struct{}

func (noPasswords) Hash(string) (string, error)         { return "", errNoPasswords }
func (noPasswords) Verify(string, string) (bool, error) { return false, errNoPasswords }
func (noPasswords) Burn(string)                         {}
