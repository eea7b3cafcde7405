package work

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/effektif-serverless/caseflow/shared/connector"
	"github.com/effektif-serverless/caseflow/shared/effektif"
	"github.com/effektif-serverless/caseflow/shared/failure"
	"github.com/effektif-serverless/caseflow/shared/httpapi"
	"github.com/effektif-serverless/caseflow/shared/identity"
)

// CallbackPath is the path of the public OAuth callback (getOauth_callback),
// the redirect URL of the catalogue's providers that name none.
const CallbackPath = effektif.BasePath + "/oauth_callback"

// IconMaxAge is how long a client may cache a service icon.
const IconMaxAge = 24 * 60 * 60

// Service is the Effektif answer of GET /{org}/services: a service of the
// catalogue with its options (an OAuth provider's configuration is the
// deployment's and never answered; oauth tells a client to connect
// accounts through POST /services/oauth/start).
type Service struct {
	Key         string             `json:"key"`
	Name        string             `json:"name"`
	Description string             `json:"description,omitempty"`
	Options     []connector.Option `json:"options"`
	OAuth       bool               `json:"oauth"`
}

// Account is the Effektif Account model. Credentials are write-only: a
// create or update takes them ("credentials", a JSON object of the
// service's fields, such as {"username", "password"} or {"token"}); no
// answer carries them, nor the OAuth tokens. connected (not in the
// document) tells whether the account holds OAuth tokens.
type Account struct {
	ID         string                       `json:"id"`
	ServiceKey string                       `json:"serviceKey"`
	UserID     string                       `json:"userId"`
	Access     *connector.AccessControlList `json:"access,omitempty"`
	Restricted bool                         `json:"restricted"`
	Connected  bool                         `json:"connected"`
}

func accountOf(a connector.Account) Account {
	out := Account{ID: a.ID, ServiceKey: a.ServiceKey, UserID: a.OwnerID, Restricted: a.Restricted, Connected: a.Connected()}
	if len(a.Access.Permissions) > 0 {
		acl := a.Access
		out.Access = &acl
	}
	return out
}

// accountBody is a create or update body: the Account model with the
// write-only credentials. serviceKey, id and userId, when given, must be
// the path's service, the path's account and the owner (the owner of an
// account does not change).
type accountBody struct {
	ID          string                       `json:"id"`
	ServiceKey  string                       `json:"serviceKey"`
	UserID      string                       `json:"userId"`
	Access      *connector.AccessControlList `json:"access"`
	Restricted  *bool                        `json:"restricted"`
	Connected   *bool                        `json:"connected"`
	Credentials json.RawMessage              `json:"credentials"`
}

func (b accountBody) change(serviceKey, id, ownerID string) (connector.AccountChange, error) {
	switch {
	case b.ServiceKey != "" && b.ServiceKey != serviceKey:
		return connector.AccountChange{}, failure.Field("serviceKey", "serviceKey %q is not the path's service", b.ServiceKey)
	case b.ID != "" && b.ID != id:
		return connector.AccountChange{}, failure.Field("id", "id is the path's account")
	case b.UserID != "" && b.UserID != ownerID:
		return connector.AccountChange{}, failure.Field("userId", "userId is the account's owner, who does not change")
	}
	return connector.AccountChange{Access: b.Access, Restricted: b.Restricted, Credentials: b.Credentials}, nil
}

// Reference is an answer of GET .../accounts/{accountId}/references: a
// workflow (an editor workflow, by its id) whose service tasks (their
// activity ids) name the account in configuration.accountId.
type Reference struct {
	ID          string   `json:"id"`
	Name        string   `json:"name"`
	ActivityIDs []string `json:"activityIds"`
}

// OauthStartRequest and OauthStartResponse are the document's models.
type OauthStartRequest struct {
	Path       string `json:"path"`
	ServiceKey string `json:"serviceKey"`
	AccountID  string `json:"accountId"`
}

type OauthStartResponse struct {
	AuthorizationURL string `json:"authorizationUrl"`
}

type serviceHandlers struct {
	svc *connector.Service
}

