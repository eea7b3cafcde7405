package lambdaemu

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/effektif-serverless/caseflow/infra/internal/logx"
)

// The test binary doubles as the function: run with LAMBDAEMU_TEST_RUNTIME
// set, it is a Lambda runtime instead of the tests.
func TestMain(m *testing.M) {
	if mode := os.Getenv("LAMBDAEMU_TEST_RUNTIME"); mode != "" {
		runtimeMain(mode)
		return
	}
	os.Exit(m.Run())
}

func runtimeMain(mode string) {
	switch mode {
	case "exit":
		os.Exit(3)
	case "init-error":
		url := "http://" + os.Getenv("AWS_LAMBDA_RUNTIME_API") + "/2018-06-01/runtime/init/error"
		res, err := http.Post(url, "application/json", strings.NewReader(`{"errorType":"Config.Missing","errorMessage":"no TABLE_NAME"}`))
		if err == nil {
			res.Body.Close()
		}
		os.Exit(1)
	case "hang":
		select {}
	}
	lambda.Start(handle)
}

type testEvent struct {
	Sleep string // a duration
	Size  int    // the size of the response's data
	Fail  string // an error message
}

func handle(ctx context.Context, ev testEvent) (map[string]any, error) {
	if d, err := time.ParseDuration(ev.Sleep); err == nil {
		time.Sleep(d)
	}
	if ev.Fail != "" {
		return nil, errors.New(ev.Fail)
	}
	deadline, _ := ctx.Deadline()
	return map[string]any{
		"pid":      os.Getpid(),
		"data":     strings.Repeat("x", ev.Size),
		"deadline": !deadline.IsZero(),
		"name":     os.Getenv("AWS_LAMBDA_FUNCTION_NAME"),
		"extra":    os.Getenv("EXTRA"),
	}, nil
}

type answer struct {
	PID      int
	Data     string
	Deadline bool
	Name     string
	Extra    string
}

// newEmulator returns an emulator with one function, "fn", run by this
// test binary in the given mode.
func newEmulator(t *testing.T, mode string, fn Function, opts Options) (*Emulator, *logx.Buffer) {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	logs := &logx.Buffer{}
	opts.Log = logs
	e := New(opts)
	fn.Name, fn.Binary = "TestFunction", exe
	fn.Env = append(fn.Env, "LAMBDAEMU_TEST_RUNTIME="+mode, "EXTRA=extra")
	if err := e.Add("fn", fn); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		e.Close()
		if t.Failed() {
			t.Logf("logs:\n%s", logs.String())
		}
	})
	return e, logs
}

func invoke(t *testing.T, e *Emulator, ev testEvent) (answer, error) {
	t.Helper()
	payload, _ := json.Marshal(ev)
	out, err := e.Invoke(context.Background(), "fn", payload)
	var a answer
	if err == nil {
		if err := json.Unmarshal(out, &a); err != nil {
			t.Fatalf("response %s: %v", out, err)
		}
	}
	return a, err
}

func functionError(t *testing.T, err error, typ string) *FunctionError {
	t.Helper()
	var fe *FunctionError
	if !errors.As(err, &fe) || fe.Type != typ {
		t.Fatalf("got error %v, want a FunctionError of type %s", err, typ)
	}
	return fe
}

func TestInvoke(t *testing.T) {
	e, logs := newEmulator(t, "handler", Function{MaxInstances: 1}, Options{})
	first, err := invoke(t, e, testEvent{})
	if err != nil {
		t.Fatal(err)
	}
	if first.PID == 0 || first.PID == os.Getpid() || !first.Deadline || first.Name != "TestFunction" || first.Extra != "extra" {
		t.Errorf("first answer: %+v", first)
	}
	second, err := invoke(t, e, testEvent{})
	if err != nil || second.PID != first.PID {
		t.Errorf("a warm instance should serve the second call: got %+v, %v (first pid %d)", second, err, first.PID)
	}
	if _, err := e.Invoke(context.Background(), "fn", make([]byte, MaxPayload+1)); !errors.Is(err, ErrRequestTooLarge) {
		t.Errorf("large request: got %v", err)
	}
	if _, err := e.Invoke(context.Background(), "other", []byte("{}")); err == nil {
		t.Error("invoking an unknown function: no error")
	}
	// The REPORT line follows the response: wait for it a little.
	for i := 0; i < 100 && !strings.Contains(logs.String(), "Init Duration:"); i++ {
		time.Sleep(20 * time.Millisecond)
	}
	if !strings.Contains(logs.String(), "[TestFunction] START RequestId:") || !strings.Contains(logs.String(), "Init Duration:") {
		t.Errorf("no START or REPORT lines in the logs:\n%s", logs)
	}
}

