package e2e

import (
	"context"
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/effektif-serverless/caseflow/shared/ids"
	"github.com/effektif-serverless/caseflow/shared/mailintake"
	"github.com/effektif-serverless/caseflow/shared/objects"
)

// fixtureWorkflow runs into a user task with a form field, so that a case,
// a workflow task, a form field and an activity exist.
const fixtureWorkflow = `{
  "name": "Fixture", "enableCases": true,
  "variables": [{"id": "amount", "type": {"name": "number"}}],
  "activities": [
    {"type": "startEvent", "id": "start"},
    {"type": "userTask", "id": "review", "name": "Review",
     "form": {"fields": [{"id": "amount", "binding": {"expression": "amount"}}]}},
    {"type": "endEvent", "id": "end"}
  ],
  "transitions": [{"fromId": "start", "toId": "review"}, {"fromId": "review", "toId": "end"}]}`

// fixture is an organization with one of each resource, its plain member
// and an admin of another organization.
type fixture struct {
	admin, member, outsider account
	// the organization's resources
	group, workflow, version, caseID, task, file, mailTask, mail, license, invitee string
	// registration is a pending registration's code (public routes).
	registration string
	// username is the admin's Windmill username, tokenPrefix the prefix
	// of an API token of the admin's.
	username, tokenPrefix string
	// the 10Duke resources (UUIDs): a custom role the admin holds, an
	// open group invitation and a recovery email of the admin's.
	tdRole, tdInvitation, tdEmail string
	// account is an account of the http service, the admin's.
	account string
}

// newFixture builds an organization with a group, a published workflow
// with a running case and its task, a standalone task, a file, a mail filed
// to a task (with its attachment), a license and an open invitation; a
// plain member; and an outsider (the admin of another organization).
func newFixture(t testing.TB, name string) fixture {
	t.Helper()
	f := fixture{admin: signUp(t, name), outsider: signUp(t, name+" Outsider")}
	f.member = signUp(t, name+" Member")
	joinAsMember(t, f.admin, f.member)
	// The member's token is bound to the organization (switchOrganization),
	// so that the routes acting in a current organization (epilot) act in
	// this one, not the member's own.
	f.member.Token = expect(t, call(t, "POST", "/v2/users/switchOrganization", f.member.Token, map[string]any{"org_id": f.admin.OrgID}),
		http.StatusOK).JSON(t)["login_token"].(string)
	org := "/api/v1/" + f.admin.OrgKey
	a := f.admin.Token
	f.group = expect(t, call(t, "POST", org+"/groups", a, map[string]any{"name": "Team", "userIds": []string{f.member.UserID}}), http.StatusOK).JSON(t)["id"].(string)
	f.workflow = publish(t, f.admin, fixtureWorkflow)
	f.version = expect(t, call(t, "GET", org+"/workflows/"+f.workflow, a, nil), http.StatusOK).JSON(t)["publishedVersionId"].(string)
	inst := expect(t, call(t, "POST", org+"/engine/workflow/instances", a, map[string]any{"sourceWorkflowId": f.workflow}), http.StatusOK).JSON(t)
	f.caseID = inst["caseId"].(string)
	for _, task := range openTasks(t, f.admin, f.caseID) {
		f.task = task["id"].(string)
	}
	if f.task == "" {
		t.Fatal("the fixture's case has no task")
	}
	f.file = uploadFile(t, f.admin, []byte(simpleBPMN))
	f.mailTask, f.mail = fileMemberMail(t, f.admin)
	order := expect(t, call(t, "POST", org+"/purchase", a, map[string]any{"licenseType": "free", "count": 1}), http.StatusOK).JSON(t)
	f.license = order["licenseIds"].([]any)[0].(string)
	f.invitee = uniqueEmail("invitee")
	expect(t, call(t, "POST", org+"/users", a, map[string]any{"emailAddress": f.invitee}), http.StatusOK)
	f.registration = registrationCode(t, map[string]any{"emailAddress": uniqueEmail("pending"), "firstName": "Pen", "organizationName": name + " Pending"})
	f.username, f.tokenPrefix = windmillFixture(t, f.admin)
	f.tdRole, f.tdInvitation, f.tdEmail = tenDukeFixture(t, f.admin, f.group)
	f.account = expect(t, call(t, "POST", org+"/services/http/accounts", a, map[string]any{"credentials": map[string]string{"token": "walk"}}),
		http.StatusOK).JSON(t)["id"].(string)
	return f
}

