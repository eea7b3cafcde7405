// Package identityenv builds the identity service of the functions that
// serve the identity APIs, as the deployment configures it.
//
// Variables: MAIL_FROM and MAIL_CONFIGURATION_SET (the mail, through SES;
// see sesmail.FromEnv), PUBLIC_BASE_URL (base of links in mails), REGISTRATION_ENABLED ("false"
// turns self-service registration off), OIDC_PROVIDERS (the external
// OpenID Connect sign-in providers, see package oidc), PASSKEY_SECRET (at
// least identity.MinPasskeySecretLength bytes that sign the passkeys'
// challenge tokens, the same in every function; unset: no passkey
// ceremonies), TOTP_KEY (at least identity.MinTOTPKeyLength bytes from which
// the key that encrypts the TOTP secrets at rest is derived, the same in
// every function; unset: no TOTP enrollment or check) and TOTP_ISSUER (the
// name authenticator apps show; default identity.DefaultTOTPIssuer). A
// function that serves passkeys also sets the relying party,
// identity.Service.WebAuthn = webauthnrp.FromEnv() (WEBAUTHN_RP_ID,
// WEBAUTHN_RP_NAME, WEBAUTHN_ORIGINS), which only it links; one that
// serves TOTP sets identity.Service.OTP = otpauth.OTP{} (the passcode and
// QR libraries), likewise; one that serves pictures sets
// identity.Service.Pictures = objects.FromEnv(env.AWS) (FILES_BUCKET; the
// S3 client, about a megabyte of a linux/arm64 binary).
package identityenv

import (
	"context"
	"os"

	"github.com/effektif-serverless/caseflow/shared/effektif"
	"github.com/effektif-serverless/caseflow/shared/environment"
	"github.com/effektif-serverless/caseflow/shared/identity"
	"github.com/effektif-serverless/caseflow/shared/mail/sesmail"
	"github.com/effektif-serverless/caseflow/shared/oidc"
	"github.com/effektif-serverless/caseflow/shared/secret/password"
)

// Service returns the identity service on env's store, sending mail
// through SES, signing in through
// the OIDC providers (their discovery and keys are cached for the
// container's life) and refusing ReservedKeys as organization keys. A
// malformed OIDC_PROVIDERS stops the container at start. Links, Directory,
// WebAuthn, OTP and Pictures are the function's to set.
func Service(env *environment.Env) *identity.Service {
	providers := environment.Configured(oidc.FromEnv())
	return &identity.Service{
		Store:                env.Store,
		Mail:                 sesmail.FromEnv(env.AWS),
		BaseURL:              os.Getenv("PUBLIC_BASE_URL"),
		RegistrationDisabled: os.Getenv("REGISTRATION_ENABLED") == "false",
		Providers:            identityProviders{providers},
		ReservedKeys:         ReservedKeys,
		PasskeySecret:        []byte(os.Getenv("PASSKEY_SECRET")),
		TOTPKey:              []byte(os.Getenv("TOTP_KEY")),
		TOTPIssuer:           os.Getenv("TOTP_ISSUER"),
		Passwords:            password.Argon2id{},
	}
}

// identityProviders adapts the OpenID Connect providers to identity.
type identityProviders struct{ *oidc.Providers }

func (p identityProviders) Exchange(ctx context.Context, key, code, verifier, nonce string) (identity.ExternalIdentity, error) {
	c, err := p.Providers.Exchange(ctx, key, code, verifier, nonce)
	return identity.ExternalIdentity{Subject: c.Subject, Email: c.Email, EmailVerified: c.EmailVerified, Name: c.Name}, err
}

// RootSegments are the first path segments of the APIs' mounts (/api of
// Effektif, Windmill and 10Duke; /v1 and /v2 of epilot; /pages, the pages
// for a person), which a route that starts with a tenant (SuperOffice's
// /{tenant}/api/v1) must not be mistaken for.
var RootSegments = []string{"api", "v1", "v2", "pages"}

// ReservedKeys are the words no organization key may be, across every
// dialect: each dialect's literals where a key goes, and RootSegments.
var ReservedKeys = identity.NewReservedKeys(RootSegments, effektif.ReservedKeys)
