package workstore

import (
	"context"
	"errors"
	"sort"
	"strings"

	"github.com/guregu/dynamo/v2"

	"github.com/effektif-serverless/caseflow/shared/casework"
	"github.com/effektif-serverless/caseflow/shared/failure"
	"github.com/effektif-serverless/caseflow/shared/store/internal/onetable"
)

// Keys of the casework items:
//
//	ORG#<orgId>               CASE#<id>               a case (packed); GSI1 CASESTATE#<orgId>#<state> / <id>,
//	                          GSI2 CASEWF#<orgId>#<editorWorkflowId>#<state> / <id> (state: open, closed, canceled)
//	ORG#<orgId>               CASECOUNTS              the organization's case statistics
//	ORG#<orgId>               TASK#<id>               a task (packed); GSI1 CASETASKS#<caseId> / <open|done|canceled>#<created>#<id>
//	                          (its case's task list, in the order of the involvement lists; before 2026-12-03
//	                          <created>#<id>, which Reindex rewrites)
//	INV#<orgId>#<list>        <open|done|canceled>#<created>#<id>  a copy of a task in an involvement list
//	                          (list: assigned:<userId>, candidate:<userId>, created:<userId>,
//	                          participant:<userId>, group:<groupId>, or unclaimed for the organization's open
//	                          tasks without assignee and candidates; see casework.Task.InvolvementLists)
//	CASE#<caseId>             EV#<time>#<id>          a case event (packed); GSI1 EVTYPE#<caseId>#<type> / <time>#<id>,
//	                          GSI2 EVTASK#<caseId>#<taskId> / <time>#<id>
//	PART#<orgId>#<userId>     CASE#<created>#<caseId>  a case the user participates in (attribute CaseID)
//	ORG#<orgId>               MAILQUOTA#<hour>        recipients of email tasks in that hour (UTC); attribute Sent, TTL

type caseItem struct {
	onetable.Key
	Version int
	Data    []byte
}

func caseKey(orgID, id string) onetable.Key {
	return onetable.Key{PK: "ORG#" + orgID, SK: "CASE#" + id}
}

// caseListKeys adds to a case's key its entries in the lists of its state
// (GSI1) and of its workflow in its state (GSI2).
func caseListKeys(c casework.Case) onetable.Key {
	k := caseKey(c.OrganizationID, c.ID)
	k.GSI1PK, k.GSI1SK = caseStateList(c.OrganizationID, c.State()), c.ID
	if c.SourceWorkflowID != "" {
		k.GSI2PK, k.GSI2SK = caseWorkflowList(c.OrganizationID, c.SourceWorkflowID, c.State()), c.ID
	}
	return k
}

func caseStateList(orgID string, state casework.CaseState) string {
	return "CASESTATE#" + orgID + "#" + string(state)
}

func caseWorkflowList(orgID, workflowID string, state casework.CaseState) string {
	return "CASEWF#" + orgID + "#" + workflowID + "#" + string(state)
}

// caseID is the id of the case item.
func (it *caseItem) caseID() string { return strings.TrimPrefix(it.SK, "CASE#") }

type taskItem struct {
	onetable.Key
	Version int
	Data    []byte
}

func taskKey(orgID, id string) onetable.Key {
	return onetable.Key{PK: "ORG#" + orgID, SK: "TASK#" + id}
}

func taskListKey(orgID, list string, t casework.Task) onetable.Key {
	return onetable.Key{PK: "INV#" + orgID + "#" + list, SK: taskListSK(t.Position())}
}

// taskListSK is a task's range key in the involvement lists: open#, done#
// and canceled# sort in descending order as casework lists the states.
func taskListSK(p casework.TaskPosition) string {
	return string(p.State) + "#" + onetable.TimeString(p.CreateTime) + "#" + p.ID
}

// partItem is an entry of a user's list of the cases they participate in.
type partItem struct {
	onetable.Key
	CaseID string
}

func partKey(orgID, userID string, c casework.Case) onetable.Key {
	return onetable.Key{PK: "PART#" + orgID + "#" + userID, SK: "CASE#" + onetable.TimeString(c.CreateTime) + "#" + c.ID}
}

// partChange is a put (or, with del, a delete) of a participation entry.
type partChange struct {
	key onetable.Key
	c   casework.Case
	del bool
}

