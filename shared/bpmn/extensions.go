package bpmn

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/effektif-serverless/caseflow/shared/workflow"
)

// This file reads and writes the Effektif extension elements (namespace
// http://effektif.com/bpmn20, prefix e) for the parts of the model plain
// BPMN cannot hold. The encodings:
//
//	binding:      <e:X value="…" json="true" type="text" expression="a.b" template="…">
//	                <e:type …/>? <e:metadata key="k" value="JSON"/>* </e:X>
//	              value is the text of a JSON string, or with json="true" the
//	              JSON itself; a number or boolean value of that type needs no
//	              json flag. A type with more than a name is an e:type child.
//	data type:    <e:type name="choice" multiLine="true" kind="date">
//	                <e:option id="" name=""/>* <e:elementType name=""/>?
//	                <e:candidateId value=""/>* <e:candidateGroupId value=""/>* </e:type>
//	relative time:<e:X type="after" duration="3" durationUnit="days" atHour="9" atMinute="0">
//	                <e:base …binding…/>? </e:X>
//	property:     <e:property key="k" value="JSON"/> (or Effektif's value plus
//	              type="java.lang.String|Boolean|Integer|Long|Double")
//	variable:     <e:variable id="" name=""><documentation/>? <e:type/>? <e:default value=""/>? <e:property/>*</e:variable>
//	form:         <e:form><documentation/>? <e:field id="" key="" name="" readonly="true" required="true">
//	                <documentation/>? <e:type/>? <e:binding/>? <e:property/>* </e:field>* </e:form>
//	              (Effektif's expression="" and value="" on e:field are read too)
//	trigger:      <e:trigger type="form|email" emailIdVariableId=""><e:form/>? <e:output key="" id=""/>*</e:trigger>
//	timer:        <e:timer id="" name="" nonInterrupting="true" dueDate="RFC 3339">
//	                <e:due/>? <e:toTransitionId value=""/>* </e:timer>
//	multi-instance: <e:multiInstance sequential="true"><e:variable/><e:value …binding…/>*
//	                <e:cardinality …binding…/>? <e:completionCondition>condition</e:completionCondition>?
//	              </e:multiInstance>
//	loop:         <e:loop testBefore="true" maximum="5"><e:condition>condition</e:condition>?</e:loop>
//	repetitions:  <e:repetitions value="3"/> (of a timer, when its time is not an ISO 8601 cycle)

func el(local string) *node { return newNode(nsE, local) }

func eAttr(n *node, local string) string { return n.attr("", local) }

func boolAttr(n *node, local string) bool { return n.attr("", local) == "true" }

// setAlways adds an unqualified attribute, even with an empty value.
func setAlways(n *node, local, v string) {
	n.Attrs = append(n.Attrs, attr{Name: xml.Name{Local: local}, Value: v})
}

func setBool(n *node, local string, v bool) {
	if v {
		n.set("", local, "true")
	}
}

// readBinding reads the binding held by n's attributes and children.
func readBinding(n *node) *workflow.Binding {
	if n == nil {
		return nil
	}
	b := &workflow.Binding{
		Expression: eAttr(n, "expression"),
		Template:   eAttr(n, "template"),
	}
	if t := n.child(nsE, "type"); t != nil {
		b.Type = readType(t)
	} else if name := eAttr(n, "type"); name != "" {
		b.Type = &workflow.DataType{Name: name}
	}
	if n.hasAttr("", "value") {
		b.Value = decodeValue(eAttr(n, "value"), boolAttr(n, "json"), b.Type)
	}
	b.Metadata = readProps(n, "metadata")
	return b
}

// bindingAttrs writes b onto n (attributes and children).
func bindingAttrs(n *node, b *workflow.Binding) *node {
	if b == nil {
		return n
	}
	if len(b.Value) > 0 {
		v, isJSON := encodeValue(b.Value, b.Type)
		setAlways(n, "value", v)
		setBool(n, "json", isJSON)
	}
	if b.Type != nil {
		if simpleType(b.Type) {
			n.set("", "type", b.Type.Name)
		} else {
			n.add(writeType("type", b.Type))
		}
	}
	n.set("", "expression", b.Expression)
	n.set("", "template", b.Template)
	n.add(writeProps("metadata", b.Metadata)...)
	return n
}

func writeBinding(local string, b *workflow.Binding) *node {
	if b == nil {
		return nil
	}
	return bindingAttrs(el(local), b)
}

func readBindings(parent *node, local string) []workflow.Binding {
	var out []workflow.Binding
	for _, k := range parent.takeExt(nsE, local) {
		out = append(out, *readBinding(k))
	}
	return out
}

