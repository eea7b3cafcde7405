package e2e

import (
	"context"
	"net/http"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/effektif-serverless/caseflow/shared/identity"
)

// The tests of issue 8's identity items, as an attacker with an
// organization of their own would try them, through the local gateway.

var mailedCode = regexp.MustCompile(`\n    ([A-Za-z0-9_-]{22})\n`)

// addressCode returns the code of the latest address confirmation mailed
// to the address.
func addressCode(t testing.TB, address string) string {
	t.Helper()
	mails := mailsTo(t, address)
	for i := len(mails) - 1; i >= 0; i-- {
		if mails[i].Subject == "Confirm your new address" {
			if m := mailedCode.FindStringSubmatch(mails[i].Body.Text); m != nil {
				return m[1]
			}
		}
	}
	t.Fatalf("no address confirmation code mailed to %s", address)
	return ""
}

// acceptLatestInvitation accepts the invitation mailed last to b.
func acceptLatestInvitation(t testing.TB, b account) {
	t.Helper()
	mails := mailsTo(t, b.Email)
	code := codeInMail.FindStringSubmatch(mails[len(mails)-1].Body.Text)
	if code == nil {
		t.Fatalf("no invitation code mailed to %s", b.Email)
	}
	expect(t, call(t, "POST", "/api/v1/registrations/"+code[1]+"/activate", "", nil), http.StatusOK)
}

