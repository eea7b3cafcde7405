package e2e

import (
	"context"
	"encoding/json"
	"net/http"
	"reflect"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/guregu/dynamo/v2"

	"github.com/effektif-serverless/caseflow/shared/identity"
	"github.com/effektif-serverless/caseflow/shared/store"
	"github.com/effektif-serverless/caseflow/shared/store/workstore"
)

// waitingWorkflow waits a day on a timer, so that the timer index holds an
// entry of the organization.
const waitingWorkflow = `{"name": "Waiting", "enableCases": true,
  "activities": [{"type": "startEvent", "id": "s"},
    {"type": "timerEvent", "id": "wait", "due": {"type": "after", "duration": 1440, "durationUnit": "minutes"}},
    {"type": "endEvent", "id": "e"}],
  "transitions": [{"fromId": "s", "toId": "wait"}, {"fromId": "wait", "toId": "e"}]}`

func dataTable() dynamo.Table {
	return dynamo.NewFromIface(stack.AWS.DynamoDB()).Table("DataTable")
}

// tableKeys lists the keys of a partition (a Query, as the functions do).
func tableKeys(t testing.TB, pk string) []string {
	t.Helper()
	var items []struct {
		PK string `dynamo:"pk"`
		SK string `dynamo:"sk"`
	}
	if err := dataTable().Get("pk", pk).All(context.Background(), &items); err != nil {
		t.Fatal(err)
	}
	out := make([]string, len(items))
	for i, it := range items {
		out[i] = it.PK + " " + it.SK
	}
	return out
}

// objectKeys lists the S3 objects under a prefix.
func objectKeys(t testing.TB, prefix string) []string {
	t.Helper()
	out, err := stack.AWS.S3().ListObjectsV2(context.Background(), &s3.ListObjectsV2Input{Bucket: aws.String("filesbucket"), Prefix: aws.String(prefix)})
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, o := range out.Contents {
		keys = append(keys, aws.ToString(o.Key))
	}
	return keys
}

// footprint is everything stored of an organization, by where it is: its
// partition, the involvement lists of its principals, its cases' events,
// its timers, its invitations' registrations and SES messages, its files
// and its invitations' pictures. The names of the places are read while
// the organization exists (refs).
type footprint map[string][]string

type footprintRefs struct {
	orgID      string
	principals []string
	caseIDs    []string
	codeHashes []string
	sesIDs     []string
}

// refsOf reads, from the organization's partition, the ids its items name
// elsewhere.
func refsOf(t testing.TB, orgID string, principals ...string) footprintRefs {
	t.Helper()
	r := footprintRefs{orgID: orgID, principals: principals}
	var invs []struct {
		CodeHash, SESMessageID string
	}
	if err := dataTable().Get("pk", "ORG#"+orgID).Range("sk", dynamo.BeginsWith, "INVITE#").All(context.Background(), &invs); err != nil {
		t.Fatal(err)
	}
	for _, inv := range invs {
		r.codeHashes = append(r.codeHashes, inv.CodeHash)
		if inv.SESMessageID != "" {
			r.sesIDs = append(r.sesIDs, inv.SESMessageID)
		}
	}
	for _, k := range tableKeys(t, "ORG#"+orgID) {
		if _, sk, _ := strings.Cut(k, " "); strings.HasPrefix(sk, "CASE#") {
			r.caseIDs = append(r.caseIDs, strings.TrimPrefix(sk, "CASE#"))
		}
	}
	return r
}

func footprintOf(t testing.TB, r footprintRefs) footprint {
	t.Helper()
	f := footprint{"ORG#": tableKeys(t, "ORG#"+r.orgID), "files/": objectKeys(t, "files/"+r.orgID+"/")}
	for _, p := range r.principals {
		f["INV#"] = append(f["INV#"], tableKeys(t, "INV#"+r.orgID+"#"+p)...)
	}
	for _, c := range r.caseIDs {
		f["CASE#"] = append(f["CASE#"], tableKeys(t, "CASE#"+c)...)
	}
	for _, h := range r.codeHashes {
		f["REG#"] = append(f["REG#"], tableKeys(t, "REG#"+h)...)
		f["pictures/"] = append(f["pictures/"], objectKeys(t, identity.RegistrationPictureKey(h))...)
	}
	for _, id := range r.sesIDs {
		f["SESMSG#"] = append(f["SESMSG#"], tableKeys(t, "SESMSG#"+id)...)
	}
	var timers []struct {
		SK string `dynamo:"sk"`
	}
	if err := dataTable().Get("pk", "TIMERS").Filter("'OrganizationID' = ?", r.orgID).All(context.Background(), &timers); err != nil {
		t.Fatal(err)
	}
	for _, tm := range timers {
		f["TIMERS"] = append(f["TIMERS"], tm.SK)
	}
	return f
}

