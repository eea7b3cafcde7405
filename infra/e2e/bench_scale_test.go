package e2e

import (
	"github.com/effektif-serverless/caseflow/shared/secret/password"

	"context"
	"fmt"
	"net/http"
	"os"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/effektif-serverless/caseflow/shared/casework"
	"github.com/effektif-serverless/caseflow/shared/ids"
	"github.com/effektif-serverless/caseflow/shared/store"
	"github.com/effektif-serverless/caseflow/shared/store/workstore"
)

// BenchmarkScale (make bench-scale) shows whether the requests of one
// tenant stay flat as the table grows and as the tenant's own data grows.
// It runs only with CASEFLOW_BENCH_SCALE=1 (it loads a million objects);
// CASEFLOW_BENCH_SCALE_ITEMS is the number of cases and tasks of the other
// tenants at the end (default 1,000,000, across scaleOrgs organizations),
// CASEFLOW_BENCH_SCALE_ROUNDS the rounds of each measurement (default 30),
// CASEFLOW_BENCH_SCALE_WRITERS the goroutines that load (default 4).
//
//  1. The callers are real accounts, signed up through the gateway: the
//     tenant (20 tasks assigned to its admin, 20 cases, one of them a
//     workflow instance's), and two organizations for the filtered lists.
//  2. The other tenants' cases and tasks are written with workstore's Load
//     (batch writes, the items Commit writes) under the ids of scaleOrgs
//     organizations that exist nowhere else: first scaleSmall of them, then
//     the rest.
//  3. At the small size, and again at the full size, it times through the
//     gateway list tasks, get case, list cases and login of the tenant,
//     the four interleaved with two controls (scaleControls), ROUNDS
//     rounds, and reports the ratio of the medians (full over small). The
//     two sizes are measured one after the other (one table cannot hold
//     both): the controls' ratios show how much of a ratio is the
//     machine's other load or DynamoDB Local's own slowing.
//  4. At the full size it times the filtered lists (closed cases, cases of
//     one workflow, events of one type) of an organization with
//     scaleFiltered cases (and a case with as many events) against the same
//     of one with scaleFew, interleaved, each answering the same ten items,
//     and reports the ratio of the medians (large over small).
//
// It is a benchmark that reports, not a test with a threshold: it fails
// only when a request fails or answers other items than the data holds.
func BenchmarkScale(b *testing.B) {
	if os.Getenv("CASEFLOW_BENCH_SCALE") != "1" {
		b.Skip("set CASEFLOW_BENCH_SCALE=1 (make bench-scale): it loads a million items")
	}
	total := envInt(b, "CASEFLOW_BENCH_SCALE_ITEMS", 1_000_000)
	rounds := envInt(b, "CASEFLOW_BENCH_SCALE_ROUNDS", 30)
	writers := envInt(b, "CASEFLOW_BENCH_SCALE_WRITERS", 4)
	if total < scaleOrgs*2 {
		b.Fatalf("CASEFLOW_BENCH_SCALE_ITEMS=%d: at least 2 a organization (%d organizations)", total, scaleOrgs)
	}
	perOrg := total / scaleOrgs
	b.StopTimer()

	id := benchServiceWith(b, func(*aws.Config) {})
	ws := workstore.New(id.Store.(*store.DB))
	ctx := context.Background()
	items := func() int64 {
		out, err := stack.AWS.DynamoDB().DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String("DataTable")})
		if err != nil {
			b.Fatal(err)
		}
		return aws.ToInt64(out.Table.ItemCount)
	}

	tenant := scaleTenant(b)
	controls := scaleControls(b, ws, tenant)
	few := filteredOrg(b, ctx, ws, scaleFew)

	fmt.Printf("bench-scale: %d cases and tasks of other tenants at the end (%d organizations, %d each), %d rounds, %d writers\n",
		perOrg*scaleOrgs, scaleOrgs, perOrg, rounds, writers)
	load := func(from, to int) {
		start, before := time.Now(), items()
		loadOrgs(b, ctx, ws, from, to, perOrg, writers)
		d, after := time.Since(start), items()
		fmt.Printf("bench-scale: loaded %d organizations (%d cases and tasks, %d table items) in %s: %.0f items/s (table: %d items)\n",
			to-from, (to-from)*perOrg, after-before, d.Round(time.Second), float64(after-before)/d.Seconds(), after)
	}
	load(0, scaleSmall)
	small := measureRounds(b, rounds, append(tenant.requests(), controls...))
	smallItems := items()

	largeOrg := filteredOrg(b, ctx, ws, scaleFiltered)
	load(scaleSmall, scaleOrgs)
	largeItems := items()
	full := measureRounds(b, rounds, slices.Concat(tenant.requests(), controls, few.requests("few"), largeOrg.requests("many")))

	fmt.Printf("\nbench-scale: the tenant's requests with %d table items against %d (medians of %d interleaved rounds)\n", largeItems, smallItems, rounds)
	fmt.Printf("%-28s %10s %10s %8s\n", "request", "small", "full", "ratio")
	for _, r := range append(tenant.requests(), controls...) {
		s, f := small[r.name], full[r.name]
		fmt.Printf("%-28s %8.2fms %8.2fms %8.2f\n", r.name, ms(s), ms(f), float64(f)/float64(s))
		b.ReportMetric(float64(f)/float64(s), "x-"+r.name)
	}
	fmt.Printf("\nbench-scale: filtered lists of an organization with %d cases (and a case with %d events) against one with %d, at %d table items\n",
		scaleFiltered, scaleFiltered, scaleFew, largeItems)
	fmt.Printf("%-28s %10s %10s %8s\n", "request", "few", "many", "ratio")
	for _, r := range few.requests("") {
		s, f := full["few"+r.name], full["many"+r.name]
		fmt.Printf("%-28s %8.2fms %8.2fms %8.2f\n", r.name, ms(s), ms(f), float64(f)/float64(s))
		b.ReportMetric(float64(f)/float64(s), "x-"+r.name)
	}
}

