package ldapdir

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-ldap/ldap/v3"

	"github.com/effektif-serverless/caseflow/shared/identity"
)

// User is a directory entry matching the user filter (identity.LDAPUser).
type User = identity.LDAPUser

// Group is a directory entry matching the group filter
// (identity.LDAPGroup). MemberCount counts its member and uniqueMember
// values (nested groups count as one member).
type Group = identity.LDAPGroup

// Tuning knobs; variables so that the tests can exercise several pages.
var (
	pageSize        uint32 = 250 // entries per paged-search page
	maxFilterTerms         = 200 // exclusions sent to the server; the rest are applied here
	memberLookups          = 8   // concurrent member lookups in GroupMembers
	memberChunkSize        = 64  // members resolved before checking the limit
	backstop               = 250 * time.Millisecond
)

var groupMemberAttributes = []string{"member", "uniqueMember"}

// Users lists the entries under the base DN that match the user filter, at
// most limit of them (0: DefaultLimit; capped at MaxLimit), sorted by display
// name. exclude is a comma-separated list of user ids and/or DNs to leave out
// (typically the users already imported); a DN is recognised by ending in the
// base DN, so DNs and ids can be mixed freely. Entries without a user id are
// skipped.
func Users(ctx context.Context, c Connector, exclude string, limit int) ([]User, error) {
	s, err := newSettings(c)
	if err != nil {
		return nil, err
	}
	ex := parseExclude(exclude, s.baseDN)
	sess, err := s.open(ctx)
	if err != nil {
		return nil, err
	}
	defer sess.close()

	filter := andNot(s.UserFilter, s.UserIDAttribute, ex.ids)
	var users []User
	err = sess.pagedSearch(s.BaseDN, filter, s.userAttributes(), normLimit(limit), func(e *ldap.Entry) bool {
		u := s.user(e)
		if u.ID == "" || ex.excludes(u.ID, e.DN) {
			return false
		}
		users = append(users, u)
		return true
	})
	if err != nil {
		return nil, err
	}
	sortUsers(users)
	return users, nil
}

// Groups lists the entries under the base DN that match the group filter, at
// most limit of them, sorted by name, each with its member count. exclude is
// a comma-separated list of group names (cn) and/or DNs to leave out.
func Groups(ctx context.Context, c Connector, exclude string, limit int) ([]Group, error) {
	s, err := newSettings(c)
	if err != nil {
		return nil, err
	}
	ex := parseExclude(exclude, s.baseDN)
	sess, err := s.open(ctx)
	if err != nil {
		return nil, err
	}
	defer sess.close()

	filter := andNot(s.GroupFilter, "cn", ex.ids)
	attrs := append([]string{"cn"}, groupMemberAttributes...)
	var groups []Group
	err = sess.pagedSearch(s.BaseDN, filter, attrs, normLimit(limit), func(e *ldap.Entry) bool {
		g := Group{DN: e.DN, Name: e.GetEqualFoldAttributeValue("cn"), MemberCount: len(memberDNs(e))}
		if g.Name == "" {
			g.Name = firstRDNValue(e.DN)
		}
		if ex.excludes(g.Name, e.DN) {
			return false
		}
		groups = append(groups, g)
		return true
	})
	if err != nil {
		return nil, err
	}
	sort.SliceStable(groups, func(i, j int) bool {
		a, b := strings.ToLower(groups[i].Name), strings.ToLower(groups[j].Name)
		if a != b {
			return a < b
		}
		return groups[i].DN < groups[j].DN
	})
	return groups, nil
}

