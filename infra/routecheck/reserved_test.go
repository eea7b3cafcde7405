package routecheck

import (
	"slices"
	"strings"
	"testing"

	"github.com/effektif-serverless/caseflow/infra/localparams"
	"github.com/effektif-serverless/caseflow/infra/samtemplate"
	"github.com/effektif-serverless/caseflow/shared/effektif"
	"github.com/effektif-serverless/caseflow/shared/environment/identityenv"
)

// TestReservedKeysCoverTheTemplate: a literal where a route of
// template.yaml could take an organization key (the segment after
// Effektif's base path; a path's first segment, where SuperOffice puts its
// tenant) is a reserved key, so no organization's key shadows a route.
func TestReservedKeysCoverTheTemplate(t *testing.T) {
	tmpl, err := samtemplate.Load("../../template.yaml", samtemplate.Options{Parameters: localparams.Values})
	if err != nil {
		t.Fatal(err)
	}
	literal := func(s string) bool { return s != "" && !strings.HasPrefix(s, "{") }
	for _, r := range tmpl.Routes {
		segs := strings.Split(strings.TrimPrefix(r.Path, "/"), "/")
		if literal(segs[0]) && !identityenv.ReservedKeys.Has(segs[0]) {
			t.Errorf("%s: first segment %q is not a reserved key", r.Key(), segs[0])
		}
		if strings.HasPrefix(r.Path, effektif.BasePath+"/") && len(segs) > 2 && literal(segs[2]) && !slices.Contains(effektif.ReservedKeys, segs[2]) {
			t.Errorf("%s: %q, where Effektif routes take an organization key, is not in effektif.ReservedKeys", r.Key(), segs[2])
		}
	}
}
