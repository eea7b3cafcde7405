package linkcheck

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

const module = "github.com/effektif-serverless/caseflow"

// Groups of packages that only some functions may link, by what they bring.
var (
	// casework: the workflow model, the engine, the BPMN codec, the
	// casework core, its store and its routes.
	casework = []string{module + "/shared/casework", module + "/shared/engine", module + "/shared/bpmn",
		module + "/shared/workflow", module + "/shared/store/workstore", module + "/shared/effektif/work",
		module + "/shared/environment/caseworkenv"}
	// mailIntake: the routing of incoming mail and the MIME parser.
	mailIntake = []string{module + "/shared/mailintake", module + "/shared/mailparse",
		module + "/shared/effektif/mailhook", "github.com/jhillyerd/enmime/v2"}
	// ldap: the LDAP directory client.
	ldap = []string{module + "/shared/ldapdir", "github.com/go-ldap/ldap/v3"}
	// oidc: OpenID Connect sign-in.
	oidc = []string{module + "/shared/oidc", "github.com/coreos/go-oidc/v3/oidc"}
	// s3 and ses: the SDK clients beyond DynamoDB's.
	s3  = []string{module + "/shared/objects", "github.com/aws/aws-sdk-go-v2/service/s3"}
	ses = []string{module + "/shared/mail/sesmail", "github.com/aws/aws-sdk-go-v2/service/sesv2"}
	// webauthn: the passkeys' relying party (go-webauthn, with its CBOR,
	// TPM and metadata code, 1.8 MB of the authorizer's binary); only
	// functions that serve passkeys link it.
	webauthn = []string{module + "/shared/webauthnrp", "github.com/go-webauthn/webauthn/webauthn"}
	// charsets: the decoders of every encoding golang.org/x/text knows
	// (the CJK tables: about 0.3 MB and 0.06 ms of init); the BPMN import
	// (workflows) and the MIME parser (the mail functions) need them.
	charsets = []string{module + "/shared/bpmn/charsets", "golang.org/x/text/encoding/ianaindex", "golang.org/x/text/encoding/htmlindex"}
	// passwords: argon2id (and golang.org/x/sys/cpu, whose CPU feature
	// detection at init costs about 0.06 ms of every cold start): only the
	// functions that take passwords link it.
	passwords = []string{module + "/shared/secret/password", "golang.org/x/crypto/argon2"}
	// otp: TOTP passcodes and QR images.
	otp = []string{module + "/shared/otpauth", "github.com/pquerna/otp", "github.com/skip2/go-qrcode"}
	// dialects: the APIs' routes and models, and the identity service's
	// full wiring.
	dialects = []string{module + "/shared/effektif", module + "/shared/windmill", module + "/shared/superoffice", module + "/shared/epilot", module + "/shared/tenduke", module + "/shared/environment/identityenv"}
)

// rule is a function's row: what it must not link, and what it must (so
// that the table stays true to the functions and the listing is not empty).
type rule struct {
	forbidden [][]string
	required  []string
}

// everyone links the store of the table.
var everyone = []string{module + "/shared/store", module + "/shared/environment"}

// rules is the table, by function folder. The authorizer runs before every
// request: it links the identity part of the store, identity, httpapi and
// the DynamoDB client, nothing else of ours.
var rules = map[string]rule{
	"authorizer":         {forbidden: [][]string{passwords, charsets, casework, mailIntake, ldap, oidc, s3, ses, dialects, webauthn, otp}, required: []string{module + "/shared/identity", module + "/shared/httpapi"}},
	"invitationdelivery": {forbidden: [][]string{passwords, charsets, casework, mailIntake, ldap, oidc, s3, ses, dialects, webauthn, otp}, required: []string{module + "/shared/identity"}},
	"users":              {forbidden: [][]string{charsets, casework, mailIntake, ldap, s3}, required: []string{module + "/shared/effektif", module + "/shared/oidc"}},
	"pictures":           {forbidden: [][]string{charsets, casework, mailIntake, ldap, webauthn, otp}, required: []string{module + "/shared/effektif", module + "/shared/objects"}},
	"organizations":      {forbidden: [][]string{charsets, casework, mailIntake}, required: []string{module + "/shared/effektif", module + "/shared/ldapdir"}},
	"windmill":           {forbidden: [][]string{charsets, casework, mailIntake, ldap}, required: []string{module + "/shared/windmill"}},
	"epilot":             {forbidden: [][]string{charsets, casework, mailIntake, ldap}, required: []string{module + "/shared/epilot"}},
	"tenduke":            {forbidden: [][]string{charsets, casework, mailIntake, ldap, webauthn}, required: []string{module + "/shared/tenduke", module + "/shared/otpauth"}},
	"superoffice":        {forbidden: [][]string{charsets, casework, mailIntake, ldap, oidc, s3, ses}, required: []string{module + "/shared/superoffice"}},
	"workflows":          {forbidden: [][]string{passwords, mailIntake, ldap, oidc}, required: []string{module + "/shared/effektif/work", module + "/shared/bpmn/charsets"}},
	"engine":             {forbidden: [][]string{passwords, charsets, mailIntake, ldap, oidc}, required: []string{module + "/shared/effektif/work"}},
	"cases":              {forbidden: [][]string{passwords, charsets, mailIntake, ldap, oidc, s3}, required: []string{module + "/shared/effektif/work"}},
	"tasks":              {forbidden: [][]string{passwords, charsets, mailIntake, ldap, oidc}, required: []string{module + "/shared/effektif/work"}},
	"files":              {forbidden: [][]string{passwords, charsets, mailIntake, ldap, oidc}, required: []string{module + "/shared/effektif/work"}},
	"services":           {forbidden: [][]string{passwords, charsets, mailIntake, ldap, oidc}, required: []string{module + "/shared/effektif/work", module + "/shared/connector"}},
	"timers":             {forbidden: [][]string{passwords, charsets, mailIntake, ldap, oidc, dialects}, required: []string{module + "/shared/casework"}},
	"mail":               {forbidden: [][]string{passwords, ldap, oidc}, required: []string{module + "/shared/effektif/mailhook"}},
	"mailintake":         {forbidden: [][]string{passwords, ldap, oidc, dialects}, required: []string{module + "/shared/mailintake"}},
}

