package engine

import (
	"encoding/json"
	"time"

	"github.com/effektif-serverless/caseflow/shared/workflow"
)

// Effects is what an operation asks the application to do once the new
// instance state is persisted (in the same conditional transaction where
// possible). The engine never performs any of it itself.
type Effects struct {
	// Tasks to create for user tasks that started waiting.
	Tasks []TaskRequest `json:"tasks,omitempty"`
	// Emails to send (email tasks do not wait for them).
	Emails []EmailRequest `json:"emails,omitempty"`
	// ServiceActions to create as Service action instances for external
	// workers; the activity instance waits until Message with the outputs.
	ServiceActions []ServiceActionRequest `json:"serviceActions,omitempty"`
	// SubWorkflows to start for call activities: Start(sub, ...,
	// Trigger{Data: Data, CallerWorkflowInstanceID: this instance,
	// CallerActivityInstanceID: ActivityInstanceID}), then
	// SetCalledWorkflowInstance on this instance. A call activity
	// interrupted in the same operation requests nothing.
	SubWorkflows []SubWorkflowRequest `json:"subWorkflows,omitempty"`
	// CallerNotification is set when an instance started by a call
	// activity ended normally: the application calls Message on the caller
	// instance with it; or, with Failed set, when an error nothing in it
	// caught ended it: the application calls Fail on the caller instance
	// with ErrorCode.
	CallerNotification *CallerNotification `json:"callerNotification,omitempty"`
	// Escalations are escalations that nothing in this instance caught,
	// of an instance started by a call activity: the application calls
	// Escalate on the caller instance for each.
	Escalations []Escalation `json:"escalations,omitempty"`
	// Signals are the names of the signals thrown in this operation, in
	// order. They reached this instance's receivers already; to broadcast
	// one to other instances, the application calls Trigger(wf, other,
	// workflow.EventSignal, name, nil) on those whose Subscriptions list
	// it.
	Signals []string `json:"signals,omitempty"`
	// Timers scheduled (index them by due date).
	Timers []TimerInstance `json:"timers,omitempty"`
	// CanceledTimers were scheduled before this operation and are gone now
	// (remove them from the index).
	CanceledTimers []TimerInstance `json:"canceledTimers,omitempty"`
	// CanceledActivityInstances are waiting activity instances that were
	// interrupted (boundary event, event sub-process, event-based gateway,
	// terminate end event, Fail, Cancel): cancel their tasks, action
	// instances or called sub-instances.
	CanceledActivityInstances []CanceledActivityInstance `json:"canceledActivityInstances,omitempty"`
	// VariableChanges lists each variable whose value changed, once, with
	// its value before and after the operation.
	VariableChanges []VariableChange `json:"variableChanges,omitempty"`
	// Ended is true when the instance ended in this operation.
	Ended bool `json:"ended,omitempty"`
}

// TaskRequest asks for a task for a waiting user task activity instance.
type TaskRequest struct {
	ActivityInstanceID string `json:"activityInstanceId"`
	ActivityID         string `json:"activityId"`
	// Name is the taskName template resolved, else the activity name, else
	// its id.
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
	AssigneeID  string `json:"assigneeId,omitempty"`
	// CandidateIDs and CandidateGroupIDs come from the role variable's
	// type and from the candidate bindings, without duplicates. When there
	// is no assignee and exactly one candidate user (and no group), that
	// user is the assignee (and is written to the role variable).
	CandidateIDs      []string `json:"candidateIds,omitempty"`
	CandidateGroupIDs []string `json:"candidateGroupIds,omitempty"`
	// RoleVariableID is set when the assignee binding is a bare userId
	// variable.
	RoleVariableID string        `json:"roleVariableId,omitempty"`
	Form           *FormInstance `json:"form,omitempty"`
	DueDate        *time.Time    `json:"dueDate,omitempty"`
}

