package workstore

import (
	"context"
	"time"

	"github.com/guregu/dynamo/v2"

	"github.com/effektif-serverless/caseflow/shared/casework"
	"github.com/effektif-serverless/caseflow/shared/failure"
	"github.com/effektif-serverless/caseflow/shared/store/internal/onetable"
)

// Keys of the engine's items:
//
//	ORG#<orgId>  WFI#<id>                                   a workflow instance (packed)
//	TIMERS       <due>#<orgId>#<instanceId>#<timerId>       a due timer in the timer index
//	OUTBOX       <created>#<id>                             a mail waiting to be sent
//	ORG#<orgId>  ACTION#<id>                                a service action instance; GSI1 ACTIONS#<orgId>#<serviceKey> / <available>#<id>
//
// An action instance's GSI1 sort key is when it may be locked next: its
// creation, the end of its lock while one is held, the end of the retry
// timeout after a failure end. So the lockable ones of a service are one
// Query of GSI1 up to now, without a filter; an incident leaves the index.
// What the service task asked for is packed in Data; the lock (WorkerID,
// LockUntil), Retries, ErrorMessage, Incident and Version are attributes,
// changed by conditional updates.
//
// The timer index and the outbox are single partitions read by the
// scheduled function only, in due order.

type instanceItem struct {
	onetable.Key
	Version int
	Data    []byte
}

func instanceKey(orgID, id string) onetable.Key {
	return onetable.Key{PK: "ORG#" + orgID, SK: "WFI#" + id}
}

type timerItem struct {
	onetable.Key
	OrganizationID, InstanceID, TimerID, Due string
}

func timerKey(t casework.TimerEntry) onetable.Key {
	return onetable.Key{PK: "TIMERS", SK: onetable.TimeString(t.Due) + "#" + t.OrganizationID + "#" + t.InstanceID + "#" + t.TimerID}
}

type outboxItem struct {
	onetable.Key
	Data []byte
}

func outboxKey(m casework.OutboxMail) onetable.Key {
	return onetable.Key{PK: "OUTBOX", SK: onetable.TimeString(m.Created) + "#" + m.ID}
}

type actionItem struct {
	onetable.Key
	Data         []byte
	Version      int
	WorkerID     string `dynamo:",omitempty"`
	LockUntil    string `dynamo:",omitempty"`
	Retries      *int
	ErrorMessage string `dynamo:",omitempty"`
	Incident     bool   `dynamo:",omitempty"`
}

func actionKey(orgID, id string) onetable.Key {
	return onetable.Key{PK: "ORG#" + orgID, SK: "ACTION#" + id}
}

func actionIndexPK(orgID, serviceKey string) string { return "ACTIONS#" + orgID + "#" + serviceKey }

func actionIndexSK(at time.Time, id string) string { return onetable.TimeString(at) + "#" + id }

// actionOf is the action instance of an item: Data with the attributes.
func actionOf(it actionItem) (casework.ActionInstance, error) {
	var a casework.ActionInstance
	if err := onetable.UnpackJSON(it.Data, &a, "action instance"); err != nil {
		return a, err
	}
	a.Version, a.WorkerID, a.Lock = it.Version, it.WorkerID, onetable.ParseTime(it.LockUntil)
	a.Retries, a.ErrorMessage, a.Incident = casework.DefaultActionRetries, it.ErrorMessage, it.Incident
	if it.Retries != nil {
		a.Retries = *it.Retries
	}
	return a, nil
}

// actionVersion is the condition that the stored version is v (an item
// stored before versions has none).
func actionVersion(v int) (string, []any) {
	if v == 0 {
		return "attribute_not_exists('Version')", nil
	}
	return "'Version' = ?", []any{v}
}

