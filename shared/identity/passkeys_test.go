package identity_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/effektif-serverless/caseflow/shared/failure"
	"github.com/effektif-serverless/caseflow/shared/identity"
	"github.com/effektif-serverless/caseflow/shared/identity/webauthntest"
	"github.com/effektif-serverless/caseflow/shared/ids"
	"github.com/effektif-serverless/caseflow/shared/webauthnrp"
)

// The passkey tests drive whole ceremonies: the service (with the real
// relying party of package webauthnrp, over go-webauthn) answers options,
// the software authenticator of package webauthntest signs them, and the
// service verifies what it signed. The store is passkeyStore.

const (
	testRPID   = "app.caseflow.test"
	testOrigin = "https://app.caseflow.test"
)

type passkeyFixture struct {
	t     *testing.T
	svc   *identity.Service
	store *passkeyStore
	now   time.Time
}

func newPasskeyFixture(t *testing.T) *passkeyFixture {
	t.Helper()
	rp, err := webauthnrp.New(webauthnrp.Config{RPID: testRPID, RPName: "caseflow test", Origins: []string{testOrigin}})
	if err != nil {
		t.Fatal(err)
	}
	f := &passkeyFixture{t: t, store: newPasskeyStore(), now: time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)}
	f.svc = &identity.Service{Store: f.store, WebAuthn: rp, PasskeySecret: []byte("0123456789abcdef0123456789abcdef"),
		Now: func() time.Time { return f.now }}
	return f
}

func (f *passkeyFixture) user(email string) identity.User {
	u := identity.User{ID: ids.New(), Email: email, FirstName: "Ada", LastName: "Lovelace", Created: f.now, Version: 1}
	f.store.putUser(u)
	return u
}

func (f *passkeyFixture) stored(id string) identity.User {
	f.t.Helper()
	u, err := f.store.GetUser(context.Background(), id)
	if err != nil {
		f.t.Fatal(err)
	}
	return u
}

// register runs a whole registration of a new credential of a for the
// user.
func (f *passkeyFixture) register(userID string, a *webauthntest.Authenticator, name string) (identity.Passkey, *webauthntest.Credential) {
	f.t.Helper()
	ctx := context.Background()
	options, token, err := f.svc.BeginPasskeyRegistration(ctx, userID, name)
	if err != nil {
		f.t.Fatal("begin registration:", err)
	}
	response, cred, err := a.Register(options)
	if err != nil {
		f.t.Fatal("authenticator:", err)
	}
	pk, err := f.svc.CompletePasskeyRegistration(ctx, userID, token, response, "")
	if err != nil {
		f.t.Fatal("complete registration:", err)
	}
	return pk, cred
}

// beginLogin begins a login by address ("" for a discoverable one).
func (f *passkeyFixture) beginLogin(email string) (json.RawMessage, string) {
	f.t.Helper()
	var options json.RawMessage
	var token string
	var err error
	if email == "" {
		options, token, err = f.svc.BeginDiscoverableLogin(context.Background())
	} else {
		options, token, err = f.svc.BeginPasskeyLogin(context.Background(), email)
	}
	if err != nil {
		f.t.Fatal("begin login:", err)
	}
	return options, token
}

// login runs a whole login with a ("" email: discoverable).
func (f *passkeyFixture) login(email string, a *webauthntest.Authenticator) (identity.User, error) {
	f.t.Helper()
	options, token := f.beginLogin(email)
	response, err := a.Login(options)
	if err != nil {
		f.t.Fatal("authenticator:", err)
	}
	return f.svc.FinishPasskeyLogin(context.Background(), token, response)
}

// wantFailure checks err's code and, when field is not "", its field.
func wantFailure(t *testing.T, err error, code failure.Code, field string) {
	t.Helper()
	var fe *failure.Error
	if !errors.As(err, &fe) || fe.Code != code || field != "" && fe.Field != field {
		t.Fatalf("got %v; want %s (field %q)", err, code, field)
	}
	if s := fe.Status(); code != failure.Internal && (s < 400 || s > 499) {
		t.Fatalf("%v answers %d; want a 4xx", err, s)
	}
}

// publicKey decodes options into m: the "publicKey" member of
// go-webauthn's wrapped shape.
func publicKey(t *testing.T, options json.RawMessage) map[string]any {
	t.Helper()
	var wrapped struct {
		PublicKey map[string]any `json:"publicKey"`
	}
	if err := json.Unmarshal(options, &wrapped); err != nil || wrapped.PublicKey == nil {
		t.Fatalf("options %s: %v", options, err)
	}
	return wrapped.PublicKey
}

