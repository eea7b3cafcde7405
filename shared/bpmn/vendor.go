package bpmn

import (
	"encoding/json"
	"strings"

	"github.com/effektif-serverless/caseflow/shared/workflow"
)

// This file reads what other modelers write for what the model holds.
// Each reader runs only when the Effektif extensions left the field empty,
// consumes what it maps, and leaves alone (kept in BPMN) what it cannot
// map exactly. Camunda 7's namespace stands for Activiti's and Flowable's
// too.

// identities reads a comma-separated list of user or group ids: each a
// literal id (a value binding) or ${path} / #{path} / =path (an expression
// binding). Any other expression makes the list unmappable.
func identities(s string) ([]workflow.Binding, bool) {
	var out []workflow.Binding
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		b, ok := identity(part)
		if !ok {
			return nil, false
		}
		out = append(out, b)
	}
	return out, len(out) > 0
}

func identity(s string) (workflow.Binding, bool) {
	if p, ok := exprPath(s); ok {
		return workflow.Binding{Expression: p}, true
	}
	if isExpression(s) || strings.ContainsAny(s, "(){}[] \t\n") {
		return workflow.Binding{}, false
	}
	v, _ := json.Marshal(s)
	return workflow.Binding{Value: v}, true
}

// assignment sets a user task's assignee and candidates from Camunda
// attributes (camunda:assignee, camunda:candidateUsers,
// camunda:candidateGroups), Zeebe's zeebe:assignmentDefinition, and the
// standard humanPerformer (assignee) and potentialOwner (candidates:
// user(id), group(id), or a plain id meaning a group, as in Camunda) when
// their formalExpression is such a list.
func assignment(n *node, a *workflow.Activity) {
	fromAttr := func(holder *node, space, local string, single bool, dst *[]workflow.Binding) {
		v := holder.attr(space, local)
		if v == "" || len(*dst) > 0 {
			return
		}
		if bs, ok := identities(v); ok && (!single || len(bs) == 1) {
			*dst = bs
			holder.take(space, local)
		}
	}
	var assignee []workflow.Binding
	if a.AssigneeID != nil {
		assignee = []workflow.Binding{*a.AssigneeID}
	}
	fromAttr(n, nsCamunda, "assignee", true, &assignee)
	fromAttr(n, nsCamunda, "candidateUsers", false, &a.CandidateIDs)
	fromAttr(n, nsCamunda, "candidateGroups", false, &a.CandidateGroupIDs)
	if x := n.ext(); x != nil {
		if z := x.child(nsZeebe, "assignmentDefinition"); z != nil {
			fromAttr(z, "", "assignee", true, &assignee)
			fromAttr(z, "", "candidateUsers", false, &a.CandidateIDs)
			fromAttr(z, "", "candidateGroups", false, &a.CandidateGroupIDs)
			if z.empty() {
				x.takeKid(z)
			}
		}
	}
	for _, k := range append([]*node(nil), n.Kids...) {
		var ok bool
		switch {
		case k.is(nsModel, "humanPerformer") && len(assignee) == 0:
			var bs []workflow.Binding
			if bs, ok = identities(performerExpression(k)); ok && len(bs) == 1 {
				assignee = bs
			} else {
				ok = false
			}
		case k.is(nsModel, "potentialOwner") && len(a.CandidateIDs) == 0 && len(a.CandidateGroupIDs) == 0:
			a.CandidateIDs, a.CandidateGroupIDs, ok = potentialOwners(performerExpression(k))
		}
		if ok {
			n.takeKid(k)
		}
	}
	if len(assignee) == 1 {
		a.AssigneeID = &assignee[0]
	}
}

// performerExpression is the formalExpression of a resource role that has
// nothing else (no resourceRef, no parameter bindings), or "".
func performerExpression(role *node) string {
	if len(role.Kids) != 1 || !role.Kids[0].is(nsModel, "resourceAssignmentExpression") {
		return ""
	}
	rae := role.Kids[0]
	if len(rae.Kids) != 1 || !rae.Kids[0].is(nsModel, "formalExpression") || len(rae.Kids[0].Kids) > 0 {
		return ""
	}
	return strings.TrimSpace(rae.Kids[0].Text)
}

