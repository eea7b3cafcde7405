package identity

import (
	"strconv"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// MaxOrganizationKeyLength bounds a derived organization key.
const MaxOrganizationKeyLength = 40

// ReservedKeys are words no organization may take as its key, because a
// route puts a literal where an organization key goes (Effektif's
// /api/v1/users next to /api/v1/{organizationKey}; a root segment such as
// api or v1 next to SuperOffice's /{tenant}/api/v1). The dialects own the
// words (the wiring joins them, a test checks them against template.yaml);
// the core only refuses them.
type ReservedKeys map[string]bool

// NewReservedKeys joins word lists into one set.
func NewReservedKeys(lists ...[]string) ReservedKeys {
	r := ReservedKeys{}
	for _, l := range lists {
		for _, w := range l {
			r[w] = true
		}
	}
	return r
}

// Has reports whether key may not be used as an organization key.
func (r ReservedKeys) Has(key string) bool { return r[key] }

// OrganizationKey derives a URL-safe key from an organization name: accents
// are stripped, letters are lower-cased, runs of anything else become one
// hyphen. attempt > 1 appends "-<attempt>", used when the plain key is taken.
// A name that yields nothing, or a reserved word, becomes "org"-prefixed.
func OrganizationKey(name string, attempt int, reserved ReservedKeys) string {
	var b strings.Builder
	hyphen := false
	for _, r := range norm.NFKD.String(name) {
		switch {
		case unicode.Is(unicode.Mn, r):
			continue // a combining accent
		case r < unicode.MaxASCII && (unicode.IsLetter(r) || unicode.IsDigit(r)):
			if hyphen && b.Len() > 0 {
				b.WriteByte('-')
			}
			hyphen = false
			b.WriteRune(unicode.ToLower(r))
		default:
			hyphen = true
		}
		if b.Len() >= MaxOrganizationKeyLength {
			break
		}
	}
	key := strings.Trim(b.String(), "-")
	if len(key) > MaxOrganizationKeyLength {
		key = strings.Trim(key[:MaxOrganizationKeyLength], "-")
	}
	if key == "" || reserved.Has(key) {
		key = strings.Trim("org-"+key, "-")
	}
	if attempt > 1 {
		key += "-" + strconv.Itoa(attempt)
	}
	return key
}
