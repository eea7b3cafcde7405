package engine

import (
	"encoding/json"
	"slices"

	"github.com/effektif-serverless/caseflow/shared/workflow"
)

// wait makes an activity instance wait and emits what it waits for: a
// task, an action instance, a sub-workflow start or its timer (a timer
// event without a due time never fires). Receive tasks and catch events
// only wait. Boundary timers are armed here (for a multi-instance activity
// on its container instead).
func (r *run) wait(ai *ActivityInstance, n *node) {
	ai.WorkState = wsWaiting
	switch n.act.Type {
	case workflow.UserTask:
		r.fx.Tasks = append(r.fx.Tasks, r.taskRequest(ai, n))
	case workflow.ServiceTask:
		if r.fx.ServiceActions == nil {
			// Room for two: service tasks often follow a split.
			r.fx.ServiceActions = make([]ServiceActionRequest, 0, 2)
		}
		r.fx.ServiceActions = append(r.fx.ServiceActions, ServiceActionRequest{
			ActivityInstanceID: ai.ID,
			ActivityID:         n.act.ID,
			ServiceKey:         n.act.ServiceKey,
			ActionKey:          n.act.ActionKey,
			Configuration:      n.act.Configuration,
			InputValues:        r.inputs(ai, n.act.InputBindings, n.inputKeys, false),
		})
	case workflow.CallActivity:
		if n.act.SubWorkflowID == "" && n.act.SubWorkflowSource == "" {
			break // nothing to call: it waits for Message
		}
		r.fx.SubWorkflows = append(r.fx.SubWorkflows, SubWorkflowRequest{
			ActivityInstanceID: ai.ID,
			ActivityID:         n.act.ID,
			SubWorkflowID:      n.act.SubWorkflowID,
			SubWorkflowSource:  n.act.SubWorkflowSource,
			Data:               r.inputs(ai, n.act.InputBindings, n.inputKeys, true),
		})
	case workflow.TimerEvent:
		if n.act.Due != nil {
			due, ok := r.resolveTime(ai, n.act.Due)
			if !ok {
				due = r.now
			}
			r.schedule(ai.ID, "", due, 0)
		}
	}
	if !r.isElement(ai) {
		r.armBoundary(ai, n)
	}
}

// inputs resolves input bindings in key order (keys are the bindings'
// keys, sorted); keys without a value are left out. typed wraps each value
// as a TypedValue.
func (r *run) inputs(ai *ActivityInstance, bindings map[string]workflow.Binding, keys []string, typed bool) map[string]json.RawMessage {
	var out map[string]json.RawMessage
	if len(keys) == 0 {
		return nil
	}
	vs := r.vars(ai)
	for _, k := range keys {
		b := bindings[k]
		v, t := evalBinding(vs, &b)
		raw := encode(v)
		if raw == nil {
			continue
		}
		if typed {
			raw = wrap(raw, t)
		}
		if out == nil {
			out = map[string]json.RawMessage{}
		}
		out[k] = raw
	}
	return out
}

// receive writes the values a Message brings, by activity type.
func (r *run) receive(ai *ActivityInstance, n *node, values map[string]json.RawMessage) error {
	switch n.act.Type {
	case workflow.UserTask:
		if n.act.Form == nil {
			return nil
		}
		return r.submitForm(ai, n.act.Form, values)
	case workflow.ServiceTask, workflow.CallActivity:
		for _, key := range n.outputKeys {
			raw, ok := values[key]
			if !ok {
				continue
			}
			if err := r.setTyped(ai, n.act.OutputBindings[key], raw); err != nil {
				return err
			}
		}
		return nil
	}
	for _, key := range sortedKeys(values) {
		if err := r.setTyped(ai, key, values[key]); err != nil {
			return err
		}
	}
	return nil
}

// taskRequest builds the task of a user task activity instance.
func (r *run) taskRequest(ai *ActivityInstance, n *node) TaskRequest {
	a := n.act
	vs := r.vars(ai)
	t := TaskRequest{
		ActivityInstanceID: ai.ID,
		ActivityID:         a.ID,
		Name:               render(vs, a.TaskName, false),
		Description:        render(vs, a.Description, false),
	}
	if t.Name == "" {
		t.Name = a.Name
	}
	if t.Name == "" {
		t.Name = a.ID
	}
	if v, _ := evalBinding(vs, a.AssigneeID); v != nil {
		t.AssigneeID = textOf(v)
	}
	if role := bareVariable(a.AssigneeID); role != "" {
		if rt := r.g.varType(role); rt != nil && rt.Name == workflow.TypeUser {
			t.RoleVariableID = role
			t.CandidateIDs = slices.Clone(rt.CandidateIDs)
			t.CandidateGroupIDs = slices.Clone(rt.CandidateGroupIDs)
		}
	}
	t.CandidateIDs = appendNew(t.CandidateIDs, texts(vs, a.CandidateIDs))
	t.CandidateGroupIDs = appendNew(t.CandidateGroupIDs, texts(vs, a.CandidateGroupIDs))
	if t.AssigneeID == "" && len(t.CandidateIDs) == 1 && len(t.CandidateGroupIDs) == 0 {
		t.AssigneeID = t.CandidateIDs[0]
		if t.RoleVariableID != "" {
			// The value is a plain non-empty id, which a userId accepts.
			_ = r.setVar(ai, t.RoleVariableID, encode(t.AssigneeID), nil)
		}
	}
	if a.Form != nil {
		t.Form = buildForm(r.g, vs, a.Form)
	}
	if due, ok := r.resolveTime(ai, a.DueDate); ok {
		d := due // allocated only when there is a due date
		t.DueDate = &d
	}
	return t
}

func appendNew(list, more []string) []string {
	for _, s := range more {
		if !contains(list, s) {
			list = append(list, s)
		}
	}
	return list
}

// emailRequest builds the mail of an email task.
func (r *run) emailRequest(ai *ActivityInstance, n *node) EmailRequest {
	a := n.act
	vs := r.vars(ai)
	m := EmailRequest{
		ActivityInstanceID: ai.ID,
		ActivityID:         a.ID,
		To:                 Recipients{texts(vs, a.ToEmailAddresses), texts(vs, a.ToUserIDs), texts(vs, a.ToGroupIDs)},
		Cc:                 Recipients{texts(vs, a.CcEmailAddresses), texts(vs, a.CcUserIDs), texts(vs, a.CcGroupIDs)},
		Bcc:                Recipients{texts(vs, a.BccEmailAddresses), texts(vs, a.BccUserIDs), texts(vs, a.BccGroupIDs)},
		Subject:            render(vs, a.Subject, false),
		BodyText:           render(vs, a.BodyText, false),
		BodyHTML:           render(vs, a.BodyHTML, true),
		AttachmentFileIDs:  texts(vs, a.AttachmentFileIDs),
	}
	if v, _ := evalBinding(vs, a.FromEmailAddress); v != nil {
		m.From = textOf(v)
	}
	return m
}

// startScope starts an embedded subprocess: its variables, its boundary
// timers, the timers of its event sub-processes and the given start
// activities. With no activities it completes at once (when its scope
// settles).
func (r *run) startScope(ai *ActivityInstance, n *node, starts []*node) error {
	ai.WorkState = wsScope
	if err := r.initVariables(ai, n.inner.vars); err != nil {
		return err
	}
	if !r.isElement(ai) {
		r.armBoundary(ai, n)
	}
	r.armScope(ai, n.inner)
	for _, s := range starts {
		r.create(ai, s, "")
	}
	r.markDirty(ai)
	return nil
}
