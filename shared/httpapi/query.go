package httpapi

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/effektif-serverless/caseflow/shared/failure"
)

// ListParam reads a query parameter that may be repeated or
// comma-separated (a=x&a=y, a=x,y), without empty elements.
func ListParam(r *http.Request, name string) []string {
	var out []string
	for _, v := range r.URL.Query()[name] {
		for _, part := range strings.Split(v, ",") {
			if part = strings.TrimSpace(part); part != "" {
				out = append(out, part)
			}
		}
	}
	return out
}

// BoolParam reads an optional boolean query parameter (nil when absent).
// Errors: Invalid naming the parameter.
func BoolParam(r *http.Request, name string) (*bool, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return nil, nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return nil, failure.Field(name, "%s must be true or false, not %q", name, v)
	}
	return &b, nil
}

// Paging describes where a dialect's requests carry their page: the names
// of the offset and the page size, in the query (Effektif: offset and
// pagesize; epilot: offset and limit) or, with InHeaders, in request
// headers (10Duke).
type Paging struct {
	Offset, Size string
	InHeaders    bool
}

// Page is a requested page: Offset results skipped, at most Size
// returned; 0 means the operation's default.
type Page struct {
	Offset, Size int
}

// Read reads the page of a request. Errors: Invalid naming the parameter
// for a value that is not a non-negative integer.
func (p Paging) Read(r *http.Request) (Page, error) {
	var out Page
	for name, dst := range map[string]*int{p.Offset: &out.Offset, p.Size: &out.Size} {
		if name == "" {
			continue
		}
		v := r.URL.Query().Get(name)
		if p.InHeaders {
			v = r.Header.Get(name)
		}
		if v == "" {
			continue
		}
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return Page{}, failure.Field(name, "%s must be a non-negative integer, not %q", name, v)
		}
		*dst = n
	}
	return out, nil
}