func keysOf(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func login(t testing.TB, email, password string) response {
	t.Helper()
	return call(t, "POST", "/api/v1/users/login", "", map[string]any{"emailAddress": email, "password": password})
}

// TestAdminCannotTakeOverAnAccount: the admin of another organization adds
// a victim's address, and tries to set the victim's password, address and
// names. Adding is an invitation that shows nothing of the account; the
// victim's identity stays theirs even after they join.
func TestAdminCannotTakeOverAnAccount(t *testing.T) {
	attacker := signUp(t, "Takeover Attempt")
	victim := signUp(t, "Victim Home")
	org := "/api/v1/" + attacker.OrgKey

	known := expect(t, call(t, "POST", org+"/users", attacker.Token, map[string]any{"emailAddress": victim.Email}), http.StatusOK).JSON(t)
	unknown := expect(t, call(t, "POST", org+"/users", attacker.Token, map[string]any{"emailAddress": uniqueEmail("fresh")}), http.StatusOK).JSON(t)
	if strings.Join(keysOf(known), ",") != strings.Join(keysOf(unknown), ",") || known["status"] != unknown["status"] || known["id"] != nil {
		t.Fatalf("the answer tells an account from an address: %v vs %v", known, unknown)
	}
	// Before acceptance the victim is no member: nothing of them is visible or changeable.
	expectError(t, call(t, "GET", org+"/users/"+victim.UserID, attacker.Token, nil), http.StatusNotFound)
	expectError(t, call(t, "PUT", org+"/users/"+victim.UserID, attacker.Token, map[string]any{"password": "attacker's password"}), http.StatusNotFound)

	acceptLatestInvitation(t, victim)
	evil := uniqueEmail("evil")
	for _, change := range []map[string]any{
		{"password": "attacker's password"}, {"emailAddress": evil}, {"firstName": "Pwned"}, {"lastName": "Pwned"},
	} {
		expectError(t, call(t, "PUT", org+"/users/"+victim.UserID, attacker.Token, change), http.StatusForbidden)
	}
	rememberPassword("attacker's password")
	expectError(t, login(t, victim.Email, "attacker's password"), http.StatusUnauthorized)
	if len(mailsTo(t, evil)) != 0 {
		t.Fatal("a confirmation went to the attacker's address")
	}
	me := expect(t, login(t, victim.Email, victim.Password), http.StatusOK).JSON(t)
	if u := me["user"].(map[string]any); u["firstName"] != "Olga" || u["emailAddress"] != victim.Email {
		t.Fatalf("the victim's identity changed: %v", u)
	}
	expectError(t, call(t, "GET", "/api/v1/"+victim.OrgKey, attacker.Token, nil), http.StatusNotFound)
	// Membership stays the admin's to manage.
	expect(t, call(t, "DELETE", org+"/users/"+victim.UserID, attacker.Token, nil), http.StatusNoContent)
}

// TestAddressChangeNeedsConfirmation: a new address takes effect only with
// the code mailed to it; the old address is told and stays the login; an
// address that is taken gets the same answer; older codes stop working.
func TestAddressChangeNeedsConfirmation(t *testing.T) {
	b := signUp(t, "Address Changer")
	owner := signUp(t, "Address Owner")
	path := "/api/v1/" + b.OrgKey + "/users/" + b.UserID

	// Claiming someone else's address answers as any other change does.
	takenAnswer := expect(t, call(t, "PUT", path, b.Token, map[string]any{"emailAddress": owner.Email}), http.StatusOK).JSON(t)
	target := uniqueEmail("target")
	freeAnswer := expect(t, call(t, "PUT", path, b.Token, map[string]any{"emailAddress": target}), http.StatusOK).JSON(t)
	if takenAnswer["emailAddress"] != b.Email || freeAnswer["emailAddress"] != b.Email || strings.Join(keysOf(takenAnswer), ",") != strings.Join(keysOf(freeAnswer), ",") {
		t.Fatalf("answers differ or the address changed: %v vs %v", takenAnswer, freeAnswer)
	}
	ownerMails := mailsTo(t, owner.Email)
	if last := ownerMails[len(ownerMails)-1]; mailedCode.MatchString(last.Body.Text) {
		t.Fatalf("the owner of a taken address got a usable code: %q", last.Body.Text)
	}
	expect(t, login(t, owner.Email, owner.Password), http.StatusOK)
	// The old address is told; until confirmation it stays the login.
	notices := 0
	for _, m := range mailsTo(t, b.Email) {
		if strings.Contains(m.Subject, "change of your address") {
			notices++
		}
	}
	if notices != 2 {
		t.Fatalf("notices to the old address: %d, want 2", notices)
	}
	expect(t, login(t, b.Email, b.Password), http.StatusOK)
	expectError(t, login(t, target, b.Password), http.StatusUnauthorized)

	// A newer request makes the older code stop working.
	first := addressCode(t, target)
	expect(t, call(t, "PUT", path, b.Token, map[string]any{"emailAddress": target}), http.StatusOK)
	second := addressCode(t, target)
	expectError(t, call(t, "POST", "/api/v1/users/email/confirm", "", map[string]any{"code": first}), http.StatusGone)
	confirmed := expect(t, call(t, "POST", "/api/v1/users/email/confirm", "", map[string]any{"code": second}), http.StatusOK).JSON(t)
	if confirmed["emailAddress"] != target || confirmed["id"] != b.UserID {
		t.Fatalf("confirmed: %v", confirmed)
	}
	expectError(t, call(t, "POST", "/api/v1/users/email/confirm", "", map[string]any{"code": second}), http.StatusGone)
	expect(t, login(t, target, b.Password), http.StatusOK)
	expectError(t, login(t, b.Email, b.Password), http.StatusUnauthorized)

	// An unconfirmed claim does not keep the real owner of an address out.
	unclaimed := uniqueEmail("unclaimed")
	expect(t, call(t, "PUT", path, b.Token, map[string]any{"emailAddress": unclaimed}), http.StatusOK)
	late := addressCode(t, unclaimed)
	code := registrationCode(t, map[string]any{"emailAddress": unclaimed, "password": "the real owner's password", "organizationName": "Real Owner"})
	rememberPassword("the real owner's password")
	expect(t, call(t, "POST", "/api/v1/registrations/"+code+"/activate", "", nil), http.StatusOK)
	expectError(t, call(t, "POST", "/api/v1/users/email/confirm", "", map[string]any{"code": late}), http.StatusConflict)
	expect(t, login(t, unclaimed, "the real owner's password"), http.StatusOK)
	expect(t, login(t, target, b.Password), http.StatusOK)
	for _, bad := range []any{map[string]any{"code": strings.Repeat("A", 22)}, map[string]any{"code": strings.Repeat("A", 5000)}, map[string]any{}} {
		expectError(t, call(t, "POST", "/api/v1/users/email/confirm", "", bad), http.StatusGone)
	}
}

// TestPasswordChangeAndResetEndSessions: a password change ends the user's
// other sessions at once and keeps the one it was made with; a reset ends
// all of them; a revoked token stops working at once.
func TestPasswordChangeAndResetEndSessions(t *testing.T) {
	a := signUp(t, "Session Revocation")
	org := "/api/v1/" + a.OrgKey
	other := expect(t, login(t, a.Email, a.Password), http.StatusOK).JSON(t)["token"].(string)
	third := expect(t, login(t, a.Email, a.Password), http.StatusOK).JSON(t)["token"].(string)
	expect(t, call(t, "GET", org, other, nil), http.StatusOK)

	rememberPassword("a changed password")
	expect(t, call(t, "PUT", org+"/users/"+a.UserID, "Bearer "+a.Token, map[string]any{"password": "a changed password"}), http.StatusOK)
	expect(t, call(t, "GET", org, a.Token, nil), http.StatusOK)
	expectError(t, call(t, "GET", org, other, nil), http.StatusUnauthorized)
	expectError(t, call(t, "GET", org, third, nil), http.StatusUnauthorized)

	fresh := expect(t, login(t, a.Email, "a changed password"), http.StatusOK).JSON(t)["token"].(string)
	expect(t, call(t, "POST", "/api/v1/users/reset", "", map[string]any{"emailAddress": a.Email}), http.StatusOK)
	mails := mailsTo(t, a.Email)
	code := resetCode.FindStringSubmatch(mails[len(mails)-1].Body.Text)[1]
	rememberPassword("a reset password")
	after := expect(t, call(t, "POST", "/api/v1/users/confirm", "", map[string]any{"code": code, "password": "a reset password"}), http.StatusOK).JSON(t)["token"].(string)
	for _, old := range []string{a.Token, fresh} {
		expectError(t, call(t, "GET", org, old, nil), http.StatusUnauthorized)
	}
	expect(t, call(t, "GET", org, after, nil), http.StatusOK)

	// The core's revoke-one, which the dialects' logouts use.
	svc, _ := benchService(t)
	if err := svc.RevokeSession(context.Background(), after); err != nil {
		t.Fatal(err)
	}
	expectError(t, call(t, "GET", org, after, nil), http.StatusUnauthorized)
	last := expect(t, login(t, a.Email, "a reset password"), http.StatusOK).JSON(t)["token"].(string)
	if err := svc.RevokeSessions(context.Background(), a.UserID, ""); err != nil {
		t.Fatal(err)
	}
	expectError(t, call(t, "GET", org, last, nil), http.StatusUnauthorized)
}

// TestParallelGuessesAreBounded: however many guesses arrive at once, no
// more than MaxFailedLogins are evaluated in a window; the right password
// among them is refused once the limit is reached.
func TestParallelGuessesAreBounded(t *testing.T) {
	burst := func(a account, right int) map[int]int {
		statuses := map[int]int{}
		var mu sync.Mutex
		var wg sync.WaitGroup
		for i := 0; i < 30; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				password := "wrong guess " + strconv.Itoa(i)
				if i == right {
					password = a.Password
				}
				s := login(t, a.Email, password).Status
				mu.Lock()
				statuses[s]++
				mu.Unlock()
			}()
		}
		wg.Wait()
		return statuses
	}
	a := signUp(t, "Parallel Guesses")
	if s := burst(a, -1); s[http.StatusUnauthorized] != identity.MaxFailedLogins || s[http.StatusTooManyRequests] != 30-identity.MaxFailedLogins {
		t.Fatalf("30 wrong guesses at once: %v, want %d 401 and the rest 429", s, identity.MaxFailedLogins)
	}
	expectError(t, login(t, a.Email, a.Password), http.StatusTooManyRequests)

	b := signUp(t, "Parallel Guesses Right")
	s := burst(b, 17)
	if s[http.StatusUnauthorized] > identity.MaxFailedLogins || s[http.StatusOK] > 1 || s[http.StatusInternalServerError] > 0 {
		t.Fatalf("29 wrong and one right guess at once: %v", s)
	}
}

