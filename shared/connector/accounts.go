package connector

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/effektif-serverless/caseflow/shared/casework"
	"github.com/effektif-serverless/caseflow/shared/failure"
	"github.com/effektif-serverless/caseflow/shared/identity"
	"github.com/effektif-serverless/caseflow/shared/ids"
	"github.com/effektif-serverless/caseflow/shared/workflow"
)

// Bounds of accounts.
const (
	// MaxAccountsListed bounds a list of a service's accounts (one Query).
	MaxAccountsListed = 500
	// MaxCredentialsBytes bounds an account's credentials (their JSON).
	MaxCredentialsBytes = 16 << 10
	// MaxAccessEntries bounds an access list.
	MaxAccessEntries = 200
	// MaxReferenceDrafts is how many of the organization's editor
	// workflows a references look-up reads (one bounded Query).
	MaxReferenceDrafts = casework.MaxPageSize
)

// Access identity types of an access list.
const (
	AccessUser         = "user"
	AccessGroup        = "group"
	AccessOrganization = "organization"
)

// AccessControlList is an account's access list, Effektif's
// AccessControlList: {"permissions": {action: [{"type", "id"}]}}. Any entry,
// under any action, that names the caller (type "user"), one of the
// caller's groups ("group") or the organization ("organization") lets the
// caller read a restricted account; changing it stays the owner's and the
// admins'.
type AccessControlList struct {
	Permissions map[string][]AccessIdentity `json:"permissions,omitempty" dynamo:",omitempty"`
}

// AccessIdentity is one entry of an access list.
type AccessIdentity struct {
	Type string `json:"type"`
	ID   string `json:"id"`
}

// Check validates the list: known types, ids, at most MaxAccessEntries.
func (l AccessControlList) Check() error {
	n := 0
	for action, entries := range l.Permissions {
		if action == "" || len(action) > 64 {
			return failure.Field("access", "access: an action name must be 1-64 bytes")
		}
		for _, e := range entries {
			n++
			if e.Type != AccessUser && e.Type != AccessGroup && e.Type != AccessOrganization {
				return failure.Field("access", "access: type %q is not user, group or organization", e.Type)
			}
			if err := ids.Check("access", e.ID); err != nil {
				return err
			}
		}
	}
	if n > MaxAccessEntries {
		return failure.Field("access", "access: %d entries, at most %d", n, MaxAccessEntries)
	}
	return nil
}

// names reports whether an entry of the list names the member.
func (l AccessControlList) names(m identity.Membership) bool {
	for _, entries := range l.Permissions {
		for _, e := range entries {
			switch e.Type {
			case AccessUser:
				if e.ID == m.UserID {
					return true
				}
			case AccessGroup:
				if slices.Contains(m.GroupIDs, e.ID) {
					return true
				}
			case AccessOrganization:
				if e.ID == m.OrganizationID {
					return true
				}
			}
		}
	}
	return false
}

// Account is an account of a service in an organization. Credentials and
// Tokens are sealed (see Service.Key); their plain forms never leave the
// package but through AccessToken and Credentials.
type Account struct {
	ID             string
	OrganizationID string
	ServiceKey     string
	OwnerID        string
	Access         AccessControlList
	Restricted     bool
	// Credentials is the sealed JSON object a client gave ("" when none).
	Credentials []byte `dynamo:",omitempty"`
	// Tokens is the sealed OAuth token (oauth2.Token as JSON) of an
	// account connected through OAuth; TokenExpiry is its expiry (zero
	// when it does not expire), in the clear so that a reader knows when
	// to refresh without opening it.
	Tokens      []byte    `dynamo:",omitempty"`
	TokenExpiry time.Time `dynamo:",omitempty"`
	Created     time.Time
	LastUpdated time.Time
	Version     int
}

// Connected reports whether the account holds OAuth tokens.
func (a Account) Connected() bool { return len(a.Tokens) > 0 }

// MayRead reports whether the member may read the account: its owner, an
// admin, anyone when it is not restricted, or someone its access list
// names.
func MayRead(acc Account, m identity.Membership) bool {
	return acc.OwnerID == m.UserID || m.IsAdmin() || !acc.Restricted || acc.Access.names(m)
}

