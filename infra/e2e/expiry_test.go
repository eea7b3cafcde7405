package e2e

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/effektif-serverless/caseflow/shared/failure"
	"github.com/effektif-serverless/caseflow/shared/identity"
)

// TestOneTimeCodesExpire runs the identity service in this process on the
// stack's table with a clock moved past each code's lifetime: handover
// references, reset codes, registration and invitation codes all stop
// working when they expire, even before DynamoDB's TTL removes them.
func TestOneTimeCodesExpire(t *testing.T) {
	svc, _ := benchService(t)
	ctx := context.Background()
	a := signUp(t, "Expiring Codes")
	later := func(d time.Duration) *identity.Service {
		c := *svc
		c.Now = func() time.Time { return time.Now().Add(d) }
		return &c
	}

	h, err := svc.CreateHandover(ctx, inOrg(t, ctx, svc, a), a.UserID, "/x")
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := later(identity.HandoverTTL+time.Second).RedeemHandover(ctx, h.Reference); !failure.Is(err, failure.Gone) {
		t.Fatalf("an expired handover: %v", err)
	}
	if _, _, err := svc.RedeemHandover(ctx, h.Reference); err != nil {
		t.Fatalf("the handover in time: %v", err)
	}

	if err := svc.RequestPasswordReset(ctx, a.Email); err != nil {
		t.Fatal(err)
	}
	mails := mailsTo(t, a.Email)
	code := resetCode.FindStringSubmatch(mails[len(mails)-1].Body.Text)[1]
	if _, err := later(identity.ResetTTL+time.Second).ConfirmPasswordReset(ctx, code, "a fresh password"); !failure.Is(err, failure.Gone) {
		t.Fatalf("an expired reset code: %v", err)
	}

	invitee := uniqueEmail("late")
	expect(t, call(t, "POST", "/api/v1/"+a.OrgKey+"/users", a.Token, map[string]any{"emailAddress": invitee}), http.StatusOK)
	inviteCode := codeInMail.FindStringSubmatch(mailsTo(t, invitee)[0].Body.Text)[1]
	if _, err := later(identity.InvitationTTL+time.Second).Activate(ctx, inviteCode, identity.RegistrationRequest{Password: "a fine password"}); !failure.Is(err, failure.NotFound) {
		t.Fatalf("an expired invitation: %v", err)
	}
	regCode := registrationCode(t, map[string]any{"emailAddress": uniqueEmail("slow"), "password": "a fine password"})
	if _, err := later(identity.RegistrationTTL+time.Second).Activate(ctx, regCode, identity.RegistrationRequest{}); !failure.Is(err, failure.NotFound) {
		t.Fatalf("an expired registration: %v", err)
	}
	// Within their lifetimes they still work.
	if _, err := svc.Activate(ctx, inviteCode, identity.RegistrationRequest{Password: "a fine password"}); err != nil {
		t.Fatalf("the invitation in time: %v", err)
	}
}