// credentialIDs lists the ids of options' allowCredentials or
// excludeCredentials.
func credentialIDs(t *testing.T, options json.RawMessage, member string) []string {
	t.Helper()
	list, _ := publicKey(t, options)[member].([]any)
	var out []string
	for _, d := range list {
		out = append(out, d.(map[string]any)["id"].(string))
	}
	return out
}

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

func TestPasskeyRegistration(t *testing.T) {
	f := newPasskeyFixture(t)
	ctx := context.Background()
	alice := f.user("alice@example.com")

	options, token, err := f.svc.BeginPasskeyRegistration(ctx, alice.ID, "  My Laptop ")
	if err != nil {
		t.Fatal(err)
	}
	pk := publicKey(t, options)
	rp := pk["rp"].(map[string]any)
	user := pk["user"].(map[string]any)
	sel := pk["authenticatorSelection"].(map[string]any)
	if rp["id"] != testRPID || rp["name"] != "caseflow test" || user["id"] != b64([]byte(alice.ID)) ||
		user["name"] != alice.Email || user["displayName"] != "Ada Lovelace" || pk["challenge"] == "" ||
		sel["residentKey"] != "preferred" || sel["userVerification"] != "preferred" || len(credentialIDs(t, options, "excludeCredentials")) != 0 {
		t.Fatalf("creation options: %s", options)
	}
	laptop := webauthntest.New(testOrigin)
	response, cred, err := laptop.Register(options)
	if err != nil {
		t.Fatal(err)
	}
	got, err := f.svc.CompletePasskeyRegistration(ctx, alice.ID, token, response, "")
	if err != nil {
		t.Fatal(err)
	}
	aaguid := fmt.Sprintf("%x-%x-%x-%x-%x", laptop.AAGUID[0:4], laptop.AAGUID[4:6], laptop.AAGUID[6:8], laptop.AAGUID[8:10], laptop.AAGUID[10:])
	want := identity.Passkey{CredentialID: b64(cred.ID), FriendlyName: "My Laptop", Created: f.now,
		Transports: []string{"internal", "hybrid"}, AAGUID: aaguid}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("passkey: got %+v; want %+v", got, want)
	}
	stored, _ := f.store.credential(cred.ID)
	if stored.UserID != alice.ID || len(stored.PublicKey) == 0 || stored.AttestationFormat != "none" || stored.SignCount != 0 {
		t.Fatalf("stored credential: %+v", stored)
	}
	if u := f.stored(alice.ID); !u.HasPasskeys() || u.PasskeyCount != 1 || u.Version != alice.Version+1 {
		t.Fatalf("user after registration: count %d, version %d", u.PasskeyCount, u.Version)
	}

	// The next registration excludes the first credential: the laptop
	// refuses to make a second one, another authenticator makes it, and
	// a name given at the completion wins.
	f.now = f.now.Add(time.Minute)
	options, token, err = f.svc.BeginPasskeyRegistration(ctx, alice.ID, "ignored")
	if err != nil {
		t.Fatal(err)
	}
	if ids := credentialIDs(t, options, "excludeCredentials"); !slices.Equal(ids, []string{b64(cred.ID)}) {
		t.Fatalf("excludeCredentials %v; want the laptop's", ids)
	}
	if _, _, err := laptop.Register(options); !errors.Is(err, webauthntest.ErrExcluded) {
		t.Fatalf("the laptop registered twice: %v", err)
	}
	key := webauthntest.New(testOrigin)
	key.Attachment, key.Transports = "cross-platform", []string{"usb", "nfc", "usb", "carrier-pigeon"}
	response, _, err = key.Register(options)
	if err != nil {
		t.Fatal(err)
	}
	second, err := f.svc.CompletePasskeyRegistration(ctx, alice.ID, token, response, "YubiKey")
	if err != nil {
		t.Fatal(err)
	}
	if second.FriendlyName != "YubiKey" || !slices.Equal(second.Transports, []string{"usb", "nfc"}) {
		t.Fatalf("second passkey: %+v", second)
	}
	list, err := f.svc.Passkeys(ctx, alice.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 || list[0].CredentialID != got.CredentialID || list[1].CredentialID != second.CredentialID {
		t.Fatalf("list: %+v", list)
	}
	if u := f.stored(alice.ID); u.PasskeyCount != 2 {
		t.Fatalf("count %d; want 2", u.PasskeyCount)
	}
	if _, err := f.svc.Passkeys(ctx, ""); !failure.Is(err, failure.Unauthenticated) {
		t.Fatalf("list without a caller: %v", err)
	}
}

