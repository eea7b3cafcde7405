// Package seed makes a demo organization on a running stack, through its
// APIs as any client would: an admin, a member, a group, a published
// workflow with a case whose tasks are open, and a standalone task. The
// mailed codes are read from the local SES emulator's store. `make seed`
// runs it against `make run`'s stack and prints how to log in.
package seed

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strings"
	"time"
)

// The demo's accounts. The passwords are public: the demo is for this
// machine.
const (
	AdminEmail       = "admin@demo.example"
	MemberEmail      = "member@demo.example"
	Password         = "demo password 123"
	OrganizationName = "Demo Company"
)

// Demo is what Run made (or found).
type Demo struct {
	OrganizationKey string
	AdminToken      string
	MemberToken     string
	GroupID         string
	WorkflowID      string
	CaseID          string
	// Existing tells that the demo was there already (nothing new made).
	Existing bool
}

// workflow is the demo process: a review by the support group, then an
// approval by the admin.
const workflow = `{"name": "Support request", "enableCases": true,
  "variables": [{"id": "topic", "type": {"name": "text"}}],
  "activities": [
    {"type": "startEvent", "id": "start"},
    {"type": "userTask", "id": "review", "name": "Review the request", "candidateGroupIds": [{"value": "%s"}]},
    {"type": "userTask", "id": "approve", "name": "Approve the answer", "assigneeId": {"value": "%s"}},
    {"type": "endEvent", "id": "end"}],
  "transitions": [{"fromId": "start", "toId": "review"}, {"fromId": "review", "toId": "approve"}, {"fromId": "approve", "toId": "end"}]}`

// client calls the stack.
type client struct {
	ctx          context.Context
	gateway, ses string
}

// Run makes the demo on the stack whose gateway and SES emulator are at
// the URLs; when the demo admin exists already it logs in and answers the
// existing demo.
func Run(ctx context.Context, gatewayURL, sesURL string) (Demo, error) {
	c := client{ctx: ctx, gateway: strings.TrimRight(gatewayURL, "/"), ses: strings.TrimRight(sesURL, "/")}
	if login, err := c.login(AdminEmail); err == nil {
		return c.existing(login)
	}
	var d Demo
	if err := c.do("POST", "/api/v1/registrations", "", map[string]any{"emailAddress": AdminEmail, "firstName": "Ada",
		"lastName": "Admin", "organizationName": OrganizationName}, nil); err != nil {
		return d, err
	}
	var admin loginResponse
	if err := c.activate(AdminEmail, &admin); err != nil {
		return d, err
	}
	d.AdminToken = admin.Token
	if len(admin.Organizations) == 0 {
		return d, fmt.Errorf("the demo admin has no organization")
	}
	d.OrganizationKey = admin.Organizations[0].Key
	org := "/api/v1/" + d.OrganizationKey
	if err := c.do("POST", org+"/users", d.AdminToken, map[string]any{"emailAddress": MemberEmail, "firstName": "Max", "lastName": "Member"}, nil); err != nil {
		return d, err
	}
	var member loginResponse
	if err := c.activate(MemberEmail, &member); err != nil {
		return d, err
	}
	d.MemberToken = member.Token
	var group struct{ ID string }
	if err := c.do("POST", org+"/groups", d.AdminToken, map[string]any{"name": "Support", "userIds": []string{member.User.ID}}, &group); err != nil {
		return d, err
	}
	d.GroupID = group.ID
	var wf struct{ ID string }
	if err := c.do("POST", org+"/workflows", d.AdminToken, json.RawMessage(fmt.Sprintf(workflow, group.ID, admin.User.ID)), &wf); err != nil {
		return d, err
	}
	d.WorkflowID = wf.ID
	var version struct{ ID string }
	if err := c.do("POST", org+"/workflows/"+wf.ID+"/versions", d.AdminToken, map[string]any{"commitMessage": "the demo"}, &version); err != nil {
		return d, err
	}
	if err := c.do("POST", org+"/workflows/"+wf.ID+"/versions/"+version.ID+"/publish", d.AdminToken, nil, nil); err != nil {
		return d, err
	}
	var inst struct{ CaseID string }
	if err := c.do("POST", org+"/engine/workflow/instances", d.AdminToken, map[string]any{"sourceWorkflowId": wf.ID,
		"data": map[string]any{"topic": "The printer is on fire"}}, &inst); err != nil {
		return d, err
	}
	d.CaseID = inst.CaseID
	if err := c.do("POST", org+"/tasks", d.AdminToken, map[string]any{"name": "Welcome Max to the team", "assigneeId": member.User.ID}, nil); err != nil {
		return d, err
	}
	return d, nil
}