func (f footprint) empty() bool {
	for _, v := range f {
		if len(v) > 0 {
			return false
		}
	}
	return true
}

// purgeRun invokes the scheduled function and returns its purge report.
func purgeRun(t testing.TB) map[string]int {
	t.Helper()
	var r map[string]int
	if err := json.Unmarshal([]byte(runScheduled(t)), &r); err != nil {
		t.Fatal(err)
	}
	return r
}

// TestDeletedOrganizationIsPurged deletes an organization with workflows,
// versions, instances and a timer, cases with events, tasks in the
// involvement lists of users and a group, files (uploaded and attached to
// a mail), a mail, groups, licenses and an invitation with its
// registration and picture; runs the scheduled function until it reports
// the purge ended; and finds, by Query and S3 listing, nothing of that
// organization left, while another organization's data is untouched and
// further runs change nothing.
func TestDeletedOrganizationIsPurged(t *testing.T) {
	f := newFixture(t, "Purged")
	org := "/api/v1/" + f.admin.OrgKey
	a := f.admin.Token
	wf := publish(t, f.admin, waitingWorkflow)
	expect(t, call(t, "POST", org+"/engine/workflow/instances", a, map[string]any{"sourceWorkflowId": wf}), http.StatusOK)
	expect(t, call(t, "POST", org+"/tasks", a, map[string]any{"name": "For the team", "candidateGroupIds": []string{f.group}}), http.StatusOK)
	expect(t, call(t, "POST", org+"/cases/"+f.caseID+"/events", a, map[string]any{"name": "a comment"}), http.StatusOK)
	mails := mailsTo(t, f.invitee)
	if len(mails) == 0 {
		t.Fatal("no invitation mail")
	}
	code := codeInMail.FindStringSubmatch(mails[len(mails)-1].Body.Text)
	if code == nil {
		t.Fatalf("no code in the invitation: %q", mails[len(mails)-1].Body.Text)
	}
	pic := pictureUpload(t)
	expect(t, send(t, "POST", "/api/v1/registrations/"+code[1]+"/picture", "", pic.contentType, pic.body), http.StatusOK)

	// The other organization has data of the same kinds.
	other := f.outsider
	wo := publish(t, other, waitingWorkflow)
	expect(t, call(t, "POST", "/api/v1/"+other.OrgKey+"/engine/workflow/instances", other.Token, map[string]any{"sourceWorkflowId": wo}), http.StatusOK)
	expect(t, call(t, "POST", "/api/v1/"+other.OrgKey+"/tasks", other.Token, map[string]any{"name": "Mine"}), http.StatusOK)
	uploadFile(t, other, []byte(simpleBPMN))
	otherRefs := refsOf(t, other.OrgID, other.UserID)
	otherBefore := footprintOf(t, otherRefs)

	refs := refsOf(t, f.admin.OrgID, f.admin.UserID, f.member.UserID, "group:"+f.group)
	before := footprintOf(t, refs)
	for _, where := range []string{"ORG#", "INV#", "CASE#", "TIMERS", "REG#", "files/", "pictures/"} {
		if len(before[where]) == 0 {
			t.Fatalf("the organization has nothing in %s to purge: %v", where, before)
		}
	}

	expect(t, call(t, "DELETE", org, a, nil), http.StatusNoContent)
	if marker := tableKeys(t, "PURGE"); !contains(marker, "PURGE "+f.admin.OrgID) {
		t.Fatalf("no purge marker after the delete: %v", marker)
	}
	for run := 0; ; run++ {
		if run == 20 {
			t.Fatalf("the purge did not end in %d runs; left: %v", run, footprintOf(t, refs))
		}
		r := purgeRun(t)
		if !contains(tableKeys(t, "PURGE"), "PURGE "+f.admin.OrgID) {
			if r["organizationsPurged"] < 1 {
				t.Fatalf("the marker is gone but the run reported %v", r)
			}
			break
		}
	}
	if left := footprintOf(t, refs); !left.empty() {
		t.Fatalf("left of the deleted organization: %v", left)
	}
	// Running it again is harmless: nothing of the other organization
	// changes, nothing comes back.
	purgeRun(t)
	purgeRun(t)
	if left := footprintOf(t, refs); !left.empty() {
		t.Fatalf("after more runs, left of the deleted organization: %v", left)
	}
	if after := footprintOf(t, otherRefs); !reflect.DeepEqual(after, otherBefore) {
		t.Fatalf("the other organization changed:\nbefore %v\nafter  %v", otherBefore, after)
	}
	// The accounts outlive the organization; the members can still sign in.
	login := expect(t, call(t, "POST", "/api/v1/users/login", "", map[string]any{"emailAddress": f.member.Email, "password": f.member.Password}), http.StatusOK).JSON(t)
	for _, o := range login["organizations"].([]any) {
		if o.(map[string]any)["id"] == f.admin.OrgID {
			t.Fatalf("the member still belongs to the deleted organization: %v", login)
		}
	}
	expectError(t, call(t, "GET", org, a, nil), http.StatusNotFound)
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// TestPurgeResumesInSmallSteps drives the store's purge of a deleted
// organization three items at a time: every step stays within its budget,
// each one resumes where the last stopped, the objects its items name are
// handed over before the items go, and a step after the end is harmless.
func TestPurgeResumesInSmallSteps(t *testing.T) {
	a := signUp(t, "Purged In Steps")
	org := "/api/v1/" + a.OrgKey
	wf := publish(t, a, waitingWorkflow)
	for i := 0; i < 3; i++ {
		expect(t, call(t, "POST", org+"/engine/workflow/instances", a.Token, map[string]any{"sourceWorkflowId": wf}), http.StatusOK)
		expect(t, call(t, "POST", org+"/tasks", a.Token, map[string]any{"name": "Task"}), http.StatusOK)
	}
	expect(t, call(t, "POST", org+"/users", a.Token, map[string]any{"emailAddress": uniqueEmail("invited")}), http.StatusOK)
	refs := refsOf(t, a.OrgID, a.UserID)
	if before := footprintOf(t, refs); len(before["ORG#"]) < 10 || len(before["TIMERS"]) != 3 || len(before["REG#"]) != 1 {
		t.Fatalf("not the footprint expected: %v", before)
	}
	expect(t, call(t, "DELETE", org, a.Token, nil), http.StatusNoContent)
	db := workstore.New(store.New(stack.AWS.DynamoDB(), "DataTable"))
	ctx := context.Background()
	var objects []string
	collect := func(_ context.Context, keys []string) error { objects = append(objects, keys...); return nil }
	steps := 0
	for {
		removed, done, err := db.PurgeStep(ctx, a.OrgID, 3, collect)
		if err != nil {
			t.Fatal(err)
		}
		if removed > 3 {
			t.Fatalf("a step of budget 3 removed %d items", removed)
		}
		steps++
		if done {
			break
		}
		if steps > 100 {
			t.Fatalf("no end after %d steps; left %v", steps, footprintOf(t, refs))
		}
	}
	if steps < 5 {
		t.Fatalf("the purge took %d steps of 3 items; the budget was not kept", steps)
	}
	if left := footprintOf(t, refs); !left.empty() {
		t.Fatalf("left after the steps: %v", left)
	}
	// (an item whose step ran out of budget hands its objects over again)
	for _, o := range objects {
		if o != identity.RegistrationPictureKey(refs.codeHashes[0]) {
			t.Fatalf("objects handed over: %v", objects)
		}
	}
	if len(objects) == 0 {
		t.Fatal("the invitation's picture was not handed over")
	}
	if removed, done, err := db.PurgeStep(ctx, a.OrgID, 3, collect); removed != 0 || !done || err != nil {
		t.Fatalf("a step after the end: %d %v %v", removed, done, err)
	}
}