func TestPasskeyLoginByEmail(t *testing.T) {
	f := newPasskeyFixture(t)
	alice := f.user("alice@example.com")
	laptop := webauthntest.New(testOrigin)
	_, cred := f.register(alice.ID, laptop, "laptop")

	options, token := f.beginLogin("  Alice@Example.COM ")
	pk := publicKey(t, options)
	if pk["rpId"] != testRPID || !slices.Equal(credentialIDs(t, options, "allowCredentials"), []string{b64(cred.ID)}) {
		t.Fatalf("request options: %s", options)
	}
	response, err := laptop.Login(options)
	if err != nil {
		t.Fatal(err)
	}
	f.now = f.now.Add(time.Minute)
	user, err := f.svc.FinishPasskeyLogin(context.Background(), token, response)
	if err != nil {
		t.Fatal(err)
	}
	if user.ID != alice.ID {
		t.Fatalf("signed in %s; want %s", user.ID, alice.ID)
	}
	stored, _ := f.store.credential(cred.ID)
	if stored.SignCount != 1 || !stored.LastUsed.Equal(f.now) {
		t.Fatalf("after the login: count %d, last used %v", stored.SignCount, stored.LastUsed)
	}
	if _, err := f.login("alice@example.com", laptop); err != nil {
		t.Fatal("second login:", err)
	}
	if stored, _ := f.store.credential(cred.ID); stored.SignCount != 2 {
		t.Fatalf("count %d after two logins", stored.SignCount)
	}
	list, _ := f.svc.Passkeys(context.Background(), alice.ID)
	if !list[0].LastUsed.Equal(f.now) {
		t.Fatalf("listed last use %v", list[0].LastUsed)
	}

	// Another user's passkey does not sign in as alice, even when the
	// authenticator is made to use it.
	bob := f.user("bob@example.com")
	bobKey := webauthntest.New(testOrigin)
	_, bobCred := f.register(bob.ID, bobKey, "")
	options, token = f.beginLogin("alice@example.com")
	response, err = bobKey.LoginWith(options, bobCred)
	if err != nil {
		t.Fatal(err)
	}
	_, err = f.svc.FinishPasskeyLogin(context.Background(), token, response)
	wantFailure(t, err, failure.Unauthenticated, "")
}

func TestPasskeyDiscoverableLogin(t *testing.T) {
	f := newPasskeyFixture(t)
	alice, bob := f.user("alice@example.com"), f.user("bob@example.com")
	aliceKey, bobKey := webauthntest.New(testOrigin), webauthntest.New(testOrigin)
	f.register(alice.ID, aliceKey, "")
	f.register(bob.ID, bobKey, "")

	options, token := f.beginLogin("")
	if ids := credentialIDs(t, options, "allowCredentials"); len(ids) != 0 {
		t.Fatalf("a discoverable login allows %v", ids)
	}
	response, err := bobKey.Login(options)
	if err != nil {
		t.Fatal(err)
	}
	user, err := f.svc.FinishPasskeyLogin(context.Background(), token, response)
	if err != nil || user.ID != bob.ID {
		t.Fatalf("discoverable login: %v, %s; want bob", err, user.ID)
	}
	if user, err := f.login("", aliceKey); err != nil || user.ID != alice.ID {
		t.Fatalf("discoverable login: %v, %s; want alice", err, user.ID)
	}

	// The user handle is not signed: one that names another user than the
	// credential's owner is refused.
	options, token = f.beginLogin("")
	response, err = aliceKey.Login(options)
	if err != nil {
		t.Fatal(err)
	}
	var r map[string]any
	_ = json.Unmarshal(response, &r)
	r["response"].(map[string]any)["userHandle"] = b64([]byte(bob.ID))
	swapped, _ := json.Marshal(r)
	_, err = f.svc.FinishPasskeyLogin(context.Background(), token, swapped)
	wantFailure(t, err, failure.Unauthenticated, "")

	// An authenticator with no passkey of this relying party has nothing
	// to offer; one whose credential is unknown here is refused.
	stranger := webauthntest.New(testOrigin)
	options, _ = f.beginLogin("")
	if _, err := stranger.Login(options); !errors.Is(err, webauthntest.ErrNoCredential) {
		t.Fatalf("stranger: %v", err)
	}
	other := newPasskeyFixture(t)
	carol := other.user("carol@example.com")
	other.register(carol.ID, stranger, "")
	if _, err := f.login("", stranger); !failure.Is(err, failure.Unauthenticated) {
		t.Fatalf("an unknown credential: %v", err)
	}
}