// MayChange reports whether the member may change or delete the account:
// its owner or an admin.
func MayChange(acc Account, m identity.Membership) bool {
	return acc.OwnerID == m.UserID || m.IsAdmin()
}

// AccountChange is what a client sets on an account. Credentials nil
// keeps the stored ones (a JSON null or {} on update clears them); Access
// nil keeps the list.
type AccountChange struct {
	Access      *AccessControlList
	Restricted  *bool
	Credentials json.RawMessage
}

// Store keeps accounts and OAuth states. Errors are *failure.Error: NotFound
// for a missing item, Conflict (Retry) when a version condition fails.
type Store interface {
	// PutAccount stores a new account (Version 1, on its absence) or a
	// changed one (on the stored version being Version-1).
	PutAccount(ctx context.Context, a Account) error
	GetAccount(ctx context.Context, organizationID, serviceKey, id string) (Account, error)
	// ListAccounts lists up to limit accounts of a service, oldest first.
	ListAccounts(ctx context.Context, organizationID, serviceKey string, limit int) ([]Account, error)
	// DeleteAccount deletes the account on its version.
	DeleteAccount(ctx context.Context, a Account) error
	// PutOAuthState stores a state; it expires at st.Expires (TTL).
	PutOAuthState(ctx context.Context, st OAuthState) error
	// TakeOAuthState deletes the state of the hash and answers it (NotFound
	// when there is none): of two takes of one state, one gets it.
	TakeOAuthState(ctx context.Context, hash string) (OAuthState, error)
}

// Drafts reads an organization's editor workflows (casework.Store).
type Drafts interface {
	ListEditorWorkflows(ctx context.Context, organizationID, triggerType string, page casework.Page) ([]casework.EditorWorkflow, error)
}

// Service holds the rules of services and accounts.
type Service struct {
	Identity  *identity.Service
	Store     Store
	Drafts    Drafts
	Catalogue *Catalogue
	// Key is the secret from which the key that seals credentials and
	// tokens is derived (at least MinKeyLength bytes); without it accounts
	// with credentials and OAuth connections are refused (Unavailable).
	Key []byte
	// CallbackURL is the redirect URL of the providers that name none: the
	// dialect's public callback route at the deployment's address.
	CallbackURL string
	// BaseURL is the deployment's public base URL: the callback sends the
	// browser on to BaseURL + the start's path.
	BaseURL string
	// HTTPClient calls the OAuth providers (nil: a client with
	// ProviderTimeout).
	HTTPClient *http.Client
	// Now returns the current time; nil means time.Now.
	Now func() time.Time
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now().UTC()
	}
	return time.Now().UTC()
}

func errNoService(key string) error {
	return failure.New(failure.NotFound, "no service %q", key)
}

func errNoAccount() error { return failure.New(failure.NotFound, "no such account") }

// Services answers the catalogue to a member of the organization.
func (s *Service) Services(_ identity.Access) []Offering { return s.Catalogue.Services() }

// Icon answers the icon of a service. Errors: NotFound.
func (s *Service) Icon(_ identity.Access, serviceKey string) (Icon, error) {
	svc, err := s.Catalogue.Lookup(serviceKey)
	return svc.Icon, err
}

// account reads an account the caller may read. Errors: NotFound for an
// unknown service, a malformed id, a missing account or one the caller
// may not read.
func (s *Service) account(ctx context.Context, a identity.Access, serviceKey, id string) (Offering, Account, error) {
	svc, err := s.Catalogue.Lookup(serviceKey)
	if err != nil {
		return Offering{}, Account{}, err
	}
	if !ids.Valid(id) {
		return Offering{}, Account{}, errNoAccount()
	}
	acc, err := s.Store.GetAccount(ctx, a.Organization.ID, serviceKey, id)
	if err != nil {
		return Offering{}, Account{}, err
	}
	if !MayRead(acc, a.Membership) {
		return Offering{}, Account{}, errNoAccount()
	}
	return svc, acc, nil
}

