package bpmn

import (
	"bytes"
	"strconv"
	"strings"
	"unicode/utf8"
)

// nsScope is a chain of namespace bindings, innermost first.
type nsScope struct {
	parent *nsScope
	decls  []decl
}

func (s *nsScope) lookup(prefix string) (string, bool) {
	if prefix == "xml" {
		return nsXML, true
	}
	for c := s; c != nil; c = c.parent {
		for i := len(c.decls) - 1; i >= 0; i-- {
			if c.decls[i].Prefix == prefix {
				return c.decls[i].URI, true
			}
		}
	}
	return "", false
}

// prefixFor returns a prefix bound to uri in s, trying hint first. The
// default namespace ("") qualifies only if allowDefault (element names,
// not attribute names).
func (s *nsScope) prefixFor(uri, hint string, allowDefault bool) (string, bool) {
	if uri == nsXML {
		return "xml", true
	}
	if hint != "" || allowDefault {
		if u, ok := s.lookup(hint); ok && u == uri {
			return hint, true
		}
	}
	for c := s; c != nil; c = c.parent {
		for _, d := range c.decls {
			if d.URI != uri || (d.Prefix == "" && !allowDefault) {
				continue
			}
			if u, _ := s.lookup(d.Prefix); u == uri {
				return d.Prefix, true
			}
		}
	}
	return "", false
}

// declare binds a new prefix to uri at this level of s and returns it: hint
// if that is free here, else a generated one.
func (s *nsScope) declare(uri, hint string, allowDefault bool) string {
	taken := func(p string) bool {
		for _, d := range s.decls {
			if d.Prefix == p {
				return true
			}
		}
		return false
	}
	p := hint
	if (p == "" && !allowDefault) || (p != "" && !isNCName(p)) || strings.HasPrefix(strings.ToLower(p), "xml") {
		p = "ns"
	}
	for i := 1; taken(p); i++ {
		p = "ns" + strconv.Itoa(i)
	}
	s.decls = append(s.decls, decl{p, uri})
	return p
}

// use returns a prefix for uri, declaring one at this level when none is
// bound.
func (s *nsScope) use(uri, hint string, allowDefault bool) string {
	if p, ok := s.prefixFor(uri, hint, allowDefault); ok {
		return p
	}
	return s.declare(uri, hint, allowDefault)
}

// qnameValue rewrites a QName attribute value (xsi:type) so that its prefix
// is bound to a.ValueNS in s.
func (s *nsScope) qnameValue(a attr) string {
	p, local, ok := strings.Cut(a.Value, ":")
	if !ok {
		p, local = "", a.Value
	}
	if u, found := s.lookup(p); (found && u == a.ValueNS) || (!found && p == "" && a.ValueNS == "") {
		return a.Value
	}
	return qname(s.use(a.ValueNS, p, true), local)
}

// qattr is an attribute with its qualified name, ready to write.
type qattr struct{ name, value string }

// open starts the scope of element n below parent: n's own declarations
// (those that change something) and the prefixes of its element and
// attribute names. It returns the scope and the qualified names.
func open(n *node, parent *nsScope) (s *nsScope, name string, attrs []qattr) {
	s = &nsScope{parent: parent}
	for _, d := range n.Decls {
		if d.Prefix == "xml" || d.Prefix == "xmlns" || (d.Prefix != "" && d.URI == "") {
			continue
		}
		if u, ok := parent.lookup(d.Prefix); ok && u == d.URI || !ok && d.URI == "" {
			continue
		}
		s.decls = append(s.decls, d)
	}
	if n.Name.Space == "" {
		if u, _ := s.lookup(""); u != "" {
			s.decls = append(s.decls, decl{"", ""})
		}
		name = n.Name.Local
	} else {
		name = qname(s.use(n.Name.Space, n.Prefix, true), n.Name.Local)
	}
	seen := map[string]bool{}
	for _, a := range n.Attrs {
		q := a.Name.Local
		if a.Name.Space != "" {
			q = qname(s.use(a.Name.Space, a.Prefix, false), a.Name.Local)
		}
		key := a.Name.Space + " " + a.Name.Local
		if seen[key] {
			continue
		}
		seen[key] = true
		v := a.Value
		if a.ValueNS != "" {
			v = s.qnameValue(a)
		}
		attrs = append(attrs, qattr{q, v})
	}
	return s, name, attrs
}

