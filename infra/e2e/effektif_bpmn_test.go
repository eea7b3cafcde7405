package e2e

import (
	"encoding/json"
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/effektif-serverless/caseflow/shared/ids"
)

// uploadFile uploads a BPMN document through the Files API and returns
// the file id.
func uploadFile(t testing.TB, a account, data []byte) string {
	t.Helper()
	body, ct := multipartBody(t, "process.bpmn", "application/xml", data)
	return expect(t, send(t, "POST", "/api/v1/"+a.OrgKey+"/files", a.Token, ct, body), http.StatusOK).JSON(t)["id"].(string)
}

const simpleBPMN = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="defs" targetNamespace="http://example.com">
  <bpmn:process id="leave" name="Leave request" isExecutable="true">
    <bpmn:startEvent id="start"/>
    <bpmn:userTask id="approve" name="Approve leave"/>
    <bpmn:exclusiveGateway id="gw" default="toEnd"/>
    <bpmn:task id="book" name="Book it"/>
    <bpmn:endEvent id="end"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="approve"/>
    <bpmn:sequenceFlow id="f2" sourceRef="approve" targetRef="gw"/>
    <bpmn:sequenceFlow id="toBook" sourceRef="gw" targetRef="book"/>
    <bpmn:sequenceFlow id="toEnd" sourceRef="gw" targetRef="end"/>
    <bpmn:sequenceFlow id="f3" sourceRef="book" targetRef="end"/>
  </bpmn:process>
</bpmn:definitions>`

func TestBPMNImportExportAndUpdate(t *testing.T) {
	a := signUp(t, "BPMN Import")
	org := "/api/v1/" + a.OrgKey
	fileID := uploadFile(t, a, []byte(simpleBPMN))
	imported := expect(t, call(t, "POST", org+"/workflows/import/bpmn/"+fileID, a.Token, nil), http.StatusOK).JSON(t)
	id := imported["id"].(string)
	if imported["name"] != "Leave request" || len(imported["activities"].([]any)) != 5 || len(imported["transitions"].([]any)) != 5 {
		t.Fatalf("imported: %v", imported)
	}
	for _, path := range []string{"/export/bpmn/", "/export/bpmn"} {
		r := expect(t, call(t, "GET", org+"/workflows/"+id+path, a.Token, nil), http.StatusOK)
		if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/xml") || !strings.Contains(string(r.Body), `id="approve"`) {
			t.Fatalf("export %s: %s %s", path, ct, r.Body)
		}
	}
	exported := expect(t, call(t, "GET", org+"/workflows/"+id+"/export/bpmn/", a.Token, nil), http.StatusOK).Body

	// The export imports again into the same workflow, raw or as a JSON string.
	again := expect(t, call(t, "PUT", org+"/workflows/"+id+"/update/bpmn", a.Token, exported), http.StatusOK).JSON(t)
	quoted, _ := json.Marshal(string(exported))
	again2 := expect(t, call(t, "PUT", org+"/workflows/"+id+"/update/bpmn", a.Token, quoted), http.StatusOK).JSON(t)
	for _, w := range []map[string]any{again, again2} {
		if w["id"] != id || !sameJSON(w["activities"], imported["activities"]) || !sameJSON(w["transitions"], imported["transitions"]) {
			t.Fatalf("round trip differs:\n%v\n%v", w, imported)
		}
	}
	// The imported workflow runs.
	publishID := expect(t, call(t, "POST", org+"/workflows/"+id+"/versions", a.Token, nil), http.StatusOK).JSON(t)["id"].(string)
	expect(t, call(t, "POST", org+"/workflows/"+id+"/versions/"+publishID+"/publish", a.Token, nil), http.StatusOK)
	expect(t, call(t, "POST", org+"/engine/workflow/instances", a.Token, map[string]any{"sourceWorkflowId": id}), http.StatusOK)
}

func sameJSON(a, b any) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return string(x) == string(y)
}

func TestBPMNBadDocuments(t *testing.T) {
	a := signUp(t, "BPMN Errors")
	org := "/api/v1/" + a.OrgKey
	id := expect(t, call(t, "POST", org+"/workflows", a.Token, `{"name": "Target"}`), http.StatusOK).JSON(t)["id"].(string)

	unsupported := strings.Replace(simpleBPMN, `<bpmn:exclusiveGateway id="gw" default="toEnd"/>`, `<bpmn:complexGateway id="gw" name="Odd"/>`, 1)
	e := expectError(t, call(t, "POST", org+"/workflows/import/bpmn/"+uploadFile(t, a, []byte(unsupported)), a.Token, nil), http.StatusUnprocessableEntity)
	details, _ := e["details"].([]any)
	if len(details) != 1 || details[0].(map[string]any)["id"] != "gw" || details[0].(map[string]any)["type"] != "complexGateway" {
		t.Fatalf("unsupported element not named: %v", e)
	}
	expectError(t, call(t, "PUT", org+"/workflows/"+id+"/update/bpmn", a.Token, unsupported), http.StatusUnprocessableEntity)
	for name, doc := range map[string]string{
		"not xml":    "this is not xml",
		"truncated":  simpleBPMN[:200],
		"no process": `<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL"/>`,
		"entities":   `<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaa">]><definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL">&a;</definitions>`,
	} {
		t.Run(name, func(t *testing.T) {
			expectError(t, call(t, "PUT", org+"/workflows/"+id+"/update/bpmn", a.Token, doc), http.StatusBadRequest)
		})
	}
	expectError(t, call(t, "POST", org+"/workflows/import/bpmn/"+ids.New(), a.Token, nil), http.StatusNotFound)
	if got := expect(t, call(t, "GET", org+"/workflows/"+id, a.Token, nil), http.StatusOK).JSON(t); got["name"] != "Target" || got["activities"] != nil {
		t.Fatalf("a refused document changed the draft: %v", got)
	}
}

// TestBPMNFilesOfModelers imports the project's BPMN test data through the
// API: files shaped like the exports of common modelers.
func TestBPMNFilesOfModelers(t *testing.T) {
	a := signUp(t, "BPMN Modelers")
	org := "/api/v1/" + a.OrgKey
	files, _ := os.ReadDir("../../shared/bpmn/testdata")
	imported := 0
	for _, f := range files {
		data, err := os.ReadFile("../../shared/bpmn/testdata/" + f.Name())
		if err != nil || !strings.HasSuffix(f.Name(), ".bpmn") {
			continue
		}
		r := call(t, "POST", org+"/workflows/import/bpmn/"+uploadFile(t, a, data), a.Token, nil)
		switch r.Status {
		case http.StatusOK:
			imported++
		case http.StatusBadRequest, http.StatusUnprocessableEntity:
			expectError(t, r, r.Status)
		default:
			t.Errorf("%s: %d %s", f.Name(), r.Status, r.Body)
		}
	}
	if imported == 0 {
		t.Fatal("no test file imported")
	}
}
