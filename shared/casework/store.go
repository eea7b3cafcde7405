package casework

import (
	"context"
	"fmt"
	"time"

	"github.com/effektif-serverless/caseflow/shared/failure"
)

// Changes are writes that happen together, in one transaction: a case or
// task is written on condition of its version (Version-1 stored, or absent
// when New), so that concurrent changes never overwrite each other.
type Changes struct {
	Cases  []CaseWrite
	Tasks  []TaskWrite
	Events []Event
	Files  []FileWrite
	Emails []Email
	// Once are keys of things that must happen only once (an inbound mail
	// processed for a recipient): the transaction fails with ErrDone when
	// one of them was recorded before, and records them otherwise.
	Once      []OnceMark
	Instances []InstanceWrite
	Timers    []TimerEntry
	Outbox    []OutboxMail
	Actions   []ActionInstance
	// EndedActions are action instances to remove: as OrganizationID/ID
	// pairs when their activity was interrupted; with a Version (the one
	// read) and WorkerID when a worker ended them, on condition that both
	// are still stored (Conflict otherwise).
	EndedActions []ActionInstance
	// ActionUpdates change action instances' locks, retries or incidents.
	ActionUpdates []ActionUpdate
	// MailQuota, when set, counts the Outbox's recipients against the
	// organization's mail quota in the same transaction (ErrMailQuota when
	// the window has no room left for them).
	MailQuota *MailQuota
	// Counts adjusts the organization's case statistics.
	Counts *CountsDelta
	// OrganizationID scopes Counts.
	OrganizationID string
}

// CaseWrite is one case to store or delete. Previous is the case as it
// was read (nil when New): the store uses it to maintain the participants'
// case lists (see WorkStore.ParticipantCases); without it an existing
// case's list entries are all written again.
type CaseWrite struct {
	Case     Case
	Previous *Case
	New      bool
	Delete   bool
}

// TaskWrite is one task to store or delete. Previous is the task as it was
// read (nil when New): the store uses it to maintain the per-user
// involvement lists.
type TaskWrite struct {
	Task     Task
	Previous *Task
	New      bool
	Delete   bool
}

// CountsDelta adds to the case statistics.
type CountsDelta struct {
	Total, Open, Closed, Canceled int
}

// OnceMark records that something happened, with what it produced.
type OnceMark struct {
	Key    string
	Result string
}

// MailQuota counts Count more recipients of an organization's outgoing
// mail in the window that starts at Window (an hour), on condition that the
// window's count stays at most Limit.
type MailQuota struct {
	OrganizationID string
	Window         time.Time
	Count, Limit   int
}

// ErrMailQuota is what Commit returns when the MailQuota had no room; the
// service gives it a message with the numbers.
var ErrMailQuota = &failure.Error{Code: failure.TooManyRequests, Message: "the organization's mail quota is used up"}

// MaxChangeItems is the most items one Commit writes (DynamoDB's limit of
// a transaction): a task write counts 1 plus its involvement list entries
// put and deleted (see Task.InvolvementLists), a case event 1.
const MaxChangeItems = 100

// ErrTooManyChanges is what Commit returns for changes of more than
// MaxChangeItems items; nothing of them is written.
var ErrTooManyChanges = &failure.Error{Code: failure.Invalid, Message: fmt.Sprintf("the change touches more items than one transaction holds (%d)", MaxChangeItems)}

// ErrDone is the Conflict of a Commit whose OnceMark was recorded before.
var ErrDone = &failure.Error{Code: failure.Conflict, Message: "this was done before"}

// FileWrite is one file's metadata to store (on condition of its version,
// or its absence when New) or delete.
type FileWrite struct {
	File   File
	New    bool
	Delete bool
}

// InstanceWrite is one workflow instance to store, on condition of its
// version (absent when New).
type InstanceWrite struct {
	Record InstanceRecord
	New    bool
}

// ActionUpdate stores Action, a changed action instance, on condition that
// Previous (as it was read) is still stored: its version and its lock.
type ActionUpdate struct {
	Action   ActionInstance
	Previous ActionInstance
}

// TimerEntry is a due timer in the timer index (or its removal).
type TimerEntry struct {
	OrganizationID string
	InstanceID     string
	TimerID        string
	Due            time.Time
	Delete         bool
}

// OutboxMail is a mail to send once the transaction that asked for it is
// committed; it stays in the outbox until it was sent, so a failed send is
// retried (at least once delivery).
type OutboxMail struct {
	ID             string
	OrganizationID string
	Created        time.Time
	To, Cc, Bcc    []string
	Subject        string
	Text, HTML     string
}