// writeDocument serializes root as an indented UTF-8 XML document.
func writeDocument(root *node, scope *nsScope) []byte {
	var b bytes.Buffer
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
	writeElement(&b, root, scope, 0)
	b.WriteByte('\n')
	return b.Bytes()
}

// writeElement writes n. Elements with text are written without
// indentation inside, so that their text reads back unchanged.
func writeElement(b *bytes.Buffer, n *node, parent *nsScope, depth int) {
	s, name, attrs := open(n, parent)
	b.WriteByte('<')
	b.WriteString(name)
	for _, d := range s.decls {
		b.WriteString(" xmlns")
		if d.Prefix != "" {
			b.WriteByte(':')
			b.WriteString(d.Prefix)
		}
		b.WriteString(`="`)
		b.WriteString(escape(d.URI, true))
		b.WriteByte('"')
	}
	for _, a := range attrs {
		b.WriteByte(' ')
		b.WriteString(a.name)
		b.WriteString(`="`)
		b.WriteString(escape(a.value, true))
		b.WriteByte('"')
	}
	if len(n.Kids) == 0 && n.Text == "" {
		b.WriteString("/>")
		return
	}
	b.WriteByte('>')
	b.WriteString(escape(n.Text, false))
	indent := n.Text == ""
	for _, k := range n.Kids {
		if indent {
			newline(b, depth+1)
		}
		writeElement(b, k, s, depth+1)
	}
	if indent {
		newline(b, depth)
	}
	b.WriteString("</")
	b.WriteString(name)
	b.WriteByte('>')
}

func newline(b *bytes.Buffer, depth int) {
	b.WriteByte('\n')
	for range depth {
		b.WriteString("  ")
	}
}

// escape escapes s for XML text or (attr) an attribute value, keeping
// line breaks and tabs in attributes as character references and replacing
// characters XML cannot hold by U+FFFD.
func escape(s string, attr bool) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '&':
			b.WriteString("&amp;")
		case r == '<':
			b.WriteString("&lt;")
		case r == '>':
			b.WriteString("&gt;")
		case r == '"' && attr:
			b.WriteString("&quot;")
		case r == '\r':
			b.WriteString("&#xD;")
		case (r == '\n' || r == '\t') && attr:
			b.WriteString("&#x" + strconv.FormatInt(int64(r), 16) + ";")
		case !isXMLChar(r):
			b.WriteRune(utf8.RuneError)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

func isXMLChar(r rune) bool {
	return r == 0x09 || r == 0x0A || r == 0x0D ||
		r >= 0x20 && r <= 0xD7FF ||
		r >= 0xE000 && r <= 0xFFFD ||
		r >= 0x10000 && r <= 0x10FFFF
}

// isNCName reports whether s is an XML name without a colon (what ids,
// prefixes and local names must be).
func isNCName(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		if !isNameStart(r) && (i == 0 || !isNameChar(r)) {
			return false
		}
	}
	return true
}

func isNameStart(r rune) bool {
	return r == '_' || r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' ||
		r >= 0xC0 && r <= 0xD6 || r >= 0xD8 && r <= 0xF6 || r >= 0xF8 && r <= 0x2FF ||
		r >= 0x370 && r <= 0x37D || r >= 0x37F && r <= 0x1FFF || r >= 0x200C && r <= 0x200D ||
		r >= 0x2070 && r <= 0x218F || r >= 0x2C00 && r <= 0x2FEF || r >= 0x3001 && r <= 0xD7FF ||
		r >= 0xF900 && r <= 0xFDCF || r >= 0xFDF0 && r <= 0xFFFD || r >= 0x10000 && r <= 0xEFFFF
}

func isNameChar(r rune) bool {
	return r == '-' || r == '.' || r >= '0' && r <= '9' || r == 0xB7 ||
		r >= 0x300 && r <= 0x36F || r >= 0x203F && r <= 0x2040
}
