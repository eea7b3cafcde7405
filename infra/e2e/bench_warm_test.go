package e2e

import (
	"github.com/effektif-serverless/caseflow/shared/secret/password"

	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go/middleware"
	"github.com/awslabs/aws-lambda-go-api-proxy/httpadapter"

	"github.com/effektif-serverless/caseflow/shared/awsclients"
	"github.com/effektif-serverless/caseflow/shared/casework"
	"github.com/effektif-serverless/caseflow/shared/effektif"
	"github.com/effektif-serverless/caseflow/shared/effektif/work"
	"github.com/effektif-serverless/caseflow/shared/httpapi"
	"github.com/effektif-serverless/caseflow/shared/identity"
	"github.com/effektif-serverless/caseflow/shared/store"
	"github.com/effektif-serverless/caseflow/shared/store/workstore"
)

// The warm-overhead benchmarks (BenchmarkWarm) time each main operation
// through the local gateway (HTTP in, the authorizer's and the function's
// processes under the Runtime API emulator, DynamoDB Local) and, in the
// same run and interleaved with it, its floor: the DynamoDB calls that very
// operation makes, replayed one after another with the same inputs on the
// same DynamoDB Local by a bare client. The calls are recorded from one run
// of the same code in this process: the authorizer's handler, then the
// function's router behind the Lambda HTTP adapter. They report the medians
// (gateway-ms, floor-ms, handler-ms for the in-process run) and x-floor,
// the ratio of the gateway's median to the floor's.

// recordedCall is one DynamoDB call: its operation and its input.
type recordedCall struct {
	op    string
	input any
}

// callRecorder records the DynamoDB calls of the clients made from a
// configuration it is attached to, while recording is on.
type callRecorder struct {
	mu    sync.Mutex
	on    bool
	calls []recordedCall
}

func (rec *callRecorder) attach(cfg *aws.Config) {
	cfg.APIOptions = append(cfg.APIOptions, func(stack *middleware.Stack) error {
		return stack.Initialize.Add(middleware.InitializeMiddlewareFunc("CallRecorder",
			func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
				rec.mu.Lock()
				if rec.on {
					rec.calls = append(rec.calls, recordedCall{op: awsmiddleware.GetOperationName(ctx), input: in.Parameters})
				}
				rec.mu.Unlock()
				return next.HandleInitialize(ctx, in)
			}), middleware.Before)
	})
}

// record runs f with recording on and returns the calls it made.
func (rec *callRecorder) record(f func()) []recordedCall {
	rec.mu.Lock()
	rec.on, rec.calls = true, nil
	rec.mu.Unlock()
	f()
	rec.mu.Lock()
	defer rec.mu.Unlock()
	rec.on = false
	return rec.calls
}

// replay makes the calls again, in order, with a bare client. Writes are
// replayed without their conditions (see unconditional): the item a write
// created exists and the version it expected moved on, and a write whose
// condition fails costs DynamoDB less than the write it replaces.
func replay(ctx context.Context, db *dynamodb.Client, calls []recordedCall) error {
	for _, c := range calls {
		var err error
		switch in := unconditional(c.input).(type) {
		case *dynamodb.GetItemInput:
			_, err = db.GetItem(ctx, in)
		case *dynamodb.QueryInput:
			_, err = db.Query(ctx, in)
		case *dynamodb.BatchGetItemInput:
			_, err = db.BatchGetItem(ctx, in)
		case *dynamodb.TransactGetItemsInput:
			_, err = db.TransactGetItems(ctx, in)
		case *dynamodb.PutItemInput:
			_, err = db.PutItem(ctx, in)
		case *dynamodb.UpdateItemInput:
			_, err = db.UpdateItem(ctx, in)
		case *dynamodb.DeleteItemInput:
			_, err = db.DeleteItem(ctx, in)
		case *dynamodb.TransactWriteItemsInput:
			_, err = db.TransactWriteItems(ctx, in)
		case *dynamodb.BatchWriteItemInput:
			_, err = db.BatchWriteItem(ctx, in)
		default:
			return fmt.Errorf("replay: no replay for %s (%T)", c.op, c.input)
		}
		var canceled *types.TransactionCanceledException
		var failed *types.ConditionalCheckFailedException
		if err != nil && !errors.As(err, &canceled) && !errors.As(err, &failed) {
			return fmt.Errorf("replay %s: %w", c.op, err)
		}
	}
	return nil
}

