package identity_test

import (
	"testing"
	"time"

	"github.com/effektif-serverless/caseflow/shared/failure"
	"github.com/effektif-serverless/caseflow/shared/identity"
)

// TestAddMemberRules: who may invite whom, and that a refused invitation
// writes nothing and mails nobody.
func TestAddMemberRules(t *testing.T) {
	w := newWorld(t)
	o, admin := w.org("Inviting")
	mia := w.member(o, admin, "mia@example.com")
	_, err := w.svc.AddMember(w.ctx, w.in(admin.ID, o.Key), identity.NewMember{Email: "pending@example.com"})
	w.ok(err, "invite")
	for _, tc := range []struct {
		name   string
		caller identity.User
		n      identity.NewMember
		want   failure.Code
	}{
		{"a member invites", mia, identity.NewMember{Email: "x@example.com"}, failure.Forbidden},
		{"a bad address", admin, identity.NewMember{Email: "Name <x@example.com>"}, failure.Invalid},
		{"a bad first name", admin, identity.NewMember{Email: "x@example.com", FirstName: "\x00"}, failure.Invalid},
		{"a member's address (case aside)", admin, identity.NewMember{Email: "MIA@example.com"}, failure.Invalid},
		{"an address invited already", admin, identity.NewMember{Email: "Pending@example.com"}, failure.Invalid},
		{"a bad username", admin, identity.NewMember{Email: "x@example.com", Username: "x y"}, failure.Invalid},
	} {
		writes, mails := w.store.Writes(), len(w.mail.to("x@example.com"))
		_, err := w.svc.AddMember(w.ctx, w.in(tc.caller.ID, o.Key), tc.n)
		w.fails(err, tc.want, tc.name)
		if w.store.Writes() != writes || len(w.mail.to("x@example.com")) != mails {
			t.Fatalf("%s: wrote or mailed", tc.name)
		}
	}

	// The same answer, and a mail, whether or not the address has an account.
	w.account("has.account@example.com")
	for _, email := range []string{"has.account@example.com", "no.account@example.com"} {
		inv, err := w.svc.AddMember(w.ctx, w.in(admin.ID, o.Key), identity.NewMember{Email: email})
		w.ok(err, "invite "+email)
		if inv.Email != email || inv.Status != identity.InvitationSent || w.mail.code(email) == "" {
			t.Fatalf("the invitation of %s: %+v", email, inv)
		}
	}
}

// TestResendInvitation: a resend mails a new code (the old one stops
// working), at most once a minute except right after a bounce, and at
// most MaxSendsPerDay a day.
func TestResendInvitation(t *testing.T) {
	w := newWorld(t)
	o, admin := w.org("Resending")
	const email = "invitee@example.com"
	_, err := w.svc.AddMember(w.ctx, w.in(admin.ID, o.Key), identity.NewMember{Email: email})
	w.ok(err, "invite")
	first := w.mail.code(email)
	_, err = w.svc.ResendInvitation(w.ctx, w.in(admin.ID, o.Key), email)
	w.fails(err, failure.TooManyRequests, "a resend within the minute")

	w.now = w.now.Add(identity.ResendInterval)
	inv, err := w.svc.ResendInvitation(w.ctx, w.in(admin.ID, o.Key), email)
	w.ok(err, "a resend after a minute")
	second := w.mail.code(email)
	if second == first {
		t.Fatal("the resend mailed the same code")
	}
	_, err = w.svc.Registration(w.ctx, first)
	w.fails(err, failure.NotFound, "the replaced code")
	if _, err := w.svc.Registration(w.ctx, second); err != nil {
		t.Fatalf("the new code: %v", err)
	}

	wrote, err := w.svc.RecordDelivery(w.ctx, identity.DeliveryEvent{SESMessageID: inv.SESMessageID, Type: "Bounce", Time: w.now.Add(time.Second)})
	if err != nil || !wrote {
		t.Fatalf("the bounce: %v, %v", wrote, err)
	}
	w.now = w.now.Add(2 * time.Second)
	_, err = w.svc.ResendInvitation(w.ctx, w.in(admin.ID, o.Key), email)
	w.ok(err, "a resend right after a bounce")
	for range 2 {
		w.now = w.now.Add(identity.ResendInterval)
		_, err = w.svc.ResendInvitation(w.ctx, w.in(admin.ID, o.Key), email)
		w.ok(err, "a resend")
	}
	w.now = w.now.Add(identity.ResendInterval)
	_, err = w.svc.ResendInvitation(w.ctx, w.in(admin.ID, o.Key), email)
	w.fails(err, failure.TooManyRequests, "a sixth send within a day")
	w.now = w.now.Add(24 * time.Hour)
	_, err = w.svc.ResendInvitation(w.ctx, w.in(admin.ID, o.Key), email)
	w.ok(err, "a resend the next day")

	_, err = w.svc.ResendInvitation(w.ctx, w.in(admin.ID, o.Key), "nobody@example.com")
	w.fails(err, failure.NotFound, "a resend of no invitation")
}