// CaseFilter selects cases; nil fields do not filter.
type CaseFilter struct {
	SourceWorkflowID string
	Closed           *bool
	Canceled         *bool
}

// WorkStore persists cases, tasks and case events. Errors are
// *failure.Error values: NotFound, and Conflict when a version condition
// of Commit fails.
type WorkStore interface {
	Commit(ctx context.Context, c Changes) error
	GetCase(ctx context.Context, organizationID, id string) (Case, error)
	// ListCases lists up to limit of the cases the filter keeps, in
	// descending order of id, after the case with id after ("": from the
	// newest); more tells whether cases are left. One Query per state the
	// filter keeps (see CaseFilter.States) or, for all cases, one Query;
	// the states' lists (of one workflow when the filter names one) are
	// indexes, eventually consistent.
	ListCases(ctx context.Context, organizationID string, f CaseFilter, after string, limit int) (cases []Case, more bool, err error)
	CaseCounts(ctx context.Context, organizationID string) (CaseCounts, error)
	GetTask(ctx context.Context, organizationID, id string) (Task, error)
	// GetTasks returns the tasks that exist, in no particular order.
	GetTasks(ctx context.Context, organizationID string, ids []string) ([]Task, error)
	// CaseTasks lists up to limit of a case's tasks in state ("": all of
	// them, the canceled ones too), in list order (see TaskPosition: open,
	// then completed, then canceled, newest first in each), after the
	// position (zero: from the start); more tells whether tasks are left.
	// One Query of an index (GSI1, eventually consistent) whose range keys
	// sort as the list: every state's part is a key range of its own.
	CaseTasks(ctx context.Context, organizationID, caseID string, state TaskState, after TaskPosition, limit int) (tasks []Task, more bool, err error)
	// InvolvedTasks lists up to limit of the tasks in state ("": all) in
	// the named involvement lists (see Task.InvolvementLists), each once,
	// in list order (see TaskPosition), after the position (zero: from the
	// start); more tells whether tasks are left. One Query per list, the
	// first ones run concurrently.
	InvolvedTasks(ctx context.Context, organizationID string, lists []string, state TaskState, after TaskPosition, limit int) (tasks []Task, more bool, err error)
	// ParticipantCases lists up to limit cases that list the user among
	// their participants, newest first: one Query of the user's case list
	// and one batch read of those cases (a case that no longer lists the
	// user is left out).
	ParticipantCases(ctx context.Context, organizationID, userID string, limit int) ([]Case, error)
	// ListEvents lists a case's events newest first, optionally of one type
	// or one task: one Query of the case's events, of an index of its
	// events of the type, or of one of its events of the task (filtered by
	// type when both are given).
	ListEvents(ctx context.Context, caseID, eventType, taskID string, page Page) ([]Event, error)
	GetInstance(ctx context.Context, organizationID, id string) (InstanceRecord, error)
	GetFile(ctx context.Context, organizationID, id string) (File, error)
	GetEmail(ctx context.Context, organizationID, id string) (Email, error)
	// OnceResult returns the result recorded for a OnceMark key.
	OnceResult(ctx context.Context, key string) (string, error)
	// DueTimers lists up to limit timers due at or before now, oldest first.
	DueTimers(ctx context.Context, now time.Time, limit int) ([]TimerEntry, error)
	// PendingMail lists up to limit outbox mails created before the time.
	PendingMail(ctx context.Context, before time.Time, limit int) ([]OutboxMail, error)
	// DeleteMail removes a sent mail from the outbox.
	DeleteMail(ctx context.Context, m OutboxMail) error
	// LockableActions lists up to limit action instances of a service that
	// may be locked at now (never locked, lock expired, released), oldest
	// available first: one Query of an index, eventually consistent.
	LockableActions(ctx context.Context, organizationID, serviceKey string, now time.Time, limit int) ([]ActionInstance, error)
	// GetAction reads an action instance (NotFound once it ended).
	GetAction(ctx context.Context, organizationID, id string) (ActionInstance, error)
	// LockAction stores a's lock (WorkerID until Lock) on condition that
	// the stored version is a.Version-1 and nobody holds an unexpired lock
	// at now. Errors: Conflict (retryable) when the condition fails.
	LockAction(ctx context.Context, a ActionInstance, now time.Time) error
	// GroupsAmong tells which of the group ids are groups of the
	// organization (one batch read).
	GroupsAmong(ctx context.Context, organizationID string, groupIDs []string) (map[string]bool, error)
}