// unconditional is a write input without its conditions (and without the
// expression names and values only they used); a transaction without its
// condition checks and idempotency token. Other inputs are returned as they are.
func unconditional(input any) any {
	switch in := input.(type) {
	case *dynamodb.PutItemInput:
		c := *in
		c.ConditionExpression, c.ExpressionAttributeNames, c.ExpressionAttributeValues = nil, nil, nil
		return &c
	case *dynamodb.DeleteItemInput:
		c := *in
		c.ConditionExpression, c.ExpressionAttributeNames, c.ExpressionAttributeValues = nil, nil, nil
		return &c
	case *dynamodb.UpdateItemInput:
		c := *in
		c.ConditionExpression = nil
		c.ExpressionAttributeNames, c.ExpressionAttributeValues = usedBy(aws.ToString(c.UpdateExpression), c.ExpressionAttributeNames, c.ExpressionAttributeValues)
		return &c
	case *dynamodb.TransactWriteItemsInput:
		// Without the recorded idempotency token too: with it, DynamoDB
		// answers a repeat from its memory of the first instead of
		// writing.
		c := *in
		c.TransactItems, c.ClientRequestToken = nil, nil
		for _, it := range in.TransactItems {
			switch {
			case it.Put != nil:
				p := *it.Put
				p.ConditionExpression, p.ExpressionAttributeNames, p.ExpressionAttributeValues = nil, nil, nil
				it.Put = &p
			case it.Delete != nil:
				d := *it.Delete
				d.ConditionExpression, d.ExpressionAttributeNames, d.ExpressionAttributeValues = nil, nil, nil
				it.Delete = &d
			case it.Update != nil:
				u := *it.Update
				u.ConditionExpression = nil
				u.ExpressionAttributeNames, u.ExpressionAttributeValues = usedBy(aws.ToString(u.UpdateExpression), u.ExpressionAttributeNames, u.ExpressionAttributeValues)
				it.Update = &u
			case it.ConditionCheck != nil:
				continue
			}
			c.TransactItems = append(c.TransactItems, it)
		}
		return &c
	}
	return input
}

var placeholderName = regexp.MustCompile(`[:#][A-Za-z0-9_]+`)

// usedBy keeps the expression names and values that expr names (DynamoDB
// refuses unused ones).
func usedBy(expr string, names map[string]string, values map[string]types.AttributeValue) (map[string]string, map[string]types.AttributeValue) {
	var keptNames map[string]string
	var keptValues map[string]types.AttributeValue
	for _, p := range placeholderName.FindAllString(expr, -1) {
		if v, ok := names[p]; ok {
			if keptNames == nil {
				keptNames = map[string]string{}
			}
			keptNames[p] = v
		}
		if v, ok := values[p]; ok {
			if keptValues == nil {
				keptValues = map[string]types.AttributeValue{}
			}
			keptValues[p] = v
		}
	}
	return keptNames, keptValues
}

func opNames(calls []recordedCall) string {
	names := make([]string, len(calls))
	for i, c := range calls {
		names[i] = c.op
	}
	return strings.Join(names, " ")
}

// warmBench is the bench's environment: the services in this process with
// their calls recorded, and a bare client on the same DynamoDB Local.
type warmBench struct {
	rec  *callRecorder
	bare *dynamodb.Client
	auth func(context.Context, events.APIGatewayV2CustomAuthorizerV2Request) (events.APIGatewayV2CustomAuthorizerSimpleResponse, error)
}

// newWarmBench returns the bench and the identity and casework services
// whose calls it records.
func newWarmBench(b *testing.B) (*warmBench, *identity.Service, *casework.Service) {
	b.Helper()
	rec := &callRecorder{}
	id := benchServiceWith(b, rec.attach)
	// The in-process handlers' request logs would drown the results.
	logger := slog.Default()
	slog.SetDefault(slog.New(slog.DiscardHandler))
	b.Cleanup(func() { slog.SetDefault(logger) })
	cfg, err := awsclients.Load(context.Background())
	if err != nil {
		b.Fatal(err)
	}
	cw := &casework.Service{Identity: id, Store: workstore.New(id.Store.(*store.DB)), Mail: id.Mail}
	return &warmBench{rec: rec, bare: awsclients.DynamoDB(cfg), auth: httpapi.Authorizer(id)}, id, cw
}

