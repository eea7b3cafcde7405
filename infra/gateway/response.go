package gateway

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
)

// response is what the gateway sends back for a function's answer.
type response struct {
	status  int
	header  http.Header
	body    []byte
	warning string // something API Gateway silently ignores, worth a log line
}

// newResponse interprets a function's response as API Gateway does with
// payload format 2.0: a JSON object with a statusCode is a structured
// response (headers, cookies, body, possibly base64); any other JSON value
// is the body of a 200 application/json response.
func newResponse(payload []byte) (*response, error) {
	var probe map[string]json.RawMessage
	if json.Unmarshal(payload, &probe) != nil || probe["statusCode"] == nil {
		if !json.Valid(payload) {
			return nil, fmt.Errorf("the function's response is not JSON: %.200q", payload)
		}
		h := http.Header{"Content-Type": {"application/json"}}
		return &response{status: http.StatusOK, header: h, body: payload}, nil
	}
	var fr struct {
		StatusCode        int                 `json:"statusCode"`
		Headers           map[string]string   `json:"headers"`
		MultiValueHeaders map[string][]string `json:"multiValueHeaders"`
		Body              string              `json:"body"`
		IsBase64Encoded   bool                `json:"isBase64Encoded"`
		Cookies           []string            `json:"cookies"`
	}
	if err := json.Unmarshal(payload, &fr); err != nil {
		return nil, fmt.Errorf("malformed function response: %v", err)
	}
	res := &response{status: fr.StatusCode, header: http.Header{}, body: []byte(fr.Body)}
	if res.status == 0 {
		res.status = http.StatusOK
	}
	if res.status < 100 || res.status > 599 {
		return nil, fmt.Errorf("the function's statusCode %d is not an HTTP status", fr.StatusCode)
	}
	if fr.IsBase64Encoded {
		body, err := base64.StdEncoding.DecodeString(fr.Body)
		if err != nil {
			return nil, fmt.Errorf("the function's body is marked base64 but is not: %v", err)
		}
		res.body = body
	}
	for k, v := range fr.Headers {
		if !hopByHop[strings.ToLower(k)] {
			res.header.Set(k, v)
		}
	}
	for _, c := range fr.Cookies {
		res.header.Add("Set-Cookie", c)
	}
	if len(fr.MultiValueHeaders) > 0 {
		res.warning = "multiValueHeaders ignored: API Gateway HTTP APIs (payload 2.0) take headers and cookies only"
	}
	return res, nil
}

// hopByHop are headers of the connection, not of the response, which the
// gateway sets itself.
var hopByHop = map[string]bool{
	"connection": true, "content-length": true, "keep-alive": true,
	"transfer-encoding": true, "upgrade": true,
}

// write sends the response.
func (res *response) write(w http.ResponseWriter) {
	h := w.Header()
	for k, vs := range res.header {
		h[k] = vs
	}
	if _, ok := h["Content-Type"]; !ok {
		h["Content-Type"] = nil // send none rather than a sniffed one
	}
	w.WriteHeader(res.status)
	_, _ = w.Write(res.body)
}

// message is one of API Gateway's own answers, such as 404
// {"message":"Not Found"}.
func message(status int, text string) *response {
	body, _ := json.Marshal(map[string]string{"message": text})
	return &response{status: status, header: http.Header{"Content-Type": {"application/json"}}, body: body}
}

var (
	notFound        = message(http.StatusNotFound, "Not Found")
	unauthorized    = message(http.StatusUnauthorized, "Unauthorized")
	forbidden       = message(http.StatusForbidden, "Forbidden")
	internalError   = message(http.StatusInternalServerError, "Internal Server Error")
	unavailable     = message(http.StatusServiceUnavailable, "Service Unavailable")
	requestTooLarge = message(http.StatusRequestEntityTooLarge, "Request Entity Too Large")
)