// tenDukeFixture makes, through the 10Duke API, a custom role the admin
// holds, an open group invitation into the group and a recovery email of
// the admin's, answering their UUIDs.
func tenDukeFixture(t testing.TB, admin account, group string) (role, invitation, email string) {
	t.Helper()
	role, invitation, email = tdNewID(t), tdNewID(t), tdNewID(t)
	expect(t, tdSend(t, "POST", "/organization-roles", admin.Token, map[string]any{"id": role, "name": "Walker"}), http.StatusCreated)
	expect(t, tdSend(t, "POST", "/users/"+tdUUID(t, admin.UserID)+"/organization-roles", admin.Token, []string{role}), http.StatusCreated)
	expect(t, tdSend(t, "POST", "/organization-group-invitations", admin.Token, tdInvitation(invitation, tdUUID(t, admin.OrgID),
		uniqueEmail("td-walk"), tdWelcome, tdUUID(t, group))), http.StatusCreated)
	expect(t, tdSend(t, "POST", "/users/"+tdUUID(t, admin.UserID)+"/recovery-emails", admin.Token, map[string]any{"id": email, "value": uniqueEmail("td-walk-recovery")}), http.StatusCreated)
	return role, invitation, email
}

// windmillFixture reads the admin's Windmill username and makes an API
// token of theirs, answering its listed prefix.
func windmillFixture(t testing.TB, admin account) (string, string) {
	t.Helper()
	me := expect(t, call(t, "GET", "/api/w/"+admin.OrgKey+"/users/whoami", admin.Token, nil), http.StatusOK).JSON(t)
	token := string(expect(t, call(t, "POST", "/api/users/tokens/create", admin.Token, map[string]any{"label": "fixture"}), http.StatusCreated).Body)
	var tokens []struct {
		TokenPrefix string `json:"token_prefix"`
	}
	decodeJSON(t, expect(t, call(t, "GET", "/api/users/tokens/list", admin.Token, nil), http.StatusOK).Body, &tokens)
	for _, tk := range tokens {
		if strings.HasPrefix(token, tk.TokenPrefix) {
			return me["username"].(string), tk.TokenPrefix
		}
	}
	t.Fatalf("the fixture's API token is not listed: %v", tokens)
	return "", ""
}

// fileMemberMail sends a mail with an attachment from the admin to the
// organization's address through the SES intake (every verdict passing)
// and returns the task it made and the mail's id.
func fileMemberMail(t testing.TB, a account) (string, string) {
	t.Helper()
	inbox := a.OrgKey + "@" + mailDomain
	id := ids.New()
	bucket := objects.Bucket{Client: stack.AWS.S3(), Name: "filesbucket"}
	if err := bucket.Put(context.Background(), "incoming/"+id, "message/rfc822", rawMail(a.Email, inbox, "Fixture mail", "Hello.", "attached")); err != nil {
		t.Fatal(err)
	}
	pass := map[string]string{"status": "PASS"}
	event, _ := json.Marshal(map[string]any{"Records": []any{map[string]any{
		"eventSource": "aws:ses", "eventVersion": "1.0",
		"ses": map[string]any{
			"mail": map[string]any{"messageId": id, "source": a.Email, "destination": []string{inbox}},
			"receipt": map[string]any{"recipients": []string{inbox}, "spamVerdict": pass, "virusVerdict": pass,
				"spfVerdict": pass, "dkimVerdict": pass, "dmarcVerdict": pass},
		},
	}}})
	out, err := stack.Invoke(context.Background(), "mailintake", event)
	if err != nil {
		t.Fatalf("invoke the intake: %v", err)
	}
	var outcomes []mailintake.Outcome
	decodeJSON(t, out, &outcomes)
	if len(outcomes) != 1 || outcomes[0].Filed == nil || outcomes[0].Filed.TaskID == "" {
		t.Fatalf("the fixture's mail was not filed: %s", out)
	}
	return outcomes[0].Filed.TaskID, outcomes[0].Filed.MailID
}