func TestFunctionErrors(t *testing.T) {
	e, _ := newEmulator(t, "handler", Function{}, Options{})
	_, err := invoke(t, e, testEvent{Fail: "bad input"})
	fe := functionError(t, err, "errorString")
	if fe.Message != "bad input" || !strings.Contains(string(fe.Payload), `"errorMessage":"bad input"`) {
		t.Errorf("function error: %+v", fe)
	}
	_, err = invoke(t, e, testEvent{Size: MaxPayload})
	functionError(t, err, TypeResponseTooLarge)
	if _, err := invoke(t, e, testEvent{}); err != nil {
		t.Errorf("after the errors: %v", err)
	}
}

func TestStartFailures(t *testing.T) {
	_, err := invoke(t, first(newEmulator(t, "exit", Function{}, Options{})), testEvent{})
	functionError(t, err, TypeExit)

	_, err = invoke(t, first(newEmulator(t, "init-error", Function{}, Options{})), testEvent{})
	if fe := functionError(t, err, "Config.Missing"); fe.Message != "no TABLE_NAME" {
		t.Errorf("init error: %+v", fe)
	}

	_, err = invoke(t, first(newEmulator(t, "hang", Function{}, Options{InitTimeout: 200 * time.Millisecond})), testEvent{})
	functionError(t, err, TypeInit)
}

func first[A, B any](a A, _ B) A { return a }

func TestTimeoutReplacesInstance(t *testing.T) {
	e, logs := newEmulator(t, "handler", Function{Timeout: 300 * time.Millisecond, MaxInstances: 1}, Options{})
	before, err := invoke(t, e, testEvent{})
	if err != nil {
		t.Fatal(err)
	}
	_, err = invoke(t, e, testEvent{Sleep: "1m"})
	if fe := functionError(t, err, TypeTimeout); !fe.Timeout() {
		t.Error("Timeout() is false for a timeout")
	}
	after, err := invoke(t, e, testEvent{})
	if err != nil || after.PID == before.PID {
		t.Errorf("after the timeout: got %+v, %v; the timed-out instance was %d", after, err, before.PID)
	}
	if !strings.Contains(logs.String(), "Task timed out after 0.30 seconds") {
		t.Errorf("no timeout line in the logs:\n%s", logs)
	}
}

func TestMaxInstances(t *testing.T) {
	e, _ := newEmulator(t, "handler", Function{MaxInstances: 1}, Options{})
	var wg sync.WaitGroup
	pids := make([]int, 3)
	for i := range pids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			a, err := invoke(t, e, testEvent{Sleep: "50ms"})
			if err != nil {
				t.Error(err)
			}
			pids[i] = a.PID
		}()
	}
	wg.Wait()
	if pids[0] != pids[1] || pids[1] != pids[2] {
		t.Errorf("with one instance at most, one process should serve all: %v", pids)
	}
}

func TestCallerGivesUp(t *testing.T) {
	e, _ := newEmulator(t, "handler", Function{}, Options{MaxInstances: 1})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() {
		_, err := e.Invoke(ctx, "fn", []byte(`{"Sleep":"200ms"}`))
		done <- err
	}()
	time.Sleep(50 * time.Millisecond)
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("got %v, want context.Canceled", err)
	}
	// The instance finishes its invocation and serves the next one.
	if _, err := invoke(t, e, testEvent{}); err != nil {
		t.Error(err)
	}
}

func TestClose(t *testing.T) {
	e, _ := newEmulator(t, "handler", Function{}, Options{})
	if _, err := invoke(t, e, testEvent{}); err != nil {
		t.Fatal(err)
	}
	e.Close()
	e.Close()
	if _, err := invoke(t, e, testEvent{}); !errors.Is(err, ErrClosed) {
		t.Errorf("after Close: got %v", err)
	}
	if err := e.Add("new", Function{}); !errors.Is(err, ErrClosed) {
		t.Errorf("Add after Close: got %v", err)
	}
}

func TestRuntimeError(t *testing.T) {
	cases := []struct {
		body, header, typ, msg string
	}{
		{`{"errorMessage":"m","errorType":"T"}`, "", "T", "m"},
		{`{"errorMessage":"m"}`, "Runtime.Unknown", "Runtime.Unknown", "m"},
		{`not json`, "", TypeUnhandled, "not json"},
		{``, "X", "X", ""},
	}
	for _, c := range cases {
		fe := runtimeError("f", []byte(c.body), c.header)
		if fe.Type != c.typ || fe.Message != c.msg || !json.Valid(fe.Payload) {
			t.Errorf("%q %q: got %+v", c.body, c.header, fe)
		}
	}
}
