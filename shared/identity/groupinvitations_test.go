package identity_test

import (
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/effektif-serverless/caseflow/shared/failure"
	"github.com/effektif-serverless/caseflow/shared/identity"
	"github.com/effektif-serverless/caseflow/shared/ids"
)

const welcome = "https://app.example.com/welcome?key=${key}"

// groupOrg is an organization with an admin, a plain member and two
// groups.
type groupOrg struct {
	org          identity.Organization
	admin        identity.User
	member       identity.User
	sales, infra identity.Group
}

func (w *world) groupOrg(name string) groupOrg {
	w.t.Helper()
	o, admin := w.org(name)
	member := w.member(o, admin, "member."+strings.ToLower(name)+"@example.com")
	a := w.in(admin.ID, o.Key)
	sales, err := w.svc.CreateGroup(w.ctx, a, identity.GroupChanges{Name: ptr("Sales")})
	w.ok(err, "create group")
	infra, err := w.svc.CreateGroup(w.ctx, a, identity.GroupChanges{Name: ptr("Infra")})
	w.ok(err, "create group")
	return groupOrg{org: o, admin: admin, member: member, sales: sales, infra: infra}
}

// invite creates and sends an invitation of the address into the groups
// and answers it with the token mailed.
func (w *world) invite(g groupOrg, email string, groups ...identity.Group) (identity.GroupInvitation, string) {
	w.t.Helper()
	a := w.in(g.admin.ID, g.org.Key)
	var gids []string
	for _, gr := range groups {
		gids = append(gids, gr.ID)
	}
	inv, err := w.svc.CreateGroupInvitation(w.ctx, a, identity.NewGroupInvitation{Email: email, GroupIDs: gids, InviterName: "Ann Admin", RecipientName: "Vic"})
	w.ok(err, "create group invitation")
	inv, err = w.svc.SendGroupInvitation(w.ctx, a, inv.ID, welcome)
	w.ok(err, "send group invitation")
	return inv, w.welcomeToken(email)
}

// welcomeToken is the key in the link of the latest mail to the address.
func (w *world) welcomeToken(email string) string {
	w.t.Helper()
	ms := w.mail.to(email)
	if len(ms) == 0 {
		w.t.Fatalf("no mail to %s", email)
	}
	for _, line := range strings.Split(ms[len(ms)-1].Text, "\n") {
		if strings.HasPrefix(line, "https://app.example.com/welcome?key=") {
			u, err := url.Parse(line)
			w.ok(err, "parse link")
			return u.Query().Get("key")
		}
	}
	w.t.Fatalf("no welcome link in %q", ms[len(ms)-1].Text)
	return ""
}

func TestGroupInvitationPermissions(t *testing.T) {
	w := newWorld(t)
	g := w.groupOrg("Perm")
	stranger := w.account("stranger@example.com")
	other := w.groupOrg("Other")
	asMember := w.in(g.member.ID, g.org.Key)
	n := identity.NewGroupInvitation{Email: "x@example.com", GroupIDs: []string{g.sales.ID}}
	_, err := w.svc.CreateGroupInvitation(w.ctx, asMember, n)
	w.fails(err, failure.Forbidden, "a member creates")
	_, err = w.svc.Resolve(w.ctx, identity.Caller{UserID: stranger.ID}, g.org.Key)
	w.fails(err, failure.NotFound, "a stranger resolves the organization")
	inv, _ := w.invite(g, "x@example.com", g.sales)
	for what, err := range map[string]error{
		"member reads":   func() error { _, err := w.svc.GroupInvitation(w.ctx, asMember, inv.ID); return err }(),
		"member sends":   func() error { _, err := w.svc.SendGroupInvitation(w.ctx, asMember, inv.ID, welcome); return err }(),
		"member revokes": func() error { _, err := w.svc.RevokeGroupInvitation(w.ctx, asMember, inv.ID); return err }(),
		"member deletes": w.svc.DeleteGroupInvitation(w.ctx, asMember, inv.ID),
		"member lists": func() error {
			_, err := w.svc.GroupInvitations(w.ctx, asMember, identity.GroupInvitationOpen, 0, 0)
			return err
		}(),
	} {
		w.fails(err, failure.Forbidden, what)
	}
	// Another organization's admin sees nothing of it, nor may use its groups.
	otherAdmin := w.in(other.admin.ID, other.org.Key)
	_, err = w.svc.GroupInvitation(w.ctx, otherAdmin, inv.ID)
	w.fails(err, failure.NotFound, "another admin reads")
	_, err = w.svc.RevokeGroupInvitation(w.ctx, otherAdmin, inv.ID)
	w.fails(err, failure.NotFound, "another admin revokes")
	_, err = w.svc.CreateGroupInvitation(w.ctx, otherAdmin, n)
	w.fails(err, failure.Invalid, "another organization's group")
	orgID, err := w.svc.GroupInvitationOrganization(w.ctx, inv.ID)
	w.ok(err, "organization of the id")
	if orgID != g.org.ID {
		t.Fatalf("organization %s", orgID)
	}
	l, err := w.svc.GroupInvitations(w.ctx, w.in(g.admin.ID, g.org.Key), identity.GroupInvitationOpen, 0, 0)
	w.ok(err, "admin lists")
	if len(l) != 1 || l[0].ID != inv.ID || l[0].Delivery != identity.GroupDeliveryRequested {
		t.Fatalf("open: %+v", l)
	}
	_, err = w.svc.GroupInvitations(w.ctx, w.in(g.admin.ID, g.org.Key), "created", 0, 0)
	w.fails(err, failure.Invalid, "an unknown state")
}

