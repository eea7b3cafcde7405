// Package inline encodes structs whose unknown JSON keys are kept in a
// properties map and written back at the top level, as the Effektif models
// do with their "properties".
package inline

import (
	"bytes"
	"encoding/json"
	"maps"
	"reflect"
	"slices"
	"strings"
	"sync"
)

// knownKeys returns the JSON keys of a struct type's fields.
var knownKeys = func() func(reflect.Type) map[string]bool {
	var cache sync.Map
	return func(t reflect.Type) map[string]bool {
		if k, ok := cache.Load(t); ok {
			return k.(map[string]bool)
		}
		keys := map[string]bool{}
		for i := 0; i < t.NumField(); i++ {
			tag := t.Field(i).Tag.Get("json")
			name, _, _ := strings.Cut(tag, ",")
			if name != "" && name != "-" {
				keys[name] = true
			}
		}
		cache.Store(t, keys)
		return keys
	}
}()

// Marshal writes v (a struct of an alias type, so without its own
// MarshalJSON) as a JSON object with props added as top-level keys. A
// property never overrides a field.
func Marshal(v any, props map[string]json.RawMessage) ([]byte, error) {
	data, err := json.Marshal(v)
	if err != nil || len(props) == 0 {
		return data, err
	}
	known := knownKeys(reflect.TypeOf(v))
	var b bytes.Buffer
	b.Write(data[:len(data)-1])
	first := len(data) == 2
	for _, k := range sortedKeys(props) {
		if known[k] {
			continue
		}
		if !first {
			b.WriteByte(',')
		}
		first = false
		name, _ := json.Marshal(k)
		b.Write(name)
		b.WriteByte(':')
		b.Write(props[k])
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// Unmarshal reads a JSON object into v (a pointer to a struct of an
// alias type) and returns the keys v does not know. aliases renames keys
// (old spelling -> current) before decoding.
func Unmarshal(data []byte, v any, aliases map[string]string) (map[string]json.RawMessage, error) {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, err
	}
	for old, current := range aliases {
		if val, ok := raw[old]; ok {
			if _, taken := raw[current]; !taken {
				raw[current] = val
			}
			delete(raw, old)
			data = nil
		}
	}
	if data == nil {
		var err error
		if data, err = json.Marshal(raw); err != nil {
			return nil, err
		}
	}
	if err := json.Unmarshal(data, v); err != nil {
		return nil, err
	}
	known := knownKeys(reflect.TypeOf(v).Elem())
	var props map[string]json.RawMessage
	for k, val := range raw {
		if !known[k] {
			if props == nil {
				props = map[string]json.RawMessage{}
			}
			props[k] = val
		}
	}
	return props, nil
}

func sortedKeys(m map[string]json.RawMessage) []string {
	return slices.Sorted(maps.Keys(m))
}