// TestEnumerationAnswersAlike: registration, reset and address change
// answer the same for an address with an account and one without.
func TestEnumerationAnswersAlike(t *testing.T) {
	a := signUp(t, "Enumeration")
	fresh := uniqueEmail("fresh")
	for _, path := range []string{"/api/v1/registrations", "/api/v1/users/reset"} {
		known := call(t, "POST", path, "", map[string]any{"emailAddress": a.Email})
		unknown := call(t, "POST", path, "", map[string]any{"emailAddress": fresh})
		if known.Status != unknown.Status || string(known.Body) != string(unknown.Body) {
			t.Fatalf("%s: %d %s vs %d %s", path, known.Status, known.Body, unknown.Status, unknown.Body)
		}
	}
	if n := len(mailsTo(t, fresh)); n != 2 {
		t.Fatalf("mails to the fresh address: %d, want 2 (registration and reset)", n)
	}
	// The core names the canonical field; the Effektif renderer its wire name.
	for _, path := range []string{"/api/v1/registrations", "/api/v1/users/reset"} {
		if e := expectError(t, call(t, "POST", path, "", map[string]any{"emailAddress": "not an address"}), http.StatusBadRequest); e["field"] != "emailAddress" {
			t.Fatalf("%s blames %v, want emailAddress", path, e["field"])
		}
	}
}