func TestGroupInvitationInputs(t *testing.T) {
	w := newWorld(t)
	g := w.groupOrg("Inputs")
	a := w.in(g.admin.ID, g.org.Key)
	for what, n := range map[string]identity.NewGroupInvitation{
		"too many groups": {Email: "a@example.com", GroupIDs: manyIDs(identity.MaxGroupInvitationGroups + 1)},
		"a bad address":   {Email: "Ann <a@example.com>", GroupIDs: []string{g.sales.ID}},
		"an unknown id":   {Email: "a@example.com", GroupIDs: []string{"nope"}},
		"a bad own id":    {ID: "x", Email: "a@example.com", GroupIDs: []string{g.sales.ID}},
		"control in name": {Email: "a@example.com", GroupIDs: []string{g.sales.ID}, InviterName: "a\x00b"},
	} {
		_, err := w.svc.CreateGroupInvitation(w.ctx, a, n)
		w.fails(err, failure.Invalid, what)
	}
	inv, err := w.svc.CreateGroupInvitation(w.ctx, a, identity.NewGroupInvitation{Email: "a@example.com", GroupIDs: []string{g.sales.ID, g.sales.ID}})
	w.ok(err, "create")
	if len(inv.GroupIDs) != 1 || inv.State != identity.GroupInvitationOpen {
		t.Fatalf("created: %+v", inv)
	}
	_, err = w.svc.CreateGroupInvitation(w.ctx, a, identity.NewGroupInvitation{ID: inv.ID, Email: "b@example.com", GroupIDs: []string{g.sales.ID}})
	if err != identity.ErrGroupInvitationExists {
		t.Fatalf("a taken id: %v", err)
	}
	for _, bad := range []string{
		"https://app.example.com/welcome",                // no key
		"https://app.example.com/${key}/${key}",          // twice
		"http://app.example.com/welcome?key=${key}",      // http to a public host
		"javascript:alert(1)//${key}",                    // not http(s)
		"https://${key}.evil.example/",                   // key in the host
		"https://app.example.com@evil.example/?k=${key}", // user info
		"https://10.0.0.1/?k=${key}",                     // an IP literal
		"//app.example.com/?k=${key}",                    // not absolute
		"https://app.example.com/?k=${key} more",         // a space
	} {
		_, err := w.svc.SendGroupInvitation(w.ctx, a, inv.ID, bad)
		w.fails(err, failure.Invalid, "template "+bad)
	}
	if len(w.mail.to("a@example.com")) != 0 {
		t.Fatal("a refused template sent mail")
	}
	for _, good := range []string{welcome, "http://localhost:3000/accept#${key}", "https://app.example.com/i/${key}?x=1"} {
		_, err := w.svc.SendGroupInvitation(w.ctx, a, inv.ID, good)
		w.ok(err, "template "+good)
	}
}

