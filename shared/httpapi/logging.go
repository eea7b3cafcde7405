package httpapi

import (
	"context"
	"log/slog"
	"os"
	"strings"

	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/awslabs/aws-lambda-go-api-proxy/core"
)

// SetupLogging makes log/slog write JSON lines to stderr, where Lambda
// sends them to CloudWatch, at the level LOG_LEVEL names (DEBUG, INFO,
// WARN, ERROR; INFO when unset or unknown). Every line logged with a
// request's context carries Lambda's request id (awsRequestId) and, for
// an API Gateway request, API Gateway's (apiRequestId), so that one
// request's lines are found together. Nothing secret is ever logged: no
// headers, no bodies, no tokens.
func SetupLogging() {
	slog.SetDefault(slog.New(NewLogHandler(os.Stderr, os.Getenv("LOG_LEVEL"))))
}

// NewLogHandler is SetupLogging's handler, writing to w at the level.
func NewLogHandler(w *os.File, level string) slog.Handler {
	return requestIDs{slog.NewJSONHandler(w, &slog.HandlerOptions{Level: LogLevel(level)})}
}

// LogLevel reads a LOG_LEVEL value; INFO for an empty or unknown one.
func LogLevel(s string) slog.Level {
	var l slog.Level
	if err := l.UnmarshalText([]byte(strings.TrimSpace(s))); err != nil {
		return slog.LevelInfo
	}
	return l
}

// requestIDs adds the request ids of a record's context.
type requestIDs struct{ slog.Handler }

func (h requestIDs) Handle(ctx context.Context, r slog.Record) error {
	if lc, ok := lambdacontext.FromContext(ctx); ok && lc.AwsRequestID != "" {
		r.AddAttrs(slog.String("awsRequestId", lc.AwsRequestID))
	}
	if rc, ok := core.GetAPIGatewayV2ContextFromContext(ctx); ok && rc.RequestID != "" {
		r.AddAttrs(slog.String("apiRequestId", rc.RequestID))
	}
	return h.Handler.Handle(ctx, r)
}

func (h requestIDs) WithAttrs(attrs []slog.Attr) slog.Handler {
	return requestIDs{h.Handler.WithAttrs(attrs)}
}

func (h requestIDs) WithGroup(name string) slog.Handler { return requestIDs{h.Handler.WithGroup(name)} }