// TestMailPerAddressIsLimited: a flood of resets, registrations or
// invitations to one address sends at most MaxMailsPerAddress mails and
// answers as if each was sent. Text a registrant wrote is bounded and
// defanged in the mail.
func TestMailPerAddressIsLimited(t *testing.T) {
	a := signUp(t, "Mail Bombing")
	target := uniqueEmail("bombed")
	for i := 0; i < 12; i++ {
		expect(t, call(t, "POST", "/api/v1/users/reset", "", map[string]any{"emailAddress": target}), http.StatusOK)
		expect(t, call(t, "POST", "/api/v1/registrations", "", map[string]any{"emailAddress": target}), http.StatusOK)
	}
	if n := len(mailsTo(t, target)); n != identity.MaxMailsPerAddress {
		t.Fatalf("mails to a flooded address: %d, want %d", n, identity.MaxMailsPerAddress)
	}
	// Invitations from many organizations share the address's limit.
	invited := uniqueEmail("invited")
	for i := 0; i < identity.MaxMailsPerAddress+2; i++ {
		org := a
		if i > 0 {
			org = signUp(t, "Inviter "+strconv.Itoa(i))
		}
		expect(t, call(t, "POST", "/api/v1/"+org.OrgKey+"/users", org.Token, map[string]any{"emailAddress": invited}), http.StatusOK)
	}
	if n := len(mailsTo(t, invited)); n != identity.MaxMailsPerAddress {
		t.Fatalf("invitation mails to one address: %d, want %d", n, identity.MaxMailsPerAddress)
	}

	named := uniqueEmail("named")
	expect(t, call(t, "POST", "/api/v1/registrations", "", map[string]any{"emailAddress": named,
		"firstName": "Click https://evil.example/login now " + strings.Repeat("x", 150)}), http.StatusOK)
	text := mailsTo(t, named)[0].Body.Text
	greeting, _, _ := strings.Cut(text, "\n")
	if strings.Contains(text, "evil.example") || strings.Contains(text, "https://evil") || len([]rune(greeting)) > identity.MaxMailNameLength+10 {
		t.Fatalf("the registrant's text reached the mail as written: %q", greeting)
	}
}

