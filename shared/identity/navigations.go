package identity

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base32"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/effektif-serverless/caseflow/shared/failure"
)

// A navigation is a named menu configuration: sections, each a list of
// items, an item either a key ({"key": k}) or a group of keys
// ({"name": n, "subItems": [{"key": k}, ...]}), one level of nesting only.
// Navigations are immutable and global (in no organization): their id is
// a hash of their content, so the same content made in any organization
// is the same navigation, and creating it again answers the one stored
// (with the Created of the first creation). A change is a new navigation.
//
// Normalization, the form that is hashed, stored and answered:
//   - the name is trimmed of surrounding white space (as the core's other
//     names); every string inside the configuration (section names, group
//     names, keys) is kept exactly as sent: they are identifiers the
//     front end matches, so no trimming, case folding or Unicode
//     normalization;
//   - the configuration is written as canonical JSON: object members
//     sorted by name (so sections come back in name order), no white
//     space, strings escaped only where JSON requires it (", \ and
//     U+2028/U+2029 as \u escapes), array order kept (it is the menu's
//     order); names sort by their UTF-8 bytes (code point order);
//   - the id is the first 13 characters of the lowercase, unpadded base32
//     (RFC 4648) of SHA-256 over the canonical JSON of
//     {"configuration": <configuration>, "name": <name>} (65 bits).
//
// Validation is strict (Invalid, with the path of the offending part as
// the field, such as configuration.sales[2].subItems[0].key): the
// configuration is an object of arrays; an item has exactly the members
// of one of the two forms (no others, no duplicates, no nulls); a section
// name appears once; names and keys are 1 to MaxNameLength characters of
// valid UTF-8 without control characters; at most MaxNavigationSections
// sections, MaxNavigationItems items in a section or a group and
// MaxNavigationEntries items and sub-items in all; the configuration as
// sent and as normalized at most MaxNavigationBytes (TooLarge beyond).
// Empty sections and empty groups are allowed.

// Limits of navigations.
const (
	MaxNavigationBytes    = 64 << 10
	MaxNavigationSections = 50
	MaxNavigationItems    = 200
	MaxNavigationEntries  = 2000
	// NavigationIDLength is the length of a navigation's id.
	NavigationIDLength = 13
)

// Canonical field names of navigations in errors.
const (
	FieldNavigationName          = "name"
	FieldNavigationConfiguration = "configuration"
)

// Navigation is an immutable navigation. Configuration is its canonical
// JSON.
type Navigation struct {
	ID            string
	Name          string
	Configuration json.RawMessage
	Created       time.Time
}

// NavigationStore is the part of Store that keeps navigations.
// Implementations return *failure.Error values like Store's.
type NavigationStore interface {
	// PutNavigation stores n on condition that no navigation with its
	// id exists: ErrNavigationExists when one does.
	PutNavigation(ctx context.Context, n Navigation) error
	// GetNavigation reads a navigation; NotFound when there is none.
	GetNavigation(ctx context.Context, id string) (Navigation, error)
}

// ErrNavigationExists is NavigationStore.PutNavigation's failure for an
// id that is stored already.
var ErrNavigationExists = failure.New(failure.Conflict, "the navigation exists")

var errNavigationTooLarge = &failure.Error{Code: failure.TooLarge, Field: FieldNavigationConfiguration,
	Message: fmt.Sprintf("configuration is larger than %d bytes", MaxNavigationBytes)}

var navigationEncoding = base32.StdEncoding.WithPadding(base32.NoPadding)

// NavigationID answers the id of a navigation with the (trimmed) name and
// the canonical configuration.
func NavigationID(name string, canonicalConfiguration json.RawMessage) string {
	var b bytes.Buffer
	b.WriteString(`{"configuration":`)
	b.Write(canonicalConfiguration)
	b.WriteString(`,"name":`)
	writeJSONString(&b, name)
	b.WriteByte('}')
	sum := sha256.Sum256(b.Bytes())
	return strings.ToLower(navigationEncoding.EncodeToString(sum[:]))[:NavigationIDLength]
}

// ValidNavigationID reports whether id has the shape of a navigation id.
func ValidNavigationID(id string) bool {
	if len(id) != NavigationIDLength {
		return false
	}
	for _, c := range id {
		if !(c >= 'a' && c <= 'z' || c >= '2' && c <= '7') {
			return false
		}
	}
	return true
}

