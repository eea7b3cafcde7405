package samtemplate

import (
	"bytes"
	"fmt"

	"gopkg.in/yaml.v3"
)

// RewriteForBuild returns a copy of the template src for deploying prebuilt
// artifacts, as `sam build` writes .aws-sam/build/template.yaml: the CodeUri
// of each function named in codeURIs (logical ID → folder, relative to the
// new template) is replaced, and its Metadata.BuildMethod removed (Metadata
// too, when nothing else is left in it). Comments and the rest are kept.
func RewriteForBuild(src []byte, codeURIs map[string]string) ([]byte, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(src, &doc); err != nil {
		return nil, err
	}
	if len(doc.Content) == 0 {
		return nil, fmt.Errorf("empty template")
	}
	resources := mappingValue(doc.Content[0], "Resources")
	if resources == nil {
		return nil, fmt.Errorf("template has no Resources")
	}
	done := 0
	for i := 0; i+1 < len(resources.Content); i += 2 {
		id, res := resources.Content[i].Value, resources.Content[i+1]
		uri, ok := codeURIs[id]
		if !ok {
			continue
		}
		props := mappingValue(res, "Properties")
		if props == nil {
			return nil, fmt.Errorf("resource %s has no Properties", id)
		}
		setScalar(props, "CodeUri", uri)
		if md := mappingValue(res, "Metadata"); md != nil {
			deleteKey(md, "BuildMethod")
			if len(md.Content) == 0 {
				deleteKey(res, "Metadata")
			}
		}
		done++
	}
	if done != len(codeURIs) {
		return nil, fmt.Errorf("only %d of the %d functions to rewrite were found in Resources", done, len(codeURIs))
	}
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(&doc); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// mappingValue returns the value of key in the mapping node m, or nil.
func mappingValue(m *yaml.Node, key string) *yaml.Node {
	if m == nil || m.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}

func setScalar(m *yaml.Node, key, value string) {
	if v := mappingValue(m, key); v != nil {
		*v = yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: value}
		return
	}
	m.Content = append(m.Content,
		&yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: key},
		&yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: value})
}

func deleteKey(m *yaml.Node, key string) {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			m.Content = append(m.Content[:i], m.Content[i+2:]...)
			return
		}
	}
}