func writeBindings(local string, bs []workflow.Binding) []*node {
	var out []*node
	for i := range bs {
		out = append(out, writeBinding(local, &bs[i]))
	}
	return out
}

// decodeValue turns the value attribute into JSON: raw JSON with the json
// flag, a number or boolean when the type says so and the text is one, else
// a string.
func decodeValue(v string, isJSON bool, t *workflow.DataType) json.RawMessage {
	if isJSON && json.Valid([]byte(v)) {
		var b bytes.Buffer
		if json.Compact(&b, []byte(v)) == nil {
			return b.Bytes()
		}
	}
	if t != nil {
		switch t.Name {
		case workflow.TypeNumber:
			if _, err := strconv.ParseFloat(v, 64); err == nil && json.Valid([]byte(v)) && !strings.ContainsAny(v, " \t\r\n") {
				return json.RawMessage(v)
			}
		case workflow.TypeBoolean:
			if v == "true" || v == "false" {
				return json.RawMessage(v)
			}
		}
	}
	s, _ := json.Marshal(v)
	return s
}

// encodeValue is the inverse of decodeValue: the text form of a JSON value
// and whether it needs the json flag.
func encodeValue(raw json.RawMessage, t *workflow.DataType) (string, bool) {
	var s string
	if json.Unmarshal(raw, &s) == nil && bytes.Equal(decodeValue(s, false, t), compact(raw)) {
		return s, false
	}
	c := string(compact(raw))
	if bytes.Equal(decodeValue(c, false, t), []byte(c)) {
		return c, false
	}
	return c, true
}

func compact(raw json.RawMessage) []byte {
	var b bytes.Buffer
	if json.Compact(&b, raw) != nil {
		return raw
	}
	return b.Bytes()
}

func simpleType(t *workflow.DataType) bool {
	return !t.MultiLine && t.Kind == "" && len(t.Options) == 0 && t.ElementType == nil &&
		len(t.CandidateIDs) == 0 && len(t.CandidateGroupIDs) == 0
}

func readType(n *node) *workflow.DataType {
	if n == nil {
		return nil
	}
	t := &workflow.DataType{Name: eAttr(n, "name"), MultiLine: boolAttr(n, "multiLine"), Kind: eAttr(n, "kind")}
	for _, k := range n.Kids {
		switch {
		case k.is(nsE, "option"):
			t.Options = append(t.Options, workflow.Option{ID: eAttr(k, "id"), Name: eAttr(k, "name")})
		case k.is(nsE, "elementType"):
			t.ElementType = readType(k)
		case k.is(nsE, "candidateId"):
			t.CandidateIDs = append(t.CandidateIDs, eAttr(k, "value"))
		case k.is(nsE, "candidateGroupId"):
			t.CandidateGroupIDs = append(t.CandidateGroupIDs, eAttr(k, "value"))
		}
	}
	return t
}

func writeType(local string, t *workflow.DataType) *node {
	if t == nil {
		return nil
	}
	n := el(local).set("", "name", t.Name).set("", "kind", t.Kind)
	setBool(n, "multiLine", t.MultiLine)
	for _, o := range t.Options {
		n.add(el("option").set("", "id", o.ID).set("", "name", o.Name))
	}
	n.add(writeType("elementType", t.ElementType))
	for _, id := range t.CandidateIDs {
		n.add(el("candidateId").set("", "value", id))
	}
	for _, id := range t.CandidateGroupIDs {
		n.add(el("candidateGroupId").set("", "value", id))
	}
	return n
}

func readRelativeTime(n *node) *workflow.RelativeTime {
	if n == nil {
		return nil
	}
	rt := &workflow.RelativeTime{Type: eAttr(n, "type"), DurationUnit: eAttr(n, "durationUnit")}
	rt.Duration, _ = parseFinite(eAttr(n, "duration"))
	rt.AtHour = intAttr(n, "atHour")
	rt.AtMinute = intAttr(n, "atMinute")
	rt.Base = readBinding(n.child(nsE, "base"))
	return rt
}

func intAttr(n *node, local string) *int {
	v, err := strconv.Atoi(eAttr(n, local))
	if err != nil {
		return nil
	}
	return &v
}

func writeRelativeTime(local string, rt *workflow.RelativeTime) *node {
	if rt == nil {
		return nil
	}
	n := el(local).set("", "type", rt.Type)
	if rt.Duration != 0 {
		n.set("", "duration", formatFloat(rt.Duration))
	}
	n.set("", "durationUnit", rt.DurationUnit)
	if rt.AtHour != nil {
		n.set("", "atHour", strconv.Itoa(*rt.AtHour))
	}
	if rt.AtMinute != nil {
		n.set("", "atMinute", strconv.Itoa(*rt.AtMinute))
	}
	return n.add(writeBinding("base", rt.Base))
}