// CreateNavigation creates a navigation, or answers the stored one with
// the same content (see the rules above). Permission: any signed-in
// user. Errors: Unauthenticated; Invalid (name, configuration, with the
// path as the field); TooLarge (configuration).
func (s *Service) CreateNavigation(ctx context.Context, callerID, name string, configuration json.RawMessage) (Navigation, error) {
	if err := signedIn(callerID); err != nil {
		return Navigation{}, err
	}
	name = strings.TrimSpace(name)
	if name == "" {
		return Navigation{}, failure.Field(FieldNavigationName, "name is required")
	}
	if err := ValidateName(FieldNavigationName, name); err != nil {
		return Navigation{}, err
	}
	canonical, err := NormalizeNavigationConfiguration(configuration)
	if err != nil {
		return Navigation{}, err
	}
	n := Navigation{ID: NavigationID(name, canonical), Name: name, Configuration: canonical, Created: s.now()}
	err = s.Store.PutNavigation(ctx, n)
	if !errors.Is(err, ErrNavigationExists) {
		return n, err
	}
	stored, err := s.Store.GetNavigation(ctx, n.ID)
	if err != nil {
		return Navigation{}, err
	}
	if stored.Name != n.Name || !bytes.Equal(stored.Configuration, n.Configuration) {
		// Two contents with one 65-bit id: never expected; refuse
		// rather than answer another navigation.
		return Navigation{}, failure.New(failure.Conflict, "another navigation has this navigation's id")
	}
	return stored, nil
}

// Navigation answers a navigation by id. Permission: any signed-in user.
// Errors: Unauthenticated; NotFound (also for an id of the wrong shape).
func (s *Service) Navigation(ctx context.Context, callerID, id string) (Navigation, error) {
	if err := signedIn(callerID); err != nil {
		return Navigation{}, err
	}
	if !ValidNavigationID(id) {
		return Navigation{}, failure.New(failure.NotFound, "no such navigation")
	}
	return s.Store.GetNavigation(ctx, id)
}

// NormalizeNavigationConfiguration checks a navigation configuration (see
// the rules above) and answers its canonical JSON.
func NormalizeNavigationConfiguration(raw json.RawMessage) (json.RawMessage, error) {
	if len(raw) > MaxNavigationBytes {
		return nil, errNavigationTooLarge
	}
	if len(bytes.TrimSpace(raw)) == 0 {
		return nil, failure.Field(FieldNavigationConfiguration, "configuration is required")
	}
	if !utf8.Valid(raw) {
		return nil, failure.Field(FieldNavigationConfiguration, "configuration is not valid UTF-8")
	}
	p := navParser{dec: json.NewDecoder(bytes.NewReader(raw))}
	p.dec.UseNumber()
	sections, err := p.configuration()
	if err != nil {
		return nil, err
	}
	if _, err := p.dec.Token(); err != io.EOF {
		return nil, failure.Field(FieldNavigationConfiguration, "configuration has data after its end")
	}
	var b bytes.Buffer
	b.Grow(len(raw))
	writeSections(&b, sections)
	if b.Len() > MaxNavigationBytes {
		// Escapes can make the canonical form longer than what was sent.
		return nil, errNavigationTooLarge
	}
	return b.Bytes(), nil
}

type navSection struct {
	name  string
	items []navItem
}

// navItem is a key item, or a group (group set) with its keys.
type navItem struct {
	key      string
	name     string
	subItems []string
	group    bool
}

type navParser struct {
	dec     *json.Decoder
	entries int
}

func (p *navParser) invalid(path, format string, args ...any) error {
	return failure.Field(path, "%s %s", path, fmt.Sprintf(format, args...))
}

// token reads the next token; malformed JSON is Invalid at path.
func (p *navParser) token(path string) (json.Token, error) {
	t, err := p.dec.Token()
	if err != nil {
		return nil, p.invalid(path, "is not valid JSON")
	}
	return t, nil
}

func (p *navParser) delim(path string, want json.Delim, what string) error {
	t, err := p.token(path)
	if err != nil {
		return err
	}
	if d, ok := t.(json.Delim); !ok || d != want {
		return p.invalid(path, "must be %s", what)
	}
	return nil
}

func (p *navParser) configuration() ([]navSection, error) {
	const path = FieldNavigationConfiguration
	if err := p.delim(path, '{', "an object of sections"); err != nil {
		return nil, err
	}
	var sections []navSection
	seen := map[string]bool{}
	for p.dec.More() {
		t, err := p.token(path)
		if err != nil {
			return nil, err
		}
		name := t.(string) // object keys are strings
		sectionPath := path + "." + name
		if err := checkNavText(sectionPath, name); err != nil {
			return nil, err
		}
		if seen[name] {
			return nil, p.invalid(sectionPath, "is given twice")
		}
		seen[name] = true
		if len(sections) == MaxNavigationSections {
			return nil, p.invalid(path, "has more than %d sections", MaxNavigationSections)
		}
		items, err := p.items(sectionPath)
		if err != nil {
			return nil, err
		}
		sections = append(sections, navSection{name: name, items: items})
	}
	if _, err := p.token(path); err != nil { // '}'
		return nil, err
	}
	sort.Slice(sections, func(i, j int) bool { return sections[i].name < sections[j].name })
	return sections, nil
}

func (p *navParser) items(path string) ([]navItem, error) {
	if err := p.delim(path, '[', "an array of items"); err != nil {
		return nil, err
	}
	items := []navItem{}
	for p.dec.More() {
		itemPath := fmt.Sprintf("%s[%d]", path, len(items))
		if len(items) == MaxNavigationItems {
			return nil, p.invalid(path, "has more than %d items", MaxNavigationItems)
		}
		if err := p.count(); err != nil {
			return nil, err
		}
		it, err := p.item(itemPath, true)
		if err != nil {
			return nil, err
		}
		items = append(items, it)
	}
	if _, err := p.token(path); err != nil { // ']'
		return nil, err
	}
	return items, nil
}

