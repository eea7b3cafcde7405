# The two commands: `make run` brings the whole system up locally, `make test`
# runs every test. See README.md.

GO            ?= go
LOCAL         := $(GO) run ./infra/cmd/local
STATICCHECK   := $(GO) run honnef.co/go/tools/cmd/staticcheck@v0.8.2
PKGS          := ./...
FUZZTIME      ?= 20s
EVENT         ?=
FN            ?=

.PHONY: run seed reindex reset test unit lint build deploy invoke fuzz bench bench-coldstart bench-memory bench-warm bench-engine bench-scale clean

## run: start the local AWS stack and the local gateway on http://127.0.0.1:$${PORT:-3000}; the data stays in .local-data/ across runs
run:
	@echo "make run: compiling the local tool (the first time on a machine: about a minute), then the functions..."
	$(LOCAL) run

## seed: make a demo organization (admin, member, group, a published workflow with a case and open tasks) on the running stack
seed:
	$(LOCAL) seed

## reindex: rewrite make run's stored cases, tasks and events in the current form (an upgrade step; see README: Upgrading)
reindex:
	$(LOCAL) reindex

## reset: forget the data of make run (the next make run starts empty); stop make run first
reset:
	rm -rf .local-data

## test: lint, then every test (unit and integration; the local stack starts and stops itself)
test: lint
	$(GO) test -count=1 -timeout 15m $(PKGS)

## unit: only the tests that need no local stack
unit:
	$(GO) test -short -count=1 $(PKGS)

## lint: gofmt, go vet and staticcheck must all be clean
lint:
	@unformatted="$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go' -not -path './infra/localstack/node_modules/*'))"; \
	  if [ -n "$$unformatted" ]; then echo "gofmt would change: $$unformatted"; exit 1; fi
	$(GO) vet $(PKGS)
	$(STATICCHECK) $(PKGS)

## build: build every function for Lambda (linux/arm64) into .aws-sam/build, ready for `sam deploy`
build:
	$(LOCAL) build

## deploy: build, deploy with SAM (guided the first time: it asks for the secrets and PublicBaseUrl), then make
## the stack's SES receipt rule set the active one, which CloudFormation cannot do. STACK names the stack.
STACK         ?= caseflow
deploy: build
	sam deploy --template-file .aws-sam/build/template.yaml --stack-name $(STACK) --capabilities CAPABILITY_IAM \
	  $(if $(wildcard samconfig.toml),,--guided)
	@rule_set="$$(aws cloudformation describe-stacks --stack-name $(STACK) \
	  --query "Stacks[0].Outputs[?OutputKey=='MailReceiptRuleSetName'].OutputValue" --output text)" && \
	  test -n "$$rule_set" -a "$$rule_set" != None && \
	  aws ses set-active-receipt-rule-set --rule-set-name "$$rule_set" && \
	  echo "inbound mail: the SES receipt rule set $$rule_set is active"

## invoke: run one function on one event (on the running make run stack when one is up), e.g. make invoke FN=users EVENT=events/users-register.json
invoke:
	@test -n "$(FN)" -a -n "$(EVENT)" || { echo "usage: make invoke FN=<function> EVENT=events/<file>.json"; exit 2; }
	$(LOCAL) invoke -function $(FN) -event $(EVENT)

