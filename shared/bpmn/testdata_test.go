package bpmn

import (
	"github.com/effektif-serverless/caseflow/shared/bpmn/charsets"

	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/effektif-serverless/caseflow/shared/workflow"
)

func readTestdata(t *testing.T, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// TestTestdata checks the outcome of every file under testdata/: those that
// import round-trip (full JSON) and their export parses as XML again.
func TestTestdata(t *testing.T) {
	tests := []struct {
		file        string
		unsupported []string // "id type" of every unsupported element
		format      string   // part of the FormatError message
		line        int      // its line
	}{
		{file: "camunda7.bpmn"},
		{file: "zeebe.bpmn"},
		{file: "signavio-latin1.bpmn"},
		{file: "effektif.bpmn"},
		{file: "no-declaration.bpmn"},
		{file: "utf16le-bom.bpmn"},
		{file: "malformed.bpmn", format: "element <startEvent> closed by </process>", line: 5},
		{file: "entity-bomb.bpmn", format: "DOCTYPE declaring entities", line: 8},
		{file: "complex-gateway.bpmn", unsupported: []string{"cg complexGateway"}},
	}
	files, _ := filepath.Glob("testdata/*.bpmn")
	if len(files) != len(tests) {
		t.Errorf("%d files in testdata, %d tested", len(files), len(tests))
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			w, _, err := ImportEncoded(readTestdata(t, tt.file), charsets.Lookup)
			var fe *FormatError
			var ue *UnsupportedError
			switch {
			case tt.format != "":
				if !errors.As(err, &fe) || !strings.Contains(fe.Msg, tt.format) || fe.Line != tt.line {
					t.Fatalf("want FormatError %q at line %d, got %v", tt.format, tt.line, err)
				}
			case tt.unsupported != nil:
				if !errors.As(err, &ue) {
					t.Fatalf("want UnsupportedError, got %v", err)
				}
				var got []string
				for _, e := range ue.Elements {
					got = append(got, e.ID+" "+e.Type)
				}
				if !slices.Equal(got, tt.unsupported) {
					t.Fatalf("unsupported elements %q, want %q", got, tt.unsupported)
				}
			default:
				if err != nil {
					t.Fatal(err)
				}
				assertRoundTrip(t, w)
				out, _ := Export(w)
				if _, err := parseXML(out, nil); err != nil {
					t.Fatalf("export does not parse: %v", err)
				}
			}
		})
	}
}