// ServiceRoutes registers the services, accounts and OAuth routes of the
// Effektif Service group. Decisions where the document is silent:
//   - Every route under /{organizationKey} is for members (another
//     organization's caller, admin or not, gets 404; no token 401).
//     Accounts a member may not read (package connector: MayRead) are 404
//     and left out of lists; changes and deletes are the owner's and the
//     admins' (403 for other readers).
//   - excludeOwner is accepted and has no effect: no answer embeds the
//     owner (userId is its id). parent and pathTo of references are
//     accepted and ignored (references are flat); q filters by name.
//   - Options (both routes) answer the catalogue's values of the option,
//     [{id, name}], filtered by q, for an account the caller may read.
//   - DELETE answers 204.
//   - GET /oauth_callback is public (the provider's redirect of the
//     browser): with the start's path it redirects (302) to the service's
//     BaseURL + path
//     with accountId (or error) added to the query; without one it answers
//     the Account (or the error). A state is single use: a replay is 410.
func ServiceRoutes(rt *httpapi.Router, svc *connector.Service) {
	h := serviceHandlers{svc: svc}
	org := effektif.BasePath + "/{organizationKey}/services"
	acc := org + "/{serviceKey}/accounts"
	rt.Handle("GET "+org, tenant(svc.Identity, h.services))
	rt.Handle("GET "+org+"/{serviceKey}/icon", tenant(svc.Identity, h.icon))
	rt.Handle("GET "+org+"/{serviceKey}/options/{optionsKey}", tenant(svc.Identity, h.serviceOption))
	rt.Handle("GET "+acc, tenant(svc.Identity, h.list))
	rt.Handle("POST "+acc, tenant(svc.Identity, h.create))
	rt.Handle("GET "+acc+"/{accountId}", tenant(svc.Identity, h.get))
	rt.Handle("PUT "+acc+"/{accountId}", tenant(svc.Identity, h.update))
	rt.Handle("DELETE "+acc+"/{accountId}", tenant(svc.Identity, h.delete))
	rt.Handle("GET "+acc+"/{accountId}/references", tenant(svc.Identity, h.references))
	rt.Handle("GET "+acc+"/{accountId}/options/{optionsKey}", tenant(svc.Identity, h.accountOption))
	rt.Handle("POST "+org+"/oauth/start", tenant(svc.Identity, h.oauthStart))
	rt.Handle("GET "+CallbackPath, h.oauthCallback)
}

func (h serviceHandlers) services(w http.ResponseWriter, _ *http.Request, a identity.Access) error {
	list := h.svc.Services(a)
	out := make([]Service, len(list))
	for i, s := range list {
		out[i] = Service{Key: s.Key, Name: s.Name, Description: s.Description, Options: s.Options, OAuth: s.OAuth != nil}
	}
	return httpapi.WriteJSON(w, http.StatusOK, out)
}

// icon answers the service's icon as a FileStream: its content type,
// Content-Disposition inline with a file name, and a cache lifetime.
func (h serviceHandlers) icon(w http.ResponseWriter, r *http.Request, a identity.Access) error {
	key := r.PathValue("serviceKey")
	icon, err := h.svc.Icon(a, key)
	if err != nil {
		return err
	}
	ext := ".svg"
	if icon.ContentType == "image/png" {
		ext = ".png"
	}
	w.Header().Set("Content-Type", icon.ContentType)
	w.Header().Set("Content-Disposition", inlineDisposition(key+ext))
	w.Header().Set("Cache-Control", "private, max-age="+strconv.Itoa(IconMaxAge))
	w.Header().Set("X-Content-Type-Options", "nosniff")
	if icon.ContentType == "image/svg+xml" {
		// An SVG opened on its own must not run scripts at our origin.
		w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; sandbox")
	}
	w.WriteHeader(http.StatusOK)
	_, err = w.Write(icon.Data)
	return err
}

func (h serviceHandlers) serviceOption(w http.ResponseWriter, r *http.Request, a identity.Access) error {
	accountID := r.URL.Query().Get("accountId")
	if accountID == "" {
		return failure.Field("accountId", "accountId is required")
	}
	return h.option(w, r, a, accountID)
}

func (h serviceHandlers) accountOption(w http.ResponseWriter, r *http.Request, a identity.Access) error {
	return h.option(w, r, a, r.PathValue("accountId"))
}

func (h serviceHandlers) option(w http.ResponseWriter, r *http.Request, a identity.Access, accountID string) error {
	values, err := h.svc.Options(r.Context(), a, r.PathValue("serviceKey"), accountID, r.PathValue("optionsKey"), r.URL.Query().Get("q"))
	if err != nil {
		return err
	}
	return httpapi.WriteJSON(w, http.StatusOK, values)
}

func (h serviceHandlers) list(w http.ResponseWriter, r *http.Request, a identity.Access) error {
	list, err := h.svc.ListAccounts(r.Context(), a, r.PathValue("serviceKey"))
	if err != nil {
		return err
	}
	out := make([]Account, len(list))
	for i, acc := range list {
		out[i] = accountOf(acc)
	}
	return httpapi.WriteJSON(w, http.StatusOK, out)
}