func TestDeletePasskey(t *testing.T) {
	f := newPasskeyFixture(t)
	ctx := context.Background()
	alice, bob := f.user("alice@example.com"), f.user("bob@example.com")
	aliceKey, bobKey := webauthntest.New(testOrigin), webauthntest.New(testOrigin)
	alicePK, aliceCred := f.register(alice.ID, aliceKey, "")
	f.register(bob.ID, bobKey, "")

	wantFailure(t, f.svc.DeletePasskey(ctx, bob.ID, alicePK.CredentialID), failure.NotFound, "")
	if list, _ := f.svc.Passkeys(ctx, alice.ID); len(list) != 1 {
		t.Fatalf("bob deleted alice's passkey: %v", list)
	}
	for _, bad := range []string{"", "!!", "%2F", strings.Repeat("A", 2000)} {
		wantFailure(t, f.svc.DeletePasskey(ctx, alice.ID, bad), failure.NotFound, "")
	}
	wantFailure(t, f.svc.DeletePasskey(ctx, "", alicePK.CredentialID), failure.Unauthenticated, "")

	// The padded form names the same credential.
	padded := base64.URLEncoding.EncodeToString(aliceCred.ID)
	if err := f.svc.DeletePasskey(ctx, alice.ID, padded); err != nil {
		t.Fatal(err)
	}
	if list, _ := f.svc.Passkeys(ctx, alice.ID); len(list) != 0 {
		t.Fatalf("after the delete: %v", list)
	}
	if u := f.stored(alice.ID); u.HasPasskeys() || u.PasskeyCount != 0 {
		t.Fatalf("count %d after the delete", u.PasskeyCount)
	}
	wantFailure(t, f.svc.DeletePasskey(ctx, alice.ID, alicePK.CredentialID), failure.NotFound, "")
	if list, _ := f.svc.Passkeys(ctx, bob.ID); len(list) != 1 {
		t.Fatalf("bob's passkeys after alice's delete: %v", list)
	}

	// A deleted passkey signs in no more, by address or discoverably.
	options, token := f.beginLogin("alice@example.com")
	if ids := credentialIDs(t, options, "allowCredentials"); len(ids) != 1 || ids[0] == b64(aliceCred.ID) {
		t.Fatalf("allowCredentials after the delete: %v", ids)
	}
	response, _ := aliceKey.LoginWith(options, aliceCred)
	_, err := f.svc.FinishPasskeyLogin(ctx, token, response)
	wantFailure(t, err, failure.Unauthenticated, "")
	_, err = f.login("", aliceKey)
	wantFailure(t, err, failure.Unauthenticated, "")

	// Its id is free again: the same credential can be registered anew.
	options, token, err = f.svc.BeginPasskeyRegistration(ctx, alice.ID, "again")
	if err != nil {
		t.Fatal(err)
	}
	response, _ = aliceKey.RegisterCredential(options, aliceCred)
	if _, err := f.svc.CompletePasskeyRegistration(ctx, alice.ID, token, response, ""); err != nil {
		t.Fatal("register the deleted credential again:", err)
	}
}

func TestPasskeyChallengeTokenSingleUse(t *testing.T) {
	f := newPasskeyFixture(t)
	ctx := context.Background()
	alice := f.user("alice@example.com")

	options, token, _ := f.svc.BeginPasskeyRegistration(ctx, alice.ID, "")
	response, _, _ := webauthntest.New(testOrigin).Register(options)
	if _, err := f.svc.CompletePasskeyRegistration(ctx, alice.ID, token, response, ""); err != nil {
		t.Fatal(err)
	}
	other, _, _ := webauthntest.New(testOrigin).Register(options)
	_, err := f.svc.CompletePasskeyRegistration(ctx, alice.ID, token, other, "")
	wantFailure(t, err, failure.Gone, identity.FieldChallengeToken)
	if u := f.stored(alice.ID); u.PasskeyCount != 1 {
		t.Fatalf("a replayed registration token stored a passkey: count %d", u.PasskeyCount)
	}

	laptop := webauthntest.New(testOrigin)
	f.register(alice.ID, laptop, "")
	options, token = f.beginLogin("alice@example.com")
	response, _ = laptop.Login(options)
	if _, err := f.svc.FinishPasskeyLogin(ctx, token, response); err != nil {
		t.Fatal(err)
	}
	_, err = f.svc.FinishPasskeyLogin(ctx, token, response)
	wantFailure(t, err, failure.Gone, identity.FieldChallengeToken)
	fresh, _ := laptop.Login(options) // a new signature over the same challenge
	_, err = f.svc.FinishPasskeyLogin(ctx, token, fresh)
	wantFailure(t, err, failure.Gone, identity.FieldChallengeToken)

	// A failed finish spends the token too.
	options, token = f.beginLogin("alice@example.com")
	laptop.Origin = "https://evil.test"
	bad, _ := laptop.Login(options)
	laptop.Origin = testOrigin
	_, err = f.svc.FinishPasskeyLogin(ctx, token, bad)
	wantFailure(t, err, failure.Unauthenticated, "")
	good, _ := laptop.Login(options)
	_, err = f.svc.FinishPasskeyLogin(ctx, token, good)
	wantFailure(t, err, failure.Gone, identity.FieldChallengeToken)

	// Of concurrent finishes with one token, exactly one signs in.
	options, token = f.beginLogin("")
	responses := make([]json.RawMessage, 8)
	for i := range responses {
		responses[i], _ = laptop.Login(options)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	won, spent := 0, 0
	for _, r := range responses {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := f.svc.FinishPasskeyLogin(ctx, token, r)
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				won++
			case failure.Is(err, failure.Gone):
				spent++
			default:
				t.Errorf("concurrent finish: %v", err)
			}
		}()
	}
	wg.Wait()
	if won != 1 || spent != len(responses)-1 {
		t.Fatalf("%d finishes won, %d found the token spent; want 1 and %d", won, spent, len(responses)-1)
	}
}