func TestGroupInvitationMail(t *testing.T) {
	w := newWorld(t)
	g := w.groupOrg("MailOrg")
	inv, token := w.invite(g, "Vic@Example.com", g.sales)
	ms := w.mail.to("vic@example.com")
	if len(ms) != 1 || token == "" || strings.Contains(inv.TokenHash, token) {
		t.Fatalf("mails %d, token %q", len(ms), token)
	}
	text := ms[0].Text
	for _, want := range []string{"MailOrg", "Ann Admin", "app.example.com", "which the organization chose"} {
		if !strings.Contains(text, want) {
			t.Fatalf("mail lacks %q: %s", want, text)
		}
	}
	// A second send replaces the token: the first stops working.
	a := w.in(g.admin.ID, g.org.Key)
	_, err := w.svc.SendGroupInvitation(w.ctx, a, inv.ID, welcome)
	w.ok(err, "send again")
	second := w.welcomeToken("vic@example.com")
	if second == token {
		t.Fatal("the same token twice")
	}
	vic := w.account("vic@example.com")
	_, err = w.svc.AcceptGroupInvitation(w.ctx, vic.ID, token)
	w.fails(err, failure.NotFound, "the replaced token")
	_, err = w.svc.AcceptGroupInvitation(w.ctx, vic.ID, second)
	w.ok(err, "the latest token")
	_, err = w.svc.SendGroupInvitation(w.ctx, a, inv.ID, welcome)
	w.fails(err, failure.Gone, "send an accepted invitation")
}

func TestGroupInvitationAcceptJoinsOrganizationAndGroups(t *testing.T) {
	w := newWorld(t)
	g := w.groupOrg("Join")
	vic := w.account("vic@example.com")
	inv, token := w.invite(g, "VIC@example.com", g.sales, g.infra)
	_, err := w.svc.AcceptGroupInvitation(w.ctx, "", token)
	w.fails(err, failure.Unauthenticated, "accept signed out")
	eve := w.account("eve@example.com")
	_, err = w.svc.AcceptGroupInvitation(w.ctx, eve.ID, token)
	w.fails(err, failure.Forbidden, "another account with the token")
	_, err = w.svc.AcceptGroupInvitation(w.ctx, vic.ID, "not-a-token")
	w.fails(err, failure.NotFound, "an unknown token")
	mine, err := w.svc.GroupInvitationsToMe(w.ctx, vic.ID, identity.GroupInvitationOpen, 0, 0)
	w.ok(err, "my open invitations")
	if len(mine) != 1 || mine[0].ID != inv.ID {
		t.Fatalf("mine: %+v", mine)
	}
	done, err := w.svc.AcceptGroupInvitation(w.ctx, vic.ID, token)
	w.ok(err, "accept")
	if done.State != identity.GroupInvitationAccepted || done.AcceptedBy != vic.ID || !done.AcceptedAt.Equal(w.now) {
		t.Fatalf("accepted: %+v", done)
	}
	m := w.membership(g.org, vic.ID)
	if m.Role != identity.RoleMember || len(m.GroupIDs) != 2 || m.Username == "" {
		t.Fatalf("membership: %+v", m)
	}
	for _, gr := range []identity.Group{g.sales, g.infra} {
		got, err := w.store.GetGroup(w.ctx, g.org.ID, gr.ID)
		w.ok(err, "read group")
		if len(got.UserIDs) != 1 || got.UserIDs[0] != vic.ID {
			t.Fatalf("group %s: %+v", gr.Name, got.UserIDs)
		}
	}
	_, err = w.svc.AcceptGroupInvitation(w.ctx, vic.ID, token)
	w.fails(err, failure.Gone, "a second accept")
	if l, _ := w.svc.GroupInvitationsToMe(w.ctx, vic.ID, identity.GroupInvitationAccepted, 0, 0); len(l) != 1 {
		t.Fatalf("my accepted: %+v", l)
	}
	// A member is added to the groups they lack, and stays a member.
	inv2, token2 := w.invite(g, g.member.Email, g.infra)
	_ = inv2
	_, err = w.svc.AcceptGroupInvitation(w.ctx, g.member.ID, token2)
	w.ok(err, "a member accepts")
	if m := w.membership(g.org, g.member.ID); len(m.GroupIDs) != 1 || m.GroupIDs[0] != g.infra.ID {
		t.Fatalf("member's groups: %+v", m.GroupIDs)
	}
	// A group deleted since the invitation is skipped.
	a := w.in(g.admin.ID, g.org.Key)
	zed := w.account("zed@example.com")
	_, token3 := w.invite(g, "zed@example.com", g.sales, g.infra)
	w.ok(w.svc.DeleteGroup(w.ctx, a, g.sales.ID), "delete a group")
	_, err = w.svc.AcceptGroupInvitation(w.ctx, zed.ID, token3)
	w.ok(err, "accept with a deleted group")
	if m := w.membership(g.org, zed.ID); len(m.GroupIDs) != 1 || m.GroupIDs[0] != g.infra.ID {
		t.Fatalf("zed's groups: %+v", m.GroupIDs)
	}
}

