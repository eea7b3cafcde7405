package local

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/effektif-serverless/caseflow/infra/lambdaemu"
)

// The Lambda Invoke API of a running stack, as `sam local start-lambda`
// serves it: POST /2015-03-31/functions/{FunctionName}/invocations with
// the event as the body answers the function's response (200), with the
// header X-Amz-Function-Error: Unhandled and the error document when the
// function failed; an unknown function is 404. `local run` serves it on
// 127.0.0.1 (-lambda-port, 3001), and `local invoke` sends its event to
// it when a stack is up there (InvokeRunning), so `make invoke` works on
// the running stack's data and schedules.

// InvokePath is the path of the Invoke API for a function.
func InvokePath(function string) string {
	return "/2015-03-31/functions/" + url.PathEscape(function) + "/invocations"
}

// Invoker runs one function on one event (Stack.Invoke).
type Invoker interface {
	Invoke(ctx context.Context, function string, event []byte) ([]byte, error)
}

// InvokeHandler serves the Invoke API over an invoker.
func InvokeHandler(inv Invoker) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /2015-03-31/functions/{function}/invocations", func(w http.ResponseWriter, r *http.Request) {
		event, err := io.ReadAll(io.LimitReader(r.Body, lambdaemu.MaxPayload+1))
		if err != nil || len(event) > lambdaemu.MaxPayload {
			http.Error(w, `{"message":"the event is larger than a Lambda payload"}`, http.StatusRequestEntityTooLarge)
			return
		}
		if len(bytes.TrimSpace(event)) == 0 {
			event = []byte("{}")
		}
		out, err := inv.Invoke(r.Context(), r.PathValue("function"), event)
		var fnErr *lambdaemu.FunctionError
		w.Header().Set("Content-Type", "application/json")
		switch {
		case errors.As(err, &fnErr):
			w.Header().Set("X-Amz-Function-Error", "Unhandled")
			_, _ = w.Write(fnErr.Payload)
		case err != nil && strings.Contains(err.Error(), "no function"):
			w.WriteHeader(http.StatusNotFound)
			fmt.Fprintf(w, `{"message":%q}`, err.Error())
		case err != nil && strings.Contains(err.Error(), "names several functions"):
			w.WriteHeader(http.StatusBadRequest)
			fmt.Fprintf(w, `{"message":%q}`, err.Error())
		case err != nil:
			w.WriteHeader(http.StatusInternalServerError)
			fmt.Fprintf(w, `{"message":%q}`, err.Error())
		default:
			_, _ = w.Write(out)
		}
	})
	return mux
}

// ErrNoRunningStack means no stack answers at the Invoke API's address.
var ErrNoRunningStack = errors.New("no local stack is running there")

// InvokeRunning sends an event to a function of the stack whose Invoke
// API is at addr (host:port). It answers the response, a
// *lambdaemu.FunctionError when the function failed, and
// ErrNoRunningStack when nothing listens at addr.
func InvokeRunning(ctx context.Context, addr, function string, event []byte) ([]byte, error) {
	conn, err := net.DialTimeout("tcp", addr, 500*time.Millisecond)
	if err != nil {
		return nil, ErrNoRunningStack
	}
	conn.Close()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, "http://"+addr+InvokePath(function), bytes.NewReader(event))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	body, err := io.ReadAll(io.LimitReader(res.Body, lambdaemu.MaxPayload+1))
	if err != nil {
		return nil, err
	}
	switch {
	case res.StatusCode != http.StatusOK:
		return nil, fmt.Errorf("the running stack answered %d: %s", res.StatusCode, bytes.TrimSpace(body))
	case res.Header.Get("X-Amz-Function-Error") != "":
		return nil, &lambdaemu.FunctionError{Function: function, Type: res.Header.Get("X-Amz-Function-Error"), Message: string(body), Payload: body}
	}
	return body, nil
}
