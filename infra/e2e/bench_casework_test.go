package e2e

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"

	"github.com/effektif-serverless/caseflow/shared/casework"
	"github.com/effektif-serverless/caseflow/shared/store"
	"github.com/effektif-serverless/caseflow/shared/store/workstore"
)

// benchCasework returns the casework service in this process on the local
// stack's table, with DynamoDB calls counted.
func benchCasework(b *testing.B) (*casework.Service, func() int) {
	id, counter := benchService(b)
	svc := &casework.Service{Identity: id, Store: workstore.New(id.Store.(*store.DB)), Mail: id.Mail}
	return svc, func() int { return counter.Total("DynamoDB.") }
}

// twoStepWorkflow: start -> one user task -> end.
const twoStepWorkflow = `{"name": "Bench", "enableCases": true,
  "activities": [{"type": "startEvent", "id": "s"}, {"type": "userTask", "id": "work", "name": "Work"}, {"type": "endEvent", "id": "e"}],
  "transitions": [{"fromId": "s", "toId": "work"}, {"fromId": "work", "toId": "e"}]}`

// BenchmarkStartInstance is POST /engine/workflow/instances of a workflow
// with cases (instance, case, task and their events in one transaction).
func BenchmarkStartInstance(b *testing.B) {
	svc, calls := benchCasework(b)
	a := benchAccount(b)
	wf := publish(b, a, twoStepWorkflow)
	measureCalls(b, calls, func(ctx context.Context) error {
		_, err := svc.StartInstance(ctx, inOrg(b, ctx, svc.Identity, a), casework.TriggerRequest{SourceWorkflowID: wf})
		return err
	})
}

// BenchmarkCompleteTask is POST /tasks/{id}/complete of a workflow task
// whose completion ends the instance.
func BenchmarkCompleteTask(b *testing.B) {
	svc, calls := benchCasework(b)
	a := benchAccount(b)
	wf := publish(b, a, twoStepWorkflow)
	taskIDs := openTaskIDs(b, svc, a, wf, b.N)
	i := 0
	measureCalls(b, calls, func(ctx context.Context) error {
		_, err := svc.CompleteTask(ctx, inOrg(b, ctx, svc.Identity, a), taskIDs[i], nil)
		i++
		return err
	})
}

// openTaskIDs starts n instances of the workflow wf (start -> one user
// task -> end) and returns the id of each one's open task.
func openTaskIDs(b *testing.B, svc *casework.Service, a account, wf string, n int) []string {
	b.Helper()
	ctx := context.Background()
	ids := make([]string, n)
	for i := range ids {
		inst, err := svc.StartInstance(ctx, inOrg(b, ctx, svc.Identity, a), casework.TriggerRequest{SourceWorkflowID: wf})
		if err != nil {
			b.Fatal(err)
		}
		page, err := svc.CaseTasks(ctx, inOrg(b, ctx, svc.Identity, a), inst.CaseID, casework.CaseTaskQuery{})
		if err != nil || len(page.Tasks) != 1 {
			b.Fatal(err, page.Tasks)
		}
		ids[i] = page.Tasks[0].ID
	}
	return ids
}

// BenchmarkGetCase is GET /cases/{id} (case, its tasks, latest events,
// source workflow).
func BenchmarkGetCase(b *testing.B) {
	svc, calls := benchCasework(b)
	a := benchAccount(b)
	wf := publish(b, a, twoStepWorkflow)
	inst, err := svc.StartInstance(context.Background(), inOrg(b, context.Background(), svc.Identity, a), casework.TriggerRequest{SourceWorkflowID: wf})
	if err != nil {
		b.Fatal(err)
	}
	measureCalls(b, calls, func(ctx context.Context) error {
		_, err := svc.Case(ctx, inOrg(b, ctx, svc.Identity, a), inst.CaseID)
		return err
	})
}

// BenchmarkListTasks is GET /tasks (the caller's involvement list).
func BenchmarkListTasks(b *testing.B) {
	svc, calls := benchCasework(b)
	a := benchAccount(b)
	for i := 0; i < 20; i++ {
		body, _ := json.Marshal(map[string]any{"name": "Bench task", "assigneeId": a.UserID})
		expect(b, call(b, "POST", "/api/v1/"+a.OrgKey+"/tasks", a.Token, body), http.StatusOK)
	}
	measureCalls(b, calls, func(ctx context.Context) error {
		tasks, err := svc.Tasks(ctx, inOrg(b, ctx, svc.Identity, a), casework.TaskQuery{})
		if err == nil && len(tasks.Tasks) != 20 {
			b.Fatalf("listed %d tasks", len(tasks.Tasks))
		}
		return err
	})
}

// measureCalls runs op b.N times and reports DynamoDB calls per operation.
func measureCalls(b *testing.B, calls func() int, op func(context.Context) error) {
	b.Helper()
	ctx := context.Background()
	before := calls()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := op(ctx); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(calls()-before)/float64(b.N), "ddb-calls/op")
}
