package work

import "github.com/effektif-serverless/caseflow/shared/effektif"

// tenant resolves the caller in the path's organization (effektif.Tenant).
var tenant = effektif.Tenant
