package identity

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/effektif-serverless/caseflow/shared/failure"
)

const sampleConfiguration = `{
  "customer_relations": [{"key": "dashboard"}, {"key": "contact"}],
  "configurations": [
    {"name": "Product Catalog", "subItems": [{"key": "product"}, {"key": "price"}]},
    {"key": "journey"}
  ]
}`

func TestNormalizeNavigationConfiguration(t *testing.T) {
	got, err := NormalizeNavigationConfiguration(json.RawMessage(sampleConfiguration))
	if err != nil {
		t.Fatal(err)
	}
	want := `{"configurations":[{"name":"Product Catalog","subItems":[{"key":"product"},{"key":"price"}]},{"key":"journey"}],` +
		`"customer_relations":[{"key":"dashboard"},{"key":"contact"}]}`
	if string(got) != want {
		t.Fatalf("canonical\n%s\nwant\n%s", got, want)
	}
	// Escapes as JSON needs them only: no HTML escapes, \u escapes
	// read, U+2028 escaped.
	got, err = NormalizeNavigationConfiguration(json.RawMessage(`{"a<b>&\u00e9":[{"key":"x\"y\\z\u2028"}]}`))
	if err != nil || string(got) != `{"a<b>&é":[{"key":"x\"y\\z\u2028"}]}` {
		t.Fatalf("escapes: %s, %v", got, err)
	}
}

func TestNavigationIDIsTheContent(t *testing.T) {
	ctx := context.Background()
	store := newCoreDouble()
	svc := &Service{Store: store, Now: clock()}
	first, err := svc.CreateNavigation(ctx, "u1", "Sales Team Navigation", json.RawMessage(sampleConfiguration))
	if err != nil {
		t.Fatal(err)
	}
	if !ValidNavigationID(first.ID) || len(first.ID) != 13 {
		t.Fatalf("id %q", first.ID)
	}
	// The same content, reordered and spaced otherwise, by someone else:
	// the same navigation, created once.
	reordered := `{"configurations":[{"subItems":[{"key":"product"},{"key":"price"}],"name":"Product Catalog"},{"key":"journey"}],"customer_relations":[{"key":"dashboard"},{"key":"contact"}]}`
	again, err := svc.CreateNavigation(ctx, "u2", "  Sales Team Navigation\t", json.RawMessage(reordered))
	if err != nil {
		t.Fatal(err)
	}
	if again.ID != first.ID || !again.Created.Equal(first.Created) || again.Name != "Sales Team Navigation" ||
		!bytes.Equal(again.Configuration, first.Configuration) || len(store.navigations) != 1 {
		t.Fatalf("again %+v, first %+v", again, first)
	}
	read, err := svc.Navigation(ctx, "u3", first.ID)
	if err != nil || read.ID != first.ID || string(read.Configuration) != string(first.Configuration) {
		t.Fatalf("read %+v, %v", read, err)
	}
	// The id is the documented hash.
	if id := NavigationID("Sales Team Navigation", first.Configuration); id != first.ID {
		t.Fatalf("NavigationID %s, stored %s", id, first.ID)
	}
	// Other content, another id: the name, an item's order, a key's case,
	// a key with a space, a key item turned into a group.
	for _, c := range []struct{ name, configuration string }{
		{"Sales Team Navigation 2", sampleConfiguration},
		{"Sales Team Navigation", `{"customer_relations":[{"key":"contact"},{"key":"dashboard"}],"configurations":[{"name":"Product Catalog","subItems":[{"key":"product"},{"key":"price"}]},{"key":"journey"}]}`},
		{"Sales Team Navigation", strings.Replace(sampleConfiguration, `"journey"`, `"Journey"`, 1)},
		{"Sales Team Navigation", strings.Replace(sampleConfiguration, `"journey"`, `" journey"`, 1)},
		{"Sales Team Navigation", strings.Replace(sampleConfiguration, `{"key": "journey"}`, `{"name": "journey", "subItems": []}`, 1)},
	} {
		n, err := svc.CreateNavigation(ctx, "u1", c.name, json.RawMessage(c.configuration))
		if err != nil {
			t.Fatal(err)
		}
		if n.ID == first.ID {
			t.Fatalf("%s %s: the same id as the sample", c.name, c.configuration)
		}
	}
	if len(store.navigations) != 6 {
		t.Fatalf("%d navigations stored, want 6", len(store.navigations))
	}
	for _, id := range []string{"", "5gbe4nkp6jsf", "5GBE4NKP6JSFQ", "5gbe4nkp6jsf1", "../../etc"} {
		_, err := svc.Navigation(ctx, "u1", id)
		expectCode(t, "id "+id, err, failure.NotFound, "")
	}
	_, err = svc.Navigation(ctx, "u1", "aaaaaaaaaaaaa")
	expectCode(t, "unknown id", err, failure.NotFound, "")
	_, err = svc.Navigation(ctx, "", first.ID)
	expectCode(t, "no caller", err, failure.Unauthenticated, "")
}

