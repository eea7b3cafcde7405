package e2e

import (
	"github.com/effektif-serverless/caseflow/shared/secret/password"

	"context"
	"os"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"

	"github.com/effektif-serverless/caseflow/shared/awsclients"
	"github.com/effektif-serverless/caseflow/shared/effektif"
	"github.com/effektif-serverless/caseflow/shared/identity"
	"github.com/effektif-serverless/caseflow/shared/mail/sesmail"
	"github.com/effektif-serverless/caseflow/shared/store"
)

// benchService returns the identity service in this process, on the local
// stack's table, with every SDK call counted.
func benchService(b testing.TB) (*identity.Service, *awsclients.CallCounter) {
	b.Helper()
	counter := &awsclients.CallCounter{}
	return benchServiceWith(b, counter.Attach), counter
}

// benchServiceWith returns the identity service in this process, on the
// local stack's table, with attach applied to its SDK configuration.
func benchServiceWith(b testing.TB, attach func(*aws.Config)) *identity.Service {
	b.Helper()
	for _, kv := range stack.Env() {
		k, v, _ := strings.Cut(kv, "=")
		b.Setenv(k, v)
	}
	cfg, err := awsclients.Load(context.Background())
	if err != nil {
		b.Fatal(err)
	}
	attach(&cfg)
	return &identity.Service{
		Store:   store.New(awsclients.DynamoDB(cfg), "DataTable"),
		Mail:    sesmail.Sender{Client: sesv2.NewFromConfig(cfg), From: "bench@caseflow.local"},
		BaseURL: stack.GatewayURL,
		Links:   effektif.MailLinks{BaseURL: stack.GatewayURL},
		// as identityenv wires the functions that take passwords
		Passwords: password.Argon2id{},
	}
}

// benchAccount signs up through the gateway and returns the account.
func benchAccount(b *testing.B) account {
	b.Helper()
	return signUp(b, "Bench Org")
}

// measure runs op b.N times and reports DynamoDB calls per operation.
func measure(b *testing.B, counter *awsclients.CallCounter, op func(context.Context) error) {
	b.Helper()
	ctx := context.Background()
	counter.Reset()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := op(ctx); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(counter.Total("DynamoDB."))/float64(b.N), "ddb-calls/op")
	if os.Getenv("BENCH_VERBOSE") != "" {
		b.Logf("calls: %s", counter)
	}
}

// BenchmarkAuthenticate is the authorizer's work per request.
func BenchmarkAuthenticate(b *testing.B) {
	svc, counter := benchService(b)
	a := benchAccount(b)
	measure(b, counter, func(ctx context.Context) error {
		_, err := svc.Authenticate(ctx, a.Token)
		return err
	})
}

// BenchmarkGetOrganization is GET /api/v1/{organizationKey}.
func BenchmarkGetOrganization(b *testing.B) {
	svc, counter := benchService(b)
	a := benchAccount(b)
	measure(b, counter, func(ctx context.Context) error {
		_, err := svc.Organization(ctx, inOrg(b, ctx, svc, a))
		return err
	})
}

// BenchmarkGetMember is GET /api/v1/{organizationKey}/users/{userId}.
func BenchmarkGetMember(b *testing.B) {
	svc, counter := benchService(b)
	a := benchAccount(b)
	measure(b, counter, func(ctx context.Context) error {
		_, err := svc.Member(ctx, inOrg(b, ctx, svc, a), a.UserID)
		return err
	})
}

// BenchmarkLogin is POST /api/v1/users/login (dominated by argon2id).
func BenchmarkLogin(b *testing.B) {
	svc, counter := benchService(b)
	a := benchAccount(b)
	measure(b, counter, func(ctx context.Context) error {
		_, err := svc.Login(ctx, a.Email, a.Password)
		return err
	})
}

// inOrg is the account resolved in its organization, as a dialect's
// handler resolves it before the operation: part of what an operation's
// DynamoDB calls are counted for.
func inOrg(b testing.TB, ctx context.Context, svc *identity.Service, a account) identity.Access {
	b.Helper()
	access, err := svc.Resolve(ctx, identity.Caller{UserID: a.UserID}, a.OrgKey)
	if err != nil {
		b.Fatal(err)
	}
	return access
}
