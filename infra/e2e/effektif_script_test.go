package e2e

import (
	"net/http"
	"testing"
)

func TestScriptActivityTestAndStartForm(t *testing.T) {
	a := signUp(t, "Script Tests")
	org := "/api/v1/" + a.OrgKey
	wf := expect(t, call(t, "POST", org+"/workflows", a.Token, `{"name": "Pricing",
	  "variables": [{"id": "price", "type": {"name": "number"}, "defaultValue": 10}, {"id": "total", "type": {"name": "number"}},
	                {"id": "label", "type": {"name": "text"}}],
	  "trigger": {"type": "form", "form": {"fields": [{"id": "price", "binding": {"expression": "price"}, "required": true}]}},
	  "activities": [{"type": "startEvent", "id": "s"},
	    {"type": "scriptTask", "id": "calc", "script": {"script": "total = price * 1.2\nlabel = \"EUR \" + total"}},
	    {"type": "endEvent", "id": "e"}],
	  "transitions": [{"fromId": "s", "toId": "calc"}, {"fromId": "calc", "toId": "e"}]}`), http.StatusOK).JSON(t)
	id := wf["id"].(string)
	res := expect(t, call(t, "POST", org+"/workflows/"+id+"/activities/calc/test", a.Token, map[string]any{"price": 100}), http.StatusOK).JSON(t)
	updates := res["variableUpdates"].(map[string]any)
	if updates["total"] != 120.0 || updates["label"] != "EUR 120" || res["error"] != nil {
		t.Fatalf("script result: %v", res)
	}
	// Without a body the variables' defaults are used.
	res = expect(t, call(t, "POST", org+"/workflows/"+id+"/activities/calc/test", a.Token, nil), http.StatusOK).JSON(t)
	if res["variableUpdates"].(map[string]any)["total"] != 12.0 {
		t.Fatalf("script on defaults: %v", res)
	}
	expectError(t, call(t, "POST", org+"/workflows/"+id+"/activities/nope/test", a.Token, nil), http.StatusNotFound)
	form := expect(t, call(t, "GET", org+"/workflows/"+id+"/startForm", a.Token, nil), http.StatusOK).JSON(t)
	field := form["fields"].([]any)[0].(map[string]any)
	if field["id"] != "price" || field["value"] != 10.0 || field["required"] != true {
		t.Fatalf("start form: %v", form)
	}
}
