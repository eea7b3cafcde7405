package bpmn

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/unicode"
)

// Namespaces this package reads and writes.
const (
	nsModel   = "http://www.omg.org/spec/BPMN/20100524/MODEL"
	nsBPMNDI  = "http://www.omg.org/spec/BPMN/20100524/DI"
	nsDC      = "http://www.omg.org/spec/DD/20100524/DC"
	nsDI      = "http://www.omg.org/spec/DD/20100524/DI"
	nsE       = "http://effektif.com/bpmn20"
	nsXSI     = "http://www.w3.org/2001/XMLSchema-instance"
	nsXML     = "http://www.w3.org/XML/1998/namespace"
	nsCamunda = "http://camunda.org/schema/1.0/bpmn"
	nsZeebe   = "http://camunda.org/schema/zeebe/1.0"
)

// Legacy or sibling namespaces read as if they were nsE or nsCamunda.
var nsAliases = map[string]string{
	"effektif.com:1":           nsE,
	"http://activiti.org/bpmn": nsCamunda,
	"http://flowable.org/bpmn": nsCamunda,
}

// Limits on the input of Import.
const (
	// MaxSize is the largest document Import reads, in bytes.
	MaxSize = 16 << 20
	// MaxDepth is the deepest element nesting Import accepts.
	MaxDepth = 200
)

// node is one element of a parsed or generated XML document. Name.Space is
// the namespace URI; Prefix is the prefix the document used, a hint for
// writing it again.
type node struct {
	Name   xml.Name
	Prefix string
	Attrs  []attr
	Decls  []decl // namespace declarations made on this element
	Kids   []*node
	Text   string // the element's character data; whitespace-only data is dropped
	Line   int
}

type attr struct {
	Name   xml.Name
	Prefix string
	Value  string
	// ValueNS is the namespace of the prefix of a QName value (xsi:type).
	ValueNS string
}

// decl binds Prefix to URI; the prefix "" is the default namespace.
type decl struct{ Prefix, URI string }

func newNode(space, local string) *node {
	return &node{Name: xml.Name{Space: space, Local: local}}
}

// is reports whether n is the element space:local.
func (n *node) is(space, local string) bool {
	return n != nil && n.Name.Space == space && n.Name.Local == local
}

// attr returns the value of the attribute space:local.
func (n *node) attr(space, local string) string {
	for _, a := range n.Attrs {
		if a.Name.Space == space && a.Name.Local == local {
			return a.Value
		}
	}
	return ""
}

func (n *node) hasAttr(space, local string) bool {
	for _, a := range n.Attrs {
		if a.Name.Space == space && a.Name.Local == local {
			return true
		}
	}
	return false
}

// take removes the attribute space:local and returns its value.
func (n *node) take(space, local string) string {
	for i, a := range n.Attrs {
		if a.Name.Space == space && a.Name.Local == local {
			n.Attrs = append(n.Attrs[:i:i], n.Attrs[i+1:]...)
			return a.Value
		}
	}
	return ""
}

// set sets (or with an empty value removes) the attribute space:local.
func (n *node) set(space, local, value string) *node {
	for i, a := range n.Attrs {
		if a.Name.Space == space && a.Name.Local == local {
			if value == "" {
				n.Attrs = append(n.Attrs[:i:i], n.Attrs[i+1:]...)
			} else {
				n.Attrs[i].Value = value
			}
			return n
		}
	}
	if value != "" {
		n.Attrs = append(n.Attrs, attr{Name: xml.Name{Space: space, Local: local}, Value: value})
	}
	return n
}

// front moves the unqualified attributes named first (in that order) before
// the others, for readable output.
func (n *node) front(names ...string) {
	rank := func(a attr) int {
		if a.Name.Space == "" {
			for i, name := range names {
				if a.Name.Local == name {
					return i
				}
			}
		}
		return len(names)
	}
	slices.SortStableFunc(n.Attrs, func(a, b attr) int { return rank(a) - rank(b) })
}

// child returns the first child space:local.
func (n *node) child(space, local string) *node {
	for _, k := range n.Kids {
		if k.is(space, local) {
			return k
		}
	}
	return nil
}

// takeAll removes and returns the children space:local.
func (n *node) takeAll(space, local string) []*node {
	var out []*node
	kept := n.Kids[:0:0]
	for _, k := range n.Kids {
		if k.is(space, local) {
			out = append(out, k)
		} else {
			kept = append(kept, k)
		}
	}
	n.Kids = kept
	return out
}

// takeKid removes child k from n.
func (n *node) takeKid(k *node) {
	for i, x := range n.Kids {
		if x == k {
			n.Kids = append(n.Kids[:i:i], n.Kids[i+1:]...)
			return
		}
	}
}

func (n *node) add(kids ...*node) *node {
	for _, k := range kids {
		if k != nil {
			n.Kids = append(n.Kids, k)
		}
	}
	return n
}

