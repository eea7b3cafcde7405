package connector

import (
	"bytes"
	"encoding/base64"
	"strings"
	"testing"

	"github.com/effektif-serverless/caseflow/shared/failure"
	"github.com/effektif-serverless/caseflow/shared/identity"
)

func TestDefaultCatalogue(t *testing.T) {
	c, err := ParseCatalogue("")
	if err != nil {
		t.Fatal(err)
	}
	http, err := c.Lookup("http")
	if err != nil || http.OAuth != nil || http.Icon.ContentType != iconSVG || !bytes.HasPrefix(http.Icon.Data, []byte("<svg")) {
		t.Fatalf("http: %+v, %v", http, err)
	}
	if o, ok := http.Option("method"); !ok || len(o.Values) != 5 {
		t.Fatalf("method option: %+v", o)
	}
	if _, err := c.Lookup("nope"); !failure.Is(err, failure.NotFound) {
		t.Fatalf("unknown service: %v", err)
	}
}

func TestParseCatalogue(t *testing.T) {
	png := "data:image/png;base64," + base64.StdEncoding.EncodeToString([]byte("\x89PNG\r\n\x1a\nrest"))
	c, err := ParseCatalogue(`[{"key":"crm","name":"CRM","icon":"` + png + `",
	  "oauth":{"authorizationUrl":"https://idp.example/authorize","tokenUrl":"https://idp.example/token","clientId":"c","clientSecret":"s","scopes":["read"]}},
	  {"key":"plain","name":"Plain"}]`)
	if err != nil {
		t.Fatal(err)
	}
	crm, _ := c.Lookup("crm")
	if crm.OAuth == nil || crm.OAuth.ClientSecret != "s" || crm.Icon.ContentType != iconPNG || len(crm.Options) != 0 || crm.Options == nil {
		t.Fatalf("crm: %+v", crm)
	}
	plain, _ := c.Lookup("plain")
	if got := c.Services(); len(got) != 2 || got[0].Key != "crm" || !bytes.Contains(plain.Icon.Data, []byte("<svg")) {
		t.Fatalf("services: %+v", got)
	}
	for name, text := range map[string]string{
		"not JSON":          `{`,
		"unknown field":     `[{"key":"a","name":"A","colour":"red"}]`,
		"bad key":           `[{"key":"a b","name":"A"}]`,
		"the oauth key":     `[{"key":"oauth","name":"A"}]`,
		"twice":             `[{"key":"a","name":"A"},{"key":"a","name":"B"}]`,
		"no name":           `[{"key":"a"}]`,
		"option no key":     `[{"key":"a","name":"A","options":[{"name":"x"}]}]`,
		"value no id":       `[{"key":"a","name":"A","options":[{"key":"x","name":"X","values":[{"name":"v"}]}]}]`,
		"oauth no token":    `[{"key":"a","name":"A","oauth":{"authorizationUrl":"https://x/a","clientId":"c"}}]`,
		"oauth relative":    `[{"key":"a","name":"A","oauth":{"authorizationUrl":"/a","tokenUrl":"https://x/t","clientId":"c"}}]`,
		"unknown icon":      `[{"key":"a","name":"A","icon":"../catalogue.go"}]`,
		"icon not an image": `[{"key":"a","name":"A","icon":"data:text/html;base64,PGI+"}]`,
		"fake png":          `[{"key":"a","name":"A","icon":"data:image/png;base64,PGI+"}]`,
	} {
		if _, err := ParseCatalogue(text); err == nil || !strings.Contains(err.Error(), CatalogueEnvVar) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestSealing(t *testing.T) {
	s := &Service{Key: []byte(strings.Repeat("k", MinKeyLength))}
	secret := []byte(`{"password":"hunter2-very-secret"}`)
	sealed, err := s.seal(credentialsPurpose, "org", "acc", secret)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(sealed, []byte("hunter2")) {
		t.Fatal("the sealed value holds the secret")
	}
	if got, err := s.open(credentialsPurpose, "org", "acc", sealed); err != nil || !bytes.Equal(got, secret) {
		t.Fatalf("open: %q, %v", got, err)
	}
	// Bound to its purpose and account, and to the key.
	if _, err := s.open(tokensPurpose, "org", "acc", sealed); err == nil {
		t.Error("credentials opened as tokens")
	}
	if _, err := s.open(credentialsPurpose, "org", "other", sealed); err == nil {
		t.Error("opened as another account's")
	}
	other := &Service{Key: []byte(strings.Repeat("x", MinKeyLength))}
	if _, err := other.open(credentialsPurpose, "org", "acc", sealed); err == nil {
		t.Error("opened under another key")
	}
	if _, err := (&Service{Key: []byte("short")}).seal(credentialsPurpose, "org", "acc", secret); !failure.Is(err, failure.Unavailable) {
		t.Errorf("a short key: %v", err)
	}
}

func TestAccountPermissions(t *testing.T) {
	owner := identity.Membership{OrganizationID: "o1", UserID: "ann"}
	admin := identity.Membership{OrganizationID: "o1", UserID: "adm", Role: identity.RoleAdmin}
	grouped := identity.Membership{OrganizationID: "o1", UserID: "bob", GroupIDs: []string{"g1"}}
	other := identity.Membership{OrganizationID: "o1", UserID: "carl"}
	open := Account{OwnerID: "ann"}
	restricted := Account{OwnerID: "ann", Restricted: true}
	shared := Account{OwnerID: "ann", Restricted: true, Access: AccessControlList{Permissions: map[string][]AccessIdentity{"view": {{Type: AccessGroup, ID: "g1"}}}}}
	everyone := Account{OwnerID: "ann", Restricted: true, Access: AccessControlList{Permissions: map[string][]AccessIdentity{"view": {{Type: AccessOrganization, ID: "o1"}}}}}
	for name, c := range map[string]struct {
		acc          Account
		m            identity.Membership
		read, change bool
	}{
		"owner, restricted":        {restricted, owner, true, true},
		"admin, restricted":        {restricted, admin, true, true},
		"member, open":             {open, other, true, false},
		"member, restricted":       {restricted, other, false, false},
		"member of a listed group": {shared, grouped, true, false},
		"member, not listed":       {shared, other, false, false},
		"organization listed":      {everyone, other, true, false},
	} {
		if got := MayRead(c.acc, c.m); got != c.read {
			t.Errorf("%s: read %v, want %v", name, got, c.read)
		}
		if got := MayChange(c.acc, c.m); got != c.change {
			t.Errorf("%s: change %v, want %v", name, got, c.change)
		}
	}
}

func TestAccessListCheck(t *testing.T) {
	good := AccessControlList{Permissions: map[string][]AccessIdentity{"view": {{Type: AccessUser, ID: "0123456789abcdef01234567"}}}}
	if err := good.Check(); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []AccessControlList{
		{Permissions: map[string][]AccessIdentity{"view": {{Type: "robot", ID: "0123456789abcdef01234567"}}}},
		{Permissions: map[string][]AccessIdentity{"view": {{Type: AccessUser, ID: "not-an-id"}}}},
		{Permissions: map[string][]AccessIdentity{"": {}}},
	} {
		if err := bad.Check(); failure.As(err).Field != "access" {
			t.Errorf("%+v: %v", bad, err)
		}
	}
}

func TestCheckPath(t *testing.T) {
	for _, p := range []string{"", "/", "/settings/services?tab=2"} {
		if err := CheckPath(p); err != nil {
			t.Errorf("%q: %v", p, err)
		}
	}
	for _, p := range []string{"settings", "//evil.example/x", "/\\evil.example", "/a\nb", "https://evil.example/"} {
		if err := CheckPath(p); err == nil {
			t.Errorf("%q accepted", p)
		}
	}
}
