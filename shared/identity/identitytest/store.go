// Package identitytest holds what tests of the identity core share: Store,
// an in-memory identity.Store that keeps the conditions of the DynamoDB
// store (shared/store), and RunStoreContract, the suite that both pass.
//
// The fake is a model of the DynamoDB store, not a second design: each
// method checks what the store's transaction checks, in the order its
// items stand (the first failed condition names the error), and answers
// the same *failure.Error codes, fields and Retry flags; it writes all of
// a transaction or nothing. Where the store's answers are plain DynamoDB
// behaviour, the fake keeps them too:
//
//   - A failed condition that the store does not name (a second
//     PutSession of one token hash, say) is an Internal failure, as the
//     store's failure.Wrap of the SDK's error is.
//   - A transaction holds at most 100 items, each at most once (more, or
//     two operations on one item, is DynamoDB's ValidationException: an
//     Internal failure).
//   - Memberships' GroupIDs and groups' UserIDs are string sets: no
//     order (read back sorted), no duplicates, and an empty set is no
//     attribute (read back nil). Empty lists and maps read back nil too
//     (DynamoDB may answer an empty one: compare lengths).
//   - Queries answer in the order of their sort keys (members by user
//     id, memberships of a user by organization id, invitations by
//     address, groups and licenses by id, users by address, API tokens
//     oldest first) and at most their limit.
//   - Items with a time to live (registrations, sessions and API tokens,
//     invitations and their SES message look-ups, one-time tokens and
//     their slots, throttle windows) stay readable after they expire:
//     DynamoDB's TTL deletes them later (on AWS typically within two
//     days, and an expired item "will still show up in reads, queries,
//     and scans" until then; DynamoDB Local deletes none, or lazily:
//     AWS's usage notes of some of its versions say it has no TTL). So
//     the fake keeps them until SweepExpired, which does what TTL does,
//     at once; the core must check every expiry itself.
//
// What the fake does not model: DynamoDB's key size limits (the store's
// keyGuard answers ErrKeyTooLong; see shared/store), item sizes, the
// eventual consistency of GSI reads on AWS (the fake, like DynamoDB Local,
// reads its own writes at once), the store's purge of deleted
// organizations (the fake keeps a deleted organization's id as the
// store's purge marker does, but never finishes a purge, so the id stays
// taken), and ctx (never looked at).
package identitytest

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/effektif-serverless/caseflow/shared/failure"
	"github.com/effektif-serverless/caseflow/shared/identity"
)

// Store is an in-memory identity.Store, safe for concurrent use: one
// mutex around every call, so each call is one transaction.
type Store struct {
	mu     sync.Mutex
	writes int

	users         map[string]identity.User
	emails        map[string]string // normalized address -> user id
	orgs          map[string]identity.Organization
	orgKeys       map[string]string // key -> organization id
	orgNames      map[string]string // name claim -> organization id
	purging       map[string]bool   // ids of deleted organizations (the store's purge markers)
	members       map[pair]identity.Membership
	usernames     map[pair]string // (organization, lower-case username) -> user id
	registrations map[string]identity.Registration
	sessions      map[string]session
	groups        map[pair]identity.Group
	invitations   map[pair]identity.Invitation // (organization, normalized address)
	sesMessages   map[string]sesMessage
	licenses      map[pair]identity.License
	claims        map[pair]string // (organization, user) -> the license the member holds
	purchases     map[pair]identity.PurchaseOrder
	oneTimes      map[pair]identity.OneTime // (kind, code hash)
	slots         map[pair]slot             // (kind, slot) -> the slot's live token
	throttles     map[pair]throttle         // (name, window end) -> uses
	counters      map[identity.NumberKind]int64
	numbers       map[pair]int32                     // (kind, id) -> number
	numbered      map[pair]string                    // (kind, number) -> id
	extra         *settingsOf                        // settings and navigations (settings.go)
	passkeys      *passkeysOf                        // passkeys and spent challenges (passkeys.go)
	totps         map[string]identity.TOTPCredential // user id -> TOTP credential (totp.go)
	recoveries    *recoveriesOf                      // recovery emails (recovery.go)
	groupInvs     *groupInvsOf                       // group invitations (groupinvitations.go)
	orgRoles      *orgRolesOf                        // organization roles and grants (orgroles.go)
}

var _ identity.Store = (*Store)(nil)

// pair is the key of an item named by two strings.
type pair struct{ a, b string }

// session is a session item: API tokens are listed apart (the store's
// GSI sort key TOKEN#API#), whatever their Kind says.
type session struct {
	identity.Session
	api bool
}

type sesMessage struct {
	organizationID, email string
	expires               time.Time
}

type slot struct {
	codeHash string
	expires  time.Time
}

type throttle struct {
	count int
	until time.Time
}

// NewStore returns an empty store.
func NewStore() *Store {
	return &Store{
		users: map[string]identity.User{}, emails: map[string]string{},
		orgs: map[string]identity.Organization{}, orgKeys: map[string]string{},
		orgNames: map[string]string{}, purging: map[string]bool{},
		members: map[pair]identity.Membership{}, usernames: map[pair]string{},
		registrations: map[string]identity.Registration{}, sessions: map[string]session{},
		groups: map[pair]identity.Group{}, invitations: map[pair]identity.Invitation{},
		sesMessages: map[string]sesMessage{}, licenses: map[pair]identity.License{},
		claims: map[pair]string{}, purchases: map[pair]identity.PurchaseOrder{},
		oneTimes: map[pair]identity.OneTime{}, slots: map[pair]slot{}, throttles: map[pair]throttle{},
		counters: map[identity.NumberKind]int64{}, numbers: map[pair]int32{}, numbered: map[pair]string{},
	}
}