func TestNavigationValidation(t *testing.T) {
	ctx := context.Background()
	svc := &Service{Store: newCoreDouble(), Now: clock()}
	many := func(n int, item string) string {
		return "[" + strings.TrimSuffix(strings.Repeat(item+",", n), ",") + "]"
	}
	sections := func(n int) string {
		parts := make([]string, n)
		for i := range parts {
			parts[i] = fmt.Sprintf(`"s%d":[]`, i)
		}
		return "{" + strings.Join(parts, ",") + "}"
	}
	cases := []struct {
		name, configuration string
		code                failure.Code
		field               string
	}{
		{"", `{}`, failure.Invalid, "name"},
		{"   ", `{}`, failure.Invalid, "name"},
		{strings.Repeat("n", MaxNameLength+1), `{}`, failure.Invalid, "name"},
		{"N", ``, failure.Invalid, "configuration"},
		{"N", `null`, failure.Invalid, "configuration"},
		{"N", `[]`, failure.Invalid, "configuration"},
		{"N", `"text"`, failure.Invalid, "configuration"},
		{"N", `{"a":[]} {}`, failure.Invalid, "configuration"},
		{"N", `{"a":[]`, failure.Invalid, "configuration"},
		{"N", `{"a":{}}`, failure.Invalid, "configuration.a"},
		{"N", `{"a":null}`, failure.Invalid, "configuration.a"},
		{"N", `{"":[]}`, failure.Invalid, "configuration."},
		{"N", `{"a":[],"a":[]}`, failure.Invalid, "configuration.a"},
		{"N", `{"a":["dashboard"]}`, failure.Invalid, "configuration.a[0]"},
		{"N", `{"a":[{}]}`, failure.Invalid, "configuration.a[0]"},
		{"N", `{"a":[{"key":""}]}`, failure.Invalid, "configuration.a[0].key"},
		{"N", `{"a":[{"key":1}]}`, failure.Invalid, "configuration.a[0].key"},
		{"N", `{"a":[{"key":null}]}`, failure.Invalid, "configuration.a[0].key"},
		{"N", `{"a":[{"key":"k","key":"k"}]}`, failure.Invalid, "configuration.a[0].key"},
		{"N", `{"a":[{"key":"k","icon":"x"}]}`, failure.Invalid, "configuration.a[0].icon"},
		{"N", `{"a":[{"key":"k","name":"x"}]}`, failure.Invalid, "configuration.a[0]"},
		{"N", `{"a":[{"name":"g"}]}`, failure.Invalid, "configuration.a[0].subItems"},
		{"N", `{"a":[{"subItems":[]}]}`, failure.Invalid, "configuration.a[0].name"},
		{"N", `{"a":[{"name":"g","subItems":{}}]}`, failure.Invalid, "configuration.a[0].subItems"},
		{"N", `{"a":[{"name":"g","subItems":[{"name":"deeper","subItems":[]}]}]}`, failure.Invalid, "configuration.a[0].subItems[0].name"},
		{"N", `{"a":[{"name":"g","subItems":[{"key":"k","extra":1}]}]}`, failure.Invalid, "configuration.a[0].subItems[0].extra"},
		{"N", `{"a":[{"key":"tab\there"}]}`, failure.Invalid, "configuration.a[0].key"},
		{"N", "{\"a\":[{\"key\":\"bad \xff\"}]}", failure.Invalid, "configuration"},
		{"N", `{"a":[{"key":"` + strings.Repeat("k", MaxNameLength+1) + `"}]}`, failure.Invalid, "configuration.a[0].key"},
		{"N", sections(MaxNavigationSections + 1), failure.Invalid, "configuration"},
		{"N", `{"a":` + many(MaxNavigationItems+1, `{"key":"k"}`) + `}`, failure.Invalid, "configuration.a"},
		{"N", `{"a":[{"name":"g","subItems":` + many(MaxNavigationItems+1, `{"key":"k"}`) + `}]}`, failure.Invalid, "configuration.a[0].subItems"},
		{"N", `{"a":[{"key":"` + strings.Repeat("k", MaxNavigationBytes) + `"}]}`, failure.TooLarge, "configuration"},
		// Escapes that grow past the limit once canonical.
		{"N", `{"a":[` + strings.TrimSuffix(strings.Repeat(`{"key":"`+strings.Repeat("\u2028", 60)+`"},`, 350), ",") + `]}`, failure.TooLarge, "configuration"},
	}
	for i, c := range cases {
		_, err := svc.CreateNavigation(ctx, "u1", c.name, json.RawMessage(c.configuration))
		expectCode(t, fmt.Sprintf("case %d (%.60s)", i, c.configuration), err, c.code, c.field)
	}
	// At the limits: as many sections and items as allowed; empty
	// sections and groups.
	if _, err := svc.CreateNavigation(ctx, "u1", "N", json.RawMessage(sections(MaxNavigationSections))); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.CreateNavigation(ctx, "u1", "N", json.RawMessage(`{"a":`+many(MaxNavigationItems, `{"key":"k"}`)+`,"b":[{"name":"g","subItems":[]}]}`)); err != nil {
		t.Fatal(err)
	}
	_, err := svc.CreateNavigation(ctx, "", "N", json.RawMessage(`{}`))
	expectCode(t, "no caller", err, failure.Unauthenticated, "")
}