// EmailRequest asks to send a mail for an email task. Users and groups
// are ids the application resolves to addresses.
type EmailRequest struct {
	ActivityInstanceID string     `json:"activityInstanceId"`
	ActivityID         string     `json:"activityId"`
	From               string     `json:"from,omitempty"`
	To                 Recipients `json:"to"`
	Cc                 Recipients `json:"cc"`
	Bcc                Recipients `json:"bcc"`
	Subject            string     `json:"subject,omitempty"`
	BodyText           string     `json:"bodyText,omitempty"`
	// BodyHTML has its {{expr}} values HTML-escaped.
	BodyHTML          string   `json:"bodyHtml,omitempty"`
	AttachmentFileIDs []string `json:"attachmentFileIds,omitempty"`
}

// Recipients of one header of a mail.
type Recipients struct {
	EmailAddresses []string `json:"emailAddresses,omitempty"`
	UserIDs        []string `json:"userIds,omitempty"`
	GroupIDs       []string `json:"groupIds,omitempty"`
}

// ServiceActionRequest asks for an action instance for a service task.
type ServiceActionRequest struct {
	ActivityInstanceID string                     `json:"activityInstanceId"`
	ActivityID         string                     `json:"activityId"`
	ServiceKey         string                     `json:"serviceKey"`
	ActionKey          string                     `json:"actionKey"`
	Configuration      map[string]json.RawMessage `json:"configuration,omitempty"`
	// InputValues are the inputBindings resolved (raw values; keys without
	// a value are left out).
	InputValues map[string]json.RawMessage `json:"inputValues,omitempty"`
}

// SubWorkflowRequest asks to start a sub-workflow for a call activity.
type SubWorkflowRequest struct {
	ActivityInstanceID string `json:"activityInstanceId"`
	ActivityID         string `json:"activityId"`
	SubWorkflowID      string `json:"subWorkflowId,omitempty"`
	// SubWorkflowSource is the editor workflow id whose published version
	// runs, when SubWorkflowID is empty.
	SubWorkflowSource string `json:"subWorkflowSource,omitempty"`
	// Data is the trigger data for the sub-instance: the inputBindings
	// resolved, as TypedValue wrappers keyed by the binding key.
	Data map[string]json.RawMessage `json:"data,omitempty"`
}

// CallerNotification tells the application that a sub-instance ended:
// call Message(callerWorkflow, caller, ActivityInstanceID, Values), or,
// when Failed, Fail(callerWorkflow, caller, ActivityInstanceID, ErrorCode,
// Values).
type CallerNotification struct {
	WorkflowInstanceID string `json:"workflowInstanceId"`
	ActivityInstanceID string `json:"activityInstanceId"`
	// Values are the sub-instance's workflow-level variables that have a
	// value, as TypedValue wrappers keyed by variable id.
	Values map[string]json.RawMessage `json:"values,omitempty"`
	// Failed says that an error nothing caught ended the sub-instance
	// (EndState EndError); ErrorCode is its code.
	Failed    bool   `json:"failed,omitempty"`
	ErrorCode string `json:"errorCode,omitempty"`
}

// Escalation is an escalation a sub-instance threw and did not catch:
// call Escalate(callerWorkflow, caller, ActivityInstanceID, Code).
type Escalation struct {
	WorkflowInstanceID string `json:"workflowInstanceId"`
	ActivityInstanceID string `json:"activityInstanceId"`
	Code               string `json:"code,omitempty"`
}

// CanceledActivityInstance is a waiting activity instance that was
// interrupted.
type CanceledActivityInstance struct {
	ActivityInstanceID string `json:"activityInstanceId"`
	ActivityID         string `json:"activityId"`
	// ActivityType says what to clean up: userTask (its task), serviceTask
	// (its action instance), call (CalledWorkflowInstanceID); receiveTask,
	// timerEvent and catchEvent need nothing.
	ActivityType             string `json:"activityType"`
	CalledWorkflowInstanceID string `json:"calledWorkflowInstanceId,omitempty"`
}

// VariableChange is a variable whose value changed in an operation.
type VariableChange struct {
	VariableID string             `json:"variableId"`
	Type       *workflow.DataType `json:"type,omitempty"`
	Old        json.RawMessage    `json:"old,omitempty"`
	New        json.RawMessage    `json:"new,omitempty"`
}
