package e2e

import (
	"encoding/json"
	"net/http"
	"os"
	"testing"

	"golang.org/x/text/encoding/charmap"
)

// activityName returns the name of the workflow's activity with the id.
func activityName(t testing.TB, wf map[string]any, id string) string {
	t.Helper()
	acts, _ := wf["activities"].([]any)
	for _, a := range acts {
		if m, _ := a.(map[string]any); m["id"] == id {
			name, _ := m["name"].(string)
			return name
		}
	}
	t.Fatalf("no activity %q in %v", id, wf["activities"])
	return ""
}

// TestBPMNRawBodyInOtherEncodings: ISO-8859-1 and UTF-16 documents posted
// as raw XML bodies are read as their declaration and byte order mark say,
// the same as uploaded files.
func TestBPMNRawBodyInOtherEncodings(t *testing.T) {
	a := signUp(t, "BPMN Encodings")
	org := "/api/v1/" + a.OrgKey
	latin1, err := os.ReadFile("../../shared/bpmn/testdata/signavio-latin1.bpmn")
	if err != nil {
		t.Fatal(err)
	}
	utf16, err := os.ReadFile("../../shared/bpmn/testdata/utf16le-bom.bpmn")
	if err != nil {
		t.Fatal(err)
	}
	for _, ct := range []string{"application/xml", "text/xml", "application/xml; charset=ISO-8859-1"} {
		id := expect(t, call(t, "POST", org+"/workflows", a.Token, sampleWorkflow), http.StatusOK).JSON(t)["id"].(string)
		wf := expect(t, send(t, "PUT", org+"/workflows/"+id+"/update/bpmn", a.Token, ct, latin1), http.StatusOK).JSON(t)
		if got := activityName(t, wf, "sid-check"); got != "Bestellung prüfen" {
			t.Errorf("%s: Latin-1 name read as %q", ct, got)
		}
	}
	for _, ct := range []string{"application/xml", "text/xml", "application/octet-stream"} {
		id := expect(t, call(t, "POST", org+"/workflows", a.Token, sampleWorkflow), http.StatusOK).JSON(t)["id"].(string)
		wf := expect(t, send(t, "PUT", org+"/workflows/"+id+"/update/bpmn", a.Token, ct, utf16), http.StatusOK).JSON(t)
		if wf["name"] != "Straße 日本" || activityName(t, wf, "u") != "Überprüfen 📝" {
			t.Errorf("%s: UTF-16 read as %q / %q", ct, wf["name"], activityName(t, wf, "u"))
		}
	}

	// As a JSON string the document is text already: its characters are
	// taken as they are, whatever its declaration names.
	text, err := charmap.ISO8859_1.NewDecoder().Bytes(latin1)
	if err != nil {
		t.Fatal(err)
	}
	quoted, _ := json.Marshal(string(text))
	id := expect(t, call(t, "POST", org+"/workflows", a.Token, sampleWorkflow), http.StatusOK).JSON(t)["id"].(string)
	wf := expect(t, call(t, "PUT", org+"/workflows/"+id+"/update/bpmn", a.Token, quoted), http.StatusOK).JSON(t)
	if got := activityName(t, wf, "sid-check"); got != "Bestellung prüfen" {
		t.Errorf("JSON string: Latin-1 name read as %q", got)
	}

	// A document whose bytes were replaced on the way (a UTF-8 string with
	// a Latin-1 declaration and U+FFFD) is refused, not stored garbled.
	damaged := []byte(`<?xml version="1.0" encoding="ISO-8859-1"?><definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL"><process id="p" name="Gr` + "\uFFFD" + `e"><startEvent id="s"/></process></definitions>`)
	expectError(t, send(t, "PUT", org+"/workflows/"+id+"/update/bpmn", a.Token, "text/xml", damaged), http.StatusBadRequest)
	if got := expect(t, call(t, "GET", org+"/workflows/"+id, a.Token, nil), http.StatusOK).JSON(t); activityName(t, got, "sid-check") != "Bestellung prüfen" {
		t.Errorf("the refused document changed the draft: %v", got["name"])
	}
}
