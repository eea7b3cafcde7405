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
//	ORG#<orgId>  ACTION#<id>                                a service action instance; GSI1 ACTIONS#<orgId>#<serviceKey> / <created>#<id>
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
	Data []byte
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
		k := onetable.Key{PK: "ORG#" + a.OrganizationID, SK: "ACTION#" + a.ID,
			GSI1PK: "ACTIONS#" + a.OrganizationID + "#" + a.ServiceKey, GSI1SK: onetable.TimeString(a.Created) + "#" + a.ID}
		tx.Put(s.table.Put(actionItem{Key: k, Data: data}).If("attribute_not_exists(pk)"))
		add()
	}
	for _, a := range c.EndedActions {
		tx.Delete(s.table.Delete(onetable.HashKey, "ORG#"+a.OrganizationID).Range(onetable.RangeKey, "ACTION#"+a.ID))
		add()
	}
	return nil
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