// writeEngine adds the engine's writes of c to tx.
func (s *DB) writeEngine(tx *dynamo.WriteTx, c casework.Changes, add func()) error {
	for _, w := range c.Instances {
		inst := w.Record.Instance
		data, err := onetable.PackJSON(w.Record, "workflow instance")
		if err != nil {
			return err
		}
		it := instanceItem{Key: instanceKey(inst.OrganizationID, inst.ID), Version: inst.Version, Data: data}
		tx.Put(onetable.Versioned(s.table.Put(it), w.New, inst.Version))
		add()
	}
	for _, t := range c.Timers {
		k := timerKey(t)
		if t.Delete {
			tx.Delete(s.table.Delete(onetable.HashKey, k.PK).Range(onetable.RangeKey, k.SK))
		} else {
			tx.Put(s.table.Put(timerItem{Key: k, OrganizationID: t.OrganizationID, InstanceID: t.InstanceID, TimerID: t.TimerID, Due: onetable.TimeString(t.Due)}))
		}
		add()
	}
	for _, m := range c.Outbox {
		data, err := onetable.PackJSON(m, "mail")
		if err != nil {
			return err
		}
		tx.Put(s.table.Put(outboxItem{Key: outboxKey(m), Data: data}))
		add()
	}
	for _, a := range c.Actions {
		data, err := onetable.PackJSON(a, "action instance")
		if err != nil {
			return err
		}
		k := actionKey(a.OrganizationID, a.ID)
		k.GSI1PK, k.GSI1SK = actionIndexPK(a.OrganizationID, a.ServiceKey), actionIndexSK(a.Created, a.ID)
		retries := a.Retries
		tx.Put(s.table.Put(actionItem{Key: k, Data: data, Version: a.Version, Retries: &retries}).If(onetable.NotExists))
		add()
	}
	for _, a := range c.EndedActions {
		k := actionKey(a.OrganizationID, a.ID)
		d := s.table.Delete(onetable.HashKey, k.PK).Range(onetable.RangeKey, k.SK)
		if a.Version > 0 {
			d = d.If("'Version' = ? AND 'WorkerID' = ?", a.Version, a.WorkerID)
		}
		tx.Delete(d)
		add()
	}
	for _, w := range c.ActionUpdates {
		tx.Update(s.actionUpdate(w))
		add()
	}
	return nil
}

// actionUpdate is the conditional update of a failure end: the released
// (or incident) action instance, on condition of the version and the
// worker that were read.
func (s *DB) actionUpdate(w casework.ActionUpdate) *dynamo.Update {
	a, prev := w.Action, w.Previous
	k := actionKey(a.OrganizationID, a.ID)
	cond, args := actionVersion(prev.Version)
	u := s.table.Update(onetable.HashKey, k.PK).Range(onetable.RangeKey, k.SK).
		Set("Version", a.Version).Set("Retries", a.Retries).Remove("WorkerID", "LockUntil").
		If("attribute_exists(pk)").If(cond, args...).If("'WorkerID' = ?", prev.WorkerID)
	if a.ErrorMessage != "" {
		u = u.Set("ErrorMessage", a.ErrorMessage)
	}
	if a.Incident {
		return u.Set("Incident", true).Remove("gsi1pk", "gsi1sk")
	}
	return u.Set("gsi1sk", actionIndexSK(a.Available, a.ID))
}

// LockableActions is one Query of GSI1: the service's action instances
// whose sort key (when each may be locked next) is at most now.
func (s *DB) LockableActions(ctx context.Context, orgID, serviceKey string, now time.Time, limit int) ([]casework.ActionInstance, error) {
	var items []actionItem
	q := s.table.Get("gsi1pk", actionIndexPK(orgID, serviceKey)).Index(onetable.GSI1).
		Range("gsi1sk", dynamo.LessOrEqual, onetable.TimeString(now)+"#\uffff")
	if err := onetable.PageInto(ctx, q, 0, limit, &items); err != nil {
		return nil, failure.Wrap(err, "list action instances")
	}
	out := make([]casework.ActionInstance, 0, len(items))
	for _, it := range items {
		a, err := actionOf(it)
		if err != nil {
			return nil, err
		}
		if a.OrganizationID == orgID {
			out = append(out, a)
		}
	}
	return out, nil
}

// GetAction reads an action instance.
func (s *DB) GetAction(ctx context.Context, orgID, id string) (casework.ActionInstance, error) {
	var it actionItem
	k := actionKey(orgID, id)
	if err := onetable.NotFound(s.get(ctx, k.PK, k.SK, &it), "action instance"); err != nil {
		return casework.ActionInstance{}, err
	}
	return actionOf(it)
}