func TestGroupInvitationRevokedAndDeclinedTokensRefused(t *testing.T) {
	w := newWorld(t)
	g := w.groupOrg("Close")
	a := w.in(g.admin.ID, g.org.Key)
	vic := w.account("vic@example.com")
	inv, token := w.invite(g, "vic@example.com", g.sales)
	revoked, err := w.svc.RevokeGroupInvitation(w.ctx, a, inv.ID)
	w.ok(err, "revoke")
	if revoked.State != identity.GroupInvitationRevoked || revoked.RevokedAt.IsZero() {
		t.Fatalf("revoked: %+v", revoked)
	}
	_, err = w.svc.RevokeGroupInvitation(w.ctx, a, inv.ID)
	w.fails(err, failure.Gone, "revoke twice")
	_, err = w.svc.AcceptGroupInvitation(w.ctx, vic.ID, token)
	w.fails(err, failure.Gone, "accept a revoked")
	_, err = w.svc.DeclineGroupInvitation(w.ctx, "", token)
	w.fails(err, failure.Gone, "decline a revoked")
	if _, m, _ := w.store.UserInOrganization(w.ctx, g.org.ID, vic.ID); m != nil {
		t.Fatal("a revoked invitation joined")
	}

	inv2, token2 := w.invite(g, "vic@example.com", g.sales)
	eve := w.account("eve@example.com")
	_, err = w.svc.DeclineGroupInvitation(w.ctx, eve.ID, token2)
	w.fails(err, failure.Forbidden, "another signed-in account declines")
	declined, err := w.svc.DeclineGroupInvitation(w.ctx, "", token2)
	w.ok(err, "decline by the token alone")
	if declined.State != identity.GroupInvitationDeclined || declined.DeclinedAt.IsZero() {
		t.Fatalf("declined: %+v", declined)
	}
	_, err = w.svc.DeclineGroupInvitation(w.ctx, "", token2)
	w.fails(err, failure.Gone, "decline twice")
	_, err = w.svc.AcceptGroupInvitation(w.ctx, vic.ID, token2)
	w.fails(err, failure.Gone, "accept a declined")
	_, err = w.svc.RevokeGroupInvitation(w.ctx, a, inv2.ID)
	w.fails(err, failure.Gone, "revoke a declined")

	// Lists by state; delete removes any state.
	for state, want := range map[string]int{identity.GroupInvitationOpen: 0, identity.GroupInvitationRevoked: 1, identity.GroupInvitationDeclined: 1} {
		l, err := w.svc.GroupInvitations(w.ctx, a, state, 0, 0)
		w.ok(err, "list "+state)
		if len(l) != want {
			t.Fatalf("%s: %+v", state, l)
		}
	}
	w.ok(w.svc.DeleteGroupInvitation(w.ctx, a, inv2.ID), "delete a declined")
	_, err = w.svc.GroupInvitation(w.ctx, a, inv2.ID)
	w.fails(err, failure.NotFound, "read deleted")
	_, err = w.svc.DeclineGroupInvitation(w.ctx, "", token2)
	w.fails(err, failure.NotFound, "the deleted invitation's token")

	// An expired token is refused.
	_, token3 := w.invite(g, "vic@example.com", g.sales)
	w.now = w.now.Add(identity.GroupInvitationTTL + time.Minute)
	_, err = w.svc.AcceptGroupInvitation(w.ctx, vic.ID, token3)
	w.fails(err, failure.Gone, "an expired token")
}

func TestGroupInvitationConcurrentAcceptsOneWins(t *testing.T) {
	w := newWorld(t)
	g := w.groupOrg("Race")
	vic := w.account("vic@example.com")
	inv, token := w.invite(g, "vic@example.com", g.sales, g.infra)
	const n = 12
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if i%3 == 2 {
				_, errs[i] = w.svc.DeclineGroupInvitation(w.ctx, "", token)
			} else {
				_, errs[i] = w.svc.AcceptGroupInvitation(w.ctx, vic.ID, token)
			}
		}()
	}
	wg.Wait()
	won := 0
	for i, err := range errs {
		switch {
		case err == nil:
			won++
		case !failure.Is(err, failure.Gone):
			t.Fatalf("call %d: %v, want Gone", i, err)
		}
	}
	if won != 1 {
		t.Fatalf("%d calls won: %v", won, errs)
	}
	got, err := w.svc.GroupInvitation(w.ctx, w.in(g.admin.ID, g.org.Key), inv.ID)
	w.ok(err, "read")
	_, m, _ := w.store.UserInOrganization(w.ctx, g.org.ID, vic.ID)
	switch got.State {
	case identity.GroupInvitationAccepted:
		if m == nil || len(m.GroupIDs) != 2 {
			t.Fatalf("accepted, membership %+v", m)
		}
	case identity.GroupInvitationDeclined:
		if m != nil {
			t.Fatalf("declined, yet a member: %+v", m)
		}
	default:
		t.Fatalf("state %s", got.State)
	}
}

