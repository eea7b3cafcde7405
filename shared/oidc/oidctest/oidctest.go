// Package oidctest is an OpenID Connect provider for tests, listening on
// 127.0.0.1: discovery, JWKS (an RS256 key made at start), an authorize
// endpoint that signs in the current test user at once (redirecting to
// redirect_uri with code and state) and a token endpoint that checks the
// client secret and the PKCE (S256) verifier and issues a signed ID token
// carrying the nonce, with a refresh token that the token endpoint's
// refresh_token grant exchanges (once: refresh tokens rotate) for a new
// access token, as an OAuth 2.0 provider of a service does.
package oidctest

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"time"
)

// User is who the provider signs in.
type User struct {
	Subject       string
	Email         string
	EmailVerified bool
	Name          string
}

// Server is a running test provider.
type Server struct {
	// Issuer is the provider's issuer URL (http://127.0.0.1:port).
	Issuer       string
	ClientID     string
	ClientSecret string

	srv   *httptest.Server
	key   *rsa.PrivateKey
	keyID string

	mu           sync.Mutex
	user         User
	codes        map[string]grant
	refresh      map[string]User
	issued       map[string]bool
	refreshCount int
}

type grant struct {
	user                         User
	clientID, redirectURI, nonce string
	challenge                    string
	expires                      time.Time
}

// Start starts a provider for the client id and secret; it signs in user
// until SetUser changes it.
func Start(clientID, clientSecret string, user User) (*Server, error) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, err
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s := &Server{ClientID: clientID, ClientSecret: clientSecret, key: key, keyID: randomString(8), user: user, codes: map[string]grant{},
		refresh: map[string]User{}, issued: map[string]bool{}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/openid-configuration", s.discovery)
	mux.HandleFunc("GET /jwks", s.jwks)
	mux.HandleFunc("GET /authorize", s.authorize)
	mux.HandleFunc("POST /token", s.token)
	s.srv = &httptest.Server{Listener: l, Config: &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}}
	s.srv.Start()
	s.Issuer = s.srv.URL
	return s, nil
}

// Close stops the provider.
func (s *Server) Close() { s.srv.Close() }

// SetUser changes who the provider signs in from now on.
func (s *Server) SetUser(u User) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.user = u
}

func (s *Server) discovery(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{
		"issuer":                                s.Issuer,
		"authorization_endpoint":                s.Issuer + "/authorize",
		"token_endpoint":                        s.Issuer + "/token",
		"jwks_uri":                              s.Issuer + "/jwks",
		"response_types_supported":              []string{"code"},
		"subject_types_supported":               []string{"public"},
		"id_token_signing_alg_values_supported": []string{"RS256"},
		"code_challenge_methods_supported":      []string{"S256"},
		"token_endpoint_auth_methods_supported": []string{"client_secret_basic", "client_secret_post"},
		"scopes_supported":                      []string{"openid", "email", "profile"},
	})
}

func (s *Server) jwks(w http.ResponseWriter, _ *http.Request) {
	pub := s.key.PublicKey
	writeJSON(w, http.StatusOK, map[string]any{"keys": []map[string]string{{
		"kty": "RSA", "use": "sig", "alg": "RS256", "kid": s.keyID,
		"n": b64(pub.N.Bytes()), "e": b64(big.NewInt(int64(pub.E)).Bytes()),
	}}})
}

func (s *Server) authorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	redirect, err := url.Parse(q.Get("redirect_uri"))
	if err != nil || redirect.Scheme == "" || q.Get("client_id") != s.ClientID || q.Get("response_type") != "code" {
		http.Error(w, "bad authorization request", http.StatusBadRequest)
		return
	}
	if q.Get("code_challenge_method") != "S256" || q.Get("code_challenge") == "" {
		http.Error(w, "PKCE S256 is required", http.StatusBadRequest)
		return
	}
	code := randomString(24)
	s.mu.Lock()
	s.codes[code] = grant{user: s.user, clientID: q.Get("client_id"), redirectURI: redirect.String(),
		nonce: q.Get("nonce"), challenge: q.Get("code_challenge"), expires: time.Now().Add(time.Minute)}
	s.mu.Unlock()
	back := redirect.Query()
	back.Set("code", code)
	back.Set("state", q.Get("state"))
	redirect.RawQuery = back.Encode()
	http.Redirect(w, r, redirect.String(), http.StatusFound)
}

