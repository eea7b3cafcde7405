package tenduke

import (
	"encoding/json"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/effektif-serverless/caseflow/shared/failure"
	"github.com/effektif-serverless/caseflow/shared/httpapi"
	"github.com/effektif-serverless/caseflow/shared/ids"
)

// MaxBody bounds a request body: the largest is an invitation with its
// lists and texts.
const MaxBody = 64 << 10

// MaxText bounds a string of a body or the filter (the document gives no
// limit; longer than any name, address or URL template here).
const MaxText = 1000

// pathID reads a path parameter that holds a UUID and answers the core
// id it is the form of. Errors: Invalid (400) for a value that is no
// UUID; NotFound for a UUID that is no core id's (nothing has it).
func pathID(r *http.Request, name string) (string, error) {
	return uuidToCore(name, r.PathValue(name))
}

// uuidToCore is pathID for a value read elsewhere (a body's array).
func uuidToCore(field, u string) (string, error) {
	if !isUUID(u) {
		return "", failure.Field(field, "%s must be a UUID", field)
	}
	id, ok := ids.FromUUID(u)
	if !ok {
		return "", failure.New(failure.NotFound, "no such %s", strings.TrimSuffix(field, "Id"))
	}
	return id, nil
}

// isUUID reports whether s is written as a UUID (8-4-4-4-12 hex digits).
func isUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i, c := range s {
		switch {
		case i == 8 || i == 13 || i == 18 || i == 23:
			if c != '-' {
				return false
			}
		case !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'):
			return false
		}
	}
	return true
}

// uuidOf is the UUID form of a core id ("" for none).
func uuidOf(id string) string {
	u, _ := ids.ToUUID(id)
	return u
}

// newID reads the id of a create body: the document requires one. The
// UUID form of a core id is kept (the client chose it, and knows the
// thing by it); any other UUID (a client's random one) leaves the id to
// the server (""). Errors: Invalid for a missing or malformed id.
func newID(u string) (string, error) {
	if !isUUID(u) {
		return "", failure.Field("id", "id must be a UUID")
	}
	id, _ := ids.FromUUID(u)
	return id, nil
}

// bodyID reads the id of a replace body (PUT with the id inside).
// Errors: Invalid for a missing or malformed id; NotFound for a UUID no
// core id has.
func bodyID(u string) (string, error) { return uuidToCore("id", u) }

// uuidList reads a bare JSON array of UUIDs (the document's role ids and
// group members), at most max of them. Errors: Invalid for anything else.
func uuidList(r *http.Request, field string, max int) ([]string, error) {
	var list []string
	if err := decode(r, &list); err != nil {
		return nil, err
	}
	if len(list) > max {
		return nil, failure.Field(field, "at most %d ids at once", max)
	}
	out := make([]string, 0, len(list))
	for _, u := range list {
		if !isUUID(u) {
			return nil, failure.Field(field, "%s must hold UUIDs, not %q", field, clip(u))
		}
		id, ok := ids.FromUUID(u)
		if !ok {
			// No core id has this UUID: a thing that does not exist.
			return nil, failure.Field(field, "no such id %s", u)
		}
		out = append(out, id)
	}
	return out, nil
}

// decode reads a JSON body (at most MaxBody bytes; a body without a
// Content-Type is taken as JSON, as the document's DELETE sample sends)
// into dst, refusing a null and strings longer than MaxText.
func decode(r *http.Request, dst any) error {
	body, err := httpapi.ReadJSONBody(r, MaxBody)
	if err != nil {
		return err
	}
	if strings.TrimSpace(string(body)) == "null" {
		return failure.New(failure.Invalid, "the body must not be null")
	}
	if err := httpapi.Unmarshal(body, dst); err != nil {
		return err
	}
	return checkText(dst)
}

// checkText refuses a string over MaxText characters anywhere in a
// decoded body (walked through its JSON form, which every body type has).
func checkText(v any) error {
	raw, err := json.Marshal(v)
	if err != nil {
		return nil
	}
	var walk func(any) bool
	walk = func(x any) bool {
		switch t := x.(type) {
		case string:
			return utf8.RuneCountInString(t) <= MaxText
		case []any:
			for _, e := range t {
				if !walk(e) {
					return false
				}
			}
		case map[string]any:
			for _, e := range t {
				if !walk(e) {
					return false
				}
			}
		}
		return true
	}
	var generic any
	if json.Unmarshal(raw, &generic) == nil && !walk(generic) {
		return failure.New(failure.Invalid, "a text of the body is longer than %d characters", MaxText)
	}
	return nil
}