// warmRequest is one request of an operation.
type warmRequest struct {
	method, path, token string
	body                []byte
	status              int
}

// inProcess serves req in this process as the deployment does: the
// authorizer's handler resolves the token, then the function's router
// serves the API Gateway event behind the Lambda HTTP adapter.
func (wb *warmBench) inProcess(b *testing.B, adapter *httpadapter.HandlerAdapterV2, req warmRequest) {
	b.Helper()
	ctx := context.Background()
	path, query, _ := strings.Cut(req.path, "?")
	ev := events.APIGatewayV2HTTPRequest{
		Version: "2.0", RawPath: path, RawQueryString: query,
		Headers: map[string]string{"content-type": "application/json"},
		Body:    string(req.body),
		RequestContext: events.APIGatewayV2HTTPRequestContext{
			HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{Method: req.method, Path: path},
		},
	}
	if req.token != "" {
		ev.Headers["authorization"] = req.token
		out, err := wb.auth(ctx, events.APIGatewayV2CustomAuthorizerV2Request{Headers: map[string]string{"authorization": req.token}})
		if err != nil {
			b.Fatal(err)
		}
		ev.RequestContext.Authorizer = &events.APIGatewayV2HTTPRequestContextAuthorizerDescription{Lambda: out.Context}
	}
	res, err := adapter.ProxyWithContext(ctx, ev)
	if err != nil {
		b.Fatal(err)
	}
	if res.StatusCode != req.status {
		b.Fatalf("in process: %s %s answered %d, want %d: %s", req.method, req.path, res.StatusCode, req.status, res.Body)
	}
}

// throughGateway sends req to the local gateway.
func throughGateway(b *testing.B, req warmRequest) {
	b.Helper()
	r, err := http.NewRequest(req.method, stack.GatewayURL+req.path, bytes.NewReader(req.body))
	if err != nil {
		b.Fatal(err)
	}
	r.Header.Set("Content-Type", "application/json")
	if req.token != "" {
		r.Header.Set("Authorization", req.token)
	}
	res := do(b, r)
	if res.Status != req.status {
		b.Fatalf("gateway: %s %s answered %d, want %d: %s", req.method, req.path, res.Status, req.status, res.Body)
	}
}

// run measures the operation: next(i) is its i-th request (the same one
// each time for a read; a fresh one for an operation that consumes what it
// acts on). Each round sends one request through the gateway, one in this
// process (recording its calls) and replays those calls bare; extra is
// work of the floor beyond the DynamoDB calls (the login's password hash).
func (wb *warmBench) run(b *testing.B, router http.Handler, next func(i int) warmRequest, extra func()) {
	b.Helper()
	ctx := context.Background()
	adapter := httpadapter.NewV2(router)
	// One round unmeasured warms the function instances.
	throughGateway(b, next(0))
	var gateway, handler, floor []time.Duration
	var calls []recordedCall
	b.ResetTimer()
	for i := 1; i <= b.N; i++ {
		start := time.Now()
		throughGateway(b, next(2*i-1))
		gateway = append(gateway, time.Since(start))

		start = time.Now()
		calls = wb.rec.record(func() { wb.inProcess(b, adapter, next(2*i)) })
		handler = append(handler, time.Since(start))

		start = time.Now()
		if err := replay(ctx, wb.bare, calls); err != nil {
			b.Fatal(err)
		}
		if extra != nil {
			extra()
		}
		floor = append(floor, time.Since(start))
	}
	b.StopTimer()
	g, h, f := median(gateway), median(handler), median(floor)
	b.ReportMetric(ms(g), "gateway-ms")
	b.ReportMetric(ms(h), "handler-ms")
	b.ReportMetric(ms(f), "floor-ms")
	b.ReportMetric(float64(len(calls)), "ddb-calls/op")
	b.ReportMetric(float64(g)/float64(f), "x-floor")
	b.Logf("calls: %s", opNames(calls))
}

