module github.com/effektif-serverless/caseflow/infra/enginebench

go 1.26.8

require (
	github.com/effektif-serverless/caseflow v0.0.0
	github.com/nitram509/lib-bpmn-engine v0.2.4
)

require (
	github.com/antonmedv/expr v1.9.0 // indirect
	github.com/bwmarrin/snowflake v0.3.0 // indirect
	github.com/senseyeio/duration v0.0.0-20180430131211-7c2a214ada46 // indirect
	golang.org/x/text v0.43.0 // indirect
)

replace github.com/effektif-serverless/caseflow => ../..