const (
	// scaleOrgs is the number of other tenants; scaleSmall of them are
	// loaded before the small measurement.
	scaleOrgs  = 10_000
	scaleSmall = 10
	// scaleFiltered and scaleFew are the cases of the two organizations
	// of the filtered lists (and the events of one case of each).
	scaleFiltered = 10_000
	scaleFew      = 20
	// scaleMatches is what each filtered list answers, in both.
	scaleMatches = 10
)

func envInt(b *testing.B, name string, def int) int {
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n <= 0 {
		b.Fatalf("%s=%q: want a positive number", name, v)
	}
	return n
}

// scaleRequest is one timed request and what its answer must hold.
type scaleRequest struct {
	name, method, path, token string
	body                      any
	// items is the length of the answer's JSON array (-1: not an array).
	items int
	// local, when set, is what is timed instead of a request (a control).
	local func() error
}

func (r scaleRequest) send(b *testing.B) {
	if r.local != nil {
		if err := r.local(); err != nil {
			b.Fatalf("%s: %v", r.name, err)
		}
		return
	}
	res := expect(b, call(b, r.method, r.path, r.token, r.body), http.StatusOK)
	if r.items >= 0 {
		var list []any
		decodeJSON(b, res.Body, &list)
		if len(list) != r.items {
			b.Fatalf("%s %s answered %d items, want %d", r.method, r.path, len(list), r.items)
		}
	}
}

// measureRounds sends every request once per round, in order (every other
// round in reverse order, so that no request always follows the same one),
// after as many rounds unmeasured (they warm the function instances and
// DynamoDB Local's JIT), and returns each one's median by name.
func measureRounds(b *testing.B, rounds int, reqs []scaleRequest) map[string]time.Duration {
	for i := 0; i < rounds; i++ {
		for _, r := range reqs {
			r.send(b)
		}
	}
	reversed := slices.Clone(reqs)
	slices.Reverse(reversed)
	times := map[string][]time.Duration{}
	for i := 0; i < rounds; i++ {
		order := reqs
		if i%2 == 1 {
			order = reversed
		}
		for _, r := range order {
			start := time.Now()
			r.send(b)
			times[r.name] = append(times[r.name], time.Since(start))
		}
	}
	out := map[string]time.Duration{}
	for name, d := range times {
		out[name] = median(d)
	}
	return out
}

