package identity

import (
	"strconv"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// MaxOrganizationKeyLength bounds a derived organization key.
const MaxOrganizationKeyLength = 40

// reservedKeys are first path segments that routes use for other things, so
// no organization may take them as its key.
var reservedKeys = map[string]bool{
	"users": true, "registrations": true, "about": true, "login": true, "mail": true,
	"systemconfiguration": true, "oauth_callback": true, "api": true, "v1": true, "v2": true,
	"organizations": true, "files": true, "health": true, "static": true, "admin": true,
}

// IsReservedKey reports whether key may not be used as an organization key.
func IsReservedKey(key string) bool { return reservedKeys[key] }

// OrganizationKey derives a URL-safe key from an organization name: accents
// are stripped, letters are lower-cased, runs of anything else become one
// hyphen. attempt > 1 appends "-<attempt>", used when the plain key is taken.
// A name that yields nothing, or a reserved word, becomes "org"-prefixed.
func OrganizationKey(name string, attempt int) string {
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
	if key == "" || IsReservedKey(key) {
		key = strings.Trim("org-"+key, "-")
	}
	if attempt > 1 {
		key += "-" + strconv.Itoa(attempt)
	}
	return key
}
