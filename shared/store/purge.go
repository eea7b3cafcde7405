package store

import (
	"context"
	"strings"
	"time"

	"github.com/guregu/dynamo/v2"

	"github.com/effektif-serverless/caseflow/shared/casework"
	"github.com/effektif-serverless/caseflow/shared/failure"
	"github.com/effektif-serverless/caseflow/shared/identity"
)

// Keys of the purge of deleted organizations:
//
//	PURGE  <orgId>   a deleted organization whose data is still being removed
//
// DeleteOrganization writes the marker in the transaction that deletes the
// organization and its key; the scheduled function reads the partition
// (one Query) and removes the organization's data in bounded steps
// (PurgeStep), then the marker. Nothing is Scanned: every item of an
// organization is found by Query from its own partition ORG#<orgId>:
//
//	ORG#<orgId>  *                 everything keyed by the organization (profile, members,
//	                               groups, invitations, licenses, purchases, workflows,
//	                               versions, instances, actions, cases, counters, tasks,
//	                               files, mails); GSI1 entries go with their items
//	INV#<orgId>#<principal>        the involvement lists of each task's principals
//	CASE#<caseId>                  each case's events
//	TIMERS <due>#<orgId>#...       each instance's timers
//	REG#<codeHash>, SESMSG#<id>    each invitation's registration and SES message
//
// and the S3 objects: files/<orgId>/ (uploads and mail attachments) and
// pictures/registrations/<codeHash> of invitations. A new kind of item keyed
// by an organization id outside ORG#<orgId> must be added to PurgeStep.
// Not removed: users, their addresses and sessions (identities outlive
// their memberships), once-marks and the outbox (short-lived, TTL or sent
// within a minute).

type purgeItem struct {
	key
	OrganizationID string
	Key            string
	Deleted        string
}

const purgePartition = "PURGE"

// purgeMarker is the marker of an organization to purge.
func purgeMarker(o identity.Organization, now time.Time) purgeItem {
	return purgeItem{key: key{PK: purgePartition, SK: o.ID}, OrganizationID: o.ID, Key: o.Key, Deleted: timeString(now)}
}

// putPurgeMarker is the Put of the marker that DeleteOrganization adds to
// its transaction.
func (s *DB) putPurgeMarker(o identity.Organization) *dynamo.Put {
	return s.table.Put(purgeMarker(o, time.Now()))
}

var _ casework.Purger = (*DB)(nil)

// PendingPurges lists up to limit organizations being purged, oldest id
// first: one Query of the PURGE partition.
func (s *DB) PendingPurges(ctx context.Context, limit int) ([]string, error) {
	var items []purgeItem
	if err := s.table.Get(hashKey, purgePartition).Limit(limit).All(ctx, &items); err != nil {
		return nil, failure.Wrap(err, "list purges")
	}
	out := make([]string, len(items))
	for i, it := range items {
		out[i] = it.OrganizationID
	}
	return out, nil
}

// FinishPurge removes the marker of an organization whose data is gone.
func (s *DB) FinishPurge(ctx context.Context, orgID string) error {
	if err := s.table.Delete(hashKey, purgePartition).Range(rangeKey, orgID).Run(ctx); err != nil {
		return failure.Wrap(err, "finish purge")
	}
	return nil
}

// orgPartItem is any item of an organization's partition, with what the
// purge needs of the ones that name items elsewhere.
type orgPartItem struct {
	key
	Data []byte
	// of an invitation
	CodeHash, SESMessageID string
}

type keyOnly struct {
	key
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
	if err := p.s.table.Get(hashKey, pk).Project(hashKey, rangeKey).Limit(room+1).All(ctx, &items); err != nil {
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
	if err := s.table.Get(hashKey, "ORG#"+orgID).Limit(limit).All(ctx, &items); err != nil {
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
		if _, err := s.table.Batch(hashKey, rangeKey).Write().Delete(p.keys...).Run(ctx); err != nil {
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
		if err := unpackJSON(it.Data, &t, "task"); err != nil {
			return false, err
		}
		for _, principal := range principals(t) {
			if ok, err := p.addPartition(ctx, "INV#"+p.orgID+"#"+principal); !ok || err != nil {
				return false, err
			}
		}
	case strings.HasPrefix(it.SK, "CASE#"):
		return p.addPartition(ctx, "CASE#"+strings.TrimPrefix(it.SK, "CASE#"))
	case strings.HasPrefix(it.SK, "WFI#"):
		var rec casework.InstanceRecord
		if err := unpackJSON(it.Data, &rec, "workflow instance"); err != nil {
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
			k := registrationKey(it.CodeHash)
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
