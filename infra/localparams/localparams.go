// Package localparams holds the values the local stack gives the template
// parameters a deployment must set itself (template.yaml has no default
// for them, so that no deployment runs with a public secret or sends
// links to localhost). They are public and for this machine only: `make
// run`, `make invoke`, `make build` and the tests load the template with
// them; `sam deploy --guided` asks for real ones.
package localparams

// Values are the local values by parameter name (secrets are 32+
// characters, the template's MinLength).
var Values = map[string]string{
	"MailWebhookSecret":     "local-webhook-secret-not-for-deployment",
	"PasskeySecret":         "local-passkey-secret-not-for-deployment",
	"TotpKey":               "local-totp-key-not-for-deployment-00000",
	"ServiceCredentialsKey": "local-service-credentials-key-not-for-deployment",
	"PublicBaseUrl":         "http://127.0.0.1:3000",
}

// With answers Values with the overrides applied (a new map).
func With(overrides map[string]string) map[string]string {
	out := make(map[string]string, len(Values)+len(overrides))
	for k, v := range Values {
		out[k] = v
	}
	for k, v := range overrides {
		out[k] = v
	}
	return out
}