// tenantFixture is the tenant whose requests are timed at both sizes.
type tenantFixture struct {
	a      account
	caseID string
	tasks  int
}

// scaleTenant signs up the tenant and makes, through the gateway, 20 tasks
// assigned to its admin and 20 cases, one of them a workflow instance's.
func scaleTenant(b *testing.B) tenantFixture {
	t := tenantFixture{a: signUp(b, "Scale Tenant")}
	org := "/api/v1/" + t.a.OrgKey
	for i := 0; i < 20; i++ {
		expect(b, call(b, "POST", org+"/tasks", t.a.Token, map[string]any{"name": fmt.Sprintf("Task %d", i), "assigneeId": t.a.UserID}), http.StatusOK)
	}
	wf := publish(b, t.a, twoStepWorkflow)
	t.caseID = expect(b, call(b, "POST", org+"/engine/workflow/instances", t.a.Token, map[string]any{"sourceWorkflowId": wf}), http.StatusOK).JSON(b)["caseId"].(string)
	for i := 1; i < 20; i++ {
		expect(b, call(b, "POST", org+"/cases", t.a.Token, map[string]any{"name": fmt.Sprintf("Case %d", i)}), http.StatusOK)
	}
	var tasks []any
	decodeJSON(b, expect(b, call(b, "GET", org+"/tasks", t.a.Token, nil), http.StatusOK).Body, &tasks)
	t.tasks = len(tasks)
	return t
}

func (t tenantFixture) requests() []scaleRequest {
	org := "/api/v1/" + t.a.OrgKey
	return []scaleRequest{
		{name: "list-tasks", method: "GET", path: org + "/tasks", token: t.a.Token, items: t.tasks},
		{name: "get-case", method: "GET", path: org + "/cases/" + t.caseID, token: t.a.Token, items: -1},
		{name: "list-cases", method: "GET", path: org + "/cases", token: t.a.Token, items: 20},
		{name: "login", method: "POST", path: "/api/v1/users/login", body: map[string]any{"emailAddress": t.a.Email, "password": t.a.Password}, items: -1},
	}
}

// scaleControls are timed with the tenant's requests, at both sizes, to
// tell the table's growth from the machine's other load (the two sizes are
// measured one after the other): the tenant's case read in this process
// through the store (one GetItem on DynamoDB Local, no gateway, no
// function) and an argon2id check of a password (CPU only, what a login
// spends most of its time on).
func scaleControls(b *testing.B, ws *workstore.DB, t tenantFixture) []scaleRequest {
	hash, err := password.Hash(t.a.Password)
	if err != nil {
		b.Fatal(err)
	}
	return []scaleRequest{
		{name: "control:getitem", local: func() error {
			_, err := ws.GetCase(context.Background(), t.a.OrgID, t.caseID)
			return err
		}},
		{name: "control:argon2id", local: func() error {
			if ok, err := password.Verify(hash, t.a.Password); !ok || err != nil {
				return fmt.Errorf("the password does not verify: %v", err)
			}
			return nil
		}},
	}
}

// filteredFixture is an organization for the filtered lists.
type filteredFixture struct {
	a                    account
	workflow, eventsCase string
}

// filteredOrg signs up an organization and loads n cases into it:
// scaleMatches closed ones, scaleMatches open ones of its published
// workflow, the rest open ones of another workflow; the first case of the
// workflow has n events, scaleMatches of them comments.
func filteredOrg(b *testing.B, ctx context.Context, ws *workstore.DB, n int) filteredFixture {
	f := filteredFixture{a: signUp(b, fmt.Sprintf("Scale %d", n))}
	f.workflow = publish(b, f.a, twoStepWorkflow)
	other := ids.New()
	now := time.Now().UTC().Truncate(time.Millisecond)
	cases := make([]casework.Case, n)
	for i := range cases {
		c := casework.Case{ID: ids.New(), OrganizationID: f.a.OrgID, Name: fmt.Sprintf("Case %d", i), CreatorID: f.a.UserID,
			CreateTime: now, LastUpdated: now, ParticipantIDs: []string{f.a.UserID}, SourceWorkflowID: other, Version: 1}
		switch {
		case i < scaleMatches:
			c.Closed, c.SourceWorkflowID = true, ""
		case i < 2*scaleMatches:
			c.SourceWorkflowID = f.workflow
		}
		cases[i] = c
	}
	f.eventsCase = cases[scaleMatches].ID
	events := make([]casework.Event, n)
	for i := range events {
		e := casework.Event{ID: ids.New(), CaseID: f.eventsCase, Type: casework.EventCaseUpdated, Name: "updated",
			Time: now.Add(-time.Duration(i) * time.Millisecond), UserID: f.a.UserID}
		if i%(n/scaleMatches) == 0 {
			e.Type, e.Name = casework.EventComment, fmt.Sprintf("comment %d", i)
		}
		events[i] = e
	}
	if err := ws.Load(ctx, cases, nil, events); err != nil {
		b.Fatal(err)
	}
	return f
}