// ext returns the element's extensionElements child, or nil.
func (n *node) ext() *node { return n.child(nsModel, "extensionElements") }

// takeExt removes and returns the extension elements space:local.
func (n *node) takeExt(space, local string) []*node {
	if x := n.ext(); x != nil {
		return x.takeAll(space, local)
	}
	return nil
}

// takeExt1 removes the extension elements space:local and returns the
// first.
func (n *node) takeExt1(space, local string) *node {
	if all := n.takeExt(space, local); len(all) > 0 {
		return all[0]
	}
	return nil
}

// dropEmptyExt removes an extensionElements child left without content.
func (n *node) dropEmptyExt() {
	if x := n.ext(); x != nil && len(x.Kids) == 0 && len(x.Attrs) == 0 && strings.TrimSpace(x.Text) == "" {
		n.takeKid(x)
	}
}

// empty reports whether n has nothing besides its name.
func (n *node) empty() bool {
	return len(n.Attrs) == 0 && len(n.Kids) == 0 && n.Text == "" && len(n.Decls) == 0
}

// walk calls f for n and every descendant, depth first.
func (n *node) walk(f func(*node)) {
	f(n)
	for _, k := range n.Kids {
		k.walk(f)
	}
}

// clone returns a deep copy of n.
func (n *node) clone() *node {
	c := *n
	c.Attrs = append([]attr(nil), n.Attrs...)
	c.Decls = append([]decl(nil), n.Decls...)
	c.Kids = make([]*node, len(n.Kids))
	for i, k := range n.Kids {
		c.Kids[i] = k.clone()
	}
	return &c
}

// Charsets looks up the decoder of an encoding a document declares, by its
// label, for a document in an encoding other than UTF-8, US-ASCII and
// UTF-16, which the package reads itself; nil knows no other encoding.
// charsets.Lookup knows every encoding of golang.org/x/text: it is a
// package of its own, linked only where BPMN documents are imported, since
// its tables are about 0.7 MB of a binary.
type Charsets func(label string) (encoding.Encoding, error)

// parseXML reads a whole document into a tree. It detects byte order marks
// and UTF-16, converts declared encodings to UTF-8 (others than UTF-8,
// US-ASCII and UTF-16 through cs), refuses DOCTYPEs that declare entities
// and enforces MaxSize and MaxDepth. Errors are *FormatError.
func parseXML(data []byte, cs Charsets) (*node, error) {
	if len(data) > MaxSize {
		return nil, &FormatError{Msg: fmt.Sprintf("document is %d bytes, more than the %d allowed", len(data), MaxSize)}
	}
	data, utf16, err := toUTF8(data)
	if err != nil {
		return nil, err
	}
	d := xml.NewDecoder(bytes.NewReader(data))
	d.Strict = true
	d.CharsetReader = func(label string, r io.Reader) (io.Reader, error) {
		if utf16 && isUTF16Label(label) {
			return r, nil // toUTF8 converted it already
		}
		return charsetReader(label, r, cs)
	}
	fail := func(msg string, err error) error {
		line, col := d.InputPos()
		var se *xml.SyntaxError
		if errors.As(err, &se) {
			line, col = se.Line, 0
			msg = se.Msg
		}
		return &FormatError{Line: line, Column: col, Msg: msg, Err: err}
	}
	scopes := []map[string]string{{"xml": nsXML}}
	var stack []*node
	var root *node
	for {
		tok, err := d.RawToken()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fail(err.Error(), err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if root != nil && len(stack) == 0 {
				return nil, fail("more than one root element", nil)
			}
			if len(stack) >= MaxDepth {
				return nil, fail(fmt.Sprintf("elements nested deeper than %d", MaxDepth), nil)
			}
			line, _ := d.InputPos()
			n, scope := startNode(t, scopes[len(scopes)-1])
			n.Line = line
			scopes = append(scopes, scope)
			if len(stack) > 0 {
				p := stack[len(stack)-1]
				p.Kids = append(p.Kids, n)
			} else {
				root = n
			}
			stack = append(stack, n)
		case xml.EndElement:
			if len(stack) == 0 {
				return nil, fail("unexpected end element </"+t.Name.Local+">", nil)
			}
			n := stack[len(stack)-1]
			if t.Name.Local != n.Name.Local || t.Name.Space != n.Prefix {
				return nil, fail(fmt.Sprintf("element <%s> closed by </%s>", qname(n.Prefix, n.Name.Local), qname(t.Name.Space, t.Name.Local)), nil)
			}
			if strings.TrimSpace(n.Text) == "" {
				n.Text = ""
			}
			stack = stack[:len(stack)-1]
			scopes = scopes[:len(scopes)-1]
		case xml.CharData:
			if len(stack) > 0 {
				stack[len(stack)-1].Text += string(t)
			} else if len(bytes.TrimSpace(t)) > 0 {
				return nil, fail("text outside the root element", nil)
			}
		case xml.Directive:
			if bytes.Contains(t, []byte("ENTITY")) {
				return nil, fail("a DOCTYPE declaring entities is not allowed", nil)
			}
		}
	}
	if len(stack) > 0 {
		return nil, fail("unexpected end of document inside <"+stack[len(stack)-1].Name.Local+">", nil)
	}
	if root == nil {
		return nil, &FormatError{Msg: "empty document"}
	}
	return root, nil
}