func potentialOwners(expr string) (users, groups []workflow.Binding, ok bool) {
	for _, part := range strings.Split(expr, ",") {
		part = strings.TrimSpace(part)
		dst := &groups
		switch {
		case part == "":
			continue
		case strings.HasPrefix(part, "user(") && strings.HasSuffix(part, ")"):
			part, dst = part[5:len(part)-1], &users
		case strings.HasPrefix(part, "group(") && strings.HasSuffix(part, ")"):
			part = part[6 : len(part)-1]
		}
		b, valid := identity(strings.TrimSpace(part))
		if !valid {
			return nil, nil, false
		}
		*dst = append(*dst, b)
	}
	return users, groups, len(users)+len(groups) > 0
}

// camundaTypes maps camunda:formField types to data types.
var camundaTypes = map[string]string{"string": workflow.TypeText, "long": workflow.TypeNumber, "boolean": workflow.TypeBoolean, "date": workflow.TypeDate, "enum": workflow.TypeChoice}

// camundaForm reads a camunda:formData of simple fields (id, label, a known
// type, enum values, required/readonly constraints) into a form whose
// fields write the variable named by the field id.
func camundaForm(n *node) *workflow.Form {
	x := n.ext()
	if x == nil {
		return nil
	}
	fd := x.child(nsCamunda, "formData")
	if fd == nil || len(fd.Attrs) > 0 || len(fd.Kids) == 0 {
		return nil
	}
	f := &workflow.Form{}
	for _, k := range fd.Kids {
		field, ok := camundaField(k)
		if !ok {
			return nil
		}
		f.Fields = append(f.Fields, field)
	}
	x.takeKid(fd)
	return f
}

func camundaField(k *node) (workflow.FormField, bool) {
	var field workflow.FormField
	if !k.is(nsCamunda, "formField") {
		return field, false
	}
	id, typ := k.attr("", "id"), camundaTypes[k.attr("", "type")]
	if id == "" || typ == "" {
		return field, false
	}
	for _, a := range k.Attrs {
		if a.Name.Space != "" || a.Name.Local != "id" && a.Name.Local != "label" && a.Name.Local != "type" {
			return field, false
		}
	}
	field = workflow.FormField{ID: id, Name: k.attr("", "label"), Type: &workflow.DataType{Name: typ}, Binding: &workflow.Binding{Expression: id}}
	for _, c := range k.Kids {
		switch {
		case c.is(nsCamunda, "value") && typ == workflow.TypeChoice:
			field.Type.Options = append(field.Type.Options, workflow.Option{ID: c.attr("", "id"), Name: c.attr("", "name")})
		case c.is(nsCamunda, "validation"):
			for _, v := range c.Kids {
				switch v.attr("", "name") {
				case "required":
					field.Required = true
				case "readonly":
					field.ReadOnly = true
				default:
					return field, false
				}
			}
		default:
			return field, false
		}
	}
	return field, true
}

// hasWorker reports whether a send or service task is implemented by a
// worker or code rather than as an email: Effektif service keys, Camunda
// external tasks or delegates, a Zeebe job type.
func hasWorker(n *node) bool {
	for _, a := range []string{"serviceKey", "actionKey"} {
		if n.hasAttr(nsE, a) {
			return true
		}
	}
	for _, a := range []string{"type", "class", "expression", "delegateExpression"} {
		if n.hasAttr(nsCamunda, a) {
			return true
		}
	}
	return n.ext() != nil && n.ext().child(nsZeebe, "taskDefinition") != nil
}

// serviceKey reads the service of a service task from camunda:topic (of a
// camunda:type="external" task) or zeebe:taskDefinition's type.
func serviceKey(n *node) string {
	if n.attr(nsCamunda, "type") == "external" {
		if t := n.attr(nsCamunda, "topic"); t != "" && !isExpression(t) {
			n.take(nsCamunda, "type")
			return n.take(nsCamunda, "topic")
		}
	}
	if x := n.ext(); x != nil {
		if td := x.child(nsZeebe, "taskDefinition"); td != nil {
			if t := td.attr("", "type"); t != "" && !isExpression(t) {
				x.takeKid(td)
				return t
			}
		}
	}
	return ""
}

