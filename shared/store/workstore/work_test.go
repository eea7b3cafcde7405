package workstore

import (
	"sort"
	"strings"
	"testing"

	"github.com/effektif-serverless/caseflow/shared/casework"
)

// participation writes only what a case write changes in its
// participants' case lists.
func TestParticipationEntries(t *testing.T) {
	c := func(ids ...string) casework.Case {
		return casework.Case{ID: "c1", OrganizationID: "o1", ParticipantIDs: ids}
	}
	show := func(pcs []partChange) string {
		var out []string
		for _, pc := range pcs {
			op := "+"
			if pc.del {
				op = "-"
			}
			out = append(out, op+strings.TrimPrefix(pc.key.PK, "PART#o1#"))
		}
		sort.Strings(out)
		return strings.Join(out, " ")
	}
	ann, annBob := c("ann"), c("ann", "bob")
	for name, tc := range map[string]struct {
		w    casework.CaseWrite
		want string
	}{
		"new":              {casework.CaseWrite{Case: annBob, New: true}, "+ann +bob"},
		"unchanged":        {casework.CaseWrite{Case: annBob, Previous: &annBob}, ""},
		"gained bob":       {casework.CaseWrite{Case: annBob, Previous: &ann}, "+bob"},
		"lost bob":         {casework.CaseWrite{Case: ann, Previous: &annBob}, "-bob"},
		"unknown previous": {casework.CaseWrite{Case: annBob}, "+ann +bob"},
		"deleted":          {casework.CaseWrite{Case: annBob, Previous: &annBob, Delete: true}, "-ann -bob"},
		"duplicates":       {casework.CaseWrite{Case: c("ann", "ann", ""), New: true}, "+ann"},
	} {
		if got := show(participation(tc.w)); got != tc.want {
			t.Errorf("%s: %q, want %q", name, got, tc.want)
		}
	}
}
