package identity

import (
	"testing"

	"github.com/effektif-serverless/caseflow/shared/failure"
)

// A Service without Passwords (a function that takes none) refuses every
// password operation with Internal, never a panic or a pass.
func TestNoPasswordsIsInternal(t *testing.T) {
	s := &Service{}
	if _, err := s.newPasswordHash("a long enough password"); !failure.Is(err, failure.Internal) {
		t.Errorf("hash: %v", err)
	}
	if ok, err := s.passwords().Verify("$argon2id$v=19$m=8,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2g", "pw"); ok || !failure.Is(err, failure.Internal) {
		t.Errorf("verify: %v %v", ok, err)
	}
	s.passwords().Burn("pw")
}