// GroupMembers resolves the member and uniqueMember values of the group
// groupDN to users: members that match the user filter and lie under the
// base DN, at most limit of them, sorted by display name. Nested groups and
// dangling members are skipped, not expanded. A groupDN that does not parse or
// lies outside the base DN is an *InvalidError; one that does not exist or is
// not a group is a *NotFoundError.
func GroupMembers(ctx context.Context, c Connector, groupDN string, limit int) ([]User, error) {
	s, err := newSettings(c)
	if err != nil {
		return nil, err
	}
	groupDN = strings.TrimSpace(groupDN)
	if groupDN == "" {
		return nil, invalid("groupDn", "is required")
	}
	gdn, err := ldap.ParseDN(groupDN)
	if err != nil || len(gdn.RDNs) == 0 {
		return nil, invalid("groupDn", fmt.Sprintf("%q is not a distinguished name", groupDN))
	}
	if !withinBase(s.baseDN, gdn) {
		return nil, invalid("groupDn", fmt.Sprintf("%q is outside the base DN %q", groupDN, s.BaseDN))
	}
	limit = normLimit(limit)
	sess, err := s.open(ctx)
	if err != nil {
		return nil, err
	}
	defer sess.close()

	res, err := sess.search(ldap.ScopeBaseObject, groupDN, s.GroupFilter, groupMemberAttributes, 1)
	if err != nil {
		if ldap.IsErrorWithCode(err, ldap.LDAPResultNoSuchObject) {
			return nil, &NotFoundError{DN: groupDN}
		}
		return nil, s.settle(ctx, sess.start, sess.unavailable("reading group "+groupDN, err))
	}
	if len(res.Entries) == 0 {
		return nil, &NotFoundError{DN: groupDN}
	}
	var members []string
	for _, dn := range memberDNs(res.Entries[0]) {
		if parsed, err := ldap.ParseDN(dn); err == nil && withinBase(s.baseDN, parsed) {
			members = append(members, dn)
		}
	}

	var users []User
	for start := 0; start < len(members) && len(users) < limit; start += memberChunkSize {
		end := min(start+memberChunkSize, len(members))
		found, err := sess.lookupUsers(members[start:end])
		if err != nil {
			return nil, err
		}
		for _, u := range found {
			if u != nil && len(users) < limit {
				users = append(users, *u)
			}
		}
	}
	sortUsers(users)
	return users, nil
}