// calledElement reads zeebe:calledElement's processId.
func calledElement(n *node) string {
	if x := n.ext(); x != nil {
		if ce := x.child(nsZeebe, "calledElement"); ce != nil {
			if p := ce.attr("", "processId"); p != "" && !isExpression(p) {
				x.takeKid(ce)
				return p
			}
		}
	}
	return ""
}

// camundaInOut reads camunda:in (source or sourceExpression ${path} ->
// target) and camunda:out (source -> target) variable mappings of a call
// activity, when all of them are that simple.
func camundaInOut(n *node, a *workflow.Activity) {
	x := n.ext()
	if x == nil || a.InputBindings != nil || a.OutputBindings != nil {
		return
	}
	in, out := map[string]workflow.Binding{}, map[string]string{}
	var used []*node
	for _, k := range x.Kids {
		if k.Name.Space != nsCamunda || k.Name.Local != "in" && k.Name.Local != "out" {
			continue
		}
		src, target := k.attr("", "source"), k.attr("", "target")
		if se := k.attr("", "sourceExpression"); se != "" && src == "" && k.Name.Local == "in" {
			p, ok := exprPath(se)
			if !ok {
				return
			}
			src = p
		}
		switch {
		case src == "" || target == "" || len(k.Attrs) != 2:
			return
		case k.Name.Local == "in":
			in[target] = workflow.Binding{Expression: src}
		default:
			out[src] = target
		}
		used = append(used, k)
	}
	for _, k := range used {
		x.takeKid(k)
	}
	if len(in) > 0 {
		a.InputBindings = in
	}
	if len(out) > 0 {
		a.OutputBindings = out
	}
}

// camundaCollection reads a multi-instance collection and element variable
// from camunda:collection / camunda:elementVariable or Zeebe's
// loopCharacteristics inputCollection / inputElement.
func camundaCollection(mi *node) (collection, element string, ok bool) {
	if c := mi.attr(nsCamunda, "collection"); c != "" {
		if p, isPath := exprPath(c); isPath {
			return p, mi.attr(nsCamunda, "elementVariable"), true
		}
		if pathRE().MatchString(c) {
			return c, mi.attr(nsCamunda, "elementVariable"), true
		}
		return "", "", false
	}
	if x := mi.ext(); x != nil {
		if z := x.child(nsZeebe, "loopCharacteristics"); z != nil {
			if p, isPath := exprPath(z.attr("", "inputCollection")); isPath {
				return p, z.attr("", "inputElement"), true
			}
		}
	}
	return "", "", false
}

// MailConnectorID is the connectorId of Camunda 7's mail connector
// (camunda-bpm-mail), whose send task inputs camundaMail maps.
const MailConnectorID = "mail-send"

// camundaMail maps a send task's camunda:connector of the mail connector
// (connectorId mail-send) onto the email activity: the input parameters
// to, cc, bcc (comma-separated addresses, each a literal or ${path}), from,
// subject, text and html (texts whose ${path} become {{path}}). It maps
// all or nothing: the connector is consumed only when every part of it is
// mapped, and otherwise stays in the BPMN while problem says what is left
// ("" when there is no connector or it was mapped). A task that already
// has recipients or texts from the Effektif extensions keeps them and its
// connector.
func camundaMail(n *node, a *workflow.Activity) (problem string) {
	x := n.ext()
	if x == nil {
		return ""
	}
	conn := x.child(nsCamunda, "connector")
	if conn == nil {
		return ""
	}
	id := ""
	if k := conn.child(nsCamunda, "connectorId"); k != nil {
		id = strings.TrimSpace(k.Text)
	}
	if id != MailConnectorID {
		return "its connector " + quoteID(id) + " is not the mail connector (" + MailConnectorID + ")"
	}
	if len(a.ToEmailAddresses)+len(a.ToUserIDs)+len(a.ToGroupIDs)+len(a.CcEmailAddresses)+len(a.CcUserIDs)+len(a.CcGroupIDs)+
		len(a.BccEmailAddresses)+len(a.BccUserIDs)+len(a.BccGroupIDs) > 0 ||
		a.Subject != "" || a.BodyText != "" || a.BodyHTML != "" || a.FromEmailAddress != nil {
		return "it has both Effektif email settings and a mail connector; the connector is kept in the BPMN only"
	}
	var m workflow.Activity
	for _, k := range conn.Kids {
		switch {
		case k.is(nsCamunda, "connectorId") && len(k.Kids) == 0 && len(k.Attrs) == 0:
		case k.is(nsCamunda, "inputOutput") && len(k.Attrs) == 0:
			for _, p := range k.Kids {
				if why := mailInput(p, &m); why != "" {
					return why
				}
			}
		default:
			return "its mail connector has " + k.Name.Local + ", which the email activity has no place for"
		}
	}
	if len(m.ToEmailAddresses)+len(m.CcEmailAddresses)+len(m.BccEmailAddresses) == 0 {
		return "its mail connector names no recipient (to, cc or bcc)"
	}
	a.ToEmailAddresses, a.CcEmailAddresses, a.BccEmailAddresses = m.ToEmailAddresses, m.CcEmailAddresses, m.BccEmailAddresses
	a.FromEmailAddress, a.Subject, a.BodyText, a.BodyHTML = m.FromEmailAddress, m.Subject, m.BodyText, m.BodyHTML
	x.takeKid(conn)
	return ""
}