// changeable is account for a change: Forbidden for a reader who is
// neither the owner nor an admin.
func (s *Service) changeable(ctx context.Context, a identity.Access, serviceKey, id string) (Account, error) {
	_, acc, err := s.account(ctx, a, serviceKey, id)
	if err != nil {
		return Account{}, err
	}
	if !MayChange(acc, a.Membership) {
		return Account{}, failure.New(failure.Forbidden, "only the account's owner or an admin may change it")
	}
	return acc, nil
}

// ListAccounts lists the accounts of a service the caller may read (up to
// MaxAccountsListed of the service's accounts are read). Errors: NotFound
// for an unknown service.
func (s *Service) ListAccounts(ctx context.Context, a identity.Access, serviceKey string) ([]Account, error) {
	if _, err := s.Catalogue.Lookup(serviceKey); err != nil {
		return nil, err
	}
	all, err := s.Store.ListAccounts(ctx, a.Organization.ID, serviceKey, MaxAccountsListed)
	if err != nil {
		return nil, err
	}
	out := make([]Account, 0, len(all))
	for _, acc := range all {
		if MayRead(acc, a.Membership) {
			out = append(out, acc)
		}
	}
	return out, nil
}

// GetAccount reads an account. Errors: as account.
func (s *Service) GetAccount(ctx context.Context, a identity.Access, serviceKey, id string) (Account, error) {
	_, acc, err := s.account(ctx, a, serviceKey, id)
	return acc, err
}

// CreateAccount makes an account of the service owned by the caller.
// Errors: NotFound for an unknown service; Invalid for a bad access list or
// credentials that are not a JSON object of at most MaxCredentialsBytes;
// Unavailable when credentials are given and no Key is configured.
func (s *Service) CreateAccount(ctx context.Context, a identity.Access, serviceKey string, c AccountChange) (Account, error) {
	if _, err := s.Catalogue.Lookup(serviceKey); err != nil {
		return Account{}, err
	}
	now := s.now()
	acc := Account{ID: ids.New(), OrganizationID: a.Organization.ID, ServiceKey: serviceKey, OwnerID: a.UserID,
		Created: now, LastUpdated: now, Version: 1}
	if err := s.apply(&acc, c); err != nil {
		return Account{}, err
	}
	if err := s.Store.PutAccount(ctx, acc); err != nil {
		return Account{}, err
	}
	return acc, nil
}

// UpdateAccount changes an account's access list, restriction or
// credentials. Errors: as changeable and CreateAccount; Conflict when it
// changed meanwhile.
func (s *Service) UpdateAccount(ctx context.Context, a identity.Access, serviceKey, id string, c AccountChange) (Account, error) {
	acc, err := s.changeable(ctx, a, serviceKey, id)
	if err != nil {
		return Account{}, err
	}
	if err := s.apply(&acc, c); err != nil {
		return Account{}, err
	}
	acc.LastUpdated = s.now()
	acc.Version++
	if err := s.Store.PutAccount(ctx, acc); err != nil {
		return Account{}, err
	}
	return acc, nil
}

// DeleteAccount deletes an account. Errors: as changeable; Conflict when it
// changed meanwhile.
func (s *Service) DeleteAccount(ctx context.Context, a identity.Access, serviceKey, id string) error {
	acc, err := s.changeable(ctx, a, serviceKey, id)
	if err != nil {
		return err
	}
	return s.Store.DeleteAccount(ctx, acc)
}

