package e2e

import (
	"context"
	"fmt"
	"reflect"
	"sort"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/effektif-serverless/caseflow/shared/casework"
	"github.com/effektif-serverless/caseflow/shared/ids"
	"github.com/effektif-serverless/caseflow/shared/store"
	"github.com/effektif-serverless/caseflow/shared/store/workstore"
)

// TestLoadWritesWhatCommitWrites: workstore's Load (the bulk writes of
// bench-scale) stores new cases, tasks and events as the very items a
// Commit of them stores, list entries included.
func TestLoadWritesWhatCommitWrites(t *testing.T) {
	ctx := context.Background()
	raw := stack.AWS.DynamoDB()
	ws := workstore.New(store.New(raw, "DataTable"))
	org, ann, bob, group := ids.New(), ids.New(), ids.New(), ids.New()
	now := time.Now().UTC().Truncate(time.Millisecond)
	c := casework.Case{ID: ids.New(), OrganizationID: org, Name: "Loaded", CreatorID: ann, CreateTime: now, LastUpdated: now,
		ParticipantIDs: []string{ann, bob}, SourceWorkflowID: ids.New(), Version: 1}
	closed := casework.Case{ID: ids.New(), OrganizationID: org, Name: "Closed", CreatorID: bob, CreateTime: now, LastUpdated: now,
		ParticipantIDs: []string{bob}, Closed: true, Version: 1}
	tasks := []casework.Task{
		{ID: ids.New(), OrganizationID: org, Name: "Assigned", CreatorID: ann, AssigneeID: bob, CandidateIDs: []string{ann},
			CaseID: c.ID, CreateTime: now, LastUpdated: now, Version: 1},
		{ID: ids.New(), OrganizationID: org, Name: "Unclaimed", CreatorID: ann, CandidateGroupIDs: []string{group},
			CreateTime: now, LastUpdated: now, Completed: true, Version: 1},
		{ID: ids.New(), OrganizationID: org, Name: "Open to all", CreatorID: bob, CaseID: c.ID, CreateTime: now, LastUpdated: now, Version: 1},
	}
	events := []casework.Event{
		{ID: ids.New(), CaseID: c.ID, Type: casework.EventComment, Name: "note", Time: now, UserID: ann, TaskID: tasks[0].ID},
		{ID: ids.New(), CaseID: c.ID, Type: casework.EventCaseCreated, Time: now, UserID: ann},
	}
	changes := casework.Changes{OrganizationID: org, Events: events,
		Cases: []casework.CaseWrite{{Case: c, New: true}, {Case: closed, New: true}},
		Tasks: []casework.TaskWrite{{Task: tasks[0], New: true}, {Task: tasks[1], New: true}, {Task: tasks[2], New: true}}}
	if err := ws.Commit(ctx, changes); err != nil {
		t.Fatal(err)
	}
	committed := itemsOf(t, raw, org, c.ID)
	// 2 cases with 3 participation entries; 3 tasks with their list
	// entries (assigned, candidate, created; created, group; created,
	// unclaimed); 2 events.
	if len(committed) != 2+3+3+3+2+2+2 {
		t.Fatalf("Commit stored %d items: %v", len(committed), itemKeys(committed))
	}
	deleteItems(t, raw, committed)
	if left := itemsOf(t, raw, org, c.ID); len(left) != 0 {
		t.Fatalf("%d items left after the delete", len(left))
	}
	if err := ws.Load(ctx, []casework.Case{c, closed}, tasks, events); err != nil {
		t.Fatal(err)
	}
	loaded := itemsOf(t, raw, org, c.ID)
	if !reflect.DeepEqual(itemKeys(loaded), itemKeys(committed)) {
		t.Fatalf("Load stored\n%v\nCommit stored\n%v", itemKeys(loaded), itemKeys(committed))
	}
	for i := range loaded {
		if !reflect.DeepEqual(loaded[i], committed[i]) {
			t.Errorf("item %s: Load stored %v, Commit stored %v", itemKeys(loaded)[i], loaded[i], committed[i])
		}
	}
}

// itemsOf scans the table for the items of the organization and of the
// case's events (a test's read: Scan is not for request paths), sorted by
// key.
func itemsOf(t *testing.T, raw *dynamodb.Client, org, caseID string) []map[string]types.AttributeValue {
	t.Helper()
	var out []map[string]types.AttributeValue
	p := dynamodb.NewScanPaginator(raw, &dynamodb.ScanInput{
		TableName:        aws.String("DataTable"),
		FilterExpression: aws.String("contains(pk, :org) OR pk = :case"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":org": &types.AttributeValueMemberS{Value: org}, ":case": &types.AttributeValueMemberS{Value: "CASE#" + caseID}},
		ConsistentRead: aws.Bool(true),
	})
	for p.HasMorePages() {
		page, err := p.NextPage(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, page.Items...)
	}
	sort.Slice(out, func(i, j int) bool { return itemKey(out[i]) < itemKey(out[j]) })
	return out
}

func itemKey(it map[string]types.AttributeValue) string {
	pk, _ := it["pk"].(*types.AttributeValueMemberS)
	sk, _ := it["sk"].(*types.AttributeValueMemberS)
	if pk == nil || sk == nil {
		return fmt.Sprint(it)
	}
	return pk.Value + " " + sk.Value
}

func itemKeys(items []map[string]types.AttributeValue) []string {
	out := make([]string, len(items))
	for i, it := range items {
		out[i] = itemKey(it)
	}
	return out
}

func deleteItems(t *testing.T, raw *dynamodb.Client, items []map[string]types.AttributeValue) {
	t.Helper()
	for _, it := range items {
		if _, err := raw.DeleteItem(context.Background(), &dynamodb.DeleteItemInput{TableName: aws.String("DataTable"),
			Key: map[string]types.AttributeValue{"pk": it["pk"], "sk": it["sk"]}}); err != nil {
			t.Fatal(err)
		}
	}
}