// LockAction is one conditional update: the stored version is
// a.Version-1, it is no incident and its lock (if any) ended by now; it
// stores the lock and moves the instance's sort key in GSI1 to the lock's
// end.
func (s *DB) LockAction(ctx context.Context, a casework.ActionInstance, now time.Time) error {
	k := actionKey(a.OrganizationID, a.ID)
	cond, args := actionVersion(a.Version - 1)
	err := s.table.Update(onetable.HashKey, k.PK).Range(onetable.RangeKey, k.SK).
		Set("Version", a.Version).Set("WorkerID", a.WorkerID).Set("LockUntil", onetable.TimeString(a.Lock)).
		Set("gsi1sk", actionIndexSK(a.Lock, a.ID)).
		If("attribute_exists(pk)").If(cond, args...).If("attribute_not_exists('Incident')").
		If("attribute_not_exists('LockUntil') OR 'LockUntil' <= ?", onetable.TimeString(now)).Run(ctx)
	return onetable.VersionConflict(err, "action instance")
}

// GetInstance reads a workflow instance.
func (s *DB) GetInstance(ctx context.Context, orgID, id string) (casework.InstanceRecord, error) {
	var it instanceItem
	k := instanceKey(orgID, id)
	if err := onetable.NotFound(s.get(ctx, k.PK, k.SK, &it), "workflow instance"); err != nil {
		return casework.InstanceRecord{}, err
	}
	var rec casework.InstanceRecord
	return rec, onetable.UnpackJSON(it.Data, &rec, "workflow instance")
}

// DueTimers is one Query on the timer index.
func (s *DB) DueTimers(ctx context.Context, now time.Time, limit int) ([]casework.TimerEntry, error) {
	var items []timerItem
	q := s.table.Get(onetable.HashKey, "TIMERS").Range(onetable.RangeKey, dynamo.LessOrEqual, onetable.TimeString(now)+"#\uffff")
	if err := onetable.PageInto(ctx, q, 0, limit, &items); err != nil {
		return nil, failure.Wrap(err, "list due timers")
	}
	out := make([]casework.TimerEntry, len(items))
	for i, it := range items {
		out[i] = casework.TimerEntry{OrganizationID: it.OrganizationID, InstanceID: it.InstanceID, TimerID: it.TimerID, Due: onetable.ParseTime(it.Due)}
	}
	return out, nil
}

// PendingMail is one Query on the outbox.
func (s *DB) PendingMail(ctx context.Context, before time.Time, limit int) ([]casework.OutboxMail, error) {
	var items []outboxItem
	q := s.table.Get(onetable.HashKey, "OUTBOX").Range(onetable.RangeKey, dynamo.Less, onetable.TimeString(before))
	if err := onetable.PageInto(ctx, q, 0, limit, &items); err != nil {
		return nil, failure.Wrap(err, "list the outbox")
	}
	out := make([]casework.OutboxMail, len(items))
	for i, it := range items {
		if err := onetable.UnpackJSON(it.Data, &out[i], "mail"); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// DeleteMail removes a sent mail from the outbox.
func (s *DB) DeleteMail(ctx context.Context, m casework.OutboxMail) error {
	k := outboxKey(m)
	if err := s.table.Delete(onetable.HashKey, k.PK).Range(onetable.RangeKey, k.SK).Run(ctx); err != nil {
		return failure.Wrap(err, "delete from the outbox")
	}
	return nil
}

// writeMailQuota adds the quota's count to its window's counter, on
// condition that it stays within the limit: one atomic conditional update
// in the transaction, so the quota holds across Lambda instances. The
// counter expires a day after its window.
func (s *DB) writeMailQuota(tx *dynamo.WriteTx, q *casework.MailQuota, add func()) {
	if q == nil {
		return
	}
	k := onetable.Key{PK: "ORG#" + q.OrganizationID, SK: "MAILQUOTA#" + q.Window.UTC().Format("2006-01-02T15")}
	tx.Update(s.table.Update(onetable.HashKey, k.PK).Range(onetable.RangeKey, k.SK).Add("Sent", q.Count).
		Set("expiresAt", q.Window.Add(25*time.Hour).Unix()).
		If("attribute_not_exists('Sent') OR 'Sent' <= ?", q.Limit-q.Count))
	add()
}