// TestInvitationResendLimitSaysInvitations: the resend's 429 is about
// invitation mails, not logins.
func TestInvitationResendLimitSaysInvitations(t *testing.T) {
	a := signUp(t, "Resend Limits")
	invitee := uniqueEmail("resend")
	expect(t, call(t, "POST", "/api/v1/"+a.OrgKey+"/users", a.Token, map[string]any{"emailAddress": invitee}), http.StatusOK)
	e := expectError(t, call(t, "POST", "/api/v1/"+a.OrgKey+"/invitations/"+invitee+"/resend", a.Token, nil), http.StatusTooManyRequests)
	if msg := e["message"].(string); !strings.Contains(msg, "invitation") || strings.Contains(msg, "login") {
		t.Fatalf("resend 429: %q", msg)
	}
}

// TestLateDeliveryNotificationChangesNothing: SNS does not keep order; a
// Delivery that happened before a Bounce, arriving after it, writes nothing.
func TestLateDeliveryNotificationChangesNothing(t *testing.T) {
	a := signUp(t, "Late Notifications")
	invitee := uniqueEmail("late")
	expect(t, call(t, "POST", "/api/v1/"+a.OrgKey+"/users", a.Token, map[string]any{"emailAddress": invitee}), http.StatusOK)
	id := mailsTo(t, invitee)[0].MessageID
	now := time.Now()
	sesNotifyAt(t, id, "Bounce", now.Add(2*time.Second))
	sesNotifyAt(t, id, "Delivery", now.Add(time.Second))
	if s := invitationStatus(t, a, invitee); s != "bounced" {
		t.Fatalf("status %q after a late delivery, want bounced", s)
	}
	sesNotifyAt(t, id, "Complaint", now.Add(3*time.Second))
	if s := invitationStatus(t, a, invitee); s != "complained" {
		t.Fatalf("status %q, want complained", s)
	}
}

// TestOlderResetCodesStopWorking: a new reset code replaces the older ones.
func TestOlderResetCodesStopWorking(t *testing.T) {
	a := signUp(t, "Reset Twice")
	var codes []string
	for i := 0; i < 2; i++ {
		expect(t, call(t, "POST", "/api/v1/users/reset", "", map[string]any{"emailAddress": a.Email}), http.StatusOK)
		mails := mailsTo(t, a.Email)
		codes = append(codes, resetCode.FindStringSubmatch(mails[len(mails)-1].Body.Text)[1])
	}
	rememberPassword("the newest password")
	expectError(t, call(t, "POST", "/api/v1/users/confirm", "", map[string]any{"code": codes[0], "password": "the newest password"}), http.StatusGone)
	expect(t, call(t, "POST", "/api/v1/users/confirm", "", map[string]any{"code": codes[1], "password": "the newest password"}), http.StatusOK)
}

// TestHandoverRedirectsStayOnSite: a handover sends its browser to a path
// on this site or under the configured base URL, nowhere else.
func TestHandoverRedirectsStayOnSite(t *testing.T) {
	a := signUp(t, "Redirects")
	path := "/api/v1/" + a.OrgKey + "/users/" + a.UserID + "/handover"
	for _, bad := range []string{"javascript:alert(1)", "https://evil.example/", "//evil.example/x", "/\\evil.example", "data:text/html,x",
		"/cases\x00x", "http://" + strings.TrimPrefix(stack.GatewayURL, "http://") + ".evil.example/", "ftp://" + strings.TrimPrefix(stack.GatewayURL, "http://") + "/"} {
		expectError(t, call(t, "POST", path, a.Token, map[string]any{"redirectTo": bad}), http.StatusBadRequest)
	}
	for _, good := range []string{"", "/cases?x=1#top", stack.GatewayURL + "/app/cases"} {
		expect(t, call(t, "POST", path, a.Token, map[string]any{"redirectTo": good}), http.StatusOK)
	}
}