// participation is what a case write changes in its participants' case
// lists: entries of the participants it gained (all of them when new, or
// when the case as read is unknown) and deletes of those it lost (all of
// them when the case is deleted).
func participation(w casework.CaseWrite) []partChange {
	c := w.Case
	var out []partChange
	var before []string
	if w.Previous != nil && !w.New {
		before = w.Previous.ParticipantIDs
	}
	if w.Delete {
		for _, id := range uniqueIDs(append(append([]string{}, c.ParticipantIDs...), before...)) {
			out = append(out, partChange{key: partKey(c.OrganizationID, id, c), c: c, del: true})
		}
		return out
	}
	for _, id := range uniqueIDs(c.ParticipantIDs) {
		if w.Previous == nil || w.New || !hasID(before, id) {
			out = append(out, partChange{key: partKey(c.OrganizationID, id, c), c: c})
		}
	}
	for _, id := range uniqueIDs(before) {
		if !hasID(c.ParticipantIDs, id) {
			out = append(out, partChange{key: partKey(c.OrganizationID, id, c), c: c, del: true})
		}
	}
	return out
}

func hasID(list []string, id string) bool {
	for _, x := range list {
		if x == id {
			return true
		}
	}
	return false
}

func uniqueIDs(list []string) []string {
	var out []string
	for _, id := range list {
		if id != "" && !hasID(out, id) {
			out = append(out, id)
		}
	}
	return out
}

type eventItem struct {
	onetable.Key
	Type string
	Data []byte
}

// eventKey is an event's key with its entries in the case's lists of
// events of its type (GSI1) and of its task (GSI2).
func eventKey(e casework.Event) onetable.Key {
	at := onetable.TimeString(e.Time) + "#" + e.ID
	k := onetable.Key{PK: "CASE#" + e.CaseID, SK: "EV#" + at, GSI1PK: eventTypeList(e.CaseID, e.Type), GSI1SK: at}
	if e.TaskID != "" {
		k.GSI2PK, k.GSI2SK = eventTaskList(e.CaseID, e.TaskID), at
	}
	return k
}

func eventTypeList(caseID, typ string) string    { return "EVTYPE#" + caseID + "#" + typ }
func eventTaskList(caseID, taskID string) string { return "EVTASK#" + caseID + "#" + taskID }

type countsItem struct {
	onetable.Key
	Total, Open, Closed, Canceled int
}

func countsKey(orgID string) onetable.Key { return onetable.Key{PK: "ORG#" + orgID, SK: "CASECOUNTS"} }

// maxTransaction is DynamoDB's limit of items in one transaction.
const maxTransaction = casework.MaxChangeItems

// Commit writes the changes in one transaction. The entries of the
// participants' case lists go into it too when they fit; those of a change
// that would exceed the transaction's limit with them (a case created with
// more than a few dozen participants) are written right after it, in batch
// writes, so a list may lag behind its cases for a moment (ParticipantCases
// reads the cases themselves, so a lagging entry never shows a case the
// user left).
func (s *DB) Commit(ctx context.Context, c casework.Changes) error {
	tx := s.db.WriteTx()
	n := 0
	add := func() { n++ }
	s.writeOnce(tx, c.Once, add)
	s.writeMailQuota(tx, c.MailQuota, add)
	var parts []partChange
	for _, w := range c.Cases {
		parts = append(parts, participation(w)...)
		k := caseKey(w.Case.OrganizationID, w.Case.ID)
		if w.Delete {
			tx.Delete(s.table.Delete(onetable.HashKey, k.PK).Range(onetable.RangeKey, k.SK).If("'Version' = ?", w.Case.Version))
			add()
			continue
		}
		it, err := caseItemOf(w.Case)
		if err != nil {
			return err
		}
		tx.Put(onetable.Versioned(s.table.Put(it), w.New, w.Case.Version))
		add()
	}
	for _, w := range c.Tasks {
		if err := s.writeTask(tx, w, add); err != nil {
			return err
		}
	}
	for _, e := range c.Events {
		it, err := eventItemOf(e)
		if err != nil {
			return err
		}
		tx.Put(s.table.Put(it))
		add()
	}
	s.writeFiles(tx, c.Files, add)
	if err := s.writeMail(tx, c.Emails, add); err != nil {
		return err
	}
	if err := s.writeEngine(tx, c, add); err != nil {
		return err
	}
	if d := c.Counts; d != nil {
		k := countsKey(c.OrganizationID)
		tx.Update(s.table.Update(onetable.HashKey, k.PK).Range(onetable.RangeKey, k.SK).
			Add("Total", d.Total).Add("Open", d.Open).Add("Closed", d.Closed).Add("Canceled", d.Canceled))
		add()
	}
	if n > maxTransaction {
		return casework.ErrTooManyChanges
	}
	inTx := n+len(parts) <= maxTransaction
	if inTx {
		for _, pc := range parts {
			if pc.del {
				tx.Delete(s.table.Delete(onetable.HashKey, pc.key.PK).Range(onetable.RangeKey, pc.key.SK))
			} else {
				tx.Put(s.table.Put(partItem{Key: pc.key, CaseID: pc.c.ID}))
			}
			add()
		}
	}
	if n == 0 {
		return nil
	}
	err := tx.Run(ctx)
	if i := onetable.FailedCondition(err); i >= 0 && i < len(c.Once) {
		return casework.ErrDone
	} else if c.MailQuota != nil && i == len(c.Once) {
		return casework.ErrMailQuota
	}
	if dynamo.IsCondCheckFailed(err) {
		return failure.Race("case or task")
	}
	if err != nil {
		return failure.Wrap(err, "write casework changes")
	}
	if !inTx {
		return s.writeParticipation(ctx, parts)
	}
	return nil
}