## fuzz: run each fuzz target for FUZZTIME
fuzz:
	$(GO) test ./shared/httpapi -run '^$$' -fuzz FuzzUnmarshal -fuzztime $(FUZZTIME)
	$(GO) test ./shared/identity -run '^$$' -fuzz FuzzOrganizationKey -fuzztime $(FUZZTIME)
	$(GO) test ./shared/identity -run '^$$' -fuzz FuzzCheckRedirect -fuzztime $(FUZZTIME)
	$(GO) test ./shared/identity -run '^$$' -fuzz FuzzMailSafe -fuzztime $(FUZZTIME)
	$(GO) test ./shared/identity -run '^$$' -fuzz FuzzDeriveUsername -fuzztime $(FUZZTIME)
	$(GO) test ./shared/identity -run '^$$' -fuzz FuzzNavigationConfiguration -fuzztime $(FUZZTIME)
	$(GO) test ./shared/identity -run '^$$' -fuzz FuzzOpenChallenge -fuzztime $(FUZZTIME)
	$(GO) test ./shared/ids -run '^$$' -fuzz FuzzUUIDForm -fuzztime $(FUZZTIME)
	$(GO) test ./shared/tenduke -run '^$$' -fuzz FuzzReadListing -fuzztime $(FUZZTIME)
	$(GO) test ./shared/tenduke -run '^$$' -fuzz FuzzCredentials -fuzztime $(FUZZTIME)
	$(GO) test ./shared/tenduke -run '^$$' -fuzz FuzzUUIDToCore -fuzztime $(FUZZTIME)
	$(GO) test ./shared/secret/password -run '^$$' -fuzz FuzzVerify -fuzztime $(FUZZTIME)
	$(GO) test ./shared/engine -run '^$$' -fuzz FuzzStart -fuzztime $(FUZZTIME)
	$(GO) test ./shared/casework -run '^$$' -fuzz FuzzTaskCursor -fuzztime $(FUZZTIME)
	$(GO) test ./shared/casework -run '^$$' -fuzz FuzzCaseTaskCursor -fuzztime $(FUZZTIME)
	$(GO) test ./shared/bpmn -run '^$$' -fuzz FuzzImport -fuzztime $(FUZZTIME)
	$(GO) test ./shared/mailintake -run '^$$' -fuzz FuzzRecipients -fuzztime $(FUZZTIME)
	$(GO) test ./shared/mailintake -run '^$$' -fuzz FuzzVerifies -fuzztime $(FUZZTIME)
	$(GO) test ./shared/effektif -run '^$$' -fuzz FuzzLambdaBodySize -fuzztime $(FUZZTIME)

## bench: benchmarks, including DynamoDB calls per operation against the local stack
bench:
	$(GO) test -run '^$$' -bench . -benchmem $(PKGS)

## bench-coldstart: cold starts of every function against a do-nothing Go Lambda built with the same flags (N each), and the linux/arm64 binary sizes
N             ?= 15
bench-coldstart:
	$(GO) run ./infra/coldstart -n $(N)

## bench-memory: each function's VmRSS and VmHWM after REQUESTS warm invocations of its sample event, then
## after REQUESTS rounds of the main operations through the gateway (infra/e2e BenchmarkMainOperationsMemory)
REQUESTS      ?= 1000
bench-memory:
	$(GO) run ./infra/coldstart -memory -requests $(REQUESTS)
	$(GO) test ./infra/e2e -run '^$$' -bench MainOperationsMemory -benchtime $(REQUESTS)x -v

## bench-warm: the main operations through the local gateway against the bare DynamoDB calls each makes (ROUNDS each)
ROUNDS        ?= 40
bench-warm:
	$(GO) test ./infra/e2e -run '^$$' -bench Warm -benchtime $(ROUNDS)x

## bench-engine: our engine against lib-bpmn-engine on one BPMN process (infra/enginebench, a module of its own); prints the ratios
bench-engine:
	cd infra/enginebench && $(GO) run . -rounds 5

## bench-scale: load SCALE_ITEMS cases and tasks of 10k other tenants into DynamoDB Local (batch writes, SCALE_WRITERS at a time), then print the ratios of
## a tenant's requests at that size to the same at 1k, and of filtered lists of a tenant with 10k cases to one with 20 (medians of SCALE_ROUNDS rounds)
SCALE_ITEMS   ?= 1000000
SCALE_ROUNDS  ?= 30
SCALE_WRITERS ?= 4
bench-scale:
	CASEFLOW_BENCH_SCALE=1 CASEFLOW_BENCH_SCALE_ITEMS=$(SCALE_ITEMS) CASEFLOW_BENCH_SCALE_ROUNDS=$(SCALE_ROUNDS) \
	  CASEFLOW_BENCH_SCALE_WRITERS=$(SCALE_WRITERS) $(GO) test ./infra/e2e -run '^$$' -bench Scale -benchtime 1x -timeout 3h

clean:
	rm -rf .build .aws-sam
