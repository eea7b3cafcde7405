package bpmn

import (
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/effektif-serverless/caseflow/shared/workflow"
)

func mustWorkflow(t *testing.T, w any) *workflow.Workflow {
	t.Helper()
	wf, ok := w.(*workflow.Workflow)
	if !ok {
		t.Fatalf("not a workflow: %T", w)
	}
	return wf
}

// jsonDiff lists the paths where two JSON documents differ (at most 20).
func jsonDiff(a, b []byte) string {
	var x, y any
	_ = json.Unmarshal(a, &x)
	_ = json.Unmarshal(b, &y)
	var out []string
	diffValue("", x, y, &out)
	if len(out) > 20 {
		out = append(out[:20], fmt.Sprintf("… %d more", len(out)-20))
	}
	return strings.Join(out, "\n")
}

func diffValue(path string, x, y any, out *[]string) {
	switch xv := x.(type) {
	case map[string]any:
		yv, ok := y.(map[string]any)
		if !ok {
			break
		}
		keys := map[string]bool{}
		for k := range xv {
			keys[k] = true
		}
		for k := range yv {
			keys[k] = true
		}
		var ks []string
		for k := range keys {
			ks = append(ks, k)
		}
		sort.Strings(ks)
		for _, k := range ks {
			diffValue(path+"."+k, xv[k], yv[k], out)
		}
		return
	case []any:
		yv, ok := y.([]any)
		if !ok {
			break
		}
		if len(xv) != len(yv) {
			*out = append(*out, fmt.Sprintf("%s: %d elements != %d", path, len(xv), len(yv)))
		}
		for i := range min(len(xv), len(yv)) {
			diffValue(fmt.Sprintf("%s[%d]", path, i), xv[i], yv[i], out)
		}
		return
	}
	if !reflect.DeepEqual(x, y) {
		xs, _ := json.Marshal(x)
		ys, _ := json.Marshal(y)
		*out = append(*out, fmt.Sprintf("%s: %.300s\n    != %.300s", path, xs, ys))
	}
}
