package casework

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/effektif-serverless/caseflow/shared/workflow"
)

func TestWorkflowPeopleFindsEveryConstantID(t *testing.T) {
	var w workflow.Workflow
	err := json.Unmarshal([]byte(`{
	  "variables": [{"id": "boss", "type": {"name": "userId", "candidateIds": ["u-role"], "candidateGroupIds": ["g-role"]}, "defaultValue": "u-default"},
	                {"id": "team", "type": {"name": "groupId"}, "defaultValue": "g-default"},
	                {"id": "text", "type": {"name": "text"}, "defaultValue": "not an id"}],
	  "activities": [
	    {"type": "userTask", "id": "ut", "assigneeId": {"value": "u-assignee"}, "candidateIds": [{"value": ["u-c1", "u-c2"]}, {"expression": "boss"}],
	     "candidateGroupIds": [{"value": "g-c"}]},
	    {"type": "subProcessEmbedded", "id": "sub", "activities": [
	      {"type": "email", "id": "mail", "toUserIds": [{"value": "u-to"}], "ccUserIds": [{"value": "u-cc"}], "bccGroupIds": [{"value": "g-bcc"}],
	       "toEmailAddresses": [{"value": "x@example.com"}]}]}]}`), &w)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, r := range workflowPeople(&w) {
		got[r.id] = fmt.Sprintf("%s/%s/%s/%v", r.activityID, r.elementID, r.field, r.group)
	}
	want := map[string]string{
		"u-role": "/boss/candidateIds/false", "g-role": "/boss/candidateGroupIds/true", "u-default": "/boss/defaultValue/false",
		"g-default": "/team/defaultValue/true", "u-assignee": "ut//assigneeId/false", "u-c1": "ut//candidateIds/false",
		"u-c2": "ut//candidateIds/false", "g-c": "ut//candidateGroupIds/true", "u-to": "mail//toUserIds/false",
		"u-cc": "mail//ccUserIds/false", "g-bcc": "mail//bccGroupIds/true",
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("got  %v\nwant %v", got, want)
	}
}

func TestConstantIDs(t *testing.T) {
	for raw, want := range map[string]string{
		`"a"`: "[a]", `["a","b",null]`: "[a b]", `""`: "[]", `null`: "[]", `7`: "[7]", `{"x":1}`: `[{"x":1}]`, `[1]`: "[1]",
	} {
		if got := fmt.Sprint(constantIDs(json.RawMessage(raw))); got != want {
			t.Errorf("%s: got %s want %s", raw, got, want)
		}
	}
}

func TestValidateText(t *testing.T) {
	for text, ok := range map[string]bool{
		"plain": true, "two\nlines\r\nand\ttabs": true, "nul\x00": false, "bell\a": false, "del\x7f": false, "bad \xff utf-8": false,
	} {
		if err := validateText("name", text, 100); (err == nil) != ok {
			t.Errorf("%q: %v", text, err)
		}
	}
	if validateText("name", "long text", 4) == nil {
		t.Error("a text over the bound was accepted")
	}
}
