package workstore

import (
	"context"
	"strings"

	"github.com/guregu/dynamo/v2"

	"github.com/effektif-serverless/caseflow/shared/casework"
	"github.com/effektif-serverless/caseflow/shared/failure"
	"github.com/effektif-serverless/caseflow/shared/identity"
	"github.com/effektif-serverless/caseflow/shared/store/internal/onetable"
)

// The purge of deleted organizations: the marker, PendingPurges and
// FinishPurge are the base store's (package store documents which items
// are removed); PurgeStep knows the casework items that name items
// outside the organization's partition.

var _ casework.Purger = (*DB)(nil)

// orgPartItem is any item of an organization's partition, with what the
// purge needs of the ones that name items elsewhere.
type orgPartItem struct {
	onetable.Key
	Data []byte
	// of an invitation
	CodeHash, SESMessageID string
}

type keyOnly struct {
	onetable.Key
}

// purgeStep collects the deletes of one step within a budget.
type purgeStep struct {
	s       *DB
	orgID   string
	budget  int
	keys    []dynamo.Keyed
	seen    map[string]bool // the keys added, as pk + "\x00" + sk
	whole   map[string]bool // the partitions added whole
	objects []string
	full    bool // the budget ran out
}

func (p *purgeStep) add(pk, sk string) bool {
	if p.seen[pk+"\x00"+sk] {
		return true // several tasks share a principal's list
	}
	if len(p.keys) >= p.budget {
		p.full = true
		return false
	}
	p.keys = append(p.keys, dynamo.Keys{pk, sk})
	p.seen[pk+"\x00"+sk] = true
	return true
}

// addPartition adds every item of partition pk (as far as the budget goes)
// and reports whether all of them were added.
func (p *purgeStep) addPartition(ctx context.Context, pk string) (bool, error) {
	if p.whole[pk] {
		return true, nil
	}
	room := p.budget - len(p.keys)
	if room <= 0 {
		p.full = true
		return false, nil
	}
	var items []keyOnly
	if err := p.s.table.Get(onetable.HashKey, pk).Project(onetable.HashKey, onetable.RangeKey).Limit(room+1).All(ctx, &items); err != nil {
		return false, failure.Wrap(err, "list %s", pk)
	}
	for _, it := range items {
		if !p.add(it.PK, it.SK) {
			return false, nil
		}
	}
	p.whole[pk] = true
	return true, nil
}

// PurgeStep removes up to limit items of a deleted organization, first
// calling removeObjects for the S3 objects that the removed items name
// (so that a step that fails half-way leaves nothing unfindable). done
// reports that nothing of the organization is left in the table. Every
// step starts from the organization's partition again, so a step that
// stopped anywhere resumes where it stopped, and running a step twice (or
// after the end) is harmless.
func (s *DB) PurgeStep(ctx context.Context, orgID string, limit int, removeObjects func(context.Context, []string) error) (int, bool, error) {
	p := &purgeStep{s: s, orgID: orgID, budget: limit, seen: map[string]bool{}, whole: map[string]bool{}}
	var items []orgPartItem
	if err := s.table.Get(onetable.HashKey, "ORG#"+orgID).Limit(limit).All(ctx, &items); err != nil {
		return 0, false, failure.Wrap(err, "list the organization's items")
	}
	for _, it := range items {
		ok, err := p.dependents(ctx, it)
		if err != nil {
			return 0, false, err
		}
		if !ok || !p.add(it.PK, it.SK) {
			break
		}
	}
	if len(p.objects) > 0 {
		if err := removeObjects(ctx, p.objects); err != nil {
			return 0, false, err
		}
	}
	if len(p.keys) > 0 {
		if _, err := s.table.Batch(onetable.HashKey, onetable.RangeKey).Write().Delete(p.keys...).Run(ctx); err != nil {
			return 0, false, failure.Wrap(err, "purge the organization's items")
		}
	}
	done := !p.full && len(items) < limit
	return len(p.keys), done, nil
}

// dependents adds the items and objects outside the organization's
// partition that an item of it names; false when the budget ran out
// before all of them (the item then stays for the next step).
func (p *purgeStep) dependents(ctx context.Context, it orgPartItem) (bool, error) {
	switch {
	case strings.HasPrefix(it.SK, "TASK#"):
		var t casework.Task
		if err := onetable.UnpackJSON(it.Data, &t, "task"); err != nil {
			return false, err
		}
		for _, principal := range t.InvolvementLists() {
			if ok, err := p.addPartition(ctx, "INV#"+p.orgID+"#"+principal); !ok || err != nil {
				return false, err
			}
		}
	case strings.HasPrefix(it.SK, "CASE#"):
		var c casework.Case
		if err := onetable.UnpackJSON(it.Data, &c, "case"); err != nil {
			return false, err
		}
		for _, id := range c.ParticipantIDs {
			if k := partKey(p.orgID, id, c); !p.add(k.PK, k.SK) {
				return false, nil
			}
		}
		return p.addPartition(ctx, "CASE#"+strings.TrimPrefix(it.SK, "CASE#"))
	case strings.HasPrefix(it.SK, "WFI#"):
		var rec casework.InstanceRecord
		if err := onetable.UnpackJSON(it.Data, &rec, "workflow instance"); err != nil {
			return false, err
		}
		if rec.Instance != nil {
			for _, ti := range rec.Instance.TimerInstances {
				k := timerKey(casework.TimerEntry{OrganizationID: p.orgID, InstanceID: rec.Instance.ID, TimerID: ti.ID, Due: ti.DueDate.Time})
				if !p.add(k.PK, k.SK) {
					return false, nil
				}
			}
		}
	case strings.HasPrefix(it.SK, "INVITE#"):
		if it.CodeHash != "" {
			k := onetable.RegistrationKey(it.CodeHash)
			if !p.add(k.PK, k.SK) {
				return false, nil
			}
			p.objects = append(p.objects, identity.RegistrationPictureKey(it.CodeHash))
		}
		if it.SESMessageID != "" && !p.add("SESMSG#"+it.SESMessageID, "SESMSG") {
			return false, nil
		}
	}
	return true, nil
}