func TestPasskeyChallengeTokenExpired(t *testing.T) {
	f := newPasskeyFixture(t)
	ctx := context.Background()
	alice := f.user("alice@example.com")
	laptop := webauthntest.New(testOrigin)

	options, token, _ := f.svc.BeginPasskeyRegistration(ctx, alice.ID, "")
	response, _, _ := laptop.Register(options)
	f.now = f.now.Add(identity.ChallengeTTL)
	_, err := f.svc.CompletePasskeyRegistration(ctx, alice.ID, token, response, "")
	wantFailure(t, err, failure.Gone, identity.FieldChallengeToken)

	f.register(alice.ID, laptop, "")
	options, token = f.beginLogin("alice@example.com")
	response, _ = laptop.Login(options)
	f.now = f.now.Add(identity.ChallengeTTL + time.Second)
	_, err = f.svc.FinishPasskeyLogin(ctx, token, response)
	wantFailure(t, err, failure.Gone, identity.FieldChallengeToken)

	// Just before the end it still works.
	options, token = f.beginLogin("")
	response, _ = laptop.Login(options)
	f.now = f.now.Add(identity.ChallengeTTL - time.Second)
	if _, err := f.svc.FinishPasskeyLogin(ctx, token, response); err != nil {
		t.Fatal(err)
	}
}

func TestPasskeyChallengeTokenTampered(t *testing.T) {
	f := newPasskeyFixture(t)
	ctx := context.Background()
	alice, bob := f.user("alice@example.com"), f.user("bob@example.com")
	laptop := webauthntest.New(testOrigin)
	f.register(alice.ID, laptop, "")

	options, token := f.beginLogin("alice@example.com")
	response, _ := laptop.Login(options)
	parts := strings.Split(token, ".")
	claims, _ := base64.RawURLEncoding.DecodeString(parts[1])
	forged := bytes.Replace(claims, []byte(`"p":"login"`), []byte(`"p":"discoverable"`), 1)
	otherSecret := *f.svc
	otherSecret.PasskeySecret = []byte("another secret of thirty-two bytes!")
	_, foreign, err := otherSecret.BeginPasskeyLogin(ctx, "alice@example.com")
	if err != nil {
		t.Fatal(err)
	}
	flip := []byte(token)
	flip[len(flip)/2] ^= 1
	for name, bad := range map[string]string{
		"changed claims":      parts[0] + "." + base64.RawURLEncoding.EncodeToString(forged) + "." + parts[2],
		"flipped bit":         string(flip),
		"another secret":      foreign,
		"no signature":        parts[0] + "." + parts[1],
		"empty signature":     parts[0] + "." + parts[1] + ".",
		"extra part":          token + ".x",
		"other prefix":        "pk2." + parts[1] + "." + parts[2],
		"truncated signature": token[:len(token)-2],
		"garbage":             "not a token",
		"overlong":            token + strings.Repeat("A", identity.MaxChallengeTokenLength),
		"empty":               "",
	} {
		t.Run(name, func(t *testing.T) {
			_, err := f.svc.FinishPasskeyLogin(ctx, bad, response)
			wantFailure(t, err, failure.Invalid, identity.FieldChallengeToken)
		})
	}
	// None of those spent the real token.
	if _, err := f.svc.FinishPasskeyLogin(ctx, token, response); err != nil {
		t.Fatal("the real token after the forgeries:", err)
	}

	// A token is good for its own ceremony and user only.
	regOptions, regToken, _ := f.svc.BeginPasskeyRegistration(ctx, alice.ID, "")
	regResponse, _, _ := webauthntest.New(testOrigin).Register(regOptions)
	_, err = f.svc.CompletePasskeyRegistration(ctx, bob.ID, regToken, regResponse, "")
	wantFailure(t, err, failure.Invalid, identity.FieldChallengeToken)
	_, err = f.svc.FinishPasskeyLogin(ctx, regToken, regResponse)
	wantFailure(t, err, failure.Invalid, identity.FieldChallengeToken)
	_, loginToken := f.beginLogin("")
	_, err = f.svc.CompletePasskeyRegistration(ctx, alice.ID, loginToken, regResponse, "")
	wantFailure(t, err, failure.Invalid, identity.FieldChallengeToken)
	if _, err := f.svc.CompletePasskeyRegistration(ctx, alice.ID, regToken, regResponse, ""); err != nil {
		t.Fatal("the registration token after its misuses:", err)
	}
}

