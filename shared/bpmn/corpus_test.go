package bpmn

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// corpusDir is the BPMN MIWG corpus beside the repository.
const corpusDir = "../../../shared/bpmn-corpus"

// TestCorpus imports every corpus file: each imports (and then round-trips)
// or is rejected only with an *UnsupportedError naming element ids and
// types.
func TestCorpus(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(corpusDir, "*", "*.bpmn"))
	if len(files) == 0 {
		t.Skip("no corpus at " + corpusDir)
	}
	sort.Strings(files)
	imported := 0
	for _, f := range files {
		name, _ := filepath.Rel(corpusDir, f)
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			w, err := Import(data)
			var ue *UnsupportedError
			if errors.As(err, &ue) {
				types := map[string]bool{}
				for _, e := range ue.Elements {
					if e.ID == "" || e.Type == "" {
						t.Errorf("element without id or type: %+v", e)
					}
					types[e.Type] = true
				}
				t.Logf("rejected: %s", strings.Join(sortedMapKeys(types), ", "))
				return
			}
			if err != nil {
				t.Fatalf("import: %v", err)
			}
			imported++
			assertRoundTrip(t, w)
		})
	}
	t.Logf("%d of %d files import", imported, len(files))
}

// assertRoundTrip exports w, imports the export and compares the JSON of
// both workflows, all of it.
func assertRoundTrip(t *testing.T, w any) {
	t.Helper()
	first, _ := json.Marshal(w)
	wf := mustWorkflow(t, w)
	out, err := Export(wf)
	if err != nil {
		t.Fatalf("export: %v", err)
	}
	again, err := Import(out)
	if err != nil {
		t.Fatalf("re-import: %v\n%s", err, out)
	}
	second, _ := json.Marshal(again)
	if !bytes.Equal(first, second) {
		t.Errorf("round trip differs:\n%s", jsonDiff(first, second))
	}
}

// TestCorpusEveryProcess imports every process of every corpus file (not
// only the one Import chooses) and checks the round trip of those that
// import.
func TestCorpusEveryProcess(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(corpusDir, "*", "*.bpmn"))
	if len(files) == 0 {
		t.Skip("no corpus at " + corpusDir)
	}
	sort.Strings(files)
	ok := 0
	for _, f := range files {
		data, _ := os.ReadFile(f)
		root, err := parseXML(data)
		if err != nil {
			t.Fatal(err)
		}
		root.Decls = withoutStandard(root.Decls)
		for i, p := range root.Kids {
			if !p.is(nsModel, "process") {
				continue
			}
			im := newImporter(root.clone())
			w, err := im.run(im.root.Kids[i])
			var ue *UnsupportedError
			if errors.As(err, &ue) {
				continue
			}
			if err != nil {
				t.Errorf("%s %s: %v", f, p.attr("", "id"), err)
				continue
			}
			ok++
			first, _ := json.Marshal(w)
			out, err := Export(w)
			if err != nil {
				t.Errorf("%s: export %v", f, err)
				continue
			}
			// re-import the same process: it is the one at the same place
			root2, err := parseXML(out)
			if err != nil {
				t.Errorf("%s: reparse %v", f, err)
				continue
			}
			root2.Decls = withoutStandard(root2.Decls)
			var w2 any
			for j, p2 := range root2.Kids {
				if p2.is(nsModel, "process") && p2.attr("", "id") == w.ID {
					im2 := newImporter(root2.clone())
					w2, err = im2.run(im2.root.Kids[j])
				}
			}
			second, _ := json.Marshal(w2)
			if string(first) != string(second) {
				t.Errorf("%s %s: round trip differs (%v):\n%s", filepath.Base(filepath.Dir(f))+"/"+filepath.Base(f), w.ID, err, jsonDiff(first, second))
			}
		}
	}
	t.Logf("%d processes import", ok)
}