func (h serviceHandlers) create(w http.ResponseWriter, r *http.Request, a identity.Access) error {
	var b accountBody
	if err := httpapi.DecodeOptionalJSON(r, httpapi.MaxJSONBody, &b); err != nil {
		return err
	}
	c, err := b.change(r.PathValue("serviceKey"), b.ID, a.UserID)
	if err != nil {
		return err
	}
	if b.ID != "" {
		return failure.Field("id", "an account's id is made when it is created")
	}
	acc, err := h.svc.CreateAccount(r.Context(), a, r.PathValue("serviceKey"), c)
	if err != nil {
		return err
	}
	return httpapi.WriteJSON(w, http.StatusOK, accountOf(acc))
}

func (h serviceHandlers) get(w http.ResponseWriter, r *http.Request, a identity.Access) error {
	acc, err := h.svc.GetAccount(r.Context(), a, r.PathValue("serviceKey"), r.PathValue("accountId"))
	if err != nil {
		return err
	}
	return httpapi.WriteJSON(w, http.StatusOK, accountOf(acc))
}

// update checks who may change the account before it reads the body.
func (h serviceHandlers) update(w http.ResponseWriter, r *http.Request, a identity.Access) error {
	key, id := r.PathValue("serviceKey"), r.PathValue("accountId")
	cur, err := h.svc.GetAccount(r.Context(), a, key, id)
	if err != nil {
		return err
	}
	if !connector.MayChange(cur, a.Membership) {
		return failure.New(failure.Forbidden, "only the account's owner or an admin may change it")
	}
	var b accountBody
	if err := httpapi.DecodeJSON(r, httpapi.MaxJSONBody, &b); err != nil {
		return err
	}
	c, err := b.change(key, id, cur.OwnerID)
	if err != nil {
		return err
	}
	acc, err := h.svc.UpdateAccount(r.Context(), a, key, id, c)
	if err != nil {
		return err
	}
	return httpapi.WriteJSON(w, http.StatusOK, accountOf(acc))
}

func (h serviceHandlers) delete(w http.ResponseWriter, r *http.Request, a identity.Access) error {
	if err := h.svc.DeleteAccount(r.Context(), a, r.PathValue("serviceKey"), r.PathValue("accountId")); err != nil {
		return err
	}
	return httpapi.NoContent(w)
}

func (h serviceHandlers) references(w http.ResponseWriter, r *http.Request, a identity.Access) error {
	refs, err := h.svc.References(r.Context(), a, r.PathValue("serviceKey"), r.PathValue("accountId"), r.URL.Query().Get("q"))
	if err != nil {
		return err
	}
	out := make([]Reference, len(refs))
	for i, ref := range refs {
		out[i] = Reference{ID: ref.WorkflowID, Name: ref.Name, ActivityIDs: ref.ActivityIDs}
	}
	return httpapi.WriteJSON(w, http.StatusOK, out)
}

func (h serviceHandlers) oauthStart(w http.ResponseWriter, r *http.Request, a identity.Access) error {
	var req OauthStartRequest
	if err := httpapi.DecodeJSON(r, httpapi.MaxJSONBody, &req); err != nil {
		return err
	}
	u, err := h.svc.StartOAuth(r.Context(), a, connector.OAuthStart{ServiceKey: req.ServiceKey, AccountID: req.AccountID, Path: req.Path})
	if err != nil {
		return err
	}
	return httpapi.WriteJSON(w, http.StatusOK, OauthStartResponse{AuthorizationURL: u})
}

// oauthCallback finishes a connection (public: the caller is the state).
func (h serviceHandlers) oauthCallback(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	acc, path, err := h.svc.FinishOAuth(r.Context(), q.Get("state"), q.Get("code"), q.Get("error"))
	w.Header().Set("Cache-Control", "no-store")
	if path == "" {
		if err != nil {
			return err
		}
		return httpapi.WriteJSON(w, http.StatusOK, accountOf(acc))
	}
	target, perr := url.Parse(strings.TrimSuffix(h.svc.BaseURL, "/") + path)
	if perr != nil {
		return failure.Wrap(perr, "the start's path")
	}
	back := target.Query()
	if err != nil {
		fe := failure.As(err)
		if fe.Code == failure.Internal {
			return err
		}
		code := string(fe.Code)
		if errors.Is(err, connector.ErrProviderRefused) {
			code = "access_denied"
		}
		back.Set("error", code)
	} else {
		back.Set("accountId", acc.ID)
		back.Set("serviceKey", acc.ServiceKey)
	}
	target.RawQuery = back.Encode()
	http.Redirect(w, r, target.String(), http.StatusFound)
	return nil
}
