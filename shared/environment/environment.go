// Package environment builds a function's dependencies from its environment
// variables, once per container: the AWS clients and the domain services.
//
// Variables: MAIL_CONFIGURATION_SET (SES event publishing of sent mail),
// MAIL_DOMAIN (of the organizations' mail addresses),
// MAIL_WEBHOOK_SECRET (signs POST /mail/incoming), MAX_UPLOAD_BYTES (largest upload), FILES_INLINE_LIMIT
// (largest download answered inline, larger ones redirect to S3),
// TABLE_NAME (the DataTable), FILES_BUCKET, MAIL_FROM (sender
// address), PUBLIC_BASE_URL (base of links in mails), REGISTRATION_ENABLED
// ("false" turns self-service registration off), OIDC_PROVIDERS (the
// external OpenID Connect sign-in providers, see package oidc), plus the standard AWS SDK
// variables (region, credentials, AWS_ENDPOINT_URL_*).
package environment

import (
	"context"
	"log"
	"net/http"
	"os"
	"strconv"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/effektif-serverless/caseflow/shared/awsclients"
	"github.com/effektif-serverless/caseflow/shared/casework"
	"github.com/effektif-serverless/caseflow/shared/effektif"
	"github.com/effektif-serverless/caseflow/shared/httpapi"
	"github.com/effektif-serverless/caseflow/shared/identity"
	"github.com/effektif-serverless/caseflow/shared/mail/sesmail"
	"github.com/effektif-serverless/caseflow/shared/mailintake"
	"github.com/effektif-serverless/caseflow/shared/objects"
	"github.com/effektif-serverless/caseflow/shared/oidc"
	"github.com/effektif-serverless/caseflow/shared/store"
	"github.com/effektif-serverless/caseflow/shared/store/workstore"
)

// Env is a function's configuration and clients.
type Env struct {
	AWS   aws.Config
	Store *store.DB
	// Providers are the OpenID Connect sign-in providers (discovery and
	// keys are cached for the container's life).
	Providers *oidc.Providers
}

// Load reads the configuration and builds the clients.
func Load(ctx context.Context) (*Env, error) {
	cfg, err := awsclients.Load(ctx)
	if err != nil {
		return nil, err
	}
	table, err := awsclients.Env("TABLE_NAME")
	if err != nil {
		return nil, err
	}
	providers, err := oidc.FromEnv()
	if err != nil {
		return nil, err
	}
	return &Env{AWS: cfg, Store: store.New(awsclients.DynamoDB(cfg), table), Providers: providers}, nil
}

// identityProviders adapts the OpenID Connect providers to identity.
type identityProviders struct{ *oidc.Providers }

func (p identityProviders) Exchange(ctx context.Context, key, code, verifier, nonce string) (identity.ExternalIdentity, error) {
	c, err := p.Providers.Exchange(ctx, key, code, verifier, nonce)
	return identity.ExternalIdentity{Subject: c.Subject, Email: c.Email, EmailVerified: c.EmailVerified, Name: c.Name}, err
}

// Identity returns the identity service, sending mail through SES.
func (e *Env) Identity() *identity.Service {
	return &identity.Service{
		Store:                e.Store,
		Mail:                 sesmail.FromEnv(e.AWS),
		BaseURL:              os.Getenv("PUBLIC_BASE_URL"),
		Pictures:             e.Files(),
		RegistrationDisabled: os.Getenv("REGISTRATION_ENABLED") == "false",
		Providers:            e.identityProviders(),
		ReservedKeys:         ReservedKeys,
	}
}

// RootSegments are the first path segments of the APIs' mounts (/api of
// Effektif, Windmill and 10Duke; /v1 and /v2 of epilot), which a route
// that starts with a tenant (SuperOffice's /{tenant}/api/v1) must not be
// mistaken for.
var RootSegments = []string{"api", "v1", "v2"}

// ReservedKeys are the words no organization key may be, across every
// dialect: each dialect's literals where a key goes, and RootSegments.
var ReservedKeys = identity.NewReservedKeys(RootSegments, effektif.ReservedKeys)

// Casework returns the casework service (workflows, instances, cases, tasks).
func (e *Env) Casework() *casework.Service {
	id := e.Identity()
	return &casework.Service{
		Identity: id, Store: workstore.New(e.Store), Mail: id.Mail, Files: e.Files(),
		MaxUpload: intEnv("MAX_UPLOAD_BYTES"), InlineLimit: intEnv("FILES_INLINE_LIMIT"),
	}
}

// intEnv reads a positive integer variable; 0 when unset or malformed.
func intEnv(name string) int64 {
	n, err := strconv.ParseInt(os.Getenv(name), 10, 64)
	if err != nil || n < 0 {
		return 0
	}
	return n
}

// Files is the bucket of uploaded files and received mail.
func (e *Env) Files() objects.Bucket {
	return objects.FromEnv(e.AWS)
}

// MailIntake returns the service that files incoming mail for the
// organizations' addresses at MAIL_DOMAIN.
func (e *Env) MailIntake() *mailintake.Service {
	cw := e.Casework()
	return &mailintake.Service{Casework: cw, Identity: cw.Identity, Domain: os.Getenv("MAIL_DOMAIN")}
}

func (e *Env) identityProviders() identity.IdentityProviders {
	if e.Providers == nil {
		return nil
	}
	return identityProviders{e.Providers}
}

// ServeHTTP is the main of an HTTP function: it loads the environment once
// per container, builds the handler with it and serves API Gateway HTTP
// API events. A configuration error stops the container at start.
func ServeHTTP(build func(env *Env) http.Handler) {
	env, err := Load(context.Background())
	if err != nil {
		log.Fatal(err)
	}
	httpapi.Serve(build(env))
}

// Start is the main of an event function (authorizer, schedule, SES, SNS):
// it loads the environment once per container and starts the handler
// that build makes (a func accepted by lambda.Start).
func Start(build func(env *Env) any) {
	env, err := Load(context.Background())
	if err != nil {
		log.Fatal(err)
	}
	httpapi.SetupLogging()
	lambda.Start(build(env))
}
