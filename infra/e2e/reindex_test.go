package e2e

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/guregu/dynamo/v2"

	"github.com/effektif-serverless/caseflow/shared/store/workstore"
)

// TestReindexUpgradesStoredForms: data stored in the form before the keyed
// filters (a task's entry in a list named by the bare user id, a case and an
// event without index keys) is missing from the filtered lists until
// workstore.Reindex rewrites it; then every list has it, the old entry is
// gone, and a second run changes nothing more; a case's tasks stored
// without their state in the case list's range key are missing from its
// completed and open lists until Reindex rewrites them.
func TestReindexUpgradesStoredForms(t *testing.T) {
	ctx := context.Background()
	a := signUp(t, "Reindex Org")
	org := "/api/v1/" + a.OrgKey
	task := expect(t, call(t, "POST", org+"/tasks", a.Token, map[string]any{"name": "Old task", "assigneeId": a.UserID}), http.StatusOK).JSON(t)
	c := expect(t, call(t, "POST", org+"/cases", a.Token, map[string]any{"name": "Old case"}), http.StatusOK).JSON(t)
	caseID, taskID := c["id"].(string), task["id"].(string)
	expect(t, call(t, "POST", org+"/cases/"+caseID+"/events", a.Token, map[string]any{"name": "old note"}), http.StatusOK)

	db := stack.AWS.DynamoDB()
	table := aws.String("DataTable")
	orgID := a.OrgID
	// The form before: the task's entries under INV#<org>#<userId>, the
	// case and its events without index keys.
	moved := 0
	for _, list := range []string{"assigned:" + a.UserID, "created:" + a.UserID} {
		out, err := db.Query(ctx, &dynamodb.QueryInput{TableName: table, KeyConditionExpression: aws.String("pk = :p"),
			ExpressionAttributeValues: map[string]types.AttributeValue{":p": &types.AttributeValueMemberS{Value: "INV#" + orgID + "#" + list}}})
		if err != nil {
			t.Fatal(err)
		}
		for _, it := range out.Items {
			if _, err := db.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: table, Key: map[string]types.AttributeValue{"pk": it["pk"], "sk": it["sk"]}}); err != nil {
				t.Fatal(err)
			}
			it["pk"] = &types.AttributeValueMemberS{Value: "INV#" + orgID + "#" + a.UserID}
			if _, err := db.PutItem(ctx, &dynamodb.PutItemInput{TableName: table, Item: it}); err != nil {
				t.Fatal(err)
			}
			moved++
		}
	}
	if moved != 2 {
		t.Fatalf("moved %d list entries, want 2 (assigned, created)", moved)
	}
	removeIndexKeys := func(pk, sk string) {
		t.Helper()
		_, err := db.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: table,
			Key:              map[string]types.AttributeValue{"pk": &types.AttributeValueMemberS{Value: pk}, "sk": &types.AttributeValueMemberS{Value: sk}},
			UpdateExpression: aws.String("REMOVE gsi1pk, gsi1sk, gsi2pk, gsi2sk")})
		if err != nil {
			t.Fatal(err)
		}
	}
	removeIndexKeys("ORG#"+orgID, "CASE#"+caseID)
	events, err := db.Query(ctx, &dynamodb.QueryInput{TableName: table, KeyConditionExpression: aws.String("pk = :p"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":p": &types.AttributeValueMemberS{Value: "CASE#" + caseID}}})
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range events.Items {
		removeIndexKeys("CASE#"+caseID, it["sk"].(*types.AttributeValueMemberS).Value)
	}

	listed := func() string {
		var out []string
		for _, q := range []string{"/tasks", "/tasks?involvement=created", "/cases?closed=false", "/cases/" + caseID + "/events?type=comment"} {
			var items []map[string]any
			decodeJSON(t, expect(t, call(t, "GET", org+q, a.Token, nil), http.StatusOK).Body, &items)
			var ids []string
			for _, it := range items {
				ids = append(ids, it["id"].(string))
			}
			out = append(out, strings.Join(ids, ","))
		}
		return strings.Join(out, " ")
	}
	if got := listed(); strings.Contains(got, taskID) || strings.Contains(got, caseID) || got != "   " {
		t.Fatalf("old forms are listed before the reindex: %q", got)
	}
	n, err := workstore.Reindex(ctx, dynamo.NewFromIface(db), "DataTable", nil)
	if err != nil {
		t.Fatal(err)
	}
	if n.Cases == 0 || n.Tasks == 0 || n.Events == 0 {
		t.Fatalf("reindexed %+v", n)
	}
	got := strings.Fields(listed())
	if len(got) != 4 || got[0] != taskID || got[1] != taskID || got[2] != caseID || strings.Count(got[3], ",") != 0 {
		t.Fatalf("after the reindex: %q", got)
	}
	old, err := db.Query(ctx, &dynamodb.QueryInput{TableName: table, KeyConditionExpression: aws.String("pk = :p"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":p": &types.AttributeValueMemberS{Value: "INV#" + orgID + "#" + a.UserID}}})
	if err != nil || len(old.Items) != 0 {
		t.Fatalf("old list entries left: %v, %v", old.Items, err)
	}
	if _, err := workstore.Reindex(ctx, dynamo.NewFromIface(db), "DataTable", nil); err != nil {
		t.Fatalf("a second run: %v", err)
	}
	if again := strings.Fields(listed()); strings.Join(again, " ") != strings.Join(got, " ") {
		t.Fatalf("a second run changed the lists: %q", again)
	}

	// A case's tasks before the keyed completed filter: the range key of
	// the case's list was <created>#<id>, without the state.
	open := expect(t, call(t, "POST", org+"/tasks", a.Token, map[string]any{"name": "Old open", "caseId": caseID}), http.StatusOK).JSON(t)["id"].(string)
	done := expect(t, call(t, "POST", org+"/tasks", a.Token, map[string]any{"name": "Old done", "caseId": caseID}), http.StatusOK).JSON(t)["id"].(string)
	expect(t, call(t, "POST", org+"/tasks/"+done+"/complete", a.Token, nil), http.StatusOK)
	caseTasks := func(query string) string {
		return show(pages(t, org+"/cases/"+caseID+"/tasks?pagesize=10"+query, a.Token))
	}
	if got := caseTasks("&completed=false") + " / " + caseTasks("&completed=true"); got != "Old open / Old done" {
		t.Fatalf("the case's tasks in the current form: %s", got)
	}
	for _, id := range []string{open, done} {
		k := map[string]types.AttributeValue{"pk": &types.AttributeValueMemberS{Value: "ORG#" + orgID}, "sk": &types.AttributeValueMemberS{Value: "TASK#" + id}}
		it, err := db.GetItem(ctx, &dynamodb.GetItemInput{TableName: table, Key: k})
		if err != nil {
			t.Fatal(err)
		}
		sk := it.Item["gsi1sk"].(*types.AttributeValueMemberS).Value
		_, oldSK, _ := strings.Cut(sk, "#")
		if !strings.HasSuffix(oldSK, "#"+id) || !strings.HasPrefix(sk, "open#") && !strings.HasPrefix(sk, "done#") {
			t.Fatalf("the case list's range key: %q", sk)
		}
		if _, err := db.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: table, Key: k, UpdateExpression: aws.String("SET gsi1sk = :s"),
			ExpressionAttributeValues: map[string]types.AttributeValue{":s": &types.AttributeValueMemberS{Value: oldSK}}}); err != nil {
			t.Fatal(err)
		}
	}
	if got := caseTasks("&completed=false") + " / " + caseTasks("&completed=true"); got != " / " {
		t.Fatalf("old forms are in the filtered case lists before the reindex: %s", got)
	}
	if _, err := workstore.Reindex(ctx, dynamo.NewFromIface(db), "DataTable", nil); err != nil {
		t.Fatal(err)
	}
	if got := caseTasks("&completed=false") + " / " + caseTasks("&completed=true") + " / " + caseTasks(""); got != "Old open / Old done / Old open,Old done" {
		t.Fatalf("the case's tasks after the reindex: %s", got)
	}
}
