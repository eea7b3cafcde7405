package bpmn

import (
	"regexp"
	"strings"
	"sync"

	"github.com/effektif-serverless/caseflow/shared/workflow"
)

// ImportText is Import for a document that is text already, not bytes: a
// BPMN document sent as a JSON string, whose characters are Unicode
// whatever its XML declaration says. A leading byte order mark is dropped
// and a declared encoding is read as UTF-8, so an ISO-8859-1 or UTF-16
// declaration does not decode the characters a second time. Errors: as
// Import.
func ImportText(doc string) (*workflow.Workflow, error) {
	return Import([]byte(AsUTF8(doc)))
}

var declaredEncoding = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`encoding\s*=\s*("[^"]*"|'[^']*')`)
})

// AsUTF8 returns a text document with its XML declaration, if any, saying
// UTF-8 and without a leading byte order mark.
func AsUTF8(doc string) string {
	doc = strings.TrimPrefix(doc, "\uFEFF")
	if !strings.HasPrefix(doc, "<?xml") {
		return doc
	}
	end := strings.Index(doc, "?>")
	if end < 0 {
		return doc
	}
	return declaredEncoding().ReplaceAllString(doc[:end], `encoding="UTF-8"`) + doc[end:]
}

// DeclaredEncoding is the encoding named by the XML declaration at the
// start of data ("" without one), lower case. A UTF-16 document without a
// byte order mark has no readable declaration here and answers "".
func DeclaredEncoding(data []byte) string {
	head := string(data[:min(len(data), 200)])
	if !strings.HasPrefix(head, "<?xml") {
		return ""
	}
	end := strings.Index(head, "?>")
	if end < 0 {
		return ""
	}
	m := declaredEncoding().FindStringSubmatch(head[:end])
	if m == nil {
		return ""
	}
	return strings.ToLower(strings.Trim(m[1], `"'`))
}