// parseFinite parses a float that JSON can hold (no NaN or infinity).
func parseFinite(s string) (float64, bool) {
	f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, false
	}
	return f, true
}

func formatFloat(f float64) string { return strconv.FormatFloat(f, 'g', -1, 64) }

// readProps reads <e:local key="" value=""/> children of n into a map.
func readProps(n *node, local string) map[string]json.RawMessage {
	var m map[string]json.RawMessage
	for _, k := range n.Kids {
		if !k.is(nsE, local) {
			continue
		}
		if m == nil {
			m = map[string]json.RawMessage{}
		}
		m[eAttr(k, "key")] = propValue(eAttr(k, "value"), eAttr(k, "type"))
	}
	return m
}

// propValue reads a property value: JSON, or Effektif's text with a Java
// type name.
func propValue(v, javaType string) json.RawMessage {
	switch javaType {
	case "":
		if json.Valid([]byte(v)) {
			return compact(json.RawMessage(v))
		}
	case "java.lang.Boolean", "java.lang.Integer", "java.lang.Long", "java.lang.Double":
		if json.Valid([]byte(v)) {
			return json.RawMessage(v)
		}
	}
	s, _ := json.Marshal(v)
	return s
}

func writeProps(local string, m map[string]json.RawMessage, skip ...string) []*node {
	var out []*node
	for _, k := range sortedMapKeys(m) {
		if slices.Contains(skip, k) {
			continue
		}
		out = append(out, el(local).set("", "key", k).set("", "value", string(compact(m[k]))))
	}
	return out
}

// readDocumentation removes n's documentation children and returns their
// text, trimmed, joined by blank lines.
func readDocumentation(n *node) string {
	var parts []string
	for _, d := range n.takeAll(nsModel, "documentation") {
		if t := strings.TrimSpace(d.Text); t != "" {
			parts = append(parts, t)
		}
	}
	return strings.Join(parts, "\n\n")
}

func writeDocumentation(text string) *node {
	if text == "" {
		return nil
	}
	d := newNode(nsModel, "documentation")
	d.Text = text
	return d
}

func readVariable(n *node) workflow.Variable {
	v := workflow.Variable{ID: eAttr(n, "id"), Name: eAttr(n, "name"), Description: readDocumentation(n)}
	v.Type = readType(n.child(nsE, "type"))
	if d := n.child(nsE, "default"); d != nil {
		v.DefaultValue = decodeValue(eAttr(d, "value"), boolAttr(d, "json"), v.Type)
	}
	v.Properties = readProps(n, "property")
	return v
}

func writeVariable(local string, v *workflow.Variable) *node {
	n := el(local).set("", "id", v.ID).set("", "name", v.Name)
	n.add(writeDocumentation(v.Description), writeType("type", v.Type))
	if len(v.DefaultValue) > 0 {
		val, isJSON := encodeValue(v.DefaultValue, v.Type)
		d := el("default")
		setAlways(d, "value", val)
		setBool(d, "json", isJSON)
		n.add(d)
	}
	return n.add(writeProps("property", v.Properties)...)
}

func readForm(n *node) *workflow.Form {
	if n == nil {
		return nil
	}
	f := &workflow.Form{Description: readDocumentation(n)}
	for _, k := range n.Kids {
		if !k.is(nsE, "field") {
			continue
		}
		field := workflow.FormField{
			ID: eAttr(k, "id"), Key: eAttr(k, "key"), Name: eAttr(k, "name"),
			ReadOnly: boolAttr(k, "readonly") || k.attr(nsModel, "readonly") == "true",
			Required: boolAttr(k, "required") || k.attr(nsModel, "required") == "true",
		}
		field.Description = readDocumentation(k)
		field.Type = readType(k.child(nsE, "type"))
		if b := k.child(nsE, "binding"); b != nil {
			field.Binding = readBinding(b)
		} else if k.hasAttr("", "expression") || k.hasAttr("", "value") {
			field.Binding = &workflow.Binding{Expression: eAttr(k, "expression")}
			if k.hasAttr("", "value") {
				field.Binding.Value = decodeValue(eAttr(k, "value"), false, field.Type)
			}
		}
		field.Properties = readProps(k, "property")
		f.Fields = append(f.Fields, field)
	}
	return f
}

