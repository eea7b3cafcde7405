package epilot

import (
	"encoding/json"
	"net/http"
	"time"

	"github.com/effektif-serverless/caseflow/shared/failure"
	"github.com/effektif-serverless/caseflow/shared/httpapi"
	"github.com/effektif-serverless/caseflow/shared/identity"
)

// Passkey is a passkey as answered.
type Passkey struct {
	CredentialID string   `json:"credential_id"`
	FriendlyName string   `json:"friendly_name"`
	CreatedAt    string   `json:"created_at"`
	Transports   []string `json:"transports"`
	AAGUID       string   `json:"aaguid"`
}

func passkeyOf(p identity.Passkey) Passkey {
	t := p.Transports
	if t == nil {
		t = []string{}
	}
	return Passkey{CredentialID: p.CredentialID, FriendlyName: p.FriendlyName, CreatedAt: p.Created.UTC().Format(time.RFC3339), Transports: t, AAGUID: p.AAGUID}
}

// ceremony is the answer of a ceremony's begin: go-webauthn's options
// ({"publicKey": ...}) and the signed, single-use challenge token.
type ceremony struct {
	Options        json.RawMessage `json:"options"`
	ChallengeToken string          `json:"challenge_token"`
}

// passkeyFields renames the core's fields of the ceremonies.
var passkeyFields = map[string]string{identity.FieldChallengeToken: "challenge_token", identity.FieldRegistrationResponse: "registration_response",
	identity.FieldAssertionResponse: "assertion_response", "friendlyName": "friendly_name"}

func renamePasskeyField(err error) error {
	if f := failure.As(err); f.Field != "" {
		if n, ok := passkeyFields[f.Field]; ok {
			c := *f
			c.Field = n
			return &c
		}
	}
	return err
}

// loginFailure answers every failed passkey sign-in alike: 401 (a used,
// expired or malformed challenge token included), so the answer says no
// more than that the assertion did not sign in.
func loginFailure(err error) error {
	switch failure.As(err).Code {
	case failure.Gone, failure.Invalid, failure.Forbidden, failure.NotFound:
		return failure.New(failure.Unauthenticated, "the passkey assertion does not sign in")
	}
	return err
}

// PasskeyRoutes registers the caller's passkeys and the passkey sign-in
// (public).
func PasskeyRoutes(rt *httpapi.Router, svc *identity.Service) {
	me := "/v2/users/me/passkeys"
	rt.Handle("POST "+me+":registerBegin", httpapi.Authenticated(func(w http.ResponseWriter, r *http.Request, callerID string) error {
		var in struct {
			FriendlyName *string `json:"friendly_name"`
		}
		if err := decodeOptionalObject(r, httpapi.MaxJSONBody, &in); err != nil {
			return err
		}
		options, token, err := svc.BeginPasskeyRegistration(r.Context(), callerID, deref(in.FriendlyName))
		if err != nil {
			return renamePasskeyField(err)
		}
		return httpapi.WriteJSON(w, http.StatusOK, ceremony{Options: options, ChallengeToken: token})
	}))
	rt.Handle("POST "+me+":registerComplete", httpapi.Authenticated(func(w http.ResponseWriter, r *http.Request, callerID string) error {
		var in struct {
			ChallengeToken       *string         `json:"challenge_token"`
			RegistrationResponse json.RawMessage `json:"registration_response"`
			FriendlyName         *string         `json:"friendly_name"`
		}
		if err := decodeObject(r, identity.MaxPasskeyResponseBytes+4096, &in); err != nil {
			return err
		}
		if in.ChallengeToken == nil || len(in.RegistrationResponse) == 0 {
			return failure.New(failure.Invalid, "challenge_token and registration_response are required")
		}
		p, err := svc.CompletePasskeyRegistration(r.Context(), callerID, *in.ChallengeToken, in.RegistrationResponse, deref(in.FriendlyName))
		if failure.Is(err, failure.Gone) {
			err = failure.Field("challenge_token", "%s", failure.As(err).Message)
		}
		if err != nil {
			return renamePasskeyField(err)
		}
		return httpapi.WriteJSON(w, http.StatusOK, passkeyOf(p))
	}))
	rt.Handle("GET "+me, httpapi.Authenticated(func(w http.ResponseWriter, r *http.Request, callerID string) error {
		ps, err := svc.Passkeys(r.Context(), callerID)
		if err != nil {
			return err
		}
		out := make([]Passkey, len(ps))
		for i, p := range ps {
			out[i] = passkeyOf(p)
		}
		return httpapi.WriteJSON(w, http.StatusOK, map[string]any{"passkeys": out})
	}))
	rt.Handle("DELETE "+me+"/{credentialId}", httpapi.Authenticated(func(w http.ResponseWriter, r *http.Request, callerID string) error {
		if err := svc.DeletePasskey(r.Context(), callerID, r.PathValue("credentialId")); err != nil {
			return err
		}
		return httpapi.NoContent(w)
	}))

	public := "/v2/users/public/passkeys"
	rt.Handle("POST "+public+":authenticateBegin", func(w http.ResponseWriter, r *http.Request) error {
		email, err := emailBody(r)
		if err != nil {
			return err
		}
		options, token, err := svc.BeginPasskeyLogin(r.Context(), email)
		if err != nil {
			return renamePasskeyField(err)
		}
		return httpapi.WriteJSON(w, http.StatusOK, ceremony{Options: options, ChallengeToken: token})
	})
	// The client posts no body here (an empty form).
	rt.Handle("POST "+public+":authenticateBeginDiscoverable", func(w http.ResponseWriter, r *http.Request) error {
		options, token, err := svc.BeginDiscoverableLogin(r.Context())
		if err != nil {
			return err
		}
		return httpapi.WriteJSON(w, http.StatusOK, ceremony{Options: options, ChallengeToken: token})
	})
	rt.Handle("POST "+public+":resolveCredential", func(w http.ResponseWriter, r *http.Request) error {
		var in struct {
			ChallengeToken    *string         `json:"challenge_token"`
			AssertionResponse json.RawMessage `json:"assertion_response"`
		}
		if err := decodeObject(r, identity.MaxPasskeyResponseBytes+4096, &in); err != nil {
			return err
		}
		if in.ChallengeToken == nil || len(in.AssertionResponse) == 0 {
			return failure.New(failure.Invalid, "challenge_token and assertion_response are required")
		}
		u, err := svc.FinishPasskeyLogin(r.Context(), *in.ChallengeToken, in.AssertionResponse)
		if err != nil {
			return loginFailure(err)
		}
		_, orgs, err := svc.Organizations(r.Context(), u.ID)
		if err != nil {
			return err
		}
		orgID := ""
		if len(orgs) > 0 {
			orgID = orgs[0].ID
		}
		params := loginParameters(orgs, svc.PasskeysEnabled(), true)
		return httpapi.WriteJSON(w, http.StatusOK, map[string]any{"email": u.Email, "organization_id": orgID, "user_id": u.ID, "login_parameters": params})
	})
}