// startNode builds the node of a raw start element, resolving prefixes in
// the scope (prefix -> URI) of its parent, and returns it with its own
// scope.
func startNode(t xml.StartElement, parent map[string]string) (*node, map[string]string) {
	scope := parent
	var decls []decl
	var attrs []xml.Attr
	for _, a := range t.Attr {
		switch {
		case a.Name.Space == "" && a.Name.Local == "xmlns":
			decls = append(decls, decl{"", canonicalNS(a.Value)})
		case a.Name.Space == "xmlns":
			decls = append(decls, decl{a.Name.Local, canonicalNS(a.Value)})
		default:
			attrs = append(attrs, a)
		}
	}
	if len(decls) > 0 {
		scope = make(map[string]string, len(parent)+len(decls))
		for k, v := range parent {
			scope[k] = v
		}
		for _, d := range decls {
			scope[d.Prefix] = d.URI
		}
	}
	resolve := func(prefix string) string {
		if uri, ok := scope[prefix]; ok {
			return uri
		}
		return prefix // an undeclared prefix stands for itself
	}
	n := &node{Name: xml.Name{Space: resolve(t.Name.Space), Local: t.Name.Local}, Prefix: t.Name.Space, Decls: decls}
	for _, a := range attrs {
		na := attr{Name: xml.Name{Local: a.Name.Local}, Prefix: a.Name.Space, Value: a.Value}
		if a.Name.Space != "" {
			na.Name.Space = resolve(a.Name.Space)
		}
		if na.Name.Space == nsXSI && na.Name.Local == "type" {
			p, _, ok := strings.Cut(a.Value, ":")
			if !ok {
				p = ""
			}
			na.ValueNS = scope[p] // "" (no QName handling) when undeclared
		}
		n.Attrs = append(n.Attrs, na)
	}
	return n, scope
}

func canonicalNS(uri string) string {
	if c, ok := nsAliases[uri]; ok {
		return c
	}
	return uri
}

func qname(prefix, local string) string {
	if prefix == "" {
		return local
	}
	return prefix + ":" + local
}

// toUTF8 strips a UTF-8 byte order mark and converts UTF-16 (with a byte
// order mark, or recognised by its "<?" start) to UTF-8. utf16 reports a
// conversion, after which a declared UTF-16 encoding is to be ignored.
func toUTF8(data []byte) (out []byte, utf16 bool, err error) {
	var enc encoding.Encoding
	switch {
	case bytes.HasPrefix(data, []byte{0xEF, 0xBB, 0xBF}):
		return data[3:], false, nil
	case bytes.HasPrefix(data, []byte{0xFE, 0xFF}):
		enc = unicode.UTF16(unicode.BigEndian, unicode.ExpectBOM)
	case bytes.HasPrefix(data, []byte{0xFF, 0xFE}):
		enc = unicode.UTF16(unicode.LittleEndian, unicode.ExpectBOM)
	case bytes.HasPrefix(data, []byte{0, '<', 0}):
		enc = unicode.UTF16(unicode.BigEndian, unicode.IgnoreBOM)
	case bytes.HasPrefix(data, []byte{'<', 0}):
		enc = unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM)
	default:
		return data, false, nil
	}
	out, err = enc.NewDecoder().Bytes(data)
	if err != nil {
		return nil, false, &FormatError{Msg: "invalid UTF-16 input", Err: err}
	}
	return out, true, nil
}

func isUTF16Label(label string) bool {
	l := strings.ToLower(strings.TrimSpace(label))
	return strings.HasPrefix(l, "utf-16") || strings.HasPrefix(l, "utf16") || l == "ucs-2"
}

// charsetReader converts a declared encoding to UTF-8: US-ASCII is UTF-8
// already, others are looked up in cs. A document that declares UTF-16 but
// was not (its declaration could be read as single bytes) is read as UTF-8.
func charsetReader(label string, r io.Reader, cs Charsets) (io.Reader, error) {
	if isUTF16Label(label) {
		return r, nil
	}
	switch strings.ToLower(strings.TrimSpace(label)) {
	case "us-ascii", "ascii", "ansi_x3.4-1968", "iso646-us":
		return r, nil // a subset of UTF-8; encoding/xml checks the bytes are UTF-8
	}
	if cs == nil {
		return nil, fmt.Errorf("unsupported encoding %q", label)
	}
	enc, err := cs(label)
	if err != nil {
		return nil, err
	}
	return enc.NewDecoder().Reader(r), nil
}
