package lambdaemu

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"
)

// The Lambda Runtime API, version 2018-06-01, as one instance sees it.
const apiPrefix = "/2018-06-01/runtime"

func (i *instance) runtimeAPI() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+apiPrefix+"/invocation/next", i.next)
	mux.HandleFunc("POST "+apiPrefix+"/invocation/{id}/response", i.response)
	mux.HandleFunc("POST "+apiPrefix+"/invocation/{id}/error", i.invocationError)
	mux.HandleFunc("POST "+apiPrefix+"/init/error", i.initError)
	return mux
}

// next parks the instance in the pool and answers with the next
// invocation once one is handed over.
func (i *instance) next(w http.ResponseWriter, r *http.Request) {
	i.readyOnce.Do(func() {
		i.initDuration = time.Since(i.startedAt)
		close(i.ready)
	})
	i.mu.Lock()
	if prev := i.current; prev != nil {
		prev.complete(nil, newFunctionError(i.pool.fn.Name, "Runtime.NoResponse",
			"the runtime asked for the next invocation without answering this one"))
		i.current = nil
	}
	i.mu.Unlock()
	i.pool.park(i)
	select {
	case inv := <-i.work:
		i.mu.Lock()
		i.current = inv
		i.mu.Unlock()
		h := w.Header()
		h.Set("Lambda-Runtime-Aws-Request-Id", inv.id)
		h.Set("Lambda-Runtime-Deadline-Ms", strconv.FormatInt(inv.deadline.UnixMilli(), 10))
		h.Set("Lambda-Runtime-Invoked-Function-Arn", i.pool.fn.ARN)
		h.Set("Lambda-Runtime-Trace-Id", inv.traceID)
		h.Set("Content-Type", "application/json")
		i.pool.log.Printf("START RequestId: %s Version: $LATEST", inv.id)
		_, _ = w.Write(inv.payload)
	case <-r.Context().Done():
	}
}

// response completes the current invocation with the function's response.
func (i *instance) response(w http.ResponseWriter, r *http.Request) {
	inv := i.take(w, r)
	if inv == nil {
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, MaxPayload+1))
	switch {
	case err != nil:
		inv.complete(nil, newFunctionError(i.pool.fn.Name, TypeExit, "reading the response: "+err.Error()))
	case len(body) > MaxPayload:
		msg := fmt.Sprintf("Response payload size exceeded maximum allowed payload size (%d bytes).", MaxPayload)
		inv.complete(nil, newFunctionError(i.pool.fn.Name, TypeResponseTooLarge, msg))
		writeAPIError(w, http.StatusRequestEntityTooLarge, "RequestEntityTooLarge", msg)
		return
	case r.Trailer.Get("Lambda-Runtime-Function-Error-Type") != "":
		// The runtime failed while it streamed the response.
		doc, _ := base64.StdEncoding.DecodeString(r.Trailer.Get("Lambda-Runtime-Function-Error-Body"))
		inv.complete(nil, runtimeError(i.pool.fn.Name, doc, r.Trailer.Get("Lambda-Runtime-Function-Error-Type")))
	default:
		inv.complete(body, nil)
	}
	accepted(w)
}

// invocationError completes the current invocation with the function's
// error.
func (i *instance) invocationError(w http.ResponseWriter, r *http.Request) {
	inv := i.take(w, r)
	if inv == nil {
		return
	}
	body, _ := io.ReadAll(io.LimitReader(r.Body, MaxPayload))
	inv.complete(nil, runtimeError(i.pool.fn.Name, body, r.Header.Get("Lambda-Runtime-Function-Error-Type")))
	accepted(w)
}

// initError records why the runtime failed to initialize; it exits next.
func (i *instance) initError(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(io.LimitReader(r.Body, MaxPayload))
	err := runtimeError(i.pool.fn.Name, body, r.Header.Get("Lambda-Runtime-Function-Error-Type"))
	i.pool.log.Printf("init error: %s: %s", err.Type, err.Message)
	i.setStartErr(err)
	accepted(w)
}

// take returns the current invocation if the request names it, and
// answers the request with an error otherwise. The instance is finishing
// then: it will ask for work again soon.
func (i *instance) take(w http.ResponseWriter, r *http.Request) *invocation {
	i.mu.Lock()
	inv := i.current
	if inv == nil || inv.id != r.PathValue("id") {
		i.mu.Unlock()
		writeAPIError(w, http.StatusBadRequest, "InvalidRequestID", "no invocation "+r.PathValue("id")+" is in progress")
		return nil
	}
	i.current = nil
	i.mu.Unlock()
	i.pool.finish(i)
	return inv
}

func accepted(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusAccepted)
	_, _ = io.WriteString(w, `{"status":"OK"}`)
}

func writeAPIError(w http.ResponseWriter, status int, typ, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"errorType": typ, "errorMessage": msg})
}