// pkg is what go list says of a package.
type pkg struct {
	ImportPath string
	Name       string
	Imports    []string
	Deps       []string
}

// list runs go list over the functions as the Lambda build sees them.
func list(t *testing.T) map[string]*pkg {
	t.Helper()
	cmd := exec.Command("go", "list", "-deps", "-tags", "lambda.norpc", "-json=ImportPath,Name,Imports,Deps", "./functions/...")
	cmd.Dir = "../.."
	cmd.Env = append(os.Environ(), "GOOS=linux", "GOARCH=arm64", "CGO_ENABLED=0")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, stderr.String())
	}
	pkgs := map[string]*pkg{}
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		var p pkg
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		pkgs[p.ImportPath] = &p
	}
	return pkgs
}

// chain is the imports from root to target (root first), found breadth
// first; nil when root does not reach target.
func chain(pkgs map[string]*pkg, root, target string) []string {
	prev := map[string]string{root: ""}
	queue := []string{root}
	for len(queue) > 0 {
		cur := queue[0]
		queue = queue[1:]
		if cur == target {
			var path []string
			for p := cur; p != ""; p = prev[p] {
				path = append(path, strings.TrimPrefix(p, module+"/"))
			}
			slices.Reverse(path)
			return path
		}
		if p := pkgs[cur]; p != nil {
			for _, imp := range p.Imports {
				if _, seen := prev[imp]; !seen {
					prev[imp] = cur
					queue = append(queue, imp)
				}
			}
		}
	}
	return nil
}

// TestFunctionsLinkOnlyWhatTheyUse checks every function against its row.
func TestFunctionsLinkOnlyWhatTheyUse(t *testing.T) {
	pkgs := list(t)
	seen := map[string]bool{}
	for path, p := range pkgs {
		name, ok := strings.CutPrefix(path, module+"/functions/")
		if !ok || p.Name != "main" {
			continue
		}
		seen[name] = true
		r, ok := rules[name]
		if !ok {
			t.Errorf("functions/%s has no row in linkcheck's table: say which groups it must not link", name)
			continue
		}
		for _, group := range r.forbidden {
			for _, bad := range group {
				if slices.Contains(p.Deps, bad) {
					t.Errorf("functions/%s links %s, which its row forbids: %s", name, bad, strings.Join(chain(pkgs, path, bad), " -> "))
				}
			}
		}
		for _, need := range append(slices.Clone(everyone), r.required...) {
			if !slices.Contains(p.Deps, need) {
				t.Errorf("functions/%s does not link %s: its row is out of date, or the listing is wrong", name, need)
			}
		}
	}
	for name := range rules {
		if !seen[name] {
			t.Errorf("linkcheck's table has a row for functions/%s, which go list did not find", name)
		}
	}
}

// TestChain: the chain a failure names is the shortest one through the
// imports, and a package that is not reached has none.
func TestChain(t *testing.T) {
	pkgs := map[string]*pkg{
		"main": {Imports: []string{"a", "b"}},
		"a":    {Imports: []string{"c"}},
		"b":    {Imports: []string{"d"}},
		"d":    {Imports: []string{"c", "e"}},
	}
	if got := strings.Join(chain(pkgs, "main", "c"), " "); got != "main a c" {
		t.Errorf("chain to c: %q", got)
	}
	if got := strings.Join(chain(pkgs, "main", "e"), " "); got != "main b d e" {
		t.Errorf("chain to e: %q", got)
	}
	if got := chain(pkgs, "main", "x"); got != nil {
		t.Errorf("chain to an unreached package: %q", got)
	}
}
