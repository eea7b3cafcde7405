// Package connector is the domain core of services (Effektif's
// connectors): the catalogue of the services this deployment offers, the
// accounts that members of an organization keep for them, and the OAuth
// connection of an account to its service's provider.
//
// Rules, in one place:
//   - The catalogue is the deployment's (CatalogueEnvVar); every member of
//     an organization sees all of it.
//   - An account belongs to an organization and one of its services and is
//     owned by the member who made it. A member reads it when they own it,
//     are an admin, it is not restricted, or its access list names them,
//     one of their groups or the organization (MayRead); a member who may
//     not read it gets NotFound, as if it did not exist. Only the owner and
//     the admins change or delete it (Forbidden for other readers).
//   - Credentials (what a client sends in "credentials") and OAuth tokens
//     are write-only: sealed with AES-256-GCM under a key derived by HKDF
//     from Service.Key, bound to the account, never answered or logged.
//   - An OAuth connection starts with a single-use state (stored as its
//     SHA-256 hash for StateTTL) and a PKCE S256 verifier; the callback
//     consumes the state before anything else, so a replay is Gone.
package connector

import (
	"embed"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"regexp"
	"strings"
	"sync"
)

// CatalogueEnvVar is the environment variable with the catalogue: a JSON
// array of services (see Offering); unset or empty means DefaultCatalogue.
const CatalogueEnvVar = "SERVICE_CATALOGUE"

// DefaultCatalogue is the catalogue of a deployment that sets none: the
// generic HTTP service, whose accounts keep the credentials of any HTTP
// endpoint (a base URL, a user and password or a token) for service tasks.
const DefaultCatalogue = `[{"key":"http","name":"HTTP","description":"Calls an HTTP endpoint with an account's credentials.","icon":"http",` +
	`"options":[{"key":"method","name":"Method","values":[{"id":"GET","name":"GET"},{"id":"POST","name":"POST"},{"id":"PUT","name":"PUT"},{"id":"PATCH","name":"PATCH"},{"id":"DELETE","name":"DELETE"}]},` +
	`{"key":"contentType","name":"Content type","values":[{"id":"application/json","name":"JSON"},{"id":"application/x-www-form-urlencoded","name":"Form"},{"id":"text/plain","name":"Text"}]}]}]`

// Bounds of the catalogue.
const (
	MaxServices      = 100
	MaxOptions       = 50
	MaxOptionValues  = 500
	MaxIconBytes     = 64 << 10
	maxTextLength    = 500
	defaultIconName  = "service"
	iconSVG          = "image/svg+xml"
	iconPNG          = "image/png"
	oauthIconName    = "oauth"
	builtinIconNames = "http, oauth, service"
)

//go:embed icons/*.svg
var builtinIcons embed.FS

// Offering is one service of the catalogue. JSON: {key, name, description,
// icon, options, oauth}. icon is the name of a built-in icon (http, oauth,
// service) or a data: URL of an SVG or PNG image (at most MaxIconBytes); a
// service without one shows the oauth icon when it has OAuth, else the
// service icon.
type Offering struct {
	Key         string   `json:"key"`
	Name        string   `json:"name"`
	Description string   `json:"description,omitempty"`
	Options     []Option `json:"options"`
	// OAuth is the service's OAuth 2.0 provider; nil for a service whose
	// accounts hold their credentials themselves.
	OAuth *OAuth `json:"-"`
	// Icon is the image GET .../icon answers.
	Icon Icon `json:"-"`
}

// Option is a list of choices a service offers (an option of a service
// task's configuration): {key, name, values}.
type Option struct {
	Key    string        `json:"key"`
	Name   string        `json:"name"`
	Values []OptionValue `json:"values"`
}

// OptionValue is one choice of an option: {id, name}.
type OptionValue struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// OAuth is a service's OAuth 2.0 provider (authorization code grant with
// PKCE S256): {authorizationUrl, tokenUrl, clientId, clientSecret,
// redirectUrl, scopes}. redirectUrl is where the provider sends the browser
// back, the API's GET /oauth_callback; when empty it is the deployment's
// public base URL followed by the callback's path (Service.RedirectURL).
type OAuth struct {
	AuthorizationURL string   `json:"authorizationUrl"`
	TokenURL         string   `json:"tokenUrl"`
	ClientID         string   `json:"clientId"`
	ClientSecret     string   `json:"clientSecret"`
	RedirectURL      string   `json:"redirectUrl"`
	Scopes           []string `json:"scopes"`
}

// Icon is an image: its bytes and content type.
type Icon struct {
	ContentType string
	Data        []byte
}

// Catalogue is the services of the deployment, in their configured order.
type Catalogue struct {
	services []Offering
	byKey    map[string]int
}

var serviceKeyPattern = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)
})

// CatalogueFromEnv reads the catalogue from CatalogueEnvVar.
func CatalogueFromEnv() (*Catalogue, error) { return ParseCatalogue(os.Getenv(CatalogueEnvVar)) }

