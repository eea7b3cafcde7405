package main

import (
	"testing"

	"github.com/effektif-serverless/caseflow/infra/routecheck"
)

func TestRoutesAreTheTemplates(t *testing.T) { routecheck.Function(t, routes) }
