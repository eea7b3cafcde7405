package secret

import "testing"

func TestTokens(t *testing.T) {
	a, _ := NewToken()
	b, _ := NewToken()
	if a == b || len(a) != 43 {
		t.Fatalf("tokens %q %q", a, b)
	}
	if h1, h2 := TokenHash(a), TokenHash(string([]byte(a))); h1 == a || len(h1) != 64 || h1 != h2 || h1 == TokenHash(b) {
		t.Fatal("token hash is not a stable sha-256 hex")
	}
	c, _ := NewCode()
	if len(c) != 22 {
		t.Fatalf("code %q", c)
	}
}
