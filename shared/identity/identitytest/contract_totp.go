package identitytest

import (
	"time"

	"github.com/effektif-serverless/caseflow/shared/failure"
	"github.com/effektif-serverless/caseflow/shared/identity"
	"github.com/effektif-serverless/caseflow/shared/ids"
)

// The contract of TOTP credentials and recovery emails.
func init() {
	contractCases = append(contractCases,
		contractCase{"totp: pending put and replaced, activated with the user's flag, steps used once, deleted with the flag", totpContract},
		contractCase{"recovery emails: added bounded and unique, listed by id, address moved, key taken once with the email, deleted", recoveryContract},
	)
}

func totpContract(c *check) {
	u := c.user()
	_, err := c.s.GetTOTP(c.ctx, u.ID)
	c.fails(err, failure.NotFound, false, "no credential yet")
	c.fails(c.s.DeleteTOTP(c.ctx, u.ID), failure.NotFound, false, "delete without a credential")
	c.fails(c.s.UseTOTPStep(c.ctx, u.ID, 5), failure.Unauthenticated, false, "use a step without a credential")

	pending := identity.TOTPCredential{UserID: u.ID, Sealed: []byte{1, 2, 3}, Created: c.now, Version: 1}
	c.ok(c.s.PutTOTP(c.ctx, pending), "put a pending credential")
	pending.Sealed = []byte{4, 5, 6, 7}
	c.ok(c.s.PutTOTP(c.ctx, pending), "replace the pending credential")
	got, err := c.s.GetTOTP(c.ctx, u.ID)
	c.ok(err, "read it")
	c.equal(got, pending, "the pending credential")
	c.fails(c.s.UseTOTPStep(c.ctx, u.ID, 5), failure.Unauthenticated, false, "use a step of a pending credential")

	stale := pending
	stale.Version = 3
	stale.Verified = true
	c.fails(c.s.ActivateTOTP(c.ctx, stale), failure.Conflict, true, "activate on a wrong version")
	if c.getUser(u.ID).TOTPEnrolled {
		c.Fatal("a failed activation set the flag")
	}
	verified := pending
	verified.Verified, verified.VerifiedAt, verified.LastStep, verified.Version = true, c.now.Add(time.Minute), 100, 2
	c.ok(c.s.ActivateTOTP(c.ctx, verified), "activate")
	after := c.getUser(u.ID)
	if !after.TOTPEnrolled || after.Version != u.Version+1 {
		c.Fatalf("the user after activation: enrolled %v, version %d (was %d)", after.TOTPEnrolled, after.Version, u.Version)
	}
	got, err = c.s.GetTOTP(c.ctx, u.ID)
	c.ok(err, "read the verified credential")
	c.equal(got, verified, "the verified credential")
	c.fails(c.s.ActivateTOTP(c.ctx, verified), failure.Conflict, true, "activate twice")
	c.is(c.s.PutTOTP(c.ctx, pending), identity.ErrTOTPEnrolled, "put a pending one over a verified one")

	c.is(c.s.UseTOTPStep(c.ctx, u.ID, 100), identity.ErrTOTPCodeUsed, "use the step of the verification")
	c.is(c.s.UseTOTPStep(c.ctx, u.ID, 99), identity.ErrTOTPCodeUsed, "use an earlier step")
	c.ok(c.s.UseTOTPStep(c.ctx, u.ID, 101), "use the next step")
	c.is(c.s.UseTOTPStep(c.ctx, u.ID, 101), identity.ErrTOTPCodeUsed, "use it again")
	if got, _ := c.s.GetTOTP(c.ctx, u.ID); got.LastStep != 101 {
		c.Fatalf("last step %d, want 101", got.LastStep)
	}

	c.ok(c.s.DeleteTOTP(c.ctx, u.ID), "delete")
	if after := c.getUser(u.ID); after.TOTPEnrolled || after.Version != u.Version+2 {
		c.Fatalf("the user after deletion: enrolled %v, version %d", after.TOTPEnrolled, after.Version)
	}
	_, err = c.s.GetTOTP(c.ctx, u.ID)
	c.fails(err, failure.NotFound, false, "read a deleted credential")
	c.fails(c.s.DeleteTOTP(c.ctx, u.ID), failure.NotFound, false, "delete twice")
	c.ok(c.s.PutTOTP(c.ctx, pending), "enroll again after deletion")

	ghost := identity.TOTPCredential{UserID: ids.New(), Sealed: []byte{1}, Created: c.now, Version: 1}
	c.ok(c.s.PutTOTP(c.ctx, ghost), "put a credential of an unknown user")
	ghost.Verified, ghost.Version = true, 2
	c.fails(c.s.ActivateTOTP(c.ctx, ghost), failure.NotFound, false, "activate for an unknown user")
}