// Writes counts the calls that wrote (every successful call of a method
// that writes): a test compares it before and after a refused request to
// check that the request wrote nothing.
func (s *Store) Writes() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.writes
}

// SweepExpired does what DynamoDB's TTL does, at once: it deletes every
// item whose time to live is before now (by the second, as the store's
// expiresAt attribute holds Unix seconds) and reports how many. Items
// without one (a zero expiry) stay.
func (s *Store) SweepExpired(now time.Time) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	expired := func(t time.Time) bool {
		if !t.IsZero() && t.Unix() < now.Unix() {
			n++
			return true
		}
		return false
	}
	maps.DeleteFunc(s.registrations, func(_ string, r identity.Registration) bool { return expired(r.Expires) })
	maps.DeleteFunc(s.sessions, func(_ string, x session) bool { return expired(x.Expires) })
	maps.DeleteFunc(s.invitations, func(_ pair, inv identity.Invitation) bool { return expired(inv.Expires) })
	maps.DeleteFunc(s.sesMessages, func(_ string, m sesMessage) bool { return expired(m.expires) })
	maps.DeleteFunc(s.oneTimes, func(_ pair, t identity.OneTime) bool { return expired(t.Expires) })
	maps.DeleteFunc(s.slots, func(_ pair, x slot) bool { return expired(x.expires) })
	maps.DeleteFunc(s.throttles, func(_ pair, x throttle) bool { return expired(x.until) })
	return n
}

// lock takes the store for one call; the returned function gives it back.
func (s *Store) lock() func() {
	s.mu.Lock()
	return s.mu.Unlock
}

// wrote counts a successful write; it returns nil for a method's return.
func (s *Store) wrote() error {
	s.writes++
	return nil
}

// errConditionFailed is the cause of the Internal failures where the
// store wraps a failed condition it does not name.
var errConditionFailed = errors.New("ConditionalCheckFailed: the conditional request failed")

// conditionFailed is the store's failure.Wrap of a failed condition.
func conditionFailed(format string, args ...any) error {
	return failure.Wrap(errConditionFailed, format, args...)
}

func notFound(what string) error { return failure.New(failure.NotFound, "no such %s", what) }

// maxTransactItems is DynamoDB's bound on the items of one transaction.
const maxTransactItems = 100

// transaction collects the items a store transaction names, so that a
// call checks DynamoDB's rules on them before its conditions: at most
// maxTransactItems, none twice.
type transaction struct {
	items map[string]bool
	err   error
}

func (t *transaction) add(item ...string) {
	if t.items == nil {
		t.items = map[string]bool{}
	}
	k := strings.Join(item, "\x00")
	if t.items[k] && t.err == nil {
		t.err = failure.Wrap(errors.New("ValidationException: transaction request cannot include multiple operations on one item"), "transaction")
	}
	t.items[k] = true
}

func (t *transaction) check() error {
	if t.err != nil {
		return t.err
	}
	if len(t.items) > maxTransactItems {
		return failure.Wrap(fmt.Errorf("ValidationException: a transaction holds at most %d items, not %d", maxTransactItems, len(t.items)), "transaction")
	}
	return nil
}

// storedTime is the store's layout of times that are compared as strings.
const storedTime = "2006-01-02T15:04:05.000000000Z"

func timeString(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(storedTime)
}

// list is a stored list: a copy, and nil when empty (DynamoDB keeps no
// empty attribute).
func list[T any](l []T) []T {
	if len(l) == 0 {
		return nil
	}
	return slices.Clone(l)
}

// set is a stored string set: no duplicates, no order (sorted here), nil
// when empty.
func set(l []string) []string {
	if len(l) == 0 {
		return nil
	}
	out := slices.Clone(l)
	sort.Strings(out)
	return slices.Compact(out)
}

func withItem(l []string, s string) []string { return set(append(slices.Clone(l), s)) }

func withoutItem(l []string, s string) []string {
	return set(slices.DeleteFunc(slices.Clone(l), func(x string) bool { return x == s }))
}

// The copies of what goes in and out, so that no caller shares memory
// with the store.

func copyUser(u identity.User) identity.User {
	u.Preferences = list(u.Preferences)
	return u
}

func copyOrg(o identity.Organization) identity.Organization {
	o.AdminIDs, o.LdapConnector = list(o.AdminIDs), list(o.LdapConnector)
	return o
}

func copyMembership(m identity.Membership) identity.Membership {
	m.GroupIDs = set(m.GroupIDs)
	return m
}

func copyGroup(g identity.Group) identity.Group {
	g.UserIDs = set(g.UserIDs)
	return g
}

func copyLicense(l identity.License) identity.License {
	l.Packages = list(l.Packages)
	return l
}

func copyInvitation(inv identity.Invitation) identity.Invitation {
	inv.Sends = list(inv.Sends)
	return inv
}

func copyOneTime(t identity.OneTime) identity.OneTime {
	if len(t.Data) == 0 {
		t.Data = nil
	} else {
		t.Data = maps.Clone(t.Data)
	}
	return t
}

// sortedBy answers the values of m that keep answers, ordered by key and
// at most limit (limit <= 0: all).
func sortedBy[K comparable, V any](m map[K]V, keep func(K, V) bool, key func(K, V) string, limit int) []V {
	type kv struct {
		k string
		v V
	}
	var all []kv
	for k, v := range m {
		if keep(k, v) {
			all = append(all, kv{key(k, v), v})
		}
	}
	sort.Slice(all, func(i, j int) bool { return all[i].k < all[j].k })
	if limit > 0 && len(all) > limit {
		all = all[:limit]
	}
	out := make([]V, len(all))
	for i, x := range all {
		out[i] = x.v
	}
	return out
}

// distinct answers the ids once each, without empty ones, in order.
func distinct(ids []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, id := range ids {
		if id != "" && !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}