func TestPasskeyWrongOriginOrRelyingParty(t *testing.T) {
	ctx := context.Background()
	for name, change := range map[string]func(a *webauthntest.Authenticator){
		"other origin":           func(a *webauthntest.Authenticator) { a.Origin = "https://evil.test" },
		"unlisted subdomain":     func(a *webauthntest.Authenticator) { a.Origin = "https://other.app.caseflow.test" },
		"plain http":             func(a *webauthntest.Authenticator) { a.Origin = "http://app.caseflow.test" },
		"other relying party":    func(a *webauthntest.Authenticator) { a.RPID = "evil.test" },
		"parent domain as rp id": func(a *webauthntest.Authenticator) { a.RPID = "caseflow.test" },
	} {
		t.Run(name, func(t *testing.T) {
			f := newPasskeyFixture(t)
			alice := f.user("alice@example.com")

			// Registration: refused as bad input, nothing stored.
			a := webauthntest.New(testOrigin)
			change(a)
			options, token, _ := f.svc.BeginPasskeyRegistration(ctx, alice.ID, "")
			response, _, err := a.Register(options)
			if err != nil {
				t.Fatal(err)
			}
			_, err = f.svc.CompletePasskeyRegistration(ctx, alice.ID, token, response, "")
			wantFailure(t, err, failure.Invalid, identity.FieldRegistrationResponse)
			if u := f.stored(alice.ID); u.PasskeyCount != 0 {
				t.Fatal("a refused registration was stored")
			}

			// Login: refused, the counter not stored.
			good := webauthntest.New(testOrigin)
			_, cred := f.register(alice.ID, good, "")
			change(good)
			for _, email := range []string{"alice@example.com", ""} {
				options, token := f.beginLogin(email)
				response, err := good.LoginWith(options, cred)
				if err != nil {
					t.Fatal(err)
				}
				_, err = f.svc.FinishPasskeyLogin(ctx, token, response)
				wantFailure(t, err, failure.Unauthenticated, "")
			}
			if stored, _ := f.store.credential(cred.ID); stored.SignCount != 0 || !stored.LastUsed.IsZero() {
				t.Fatalf("a refused login stored its counter: %+v", stored)
			}
		})
	}
}

func TestPasskeyClonedAuthenticator(t *testing.T) {
	f := newPasskeyFixture(t)
	alice := f.user("alice@example.com")
	original := webauthntest.New(testOrigin)
	_, cred := f.register(alice.ID, original, "")
	clone := original.Clone()

	if _, err := f.login("alice@example.com", original); err != nil {
		t.Fatal(err)
	}
	// The clone signs with counter 1 too: it did not increase.
	_, err := f.login("alice@example.com", clone)
	wantFailure(t, err, failure.Forbidden, "")
	if _, err := f.login("", original); err != nil { // 2
		t.Fatal(err)
	}
	_, err = f.login("", clone) // 2 as well
	wantFailure(t, err, failure.Forbidden, "")
	// A counter that drops to zero is refused too.
	zero := original.Clone()
	zero.ZeroCounter = true
	_, err = f.login("", zero)
	wantFailure(t, err, failure.Forbidden, "")
	if stored, _ := f.store.credential(cred.ID); stored.SignCount != 2 {
		t.Fatalf("the clones' logins changed the counter to %d; want 2", stored.SignCount)
	}
	if _, err := f.login("", original); err != nil { // 3
		t.Fatal(err)
	}

	// An authenticator that always reports zero (a synced passkey) signs
	// in every time.
	bob := f.user("bob@example.com")
	synced := webauthntest.New(testOrigin)
	synced.ZeroCounter, synced.BackupEligible, synced.BackupState = true, true, true
	f.register(bob.ID, synced, "")
	for i := 0; i < 3; i++ {
		if _, err := f.login("bob@example.com", synced); err != nil {
			t.Fatalf("synced passkey login %d: %v", i, err)
		}
	}
}

