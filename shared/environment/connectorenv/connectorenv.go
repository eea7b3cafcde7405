// Package connectorenv builds the services core (package connector) of the
// function that serves the Effektif Service group, as the deployment
// configures it. It is apart from caseworkenv so that the other casework
// functions do not link the catalogue and the OAuth client.
//
// Variables: SERVICE_CATALOGUE (the catalogue, see package connector;
// unset: connector.DefaultCatalogue), SERVICE_CREDENTIALS_KEY (at least
// connector.MinKeyLength bytes from which the key that seals accounts'
// credentials and tokens is derived; unset: no credentials or OAuth
// connections) and PUBLIC_BASE_URL (where the OAuth callback sends the
// browser on to, and the base of the default redirect URL of providers).
package connectorenv

import (
	"fmt"
	"os"
	"strings"

	"github.com/effektif-serverless/caseflow/shared/casework"
	"github.com/effektif-serverless/caseflow/shared/connector"
	"github.com/effektif-serverless/caseflow/shared/environment"
	"github.com/effektif-serverless/caseflow/shared/store/workstore"
)

// Service returns the services core: the catalogue, the accounts and OAuth
// states on env's table, cw's identity service, and callbackPath (the
// dialect's public callback route) at PUBLIC_BASE_URL as the providers'
// default redirect URL. A malformed SERVICE_CATALOGUE, or a
// SERVICE_CREDENTIALS_KEY shorter than connector.MinKeyLength, stops the
// container at start.
func Service(env *environment.Env, cw *casework.Service, callbackPath string) *connector.Service {
	key := os.Getenv(connector.KeyEnvVar)
	if key != "" && len(key) < connector.MinKeyLength {
		environment.Configured(0, fmt.Errorf("%s: at least %d bytes", connector.KeyEnvVar, connector.MinKeyLength))
	}
	base := strings.TrimSuffix(os.Getenv("PUBLIC_BASE_URL"), "/")
	ws := workstore.New(env.Store)
	return &connector.Service{
		Identity: cw.Identity, Store: ws, Drafts: ws, Catalogue: environment.Configured(connector.CatalogueFromEnv()),
		Key: []byte(key), BaseURL: base, CallbackURL: base + callbackPath,
	}
}