// routeParams maps every path parameter name of template.yaml's routes to
// the fixture's value for it. A route with a parameter not named here fails
// the walks: add the name (and a resource to the fixture) when a route with
// a new parameter is added. Dialects under other prefixes (/api/idp/v1,
// /v1, /v2, /api/w/{workspace}, /{tenant}/api/v1) add their names here too
// (a workspace or tenant is this organization's key or id).
func (f fixture) routeParams() map[string]string {
	return map[string]string{
		"organizationKey":    f.admin.OrgKey,
		"userId":             f.admin.UserID,
		"groupId":            f.group,
		"editorWorkflowId":   f.workflow,
		"versionId":          f.version,
		"activityId":         "review",
		"caseId":             f.caseID,
		"taskId":             f.task,
		"fieldId":            "amount",
		"fileId":             f.file,
		"mailId":             f.mail,
		"licenseId":          f.license,
		"profile":            "team",
		"inviteeMailAddress": f.invitee,
		"code":               f.registration,
		"providerKey":        "testidp",
		"workspace":          f.admin.OrgKey,
		"username":           f.username,
		"token_prefix":       f.tokenPrefix,
		"email":              f.admin.Email,
		"client_name":        "testidp",
		"tenant":             f.admin.OrgKey,
		"id":                 f.admin.UserID,
		"scope":              "walk",
		"key":                "walked",
		"credentialId":       "bm8tc3VjaC1jcmVkZW50aWFs",
		"serviceKey":         "http",
		"actionInstanceId":   "000000000000000000000000",
		"accountId":          f.account,
		"optionsKey":         "method",
		// 10Duke's (paramsFor gives its routes the UUID forms of the
		// organization, user and group).
		"organizationId": uuidForm(f.admin.OrgID),
		"roleId":         f.tdRole,
		"invitationId":   f.tdInvitation,
		"emailId":        f.tdEmail,
	}
}

// pathParam matches a route's parameter ("{name}", "{name+}").
var pathParam = regexp.MustCompile(`\{([^}]+)\}`)

// fillPath puts values into a route's path; an unknown parameter fails the
// test, naming the route. The mail task's mail is read through its own
// task.
func fillPath(t testing.TB, route string, params map[string]string) string {
	t.Helper()
	var missing []string
	path := pathParam.ReplaceAllStringFunc(route, func(m string) string {
		name := strings.TrimSuffix(m[1:len(m)-1], "+")
		v, ok := params[name]
		if !ok {
			missing = append(missing, name)
		}
		return v
	})
	if len(missing) > 0 {
		t.Fatalf("route %s has the path parameter(s) %v that the route walk does not know: add them to routeParams", route, missing)
	}
	return path
}

// paramsFor are the fixture's parameters for a route: a mail is read
// through the task it was filed to.
func (f fixture) paramsFor(route string) map[string]string {
	p := f.routeParams()
	if strings.Contains(route, "{mailId}") {
		p["taskId"] = f.mailTask
	}
	if strings.HasPrefix(route, "/v1/groups/{id}") {
		p["id"] = f.group
	}
	if strings.HasPrefix(route, tdBase+"/") {
		p["userId"], p["groupId"] = uuidForm(f.admin.UserID), uuidForm(f.group)
	}
	return p
}

// uuidForm is the UUID form of a core id (10Duke's ids).
func uuidForm(id string) string {
	u, _ := ids.ToUUID(id)
	return u
}