func median(d []time.Duration) time.Duration {
	s := slices.Clone(d)
	slices.Sort(s)
	return s[len(s)/2]
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// BenchmarkWarm measures the main operations against their floor.
func BenchmarkWarm(b *testing.B) {
	b.Run("GetOrganization", func(b *testing.B) {
		wb, id, _ := newWarmBench(b)
		a := benchAccount(b)
		router := effektif.NewRouter()
		effektif.OrganizationRoutes(router, id)
		req := warmRequest{method: "GET", path: "/api/v1/" + a.OrgKey, token: a.Token, status: http.StatusOK}
		wb.run(b, router, func(int) warmRequest { return req }, nil)
	})
	b.Run("GetCase", func(b *testing.B) {
		wb, _, cw := newWarmBench(b)
		a := benchAccount(b)
		wf := publish(b, a, twoStepWorkflow)
		ctx := context.Background()
		inst, err := cw.StartInstance(ctx, inOrg(b, ctx, cw.Identity, a), casework.TriggerRequest{SourceWorkflowID: wf})
		if err != nil {
			b.Fatal(err)
		}
		router := effektif.NewRouter()
		work.CaseRoutes(router, cw)
		req := warmRequest{method: "GET", path: "/api/v1/" + a.OrgKey + "/cases/" + inst.CaseID, token: a.Token, status: http.StatusOK}
		wb.run(b, router, func(int) warmRequest { return req }, nil)
	})
	b.Run("ListTasks", func(b *testing.B) {
		wb, _, cw := newWarmBench(b)
		a := benchAccount(b)
		for i := 0; i < 20; i++ {
			expect(b, call(b, "POST", "/api/v1/"+a.OrgKey+"/tasks", a.Token, map[string]any{"name": "Bench task", "assigneeId": a.UserID}), http.StatusOK)
		}
		router := effektif.NewRouter()
		work.TaskRoutes(router, cw)
		req := warmRequest{method: "GET", path: "/api/v1/" + a.OrgKey + "/tasks", token: a.Token, status: http.StatusOK}
		wb.run(b, router, func(int) warmRequest { return req }, nil)
	})
	b.Run("StartInstance", func(b *testing.B) {
		wb, _, cw := newWarmBench(b)
		a := benchAccount(b)
		wf := publish(b, a, twoStepWorkflow)
		router := effektif.NewRouter()
		work.EngineRoutes(router, cw)
		body, _ := json.Marshal(map[string]any{"sourceWorkflowId": wf})
		req := warmRequest{method: "POST", path: "/api/v1/" + a.OrgKey + "/engine/workflow/instances", token: a.Token, body: body, status: http.StatusOK}
		wb.run(b, router, func(int) warmRequest { return req }, nil)
	})
	b.Run("CompleteTask", func(b *testing.B) {
		wb, _, cw := newWarmBench(b)
		a := benchAccount(b)
		wf := publish(b, a, twoStepWorkflow)
		tasks := openTaskIDs(b, cw, a, wf, 2*b.N+1)
		router := effektif.NewRouter()
		work.TaskRoutes(router, cw)
		wb.run(b, router, func(i int) warmRequest {
			return warmRequest{method: "POST", path: "/api/v1/" + a.OrgKey + "/tasks/" + tasks[i] + "/complete", token: a.Token, status: http.StatusOK}
		}, nil)
	})
	b.Run("Login", func(b *testing.B) {
		wb, id, _ := newWarmBench(b)
		a := benchAccount(b)
		router := effektif.NewRouter()
		effektif.UserRoutes(router, id)
		body, _ := json.Marshal(map[string]any{"emailAddress": a.Email, "password": a.Password})
		req := warmRequest{method: "POST", path: "/api/v1/users/login", body: body, status: http.StatusOK}
		// The floor of a login holds the password check it must make.
		hash, err := password.Hash(a.Password)
		if err != nil {
			b.Fatal(err)
		}
		wb.run(b, router, func(int) warmRequest { return req }, func() {
			if ok, err := password.Verify(hash, a.Password); !ok || err != nil {
				b.Fatal("password check", err)
			}
		})
	})
}
