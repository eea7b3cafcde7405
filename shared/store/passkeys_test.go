package store_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/effektif-serverless/caseflow/infra/awslocal"
	"github.com/effektif-serverless/caseflow/infra/localparams"
	"github.com/effektif-serverless/caseflow/infra/samtemplate"
	"github.com/effektif-serverless/caseflow/shared/failure"
	"github.com/effektif-serverless/caseflow/shared/identity"
	"github.com/effektif-serverless/caseflow/shared/ids"
	"github.com/effektif-serverless/caseflow/shared/store"
)

// localStore starts the local AWS stack (DynamoDB Local among it), creates
// template.yaml's tables and returns the store on the data table. The
// stack stops when the test ends. `go test -short` skips the test.
func localStore(t *testing.T) *store.DB {
	t.Helper()
	if testing.Short() {
		t.Skip("needs DynamoDB Local (skipped in -short mode)")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	var logs io.Writer = io.Discard
	if os.Getenv("STORE_TEST_LOGS") != "" {
		logs = os.Stderr
	}
	stack, err := awslocal.Start(ctx, awslocal.Config{Dir: "../../infra/localstack", Log: logs})
	if err != nil {
		t.Fatal("start the local stack:", err)
	}
	t.Cleanup(func() { _ = stack.Close() })
	tmpl, err := samtemplate.Load("../../template.yaml", samtemplate.Options{Parameters: localparams.Values})
	if err != nil {
		t.Fatal(err)
	}
	if err := stack.Provision(ctx, tmpl); err != nil {
		t.Fatal(err)
	}
	return store.New(stack.DynamoDB(), tmpl.Table("DataTable").Name)
}

// TestPasskeyStoreDynamoDB runs identity.PasskeyStore's conditions
// against DynamoDB Local: the transactions, the conditional writes and the
// user's PasskeyCount, and its interplay with UpdateUser's version.
func TestPasskeyStoreDynamoDB(t *testing.T) {
	db := localStore(t)
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Millisecond)
	alice := identity.User{ID: ids.New(), Email: ids.New() + "@example.com", Created: now, Version: 1}
	bob := identity.User{ID: ids.New(), Email: ids.New() + "@example.com", Created: now, Version: 1}
	for _, u := range []identity.User{alice, bob} {
		if err := db.CreateUser(ctx, u); err != nil {
			t.Fatal(err)
		}
	}
	long := bytes.Repeat([]byte{0xab}, identity.MaxCredentialIDBytes)
	cred := identity.PasskeyCredential{ID: long, UserID: alice.ID, PublicKey: []byte{1, 2, 3}, AttestationFormat: "none",
		Transports: []string{"internal", "hybrid"}, AAGUID: make([]byte, 16), Flags: 0x45, FriendlyName: "laptop", Created: now}

	t.Run("add, list, owner", func(t *testing.T) {
		if err := db.AddPasskey(ctx, cred, 3); err != nil {
			t.Fatal(err)
		}
		list, err := db.PasskeysOfUser(ctx, alice.ID, 10)
		if err != nil || len(list) != 1 {
			t.Fatalf("list: %v, %v", list, err)
		}
		got := list[0]
		if !bytes.Equal(got.ID, long) || got.UserID != alice.ID || !bytes.Equal(got.PublicKey, cred.PublicKey) || got.Flags != 0x45 ||
			got.SignCount != 0 || got.FriendlyName != "laptop" || !got.Created.Equal(now) || len(got.Transports) != 2 || len(got.AAGUID) != 16 {
			t.Fatalf("stored %+v", got)
		}
		if owner, err := db.PasskeyOwner(ctx, long); err != nil || owner != alice.ID {
			t.Fatalf("owner %q, %v", owner, err)
		}
		if _, err := db.PasskeyOwner(ctx, []byte("nobody's")); !failure.Is(err, failure.NotFound) {
			t.Fatalf("unknown owner: %v", err)
		}
		u, _ := db.GetUser(ctx, alice.ID)
		if u.PasskeyCount != 1 || u.Version != 2 {
			t.Fatalf("user after add: count %d version %d", u.PasskeyCount, u.Version)
		}
		// A profile update made from the user read before the add loses
		// the race instead of writing an old count back.
		stale := alice
		stale.Version++
		stale.FirstName = "Stale"
		if err := db.UpdateUser(ctx, stale, ""); !failure.Is(err, failure.Conflict) {
			t.Fatalf("stale update: %v", err)
		}
		u.Version++
		u.FirstName = "Fresh"
		if err := db.UpdateUser(ctx, u, ""); err != nil {
			t.Fatal(err)
		}
		if u, _ := db.GetUser(ctx, alice.ID); u.PasskeyCount != 1 || u.FirstName != "Fresh" {
			t.Fatalf("after the update: %+v", u)
		}
	})

	t.Run("unique ids, limit", func(t *testing.T) {
		taken := cred
		taken.UserID = bob.ID
		if err := db.AddPasskey(ctx, taken, 3); !errors.Is(err, identity.ErrPasskeyTaken) {
			t.Fatalf("another user's id: %v", err)
		}
		if err := db.AddPasskey(ctx, cred, 3); !errors.Is(err, identity.ErrPasskeyTaken) {
			t.Fatalf("the same id again: %v", err)
		}
		// Concurrent adds past the limit: exactly the limit is stored.
		var wg sync.WaitGroup
		errs := make([]error, 6)
		for i := range errs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				c := cred
				c.UserID, c.ID = bob.ID, []byte(ids.New())
				errs[i] = db.AddPasskey(ctx, c, 3)
			}()
		}
		wg.Wait()
		added := 0
		t.Logf("concurrent adds: %v", errs)
		for _, err := range errs {
			switch {
			case err == nil:
				added++
			case errors.Is(err, identity.ErrTooManyPasskeys), failure.Is(err, failure.Conflict):
			default:
				t.Fatalf("concurrent add: %v", err)
			}
		}
		list, _ := db.PasskeysOfUser(ctx, bob.ID, 10)
		u, _ := db.GetUser(ctx, bob.ID)
		if added == 0 || added > 3 || len(list) != added || u.PasskeyCount != added {
			t.Fatalf("%d added, %d listed, count %d; want the same, at most 3", added, len(list), u.PasskeyCount)
		}
		if err := db.AddPasskey(ctx, identity.PasskeyCredential{ID: []byte("ghost"), UserID: ids.New()}, 3); !errors.Is(err, identity.ErrTooManyPasskeys) {
			t.Fatalf("a user who is gone: %v", err)
		}
		if _, err := db.PasskeyOwner(ctx, []byte("ghost")); !failure.Is(err, failure.NotFound) {
			t.Fatal("a refused add left its owner item")
		}
	})

	t.Run("counter", func(t *testing.T) {
		used := cred
		used.SignCount, used.Flags, used.LastUsed = 5, 0x05, now.Add(time.Minute)
		if err := db.RecordPasskeyUse(ctx, used, 0); err != nil {
			t.Fatal(err)
		}
		again := used
		again.SignCount = 6
		if err := db.RecordPasskeyUse(ctx, again, 0); !failure.Is(err, failure.Conflict) {
			t.Fatalf("on a stale counter: %v", err)
		}
		// Of concurrent writes from the same counter, one wins.
		var wg sync.WaitGroup
		wins := make([]bool, 5)
		for i := range wins {
			wg.Add(1)
			go func() {
				defer wg.Done()
				c := used
				c.SignCount = uint32(10 + i)
				wins[i] = db.RecordPasskeyUse(ctx, c, 5) == nil
			}()
		}
		wg.Wait()
		n := 0
		for _, w := range wins {
			if w {
				n++
			}
		}
		if n != 1 {
			t.Fatalf("%d concurrent counter writes won; want 1", n)
		}
		list, _ := db.PasskeysOfUser(ctx, alice.ID, 10)
		if list[0].SignCount < 10 || list[0].Flags != 0x05 || !list[0].LastUsed.Equal(used.LastUsed) {
			t.Fatalf("after the uses: %+v", list[0])
		}
		gone := used
		gone.ID = []byte("no such credential")
		if err := db.RecordPasskeyUse(ctx, gone, 0); !failure.Is(err, failure.NotFound) {
			t.Fatalf("a credential that is gone: %v", err)
		}
	})

	t.Run("challenges", func(t *testing.T) {
		key := ids.New()
		if err := db.ConsumePasskeyChallenge(ctx, key, now.Add(identity.ChallengeTTL)); err != nil {
			t.Fatal(err)
		}
		if err := db.ConsumePasskeyChallenge(ctx, key, now.Add(identity.ChallengeTTL)); !errors.Is(err, identity.ErrChallengeUsed) {
			t.Fatalf("spent twice: %v", err)
		}
	})

	t.Run("delete", func(t *testing.T) {
		if err := db.DeletePasskey(ctx, bob.ID, long); !failure.Is(err, failure.NotFound) {
			t.Fatalf("bob deletes alice's: %v", err)
		}
		if owner, _ := db.PasskeyOwner(ctx, long); owner != alice.ID {
			t.Fatal("bob's delete touched alice's owner item")
		}
		if err := db.DeletePasskey(ctx, alice.ID, long); err != nil {
			t.Fatal(err)
		}
		if err := db.DeletePasskey(ctx, alice.ID, long); !failure.Is(err, failure.NotFound) {
			t.Fatalf("deleted twice: %v", err)
		}
		if _, err := db.PasskeyOwner(ctx, long); !failure.Is(err, failure.NotFound) {
			t.Fatal("the owner item outlived the credential")
		}
		u, _ := db.GetUser(ctx, alice.ID)
		if list, _ := db.PasskeysOfUser(ctx, alice.ID, 10); len(list) != 0 || u.PasskeyCount != 0 || u.HasPasskeys() {
			t.Fatalf("after the delete: %d listed, count %d", len(list), u.PasskeyCount)
		}
		// The id is free for anyone again.
		c := cred
		c.UserID = bob.ID
		if err := db.AddPasskey(ctx, c, 10); err != nil {
			t.Fatal(err)
		}
	})
}