// mailInput maps one camunda:inputParameter of the mail connector, or says
// why it cannot.
func mailInput(p *node, m *workflow.Activity) string {
	name := p.attr("", "name")
	if !p.is(nsCamunda, "inputParameter") || len(p.Attrs) != 1 || name == "" {
		return "its mail connector has " + p.Name.Local + " " + quoteID(name) + ", which the email activity has no place for"
	}
	if len(p.Kids) > 0 {
		return "the mail connector's input " + quoteID(name) + " is a " + p.Kids[0].Name.Local + ", not a text"
	}
	value := strings.TrimSpace(p.Text)
	switch name {
	case "to", "cc", "bcc":
		var list []workflow.Binding
		for _, part := range strings.Split(value, ",") {
			if part = strings.TrimSpace(part); part == "" {
				continue
			}
			b, ok := identity(part)
			if !ok {
				return "the mail connector's input " + name + " holds " + quoteID(part) + ", neither an address nor ${path}"
			}
			list = append(list, b)
		}
		switch name {
		case "to":
			m.ToEmailAddresses = list
		case "cc":
			m.CcEmailAddresses = list
		default:
			m.BccEmailAddresses = list
		}
	case "from":
		if value == "" {
			return ""
		}
		b, ok := identity(value)
		if !ok {
			return "the mail connector's input from holds " + quoteID(value) + ", neither an address nor ${path}"
		}
		m.FromEmailAddress = &b
	case "subject", "text", "html":
		tpl, ok := camundaTemplate(p.Text)
		if !ok {
			return "the mail connector's input " + name + " has an expression other than ${path}"
		}
		switch name {
		case "subject":
			m.Subject = strings.TrimSpace(tpl)
		case "text":
			m.BodyText = strings.TrimSpace(tpl)
		default:
			m.BodyHTML = strings.TrimSpace(tpl)
		}
	default:
		return "the mail connector's input " + quoteID(name) + " has no place in the email activity"
	}
	return ""
}

// camundaTemplate turns a text with ${path} (or #{path}) expressions into
// an engine template with {{path}}; false for any other expression, or a
// text that has {{ of its own.
func camundaTemplate(s string) (string, bool) {
	if strings.Contains(s, "{{") {
		return "", false
	}
	var b strings.Builder
	for {
		i := strings.IndexAny(s, "$#")
		if i < 0 || i+1 >= len(s) || s[i+1] != '{' {
			if i < 0 || i+1 >= len(s) {
				b.WriteString(s)
				return b.String(), true
			}
			b.WriteString(s[:i+1])
			s = s[i+1:]
			continue
		}
		end := strings.IndexByte(s[i:], '}')
		if end < 0 {
			return "", false
		}
		path, ok := exprPath(s[i : i+end+1])
		if !ok {
			return "", false
		}
		b.WriteString(s[:i])
		b.WriteString("{{" + path + "}}")
		s = s[i+end+1:]
	}
}

func quoteID(s string) string { return `"` + s + `"` }
