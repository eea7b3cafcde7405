package bpmn

import (
	"encoding/json"
	"strconv"
	"strings"

	"github.com/effektif-serverless/caseflow/shared/workflow"
)

// Readers of the type-specific parts of activities (see the package
// documentation for the mapping).

// multiInstance reads e:multiInstance, else a multiInstanceLoopCharacteristics
// (classify checked it): its collection (camunda:collection, Zeebe's
// inputCollection), loopCardinality and completionCondition; none of them
// means one element.
func multiInstance(n *node, a *workflow.Activity) {
	mi := n.child(nsModel, "multiInstanceLoopCharacteristics")
	if em := n.takeExt1(nsE, "multiInstance"); em != nil {
		a.MultiInstance = readMultiInstance(em)
	} else if mi != nil {
		m := &workflow.MultiInstance{Sequential: mi.attr("", "isSequential") == "true"}
		if coll, elem, ok := camundaCollection(mi); ok {
			m.Variable = workflow.Variable{ID: elem}
			m.Values = []workflow.Binding{{Expression: coll}}
		}
		if lc := mi.child(nsModel, "loopCardinality"); lc != nil {
			m.Cardinality, _ = readCardinality(lc.Text)
		}
		if cc := mi.child(nsModel, "completionCondition"); cc != nil {
			m.CompletionCondition, _ = parseCondition(cc.Text)
		}
		a.MultiInstance = m
	}
	if mi != nil {
		n.takeKid(mi)
	}
}

// multiInstanceMarker is the standard multiInstanceLoopCharacteristics
// written beside e:multiInstance, for other tools.
func multiInstanceMarker(mi *workflow.MultiInstance) *node {
	marker := newNode(nsModel, "multiInstanceLoopCharacteristics")
	setBool(marker, "isSequential", mi.Sequential)
	if mi.Cardinality != nil {
		if text, ok := cardinalityText(mi.Cardinality); ok {
			marker.add(formalExpr("loopCardinality", text))
		}
	}
	if mi.CompletionCondition != nil {
		if text, ok := renderCondition(mi.CompletionCondition); ok {
			marker.add(formalExpr("completionCondition", text))
		}
	}
	return marker
}

// standardLoop reads e:loop, else a standardLoopCharacteristics (classify
// checked it): testBefore, loopMaximum and loopCondition.
func standardLoop(n *node, a *workflow.Activity) {
	sl := n.child(nsModel, "standardLoopCharacteristics")
	if el := n.takeExt1(nsE, "loop"); el != nil {
		lp := &workflow.Loop{TestBefore: boolAttr(el, "testBefore")}
		lp.Maximum, _ = strconv.Atoi(eAttr(el, "maximum"))
		if c := el.child(nsE, "condition"); c != nil {
			if first := firstIn(c, nsE); first != nil {
				lp.Condition = readCondition(first)
			}
		}
		a.Loop = lp
	} else if sl != nil {
		lp := &workflow.Loop{TestBefore: sl.attr("", "testBefore") == "true"}
		lp.Maximum, _ = strconv.Atoi(sl.attr("", "loopMaximum"))
		if lc := sl.child(nsModel, "loopCondition"); lc != nil && strings.TrimSpace(lc.Text) != "" {
			lp.Condition, _ = parseCondition(lc.Text)
		}
		a.Loop = lp
	}
	if sl != nil {
		n.takeKid(sl)
	}
}

// writeLoop writes e:loop, the exact form of a loop.
func writeLoop(lp *workflow.Loop) *node {
	n := el("loop")
	setBool(n, "testBefore", lp.TestBefore)
	if lp.Maximum != 0 {
		n.set("", "maximum", strconv.Itoa(lp.Maximum))
	}
	if lp.Condition != nil {
		if c, err := writeCondition(lp.Condition); err == nil {
			n.add(el("condition").add(c))
		}
	}
	return n
}

// loopMarker is the standard standardLoopCharacteristics written beside
// e:loop, for other tools.
func loopMarker(lp *workflow.Loop) *node {
	n := newNode(nsModel, "standardLoopCharacteristics")
	setBool(n, "testBefore", lp.TestBefore)
	if lp.Maximum != 0 {
		n.set("", "loopMaximum", strconv.Itoa(lp.Maximum))
	}
	if lp.Condition != nil {
		if text, ok := renderCondition(lp.Condition); ok {
			n.add(formalExpr("loopCondition", text))
		}
	}
	return n
}