func TestEncodingsAndNamespaces(t *testing.T) {
	w, _, err := ImportEncoded(readTestdata(t, "signavio-latin1.bpmn"), charsets.Lookup)
	if err != nil {
		t.Fatal(err)
	}
	check := activityByID(t, w.Activities, "sid-check")
	if check.Name != "Bestellung prüfen" {
		t.Errorf("Latin-1 name read as %q", check.Name)
	}
	if gw := activityByID(t, w.Activities, "sid-gw"); gw.Name != "Betrag \ngrößer 5000 €?" {
		t.Errorf("gateway name %q", gw.Name)
	}
	if w.Name != "Einkauf" {
		t.Errorf("process name from the pool: %q", w.Name)
	}
	if len(check.CandidateGroupIDs) != 1 || string(check.CandidateGroupIDs[0].Value) != `"einkauf"` {
		t.Errorf("potentialOwner: %+v", check.CandidateGroupIDs)
	}

	w, err = Import(readTestdata(t, "utf16le-bom.bpmn"))
	if err != nil {
		t.Fatal(err)
	}
	if w.Name != "Straße 日本" || activityByID(t, w.Activities, "u").Name != "Überprüfen 📝" {
		t.Errorf("UTF-16 read as %q / %q", w.Name, activityByID(t, w.Activities, "u").Name)
	}

	w, err = Import(readTestdata(t, "no-declaration.bpmn"))
	if err != nil {
		t.Fatal(err)
	}
	if len(w.Activities) != 3 || len(w.Transitions) != 2 {
		t.Errorf("no-declaration: %d activities, %d transitions", len(w.Activities), len(w.Transitions))
	}
	if bpmn := string(activityByID(t, w.Activities, "t1").BPMN); !strings.Contains(bpmn, "keep me") || !strings.Contains(bpmn, `"vendor:color":"#ffcc00"`) {
		t.Errorf("vendor extension not kept: %s", bpmn)
	}
	if !strings.Contains(string(w.BPMN), "not BPMN, kept") {
		t.Errorf("foreign element in the process not kept: %s", w.BPMN)
	}

	// The same small document in other encodings and byte order marks.
	doc := `<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL"><process id="p" name="Grüße"><task id="t" name="€ and ü"/></process></definitions>`
	decl := func(enc string) string { return `<?xml version="1.0" encoding="` + enc + `"?>` + "\n" }
	encode := func(s string, table func(rune) []byte) []byte {
		var b []byte
		for _, r := range s {
			b = append(b, table(r)...)
		}
		return b
	}
	latin1 := func(r rune) []byte { return []byte{byte(r)} }
	cp1252 := func(r rune) []byte {
		if r == '€' {
			return []byte{0x80}
		}
		return []byte{byte(r)}
	}
	utf16be := func(r rune) []byte { return []byte{byte(r >> 8), byte(r)} }
	docLatin1 := strings.Replace(doc, "€", "EUR", 1)
	for name, tc := range map[string]struct {
		data     []byte
		wantTask string
	}{
		"utf-8 bom":        {append([]byte{0xEF, 0xBB, 0xBF}, decl("UTF-8")+doc...), "€ and ü"},
		"iso-8859-1":       {encode(decl("ISO-8859-1")+docLatin1, latin1), "EUR and ü"},
		"latin1 alias":     {encode(decl("latin1")+docLatin1, latin1), "EUR and ü"},
		"windows-1252":     {encode(decl("windows-1252")+doc, cp1252), "€ and ü"},
		"utf-16be no bom":  {encode(decl("UTF-16")+doc, utf16be), "€ and ü"},
		"utf-16be bom":     {append([]byte{0xFE, 0xFF}, encode(decl("UTF-16")+doc, utf16be)...), "€ and ü"},
		"no declaration":   {[]byte(doc), "€ and ü"},
		"declaration only": {[]byte(decl("UTF-8") + doc), "€ and ü"},
	} {
		w, _, err := ImportEncoded(tc.data, charsets.Lookup)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		// Without charsets, only UTF-8 and UTF-16 documents are read; the
		// others are refused naming their encoding.
		_, err = Import(tc.data)
		var fe *FormatError
		switch single := strings.Contains(name, "8859") || strings.Contains(name, "latin1") || strings.Contains(name, "1252"); {
		case single && (!errors.As(err, &fe) || !strings.Contains(fe.Error(), "unsupported encoding")):
			t.Errorf("%s without charsets: %v", name, err)
		case !single && err != nil:
			t.Errorf("%s without charsets: %v", name, err)
		}
		if w.Name != "Grüße" || w.Activities[0].Name != tc.wantTask {
			t.Errorf("%s: read %q / %q", name, w.Name, w.Activities[0].Name)
		}
	}
	if _, err := Import([]byte(decl("US-ASCII") + strings.NewReplacer("€", "EUR", "ü", "ue", "ß", "ss", "Grüße", "Gruesse").Replace(doc))); err != nil {
		t.Errorf("US-ASCII without charsets: %v", err)
	}
	_, _, err = ImportEncoded([]byte(decl("x-klingon")+doc), charsets.Lookup)
	var fe *FormatError
	if !errors.As(err, &fe) || !strings.Contains(fe.Error(), "klingon") {
		t.Errorf("unknown encoding: %v", err)
	}
}

func activityByID(t *testing.T, acts []workflow.Activity, id string) *workflow.Activity {
	t.Helper()
	for i := range acts {
		if acts[i].ID == id {
			return &acts[i]
		}
		if a := findActivity(acts[i].Activities, id); a != nil {
			return a
		}
	}
	t.Fatalf("no activity %q", id)
	return nil
}

func findActivity(acts []workflow.Activity, id string) *workflow.Activity {
	for i := range acts {
		if acts[i].ID == id {
			return &acts[i]
		}
		if a := findActivity(acts[i].Activities, id); a != nil {
			return a
		}
	}
	return nil
}

func TestImportTextIgnoresTheDeclaredEncoding(t *testing.T) {
	doc := "\uFEFF<?xml version=\"1.0\" encoding='ISO-8859-1'?>\n" +
		`<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL"><process id="p" name="Grüße"><task id="t" name="€ and ü"/></process></definitions>`
	w, err := ImportText(doc)
	if err != nil {
		t.Fatal(err)
	}
	if w.Name != "Grüße" || activityByID(t, w.Activities, "t").Name != "€ and ü" {
		t.Errorf("read as %q / %q", w.Name, activityByID(t, w.Activities, "t").Name)
	}
	for data, want := range map[string]string{
		`<?xml version="1.0" encoding="ISO-8859-1"?><a/>`: "iso-8859-1",
		`<?xml version="1.0" encoding='UTF-16'?><a/>`:     "utf-16",
		`<?xml version="1.0"?><a encoding="x"/>`:          "",
		`<a/>`:                                            "",
	} {
		if got := DeclaredEncoding([]byte(data)); got != want {
			t.Errorf("DeclaredEncoding(%s) = %q, want %q", data, got, want)
		}
	}
}