func (p *navParser) count() error {
	p.entries++
	if p.entries > MaxNavigationEntries {
		return p.invalid(FieldNavigationConfiguration, "has more than %d items in all", MaxNavigationEntries)
	}
	return nil
}

// item reads {"key": k} or, when groups are allowed, {"name": n,
// "subItems": [...]}.
func (p *navParser) item(path string, groupAllowed bool) (navItem, error) {
	what := "an object with a key"
	if groupAllowed {
		what = "an object with a key, or with a name and subItems"
	}
	if err := p.delim(path, '{', what); err != nil {
		return navItem{}, err
	}
	var it navItem
	var hasKey, hasName, hasSub bool
	for p.dec.More() {
		t, err := p.token(path)
		if err != nil {
			return navItem{}, err
		}
		member := t.(string)
		memberPath := path + "." + member
		switch {
		case member == "key" && !hasKey:
			hasKey = true
			if it.key, err = p.text(memberPath); err != nil {
				return navItem{}, err
			}
		case member == "name" && groupAllowed && !hasName:
			hasName = true
			if it.name, err = p.text(memberPath); err != nil {
				return navItem{}, err
			}
		case member == "subItems" && groupAllowed && !hasSub:
			hasSub = true
			if it.subItems, err = p.subItems(memberPath); err != nil {
				return navItem{}, err
			}
		case member == "key" || member == "name" && groupAllowed || member == "subItems" && groupAllowed:
			return navItem{}, p.invalid(memberPath, "is given twice")
		default:
			return navItem{}, p.invalid(memberPath, "is not a member of a navigation item")
		}
	}
	if _, err := p.token(path); err != nil { // '}'
		return navItem{}, err
	}
	switch {
	case hasKey && !hasName && !hasSub:
		return it, nil
	case !hasKey && hasName && hasSub:
		it.group = true
		return it, nil
	case hasKey:
		return navItem{}, p.invalid(path, "has a key and group members: an item is a key or a group")
	case hasName:
		return navItem{}, p.invalid(path+".subItems", "is required")
	case hasSub:
		return navItem{}, p.invalid(path+".name", "is required")
	default:
		return navItem{}, p.invalid(path, "must be %s", what)
	}
}

func (p *navParser) subItems(path string) ([]string, error) {
	if err := p.delim(path, '[', "an array of items with a key"); err != nil {
		return nil, err
	}
	keys := []string{}
	for p.dec.More() {
		if len(keys) == MaxNavigationItems {
			return nil, p.invalid(path, "has more than %d items", MaxNavigationItems)
		}
		if err := p.count(); err != nil {
			return nil, err
		}
		it, err := p.item(fmt.Sprintf("%s[%d]", path, len(keys)), false)
		if err != nil {
			return nil, err
		}
		keys = append(keys, it.key)
	}
	if _, err := p.token(path); err != nil { // ']'
		return nil, err
	}
	return keys, nil
}

func (p *navParser) text(path string) (string, error) {
	t, err := p.token(path)
	if err != nil {
		return "", err
	}
	s, ok := t.(string)
	if !ok {
		return "", p.invalid(path, "must be a string")
	}
	return s, checkNavText(path, s)
}

// checkNavText checks a name or key inside a configuration.
func checkNavText(path, s string) error {
	if s == "" {
		return failure.Field(path, "%s must not be empty", path)
	}
	if err := ValidateName(path, s); err != nil {
		return err
	}
	return nil
}

func writeSections(b *bytes.Buffer, sections []navSection) {
	b.WriteByte('{')
	for i, sec := range sections {
		if i > 0 {
			b.WriteByte(',')
		}
		writeJSONString(b, sec.name)
		b.WriteString(":[")
		for j, it := range sec.items {
			if j > 0 {
				b.WriteByte(',')
			}
			if !it.group {
				writeKeyItem(b, it.key)
				continue
			}
			b.WriteString(`{"name":`)
			writeJSONString(b, it.name)
			b.WriteString(`,"subItems":[`)
			for k, key := range it.subItems {
				if k > 0 {
					b.WriteByte(',')
				}
				writeKeyItem(b, key)
			}
			b.WriteString("]}")
		}
		b.WriteByte(']')
	}
	b.WriteByte('}')
}

func writeKeyItem(b *bytes.Buffer, key string) {
	b.WriteString(`{"key":`)
	writeJSONString(b, key)
	b.WriteByte('}')
}

// writeJSONString writes s as a JSON string: encoding/json's escapes
// without the HTML ones (s is valid UTF-8 without control characters).
func writeJSONString(b *bytes.Buffer, s string) {
	enc := json.NewEncoder(b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s)       // a string always encodes
	b.Truncate(b.Len() - 1) // Encode's newline
}
