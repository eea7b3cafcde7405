package tenduke

import (
	"errors"
	"io"
	"mime"
	"net/http"
	"net/url"

	"github.com/effektif-serverless/caseflow/shared/failure"
	"github.com/effektif-serverless/caseflow/shared/httpapi"
	"github.com/effektif-serverless/caseflow/shared/identity"
)

// credentials are the fields of POST /sessions (the document gives no
// format): the address and password, the passcode where TOTP is
// enrolled, the state token of a login that waits for its passcode, and
// the scope ("read" makes a read-only session).
type credentials struct {
	Username string `json:"username"`
	Password string `json:"password"`
	Passcode string `json:"passcode"`
	Token    string `json:"token"`
	Scope    string `json:"scope"`
}

// MaxCredentials bounds the body of POST /sessions.
const MaxCredentials = 4 << 10

// readCredentials reads JSON or form-encoded credentials. Errors:
// Invalid for another content type, a malformed body or missing fields.
func readCredentials(r *http.Request) (credentials, error) {
	var c credentials
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch mt {
	case "application/json":
		if err := decode(r, &c); err != nil {
			return c, failure.New(failure.Invalid, "%s", failure.As(err).Message)
		}
	case "application/x-www-form-urlencoded":
		body, err := io.ReadAll(io.LimitReader(r.Body, MaxCredentials+1))
		if err != nil || len(body) > MaxCredentials {
			return c, failure.New(failure.Invalid, "the credentials are larger than %d bytes", MaxCredentials)
		}
		form, err := url.ParseQuery(string(body))
		if err != nil {
			return c, failure.New(failure.Invalid, "the form is malformed")
		}
		c = credentials{Username: form.Get("username"), Password: form.Get("password"), Passcode: form.Get("passcode"),
			Token: form.Get("token"), Scope: form.Get("scope")}
	default:
		return c, failure.New(failure.Invalid, "send the credentials as JSON or form-encoded")
	}
	switch {
	case c.Scope != "" && c.Scope != "read" && c.Scope != "write" && c.Scope != "read write" && c.Scope != "write read":
		return c, failure.Field("scope", "scope is read, write or both")
	case c.Token != "":
		if c.Passcode == "" {
			return c, failure.Field("passcode", "a state token needs its passcode")
		}
	case c.Username == "" || c.Password == "":
		return c, failure.New(failure.Invalid, "username and password are required")
	}
	return c, nil
}

// SessionRoutes registers POST and DELETE /sessions (31, 32).
func SessionRoutes(rt *httpapi.Router, svc *identity.Service) {
	// Login: 201 with the bearer token; 401 for bad credentials (the same
	// answer for an unknown user) and for a login that waits for its
	// passcode (with the state token to send back with it).
	rt.Handle("POST "+BasePath+"/sessions", func(w http.ResponseWriter, r *http.Request) error {
		c, err := readCredentials(r)
		if err != nil {
			return err
		}
		var login identity.Login
		var state string
		if c.Token != "" {
			login, state, err = svc.FinishSecondFactor(r.Context(), c.Token, c.Passcode)
		} else {
			login, state, err = svc.LoginWithSecondFactor(r.Context(), identity.PasswordLogin{Email: c.Username,
				Password: c.Password, Passcode: c.Passcode, ReadOnly: c.Scope == "read"})
		}
		switch {
		case errors.Is(err, identity.ErrSecondFactorRequired):
			return refuse(w, AuthenticationResult{Challenges: []SimpleChallenge{{Type: "totp"}}, Token: state, Message: err.Error()})
		case failure.Is(err, failure.Unauthenticated):
			return refuse(w, AuthenticationResult{Challenges: []SimpleChallenge{}, Message: "the username or the password is wrong"})
		case err != nil:
			return err
		}
		return httpapi.WriteJSON(w, http.StatusCreated, AuthenticationResult{Challenges: []SimpleChallenge{}, Token: login.Token})
	})
	// Logout: the caller's token ends for every API (any token of the
	// one store; a read-only one too: it ends itself).
	rt.Handle("DELETE "+BasePath+"/sessions", func(w http.ResponseWriter, r *http.Request) error {
		if httpapi.CallerOf(r).UserID == "" {
			return failure.New(failure.Unauthenticated, "a valid token is required in the Authorization header")
		}
		if err := svc.RevokeSession(r.Context(), httpapi.Token(r)); err != nil {
			return err
		}
		return noBody(w, http.StatusNoContent)
	})
}

// refuse answers a failed or partial login: 401 AuthenticationResult.
func refuse(w http.ResponseWriter, res AuthenticationResult) error {
	w.Header().Set("WWW-Authenticate", `Bearer realm="10duke"`)
	return httpapi.WriteJSON(w, http.StatusUnauthorized, res)
}