// ParseCatalogue reads a JSON array of services; "" is DefaultCatalogue.
// Errors name the variable, the service and what is wrong: a key that is
// not 1-64 letters, digits, - or _, or appears twice (also "oauth", which
// is a path segment of its own); a service, option or value without a
// name; an OAuth provider without authorizationUrl, tokenUrl or clientId,
// or with a URL that is not absolute http(s); an icon that is neither a
// built-in name nor a data: URL of an SVG or PNG.
func ParseCatalogue(text string) (*Catalogue, error) {
	if strings.TrimSpace(text) == "" {
		text = DefaultCatalogue
	}
	var raw []struct {
		Offering
		RawOptions []Option `json:"options"`
		Icon       string   `json:"icon"`
		OAuth      *OAuth   `json:"oauth"`
	}
	dec := json.NewDecoder(strings.NewReader(text))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&raw); err != nil {
		return nil, fmt.Errorf("%s: %w", CatalogueEnvVar, err)
	}
	if len(raw) > MaxServices {
		return nil, fmt.Errorf("%s: %d services, at most %d", CatalogueEnvVar, len(raw), MaxServices)
	}
	c := &Catalogue{byKey: map[string]int{}}
	for _, r := range raw {
		s := r.Offering
		s.Options, s.OAuth = r.RawOptions, r.OAuth
		bad := func(format string, args ...any) error {
			return fmt.Errorf("%s: service %q: %s", CatalogueEnvVar, s.Key, fmt.Sprintf(format, args...))
		}
		switch _, dup := c.byKey[s.Key]; {
		case !serviceKeyPattern().MatchString(s.Key):
			return nil, bad("the key must be 1-64 letters, digits, - or _")
		case dup:
			return nil, bad("the key appears twice")
		case s.Key == "oauth":
			return nil, bad(`"oauth" is the path of the OAuth start, not a service key`)
		case s.Name == "" || len(s.Name) > maxTextLength || len(s.Description) > 4*maxTextLength:
			return nil, bad("a name (at most %d bytes) is required", maxTextLength)
		case len(s.Options) > MaxOptions:
			return nil, bad("%d options, at most %d", len(s.Options), MaxOptions)
		}
		seen := map[string]bool{}
		for i, o := range s.Options {
			if !serviceKeyPattern().MatchString(o.Key) || seen[o.Key] || o.Name == "" || len(o.Values) > MaxOptionValues {
				return nil, bad("option %d needs a unique key (1-64 letters, digits, - or _), a name and at most %d values", i, MaxOptionValues)
			}
			seen[o.Key] = true
			for j, v := range o.Values {
				if v.ID == "" || v.Name == "" {
					return nil, bad("option %q: value %d needs an id and a name", o.Key, j)
				}
			}
			if s.Options[i].Values == nil {
				s.Options[i].Values = []OptionValue{}
			}
		}
		if s.Options == nil {
			s.Options = []Option{}
		}
		if o := s.OAuth; o != nil {
			if o.ClientID == "" || !absoluteHTTP(o.AuthorizationURL) || !absoluteHTTP(o.TokenURL) || (o.RedirectURL != "" && !absoluteHTTP(o.RedirectURL)) {
				return nil, bad("oauth needs clientId and absolute http(s) authorizationUrl, tokenUrl (and redirectUrl, when set)")
			}
		}
		icon, err := parseIcon(r.Icon, s.OAuth != nil)
		if err != nil {
			return nil, bad("%v", err)
		}
		s.Icon = icon
		c.byKey[s.Key] = len(c.services)
		c.services = append(c.services, s)
	}
	return c, nil
}

func absoluteHTTP(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != ""
}

// parseIcon reads a catalogue's icon: a built-in name, a data: URL or ""
// (the default for a service with or without OAuth).
func parseIcon(s string, oauth bool) (Icon, error) {
	if s == "" {
		s = defaultIconName
		if oauth {
			s = oauthIconName
		}
	}
	if data, ok := strings.CutPrefix(s, "data:"); ok {
		meta, payload, found := strings.Cut(data, ",")
		ct, isBase64 := strings.CutSuffix(meta, ";base64")
		if !found || !isBase64 || (ct != iconSVG && ct != iconPNG) {
			return Icon{}, fmt.Errorf("the icon must be a base64 data: URL of %s or %s", iconSVG, iconPNG)
		}
		b, err := base64.StdEncoding.DecodeString(payload)
		if err != nil || len(b) == 0 || len(b) > MaxIconBytes {
			return Icon{}, fmt.Errorf("the icon's data must be base64, 1 to %d bytes", MaxIconBytes)
		}
		if ct == iconPNG && !strings.HasPrefix(string(b), "\x89PNG\r\n\x1a\n") {
			return Icon{}, fmt.Errorf("the icon is not a PNG image")
		}
		return Icon{ContentType: ct, Data: b}, nil
	}
	b, err := builtinIcons.ReadFile("icons/" + s + ".svg")
	if err != nil || strings.ContainsAny(s, "/.") {
		return Icon{}, fmt.Errorf("no built-in icon %q (there are %s)", s, builtinIconNames)
	}
	return Icon{ContentType: iconSVG, Data: b}, nil
}

// Services returns the services in their configured order (a copy).
func (c *Catalogue) Services() []Offering { return append([]Offering(nil), c.services...) }

// Lookup returns the service with the key. Errors: NotFound.
func (c *Catalogue) Lookup(key string) (Offering, error) {
	if i, ok := c.byKey[key]; ok {
		return c.services[i], nil
	}
	return Offering{}, errNoService(key)
}

// Option returns the option of the service with the key.
func (s Offering) Option(key string) (Option, bool) {
	for _, o := range s.Options {
		if o.Key == key {
			return o, true
		}
	}
	return Option{}, false
}