// clip shortens a value quoted in a message.
func clip(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}

// timeOf reads an optional ISO-8601 date-time of a body.
func timeOf(field, s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, failure.Field(field, "%s must be an ISO-8601 date-time such as 2017-12-31T23:59:59.123Z", field)
	}
	return t.UTC(), nil
}

// isoTime writes a time as the document's examples do ("" for none).
func isoTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02T15:04:05.000Z")
}

// epochMillis writes a time as the invitations' int64 (nil for none).
func epochMillis(t time.Time) *int64 {
	if t.IsZero() {
		return nil
	}
	ms := t.UnixMilli()
	return &ms
}

// Paging of lists: the document's request headers.
const (
	DefaultLimit = 100
	MaxLimit     = 1000
)

// listing is a list request: the page and order of the headers and the
// filter of the query.
type listing struct {
	offset, limit int
	order         string
	asc           bool
	filter        string
}

// readListing reads the paging headers (offset, limit, order, asc) and
// the filter parameter; order must be one of fields (the answered
// schema's sortable fields), the first being the default. Errors: Invalid
// naming the header.
func readListing(r *http.Request, fields ...string) (listing, error) {
	l := listing{limit: DefaultLimit, asc: true, order: fields[0]}
	if v := r.Header.Get("offset"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 || n > 1<<31 {
			return l, failure.Field("offset", "offset must be a non-negative integer, not %q", clip(v))
		}
		l.offset = int(n)
	}
	if v := r.Header.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > MaxLimit {
			return l, failure.Field("limit", "limit must be an integer from 1 to %d, not %q", MaxLimit, clip(v))
		}
		l.limit = n
	}
	if v := r.Header.Get("asc"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil || (v != "true" && v != "false") {
			return l, failure.Field("asc", "asc must be true or false, not %q", clip(v))
		}
		l.asc = b
	}
	if v := r.Header.Get("order"); v != "" {
		ok := false
		for _, f := range fields {
			ok = ok || f == v
		}
		if !ok {
			return l, failure.Field("order", "order must be one of %s, not %q", strings.Join(fields, ", "), clip(v))
		}
		l.order = v
	}
	l.filter = r.URL.Query().Get("filter")
	if utf8.RuneCountInString(l.filter) > MaxText {
		return l, failure.Field("filter", "filter is longer than %d characters", MaxText)
	}
	l.filter = strings.ToLower(l.filter)
	return l, nil
}

// apply sorts, filters and pages items: key answers an item's value of a
// field, text the texts the filter is a case-insensitive substring of.
func apply[T any](l listing, items []T, key func(T, string) string, text func(T) []string) []T {
	out := make([]T, 0, len(items))
	for _, it := range items {
		if l.filter == "" || matches(l.filter, text(it)) {
			out = append(out, it)
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := strings.ToLower(key(out[i], l.order)), strings.ToLower(key(out[j], l.order))
		if a == b {
			return false
		}
		return (a < b) == l.asc
	})
	if l.offset >= len(out) {
		return out[:0]
	}
	out = out[l.offset:]
	if len(out) > l.limit {
		out = out[:l.limit]
	}
	return out
}

func matches(filter string, texts []string) bool {
	for _, t := range texts {
		if strings.Contains(strings.ToLower(t), filter) {
			return true
		}
	}
	return false
}

// mapped maps every element of a list.
func mapped[T, U any](in []T, f func(T) U) []U {
	out := make([]U, len(in))
	for i, v := range in {
		out[i] = f(v)
	}
	return out
}

// writeList answers a bare JSON array (never null).
func writeList[T any](w http.ResponseWriter, items []T) error {
	if items == nil {
		items = []T{}
	}
	return httpapi.WriteJSON(w, http.StatusOK, items)
}

// noBody answers a status the document gives without a body.
func noBody(w http.ResponseWriter, status int) error {
	w.WriteHeader(status)
	return nil
}
