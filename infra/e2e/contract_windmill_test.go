package e2e

import (
	"os"
	"strings"
	"testing"
	"time"
)

// windmillContractDir holds the contract tests of the Windmill UserApi: a
// package.json and lockfile pinning windmill-client, and *.test.mjs files run
// by `node --test` (see its README.md).
const windmillContractDir = "../contract/windmill"

// signUpName is the full name signUp gives every account (firstName Olga,
// lastName Owner): the name Windmill's globalWhoami answers.
const signUpName = "Olga Owner"

// windmillGroup is the Effektif group of the seeded workspace that holds
// ADMIN and MEMBER; Windmill's User.groups names it.
const windmillGroup = "Contract Reviewers"

// The client reads these from the environment when it is not configured; the
// tests configure it with setClient only, so none may leak in.
var windmillClientEnv = []string{"BASE_URL", "BASE_INTERNAL_URL", "WM_TOKEN", "WM_WORKSPACE", "WM_BASE_URL", "WM_RAW_APP"}

// TestWindmillContract drives the running stack through the published
// windmill-client (pinned in infra/contract/windmill/package-lock.json and
// installed here when missing), with `node --test`. It seeds, through the
// Effektif API, a workspace (an organization: its key is the workspace id),
// its admin, members made through Effektif invitations and accounts outside
// it, and hands them to the node tests in WMT_* environment variables. A
// failing node test fails this test with node's output.
func TestWindmillContract(t *testing.T) {
	suite := nodeContract{what: "the Windmill contract tests", dir: windmillContractDir, timeout: 10 * time.Minute,
		clientEnv: windmillClientEnv, prefix: "WMT_"}
	suite.run(t, func() []string { return windmillContractEnv(t) })
}

// windmillContractEnv seeds the stack through the Effektif API and answers
// the WMT_* variables that describe it (README.md of the contract tests).
func windmillContractEnv(t *testing.T) []string {
	t.Helper()
	admin := signUp(t, "Windmill Contract")
	member := addMember(t, admin, "Mia")
	createGroup(t, admin, windmillGroup, admin.UserID, member.UserID)
	accounts := map[string]account{
		"ADMIN":       admin,
		"MEMBER":      member,
		"UPDATEE":     addMember(t, admin, "Uma"),
		"DELETEE":     addMember(t, admin, "Dora"),
		"LEAVER":      addMember(t, admin, "Leo"),
		"LEAVER_SEED": addMember(t, admin, "Lea"),
		"OUTSIDER":    signUp(t, "Windmill Outsider"),
		"PASSWORD":    signUp(t, "Windmill Password"),
		"ACCEPTER":    signUp(t, "Windmill Accepter"),
		"DECLINER":    signUp(t, "Windmill Decliner"),
		"ADDED":       signUp(t, "Windmill Added"),
		"ADDED_SEED":  signUp(t, "Windmill Added Seed"),
	}
	env := []string{
		"WMT_BASE_URL=" + stack.GatewayURL,
		"WMT_SES_URL=" + stack.SESEndpoint,
		"WMT_WORKSPACE=" + admin.OrgKey,
		"WMT_GROUP=" + windmillGroup,
		"WMT_OAUTH_CLIENT=testidp",
		"WMT_ADMIN_NAME=" + signUpName,
	}
	for role, a := range accounts {
		env = append(env,
			"WMT_"+role+"_EMAIL="+a.Email,
			"WMT_"+role+"_PASSWORD="+a.Password,
			"WMT_"+role+"_TOKEN="+a.Token,
			"WMT_"+role+"_ORG="+a.OrgKey)
	}
	return env
}

// environWithout is this process's environment less the named variables and
// those starting with prefix.
func environWithout(names []string, prefix string) []string {
	var out []string
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		drop := strings.HasPrefix(name, prefix)
		for _, n := range names {
			drop = drop || name == n
		}
		if !drop {
			out = append(out, kv)
		}
	}
	return out
}