func TestGroupInvitationLinkIsNotMailed(t *testing.T) {
	w := newWorld(t)
	g := w.groupOrg("Linked")
	a := w.in(g.admin.ID, g.org.Key)
	invitee := w.account("linked@example.com")
	inv, err := w.svc.CreateGroupInvitation(w.ctx, a, identity.NewGroupInvitation{Email: invitee.Email, GroupIDs: []string{g.sales.ID}})
	w.ok(err, "create")
	_, _, err = w.svc.GroupInvitationLink(w.ctx, w.in(g.member.ID, g.org.Key), inv.ID, welcome)
	w.fails(err, failure.Forbidden, "a member's link")
	first, link, err := w.svc.GroupInvitationLink(w.ctx, a, inv.ID, welcome)
	w.ok(err, "link")
	if first.Delivery != "" || first.Sends != 0 || len(w.mail.to(invitee.Email)) != 0 {
		t.Errorf("a link was delivered: %+v", first)
	}
	u, err := url.Parse(link)
	w.ok(err, "parse link")
	_, link2, err := w.svc.GroupInvitationLink(w.ctx, a, inv.ID, welcome)
	w.ok(err, "second link")
	u2, _ := url.Parse(link2)
	_, err = w.svc.AcceptGroupInvitation(w.ctx, invitee.ID, u.Query().Get("key"))
	w.fails(err, failure.NotFound, "the replaced link")
	done, err := w.svc.AcceptGroupInvitation(w.ctx, invitee.ID, u2.Query().Get("key"))
	w.ok(err, "accept by the latest link")
	if done.State != identity.GroupInvitationAccepted {
		t.Errorf("state %q", done.State)
	}
}

// manyIDs makes n fresh ids.
func manyIDs(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = ids.New()
	}
	return out
}

func TestGroupInvitationAcceptAndDeclineByLink(t *testing.T) {
	w := newWorld(t)
	g := w.groupOrg("ByLink")
	a := w.in(g.admin.ID, g.org.Key)
	invitee := w.account("bylink@example.com")
	const tmpl = "https://app.example.com/w?key=${key}&x=1"
	// No groups: an invitation into the organization only.
	inv, err := w.svc.CreateGroupInvitation(w.ctx, a, identity.NewGroupInvitation{Email: invitee.Email})
	w.ok(err, "create without groups")
	other, err := w.svc.CreateGroupInvitation(w.ctx, a, identity.NewGroupInvitation{Email: invitee.Email, GroupIDs: []string{g.sales.ID}})
	w.ok(err, "create another")
	_, link, err := w.svc.GroupInvitationLink(w.ctx, a, inv.ID, tmpl)
	w.ok(err, "link")
	_, otherLink, err := w.svc.GroupInvitationLink(w.ctx, a, other.ID, tmpl)
	w.ok(err, "other link")
	if got, _ := w.svc.GroupInvitation(w.ctx, a, inv.ID); got.WelcomeTemplate != tmpl {
		t.Errorf("template %q", got.WelcomeTemplate)
	}
	for what, landed := range map[string]string{
		"another invitation's link": otherLink,
		"a wrong key":               "https://app.example.com/w?key=nope&x=1",
		"another template":          "https://evil.example.com/w?key=x&x=1",
		"the template itself":       tmpl,
	} {
		_, err := w.svc.AcceptGroupInvitationLink(w.ctx, invitee.ID, inv.ID, landed)
		w.fails(err, failure.NotFound, what)
	}
	_, err = w.svc.AcceptGroupInvitationLink(w.ctx, g.member.ID, inv.ID, link)
	w.fails(err, failure.Forbidden, "another address")
	done, err := w.svc.AcceptGroupInvitationLink(w.ctx, invitee.ID, inv.ID, link)
	w.ok(err, "accept by link")
	if done.State != identity.GroupInvitationAccepted {
		t.Errorf("state %q", done.State)
	}
	w.membership(g.org, invitee.ID)
	_, err = w.svc.DeclineGroupInvitationLink(w.ctx, invitee.ID, inv.ID, link)
	w.fails(err, failure.Gone, "decline after accept")
	dec, err := w.svc.DeclineGroupInvitationLink(w.ctx, invitee.ID, other.ID, otherLink)
	w.ok(err, "decline the other")
	if dec.State != identity.GroupInvitationDeclined {
		t.Errorf("state %q", dec.State)
	}
}
