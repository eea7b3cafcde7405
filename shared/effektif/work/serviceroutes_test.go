package work

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/effektif-serverless/caseflow/shared/connector"
)

// An account's answer never carries its sealed credentials or tokens.
func TestAccountAnswerHoldsNoSecrets(t *testing.T) {
	acc := connector.Account{ID: "a1", ServiceKey: "http", OwnerID: "u1", Restricted: true,
		Credentials: []byte("SEALED-CREDENTIALS"), Tokens: []byte("SEALED-TOKENS"), TokenExpiry: time.Now()}
	b, err := json.Marshal(accountOf(acc))
	if err != nil {
		t.Fatal(err)
	}
	got := string(b)
	if strings.Contains(got, "SEALED") || strings.Contains(got, "credentials") || strings.Contains(got, "token") {
		t.Fatalf("answer: %s", got)
	}
	if got != `{"id":"a1","serviceKey":"http","userId":"u1","restricted":true,"connected":true}` {
		t.Fatalf("answer: %s", got)
	}
}

func TestAccountBodyKeepsPathAndOwner(t *testing.T) {
	for _, b := range []accountBody{{ServiceKey: "other"}, {ID: "x"}, {UserID: "someone"}} {
		if _, err := b.change("http", "a1", "u1"); err == nil {
			t.Errorf("%+v accepted", b)
		}
	}
	c, err := accountBody{ServiceKey: "http", ID: "a1", UserID: "u1", Credentials: json.RawMessage(`{"token":"t"}`)}.change("http", "a1", "u1")
	if err != nil || string(c.Credentials) != `{"token":"t"}` {
		t.Fatalf("%+v, %v", c, err)
	}
}