// writeParticipation writes participation entries in batch writes (of 25,
// as DynamoDB takes them; puts and deletes are idempotent).
func (s *DB) writeParticipation(ctx context.Context, parts []partChange) error {
	var puts []any
	var dels []dynamo.Keyed
	for _, pc := range parts {
		if pc.del {
			dels = append(dels, dynamo.Keys{pc.key.PK, pc.key.SK})
		} else {
			puts = append(puts, partItem{Key: pc.key, CaseID: pc.c.ID})
		}
	}
	if _, err := s.table.Batch(onetable.HashKey, onetable.RangeKey).Write().Put(puts...).Delete(dels...).Run(ctx); err != nil {
		return failure.Wrap(err, "write the participants' case lists")
	}
	return nil
}

// ParticipantCases is one Query of the user's case list, newest first,
// and one batch read of the cases.
func (s *DB) ParticipantCases(ctx context.Context, orgID, userID string, limit int) ([]casework.Case, error) {
	var entries []partItem
	q := s.table.Get(onetable.HashKey, "PART#"+orgID+"#"+userID).Order(dynamo.Descending)
	if err := onetable.PageInto(ctx, q, 0, limit, &entries); err != nil {
		return nil, failure.Wrap(err, "list the user's cases")
	}
	ids := make([]string, len(entries))
	for i, e := range entries {
		ids[i] = e.CaseID
	}
	var items []caseItem
	if err := s.batchGet(ctx, ids, func(id string) onetable.Key { return caseKey(orgID, id) }, &items); err != nil {
		return nil, failure.Wrap(err, "read the user's cases")
	}
	out := make([]casework.Case, 0, len(items))
	for _, it := range items {
		var c casework.Case
		if err := onetable.UnpackJSON(it.Data, &c, "case"); err != nil {
			return nil, err
		}
		if hasID(c.ParticipantIDs, userID) {
			out = append(out, c)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].CreateTime.After(out[j].CreateTime) })
	return out, nil
}

// writeTask adds a task's writes: the task and its copies in the
// involvement lists (the ones it left are deleted).
func (s *DB) writeTask(tx *dynamo.WriteTx, w casework.TaskWrite, add func()) error {
	t := w.Task
	k := taskKey(t.OrganizationID, t.ID)
	keep := map[string]bool{}
	if !w.Delete {
		it, entries, err := taskItemsOf(t)
		if err != nil {
			return err
		}
		tx.Put(onetable.Versioned(s.table.Put(it), w.New, t.Version))
		add()
		for _, e := range entries {
			keep[e.Key.String()] = true
			tx.Put(s.table.Put(e))
			add()
		}
	} else {
		tx.Delete(s.table.Delete(onetable.HashKey, k.PK).Range(onetable.RangeKey, k.SK).If("'Version' = ?", t.Version))
		add()
	}
	if w.Previous != nil {
		for _, p := range w.Previous.InvolvementLists() {
			lk := taskListKey(t.OrganizationID, p, *w.Previous)
			if !keep[lk.String()] {
				tx.Delete(s.table.Delete(onetable.HashKey, lk.PK).Range(onetable.RangeKey, lk.SK))
				add()
			}
		}
	}
	return nil
}

// caseItemOf is the stored form of a case.
func caseItemOf(c casework.Case) (caseItem, error) {
	data, err := onetable.PackJSON(c, "case")
	if err != nil {
		return caseItem{}, err
	}
	return caseItem{Key: caseListKeys(c), Version: c.Version, Data: data}, nil
}