// TestKnownAndUnknownAddressesCostTheSame: password reset, registration
// and address change make the same AWS calls (DynamoDB and SES, operation
// by operation) for an address with an account and one without, so their
// time tells nothing either. Counted by the SDK middleware, not timed.
func TestKnownAndUnknownAddressesCostTheSame(t *testing.T) {
	svc, counter := benchService(t)
	ctx := context.Background()
	a := signUp(t, "Equal Work")
	b := signUp(t, "Equal Work Changer")
	calls := func(op func(email string) error, email string) string {
		t.Helper()
		counter.Reset()
		if err := op(email); err != nil {
			t.Fatal(err)
		}
		return counter.String()
	}
	ops := map[string]func(string) error{
		"reset": func(email string) error { return svc.RequestPasswordReset(ctx, email) },
		"registration": func(email string) error {
			return svc.Register(ctx, identity.RegistrationRequest{Email: email, Password: "some password"})
		},
		"address change": func(email string) error {
			_, err := svc.UpdateUser(ctx, inOrg(t, ctx, svc, b), b.UserID, identity.UserChanges{Email: &email})
			return err
		},
	}
	for name, op := range ops {
		calls(op, uniqueEmail("warm")) // the container's caches, as a warm Lambda has them
		known, unknown := calls(op, a.Email), calls(op, uniqueEmail("nobody"))
		if known != unknown || !strings.Contains(known, "SESv2.SendEmail") {
			t.Errorf("%s: %s for an account, %s for none", name, known, unknown)
		}
	}
}

// TestInvitationAcrossAPIs: an address invited through Windmill as an
// admin operator with a chosen username accepts with the code mailed to
// it through the Effektif registration routes, and then is what the
// invitation offered in both APIs; it logs in through Windmill.
func TestInvitationAcrossAPIs(t *testing.T) {
	a := signUp(t, "Invitations Across APIs")
	invitee := uniqueEmail("across")
	r := call(t, "POST", "/api/w/"+a.OrgKey+"/users/add", "Bearer "+a.Token, map[string]any{"email": invitee, "username": "crosser", "is_admin": true})
	if r.Status != http.StatusCreated {
		t.Fatalf("Windmill invitation: %d %s", r.Status, r.Body)
	}
	mails := mailsTo(t, invitee)
	if len(mails) != 1 {
		t.Fatalf("invitation mails: %d", len(mails))
	}
	code := mailedCode.FindStringSubmatch(mails[0].Body.Text)
	if code == nil {
		t.Fatalf("no code in %q", mails[0].Body.Text)
	}
	rememberPassword("an invitee's password")
	joined := expect(t, call(t, "POST", "/api/v1/registrations/"+code[1]+"/activate", "", map[string]any{"password": "an invitee's password"}), http.StatusOK).JSON(t)
	userID := joined["user"].(map[string]any)["id"].(string)
	org := expect(t, call(t, "GET", "/api/v1/"+a.OrgKey, a.Token, nil), http.StatusOK).JSON(t)
	if !strings.Contains(strings.Join(func() []string {
		var out []string
		for _, id := range org["adminIds"].([]any) {
			out = append(out, id.(string))
		}
		return out
	}(), ","), userID) {
		t.Fatalf("the invitee is no admin: %v", org["adminIds"])
	}
	token := call(t, "POST", "/api/auth/login", "", map[string]any{"email": invitee, "password": "an invitee's password"})
	if token.Status != http.StatusOK {
		t.Fatalf("Windmill login: %d %s", token.Status, token.Body)
	}
	who := expect(t, call(t, "GET", "/api/w/"+a.OrgKey+"/users/whoami", "Bearer "+string(token.Body), nil), http.StatusOK).JSON(t)
	if who["username"] != "crosser" || who["is_admin"] != true {
		t.Fatalf("whoami: %v", who)
	}
}