func userTask(n *node, a *workflow.Activity) {
	if t := n.takeExt1(nsE, "taskName"); t != nil {
		a.TaskName = eAttr(t, "value")
	}
	a.AssigneeID = readBinding(n.takeExt1(nsE, "assigneeId"))
	a.CandidateIDs = readBindings(n, "candidateId")
	a.CandidateGroupIDs = append(readBindings(n, "candidateGroupId"), readBindings(n, "candidateGroupIds")...)
	a.Form = readForm(n.takeExt1(nsE, "form"))
	a.DueDate = readRelativeTime(n.takeExt1(nsE, "dueDate"))
	if x := n.ext(); x != nil {
		if acc := x.child(nsE, "access"); acc != nil && json.Valid([]byte(eAttr(acc, "value"))) {
			a.Access = compact(json.RawMessage(eAttr(acc, "value")))
			x.takeKid(acc)
		}
	}
	assignment(n, a)
	if a.Form == nil {
		a.Form = camundaForm(n)
	}
}

// emailLists are the email task's binding lists and their element names.
func emailLists(a *workflow.Activity) []struct {
	local string
	list  *[]workflow.Binding
} {
	return []struct {
		local string
		list  *[]workflow.Binding
	}{
		{"toEmailAddress", &a.ToEmailAddresses}, {"toUserId", &a.ToUserIDs}, {"toGroupId", &a.ToGroupIDs},
		{"ccEmailAddress", &a.CcEmailAddresses}, {"ccUserId", &a.CcUserIDs}, {"ccGroupId", &a.CcGroupIDs},
		{"bccEmailAddress", &a.BccEmailAddresses}, {"bccUserId", &a.BccUserIDs}, {"bccGroupId", &a.BccGroupIDs},
		{"attachmentFileId", &a.AttachmentFileIDs},
	}
}

// emailTexts are the email task's texts and their element names.
func emailTexts(a *workflow.Activity) []struct {
	local string
	text  *string
} {
	return []struct {
		local string
		text  *string
	}{{"subject", &a.Subject}, {"bodyText", &a.BodyText}, {"bodyHtml", &a.BodyHTML}}
}

func emailTask(n *node, a *workflow.Activity) {
	n.take(nsE, "type")
	a.FromEmailAddress = readBinding(n.takeExt1(nsE, "fromEmailAddress"))
	for _, l := range emailLists(a) {
		*l.list = readBindings(n, l.local)
	}
	for _, t := range emailTexts(a) {
		if k := n.takeExt1(nsE, t.local); k != nil {
			*t.text = k.Text
		}
	}
}

func serviceTask(n *node, a *workflow.Activity) {
	a.ServiceKey, a.ActionKey = n.take(nsE, "serviceKey"), n.take(nsE, "actionKey")
	typ := n.take(nsE, "type")
	if a.ServiceKey == "" {
		a.ServiceKey = serviceKey(n)
	}
	if a.ServiceKey == "" {
		a.ServiceKey = typ
	}
	if a.ServiceKey == "" {
		a.ServiceKey = DefaultServiceKey
	}
	if a.ActionKey == "" {
		a.ActionKey = a.ID
	}
}

func scriptTask(n *node, a *workflow.Activity) {
	s := &workflow.Script{Language: n.take("", "scriptFormat")}
	found := s.Language != ""
	for _, k := range n.takeAll(nsModel, "script") {
		s.Script, found = strings.TrimSpace(k.Text), true
	}
	if l := n.takeExt1(nsE, "language"); l != nil {
		s.Language, found = l.Text, true
	}
	if k := n.takeExt1(nsE, "script"); k != nil {
		s.Script, found = k.Text, true
	}
	for _, m := range n.takeExt(nsE, "mapping") {
		if s.Mappings == nil {
			s.Mappings = map[string]string{}
		}
		s.Mappings[eAttr(m, "scriptVariableName")] = eAttr(m, "workflowVariableId")
		found = true
	}
	if found {
		a.Script = s
	}
}

func callActivity(n *node, a *workflow.Activity) {
	a.SubWorkflowSource = n.take("", "calledElement")
	if a.SubWorkflowSource == "" {
		a.SubWorkflowSource = calledElement(n)
	}
	if s := n.take(nsE, "subWorkflowSource"); s != "" {
		a.SubWorkflowSource = s
	}
	a.SubWorkflowID = n.take(nsE, "subWorkflowId")
	camundaInOut(n, a)
}