func TestNavigationEntriesBound(t *testing.T) {
	// Many small groups: over MaxNavigationEntries in all while every
	// list is within MaxNavigationItems and the bytes within bounds.
	var b strings.Builder
	b.WriteString("{")
	for s := 0; s < 11; s++ {
		if s > 0 {
			b.WriteString(",")
		}
		fmt.Fprintf(&b, `"%d":[`, s)
		for i := 0; i < 20; i++ {
			if i > 0 {
				b.WriteString(",")
			}
			b.WriteString(`{"name":"g","subItems":[` + strings.TrimSuffix(strings.Repeat(`{"key":"k"},`, 9), ",") + `]}`)
		}
		b.WriteString("]")
	}
	b.WriteString("}")
	// 11 sections × 20 groups × (1 + 9) = 2200 entries.
	_, err := NormalizeNavigationConfiguration(json.RawMessage(b.String()))
	if !failure.Is(err, failure.Invalid) || !strings.Contains(err.Error(), "in all") {
		t.Fatalf("%d bytes: %v", b.Len(), err)
	}
}

// FuzzNavigationConfiguration: the parser never panics; what it accepts
// is valid JSON of the documented shape, within the limits, and its own
// canonical form (normalizing it again changes nothing).
func FuzzNavigationConfiguration(f *testing.F) {
	for _, s := range []string{
		sampleConfiguration, `{}`, `{"a":[]}`, `{"a":[{"key":"k"}]}`, `{"a":[{"name":"g","subItems":[{"key":"k"}]}]}`,
		`{"a":[{"key":"k","key":"k"}]}`, `{"a":[{"name":"g","subItems":[{"name":"x","subItems":[]}]}]}`,
		`{"b":[],"a":[{"key":"\u2028<>&"}]}`, `[]`, `null`, `{"a":[{"key":1}]}`, "{\"a\":[{\"key\":\"\xff\"}]}",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		canonical, err := NormalizeNavigationConfiguration(raw)
		if err != nil {
			if c := failure.As(err).Code; c != failure.Invalid && c != failure.TooLarge {
				t.Fatalf("%q: %v", raw, err)
			}
			return
		}
		if len(canonical) > MaxNavigationBytes {
			t.Fatalf("%q: canonical form of %d bytes", raw, len(canonical))
		}
		var shape map[string][]struct {
			Key      *string `json:"key"`
			Name     *string `json:"name"`
			SubItems []struct {
				Key *string `json:"key"`
			} `json:"subItems"`
		}
		dec := json.NewDecoder(bytes.NewReader(canonical))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&shape); err != nil || shape == nil {
			t.Fatalf("%q: canonical %s does not decode: %v", raw, canonical, err)
		}
		for _, items := range shape {
			for _, it := range items {
				if (it.Key == nil) == (it.Name == nil) || it.Key != nil && it.SubItems != nil {
					t.Fatalf("%q: canonical %s has an item of no form", raw, canonical)
				}
			}
		}
		again, err := NormalizeNavigationConfiguration(canonical)
		if err != nil || !bytes.Equal(again, canonical) {
			t.Fatalf("%q: canonical %s normalizes to %s, %v", raw, canonical, again, err)
		}
	})
}