// taskItemsOf is the stored form of a task and its entries in its
// involvement lists (copies of it).
func taskItemsOf(t casework.Task) (taskItem, []taskItem, error) {
	data, err := onetable.PackJSON(t, "task")
	if err != nil {
		return taskItem{}, nil, err
	}
	k := taskKey(t.OrganizationID, t.ID)
	if t.CaseID != "" {
		k.GSI1PK, k.GSI1SK = caseTaskList(t.CaseID), taskListSK(t.Position())
	}
	lists := t.InvolvementLists()
	entries := make([]taskItem, len(lists))
	for i, list := range lists {
		entries[i] = taskItem{Key: taskListKey(t.OrganizationID, list, t), Version: t.Version, Data: data}
	}
	return taskItem{Key: k, Version: t.Version, Data: data}, entries, nil
}

// eventItemOf is the stored form of a case event.
func eventItemOf(e casework.Event) (eventItem, error) {
	data, err := onetable.PackJSON(e, "event")
	if err != nil {
		return eventItem{}, err
	}
	return eventItem{Key: eventKey(e), Type: e.Type, Data: data}, nil
}

// GetCase reads a case.
func (s *DB) GetCase(ctx context.Context, orgID, id string) (casework.Case, error) {
	var it caseItem
	k := caseKey(orgID, id)
	if err := onetable.NotFound(s.get(ctx, k.PK, k.SK, &it), "case"); err != nil {
		return casework.Case{}, err
	}
	var c casework.Case
	return c, onetable.UnpackJSON(it.Data, &c, "case")
}

// ListCases merges one Query per state the filter keeps, on GSI1 (or, of
// one workflow, GSI2); all cases are one Query of the table.
func (s *DB) ListCases(ctx context.Context, orgID string, f casework.CaseFilter, after string, limit int) ([]casework.Case, bool, error) {
	states := f.States()
	var queries []*dynamo.Query
	switch {
	case len(states) == 0:
		return nil, false, nil
	case len(states) == 3 && f.SourceWorkflowID == "":
		q := s.table.Get(onetable.HashKey, "ORG#"+orgID)
		if after != "" {
			q = q.Range(onetable.RangeKey, dynamo.Between, "CASE#", "CASE#"+after)
		} else {
			q = q.Range(onetable.RangeKey, dynamo.BeginsWith, "CASE#")
		}
		queries = append(queries, q)
	default:
		for _, st := range states {
			q := s.table.Get("gsi1pk", caseStateList(orgID, st)).Index(onetable.GSI1)
			rangeKey := "gsi1sk"
			if f.SourceWorkflowID != "" {
				q, rangeKey = s.table.Get("gsi2pk", caseWorkflowList(orgID, f.SourceWorkflowID, st)).Index(onetable.GSI2), "gsi2sk"
			}
			if after != "" {
				q = q.Range(rangeKey, dynamo.Less, after)
			}
			queries = append(queries, q)
		}
	}
	for i, q := range queries {
		queries[i] = q.Order(dynamo.Descending)
	}
	items, more, err := onetable.MergeDescending(ctx, queries, after, limit, (*caseItem).caseID)
	if err != nil {
		return nil, false, failure.Wrap(err, "list cases")
	}
	out := make([]casework.Case, len(items))
	for i, it := range items {
		if err := onetable.UnpackJSON(it.Data, &out[i], "case"); err != nil {
			return nil, false, err
		}
	}
	return out, more, nil
}

// CaseCounts reads the organization's case statistics.
func (s *DB) CaseCounts(ctx context.Context, orgID string) (casework.CaseCounts, error) {
	var it countsItem
	k := countsKey(orgID)
	err := s.get(ctx, k.PK, k.SK, &it)
	if errors.Is(err, dynamo.ErrNotFound) {
		return casework.CaseCounts{}, nil
	}
	if err != nil {
		return casework.CaseCounts{}, failure.Wrap(err, "read case counts")
	}
	return casework.CaseCounts{Total: it.Total, Open: it.Open, Closed: it.Closed, Canceled: it.Canceled}, nil
}