// lookupUsers reads each DN with a base-scoped search under the user filter,
// a few at a time over the one connection; result i is nil when dns[i] is
// not a user.
func (sess *session) lookupUsers(dns []string) ([]*User, error) {
	s := sess.s
	out := make([]*User, len(dns))
	errs := make([]error, len(dns))
	sem := make(chan struct{}, memberLookups)
	var wg sync.WaitGroup
	for i, dn := range dns {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			res, err := sess.search(ldap.ScopeBaseObject, dn, s.UserFilter, s.userAttributes(), 1)
			switch {
			case err != nil && ldap.IsErrorWithCode(err, ldap.LDAPResultNoSuchObject):
			case err != nil:
				errs[i] = sess.unavailable("reading member "+dn, err)
			case len(res.Entries) > 0:
				if u := s.user(res.Entries[0]); u.ID != "" {
					out[i] = &u
				}
			}
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

func (s *settings) userAttributes() []string {
	return []string{s.UserIDAttribute, "mail", "givenName", "sn", "cn", "displayName"}
}

func (s *settings) user(e *ldap.Entry) User {
	u := User{
		DN:          e.DN,
		ID:          e.GetEqualFoldAttributeValue(s.UserIDAttribute),
		Email:       e.GetEqualFoldAttributeValue("mail"),
		FirstName:   e.GetEqualFoldAttributeValue("givenName"),
		LastName:    e.GetEqualFoldAttributeValue("sn"),
		DisplayName: e.GetEqualFoldAttributeValue("displayName"),
	}
	if u.DisplayName == "" {
		u.DisplayName = e.GetEqualFoldAttributeValue("cn")
	}
	if u.DisplayName == "" {
		u.DisplayName = strings.TrimSpace(u.FirstName + " " + u.LastName)
	}
	if u.DisplayName == "" {
		u.DisplayName = u.ID
	}
	return u
}

func sortUsers(users []User) {
	sort.SliceStable(users, func(i, j int) bool {
		a, b := strings.ToLower(users[i].DisplayName), strings.ToLower(users[j].DisplayName)
		if a != b {
			return a < b
		}
		return users[i].DN < users[j].DN
	})
}

// memberDNs returns the member and uniqueMember values of a group entry,
// without empty placeholders, the optional #'…'B unique id of uniqueMember
// values, and duplicates.
func memberDNs(e *ldap.Entry) []string {
	var out []string
	seen := map[string]bool{}
	for _, attr := range groupMemberAttributes {
		for _, v := range e.GetEqualFoldAttributeValues(attr) {
			v = strings.TrimSpace(stripUID(v))
			key := strings.ToLower(v)
			if v == "" || seen[key] {
				continue
			}
			seen[key] = true
			out = append(out, v)
		}
	}
	return out
}

// stripUID removes the optional unique identifier of a NameAndOptionalUID
// value (uniqueMember): "cn=x,dc=org#'0101'B" → "cn=x,dc=org".
func stripUID(v string) string {
	if !strings.HasSuffix(v, "'B") {
		return v
	}
	i := strings.LastIndex(v, "#'")
	if i < 0 || i+2 > len(v)-2 || strings.Trim(v[i+2:len(v)-2], "01") != "" {
		return v
	}
	return v[:i]
}

func firstRDNValue(dn string) string {
	parsed, err := ldap.ParseDN(dn)
	if err != nil || len(parsed.RDNs) == 0 || len(parsed.RDNs[0].Attributes) == 0 {
		return dn
	}
	return parsed.RDNs[0].Attributes[0].Value
}

// withinBase reports whether dn is base or lies under it.
func withinBase(base, dn *ldap.DN) bool {
	return base.EqualFold(dn) || base.AncestorOfFold(dn)
}

// andNot builds (&filter(!(|(attr=v1)(attr=v2)…))) with every value escaped;
// at most maxFilterTerms values go to the server (the caller excludes all of
// them again on the results).
func andNot(filter, attr string, values []string) string {
	if len(values) == 0 {
		return filter
	}
	if len(values) > maxFilterTerms {
		values = values[:maxFilterTerms]
	}
	var b strings.Builder
	b.WriteString("(&")
	b.WriteString(filter)
	b.WriteString("(!(|")
	for _, v := range values {
		b.WriteString("(")
		b.WriteString(attr)
		b.WriteString("=")
		b.WriteString(ldap.EscapeFilter(v))
		b.WriteString(")")
	}
	b.WriteString(")))")
	return b.String()
}

// exclusions is a parsed exclude parameter.
type exclusions struct {
	ids    []string        // as given, for the server-side filter
	idSet  map[string]bool // lower case
	dnSets map[string]bool // normalized DNs
}

func (x exclusions) excludes(id, dn string) bool {
	if x.idSet[strings.ToLower(id)] {
		return true
	}
	if len(x.dnSets) == 0 {
		return false
	}
	parsed, err := ldap.ParseDN(dn)
	return err == nil && x.dnSets[normDN(parsed)]
}

// parseExclude splits a comma-separated list of ids and DNs. DNs contain
// commas themselves, so a run of attr=value items is taken as one DN as soon
// as it ends in the base DN (every entry listed lies under it); items that do
// not complete such a DN count as ids. A backslash-escaped comma does not
// split.
func parseExclude(exclude string, base *ldap.DN) exclusions {
	x := exclusions{idSet: map[string]bool{}, dnSets: map[string]bool{}}
	addID := func(id string) {
		if id == "" || x.idSet[strings.ToLower(id)] {
			return
		}
		x.idSet[strings.ToLower(id)] = true
		x.ids = append(x.ids, id)
	}
	var run []string
	for _, item := range splitUnescaped(exclude, ',') {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		if len(run) == 0 && !strings.Contains(item, "=") {
			addID(item)
			continue
		}
		run = append(run, item)
		if dn, err := ldap.ParseDN(strings.Join(run, ",")); err == nil && len(dn.RDNs) > 0 && withinBase(base, dn) {
			x.dnSets[normDN(dn)] = true
			run = nil
		}
	}
	for _, item := range run {
		addID(item)
	}
	return x
}

func splitUnescaped(s string, sep byte) []string {
	var out []string
	start := 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++ // skip the escaped character
		case sep:
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	return append(out, s[start:])
}

// normDN is a case-folded canonical form of a DN, for comparisons.
func normDN(dn *ldap.DN) string {
	rdns := make([]string, len(dn.RDNs))
	for i, rdn := range dn.RDNs {
		parts := make([]string, len(rdn.Attributes))
		for j, a := range rdn.Attributes {
			parts[j] = strings.ToLower(a.Type) + "=" + strings.ToLower(a.Value)
		}
		sort.Strings(parts)
		rdns[i] = strings.Join(parts, "+")
	}
	return strings.Join(rdns, ",")
}

// session is one bound connection with the call's deadline.
type session struct {
	s      *settings
	parent context.Context // the caller's
	start  time.Time
	ctx    context.Context
	cancel context.CancelFunc
	raw    net.Conn
	conn   *ldap.Conn
	stop   func() bool
	// answered is set once the server sent an LDAP answer (to StartTLS,
	// the bind or a search); failures before that are unreachable.
	answered atomic.Bool
}

// open dials, upgrades with StartTLS if asked, and binds, all within the
// connector's timeout and ctx. The socket carries the deadline itself and is
// expired at once when ctx ends, so no step can block past it. A directory
// that cannot be reached (ErrUnreachable) is answered when the timeout is
// over, whatever the cause, so that closed, filtered and silent ports and
// unknown hosts look alike.
func (s *settings) open(parent context.Context) (*session, error) {
	start := time.Now()
	ctx, cancel := context.WithTimeout(parent, s.timeout)
	tlsConfig := &tls.Config{
		ServerName:         s.host,
		InsecureSkipVerify: s.InsecureSkipVerify, // #nosec G402 -- an explicit per-organization setting
		MinVersion:         tls.VersionTLS12,
	}
	raw, err := s.dial(ctx, tlsConfig)
	if err != nil {
		var inv *InvalidError
		switch {
		case errors.As(err, &inv):
		case certificateError(err):
			err = s.unavailable(ctx, "TLS handshake with "+s.hostPort, err)
		default:
			err = s.unreachable(ctx, err)
		}
		cancel()
		return nil, s.settle(parent, start, err)
	}
	// The socket's own deadline and go-ldap's request timeout are backstops
	// a little after ctx's deadline: normally ctx ends first (below), so the
	// error says so.
	deadline, _ := ctx.Deadline()
	deadline = deadline.Add(backstop)
	_ = raw.SetDeadline(deadline)
	sess := &session{s: s, parent: parent, start: start, ctx: ctx, cancel: cancel, raw: raw}
	// When ctx ends (timeout or the caller gave up) every pending read and
	// write fails at once, and with it every request waiting on them.
	sess.stop = context.AfterFunc(ctx, func() { _ = raw.SetDeadline(time.Unix(1, 0)) })
	sess.conn = ldap.NewConn(raw, s.scheme == "ldaps")
	sess.conn.Start()
	sess.conn.SetTimeout(time.Until(deadline))

	if s.StartTLS {
		if err := sess.conn.StartTLS(tlsConfig); err != nil {
			if certificateError(err) {
				sess.answered.Store(true)
			}
			err = sess.unavailable("StartTLS with "+s.hostPort, err)
			sess.close()
			return nil, s.settle(parent, start, err)
		}
		sess.answered.Store(true)
	}
	if s.BindDN != "" {
		if err := sess.conn.Bind(s.BindDN, s.BindPassword); err != nil {
			err = sess.unavailable("bind as "+s.BindDN, err)
			sess.close()
			return nil, s.settle(parent, start, err)
		}
		sess.answered.Store(true)
	}
	return sess, nil
}

// unavailable is the error of a failed step: unreachable while the server
// has not sent an LDAP answer yet (and this is none), else the step's.
func (sess *session) unavailable(step string, err error) error {
	if serverAnswered(err) {
		sess.answered.Store(true)
	}
	if !sess.answered.Load() {
		return sess.s.unreachable(sess.ctx, err)
	}
	return sess.s.unavailable(sess.ctx, step, err)
}

func (sess *session) close() {
	sess.stop()
	// Expire the socket first, so that Close cannot wait on a silent server.
	_ = sess.raw.SetDeadline(time.Unix(1, 0))
	sess.cancel()
	sess.conn.Close()
}

// timeLimit is the server-side time limit of a search: what is left of the
// call's budget, in whole seconds, at least 1.
func (sess *session) timeLimit() int {
	deadline, _ := sess.ctx.Deadline()
	return max(1, int(time.Until(deadline).Seconds()))
}

func (sess *session) search(scope int, base, filter string, attrs []string, sizeLimit int) (*ldap.SearchResult, error) {
	req := ldap.NewSearchRequest(base, scope, ldap.NeverDerefAliases, sizeLimit, sess.timeLimit(), false, filter, attrs, nil)
	res, err := sess.conn.Search(req)
	if err == nil {
		sess.answered.Store(true)
	}
	return res, err
}

// pagedSearch runs a subtree search under base in pages and hands each entry
// to accept, which reports whether it kept it; it stops, and abandons the
// paged search, once limit entries were kept. A server that refuses the page
// size gets smaller pages; one that ends the search early for its own size
// limit leaves the entries received so far.
func (sess *session) pagedSearch(base, filter string, attrs []string, limit int, accept func(*ldap.Entry) bool) error {
	paging := ldap.NewControlPaging(min(pageSize, uint32(limit)))
	req := ldap.NewSearchRequest(base, ldap.ScopeWholeSubtree, ldap.NeverDerefAliases, 0, sess.timeLimit(),
		false, filter, attrs, []ldap.Control{paging})
	kept := 0
	for {
		req.TimeLimit = sess.timeLimit()
		res, err := sess.conn.Search(req)
		if err == nil {
			sess.answered.Store(true)
		}
		if res != nil {
			for _, e := range res.Entries {
				if kept < limit && accept(e) {
					kept++
				}
			}
		}
		if err != nil && sess.ctx.Err() == nil && (res == nil || len(res.Entries) == 0) &&
			ldap.IsErrorWithCode(err, ldap.LDAPResultAdminLimitExceeded) && paging.PagingSize > 1 {
			// The server allows smaller pages only (OpenLDAP's size.pr,
			// for one): ask again for half as many.
			paging.PagingSize /= 2
			continue
		}
		if err != nil {
			if ldap.IsErrorWithCode(err, ldap.LDAPResultSizeLimitExceeded) && sess.ctx.Err() == nil {
				return nil
			}
			if ldap.IsErrorWithCode(err, ldap.LDAPResultNoSuchObject) && sess.ctx.Err() == nil {
				return invalid("baseDn", fmt.Sprintf("%q does not exist in the directory", base))
			}
			return sess.s.settle(sess.parent, sess.start, sess.unavailable("search under "+base, err))
		}
		var cookie []byte
		if ctrl, ok := ldap.FindControl(res.Controls, ldap.ControlTypePaging).(*ldap.ControlPaging); ok {
			cookie = ctrl.Cookie
		}
		if len(cookie) == 0 {
			return nil
		}
		paging.SetCookie(cookie)
		if kept >= limit {
			// Tell the server to drop the rest of the result set.
			paging.PagingSize = 0
			req.TimeLimit = sess.timeLimit()
			// The results are complete; a failed abandon changes nothing for the caller.
			_, _ = sess.conn.Search(req)
			return nil
		}
	}
}
