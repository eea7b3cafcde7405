package gateway

import (
	"crypto/rand"
	"encoding/base64"
	"mime"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/aws/aws-lambda-go/events"
)

// requestInfo is what the gateway knows of a request before it invokes
// anything.
type requestInfo struct {
	route      *route
	params     map[string]string
	apiID      string
	accountID  string
	requestID  string
	receivedAt time.Time
}

// newEvent builds the payload format 2.0 event API Gateway sends for r.
func newEvent(r *http.Request, body []byte, info requestInfo) events.APIGatewayV2HTTPRequest {
	host := r.Host
	hostname := host
	if h, _, err := net.SplitHostPort(host); err == nil {
		hostname = h
	}
	sourceIP := r.RemoteAddr
	if h, _, err := net.SplitHostPort(sourceIP); err == nil {
		sourceIP = h
	}
	ev := events.APIGatewayV2HTTPRequest{
		Version:               "2.0",
		RouteKey:              info.route.Key(),
		RawPath:               r.URL.EscapedPath(),
		RawQueryString:        r.URL.RawQuery,
		Cookies:               cookies(r.Header),
		Headers:               headers(r, sourceIP, len(body)),
		QueryStringParameters: queryParameters(r.URL.RawQuery),
		PathParameters:        info.params,
		RequestContext: events.APIGatewayV2HTTPRequestContext{
			RouteKey:     info.route.Key(),
			AccountID:    info.accountID,
			Stage:        "$default",
			RequestID:    info.requestID,
			APIID:        info.apiID,
			DomainName:   host,
			DomainPrefix: strings.SplitN(hostname, ".", 2)[0],
			Time:         info.receivedAt.UTC().Format("02/Jan/2006:15:04:05 -0700"),
			TimeEpoch:    info.receivedAt.UnixMilli(),
			HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{
				Method:    r.Method,
				Path:      r.URL.EscapedPath(),
				Protocol:  r.Proto,
				SourceIP:  sourceIP,
				UserAgent: r.UserAgent(),
			},
		},
	}
	if len(body) > 0 {
		// A text body that is not UTF-8 cannot travel as a JSON string
		// unchanged (encoding it would replace the bad bytes): it goes
		// base64-encoded, so the function sees what was sent.
		if isText(r.Header.Get("Content-Type")) && utf8.Valid(body) {
			ev.Body = string(body)
		} else {
			ev.Body, ev.IsBase64Encoded = base64.StdEncoding.EncodeToString(body), true
		}
	}
	return ev
}

// headers are the request headers with lowercase names, repeated values
// joined by commas, without the cookies (those go to cookies), and with the
// headers API Gateway adds.
func headers(r *http.Request, sourceIP string, bodyLen int) map[string]string {
	h := map[string]string{"host": r.Host}
	for k, vs := range r.Header {
		if k == "Cookie" {
			continue
		}
		h[strings.ToLower(k)] = strings.Join(vs, ",")
	}
	if _, ok := h["content-length"]; !ok && bodyLen > 0 {
		h["content-length"] = strconv.Itoa(bodyLen)
	}
	if fwd := h["x-forwarded-for"]; fwd != "" {
		h["x-forwarded-for"] = fwd + ", " + sourceIP
	} else {
		h["x-forwarded-for"] = sourceIP
	}
	h["x-forwarded-proto"] = "http"
	if _, port, err := net.SplitHostPort(r.Host); err == nil {
		h["x-forwarded-port"] = port
	} else {
		h["x-forwarded-port"] = "80"
	}
	return h
}

// cookies are the request's cookies, one "name=value" each.
func cookies(h http.Header) []string {
	var out []string
	for _, line := range h.Values("Cookie") {
		for _, c := range strings.Split(line, ";") {
			if c = strings.TrimSpace(c); c != "" {
				out = append(out, c)
			}
		}
	}
	return out
}

// queryParameters decodes the query string; the values of a repeated name
// are joined by commas. nil when there are none.
func queryParameters(raw string) map[string]string {
	values, _ := url.ParseQuery(raw)
	if len(values) == 0 {
		return nil
	}
	out := make(map[string]string, len(values))
	for k, vs := range values {
		out[k] = strings.Join(vs, ",")
	}
	return out
}

// isText reports whether API Gateway passes a body of this content type as
// text; any other body (none given included) is base64-encoded.
func isText(contentType string) bool {
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		return false
	}
	if strings.HasPrefix(mt, "text/") {
		return true
	}
	sub, ok := strings.CutPrefix(mt, "application/")
	if !ok {
		return false
	}
	switch {
	case sub == "json", strings.HasSuffix(sub, "+json"),
		sub == "xml", strings.HasSuffix(sub, "+xml"),
		sub == "javascript", sub == "x-www-form-urlencoded":
		return true
	}
	return false
}

// newRequestID makes an ID like API Gateway's (16 characters).
func newRequestID() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}