// TestInvitationCodes: the mailed code joins the organization with what
// the invitation offered, once; a withdrawn or expired one does nothing.
func TestInvitationCodes(t *testing.T) {
	w := newWorld(t)
	o, admin := w.org("Codes")
	_, err := w.svc.AddMember(w.ctx, w.in(admin.ID, o.Key), identity.NewMember{Email: "new@example.com", Admin: true, Username: "Newbie"})
	w.ok(err, "invite an admin")
	code := w.mail.code("new@example.com")
	login, err := w.svc.Activate(w.ctx, code, identity.RegistrationRequest{Password: "a long password"})
	w.ok(err, "accept with the code")
	m := w.membership(o, login.User.ID)
	if m.Role != identity.RoleAdmin || m.Username != "Newbie" {
		t.Fatalf("the new member: %+v", m)
	}
	_, err = w.svc.Activate(w.ctx, code, identity.RegistrationRequest{Password: "a long password"})
	w.fails(err, failure.NotFound, "the code again")

	_, err = w.svc.AddMember(w.ctx, w.in(admin.ID, o.Key), identity.NewMember{Email: "withdrawn@example.com"})
	w.ok(err, "invite")
	w.ok(w.svc.DeleteInvitation(w.ctx, w.in(admin.ID, o.Key), "withdrawn@example.com"), "withdraw")
	_, err = w.svc.Registration(w.ctx, w.mail.code("withdrawn@example.com"))
	w.fails(err, failure.NotFound, "a withdrawn invitation's code")

	_, err = w.svc.AddMember(w.ctx, w.in(admin.ID, o.Key), identity.NewMember{Email: "late@example.com"})
	w.ok(err, "invite")
	w.now = w.now.Add(identity.InvitationTTL)
	_, err = w.svc.Registration(w.ctx, w.mail.code("late@example.com"))
	w.fails(err, failure.NotFound, "an expired code, not swept yet")
	w.store.SweepExpired(w.now.Add(time.Second))
	_, err = w.svc.Registration(w.ctx, w.mail.code("late@example.com"))
	w.fails(err, failure.NotFound, "an expired code, swept")
}

// TestInvitee: the signed-in holder of an invited address sees its open
// invitations in every organization, accepts or declines them.
func TestInvitee(t *testing.T) {
	w := newWorld(t)
	a, adminA := w.org("Alpha Org")
	b, adminB := w.org("Beta Org")
	c, adminC := w.org("Gamma Org")
	u := w.account("wanted@example.com")
	for _, x := range []struct {
		o     identity.Organization
		admin identity.User
		n     identity.NewMember
	}{{a, adminA, identity.NewMember{Email: u.Email, Admin: true}}, {b, adminB, identity.NewMember{Email: u.Email}}, {c, adminC, identity.NewMember{Email: u.Email}}} {
		_, err := w.svc.AddMember(w.ctx, w.in(x.admin.ID, x.o.Key), x.n)
		w.ok(err, "invite")
	}
	disabled := w.orgNow(c)
	disabled.Disabled, disabled.Version = true, disabled.Version+1
	w.ok(w.store.UpdateOrganization(w.ctx, disabled), "disable an organization")
	open, err := w.svc.InvitationsTo(w.ctx, u.ID)
	w.ok(err, "open invitations")
	if len(open) != 2 {
		t.Fatalf("open invitations: %d (a disabled organization's is not shown)", len(open))
	}
	_, err = w.svc.InvitationsTo(w.ctx, "")
	w.fails(err, failure.Unauthenticated, "invitations without a caller")

	w.ok(w.svc.AcceptInvitation(w.ctx, u.ID, a.Key, ""), "accept an admin invitation")
	if m := w.membership(a, u.ID); m.Role != identity.RoleAdmin || m.Username != "wanted" {
		t.Fatalf("the membership: %+v", m)
	}
	if admins := w.orgNow(a).AdminIDs; len(admins) != 2 {
		t.Fatalf("admins %v", admins)
	}
	w.fails(w.svc.AcceptInvitation(w.ctx, u.ID, a.Key, ""), failure.NotFound, "accept twice")
	w.ok(w.svc.DeclineInvitation(w.ctx, u.ID, b.Key), "decline")
	w.fails(w.svc.AcceptInvitation(w.ctx, u.ID, b.Key, ""), failure.NotFound, "accept a declined invitation")
	w.fails(w.svc.AcceptInvitation(w.ctx, u.ID, c.Key, ""), failure.NotFound, "accept in a disabled organization")

	d, adminD := w.org("Delta Org")
	_, err = w.svc.AddMember(w.ctx, w.in(adminD.ID, d.Key), identity.NewMember{Email: u.Email})
	w.ok(err, "invite")
	w.now = w.now.Add(identity.InvitationTTL)
	if open, _ := w.svc.InvitationsTo(w.ctx, u.ID); len(open) != 0 {
		t.Fatalf("expired invitations are shown: %d", len(open))
	}
	w.fails(w.svc.AcceptInvitation(w.ctx, u.ID, d.Key, ""), failure.NotFound, "accept an expired invitation")
}