func (s *Server) token(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		tokenError(w, "invalid_request")
		return
	}
	id, sec, ok := r.BasicAuth()
	if ok {
		id, _ = url.QueryUnescape(id)
		sec, _ = url.QueryUnescape(sec)
	} else {
		id, sec = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	}
	if id != s.ClientID || subtle.ConstantTimeCompare([]byte(sec), []byte(s.ClientSecret)) != 1 {
		w.Header().Set("WWW-Authenticate", "Basic")
		writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "invalid_client"})
		return
	}
	if r.PostForm.Get("grant_type") == "refresh_token" {
		s.refreshGrant(w, r.PostForm.Get("refresh_token"))
		return
	}
	code := r.PostForm.Get("code")
	s.mu.Lock()
	g, found := s.codes[code]
	delete(s.codes, code)
	s.mu.Unlock()
	if r.PostForm.Get("grant_type") != "authorization_code" || !found || time.Now().After(g.expires) ||
		g.redirectURI != r.PostForm.Get("redirect_uri") || g.clientID != id {
		tokenError(w, "invalid_grant")
		return
	}
	sum := sha256.Sum256([]byte(r.PostForm.Get("code_verifier")))
	if b64(sum[:]) != g.challenge {
		tokenError(w, "invalid_grant")
		return
	}
	now := time.Now()
	claims := map[string]any{"iss": s.Issuer, "sub": g.user.Subject, "aud": s.ClientID,
		"iat": now.Unix(), "exp": now.Add(5 * time.Minute).Unix(), "nonce": g.nonce,
		"email": g.user.Email, "email_verified": g.user.EmailVerified, "name": g.user.Name}
	idToken, err := s.Sign(claims)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	access, refresh := s.issue(g.user)
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, map[string]any{"access_token": access, "token_type": "Bearer",
		"expires_in": 300, "id_token": idToken, "refresh_token": refresh})
}

// issue makes an access token and a refresh token for the user.
func (s *Server) issue(u User) (access, refresh string) {
	access, refresh = randomString(24), randomString(24)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.issued[access] = true
	s.refresh[refresh] = u
	return access, refresh
}

// refreshGrant exchanges a refresh token (once) for new tokens.
func (s *Server) refreshGrant(w http.ResponseWriter, token string) {
	s.mu.Lock()
	u, ok := s.refresh[token]
	delete(s.refresh, token)
	if ok {
		s.refreshCount++
	}
	s.mu.Unlock()
	if !ok {
		tokenError(w, "invalid_grant")
		return
	}
	access, refresh := s.issue(u)
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, map[string]any{"access_token": access, "token_type": "Bearer",
		"expires_in": 300, "refresh_token": refresh})
}

// Issued reports whether the provider issued the access token.
func (s *Server) Issued(access string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.issued[access]
}

// Refreshes counts the refresh grants the provider answered.
func (s *Server) Refreshes() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.refreshCount
}

// Sign makes a JWT (RS256) with the provider's key and the claims.
func (s *Server) Sign(claims map[string]any) (string, error) {
	header, err := json.Marshal(map[string]string{"alg": "RS256", "typ": "JWT", "kid": s.keyID})
	if err != nil {
		return "", err
	}
	payload, err := json.Marshal(claims)
	if err != nil {
		return "", err
	}
	input := b64(header) + "." + b64(payload)
	sum := sha256.Sum256([]byte(input))
	sig, err := rsa.SignPKCS1v15(rand.Reader, s.key, crypto.SHA256, sum[:])
	if err != nil {
		return "", err
	}
	return input + "." + b64(sig), nil
}

func tokenError(w http.ResponseWriter, code string) {
	writeJSON(w, http.StatusBadRequest, map[string]string{"error": code})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

func randomString(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return b64(b)
}
