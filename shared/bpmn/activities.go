package bpmn

import (
	"encoding/json"
	"strings"

	"github.com/effektif-serverless/caseflow/shared/workflow"
)

// Readers of the type-specific parts of activities (see the package
// documentation for the mapping).

func multiInstance(n *node, a *workflow.Activity) {
	mi := n.child(nsModel, "multiInstanceLoopCharacteristics")
	if em := n.takeExt1(nsE, "multiInstance"); em != nil {
		a.MultiInstance = readMultiInstance(em)
	} else if mi != nil {
		coll, elem, _ := camundaCollection(mi)
		a.MultiInstance = &workflow.MultiInstance{
			Variable:   workflow.Variable{ID: elem},
			Values:     []workflow.Binding{{Expression: coll}},
			Sequential: mi.attr("", "isSequential") == "true",
		}
	}
	if mi != nil {
		n.takeKid(mi)
	}
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
