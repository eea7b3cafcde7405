package local

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/effektif-serverless/caseflow/infra/lambdaemu"
)

// echoInvoker answers the event for "Echo", fails for "Broken" and knows
// no other function.
type echoInvoker struct{}

func (echoInvoker) Invoke(_ context.Context, function string, event []byte) ([]byte, error) {
	switch function {
	case "Echo":
		return append([]byte(`{"got":`), append(event, '}')...), nil
	case "Broken":
		return nil, &lambdaemu.FunctionError{Function: function, Type: "boom", Payload: []byte(`{"errorMessage":"boom","errorType":"boom"}`)}
	}
	return nil, fmt.Errorf("no function %q", function)
}

func TestInvokeAPI(t *testing.T) {
	srv := httptest.NewServer(InvokeHandler(echoInvoker{}))
	defer srv.Close()
	addr := srv.Listener.Addr().String()
	ctx := context.Background()

	out, err := InvokeRunning(ctx, addr, "Echo", []byte(`{"a":1}`))
	if err != nil || string(out) != `{"got":{"a":1}}` {
		t.Errorf("Echo: %s %v", out, err)
	}
	out, err = InvokeRunning(ctx, addr, "Echo", nil)
	if err != nil || string(out) != `{"got":{}}` {
		t.Errorf("an empty event is {}: %s %v", out, err)
	}
	_, err = InvokeRunning(ctx, addr, "Broken", []byte(`{}`))
	var fe *lambdaemu.FunctionError
	if !errors.As(err, &fe) || !strings.Contains(string(fe.Payload), "boom") {
		t.Errorf("Broken: %v", err)
	}
	if _, err = InvokeRunning(ctx, addr, "Nope", []byte(`{}`)); err == nil || !strings.Contains(err.Error(), "404") {
		t.Errorf("an unknown function: %v", err)
	}

	// Nothing listening: ErrNoRunningStack.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	free := ln.Addr().String()
	ln.Close()
	if _, err := InvokeRunning(ctx, free, "Echo", nil); !errors.Is(err, ErrNoRunningStack) {
		t.Errorf("no stack: %v", err)
	}
}