func writeForm(f *workflow.Form) *node {
	if f == nil {
		return nil
	}
	n := el("form").add(writeDocumentation(f.Description))
	for i := range f.Fields {
		field := &f.Fields[i]
		k := el("field").set("", "id", field.ID).set("", "key", field.Key).set("", "name", field.Name)
		setBool(k, "readonly", field.ReadOnly)
		setBool(k, "required", field.Required)
		k.add(writeDocumentation(field.Description), writeType("type", field.Type), writeBinding("binding", field.Binding))
		n.add(k.add(writeProps("property", field.Properties)...))
	}
	return n
}

func readTrigger(n *node) *workflow.Trigger {
	if n == nil {
		return nil
	}
	t := &workflow.Trigger{Type: eAttr(n, "type"), EmailIDVariableID: eAttr(n, "emailIdVariableId")}
	t.Form = readForm(n.child(nsE, "form"))
	t.Outputs = readOutputs(n)
	return t
}

func writeTrigger(t *workflow.Trigger) *node {
	if t == nil {
		return nil
	}
	n := el("trigger").set("", "type", t.Type).set("", "emailIdVariableId", t.EmailIDVariableID)
	return n.add(writeForm(t.Form)).add(writeOutputs(t.Outputs)...)
}

// readOutputs reads <e:output key="" id=""/> children (result key ->
// variable id).
func readOutputs(n *node) map[string]string {
	var m map[string]string
	for _, k := range n.Kids {
		if k.is(nsE, "output") {
			if m == nil {
				m = map[string]string{}
			}
			m[eAttr(k, "key")] = eAttr(k, "id")
		}
	}
	return m
}

func writeOutputs(m map[string]string) []*node {
	var out []*node
	for _, k := range sortedMapKeys(m) {
		out = append(out, el("output").set("", "key", k).set("", "id", m[k]))
	}
	return out
}

// readInputs reads <e:input key="" …binding…/> children.
func readInputs(n *node) map[string]workflow.Binding {
	var m map[string]workflow.Binding
	for _, k := range n.Kids {
		if k.is(nsE, "input") {
			if m == nil {
				m = map[string]workflow.Binding{}
			}
			m[eAttr(k, "key")] = *readBinding(k)
		}
	}
	return m
}

func writeInputs(m map[string]workflow.Binding) []*node {
	var out []*node
	for _, k := range sortedMapKeys(m) {
		b := m[k]
		out = append(out, bindingAttrs(el("input").set("", "key", k), &b))
	}
	return out
}

func readTimer(n *node) workflow.Timer {
	t := workflow.Timer{ID: eAttr(n, "id"), Name: eAttr(n, "name"), NonInterrupting: boolAttr(n, "nonInterrupting")}
	if d, err := time.Parse(time.RFC3339Nano, eAttr(n, "dueDate")); err == nil {
		t.DueDate = &d
	}
	t.Due = readRelativeTime(n.child(nsE, "due"))
	for _, k := range n.Kids {
		if k.is(nsE, "toTransitionId") {
			t.ToTransitionIDs = append(t.ToTransitionIDs, eAttr(k, "value"))
		}
	}
	return t
}

func writeTimer(t *workflow.Timer) *node {
	n := el("timer").set("", "id", t.ID).set("", "name", t.Name)
	setBool(n, "nonInterrupting", t.NonInterrupting)
	if t.DueDate != nil {
		n.set("", "dueDate", t.DueDate.Format(time.RFC3339Nano))
	}
	n.add(writeRelativeTime("due", t.Due))
	for _, id := range t.ToTransitionIDs {
		n.add(el("toTransitionId").set("", "value", id))
	}
	return n
}

func readMultiInstance(n *node) *workflow.MultiInstance {
	mi := &workflow.MultiInstance{Sequential: boolAttr(n, "sequential")}
	if v := n.child(nsE, "variable"); v != nil {
		mi.Variable = readVariable(v)
	}
	for _, k := range n.Kids {
		switch {
		case k.is(nsE, "value"):
			mi.Values = append(mi.Values, *readBinding(k))
		case k.is(nsE, "cardinality"):
			mi.Cardinality = readBinding(k)
		case k.is(nsE, "completionCondition"):
			if first := firstIn(k, nsE); first != nil {
				mi.CompletionCondition = readCondition(first)
			}
		}
	}
	return mi
}

func writeMultiInstance(mi *workflow.MultiInstance) *node {
	n := el("multiInstance")
	setBool(n, "sequential", mi.Sequential)
	n.add(writeVariable("variable", &mi.Variable)).add(writeBindings("value", mi.Values)...)
	n.add(writeBinding("cardinality", mi.Cardinality))
	if mi.CompletionCondition != nil {
		if c, err := writeCondition(mi.CompletionCondition); err == nil {
			n.add(el("completionCondition").add(c))
		}
	}
	return n
}