// existing answers the demo made by an earlier run.
func (c client) existing(admin loginResponse) (Demo, error) {
	d := Demo{Existing: true, AdminToken: admin.Token}
	for _, o := range admin.Organizations {
		if o.Name == OrganizationName {
			d.OrganizationKey = o.Key
		}
	}
	if d.OrganizationKey == "" {
		return d, fmt.Errorf("%s exists but is in no organization named %q: run make reset first", AdminEmail, OrganizationName)
	}
	member, err := c.login(MemberEmail)
	if err != nil {
		return d, fmt.Errorf("the demo member cannot log in: %w", err)
	}
	d.MemberToken = member.Token
	return d, nil
}

type loginResponse struct {
	Token string `json:"token"`
	User  struct {
		ID string `json:"id"`
	} `json:"user"`
	Organizations []struct {
		Key  string `json:"key"`
		Name string `json:"name"`
	} `json:"organizations"`
}

func (c client) login(email string) (loginResponse, error) {
	var l loginResponse
	err := c.do("POST", "/api/v1/users/login", "", map[string]any{"emailAddress": email, "password": Password}, &l)
	return l, err
}

// activationLink finds a registration or invitation code in a mail.
var activationLink = regexp.MustCompile(`/pages/activate#([A-Za-z0-9_-]{22})`)

// activate activates the latest code mailed to the address with the
// demo password.
func (c client) activate(email string, login *loginResponse) error {
	code, err := c.mailedCode(email)
	if err != nil {
		return err
	}
	return c.do("POST", "/api/v1/registrations/"+code+"/activate", "", map[string]any{"password": Password}, login)
}

// mailedCode reads the latest activation code mailed to the address from
// the SES emulator's store, waiting a little for the mail.
func (c client) mailedCode(email string) (string, error) {
	for attempt := 0; attempt < 50; attempt++ {
		var store struct {
			Emails []struct {
				Destination struct {
					To []string `json:"to"`
				} `json:"destination"`
				Body struct {
					Text string `json:"text"`
				} `json:"body"`
			} `json:"emails"`
		}
		if err := c.get(c.ses+"/store", &store); err != nil {
			return "", fmt.Errorf("read the sent mail: %w", err)
		}
		for i := len(store.Emails) - 1; i >= 0; i-- {
			m := store.Emails[i]
			for _, to := range m.Destination.To {
				if strings.EqualFold(to, email) {
					if code := activationLink.FindStringSubmatch(m.Body.Text); code != nil {
						return code[1], nil
					}
				}
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	return "", fmt.Errorf("no activation mail to %s", email)
}

func (c client) get(url string, into any) error {
	req, err := http.NewRequestWithContext(c.ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	return json.NewDecoder(res.Body).Decode(into)
}

// do sends a JSON request to the gateway and decodes a 2xx answer into
// into (when not nil); another status is an error with the answer.
func (c client) do(method, path, token string, body, into any) error {
	var r io.Reader
	if body != nil {
		raw, err := json.Marshal(body)
		if err != nil {
			return err
		}
		r = bytes.NewReader(raw)
	}
	req, err := http.NewRequestWithContext(c.ctx, method, c.gateway+path, r)
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("%s %s: %w (is make run up?)", method, path, err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(io.LimitReader(res.Body, 1<<20))
	if res.StatusCode/100 != 2 {
		return fmt.Errorf("%s %s: %d %s", method, path, res.StatusCode, bytes.TrimSpace(raw))
	}
	if into == nil {
		return nil
	}
	return json.Unmarshal(raw, into)
}

// Print tells how to use the demo.
func Print(w io.Writer, gatewayURL string, d Demo) {
	if d.Existing {
		fmt.Fprintln(w, "The demo organization exists already (make reset starts empty):")
	} else {
		fmt.Fprintln(w, "Made the demo organization:")
	}
	fmt.Fprintf(w, "  organization  %s (key %s)\n", OrganizationName, d.OrganizationKey)
	fmt.Fprintf(w, "  admin         %s\n  member        %s   (both with the password %q)\n", AdminEmail, MemberEmail, Password)
	fmt.Fprintf(w, "\nLog in and look around:\n")
	fmt.Fprintf(w, "  TOKEN=$(curl -s -XPOST %s/api/v1/users/login -H 'Content-Type: application/json' \\\n", gatewayURL)
	fmt.Fprintf(w, "    -d '{\"emailAddress\":\"%s\",\"password\":\"%s\"}' | jq -r .token)\n", MemberEmail, Password)
	fmt.Fprintf(w, "  curl -s %s/api/v1/%s/tasks -H \"Authorization: Bearer $TOKEN\"        # the member's open tasks\n", gatewayURL, d.OrganizationKey)
	fmt.Fprintf(w, "  curl -s %s/api/v1/%s/cases -H \"Authorization: Bearer $TOKEN\"        # the cases\n", gatewayURL, d.OrganizationKey)
}
