package identity_test

import (
	"errors"
	"testing"
	"time"

	"github.com/effektif-serverless/caseflow/shared/failure"
	"github.com/effektif-serverless/caseflow/shared/identity"
)

func TestLoginWithSecondFactor(t *testing.T) {
	w := totpWorld(t)
	const password = "a long enough password"
	u, err := w.svc.CreateAccount(w.ctx, w.root.ID, identity.NewAccount{Email: "second@example.com", Password: password, FirstName: "Sec"})
	w.ok(err, "account")
	login := func(passcode string, readOnly bool) (identity.Login, string, error) {
		return w.svc.LoginWithSecondFactor(w.ctx, identity.PasswordLogin{Email: u.Email, Password: password, Passcode: passcode, ReadOnly: readOnly})
	}

	// No credential: the password alone, read-only when asked.
	l, state, err := login("", true)
	w.ok(err, "password alone")
	if state != "" || l.Token == "" {
		t.Fatalf("login %+v, state %q", l, state)
	}
	s, err := w.svc.Authenticate(w.ctx, l.Token)
	w.ok(err, "the session")
	if !s.ReadOnly {
		t.Errorf("scope read made a full session")
	}

	raw := w.enrolled(u)
	w.now = w.now.Add(5 * time.Minute)
	// A wrong password: no state, whatever the passcode.
	if _, state, err := w.svc.LoginWithSecondFactor(w.ctx, identity.PasswordLogin{Email: u.Email, Password: "wrong " + password, Passcode: totpCode(raw, w.now, 0)}); state != "" || !failure.Is(err, failure.Unauthenticated) || errors.Is(err, identity.ErrSecondFactorRequired) {
		t.Fatalf("wrong password: %q %v", state, err)
	}
	// No passcode: a state, which is no session.
	_, state, err = login("", false)
	if !errors.Is(err, identity.ErrSecondFactorRequired) || state == "" {
		t.Fatalf("no passcode: %q %v", state, err)
	}
	w.fails(func() error { _, err := w.svc.Authenticate(w.ctx, state); return err }(), failure.Unauthenticated, "the state as a bearer")
	// A wrong passcode with the state: a new state; the old one is used.
	_, next, err := w.svc.FinishSecondFactor(w.ctx, state, "000000")
	if !errors.Is(err, identity.ErrSecondFactorRequired) || next == "" || next == state {
		t.Fatalf("wrong passcode: %q %v", next, err)
	}
	_, _, err = w.svc.FinishSecondFactor(w.ctx, state, totpCode(raw, w.now, 0))
	w.fails(err, failure.Unauthenticated, "a used state")
	if errors.Is(err, identity.ErrSecondFactorRequired) {
		t.Errorf("a used state asked for a passcode")
	}
	code := totpCode(raw, w.now, 0)
	l, state, err = w.svc.FinishSecondFactor(w.ctx, next, code)
	w.ok(err, "the state and the passcode")
	if l.Token == "" || state != "" {
		t.Fatalf("finished login %+v %q", l, state)
	}
	// The same passcode again, with the password: refused, a new state.
	if _, state, err := login(code, false); !errors.Is(err, identity.ErrSecondFactorRequired) || state == "" {
		t.Errorf("a used passcode: %q %v", state, err)
	}
	// The next step's passcode with the password: a session at once.
	l, _, err = login(totpCode(raw, w.now, 1), false)
	w.ok(err, "password and passcode")
	// An expired state.
	_, state, _ = login("", false)
	w.now = w.now.Add(identity.SecondFactorTTL + time.Second)
	_, _, err = w.svc.FinishSecondFactor(w.ctx, state, totpCode(raw, w.now, 0))
	w.fails(err, failure.Unauthenticated, "an expired state")
}

// TestNoLoginSkipsAnEnrolledPasscode: once a user enrolled TOTP, the
// logins that ask for no passcode (Login, as Effektif and Windmill sign in,
// and a password reset) open no session, whether or not the password is
// right; the reset still sets the password, and the login with a passcode
// still works.
func TestNoLoginSkipsAnEnrolledPasscode(t *testing.T) {
	w := totpWorld(t)
	const password = "a long enough password"
	u, err := w.svc.CreateAccount(w.ctx, w.root.ID, identity.NewAccount{Email: "guarded@example.com", Password: password, FirstName: "G"})
	w.ok(err, "account")
	_, err = w.svc.Login(w.ctx, u.Email, password)
	w.ok(err, "a password login before enrolling")
	raw := w.enrolled(u)
	w.now = w.now.Add(5 * time.Minute)
	_, err = w.svc.Login(w.ctx, u.Email, password)
	if !errors.Is(err, identity.ErrPasscodeElsewhere) {
		t.Fatalf("a password login after enrolling: %v", err)
	}
	_, err = w.svc.Login(w.ctx, u.Email, "wrong "+password)
	if !failure.Is(err, failure.Unauthenticated) || errors.Is(err, identity.ErrPasscodeElsewhere) {
		t.Fatalf("a wrong password after enrolling: %v", err)
	}
	w.ok(w.svc.RequestPasswordReset(w.ctx, u.Email), "ask for a reset")
	code := w.mail.code(u.Email)
	const next = "another long enough password"
	l, err := w.svc.ConfirmPasswordReset(w.ctx, code, next)
	if !failure.Is(err, failure.Unauthenticated) || l.Token != "" {
		t.Fatalf("a reset of an enrolled user: %+v %v", l, err)
	}
	if _, state, err := w.svc.LoginWithSecondFactor(w.ctx, identity.PasswordLogin{Email: u.Email, Password: password, Passcode: totpCode(raw, w.now, 0)}); state != "" || !failure.Is(err, failure.Unauthenticated) {
		t.Fatalf("the old password after the reset: %q %v", state, err)
	}
	l, _, err = w.svc.LoginWithSecondFactor(w.ctx, identity.PasswordLogin{Email: u.Email, Password: next, Passcode: totpCode(raw, w.now, 0)})
	w.ok(err, "the new password with a passcode")
	if l.Token == "" {
		t.Fatal("no session")
	}
}