func recoveryContract(c *check) {
	u := c.user()
	const max = 3
	mk := func(address string) identity.RecoveryEmail {
		return identity.RecoveryEmail{ID: ids.New(), UserID: u.ID, Address: address, Created: c.now, Version: 1}
	}
	a, b := mk("a."+c.email()), mk("b."+c.email())
	c.ok(c.s.AddRecoveryEmail(c.ctx, a, max), "add a")
	c.ok(c.s.AddRecoveryEmail(c.ctx, b, max), "add b")
	dupID := mk("x." + c.email())
	dupID.ID = a.ID
	c.is(c.s.AddRecoveryEmail(c.ctx, dupID, max), identity.ErrRecoveryIDTaken, "add an id the user has")
	upper := mk(a.Address)
	upper.Address = "A." + a.Address[2:]
	c.is(c.s.AddRecoveryEmail(c.ctx, upper, max), identity.ErrRecoveryEmailTaken, "add an address the user has, in other case")
	other := mk(a.Address)
	other.UserID = c.user().ID
	c.ok(c.s.AddRecoveryEmail(c.ctx, other, max), "another user names the same address")
	third := mk("c." + c.email())
	c.ok(c.s.AddRecoveryEmail(c.ctx, third, max), "add a third")
	c.is(c.s.AddRecoveryEmail(c.ctx, mk("d."+c.email()), max), identity.ErrTooManyRecoveryEmails, "add beyond max")

	list, err := c.s.RecoveryEmailsOfUser(c.ctx, u.ID, 10)
	c.ok(err, "list")
	if len(list) != 3 || !(list[0].ID < list[1].ID && list[1].ID < list[2].ID) {
		c.Fatalf("list: %+v", list)
	}
	if short, _ := c.s.RecoveryEmailsOfUser(c.ctx, u.ID, 2); len(short) != 2 {
		c.Fatalf("limit 2: %d", len(short))
	}
	got, err := c.s.GetRecoveryEmail(c.ctx, u.ID, a.ID)
	c.ok(err, "get a")
	c.equal(got, a, "a read back")
	_, err = c.s.GetRecoveryEmail(c.ctx, other.UserID, a.ID)
	c.fails(err, failure.NotFound, false, "a through another user")

	moved := a
	moved.Address, moved.Version = "moved."+c.email(), 2
	c.is(c.s.UpdateRecoveryEmail(c.ctx, identity.RecoveryEmail{ID: a.ID, UserID: u.ID, Address: b.Address, Version: 2}, a.Address),
		identity.ErrRecoveryEmailTaken, "move a onto b's address")
	c.ok(c.s.UpdateRecoveryEmail(c.ctx, moved, a.Address), "move a")
	c.fails(c.s.UpdateRecoveryEmail(c.ctx, moved, ""), failure.Conflict, true, "store on a stale version")
	reuse := mk(a.Address)
	c.ok(c.s.DeleteRecoveryEmail(c.ctx, third), "delete the third")
	c.ok(c.s.AddRecoveryEmail(c.ctx, reuse, max), "a's old address is free again")
	c.is(c.s.AddRecoveryEmail(c.ctx, mk(moved.Address), max), identity.ErrRecoveryEmailTaken, "a's new address is claimed")

	t := c.oneTime(identity.OneTimeRecovery, u.ID)
	c.ok(c.s.PutOneTime(c.ctx, t), "put a key")
	validated := moved
	validated.ValidatedAt, validated.Version = c.now.Add(time.Minute), 3
	stale := validated
	stale.Version = 5
	c.fails(c.s.TakeRecoveryKey(c.ctx, t, stale), failure.Conflict, true, "take the key with a stale email")
	_, err = c.s.GetOneTime(c.ctx, t.Kind, t.CodeHash)
	c.ok(err, "the key stays after a failed take")
	c.ok(c.s.TakeRecoveryKey(c.ctx, t, validated), "take the key")
	_, err = c.s.GetOneTime(c.ctx, t.Kind, t.CodeHash)
	c.fails(err, failure.NotFound, false, "the key is gone")
	got, err = c.s.GetRecoveryEmail(c.ctx, u.ID, a.ID)
	c.ok(err, "get the validated email")
	c.equal(got, validated, "the validated email")
	validated.Version = 4
	c.fails(c.s.TakeRecoveryKey(c.ctx, t, validated), failure.Conflict, true, "take the key twice")

	c.fails(c.s.DeleteRecoveryEmail(c.ctx, third), failure.NotFound, false, "delete twice")
	c.ok(c.s.DeleteRecoveryEmail(c.ctx, got), "delete the validated one")
	if list, _ := c.s.RecoveryEmailsOfUser(c.ctx, u.ID, 10); len(list) != 2 {
		c.Fatalf("after deletes: %+v", list)
	}
	c.ok(c.s.AddRecoveryEmail(c.ctx, mk(got.Address), max), "its address is free again")
}
