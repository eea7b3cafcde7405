package password

import (
	"strings"
	"testing"
)

func TestPasswordRoundTrip(t *testing.T) {
	h, err := Hash("correct horse battery staple")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$") || strings.Contains(h, "correct") {
		t.Fatalf("unexpected hash format %q", h)
	}
	if ok, err := Verify(h, "correct horse battery staple"); err != nil || !ok {
		t.Fatalf("verify good password: ok=%v err=%v", ok, err)
	}
	if ok, _ := Verify(h, "Correct horse battery staple"); ok {
		t.Fatal("a different password verified")
	}
	h2, _ := Hash("correct horse battery staple")
	if h == h2 {
		t.Fatal("two hashes of one password are equal: salt is not random")
	}
}

func TestVerifyRejectsMalformedHashes(t *testing.T) {
	for _, h := range []string{"", "plain", "$argon2i$v=19$m=1,t=1,p=1$AA$AA", "$argon2id$v=18$m=1,t=1,p=1$AA$AA", "$argon2id$v=19$m=x$AA$AA", "$argon2id$v=19$m=1,t=1,p=1$!!$AA", "$argon2id$v=19$m=1,t=1,p=1$AA$"} {
		if ok, err := Verify(h, "x"); ok || err == nil {
			t.Errorf("Verify(%q) = %v, %v; want false, error", h, ok, err)
		}
	}
}

func FuzzVerify(f *testing.F) {
	f.Add("$argon2id$v=19$m=8,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2g", "pw")
	f.Add("$$$$$", "")
	f.Fuzz(func(t *testing.T, hash, pw string) {
		if len(hash) > 200 || !strings.Contains(hash, "$m=8,t=1,p=1$") {
			t.Skip() // keep the memory cost parameter small while fuzzing
		}
		_, _ = Verify(hash, pw)
	})
}
