package e2e

// Contract tests of the epilot User API (issue 10), driven through the
// published @epilot/sdk 2.20.31 and @epilot/user-client 3.13.1 by `node
// --test` in infra/contract/epilot (its README.md lists the decisions and
// what each test expects).
//
// The stack's WebAuthn relying party is the template's default
// (WebAuthnRpId, WebAuthnOrigins): epilotRPID and epilotOrigin below.

import (
	"bufio"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"
)

// epilotContractDir holds the contract tests of the epilot User API: a
// package.json and lockfile pinning both clients, and *.test.mjs files run
// by `node --test`.
const epilotContractDir = "../contract/epilot"

// The WebAuthn relying party of the stack: the RP ID and the origin that
// client data must name. The node tests read them as EPT_RP_ID and
// EPT_ORIGIN; the stack's configuration must name the same.
const (
	epilotRPID   = "localhost"
	epilotOrigin = "http://localhost:3000"
)

// epilotGroup is the Effektif group of ADMIN's organization holding ADMIN
// and MEMBER: an epilot group too.
const epilotGroup = "Contract Reviewers"

// TestEpilotContract drives the running stack through the published epilot
// clients (pinned in infra/contract/epilot/package-lock.json and installed
// here when missing), with `node --test`. It seeds, through the Effektif
// API, an organization with its admin, members, a group and a pending
// invitation, a user of two organizations, and accounts of their own
// organizations for the flows that change an account, and hands them to
// the node tests in EPT_* variables. A failing node test fails this test
// with node's output; so does an operation of the SDK's definition that no
// node test got a 2xx answer from.
func TestEpilotContract(t *testing.T) {
	suite := nodeContract{what: "the epilot contract tests", dir: epilotContractDir, timeout: 15 * time.Minute, prefix: "EPT_"}
	opsLog := filepath.Join(t.TempDir(), "operations.log")
	dir := suite.run(t, func() []string { return append(epilotContractEnv(t), "EPT_OPS_LOG="+opsLog) })
	if missing := epilotUncovered(t, dir, opsLog); len(missing) > 0 {
		t.Fatalf("no node test got a 2xx answer from these operations of the SDK's definition: %v", missing)
	}
}

// epilotRole is a seeded account and the name of the organization it was
// seeded in.
type epilotRole struct {
	account
	orgName string
}

// epilotContractEnv seeds the stack through the Effektif API and answers
// the EPT_* variables that describe it (README.md of the contract tests).
func epilotContractEnv(t *testing.T) []string {
	t.Helper()
	const orgName = "epilot Contract"
	admin := signUp(t, orgName)
	// The invitation that resend.test.mjs sends again: the core resends at
	// most once a minute, so it is made first, and its time handed on.
	resend := uniqueEmail("resend")
	expect(t, call(t, "POST", "/api/v1/"+admin.OrgKey+"/users", admin.Token, map[string]any{"emailAddress": resend, "firstName": "Rhea"}), http.StatusOK)
	resendAt := time.Now()
	member := addMember(t, admin, "Mia")
	group := createGroup(t, admin, epilotGroup, admin.UserID, member.UserID)
	in := func(a account) epilotRole { return epilotRole{a, orgName} }
	own := func(name string) epilotRole { return epilotRole{signUp(t, name), name} }
	roles := map[string]epilotRole{
		"ADMIN":        in(admin),
		"MEMBER":       in(member),
		"MEMBER2":      in(addMember(t, admin, "Max")),
		"MEMBER3":      in(addMember(t, admin, "Moe")),
		"DELETEE":      in(addMember(t, admin, "Dora")),
		"RESET_TARGET": in(addMember(t, admin, "Rita")),
		"OUTSIDER":     own("epilot Outsider"),
		"MULTI":        own("epilot Multi"),
		"EXISTING":     own("epilot Existing"),
		"RESETTER":     own("epilot Resetter"),
		"EMAILER":      own("epilot Emailer"),
		"PASSKEY":      own("epilot Passkeys"),
	}
	// MULTI's primary organization is its own (made first); it joins ADMIN's
	// as a plain member by accepting an Effektif invitation.
	joinByInvitation(t, admin, roles["MULTI"].account)

	env := []string{
		"EPT_BASE_URL=" + stack.GatewayURL,
		"EPT_SES_URL=" + stack.SESEndpoint,
		"EPT_RP_ID=" + epilotRPID,
		"EPT_ORIGIN=" + epilotOrigin,
		"EPT_GROUP_ID=" + group,
		"EPT_GROUP_NAME=" + epilotGroup,
		"EPT_RESEND_EMAIL=" + resend,
		"EPT_RESEND_AT=" + strconv.FormatInt(resendAt.UnixMilli(), 10),
	}
	for role, r := range roles {
		env = append(env,
			"EPT_"+role+"_EMAIL="+r.Email,
			"EPT_"+role+"_PASSWORD="+r.Password,
			"EPT_"+role+"_TOKEN="+r.Token,
			"EPT_"+role+"_ORG="+r.OrgKey,
			"EPT_"+role+"_ORG_ID="+r.OrgID,
			"EPT_"+role+"_ORG_NAME="+r.orgName,
			"EPT_"+role+"_USER_ID="+r.UserID)
	}
	return env
}

// joinByInvitation makes the existing account b a plain member of a's
// organization the way its holder would: a's admin invites the address,
// and b accepts with the mailed code (which joins the account as it is).
func joinByInvitation(t testing.TB, a, b account) {
	t.Helper()
	expect(t, call(t, "POST", "/api/v1/"+a.OrgKey+"/users", a.Token, map[string]any{"emailAddress": b.Email}), http.StatusOK)
	mails := mailsTo(t, b.Email)
	code := codeInMail.FindStringSubmatch(mails[len(mails)-1].Body.Text)
	if code == nil {
		t.Fatalf("no code in the invitation to %s: %q", b.Email, mails[len(mails)-1].Body.Text)
	}
	expect(t, call(t, "POST", "/api/v1/registrations/"+code[1]+"/activate", "", nil), http.StatusOK)
}

// epilotUncovered answers the operations of the SDK's user definition that
// no node test got a 2xx answer from, per the log the tests wrote (lines
// "operationId status client").
func epilotUncovered(t *testing.T, dir, logPath string) []string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, "node_modules", "@epilot", "sdk", "definitions", "user.json"))
	if err != nil {
		t.Fatal(err)
	}
	var def struct {
		Paths map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(data, &def); err != nil {
		t.Fatalf("the SDK's user definition: %v", err)
	}
	want := map[string]bool{}
	for _, methods := range def.Paths {
		for _, raw := range methods {
			var op struct {
				OperationID string `json:"operationId"`
			}
			if json.Unmarshal(raw, &op) == nil && op.OperationID != "" {
				want[op.OperationID] = false
			}
		}
	}
	if len(want) != 42 {
		t.Fatalf("the SDK's user definition has %d operations, want 42", len(want))
	}
	f, err := os.Open(logPath)
	if err != nil {
		t.Fatalf("the node tests wrote no operation log: %v", err)
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		fields := strings.Fields(s.Text())
		if len(fields) < 2 {
			continue
		}
		if status, err := strconv.Atoi(fields[1]); err == nil && status >= 200 && status < 300 {
			if _, ok := want[fields[0]]; ok {
				want[fields[0]] = true
			}
		}
	}
	var missing []string
	for op, seen := range want {
		if !seen {
			missing = append(missing, op)
		}
	}
	sort.Strings(missing)
	return missing
}