func unpackTasks(items []taskItem) ([]casework.Task, error) {
	out := make([]casework.Task, len(items))
	for i, it := range items {
		if err := onetable.UnpackJSON(it.Data, &out[i], "task"); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// GetTask reads a task.
func (s *DB) GetTask(ctx context.Context, orgID, id string) (casework.Task, error) {
	var it taskItem
	k := taskKey(orgID, id)
	if err := onetable.NotFound(s.get(ctx, k.PK, k.SK, &it), "task"); err != nil {
		return casework.Task{}, err
	}
	var t casework.Task
	return t, onetable.UnpackJSON(it.Data, &t, "task")
}

// GetTasks reads tasks in one batch per hundred ids.
func (s *DB) GetTasks(ctx context.Context, orgID string, ids []string) ([]casework.Task, error) {
	var items []taskItem
	if err := s.batchGet(ctx, ids, func(id string) onetable.Key { return taskKey(orgID, id) }, &items); err != nil {
		return nil, failure.Wrap(err, "read tasks")
	}
	return unpackTasks(items)
}

// caseTaskList is the GSI1 partition of a case's tasks.
func caseTaskList(caseID string) string { return "CASETASKS#" + caseID }

// CaseTasks is one Query on GSI1 (of one state's part of the case's list,
// or of all of it), read page by page up to limit+2 items.
func (s *DB) CaseTasks(ctx context.Context, orgID, caseID string, state casework.TaskState, after casework.TaskPosition, limit int) ([]casework.Task, bool, error) {
	below := belowOf(after)
	q := taskListRange(s.table.Get("gsi1pk", caseTaskList(caseID)).Index(onetable.GSI1), "gsi1sk", state, below)
	items, more, err := onetable.MergeDescending(ctx, []*dynamo.Query{q}, below, limit, func(it *taskItem) string { return it.GSI1SK })
	if err != nil {
		return nil, false, failure.Wrap(err, "list case tasks")
	}
	tasks, err := unpackTasks(items)
	if err != nil {
		return nil, false, err
	}
	out := tasks[:0]
	for _, t := range tasks {
		if t.OrganizationID == orgID {
			out = append(out, t)
		}
	}
	return out, more, nil
}

// belowOf is the range key a page of a task list continues below: the
// position's taskListSK ("" for the first page).
func belowOf(after casework.TaskPosition) string {
	if after.IsZero() {
		return ""
	}
	return taskListSK(after)
}

// taskListRange makes q a newest-first Query of a task list whose range
// key (rangeKey) is taskListSK: of one state's part of it ("": all), up
// to below (when not ""; MergeDescending skips below itself).
func taskListRange(q *dynamo.Query, rangeKey string, state casework.TaskState, below string) *dynamo.Query {
	q = q.Order(dynamo.Descending)
	switch {
	case state == "" && below != "":
		return q.Range(rangeKey, dynamo.LessOrEqual, below)
	case below != "":
		return q.Range(rangeKey, dynamo.Between, string(state)+"#", below)
	case state != "":
		return q.Range(rangeKey, dynamo.BeginsWith, string(state)+"#")
	}
	return q
}

// InvolvedTasks merges one Query per involvement list (of one state's
// part of it, or of all of it: its range keys sort as casework lists the
// states).
func (s *DB) InvolvedTasks(ctx context.Context, orgID string, lists []string, state casework.TaskState, after casework.TaskPosition, limit int) ([]casework.Task, bool, error) {
	below := belowOf(after)
	queries := make([]*dynamo.Query, len(lists))
	for i, list := range lists {
		queries[i] = taskListRange(s.table.Get(onetable.HashKey, "INV#"+orgID+"#"+list), onetable.RangeKey, state, below)
	}
	items, more, err := onetable.MergeDescending(ctx, queries, below, limit, func(it *taskItem) string { return it.SK })
	if err != nil {
		return nil, false, failure.Wrap(err, "list tasks")
	}
	tasks, err := unpackTasks(items)
	return tasks, more, err
}

// ListEvents is one Query, newest first: of the case's events, of GSI1
// for one type, of GSI2 for one task (with a filter on the type when both
// are given: a task has few events).
func (s *DB) ListEvents(ctx context.Context, caseID, eventType, taskID string, page casework.Page) ([]casework.Event, error) {
	var q *dynamo.Query
	switch {
	case taskID != "":
		q = s.table.Get("gsi2pk", eventTaskList(caseID, taskID)).Index(onetable.GSI2)
		if eventType != "" {
			q = q.Filter("'Type' = ?", eventType)
		}
	case eventType != "":
		q = s.table.Get("gsi1pk", eventTypeList(caseID, eventType)).Index(onetable.GSI1)
	default:
		q = s.table.Get(onetable.HashKey, "CASE#"+caseID).Range(onetable.RangeKey, dynamo.BeginsWith, "EV#")
	}
	q = q.Order(dynamo.Descending)
	var items []eventItem
	if err := onetable.PageInto(ctx, q, page.Offset, page.PageSize, &items); err != nil {
		return nil, failure.Wrap(err, "list events")
	}
	out := make([]casework.Event, len(items))
	for i, it := range items {
		if err := onetable.UnpackJSON(it.Data, &out[i], "event"); err != nil {
			return nil, err
		}
	}
	return out, nil
}