// TestRecordDelivery: notifications are recorded in the order their
// events happened; others write nothing.
func TestRecordDelivery(t *testing.T) {
	w := newWorld(t)
	o, admin := w.org("Delivery")
	inv, err := w.svc.AddMember(w.ctx, w.in(admin.ID, o.Key), identity.NewMember{Email: "d@example.com"})
	w.ok(err, "invite")
	for _, tc := range []struct {
		name string
		e    identity.DeliveryEvent
		want bool
	}{
		{"a delivery", identity.DeliveryEvent{SESMessageID: inv.SESMessageID, Type: "Delivery", Time: w.now.Add(2 * time.Second)}, true},
		{"the delivery again", identity.DeliveryEvent{SESMessageID: inv.SESMessageID, Type: "Delivery", Time: w.now.Add(3 * time.Second)}, false},
		{"an older bounce", identity.DeliveryEvent{SESMessageID: inv.SESMessageID, Type: "Bounce", Time: w.now.Add(time.Second)}, false},
		{"a newer complaint", identity.DeliveryEvent{SESMessageID: inv.SESMessageID, Type: "Complaint", Time: w.now.Add(4 * time.Second)}, true},
		{"an event without a time", identity.DeliveryEvent{SESMessageID: inv.SESMessageID, Type: "Bounce"}, false},
		{"another kind of event", identity.DeliveryEvent{SESMessageID: inv.SESMessageID, Type: "Open", Time: w.now.Add(time.Hour)}, false},
		{"another mail", identity.DeliveryEvent{SESMessageID: "ses-other", Type: "Bounce", Time: w.now.Add(time.Hour)}, false},
	} {
		wrote, err := w.svc.RecordDelivery(w.ctx, tc.e)
		if err != nil || wrote != tc.want {
			t.Errorf("%s: wrote %v, %v; want %v", tc.name, wrote, err, tc.want)
		}
	}
	invs, err := w.svc.Invitations(w.ctx, w.in(admin.ID, o.Key))
	w.ok(err, "list invitations")
	if len(invs) != 1 || invs[0].Status != identity.InvitationComplained {
		t.Fatalf("the invitation's status: %+v", invs)
	}
}

// TestExpiredInvitationIsReplaced: an invitation past its time no longer
// blocks the address (TTL deletes the item only later): inviting it again
// makes a new invitation and its code, and the old code stays dead.
func TestExpiredInvitationIsReplaced(t *testing.T) {
	w := newWorld(t)
	o, admin := w.org("Expiring Invitations")
	n := identity.NewMember{Email: "late@example.com"}
	_, err := w.svc.AddMember(w.ctx, w.in(admin.ID, o.Key), n)
	w.ok(err, "invite")
	first := w.mail.code("late@example.com")
	_, err = w.svc.AddMember(w.ctx, w.in(admin.ID, o.Key), n)
	w.fails(err, failure.Invalid, "invite again while the invitation is open")

	w.now = w.now.Add(identity.InvitationTTL + time.Minute)
	_, err = w.svc.AddMember(w.ctx, w.in(admin.ID, o.Key), n)
	w.ok(err, "invite again after the invitation expired")
	second := w.mail.code("late@example.com")
	if second == first {
		t.Fatal("the new invitation mailed the old code")
	}
	_, err = w.svc.Registration(w.ctx, first)
	w.fails(err, failure.NotFound, "the expired invitation's code")
	if _, err := w.svc.Registration(w.ctx, second); err != nil {
		t.Fatalf("the new invitation's code: %v", err)
	}
}
