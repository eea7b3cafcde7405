package bpmn

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
)

// xmlElement is the JSON form of kept XML (the Effektif XmlElement), found
// in the BPMN fields of the model and in the workflow property
// "bpmnDefinitions". Names are "prefix:local"; a prefix is resolved in the
// element's own declarations, then its ancestors', then those of the
// definitions element, then the usual BPMN prefixes (baseScope).
// Attribute values and text are plain (not XML-escaped) strings.
type xmlElement struct {
	Name       string            `json:"name,omitempty"`
	Attributes map[string]string `json:"attributes,omitempty"`
	Namespaces *xmlNamespaces    `json:"namespaces,omitempty"`
	Elements   []*xmlElement     `json:"elements,omitempty"`
	Text       string            `json:"text,omitempty"`
}

type xmlNamespaces struct {
	Declarations     map[string]string `json:"declarations,omitempty"`
	DefaultNamespace *string           `json:"defaultNamespace,omitempty"`
}

// baseScope is the last resort for resolving prefixes in kept XML.
var baseScope = &nsScope{decls: []decl{
	{"", nsModel}, {"bpmn", nsModel}, {"bpmn2", nsModel}, {"semantic", nsModel}, {"model", nsModel},
	{"bpmndi", nsBPMNDI}, {"dc", nsDC}, {"omgdc", nsDC}, {"di", nsDI}, {"omgdi", nsDI},
	{"xsi", nsXSI}, {"e", nsE}, {"camunda", nsCamunda}, {"zeebe", nsZeebe},
}}

// fragmentScope is the scope kept fragments are resolved in: the
// declarations of the definitions element over baseScope.
func fragmentScope(rootDecls []decl) *nsScope {
	return &nsScope{parent: baseScope, decls: rootDecls}
}

// toXMLElement converts n to its JSON form, to be read back in scope
// parent. It keeps n's declarations, except those parent already makes
// (unless keepDecls: the definitions element keeps all of its own), and adds
// those needed for prefixes that were declared above n in the source
// document.
func toXMLElement(n *node, parent *nsScope, keepDecls bool) *xmlElement {
	s := &nsScope{parent: parent}
	for _, d := range n.Decls {
		if u, ok := parent.lookup(d.Prefix); keepDecls || !ok || u != d.URI {
			s.decls = append(s.decls, d)
		}
	}
	e := &xmlElement{Text: n.Text}
	if n.Name.Space == "" {
		if u, _ := s.lookup(""); u != "" {
			s.decls = append(s.decls, decl{"", ""})
		}
		e.Name = n.Name.Local
	} else {
		e.Name = qname(s.use(n.Name.Space, n.Prefix, true), n.Name.Local)
	}
	for _, a := range n.Attrs {
		if e.Attributes == nil {
			e.Attributes = map[string]string{}
		}
		name := a.Name.Local
		if a.Name.Space != "" {
			name = qname(s.use(a.Name.Space, a.Prefix, false), a.Name.Local)
		}
		v := a.Value
		if a.ValueNS != "" {
			v = s.qnameValue(a)
		}
		e.Attributes[name] = v
	}
	for _, d := range s.decls {
		if e.Namespaces == nil {
			e.Namespaces = &xmlNamespaces{}
		}
		if d.Prefix == "" {
			uri := d.URI
			e.Namespaces.DefaultNamespace = &uri
			continue
		}
		if e.Namespaces.Declarations == nil {
			e.Namespaces.Declarations = map[string]string{}
		}
		e.Namespaces.Declarations[d.Prefix] = d.URI
	}
	for _, k := range n.Kids {
		e.Elements = append(e.Elements, toXMLElement(k, s, false))
	}
	return e
}

// fromXMLElement converts the JSON form back, resolving names in scope
// parent. Elements and attributes whose names are not XML names are
// dropped.
func fromXMLElement(e *xmlElement, parent *nsScope) *node {
	if e == nil {
		return nil
	}
	s := &nsScope{parent: parent}
	if ns := e.Namespaces; ns != nil {
		if ns.DefaultNamespace != nil {
			s.decls = append(s.decls, decl{"", *ns.DefaultNamespace})
		}
		for _, p := range sortedMapKeys(ns.Declarations) {
			if isNCName(p) && ns.Declarations[p] != "" {
				s.decls = append(s.decls, decl{p, canonicalNS(ns.Declarations[p])})
			}
		}
	}
	resolve := func(q string, isElement bool) (space, prefix, local string, ok bool) {
		prefix, local, found := strings.Cut(q, ":")
		if !found {
			prefix, local = "", q
		}
		if !isNCName(local) || prefix != "" && !isNCName(prefix) {
			return "", "", "", false
		}
		if prefix == "" && !isElement {
			return "", "", local, true
		}
		uri, known := s.lookup(prefix)
		if !known && prefix != "" {
			uri = prefix // like an undeclared prefix in a parsed document
		}
		return uri, prefix, local, true
	}
	space, prefix, local, ok := resolve(e.Name, true)
	if !ok {
		return nil
	}
	n := &node{Prefix: prefix, Decls: s.decls, Text: e.Text}
	n.Name.Space, n.Name.Local = space, local
	for _, k := range sortedMapKeys(e.Attributes) {
		space, prefix, local, ok := resolve(k, false)
		if !ok || k == "xmlns" || prefix == "xmlns" {
			continue
		}
		a := attr{Prefix: prefix, Value: e.Attributes[k]}
		a.Name.Space, a.Name.Local = space, local
		if space == nsXSI && local == "type" {
			p, _, found := strings.Cut(a.Value, ":")
			if !found {
				p = ""
			}
			a.ValueNS, _ = s.lookup(p)
		}
		n.Attrs = append(n.Attrs, a)
	}
	for _, k := range e.Elements {
		if c := fromXMLElement(k, s); c != nil {
			n.Kids = append(n.Kids, c)
		}
	}
	return n
}

func sortedMapKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// keep returns the JSON of n for a BPMN field, or nil when n is nil.
func keep(n *node, scope *nsScope) json.RawMessage {
	if n == nil {
		return nil
	}
	data, err := json.Marshal(toXMLElement(n, scope, scope == baseScope))
	if err != nil {
		return nil // cannot happen: strings and maps only
	}
	return data
}

// kept reads a BPMN field back into a tree; what names the error is used
// in its message.
func kept(data json.RawMessage, scope *nsScope, what string) (*node, error) {
	if len(data) == 0 || string(data) == "null" {
		return nil, nil
	}
	var e xmlElement
	if err := json.Unmarshal(data, &e); err != nil {
		return nil, fmt.Errorf("bpmn: %s: invalid kept XML: %w", what, err)
	}
	return fromXMLElement(&e, scope), nil
}