func TestPasskeyLoginUnknownAddress(t *testing.T) {
	f := newPasskeyFixture(t)
	ctx := context.Background()
	alice := f.user("alice@example.com")
	laptop := webauthntest.New(testOrigin)
	f.register(alice.ID, laptop, "")
	f.user("nopasskey@example.com")
	disabled := f.user("disabled@example.com")
	disabledKey := webauthntest.New(testOrigin)
	_, disabledCred := f.register(disabled.ID, disabledKey, "")
	d := f.stored(disabled.ID)
	d.Disabled = true
	f.store.putUser(d)

	real, _ := f.beginLogin("alice@example.com")
	shape := func(options json.RawMessage) string {
		pk := publicKey(t, options)
		var keys []string
		for k := range pk {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		allow := pk["allowCredentials"].([]any)
		var members []string
		for k := range allow[0].(map[string]any) {
			members = append(members, k)
		}
		slices.Sort(members)
		return fmt.Sprint(keys, len(allow), members)
	}
	seen := map[string]string{}
	for _, email := range []string{"nobody@example.com", "nopasskey@example.com", "disabled@example.com"} {
		options, token := f.beginLogin(email)
		if shape(options) != shape(real) {
			t.Fatalf("%s: options %s differ in shape from a real user's %s", email, options, real)
		}
		again, _ := f.beginLogin(email)
		ids := credentialIDs(t, options, "allowCredentials")
		if !slices.Equal(ids, credentialIDs(t, again, "allowCredentials")) {
			t.Fatalf("%s: the decoy credential changes between calls", email)
		}
		if ids[0] == b64(disabledCred.ID) {
			t.Fatalf("%s: a disabled account's credential is offered", email)
		}
		for other, id := range seen {
			if id == ids[0] {
				t.Fatalf("%s and %s share a decoy", email, other)
			}
		}
		seen[email] = ids[0]
		response, err := laptop.LoginWith(options, laptop.Credentials[0])
		if err != nil {
			t.Fatal(err)
		}
		_, err = f.svc.FinishPasskeyLogin(ctx, token, response)
		wantFailure(t, err, failure.Unauthenticated, "")
	}
	// The disabled account's own passkey does not sign in either way.
	_, err := f.login("", disabledKey)
	wantFailure(t, err, failure.Unauthenticated, "")

	_, _, err = f.svc.BeginPasskeyLogin(ctx, "not an address")
	wantFailure(t, err, failure.Invalid, identity.FieldEmail)
}

func TestPasskeyLimits(t *testing.T) {
	f := newPasskeyFixture(t)
	ctx := context.Background()
	alice := f.user("alice@example.com")

	for _, name := range []string{"tab\there", strings.Repeat("n", identity.MaxNameLength+1), "\xff"} {
		_, _, err := f.svc.BeginPasskeyRegistration(ctx, alice.ID, name)
		wantFailure(t, err, failure.Invalid, identity.FieldFriendlyName)
	}
	_, _, err := f.svc.BeginPasskeyRegistration(ctx, "", "")
	wantFailure(t, err, failure.Unauthenticated, "")

	// Malformed responses are refused before the token is spent.
	options, token, _ := f.svc.BeginPasskeyRegistration(ctx, alice.ID, "")
	huge := json.RawMessage(`{"id":"` + strings.Repeat("A", identity.MaxPasskeyResponseBytes) + `"}`)
	_, err = f.svc.CompletePasskeyRegistration(ctx, alice.ID, token, huge, "")
	wantFailure(t, err, failure.TooLarge, identity.FieldRegistrationResponse)
	for _, bad := range []string{"", "null", "[]", `"x"`, "{", `{"id":"x"}`} {
		_, err = f.svc.CompletePasskeyRegistration(ctx, alice.ID, token, json.RawMessage(bad), "")
		if bad == `{"id":"x"}` { // well-formed JSON: read by go-webauthn, after the token is spent
			wantFailure(t, err, failure.Invalid, identity.FieldRegistrationResponse)
			options, token, _ = f.svc.BeginPasskeyRegistration(ctx, alice.ID, "")
			continue
		}
		wantFailure(t, err, failure.Invalid, identity.FieldRegistrationResponse)
	}
	_, err = f.svc.CompletePasskeyRegistration(ctx, alice.ID, token, json.RawMessage(`{}`), "\x01")
	wantFailure(t, err, failure.Invalid, identity.FieldFriendlyName)
	laptop := webauthntest.New(testOrigin)
	response, cred, _ := laptop.Register(options)
	if _, err := f.svc.CompletePasskeyRegistration(ctx, alice.ID, token, response, ""); err != nil {
		t.Fatal(err)
	}

	// A credential registered to one user cannot be registered to another.
	bob := f.user("bob@example.com")
	options, token, _ = f.svc.BeginPasskeyRegistration(ctx, bob.ID, "")
	response, _ = laptop.RegisterCredential(options, cred)
	_, err = f.svc.CompletePasskeyRegistration(ctx, bob.ID, token, response, "")
	if !errors.Is(err, identity.ErrPasskeyTaken) {
		t.Fatalf("a taken credential: %v", err)
	}
	wantFailure(t, err, failure.Conflict, identity.FieldRegistrationResponse)

	// At most MaxPasskeys per user: the begin refuses, and so does a
	// completion that another registration overtook.
	for i := 1; i < identity.MaxPasskeys-1; i++ {
		f.register(alice.ID, webauthntest.New(testOrigin), "")
	}
	options, token, err = f.svc.BeginPasskeyRegistration(ctx, alice.ID, "")
	if err != nil {
		t.Fatal(err)
	}
	f.register(alice.ID, webauthntest.New(testOrigin), "")
	response, _, _ = webauthntest.New(testOrigin).Register(options)
	_, err = f.svc.CompletePasskeyRegistration(ctx, alice.ID, token, response, "")
	if !errors.Is(err, identity.ErrTooManyPasskeys) {
		t.Fatalf("over the limit: %v", err)
	}
	_, _, err = f.svc.BeginPasskeyRegistration(ctx, alice.ID, "")
	if !errors.Is(err, identity.ErrTooManyPasskeys) {
		t.Fatalf("begin at the limit: %v", err)
	}
	if u := f.stored(alice.ID); u.PasskeyCount != identity.MaxPasskeys {
		t.Fatalf("count %d; want %d", u.PasskeyCount, identity.MaxPasskeys)
	}

	// An assertion over the limit, or not JSON, is refused as input.
	options, token = f.beginLogin("alice@example.com")
	_, err = f.svc.FinishPasskeyLogin(ctx, token, huge)
	wantFailure(t, err, failure.TooLarge, identity.FieldAssertionResponse)
	_, err = f.svc.FinishPasskeyLogin(ctx, token, json.RawMessage("nope"))
	wantFailure(t, err, failure.Invalid, identity.FieldAssertionResponse)
	response, _ = laptop.Login(options)
	if _, err := f.svc.FinishPasskeyLogin(ctx, token, response); err != nil {
		t.Fatal(err)
	}
}

func TestPasskeysNotConfigured(t *testing.T) {
	f := newPasskeyFixture(t)
	ctx := context.Background()
	alice := f.user("alice@example.com")
	f.register(alice.ID, webauthntest.New(testOrigin), "")

	for name, svc := range map[string]*identity.Service{
		"no relying party": {Store: f.store, PasskeySecret: f.svc.PasskeySecret},
		"short secret":     {Store: f.store, WebAuthn: f.svc.WebAuthn, PasskeySecret: []byte("short")},
	} {
		if svc.PasskeysEnabled() {
			t.Fatalf("%s: enabled", name)
		}
		_, _, err := svc.BeginPasskeyRegistration(ctx, alice.ID, "")
		wantFailure(t, err, failure.Internal, "")
		_, _, err = svc.BeginPasskeyLogin(ctx, alice.Email)
		wantFailure(t, err, failure.Internal, "")
		_, _, err = svc.BeginDiscoverableLogin(ctx)
		wantFailure(t, err, failure.Internal, "")
		_, err = svc.FinishPasskeyLogin(ctx, "x", json.RawMessage(`{}`))
		wantFailure(t, err, failure.Internal, "")
		// Listing and deleting need no ceremony.
		if list, err := svc.Passkeys(ctx, alice.ID); err != nil || len(list) != 1 {
			t.Fatalf("%s: list %v, %v", name, list, err)
		}
	}
	if !f.svc.PasskeysEnabled() {
		t.Fatal("the fixture's service is not enabled")
	}
}