// requests are the filtered lists, named with prefix.
func (f filteredFixture) requests(prefix string) []scaleRequest {
	org := "/api/v1/" + f.a.OrgKey
	return []scaleRequest{
		{name: prefix + "closed-cases", method: "GET", path: org + "/cases?closed=true", token: f.a.Token, items: scaleMatches},
		{name: prefix + "workflow-cases", method: "GET", path: org + "/cases?editorWorkflowId=" + f.workflow, token: f.a.Token, items: scaleMatches},
		{name: prefix + "events-of-type", method: "GET", path: org + "/cases/" + f.eventsCase + "/events?type=" + casework.EventComment, token: f.a.Token, items: scaleMatches},
	}
}

// loadOrgs loads the other tenants from (inclusive) to (exclusive), each
// with perOrg cases and tasks, writers organizations at a time.
func loadOrgs(b *testing.B, ctx context.Context, ws *workstore.DB, from, to, perOrg, writers int) {
	next := make(chan int)
	errs := make(chan error, writers)
	var wg sync.WaitGroup
	for w := 0; w < writers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				cases, tasks := otherTenant(perOrg)
				if err := ws.Load(ctx, cases, tasks, nil); err != nil {
					errs <- fmt.Errorf("organization %d: %w", i, err)
					return
				}
			}
		}()
	}
	step := max((to-from)/10, 1)
	start := time.Now()
feed:
	for i := from; i < to; i++ {
		select {
		case next <- i:
		case err := <-errs:
			close(next)
			wg.Wait()
			b.Fatal(err)
			break feed
		}
		if (i-from+1)%step == 0 {
			fmt.Printf("bench-scale: %d of %d organizations after %s\n", i-from+1, to-from, time.Since(start).Round(time.Second))
		}
	}
	close(next)
	wg.Wait()
	select {
	case err := <-errs:
		b.Fatal(err)
	default:
	}
}

// otherTenant is an organization of its own (an id nothing else knows) with
// n/2 cases and n-n/2 tasks, as its members make them: each case created by
// one of its 5 users (its participant), each task created by one and
// assigned to another, in one of the cases; a tenth of them closed or
// completed.
func otherTenant(n int) ([]casework.Case, []casework.Task) {
	org := ids.New()
	users := make([]string, 5)
	for i := range users {
		users[i] = ids.New()
	}
	now := time.Now().UTC().Truncate(time.Millisecond)
	cases := make([]casework.Case, n/2)
	for i := range cases {
		u := users[i%len(users)]
		cases[i] = casework.Case{ID: ids.New(), OrganizationID: org, Name: fmt.Sprintf("Case %d", i), CreatorID: u,
			CreateTime: now, LastUpdated: now, ParticipantIDs: []string{u}, Closed: i%10 == 9, Version: 1}
	}
	tasks := make([]casework.Task, n-n/2)
	for i := range tasks {
		t := casework.Task{ID: ids.New(), OrganizationID: org, Name: fmt.Sprintf("Task %d", i), CreatorID: users[i%len(users)],
			AssigneeID: users[(i+1)%len(users)], CreateTime: now, LastUpdated: now, Completed: i%10 == 9, Version: 1}
		if len(cases) > 0 {
			t.CaseID = cases[i%len(cases)].ID
		}
		tasks[i] = t
	}
	return cases, tasks
}