func (s *Service) apply(acc *Account, c AccountChange) error {
	if c.Access != nil {
		if err := c.Access.Check(); err != nil {
			return err
		}
		acc.Access = *c.Access
	}
	if c.Restricted != nil {
		acc.Restricted = *c.Restricted
	}
	if c.Credentials == nil {
		return nil
	}
	if len(c.Credentials) > MaxCredentialsBytes {
		return failure.Field("credentials", "credentials: at most %d bytes", MaxCredentialsBytes)
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(c.Credentials, &obj); err != nil {
		return failure.Field("credentials", "credentials must be a JSON object")
	}
	if len(obj) == 0 {
		acc.Credentials = nil
		return nil
	}
	sealed, err := s.seal(credentialsPurpose, acc.OrganizationID, acc.ID, c.Credentials)
	if err != nil {
		return err
	}
	acc.Credentials = sealed
	return nil
}

// Credentials opens an account's credentials for the action path (the
// JSON object a client gave; nil when none). It checks no caller: only
// code acting for a workflow of the account's organization calls it.
func (s *Service) Credentials(ctx context.Context, organizationID, serviceKey, id string) (json.RawMessage, error) {
	acc, err := s.Store.GetAccount(ctx, organizationID, serviceKey, id)
	if err != nil || len(acc.Credentials) == 0 {
		return nil, err
	}
	return s.open(credentialsPurpose, acc.OrganizationID, acc.ID, acc.Credentials)
}

// Options answers the values of a service's option for an account the
// caller may read (the accountId that getServiceOption requires, and the
// account of getServiceAccountOption), filtered by q (a case-insensitive
// part of a value's name; "" for all). The values are the catalogue's: a
// service of this deployment lists its choices there, not at the remote
// end. Errors: NotFound for an unknown service or option, and as account.
func (s *Service) Options(ctx context.Context, a identity.Access, serviceKey, accountID, optionKey, q string) ([]OptionValue, error) {
	svc, _, err := s.account(ctx, a, serviceKey, accountID)
	if err != nil {
		return nil, err
	}
	o, ok := svc.Option(optionKey)
	if !ok {
		return nil, failure.New(failure.NotFound, "service %q has no option %q", serviceKey, optionKey)
	}
	q = strings.ToLower(q)
	out := make([]OptionValue, 0, len(o.Values))
	for _, v := range o.Values {
		if q == "" || strings.Contains(strings.ToLower(v.Name), q) {
			out = append(out, v)
		}
	}
	return out, nil
}

// Reference is a workflow that uses an account: the editor workflow and
// the ids of its service tasks that name the account.
type Reference struct {
	WorkflowID  string
	Name        string
	ActivityIDs []string
}

// ConfigurationAccountID is the configuration field of a service task that
// names the account it runs with: {"type": "serviceTask", "serviceKey":
// "http", "configuration": {"accountId": "<id>"}}.
const ConfigurationAccountID = "accountId"

// References answers the workflows of the organization whose service
// tasks (at any depth of embedded sub-processes) of this service name the
// account in their configuration's accountId, among the first
// MaxReferenceDrafts editor workflows (drafts, one bounded Query; the
// versions of a draft share its account), filtered by q (a
// case-insensitive part of the name). Errors: as account.
func (s *Service) References(ctx context.Context, a identity.Access, serviceKey, id, q string) ([]Reference, error) {
	if _, _, err := s.account(ctx, a, serviceKey, id); err != nil {
		return nil, err
	}
	drafts, err := s.Drafts.ListEditorWorkflows(ctx, a.Organization.ID, "", casework.Page{PageSize: MaxReferenceDrafts})
	if err != nil {
		return nil, err
	}
	q = strings.ToLower(q)
	out := []Reference{}
	for _, d := range drafts {
		if d.IsPrivate && d.OwnerID != a.UserID && !a.IsAdmin() {
			continue // a private draft stays hidden, as in the workflow lists
		}
		if q != "" && !strings.Contains(strings.ToLower(d.Definition.Name), q) {
			continue
		}
		if acts := usingAccount(d.Definition.Activities, serviceKey, id); len(acts) > 0 {
			out = append(out, Reference{WorkflowID: d.ID, Name: d.Definition.Name, ActivityIDs: acts})
		}
	}
	return out, nil
}

// usingAccount returns the ids of the service tasks that name the account.
func usingAccount(acts []workflow.Activity, serviceKey, id string) []string {
	var out []string
	for _, act := range acts {
		if act.Type == workflow.ServiceTask && act.ServiceKey == serviceKey {
			var got string
			if raw, ok := act.Configuration[ConfigurationAccountID]; ok && json.Unmarshal(raw, &got) == nil && got == id {
				out = append(out, act.ID)
			}
		}
		out = append(out, usingAccount(act.Activities, serviceKey, id)...)
	}
	return out
}
