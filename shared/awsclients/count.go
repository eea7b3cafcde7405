package awsclients

import (
	"context"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/smithy-go/middleware"
)

// CallCounter counts SDK calls by "Service.Operation". Benchmarks attach it
// to a configuration to report how many DynamoDB calls an operation costs.
type CallCounter struct {
	mu    sync.Mutex
	calls map[string]int
}

// Attach adds the counting middleware to cfg; every client made from cfg
// afterwards is counted.
func (c *CallCounter) Attach(cfg *aws.Config) {
	cfg.APIOptions = append(cfg.APIOptions, func(stack *middleware.Stack) error {
		return stack.Initialize.Add(middleware.InitializeMiddlewareFunc("CallCounter",
			func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
				c.add(awsmiddleware.GetServiceID(ctx) + "." + awsmiddleware.GetOperationName(ctx))
				return next.HandleInitialize(ctx, in)
			}), middleware.After)
	})
}

func (c *CallCounter) add(op string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.calls == nil {
		c.calls = map[string]int{}
	}
	c.calls[op]++
}

// Reset forgets the counts.
func (c *CallCounter) Reset() {
	c.mu.Lock()
	c.calls = nil
	c.mu.Unlock()
}

// Total is the number of calls whose "Service.Operation" starts with prefix
// ("" for all).
func (c *CallCounter) Total(prefix string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for op, k := range c.calls {
		if strings.HasPrefix(op, prefix) {
			n += k
		}
	}
	return n
}

// String lists the counts, sorted, as "Service.Operation=n ...".
func (c *CallCounter) String() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	ops := make([]string, 0, len(c.calls))
	for op, n := range c.calls {
		ops = append(ops, op+"="+strconv.Itoa(n))
	}
	sort.Strings(ops)
	return strings.Join(ops, " ")
}
